"""The integration's decisions, free of Home Assistant: tested without a running Home Assistant.

Nothing here imports `homeassistant` or the glue around it (`script/check_imports.py`).
"""

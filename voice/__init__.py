"""Barrier-Free Home voice station: offline speech recognition and spoken feedback.

Standalone: nothing here imports Home Assistant. The protocol that the Home Assistant
integration speaks with the station is described in PROTOCOL.md beside this file.
"""

__version__ = "0.1.0"

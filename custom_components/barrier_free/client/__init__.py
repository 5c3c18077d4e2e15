"""The station protocol client (voice/PROTOCOL.md): a library, free of Home Assistant."""

from .client import *  # noqa: F403 - temporary while api.py is split

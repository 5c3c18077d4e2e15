"""The open alerts kept across restarts (issue 17), in the Store `barrier_free.alerts`.

`logic.alerts.AlertBook` decides what survives (`as_dict`, `restore`); this module only reads
and writes it: changes close together are written once, and everything is written when the
alerts stop with the last station entry.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN, LOGGER
from .logic.alerts import Alert, AlertBook, Policy

STORAGE_VERSION = 1
STORAGE_KEY = f"{DOMAIN}.alerts"
SAVE_DELAY = 1.0  # seconds: changes close together are written once


class AlertStore:
    """Reads and writes the household's alert book."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)

    async def async_load(self, now: float, policy: Policy) -> tuple[AlertBook, list[Alert]] | None:
        """The book saved before the restart and what expired meanwhile; None when nothing was
        saved or what was saved cannot be used (logged)."""
        stored = await self._store.async_load()
        if stored is None:
            return None
        try:
            return AlertBook.restore(stored, now, policy)
        except ValueError as err:
            LOGGER.error("The saved alerts cannot be used (%s); starting without them", err)
            return None

    @callback
    def save_later(self, book: AlertBook) -> None:
        self._store.async_delay_save(book.as_dict, SAVE_DELAY)

    async def async_save(self, book: AlertBook) -> None:
        await self._store.async_save(book.as_dict())

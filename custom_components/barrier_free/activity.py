"""What a station has been asked today: the counters and the last turn heard and answered.

Kept per station in a `Store`, so a restart keeps the day's counts; the counters start again at
local midnight (and on the first start of a new day). The decisions are in logic/showroom.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .logic.showroom import Counters

STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 5.0  # seconds: a burst of commands is written once


@dataclass(frozen=True, slots=True)
class LastTurn:
    """The last utterance the agent answered, with its answer."""

    heard: str
    answer: str
    language: str
    at: datetime
    understood: bool = True  # False: the agent found no meaning in it ("没听清")


class StationActivity:
    """One station's counters of the day and its last turn; entities listen for changes."""

    def __init__(self, hass: HomeAssistant, station_id: str) -> None:
        self._hass = hass
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.activity.{station_id}"
        )
        self.counters = Counters(dt_util.now().date())
        self.last_turn: LastTurn | None = None
        self._listeners: list[CALLBACK_TYPE] = []
        self._unsubscribe: CALLBACK_TYPE | None = None

    async def async_start(self) -> None:
        stored = await self._store.async_load()
        if stored is not None:
            try:
                self.counters = Counters.from_dict(stored["counters"]).on(dt_util.now().date())
            except (KeyError, TypeError, ValueError) as err:
                LOGGER.warning("The stored command counters cannot be used (%s); from 0", err)
        self._unsubscribe = async_track_time_change(
            self._hass, self._midnight, hour=0, minute=0, second=0
        )

    async def async_stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await self._store.async_save(self._data())

    @callback
    def async_count(self, *, understood: bool, acted: bool = False) -> None:
        """One more command heard."""
        today = dt_util.now().date()
        self.counters = self.counters.on(today).counted(understood=understood, acted=acted)
        self._changed()

    @callback
    def async_turn(
        self, heard: str, answer: str, language: str, *, understood: bool = True
    ) -> None:
        self.last_turn = LastTurn(heard, answer, language, dt_util.utcnow(), understood)
        self._changed()

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> Callable[[], None]:
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    @callback
    def _midnight(self, now: datetime) -> None:
        self.counters = self.counters.on(dt_util.as_local(now).date())
        self._changed()

    def _data(self) -> dict[str, Any]:
        return {"counters": self.counters.as_dict()}

    @callback
    def _changed(self) -> None:
        self._store.async_delay_save(self._data, SAVE_DELAY)
        for update in list(self._listeners):
            update()

"""The household's PIN lockout: one record for every station, kept in Home Assistant's storage.

The decisions are `logic.pin.PinLockout`'s; this glue loads the record once for all
station entries, saves it after every change (before the resident hears the answer), and tells
the household when a lockout starts: a persistent notification, and the same news spoken on
every station in its own language (a resident who is blind cannot read a notification).
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import CONF_LANGUAGE, DEFAULT_LANGUAGE, DOMAIN, LOGGER
from .data import BarrierFreeConfigEntry
from .logic.pin import PinLockout
from .logic.spoken import say, say_duration

STORAGE_KEY: Final = f"{DOMAIN}.pin_lockout"
STORAGE_VERSION: Final = 1
NOTIFICATION_ID: Final = f"{DOMAIN}_pin_lockout"
DATA_LOCKOUT: HassKey[asyncio.Task[HouseholdLockout]] = HassKey(f"{DOMAIN}_pin_lockout")


def _now() -> float:
    return dt_util.utcnow().timestamp()


class HouseholdLockout:
    """The one `PinLockout` of the home and the Store that keeps it."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._hass = hass
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
        self.record = PinLockout(_now)

    async def async_load(self) -> None:
        try:
            stored = await self._store.async_load()
            if stored is not None:
                self.record.load(stored)
        except (HomeAssistantError, ValueError) as err:
            LOGGER.error("The stored PIN lockout is unreadable, starting a new one: %s", err)

    async def async_save(self) -> None:
        """Write the record now (the Store writes in an executor, never in the event loop)."""
        await self._store.async_save(self.record.as_dict())

    async def async_notify(self, origin: BarrierFreeConfigEntry) -> None:
        """A lockout started at `origin`: tell the household in writing and on every station."""
        minutes = self.record.minutes_left()
        hass = self._hass
        written = hass.config.language  # the notification's language: Home Assistant's own
        strings = await async_get_translations(hass, written, "common", {DOMAIN})
        prefix = f"component.{DOMAIN}.common"
        persistent_notification.async_create(
            hass,
            strings[f"{prefix}.lockout_message"].format(
                station=origin.title, duration=say_duration(minutes, written)
            ),
            title=strings[f"{prefix}.lockout_title"],
            notification_id=NOTIFICATION_ID,
        )
        # Concurrently: a station that is away does not hold up the others (its notice waits
        # for it, until the lockout is over). Normal priority: where the PIN was said, the
        # answer to the resident comes first.
        lasts = max(0.0, (self.record.locked_until or 0.0) - _now())
        await asyncio.gather(
            *(
                entry.runtime_data.connection.async_announce(
                    say(
                        "lockout_notice",
                        language,
                        station=origin.title,
                        duration=say_duration(minutes, language),
                    ),
                    language,
                    priority="normal",
                    chime="info",
                    expires_in=lasts,
                    purpose="pin_lockout",
                )
                for entry, language in _stations(hass)
            )
        )


def _stations(hass: HomeAssistant) -> list[tuple[BarrierFreeConfigEntry, str]]:
    """Every loaded station entry and its language."""
    return [
        (entry, str(entry.options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE)))
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    ]


async def async_household_lockout(hass: HomeAssistant) -> HouseholdLockout:
    """The household's lockout, loaded by the first station entry that asks for it."""
    loading = hass.data.get(DATA_LOCKOUT)
    if loading is None:
        # A task, so that entries set up at the same time share one load and one record.
        loading = hass.data[DATA_LOCKOUT] = hass.async_create_task(
            _async_load(hass), f"{DOMAIN} load PIN lockout"
        )
    return await loading


async def _async_load(hass: HomeAssistant) -> HouseholdLockout:
    lockout = HouseholdLockout(hass)
    await lockout.async_load()
    return lockout


@callback
def async_release_household_lockout(hass: HomeAssistant) -> None:
    """The last station entry was unloaded: the next setup reads the record from storage."""
    if not hass.config_entries.async_loaded_entries(DOMAIN):
        hass.data.pop(DATA_LOCKOUT, None)

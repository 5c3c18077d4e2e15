"""Announcements to one station: said now, or kept until the station is back.

An announcement made while the station is away (or while others still wait) goes into an
`AnnouncementQueue` (`logic/announce_queue.py` decides the order, expiry and what gives way)
and is delivered, most urgent first, when the connection is back; what expired or gave way is
logged, and so is what was never delivered because the entry was unloaded first. The
announcements travel over the station's persistent connection (`connection.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .client import EV_ANNOUNCED, CannotConnect, StationError, announce_event
from .const import DOMAIN, LOGGER
from .data import BarrierFreeConfigEntry
from .logic.announce_queue import AnnouncementQueue, Dropped, WaitingAnnouncement

if TYPE_CHECKING:
    from .connection import StationConnection


class AnnouncementDelivery:
    """The announcements of one station entry, delivered now or when the station is back."""

    def __init__(
        self, hass: HomeAssistant, entry: BarrierFreeConfigEntry, link: StationConnection
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._link = link
        self.queue = AnnouncementQueue(lambda: dt_util.utcnow().timestamp())
        self._task: asyncio.Task[None] | None = None

    async def async_stop(self) -> None:
        """Stop delivering; what still waits is logged as never delivered."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        due, dropped = self.queue.take_due()
        self._log_dropped(dropped)
        # The entry is unloaded (or Home Assistant stops) before the station is back.
        for item in due:
            LOGGER.warning(
                "Announcement %s for station %s not delivered, the station never came back: %s",
                item.id,
                self._link.name,
                item.text,
            )

    async def async_announce(
        self,
        text: str,
        language: str,
        priority: str = "high",
        chime: str | None = None,
        *,
        expires_in: float | None = None,
        purpose: str = "announce",
    ) -> str:
        """Have the station say `text`; returns the announcement's id ("<purpose>-<ulid>").

        If the station is away, the announcement waits (see `AnnouncementQueue`) and is
        delivered when the station is back, unless it expired first.
        """
        item = self.queue.create(
            f"{purpose}-{ulid_now()}",
            text,
            language,
            priority,
            chime,
            expires_in=expires_in,
        )
        if self._link.connected and not self.queue:
            try:
                await self._deliver(item)
            except CannotConnect as err:
                LOGGER.info(
                    "Station %s is away (%s): announcement %s waits", self._link.name, err, item.id
                )
            else:
                return item.id
        self._log_dropped(self.queue.add(item))
        if self._link.connected:  # came back meanwhile, or others are waiting: they go first
            self.start()
        return item.id

    async def _deliver(self, item: WaitingAnnouncement) -> None:
        """Send one announcement; CannotConnect if it may not have reached the station."""
        event = announce_event(
            item.id, item.text, item.language, priority=item.priority, chime=item.chime
        )
        try:
            await self._link.async_request(event, EV_ANNOUNCED, expect_id=item.id)
        except CannotConnect:
            raise
        except StationError as err:  # the station refused it: retrying would not help
            LOGGER.warning(
                "Station %s refused announcement %s (%s): %s",
                self._link.name,
                item.id,
                err,
                item.text,
            )

    @callback
    def start(self) -> None:
        """Deliver what waits (the station is back), unless that is already under way."""
        if self._task is None or self._task.done():
            self._task = self._entry.async_create_background_task(
                self._hass, self._deliver_waiting(), f"{DOMAIN} waiting announcements"
            )

    async def _deliver_waiting(self) -> None:
        """The station is back: say what waited for it, most urgent first."""
        while self.queue and self._link.connected:
            due, dropped = self.queue.take_due()
            self._log_dropped(dropped)
            for index, item in enumerate(due):
                try:
                    await self._deliver(item)
                except CannotConnect:  # away again: the rest waits for the next return
                    self._log_dropped(self.queue.put_back(due[index:]))
                    return
                LOGGER.debug(
                    "Announcement %s delivered to %s after it returned", item.id, self._link.name
                )

    @callback
    def _log_dropped(self, dropped: list[Dropped]) -> None:
        for each in dropped:
            item = each.announcement
            LOGGER.warning(
                "Announcement %s for station %s not said (%s, priority %s): %s",
                item.id,
                self._link.name,
                each.reason,
                item.priority,
                item.text,
            )

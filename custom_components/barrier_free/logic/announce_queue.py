"""Announcements waiting for a station that is away: what is kept, what expires, in what order.

A household's announcement ("the front door was unlocked", "voice unlocking is blocked") must
not vanish because the station was restarting. The connection keeps what it could not deliver
here and hands it over when the station is back. Each announcement has an expiry (an alarm
is worth saying an hour late, a chat line is not); the queue is bounded, and when it is full
the least urgent, oldest announcement makes room. Nothing leaves the queue unseen: every
expired or crowded-out announcement is returned to the caller, who logs it.

Plain and synchronous: time comes from an injected clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = [
    "DEFAULT_EXPIRY",
    "MAX_WAITING",
    "PRIORITIES",
    "AnnouncementQueue",
    "DropReason",
    "Dropped",
    "WaitingAnnouncement",
]

PRIORITIES: Final = ("alarm", "high", "normal", "low")
"""The station's priorities, most urgent first."""
DEFAULT_EXPIRY: Final[Mapping[str, float]] = {
    "alarm": 60 * 60.0,
    "high": 10 * 60.0,
    "normal": 2 * 60.0,
    "low": 2 * 60.0,
}
MAX_WAITING: Final = 20
"""Announcements kept per station while it is away."""


@dataclass(frozen=True, slots=True)
class WaitingAnnouncement:
    """What a `bf-announce` carries (the glue builds it with `client.announce_event`), and the
    time after which it is stale."""

    id: str
    text: str
    language: str
    priority: str
    chime: str | None
    expires_at: float


class DropReason(StrEnum):
    """Why an announcement left the queue without being delivered."""

    EXPIRED = "expired"
    CROWDED_OUT = "crowded_out"
    """The queue was full of more urgent (or newer, as urgent) announcements."""


@dataclass(frozen=True, slots=True)
class Dropped:
    """An announcement that will not be said, and why (for the log)."""

    announcement: WaitingAnnouncement
    reason: DropReason


class AnnouncementQueue:
    """The announcements of one station that wait for it to come back."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        max_waiting: int = MAX_WAITING,
        expiry: Mapping[str, float] = DEFAULT_EXPIRY,
    ) -> None:
        self._clock = clock
        self.max_waiting = max_waiting
        self.expiry = expiry
        # (urgency, arrival) -> announcement; arrival keeps first come, first served.
        self._waiting: dict[tuple[int, int], WaitingAnnouncement] = {}
        self._arrivals = 0

    def __len__(self) -> int:
        return len(self._waiting)

    def waiting(self) -> list[WaitingAnnouncement]:
        """What waits, in the order it will be delivered."""
        return [self._waiting[key] for key in sorted(self._waiting)]

    def create(
        self,
        ident: str,
        text: str,
        language: str,
        priority: str = "normal",
        chime: str | None = None,
        *,
        expires_in: float | None = None,
    ) -> WaitingAnnouncement:
        """An announcement made now, expiring after its priority's default unless told."""
        if priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}")
        lifetime = self.expiry[priority] if expires_in is None else expires_in
        return WaitingAnnouncement(ident, text, language, priority, chime, self._clock() + lifetime)

    def add(self, announcement: WaitingAnnouncement) -> list[Dropped]:
        """Keep `announcement` for later; returns what expired or had to make room."""
        dropped = self._drop_expired()
        if self._clock() > announcement.expires_at:
            return [*dropped, Dropped(announcement, DropReason.EXPIRED)]
        key = (PRIORITIES.index(announcement.priority), self._arrivals)
        self._arrivals += 1
        self._waiting[key] = announcement
        return [*dropped, *self._make_room()]

    def put_back(self, announcements: list[WaitingAnnouncement]) -> list[Dropped]:
        """Delivery broke off: these go back ahead of their priority, in the same order."""
        first = min((arrival for _, arrival in self._waiting), default=0)
        for offset, item in enumerate(announcements):
            self._waiting[
                (PRIORITIES.index(item.priority), first - len(announcements) + offset)
            ] = item
        return [*self._drop_expired(), *self._make_room()]

    def take_due(self) -> tuple[list[WaitingAnnouncement], list[Dropped]]:
        """Empty the queue: what to deliver now (most urgent first) and what expired."""
        dropped = self._drop_expired()
        due = self.waiting()
        self._waiting.clear()
        return due, dropped

    def _drop_expired(self) -> list[Dropped]:
        now = self._clock()
        stale = [key for key, item in self._waiting.items() if now > item.expires_at]
        return [Dropped(self._waiting.pop(key), DropReason.EXPIRED) for key in sorted(stale)]

    def _make_room(self) -> list[Dropped]:
        dropped = []
        while len(self._waiting) > self.max_waiting:
            # The least urgent, and of those the oldest: it is the closest to going stale.
            least = max(self._waiting, key=lambda key: (key[0], -key[1]))
            dropped.append(Dropped(self._waiting.pop(least), DropReason.CROWDED_OUT))
        return dropped

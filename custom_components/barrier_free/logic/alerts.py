"""The book of open alerts (issue 17): when each alert is said again, held for quiet hours,
acknowledged, over or expired, and how the book is kept across restarts. No Home Assistant
here: the glue (`alerts.py` of the integration) feeds events and the clock in, and sends what
`AlertBook.due` returns to the stations. The kinds and their texts are in `alert_kinds.py`,
what state changes mean in `alert_events.py`, the resident's alert sentences in
`alert_words.py`.

Priorities: an *alarm* (smoke, leak, help, alarm panel) interrupts whatever the station is
saying and is repeated until someone acknowledges it, at most `Policy.alarm_repeats` times; a
*warning* (doorbell, a door left open) is said a few times unless acknowledged or over; an
*info* (low battery, appliance finished) is said once. Quiet hours hold info and warnings until
they end (or the alert expires first), never alarms. The same event from the same device while
its alert is still open, or within `Policy.debounce` seconds of the last one, raises nothing:
a sensor that flaps gives one announcement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .alert_kinds import ALARM, INFO, KINDS, RANK, WARNING
from .languages import table_language

__all__ = ["Alert", "AlertBook", "Policy", "QuietHours"]


@dataclass(frozen=True, slots=True)
class Policy:
    """How often and how many times each priority is said (seconds)."""

    alarm_repeats: int = 10
    alarm_interval: float = 60.0
    warning_repeats: int = 3
    warning_interval: float = 120.0
    debounce: float = 60.0

    def times(self, priority: str) -> int:
        return {ALARM: self.alarm_repeats, WARNING: self.warning_repeats}.get(priority, 1)

    def interval(self, priority: str) -> float:
        return self.alarm_interval if priority == ALARM else self.warning_interval


@dataclass(frozen=True, slots=True)
class QuietHours:
    """From `start` to `end` (minutes after local midnight; may wrap past midnight)."""

    start: int
    end: int

    def holds(self, minute_of_day: int) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= minute_of_day < self.end
        return minute_of_day >= self.start or minute_of_day < self.end

    def minutes_left(self, minute_of_day: int) -> int:
        """Minutes until the quiet hours end (0 outside them)."""
        if not self.holds(minute_of_day):
            return 0
        return (self.end - minute_of_day) % (24 * 60)

    @classmethod
    def parse(cls, start: object, end: object) -> QuietHours | None:
        """From "HH:MM" (or "HH:MM:SS") strings; None when either is missing or malformed."""
        minutes = []
        for value in (start, end):
            parts = str(value).split(":") if value else []
            if len(parts) < 2 or not all(p.isdigit() for p in parts):
                return None
            hour, minute = int(parts[0]), int(parts[1])
            if hour > 23 or minute > 59:
                return None
            minutes.append(hour * 60 + minute)
        return cls(minutes[0], minutes[1])


@dataclass(slots=True)
class Alert:
    """An event being announced, until it is acknowledged, over, expired or said enough."""

    id: str
    kind: str
    priority: str
    texts: Mapping[str, str]  # language -> what is said
    raised_at: float
    source: str | None = None  # the entity that raised it
    device: str | None = None  # its name, for summaries
    room: str | None = None
    chime: str | None = None
    speak: bool = True
    flash: bool = False
    rooms: tuple[str, ...] = ()  # area ids of the stations that say it
    stations: tuple[str, ...] = ()  # or the stations themselves; neither: every station
    visual: str | None = None  # the flash pattern asked for (an automation's announcement)
    requires_ack: bool = False
    expires_at: float | None = None
    times_left: int = 1
    next_at: float = 0.0
    said: int = 0
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None
    ended: bool = False  # the condition is over (the door was closed)
    held: bool = False  # waiting for the quiet hours to end

    def text(self, language: str) -> str:
        return self.texts.get(table_language(language)) or next(iter(self.texts.values()), "")

    @property
    def open(self) -> bool:
        """Still to be acknowledged or said again."""
        if self.acknowledged_at is not None:
            return False
        if self.requires_ack:
            return True
        return not self.ended and self.times_left > 0


@dataclass(slots=True)
class AlertBook:
    """Every alert of the household and the decisions about them."""

    policy: Policy = field(default_factory=Policy)
    quiet: QuietHours | None = None
    alerts: dict[str, Alert] = field(default_factory=dict)
    _last: dict[tuple[str, str], float] = field(default_factory=dict)
    _next_id: int = 0

    def raise_alert(
        self,
        kind: str,
        texts: Mapping[str, str],
        now: float,
        *,
        source: str | None = None,
        priority: str | None = None,
        chime: str | None = None,
        requires_ack: bool | None = None,
        expires_in: float | None = None,
        debounce: float | None = None,
        **details: object,
    ) -> Alert | None:
        """A new alert, or None when it repeats one still open or just raised (within
        `debounce` seconds, the policy's by default) or its kind allows one open alert and one
        is (`AlertKind.one_open`); `details` set the alert's other fields."""
        spec = KINDS.get(kind)
        priority = priority or (spec.priority if spec else INFO)
        if (
            spec is not None
            and spec.one_open
            and any(a.open and a.kind == kind for a in self.alerts.values())
        ):
            return None
        if source is not None:
            key = (kind, source)
            last = self._last.get(key)
            self._last[key] = now
            wait = self.policy.debounce if debounce is None else debounce
            if last is not None and (now - last < wait or self._open_for(key)):
                return None
        expires = expires_in if expires_in is not None else spec.expires if spec else None
        alert = Alert(
            id=f"{kind}-{self._next_id}",
            kind=kind,
            priority=priority,
            texts=dict(texts),
            raised_at=now,
            source=source,
            chime=chime if chime is not None else spec.chime if spec else "info",
            requires_ack=priority == ALARM if requires_ack is None else requires_ack,
            expires_at=None if expires is None else now + expires,
            times_left=self.policy.times(priority),
            next_at=now,
        )
        self._next_id += 1
        for name, value in details.items():
            setattr(alert, name, value)
        self.alerts[alert.id] = alert
        return alert

    def _open_for(self, key: tuple[str, str]) -> bool:
        return any(a.open for a in self.alerts.values() if (a.kind, a.source) == key)

    def due(self, now: float, minute_of_day: int) -> tuple[list[Alert], list[Alert]]:
        """(what to say now, most urgent first; what expired unsaid or unacknowledged)."""
        say: list[Alert] = []
        expired: list[Alert] = []
        for alert in list(self.alerts.values()):
            if not alert.open:
                continue
            if alert.expires_at is not None and now >= alert.expires_at:
                alert.ended = True
                alert.requires_ack = False
                alert.times_left = 0
                expired.append(alert)
                continue
            if alert.next_at > now:
                continue
            if alert.times_left <= 0:
                # An alarm said as often as allowed stays open for acknowledgement (summary,
                # acknowledge) but is not said again.
                continue
            if alert.priority != ALARM and self.quiet and self.quiet.holds(minute_of_day):
                alert.held = True
                alert.next_at = now + 60 * self.quiet.minutes_left(minute_of_day)
                continue
            alert.held = False
            alert.said += 1
            alert.times_left -= 1
            alert.next_at = now + self.policy.interval(alert.priority)
            say.append(alert)
        say.sort(key=lambda a: (-RANK.get(a.priority, 0), a.raised_at))
        return say, expired

    def next_wakeup(self) -> float | None:
        """When `due` next has something to do."""
        times = [
            t
            for a in self.alerts.values()
            if a.open
            for t in (a.next_at if a.times_left > 0 else None, a.expires_at)
            if t is not None
        ]
        return min(times) if times else None

    def end(self, kind: str, source: str) -> list[Alert]:
        """The condition is over (the door was closed): warnings and info stop; alarms still
        wait for their acknowledgement."""
        ended = []
        for alert in self.alerts.values():
            if (alert.kind, alert.source) == (kind, source) and alert.open:
                alert.ended = True
                if alert.priority != ALARM:
                    ended.append(alert)
        return ended

    def acknowledge(
        self, by: str, now: float, alert_id: str | None = None, *, keep: Iterable[str] = ()
    ) -> list[Alert]:
        """Acknowledge one alert, or every open one but those of the kinds in `keep`;
        returns those acknowledged."""
        kept = frozenset(keep)
        done = []
        for alert in self.alerts.values():
            if alert.open and (
                alert.id == alert_id or (alert_id is None and alert.kind not in kept)
            ):
                alert.acknowledged_by = by
                alert.acknowledged_at = now
                done.append(alert)
        return done

    def unacknowledged(self) -> list[Alert]:
        """Open alerts, most urgent first."""
        found = [a for a in self.alerts.values() if a.open and a.acknowledged_at is None]
        return sorted(found, key=lambda a: (-RANK.get(a.priority, 0), a.raised_at))

    def unanswered_alarms(self) -> list[Alert]:
        """Alarms still waiting for someone to acknowledge them: after a restart, said again at
        once (`restore`) and flashed again where they flashed."""
        return [a for a in self.unacknowledged() if _unanswered_alarm(a)]

    def forget(self, before: float) -> None:
        """Drop closed alerts raised before `before` (keeps the book small)."""
        for alert_id in [a.id for a in self.alerts.values() if not a.open and a.raised_at < before]:
            del self.alerts[alert_id]

    # --- kept across restarts (the glue saves this in a Home Assistant Store) --------------

    def as_dict(self) -> dict[str, Any]:
        """The open alerts, the debounce times and the next id, as plain JSON data."""
        return {
            "alerts": [asdict(a) for a in self.alerts.values() if a.open],
            "last": [[kind, source, at] for (kind, source), at in self._last.items()],
            "next_id": self._next_id,
        }

    @classmethod
    def restore(
        cls, data: object, now: float, policy: Policy | None = None
    ) -> tuple[AlertBook, list[Alert]]:
        """The book saved by `as_dict` before a restart, and the alerts that expired meanwhile
        (dropped, for the log). An alarm still unacknowledged is said again at once, even one
        that had been said as often as allowed: nobody has answered it yet. Raises ValueError
        for data of another shape."""
        try:
            _check(isinstance(data, dict), "not a mapping")
            assert isinstance(data, dict)  # for the type checker: _check raised otherwise
            names = {f.name for f in fields(Alert)}
            alerts = []
            for item in data["alerts"]:
                _check(isinstance(item, dict) and set(item) <= names, "an alert of another shape")
                alert = Alert(**item)
                _check(
                    isinstance(alert.id, str)
                    and alert.kind in (*KINDS, "announcement")
                    and alert.priority in RANK
                    and isinstance(alert.texts, dict),
                    "an alert of another shape",
                )
                alert.rooms, alert.stations = tuple(alert.rooms), tuple(alert.stations)
                alerts.append(alert)
            last = {(str(k), str(s)): float(at) for k, s, at in data["last"]}
            next_id = int(data["next_id"])
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"not a saved alert book ({err})") from err
        book = cls(policy or Policy(), _last=last, _next_id=next_id)
        expired = []
        for alert in alerts:
            if alert.expires_at is not None and now >= alert.expires_at:
                alert.ended, alert.requires_ack, alert.times_left = True, False, 0
                expired.append(alert)
                continue
            if _unanswered_alarm(alert):
                alert.times_left = max(alert.times_left, 1)
                alert.next_at = now
            book.alerts[alert.id] = alert
        return book, expired


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(what)


def _unanswered_alarm(alert: Alert) -> bool:
    return alert.priority == ALARM and alert.requires_ack and alert.acknowledged_at is None

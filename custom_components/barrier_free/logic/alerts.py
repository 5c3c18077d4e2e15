"""Alerts: which home events become announcements, how urgent each is, what is said, and when
it is said again (issue 17). No Home Assistant here: the glue (`alerts.py` of the integration)
feeds state changes and the clock in, and sends what `AlertBook.due` returns to the stations.

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
from typing import Any, Final

from .everyday_speech import normalize
from .languages import table_language
from .numbers import zh_integer
from .scene_model import Scene

__all__ = [
    "KINDS",
    "STATION_PRIORITY",
    "Alert",
    "AlertBook",
    "AlertKind",
    "Policy",
    "QuietHours",
    "alert_text",
    "clock",
    "command_of",
    "is_help_scene",
    "phrases",
    "summary",
]

ALARM: Final = "alarm"
WARNING: Final = "warning"
INFO: Final = "info"
RANK: Final = {ALARM: 3, WARNING: 2, INFO: 1}
# The station's announcement priorities (voice/PROTOCOL.md `bf-announce`).
STATION_PRIORITY: Final = {ALARM: "alarm", WARNING: "high", INFO: "normal"}


@dataclass(frozen=True, slots=True)
class AlertKind:
    """One kind of event: its priority, its chime and what is said, in both languages.

    Texts take `{thing}` (the device, with its room when known) and `{minutes}`.
    """

    priority: str
    chime: str
    zh: str
    en: str
    expires: float | None = None  # seconds after which saying it is pointless (a doorbell)


KINDS: Final[Mapping[str, AlertKind]] = {
    "doorbell": AlertKind(
        WARNING,
        "doorbell",
        "有人按门铃：{thing}响了。",
        "Someone is at the door: {thing} rang.",
        120,
    ),
    "door_left_open": AlertKind(
        WARNING,
        "info",
        "{thing}已经开了{minutes}分钟，请记得关上。",
        "{thing} has been open for {minutes} minutes.",
    ),
    "window_left_open": AlertKind(
        WARNING,
        "info",
        "{thing}已经开了{minutes}分钟，请记得关上。",
        "{thing} has been open for {minutes} minutes.",
    ),
    "garage_left_open": AlertKind(
        WARNING,
        "info",
        "{thing}已经开了{minutes}分钟，请记得关上。",
        "{thing} has been open for {minutes} minutes.",
    ),
    "leak": AlertKind(
        ALARM, "alarm", "警报：{thing}检测到漏水！", "Alarm: {thing} detects a water leak!"
    ),
    "smoke": AlertKind(
        ALARM,
        "alarm",
        "警报：{thing}检测到烟雾或燃气！请马上离开。",
        "Alarm: {thing} detects smoke or gas! Leave now.",
    ),
    "help_pressed": AlertKind(
        ALARM,
        "alarm",
        "有人求助：{thing}被按下了，正在通知看护人。",
        "Help was called with {thing}; the caregiver is being notified.",
    ),
    "alarm_triggered": AlertKind(
        ALARM, "alarm", "警报：{thing}报警了！", "Alarm: {thing} has been triggered!"
    ),
    "low_battery": AlertKind(
        INFO, "info", "{thing}电量低，请更换电池。", "The battery of {thing} is low."
    ),
    "appliance_finished": AlertKind(INFO, "info", "{thing}运行结束了。", "{thing} has finished."),
}
# The flash pattern of each kind (logic/flash_patterns.py names them).
FLASH_KIND: Final[Mapping[str, str]] = {
    "doorbell": "doorbell",
    "door_left_open": "door_open",
    "window_left_open": "window_open",
    "garage_left_open": "door_open",
    "leak": "leak",
    "smoke": "smoke",
    "help_pressed": "help",
    "alarm_triggered": "alarm",
    "low_battery": "low_battery",
    "appliance_finished": "appliance_done",
    "announcement": "announcement",
}
# What help said by voice, or the station's own help key, names instead of a device.
_VOICE_HELP: Final = {"zh": "语音求助", "en": "a spoken call for help"}
_STATION_KEY: Final = {
    "zh": "{station}语音站的求助键",
    "en": "the help key of the {station} station",
}


def _zh_count(value: int) -> str:
    """A number before a measure word: 两条, 两分钟 (二 only in counting)."""
    return "两" if value == 2 else zh_integer(value)


def _thing(device: str, room: str | None, language: str) -> str:
    if language == "zh":
        return f"{room}的{device}" if room and room not in device else device
    if room and room.casefold() not in device.casefold():
        return f"the {device} in the {room}"
    return f"the {device}"


def alert_text(
    kind: str,
    device: str | None,
    room: str | None,
    language: str,
    *,
    minutes: int = 0,
    station: str | None = None,
) -> str:
    """What is said for an event of `kind` raised by `device` in `room` (no device: by voice,
    or with the help key of `station`)."""
    lang = table_language(language)
    spec = KINDS[kind]
    if device:
        thing = _thing(device, room, lang)
    elif station:
        thing = _STATION_KEY[lang].format(station=station)
    else:
        thing = _VOICE_HELP[lang]
    number = _zh_count(minutes) if lang == "zh" else str(minutes)
    text = (spec.zh if lang == "zh" else spec.en).format(thing=thing, minutes=number)
    return text[:1].upper() + text[1:]


def clock(hour: int, minute: int, language: str) -> str:
    """A time of day said the way each language says it: "下午三点零五分" / "3:05 PM"."""
    twelve = hour % 12 or 12
    if table_language(language) == "zh":
        period = "凌晨" if hour < 6 else "上午" if hour < 12 else "中午" if hour < 13 else "下午"
        if hour >= 18:
            period = "晚上"
        words = "两" if twelve == 2 else zh_integer(twelve)
        if minute == 0:
            return f"{period}{words}点"
        tail = f"零{zh_integer(minute)}" if minute < 10 else zh_integer(minute)
        return f"{period}{words}点{tail}分"
    return f"{twelve}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


# --- what the resident says about alerts -------------------------------------------------------

_COMMANDS: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "zh": {
        "acknowledge": ("知道了", "我知道了", "收到", "收到了", "好的知道了"),
        "summary": ("有什么提醒", "有什么提醒吗", "有哪些提醒", "还有什么提醒"),
        "help": ("救命", "救命啊", "快来人啊"),
    },
    "en": {
        "acknowledge": ("got it", "i got it", "ok got it", "okay got it", "understood"),
        "summary": ("any alerts", "are there any alerts", "what alerts are there"),
        "help": ("help me", "call for help", "emergency"),
    },
}


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum() or ch == " ").strip()


def command_of(text: str, language: str) -> str | None:
    """'acknowledge', 'summary' or 'help' if `text` is one of those sentences, else None."""
    lang = table_language(language)
    said = {_key(text), _key(normalize(text, lang))}
    for command, sentences in _COMMANDS[lang].items():
        if said & {_key(s) for s in sentences}:
            return command
    return None


HELP_ROLE: Final = "caregiver_notify"


def is_help_scene(scene: Scene) -> bool:
    """A scene that notifies the caregiver is a call for help (the safety pack's "救命"):
    asking for it raises the help call, which notifies and repeats until acknowledged."""
    return any(step.role == HELP_ROLE for step in scene.steps)


def phrases(language: str) -> tuple[str, ...]:
    """The alert sentences the station should be able to recognise in `language`."""
    return tuple(s for ss in _COMMANDS[table_language(language)].values() for s in ss)


# --- the book of open alerts -------------------------------------------------------------------


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
        `debounce` seconds, the policy's by default); `details` set the alert's other fields."""
        spec = KINDS.get(kind)
        priority = priority or (spec.priority if spec else INFO)
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
            if alert.priority == ALARM and alert.requires_ack:
                alert.times_left = max(alert.times_left, 1)
                alert.next_at = now
            book.alerts[alert.id] = alert
        return book, expired


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(what)


_SUMMARY: Final = {
    "zh": ("现在没有未确认的提醒。", "有{count}条未确认的提醒：", "。说“知道了”确认。"),
    "en": (
        "There are no alerts waiting.",
        "{count} alerts waiting: ",
        ". Say got it to acknowledge.",
    ),
}


def summary(alerts: Iterable[Alert], language: str) -> str:
    """What is said to "有什么提醒" / "any alerts"."""
    lang = table_language(language)
    found = list(alerts)
    none, head, tail = _SUMMARY[lang]
    if not found:
        return none
    parts = [a.text(lang).rstrip("。！!.") for a in found]
    joined = "；".join(parts) if lang == "zh" else "; ".join(parts)
    count = _zh_count(len(found)) if lang == "zh" else str(len(found))
    if lang == "en" and len(found) == 1:
        head = "One alert waiting: "
    return head.format(count=count) + joined + tail


# --- which state changes are events ------------------------------------------------------------

# Role -> the event its entities raise; "left open" kinds start a timer instead.
ROLE_EVENTS: Final[Mapping[str, str]] = {
    "doorbell": "doorbell",
    "door_sensor": "door_left_open",
    "window_sensor": "window_left_open",
    "garage_door": "garage_left_open",
    "leak_sensor": "leak",
    "smoke_sensor": "smoke",
    "help_button": "help_pressed",
    "alarm_panel": "alarm_triggered",
    "appliance_power": "appliance_finished",
}
LASTING: Final = frozenset({"door_left_open", "window_left_open", "garage_left_open"})
_GONE: Final = frozenset({None, "unavailable", "unknown"})
LOW_BATTERY_PERCENT: Final = 15.0
# An appliance runs above RUNNING_WATTS and is finished once below IDLE_WATTS.
RUNNING_WATTS: Final = 10.0
IDLE_WATTS: Final = 3.0


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def change_of(role: str, domain: str, old: str | None, new: str | None) -> tuple[str, str] | None:
    """What a state change of an entity bound to `role` means: ("raise", kind) for an event,
    ("start", kind) when a "left open" wait begins, ("end", kind) when the condition is over;
    None for anything else (unavailable, a restart, no change)."""
    kind = ROLE_EVENTS.get(role)
    if kind is None or new in _GONE or old == new:
        return None
    if domain == "event":
        # An event entity's state is the time of its last press; its first state (restored
        # when Home Assistant starts) and coming back from unavailable are not presses.
        return ("raise", kind) if old not in (None, "unavailable") else None
    if role == "appliance_power":
        before, after = _number(old), _number(new)
        if (
            before is not None
            and after is not None
            and before >= RUNNING_WATTS > IDLE_WATTS > after
        ):
            return ("raise", kind)
        return None
    if role == "alarm_panel":
        if new == "triggered":
            return ("raise", kind)
        return ("end", kind) if old == "triggered" else None
    if old in _GONE and new == "off":
        return None
    on = new in ("on", "open", "opening")
    if kind in LASTING:
        return ("start" if on else "end", kind)
    return ("raise" if on else "end", kind)


def battery_low(domain: str, state: str | None) -> bool:
    """A battery entity's state says the battery is low."""
    if domain == "binary_sensor":
        return state == "on"
    value = _number(state)
    return value is not None and value <= LOW_BATTERY_PERCENT

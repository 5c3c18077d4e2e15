"""Alert kinds (issue 17): each event's priority, chime, flash pattern and what is said about
it in Mandarin and English, and the time of day as each language says it. No Home Assistant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .languages import table_language
from .numbers import zh_integer

__all__ = [
    "ALARM",
    "FLASH_KIND",
    "INFO",
    "KINDS",
    "RANK",
    "STATION_PRIORITY",
    "WARNING",
    "AlertKind",
    "alert_text",
    "clock",
    "zh_count",
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
    # At most one open alert of this kind in the home, whatever raised it: a call for help
    # from the help key, then by voice, is one call (one series of caregiver messages).
    one_open: bool = False


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
        one_open=True,
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
# Help asked for by voice names no device: its own sentence (in the room, when it is known).
_VOICE_HELP: Final = {
    "zh": ("有人语音呼救，正在通知看护人。", "{room}有人语音呼救，正在通知看护人。"),
    "en": (
        "Someone called for help by voice; the caregiver is being notified.",
        "Someone in the {room} called for help by voice; the caregiver is being notified.",
    ),
}
# The station's own help key names itself instead of a device.
_STATION_KEY: Final = {
    "zh": "{station}语音站的求助键",
    "en": "the help key of the {station} station",
}


def zh_count(value: int) -> str:
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
        alone, in_room = _VOICE_HELP[lang]
        return in_room.format(room=room) if room else alone
    number = zh_count(minutes) if lang == "zh" else str(minutes)
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

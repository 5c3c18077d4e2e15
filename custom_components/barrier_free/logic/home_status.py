"""What is going on at home, said in a few sentences, most important first.

Answers "家里现在怎么样" / "how is the home", "门锁了吗" and "哪些灯开着" from a plain snapshot
of states (`DeviceState`, names already in the station's language). Danger comes first (alarm
sounding, water leak, smoke, gas), then what leaves the home open (unlocked locks, open doors
and windows), then lights left on by room, the indoor temperature, and last maintenance (low
batteries, devices not responding). A blind resident hears this instead of glancing at a
dashboard, so it stays short: at most `max_sentences` sentences, danger always included.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Final

from .languages import station_language
from .spoken import join_names, say

__all__ = [
    "LOW_BATTERY_PERCENT",
    "DeviceState",
    "Priority",
    "StatusItem",
    "battery_level_low",
    "lights_status",
    "locks_status",
    "status_items",
    "summarize",
]

_UNAVAILABLE: Final = frozenset({"unavailable"})
_UNLOCKED: Final = frozenset({"unlocked", "open", "opening", "unlocking"})
_OPEN_SENSOR_CLASSES: Final = frozenset({"door", "garage_door", "window", "opening"})
_OPEN_COVER_CLASSES: Final = frozenset({"door", "garage", "gate", "window"})
_DANGER_KEYS: Final[Mapping[str, str]] = {
    "moisture": "status_leak",
    "smoke": "status_smoke",
    "gas": "status_gas",
    "carbon_monoxide": "status_co",
}
# The one low-battery threshold: a battery below 20 % is low in the status answer, in the
# battery question (`questions.py`) and in the low-battery alert (`alert_events.py`) alike.
# 20 % because it is the threshold the code already documented as the one for status and
# questions (the issue 12 redesign joined them); the alerts' separate, undocumented 15 % left
# a battery at 17 % "low" when asked about but never announced.
LOW_BATTERY_PERCENT: Final = 20.0
_MAX_NAMES: Final = 3


class Priority(IntEnum):
    """Order of importance; lower is said first."""

    DANGER = 0
    SECURITY = 1
    OPEN = 2
    LIGHTS = 3
    CLIMATE = 4
    MAINTENANCE = 5


@dataclass(frozen=True, slots=True)
class DeviceState:
    """One entity's state, as the summary needs it."""

    entity_id: str
    name: str
    state: str
    area: str | None = None
    """Name of the entity's area, in the station language."""
    device_class: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        """The entity's domain."""
        return self.entity_id.partition(".")[0]

    @property
    def place(self) -> str:
        """Where it is, for announcements: the room, else the device name."""
        return self.area or self.name


@dataclass(frozen=True, slots=True)
class StatusItem:
    """One sentence of the summary."""

    priority: Priority
    key: str
    params: Mapping[str, Any]

    def text(self, language: str) -> str:
        """The sentence in `language` (English sentences start with a capital)."""
        return _capitalized(say(self.key, language, **self.params))


def _capitalized(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def battery_level_low(level: float | None) -> bool:
    """A battery at `level` percent is low (None: its level is not known, so not low)."""
    return level is not None and level < LOW_BATTERY_PERCENT


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except TypeError, ValueError:
        return None
    return None if math.isnan(number) else number


def _names(states: Iterable[DeviceState], language: str) -> str:
    return join_names((s.name for s in states), language)


def status_items(states: Iterable[DeviceState], language: str) -> list[StatusItem]:
    """Everything worth saying, most important first."""
    states = sorted(states, key=lambda s: s.entity_id)
    items: list[StatusItem] = []
    items.extend(_danger(states))
    items.extend(_security(states, language))
    lights = _lights_item(states, language)
    if lights is not None:
        items.append(lights)
    temperature = indoor_temperature(states)
    if temperature is not None:
        items.append(
            StatusItem(Priority.CLIMATE, "status_temperature", {"temperature": temperature})
        )
    items.extend(_maintenance(states, language))
    return sorted(items, key=lambda item: item.priority)


def _danger(states: list[DeviceState]) -> list[StatusItem]:
    items: list[StatusItem] = []
    seen: set[tuple[str, str]] = set()
    for state in states:
        if state.domain == "alarm_control_panel" and state.state == "triggered":
            items.append(StatusItem(Priority.DANGER, "status_alarm", {"name": state.name}))
            continue
        key = _DANGER_KEYS.get(state.device_class or "")
        active = state.domain == "binary_sensor" and key and state.state == "on"
        if active and key and (key, state.place) not in seen:
            seen.add((key, state.place))
            items.append(StatusItem(Priority.DANGER, key, {"place": state.place}))
    return items


def _security(states: list[DeviceState], language: str) -> list[StatusItem]:
    items: list[StatusItem] = []
    unlocked = [s for s in states if s.domain == "lock" and s.state in _UNLOCKED]
    jammed = [s for s in states if s.domain == "lock" and s.state == "jammed"]
    if unlocked:
        items.append(
            StatusItem(Priority.SECURITY, "status_unlocked", {"names": _names(unlocked, language)})
        )
    if jammed:
        items.append(
            StatusItem(Priority.SECURITY, "status_jammed", {"names": _names(jammed, language)})
        )
    opened = [s for s in states if _is_open(s)]
    if opened:
        items.append(StatusItem(Priority.OPEN, "status_open", {"names": _names(opened, language)}))
    return items


def _is_open(state: DeviceState) -> bool:
    if state.domain == "binary_sensor":
        return state.device_class in _OPEN_SENSOR_CLASSES and state.state == "on"
    if state.domain == "cover":
        return state.device_class in _OPEN_COVER_CLASSES and state.state in ("open", "opening")
    return False


def _lights_on(states: Iterable[DeviceState]) -> list[DeviceState]:
    return [s for s in states if s.domain == "light" and s.state == "on"]


def _lights_item(states: list[DeviceState], language: str) -> StatusItem | None:
    lights = _lights_on(states)
    if not lights:
        return None
    areas = [s.area for s in lights if s.area]
    if areas and len(areas) == len(lights):
        return StatusItem(
            Priority.LIGHTS, "status_lights_on", {"areas": join_names(areas, language)}
        )
    return StatusItem(Priority.LIGHTS, "status_lights_named", {"names": _names(lights, language)})


def indoor_temperature(states: Iterable[DeviceState]) -> int | None:
    """Mean of the temperature sensors (else of the thermostats' readings), rounded."""
    states = list(states)
    readings = [
        value
        for s in states
        if s.domain == "sensor" and s.device_class == "temperature"
        if (value := _number(s.state)) is not None
    ]
    if not readings:
        readings = [
            value
            for s in states
            if s.domain == "climate"
            if (value := _number(s.attributes.get("current_temperature"))) is not None
        ]
    if not readings:
        return None
    return round(sum(readings) / len(readings))


_BATTERY_SUFFIX: Final = re.compile(r"(的)?(电量|电池)$|\s*battery$", re.IGNORECASE)


def _maintenance(states: list[DeviceState], language: str) -> list[StatusItem]:
    items: list[StatusItem] = []
    low = [
        s
        for s in states
        if (
            s.domain == "sensor"
            and s.device_class == "battery"
            and battery_level_low(_number(s.state))
        )
        or (s.domain == "binary_sensor" and s.device_class == "battery" and s.state == "on")
    ]
    if low:
        items.append(
            StatusItem(
                Priority.MAINTENANCE,
                "status_low_battery",
                # "门锁电量" is said "门锁电量低", not "门锁电量电量低"; "door lock battery":
                # "Low battery: door lock", not "Low battery: door lock battery"
                {
                    "names": join_names(
                        (_BATTERY_SUFFIX.sub("", s.name) or s.name for s in low), language
                    )
                },
            )
        )
    gone = [s for s in states if s.state in _UNAVAILABLE]
    if len(gone) > _MAX_NAMES:
        items.append(
            StatusItem(
                Priority.MAINTENANCE,
                "status_unavailable_many",
                {"names": _names(gone[:_MAX_NAMES], language), "count": len(gone)},
            )
        )
    elif gone:
        items.append(
            StatusItem(
                Priority.MAINTENANCE, "status_unavailable", {"names": _names(gone, language)}
            )
        )
    return items


def _join_sentences(sentences: Iterable[str], language: str) -> str:
    return ("" if station_language(language) == "zh" else " ").join(sentences)


def summarize(states: Iterable[DeviceState], language: str, *, max_sentences: int = 5) -> str:
    """The answer to "家里现在怎么样": danger first, at most `max_sentences` sentences."""
    items = status_items(states, language)
    worrying = [i for i in items if i.priority <= Priority.OPEN]
    kept = worrying + [i for i in items if i.priority > Priority.OPEN]
    kept = kept[: max(max_sentences, sum(1 for i in items if i.priority == Priority.DANGER))]
    sentences = [item.text(language) for item in kept]
    if not worrying:
        # Not "everything is fine" when a battery is low, said a few words later.
        maintenance = any(i.priority == Priority.MAINTENANCE for i in kept)
        opener = "status_nothing_urgent" if maintenance else "status_all_clear"
        sentences.insert(0, say(opener, language))
        sentences = sentences[: max(max_sentences, 1)]
    return _join_sentences(sentences, language)


def locks_status(states: Iterable[DeviceState], language: str) -> str:
    """The answer to "门锁了吗": unlocked or jammed locks and open doors, else all locked."""
    states = sorted(states, key=lambda s: s.entity_id)
    if not any(s.domain == "lock" for s in states):
        return say("status_no_locks", language)
    items = [i for i in _security(states, language) if i.priority <= Priority.OPEN]
    if not items:
        return say("status_all_locked", language)
    return _join_sentences((item.text(language) for item in items), language)


def lights_status(states: Iterable[DeviceState], language: str) -> str:
    """The answer to "哪些灯开着": each light that is on, with its room."""
    states = sorted(states, key=lambda s: (s.area or "", s.entity_id))
    if not any(s.domain == "light" for s in states):
        return say("status_no_lights", language)
    lights = _lights_on(states)
    if not lights:
        return say("status_lights_all_off", language)
    described = [
        say("light_in_area", language, area=s.area, name=s.name)
        if s.area and s.area.lower() not in s.name.lower()
        else say("light_named", language, name=s.name)
        for s in lights
    ]
    return _capitalized(
        say("status_lights_which", language, lights=join_names(described, language))
    )

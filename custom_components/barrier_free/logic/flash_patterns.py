"""The light-flash pattern of each alert kind, and the light call for each of its steps.

A deaf or hard-of-hearing resident tells events apart by how the lights flash, so every kind
differs in count and rhythm (what an on/off-only light can show) and, where the light has
colour, in colour; a light with only colour temperature still shows warm versus cool. The
priority says how often the pattern repeats. Home-Assistant-free: Home Assistant light service
names and fields are plain strings here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

__all__ = [
    "KINDS",
    "PRIORITIES",
    "FlashPattern",
    "FlashStep",
    "LightCall",
    "pattern_for",
    "priority_rank",
    "step_call",
]

type Colour = tuple[float, float]
"""Hue (0–360) and saturation (0–100), Home Assistant's hs_color; saturation 0 is white."""

PRIORITIES: Final = ("info", "warning", "alarm")
"""Lowest first: a higher index wins a shared light."""

# How many times each priority flashes the pattern: an alarm keeps going until it is stopped
# (acknowledged) or this bound, a warning a few times, information once.
_REPEATS: Final = MappingProxyType({"alarm": 20, "warning": 3, "info": 1})
_GAP: Final = 1.5  # seconds dark between two repeats, so that the count can be read

_WARM_WHITE: Final[Colour] = (35.0, 15.0)
_COOL_WHITE: Final[Colour] = (210.0, 10.0)
_RED: Final[Colour] = (0.0, 100.0)
_ORANGE: Final[Colour] = (25.0, 100.0)
_YELLOW: Final[Colour] = (55.0, 100.0)
_GREEN: Final[Colour] = (120.0, 100.0)
_CYAN: Final[Colour] = (185.0, 100.0)
_BLUE: Final[Colour] = (230.0, 100.0)
_PURPLE: Final[Colour] = (275.0, 100.0)
_MAGENTA: Final[Colour] = (310.0, 100.0)
_WHITE: Final[Colour] = (0.0, 0.0)

# Colour-temperature-only lights: warm hues go warm, cool hues go cool, whites in between.
_WARM_KELVIN: Final = 2200
_NEUTRAL_KELVIN: Final = 4000
_COOL_KELVIN: Final = 6500
_COLOUR_MODES: Final = frozenset({"hs", "rgb", "rgbw", "rgbww", "xy"})
_BRIGHTNESS_MODES: Final = frozenset({"brightness", "color_temp", "white"}) | _COLOUR_MODES


@dataclass(frozen=True, slots=True)
class FlashStep:
    """Light on in `colour` (or off) for `seconds`."""

    on: bool
    seconds: float
    colour: Colour = _WHITE


@dataclass(frozen=True, slots=True)
class FlashPattern:
    kind: str
    priority: str
    steps: tuple[FlashStep, ...]


@dataclass(frozen=True, slots=True)
class LightCall:
    """A light service call: `service` ("turn_on" / "turn_off") with `data` (no entity_id)."""

    service: str
    data: Mapping[str, Any]


def _pulses(count: int, on: float, off: float, colour: Colour) -> tuple[FlashStep, ...]:
    return (FlashStep(True, on, colour), FlashStep(False, off)) * count


def _alternating(count: int, seconds: float, *colours: Colour) -> tuple[FlashStep, ...]:
    steps: list[FlashStep] = []
    for index in range(count):
        colour = colours[index % len(colours)]
        steps += (FlashStep(True, seconds, colour), FlashStep(False, seconds))
    return tuple(steps)


# One cycle per kind. Each differs from every other in its on/off timing alone (tests check it),
# so that an on/off-only light still tells them apart.
_CYCLES: Final[Mapping[str, tuple[FlashStep, ...]]] = MappingProxyType(
    {
        "doorbell": _pulses(2, 0.8, 0.8, _WARM_WHITE),  # two slow, like ding-dong
        "door_open": _pulses(1, 2.0, 1.0, _YELLOW),
        "window_open": _pulses(2, 1.5, 0.5, _CYAN),
        "leak": _pulses(1, 0.3, 0.3, _BLUE) + _pulses(1, 0.3, 1.2, _BLUE),  # double pulse
        "smoke": _pulses(5, 0.15, 0.15, _RED),  # fast bursts
        "gas": _pulses(4, 0.25, 0.25, _ORANGE),
        "low_battery": _pulses(1, 0.4, 0.4, _PURPLE),
        "appliance_done": _pulses(3, 0.5, 0.5, _GREEN),
        # S-O-S: three short, three long, three short.
        "help": _pulses(3, 0.2, 0.2, _MAGENTA)
        + _pulses(3, 0.6, 0.2, _MAGENTA)
        + _pulses(3, 0.2, 0.2, _MAGENTA),
        "alarm": _alternating(6, 0.2, _RED, _WHITE),
        "announcement": _pulses(1, 1.0, 1.0, _COOL_WHITE),
    }
)
KINDS: Final = tuple(_CYCLES)


def priority_rank(priority: str) -> int:
    """Higher wins a shared light. ValueError for an unknown priority (a caller's bug)."""
    try:
        return PRIORITIES.index(priority)
    except ValueError:
        raise ValueError(f"unknown alert priority {priority!r}; one of {PRIORITIES}") from None


def pattern_for(kind: str, priority: str) -> FlashPattern:
    """The whole flash of an alert: its kind's cycle, repeated as its priority asks."""
    if kind not in _CYCLES:
        raise ValueError(f"unknown alert kind {kind!r}; one of {KINDS}")
    priority_rank(priority)
    cycle = _CYCLES[kind]
    *body, last = cycle
    # The dark gap between repeats is part of the last "off" step.
    with_gap = (*body, FlashStep(False, last.seconds + _GAP))
    return FlashPattern(kind, priority, with_gap * (_REPEATS[priority] - 1) + cycle)


def step_call(step: FlashStep, color_modes: Collection[str]) -> LightCall:
    """The call that shows `step` on a light with these supported_color_modes."""
    # No fading: a lamp's default transition would blur a 0.15 s burst into a glow. Home
    # Assistant drops the field for lights without transitions.
    if not step.on:
        return LightCall("turn_off", MappingProxyType({"transition": 0}))
    modes = set(color_modes)
    data: dict[str, Any] = {"transition": 0}
    if modes & _BRIGHTNESS_MODES:
        data["brightness"] = 255  # full: a flash must be seen in daylight
    if modes & _COLOUR_MODES:
        data["hs_color"] = step.colour
    elif "color_temp" in modes:
        data["color_temp_kelvin"] = _kelvin(step.colour)
    return LightCall("turn_on", MappingProxyType(data))


def _kelvin(colour: Colour) -> int:
    hue, saturation = colour
    if saturation < 30:
        return _NEUTRAL_KELVIN
    return _WARM_KELVIN if hue < 90 or hue > 300 else _COOL_KELVIN

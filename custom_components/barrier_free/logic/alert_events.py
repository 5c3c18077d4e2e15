"""Which state changes of entities bound to roles are alert events (issue 17): a press, a
sensor turning on, a door left open (a wait begins), a condition over, an appliance that
finished, a low battery. No Home Assistant: the glue passes domain and states in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .home_status import battery_level_low

__all__ = [
    "IDLE_WATTS",
    "LASTING",
    "ROLE_EVENTS",
    "RUNNING_WATTS",
    "battery_low",
    "change_of",
]

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
    return battery_level_low(_number(state))

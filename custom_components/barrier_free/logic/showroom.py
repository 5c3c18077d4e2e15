"""Showroom mode, decided without Home Assistant: what a visitor asked for (what an exhibit is,
a reset), what a reset restores, and the day's counters.

A reset never does what the guard would ask about: it locks but never unlocks, arms but never
disarms, and closes but never opens a door, garage door or gate. A starting state that had the
front door unlocked is therefore not restored for that door (staff unlock it themselves).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any, Final

from .languages import station_language
from .scene_model import Exhibit, phrase_key

__all__ = [
    "SAYINGS",
    "Ask",
    "Call",
    "Counters",
    "Request",
    "Saved",
    "explanation",
    "restore_calls",
    "saved",
    "say",
    "showroom_phrases",
    "showroom_request",
]


class Ask(StrEnum):
    """What a visitor or the staff asked of the showroom."""

    EXPLAIN = "explain"
    RESET = "reset"
    SET_START = "set_start"


@dataclass(frozen=True, slots=True)
class Request:
    ask: Ask
    exhibit: Exhibit | None = None  # EXPLAIN of a named exhibit; None: "what is this"


# What visitors and staff say, per language (the station hears these in showroom mode);
# compared after phrase_key (no spaces, no case, no end punctuation).
RESET_SAID: Final = {
    "zh": ("复位展厅", "展厅复位", "重置展厅"),
    "en": ("reset the showroom", "reset showroom"),
}
SET_START_SAID: Final = {
    "zh": ("设为展厅初始状态", "记住展厅初始状态"),
    "en": ("set the start state", "set the showroom start state"),
}
THIS_SAID: Final = {
    "zh": ("这是什么", "这个是什么", "这是干什么的"),
    "en": ("what is this", "what's this"),
}


def _keys(said: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    return frozenset(phrase_key(p) for ps in said.values() for p in ps)


_RESET: Final = _keys(RESET_SAID)
_SET_START: Final = _keys(SET_START_SAID)
_THIS: Final = _keys(THIS_SAID)
# (pattern, how the name must sit in what was said): "介绍一下" and "tell me about" may name
# an exhibit anywhere ("介绍一下客厅的窗帘"); "是什么" and "what is" only at the end or alone,
# so that "窗帘的状态是什么" or "what is the state of the curtains" stays a question.
_ABOUT: Final = (
    (re.compile(r"^(?:请)?介绍一下(?P<name>.+)$"), "in"),
    (re.compile(r"^tellmeabout(?:the)?(?P<name>.+)$"), "in"),
    (re.compile(r"^(?P<name>.+?)是(?:什么|干什么的|做什么的)$"), "end"),
    (re.compile(r"^what(?:is|'s|are)(?:the|this|these)?(?P<name>.+)$"), "same"),
)


def _names(said: str, name: str, how: str) -> bool:
    if how == "in":
        return name in said
    if how == "end":
        return said.endswith(name)
    return said.rstrip("s") == name.rstrip("s")


def showroom_request(text: str, exhibits: Iterable[Exhibit]) -> Request | None:
    """What `text` asks of the showroom (either language), or None if it is not for it."""
    key = phrase_key(text)
    if key in _RESET:
        return Request(Ask.RESET)
    if key in _SET_START:
        return Request(Ask.SET_START)
    if key in _THIS:
        return Request(Ask.EXPLAIN)
    names = {
        phrase_key(name): exhibit
        for exhibit in exhibits
        for name in (exhibit.name.zh, exhibit.name.en)
    }
    for pattern, how in _ABOUT:
        match = pattern.match(key)
        if match is not None:
            said = match["name"]
            for name, exhibit in names.items():
                if _names(said, name, how) or _names(said, name.rstrip("s"), how):
                    return Request(Ask.EXPLAIN, exhibit)
    return None


def showroom_phrases(exhibits: Iterable[Exhibit], language: str) -> tuple[str, ...]:
    """The phrases the station must be able to hear for showroom mode, in `language`."""
    zh = station_language(language) == "zh"
    lang = "zh" if zh else "en"
    phrases = [*RESET_SAID[lang], *SET_START_SAID[lang], *THIS_SAID[lang]]
    for exhibit in exhibits:
        name = exhibit.name.in_language(lang)
        if zh:
            phrases += [f"{name}是什么", f"介绍一下{name}"]
        else:
            phrases += [f"what is the {name}", f"tell me about the {name}"]
    return tuple(dict.fromkeys(phrases))


SAYINGS: Final[Mapping[str, tuple[str, str]]] = {
    # key: (English, Mandarin)
    "reset_done": (
        "The showroom is back to its starting state, ready for the next visitor.",
        "展厅已复位到初始状态，欢迎下一位访客。",
    ),
    "reset_idle": (
        "Nobody has spoken for a while: the showroom is back to its starting state.",
        "一段时间没有人说话，展厅已复位到初始状态。",
    ),
    "reset_nothing": (
        "The showroom is already in its starting state.",
        "展厅已经是初始状态。",
    ),
    "start_set": (
        "The showroom's start state is set: a reset comes back to the way things are now.",
        "已记住展厅的初始状态，复位时会回到现在的样子。",
    ),
    "this_showroom": (
        "This is the barrier-free home showroom. Ask about any of these: {exhibits}.",
        "这里是无障碍智能家居展厅。您可以问问这些设备：{exhibits}。",
    ),
    "not_on": (
        "Showroom mode is off.",
        "展厅模式没有打开。",
    ),
}


def say(key: str, language: str, **params: object) -> str:
    en, zh = SAYINGS[key]
    return (zh if station_language(language) == "zh" else en).format_map(params)


def explanation(request: Request, exhibits: Iterable[Exhibit], language: str) -> str:
    """What is said to an EXPLAIN request."""
    if request.exhibit is not None:
        return request.exhibit.description.in_language(language)
    separator = "、" if station_language(language) == "zh" else ", "
    names = separator.join(e.name.in_language(language) for e in exhibits)
    return say("this_showroom", language, exhibits=names)


# --- What a reset restores ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Saved:
    """An exhibit's state as a reset needs it: the state and the attributes that matter."""

    state: str
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "attributes": dict(self.attributes)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Saved:
        return cls(str(data["state"]), dict(data.get("attributes") or {}))


# Attributes kept in the snapshot, per domain.
KEPT: Final[Mapping[str, tuple[str, ...]]] = {
    "light": ("brightness",),
    "cover": ("current_position", "device_class"),
    "climate": ("temperature",),
    "media_player": ("volume_level",),
}
DOOR_CLASSES: Final = frozenset({"door", "garage", "gate"})
_TOGGLED: Final = frozenset({"light", "switch", "fan", "media_player", "input_boolean"})
_ARM: Final = {"armed_away": "alarm_arm_away", "armed_home": "alarm_arm_home"}
_UNUSABLE: Final = frozenset({"unavailable", "unknown"})


@dataclass(frozen=True, slots=True)
class Call:
    """One service call of a reset."""

    domain: str
    service: str
    entity_id: str
    data: Mapping[str, Any] = field(default_factory=dict)


def saved(domain: str, state: str, attributes: Mapping[str, Any]) -> Saved:
    """The snapshot of one state."""
    kept = {key: attributes[key] for key in KEPT.get(domain, ()) if key in attributes}
    return Saved(state, kept)


def restore_calls(start: Mapping[str, Saved], now: Mapping[str, Saved]) -> list[Call]:
    """The calls that bring each exhibit back from `now` to `start` (nothing for one unchanged,
    gone, unavailable, or whose way back would be a sensitive action)."""
    calls: list[Call] = []
    for entity_id, was in start.items():
        current = now.get(entity_id)
        if current is None or current.state in _UNUSABLE or was.state in _UNUSABLE:
            continue
        domain = entity_id.partition(".")[0]
        calls.extend(_calls_for(domain, entity_id, was, current))
    return calls


def _calls_for(domain: str, entity_id: str, was: Saved, now: Saved) -> list[Call]:
    if domain in _TOGGLED:
        if was.state == "off":
            return [Call(domain, "turn_off", entity_id)] if now.state != "off" else []
        brightness = was.attributes.get("brightness") if domain == "light" else None
        if now.state == "off":
            data = {"brightness": brightness} if brightness is not None else {}
            return [Call(domain, "turn_on", entity_id, data)]
        if brightness is not None and brightness != now.attributes.get("brightness"):
            return [Call(domain, "turn_on", entity_id, {"brightness": brightness})]
        return []
    if domain == "cover":
        door = was.attributes.get("device_class") in DOOR_CLASSES
        position = was.attributes.get("current_position")
        if position is not None and position != now.attributes.get("current_position"):
            opening = now.attributes.get("current_position") is not None and (
                position > now.attributes["current_position"]
            )
            if door and opening:
                return []
            return [Call("cover", "set_cover_position", entity_id, {"position": position})]
        if position is None and was.state != now.state:
            if was.state == "closed":
                return [Call("cover", "close_cover", entity_id)]
            if was.state == "open" and not door:
                return [Call("cover", "open_cover", entity_id)]
        return []
    if domain == "lock":
        if was.state == "locked" and now.state != "locked":
            return [Call("lock", "lock", entity_id)]
        return []
    if domain == "alarm_control_panel":
        if was.state in _ARM and now.state != was.state:
            return [Call(domain, _ARM[was.state], entity_id)]
        return []
    if domain == "climate":
        calls = []
        if was.state != now.state:
            calls.append(Call(domain, "set_hvac_mode", entity_id, {"hvac_mode": was.state}))
        temperature = was.attributes.get("temperature")
        if temperature is not None and temperature != now.attributes.get("temperature"):
            calls.append(Call(domain, "set_temperature", entity_id, {"temperature": temperature}))
        return calls
    return []


# --- The day's counters ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counters:
    """Commands of one day: tried (every one heard), understood, acted on (the home changed)
    and rejected (not understood, by the station or the agent)."""

    day: date
    tried: int = 0
    understood: int = 0
    acted: int = 0
    rejected: int = 0

    def on(self, today: date) -> Counters:
        """These counters, or fresh ones if `today` is another day."""
        return self if today == self.day else Counters(today)

    def counted(self, *, understood: bool, acted: bool = False) -> Counters:
        """After one more command."""
        return replace(
            self,
            tried=self.tried + 1,
            understood=self.understood + understood,
            acted=self.acted + (understood and acted),
            rejected=self.rejected + (not understood),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "tried": self.tried,
            "understood": self.understood,
            "acted": self.acted,
            "rejected": self.rejected,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Counters:
        """The stored counters; raises ValueError (or KeyError, TypeError) if damaged."""
        return cls(
            date.fromisoformat(str(data["day"])),
            *(int(data[key]) for key in ("tried", "understood", "acted", "rejected")),
        )

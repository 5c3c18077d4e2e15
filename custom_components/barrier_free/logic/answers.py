"""The agent's full answers: what was done, naming the device and the room."""

from __future__ import annotations

import re
from typing import Any, Final

from .confirm_sensitive import SensitiveAction
from .home import Entity, Home
from .questions import spoken_name
from .spoken import device_noun, say
from .targets import Targets
from .understanding import Understood


def entity_words(entity: Entity, home: Home, language: str, *, article: bool = True) -> str:
    """ "卫生间的热水器", "the living room floor lamp"; the room is not said twice ("the bedroom
    air conditioner" in the master bedroom, whose alias is "bedroom"), and an English answer
    says a Chinese-named device by kind and room."""
    words = spoken_name(entity, home, language)
    if not article and language == "en":
        return words.removeprefix("the ")
    return words


def target_words(understood: Understood, targets: Targets, home: Home, language: str) -> str:
    """The device(s) a command acted on, with their room when they share one."""
    if len(targets.entities) == 1:
        return entity_words(targets.entities[0], home, language)
    first = targets.entities[0] if targets.entities else None
    noun = device_noun(
        first.domain if first else "device",
        understood.slots.get("device_class"),
        language,
    )
    if len(targets.entities) > 1 and language == "en":
        noun += "es" if noun.endswith(("s", "sh", "ch", "x")) else "s"
    area_name = understood.slots.get("area")
    if area_name is None and first is not None:
        area = home.area(first.area_id)
        area_name = area.name if area and len({e.area_id for e in targets.entities}) == 1 else None
    if area_name is not None:
        return say("target_in_area", language, area=area_name, device=noun)
    return say("target", language, device=noun)


def unavailable_sentence(entity: Entity, home: Home, language: str) -> str:
    """ "厨房灯现在连不上…", "The kitchen light is not responding…"."""
    words = entity_words(entity, home, language)
    return say("unavailable", language, target=words[:1].upper() + words[1:])


def done_sentence(
    understood: Understood, targets: Targets, home: Home, language: str
) -> str | None:
    """The full confirmation, naming device and room; None: Home Assistant's own answer."""
    if not targets.entities:
        return None
    target = target_words(understood, targets, home, language)
    domain = targets.entities[0].domain
    slots = understood.slots
    match understood.intent:
        case "HassTurnOn" | "HassTurnOff":
            on = understood.intent == "HassTurnOn"
            if domain == "lock":
                key = "locked" if on else "unlocked"
            elif domain in ("cover", "valve"):
                key = "opened" if on else "closed"
            else:
                key = "turned_on" if on else "turned_off"
            sentence = say(key, language, target=target)
        case "HassLightSet" if "brightness" in slots:
            sentence = say(
                "set_brightness", language, target=target, percent=_number(slots["brightness"])
            )
        case "HassClimateSetTemperature":
            sentence = say(
                "set_temperature",
                language,
                target=target,
                temperature=_number(slots.get("temperature")),
            )
        case "HassSetPosition":
            sentence = say(
                "set_position", language, target=target, percent=_number(slots.get("position"))
            )
        case "HassSetVolume":
            sentence = say(
                "set_volume", language, target=target, percent=_number(slots.get("volume_level"))
            )
        case "HassMediaPause":
            sentence = say("media_paused", language, target=target)
        case "HassMediaUnpause":
            sentence = say("media_resumed", language, target=target)
        case _:
            return None
    return sentence


def confirmed_sentence(action: SensitiveAction, language: str) -> str:
    """What a confirmed sensitive action did ("已打开大门。", "Unlocked the front door.")."""
    key = {
        "lock": "locked",
        "unlock": "unlocked",
        "alarm_disarm": "disarmed",
        "close_cover": "closed",
        "close_valve": "closed",
        "turn_on": "turned_on",
        "turn_off": "turned_off",
    }.get(action.service, "opened")
    if action.domain == "lock" and action.service == "open":
        key = "unlocked"
    target = say("target", language, device=action.name)
    return say(key, language, target=target)


def _number(value: Any) -> Any:
    """40.0 -> 40 (said as "forty", not "forty point zero")."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_TECHNICAL: Final = re.compile(r"Unknown intent|\bHass[A-Z]\w+|Traceback|\bNone\b")
_CJK: Final = re.compile(r"[\u3400-\u9fff]")


def sounds_wrong(answer: str, language: str) -> bool:
    """An answer a resident must never hear: a technical string, or Chinese in English speech
    (espeak-ng reads it as "Chinese letter")."""
    if _TECHNICAL.search(answer):
        return True
    return language.startswith("en") and _CJK.search(answer) is not None

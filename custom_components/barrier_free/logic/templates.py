"""Sentence templates: Home Assistant's own (home-assistant-intents), this project's
accessibility sentences (`sentences/<language>.yaml`) and everyday forms, and the slot lists
and context they are matched with, built from the home as Home Assistant's agent builds them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import count
from pathlib import Path
from typing import Any, Final

from hassil import Intents
from hassil.expression import (
    Alternative,
    Expression,
    Group,
    ListReference,
    Permutation,
    RuleReference,
    Sentence,
    TextChunk,
)
from hassil.expression import Sequence as HassilSequence
from hassil.intents import SlotList, TextSlotList
from home_assistant_intents import get_intents

from .everyday_speech import EVERYDAY_TEMPLATES
from .home import Home, names_of, sorted_areas, sorted_entities
from .languages import HASSIL_LANGUAGE, table_language

ACCESSIBILITY_PREFIX: Final = "BarrierFree"
OPTIONAL_DE: Final = "\x03的"
"""An optional 的 put in a variant: kept only before a noun (`phrase_text.settle_particles`),
so "[把]{name}[的][锁]上锁" never says "把大门的上锁"."""
EVERYDAY_INTENT: Final = "Everyday"
# The integration's data folders (sentences/, scenes/) sit beside logic/, not in it.
_SENTENCES_DIR: Final = Path(__file__).resolve().parent.parent / "sentences"

# Home Assistant intents the agent offers by voice. Left out: timers (the station has no timer
# support), broadcasts (no satellites), shopping/todo lists and HassRespond (free text or chat).
OFFERED_INTENTS: Final = (
    "HassTurnOn",
    "HassTurnOff",
    "HassGetState",
    "HassLightSet",
    "HassClimateSetTemperature",
    "HassClimateGetTemperature",
    "HassSetPosition",
    "HassFanSetSpeed",
    "HassSetVolume",
    "HassSetVolumeRelative",
    "HassMediaPause",
    "HassMediaUnpause",
    "HassMediaNext",
    "HassMediaPrevious",
    "HassMediaPlayerMute",
    "HassMediaPlayerUnmute",
    "HassVacuumStart",
    "HassVacuumReturnToBase",
    "HassGetWeather",
    "HassGetCurrentTime",
    "HassGetCurrentDate",
    "HassNevermind",
)
OFFERED: Final = frozenset(OFFERED_INTENTS)


@dataclass(frozen=True)
class Templates:
    """Sentence templates of one language: Home Assistant's own and this project's."""

    language: str
    builtin: Intents
    accessibility: Intents
    everyday: Intents


@cache
def load_templates(language: str) -> Templates:
    """Load the sentence templates for a station language ("zh" or "en"). Reads files."""
    language = table_language(language)
    hassil_language = HASSIL_LANGUAGE[language]
    builtin_dict = get_intents(hassil_language)
    if builtin_dict is None:
        raise ValueError(f"home-assistant-intents has no sentences for {hassil_language}")
    # Only the offered intents: "停止" must mean "pause the music", never "dock the lawn mower"
    # of a home that has none.
    offered = {name: body for name, body in builtin_dict["intents"].items() if name in OFFERED}
    builtin = Intents.from_dict({**builtin_dict, "intents": offered})
    with (_SENTENCES_DIR / f"{language}.yaml").open(encoding="utf-8") as file:
        accessibility = Intents.from_yaml(file)
    everyday = Intents.from_dict(
        {
            "language": hassil_language,
            "intents": {EVERYDAY_INTENT: {"data": EVERYDAY_TEMPLATES[language]}},
            "expansion_rules": builtin_dict.get("expansion_rules", {}),
            "lists": builtin_dict.get("lists", {}),
        }
    )
    return Templates(language, builtin, accessibility, everyday)


def slot_lists(home: Home) -> dict[str, SlotList]:
    """The {name}, {area} and {floor} lists, built as Home Assistant's agent builds them."""
    name_values = [
        (name, name, entity.context)
        for entity in sorted_entities(home)
        for name in names_of(entity.name, entity.aliases)
    ]
    area_values = [
        (name, name) for area in sorted_areas(home) for name in names_of(area.name, area.aliases)
    ]
    floor_values = [
        (name, floor.name)
        for floor in sorted(home.floors, key=lambda f: f.floor_id)
        for name in names_of(floor.name, floor.aliases)
    ]
    return {
        "name": TextSlotList.from_tuples(name_values, allow_template=False),
        "area": TextSlotList.from_tuples(area_values, allow_template=False),
        "floor": TextSlotList.from_tuples(floor_values, allow_template=False),
    }


def intent_context(home: Home, station_area_id: str | None) -> dict[str, Any] | None:
    """The context Home Assistant gives a satellite in an area ("turn on the lights" = here)."""
    area = home.area(station_area_id)
    if area is None:
        return None
    return {"area": {"value": area.name, "text": area.name}}


# --- Template variants and context ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    list_name: str
    slot_name: str


type Piece = str | Slot


def template_variant(
    expression: Expression, rules: Mapping[str, Sentence], k: int
) -> list[Piece] | None:
    """Variant `k` of a template, with list references left as slots.

    Variant 0 is the plainest wording: first synonyms, no optional words but leading ones
    (which tell a question from a command). Later variants walk
    through the synonyms (each alternative at its own pace) and put in the first choice of
    optional words every other time; the rarer optional fillers ("our", "every single") are left
    out, as they only lengthen the list. Returns None if the template names a missing rule.
    """
    position = count()
    pieces: list[Piece] = []

    def walk(expr: Expression, plain: bool = False) -> bool:
        # plain: inside optional words that were put in, take their first choice ("the",
        # not "our": "unlock our front door" is not what a resident says)
        if isinstance(expr, TextChunk):
            if expr.original_text:
                pieces.append(expr.original_text)
            return True
        if isinstance(expr, ListReference):
            pieces.append(Slot(expr.list_name, expr.slot_name))
            return True
        if isinstance(expr, RuleReference):
            rule = rules.get(expr.rule_name)
            return rule is not None and walk(rule.expression, plain)
        if isinstance(expr, Alternative):
            place = next(position)
            if expr.is_optional:
                # Leading words say what kind of sentence it is ("are …" asks, "把…" commands):
                # always keep them, or "are all fans on" would become the command "all fans on".
                leading = not any(isinstance(p, Slot) or p.strip() for p in pieces)
                include = leading or (k > 0 and (k + place) % 2 == 1)
                if not include:
                    return True
                start = len(pieces)
                if not walk(expr.items[0], plain=not leading):
                    return False
                if pieces[start:] == ["的"]:
                    pieces[start] = OPTIONAL_DE
                return True
            index = 0 if plain else (k * (place + 1)) % len(expr.items)
            return walk(expr.items[index], plain)
        if isinstance(expr, Permutation):
            items = list(expr.items)
            shift = k % len(items)
            items = items[shift:] + items[:shift]
            for item in items:
                if not walk(item, plain):
                    return False
                pieces.append(" ")
            return True
        if isinstance(expr, HassilSequence | Group):
            return all(walk(item, plain) for item in expr.items)
        return False

    return pieces if walk(expression) else None


def matches_context(required: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    for key, wanted in required.items():
        if key == "area":
            continue  # satellite area: checked separately
        actual = context.get(key)
        if isinstance(wanted, str | int | float):
            if actual != wanted:
                return False
        elif isinstance(wanted, Sequence) and actual not in wanted:
            return False
        elif isinstance(wanted, Mapping):
            # {"value": ..., "slot": ...} form; only "any value" is meaningful for entities.
            if wanted.get("value") is not None and actual != wanted.get("value"):
                return False
            if actual is None:
                return False
    return True


def excluded(excluded: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    for key, banned in excluded.items():
        actual = context.get(key)
        if isinstance(banned, str | int | float) and actual == banned:
            return True
        if isinstance(banned, Sequence) and not isinstance(banned, str) and actual in banned:
            return True
    return False


def as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(value)
    return (value,)

"""Sentence templates: Home Assistant's own (home-assistant-intents), this project's
accessibility sentences (`sentences/<language>.yaml`) and everyday forms, and the slot lists
and context they are matched with, built from the home as Home Assistant's agent builds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from hassil import Intents
from hassil.intents import SlotList, TextSlotList
from home_assistant_intents import get_intents

from .everyday_speech import EVERYDAY_TEMPLATES
from .home import Home, names_of, sorted_areas, sorted_entities
from .languages import HASSIL_LANGUAGE, table_language

ACCESSIBILITY_PREFIX: Final = "BarrierFree"
EVERYDAY_INTENT: Final = "Everyday"
_SENTENCES_DIR: Final = Path(__file__).parent / "sentences"

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

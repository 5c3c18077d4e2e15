"""The home as a plain snapshot: what the station serves, with the names residents use.

Built from Home Assistant's registries by the glue (`home_snapshot.py`); everything in `logic/`
works on this snapshot, so it is tested without a running Home Assistant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

_PUNCTUATION = re.compile(r"[^\w\s'%.-]|(?<!\d)\.|\.(?!\d)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class Floor:
    """A floor of the home."""

    floor_id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Area:
    """A room (Home Assistant area)."""

    area_id: str
    name: str
    aliases: tuple[str, ...] = ()
    floor_id: str | None = None
    outdoor: bool = False
    """Labelled "outdoor" in Home Assistant (a balcony, a garden): not part of "indoors"."""


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity exposed to the station, with the names a resident may call it."""

    entity_id: str
    name: str
    aliases: tuple[str, ...] = ()
    area_id: str | None = None
    device_class: str | None = None
    supported_features: int = 0
    color_modes: tuple[str, ...] | None = None
    """A light's supported colour modes ("onoff", "brightness", "color_temp", …); None when
    unknown (a light not yet reporting them is taken as dimmable and tunable)."""

    @property
    def domain(self) -> str:
        """The entity's domain ("light" for "light.kitchen")."""
        return self.entity_id.partition(".")[0]

    @property
    def context(self) -> dict[str, Any]:
        """What Home Assistant's agent checks `requires_context` against for this entity."""
        context: dict[str, Any] = {"domain": self.domain}
        if self.device_class is not None:
            context["device_class"] = self.device_class
        return context


@dataclass(frozen=True, slots=True)
class Home:
    """What the phrase list is built from: exposed entities, areas and floors."""

    entities: tuple[Entity, ...]
    areas: tuple[Area, ...] = ()
    floors: tuple[Floor, ...] = ()

    def area(self, area_id: str | None) -> Area | None:
        """The area with this id, if any."""
        return next((a for a in self.areas if a.area_id == area_id), None)

    def floor_of(self, entity: Entity) -> Floor | None:
        """The floor an entity is on, through its area."""
        area = self.area(entity.area_id)
        if area is None:
            return None
        return next((f for f in self.floors if f.floor_id == area.floor_id), None)


def clean_name(name: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", name).split())


def names_of(name: str, aliases: Iterable[str]) -> list[str]:
    cleaned = (clean_name(n) for n in (name, *aliases))
    return list(dict.fromkeys(n for n in cleaned if n))


def sorted_entities(home: Home) -> list[Entity]:
    return sorted(home.entities, key=lambda e: e.entity_id)


def sorted_areas(home: Home) -> list[Area]:
    return sorted(home.areas, key=lambda a: a.area_id)


def name_in(name: str, aliases: Iterable[str], language: str) -> tuple[str, tuple[str, ...]]:
    """The name an answer in `language` uses, and the other names a resident says in it.

    A Chinese name is not said in English when an alias is English ("客厅灯" → "living room
    light"), nor an English name in Mandarin when an alias is Chinese; the names of the other
    language are left out then (a Mandarin phrase list with "打开living room light" only makes
    the recogniser guess wrong). An item with no name in `language` keeps all its names.
    """
    names = tuple(dict.fromkeys((name, *aliases)))
    if language == "en":
        fitting = tuple(n for n in names if n.strip() and not _CJK.search(n))
    else:
        fitting = tuple(n for n in names if _CJK.search(n))
    if not fitting:
        return name, tuple(aliases)
    return fitting[0], fitting[1:]


def in_language(home: Home, language: str) -> Home:
    """The home as residents name it in `language` (`name_in` for every entity, area and
    floor): what a request in that language is understood against and answered with."""

    def renamed[T: (Entity, Area, Floor)](item: T) -> T:
        name, aliases = name_in(item.name, item.aliases, language)
        if (name, aliases) == (item.name, item.aliases):
            return item
        return replace(item, name=name, aliases=aliases)

    return Home(
        entities=tuple(renamed(e) for e in home.entities),
        areas=tuple(renamed(a) for a in home.areas),
        floors=tuple(renamed(f) for f in home.floors),
    )

"""The phrases a home understands: what the station's recogniser may return.

The station's recogniser is constrained to a phrase list and snaps what it hears to the nearest
phrase, so a phrase in the list that the agent cannot handle would turn speech into a wrong or
failed action. The list is therefore generated from the same material the agent matches against:
Home Assistant's own sentence templates (home-assistant-intents, through hassil), this project's
accessibility sentences (`sentences/<language>.yaml`) and everyday forms
(`everyday_speech.EVERYDAY_TEMPLATES`), filled with the home's own entity, area and floor names.

One build has three steps, one module each: `phrase_fill.py` fills every template sentence with
the home's names (the candidates, grouped by what each is about), `phrase_text.py` writes each as
the resident says it (numbers in words), `phrase_select.py` bounds the list (a cap per entity,
area and intent, a global cap filled round-robin). This module puts them together and holds what
the rest of the integration uses: the list, the help's examples and the names' words.

At the cap every entity still has its own phrases (on/off first); sizes and build times are
in README (tests/logic/test_phrase_list.py::test_phrase_list_size_and_time checks the bounds).

Everything here is plain Python over a plain snapshot of the home (`Home`), so it is tested
without a running Home Assistant; loading templates reads files, so the glue calls
`load_templates` in an executor.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from .home import Home, names_of
from .languages import station_language
from .phrase_fill import PhraseFiller
from .phrase_select import PhraseLimits, select, weigh
from .templates import EVERYDAY_INTENT, Templates, load_templates

__all__ = ["PhraseLimits", "PhraseList", "build_phrase_list", "examples", "name_words"]


@dataclass(frozen=True)
class PhraseList:
    """The phrases for one station, and for each the intent it was made from."""

    language: str
    phrases: tuple[str, ...]
    intents: Mapping[str, str] = field(repr=False)

    def __len__(self) -> int:
        return len(self.phrases)

    def __iter__(self) -> Iterator[str]:
        return iter(self.phrases)


def build_phrase_list(
    home: Home,
    language: str,
    *,
    station_area_id: str | None = None,
    limits: PhraseLimits | None = None,
    templates: Templates | None = None,
) -> PhraseList:
    """All phrases the station in `station_area_id` may recognise for this home.

    Deterministic (the same home gives the same list whatever the order of its entities),
    deduplicated, without empty strings, and at most `limits.max_phrases` long.
    """
    limits = limits or PhraseLimits()
    templates = templates or load_templates(language)
    filler = PhraseFiller(home, templates, station_area_id, limits.variants_per_sentence)
    selected = select(weigh(filler.candidates()), limits, templates.language)
    return PhraseList(
        language=templates.language,
        phrases=tuple(sorted(selected)),
        intents={phrase: filler.intent_of[phrase] for phrase in selected},
    )


_EXAMPLE_INTENTS: Final = (
    "HassTurnOn",
    EVERYDAY_INTENT,
    "HassTurnOff",
    "BarrierFreeHomeStatus",
    "HassClimateSetTemperature",
    "BarrierFreeLockStatus",
    "HassGetCurrentTime",
    "BarrierFreeRepeat",
)


def examples(phrase_list: PhraseList, *, limit: int = 4) -> list[str]:
    """A few phrases of different kinds, for the spoken help ("你可以说：…")."""
    chosen: list[str] = []
    for intent in _EXAMPLE_INTENTS:
        phrases = [p for p in phrase_list.phrases if phrase_list.intents[p] == intent]
        if phrases:
            chosen.append(min(phrases, key=lambda p: (len(p), p)))
        if len(chosen) >= limit:
            break
    return chosen


def name_words(home: Home, language: str) -> list[str]:
    """Entity, area and floor names as words, for the station to check against its model.

    Mandarin names are returned whole (the station segments them into its model's words);
    English names are split into lower-case words.
    """
    names: list[str] = []
    for entity in home.entities:
        names.extend(names_of(entity.name, entity.aliases))
    for area in home.areas:
        names.extend(names_of(area.name, area.aliases))
    for floor in home.floors:
        names.extend(names_of(floor.name, floor.aliases))
    if station_language(language) != "zh":
        names = [word for name in names for word in name.lower().split()]
    return sorted(set(names))

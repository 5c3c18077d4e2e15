"""The phrases a home understands: what the station's recogniser may return.

The station's recogniser is constrained to a phrase list and snaps what it hears to the nearest
phrase, so a phrase in the list that the agent cannot handle would turn speech into a wrong or
failed action. The list is therefore generated from the same material the agent matches against:
Home Assistant's own sentence templates (home-assistant-intents, through hassil), this project's
accessibility sentences (`sentences/<language>.yaml`) and everyday forms
(`everyday_speech.EVERYDAY_TEMPLATES`), filled with the home's own entity, area and floor names
and respecting each template's `requires_context` and fixed slots (a light-only sentence is only
filled with lights; "打开厨房的窗帘" only appears when the kitchen has a curtain).

Size is bounded: a few variants per template, a cap per entity/area, and a global cap filled
round-robin so every entity keeps its most useful phrases (on/off first) as the home grows.
Numbers are written as the resident says them ("二十四度", "fifty percent"): a speech model outputs
words, and `everyday_speech.normalize` turns them back into digits for matching.

At the cap every entity still has its own phrases (on/off first); sizes and build times are
in README (tests/logic/test_phrase_list.py::test_phrase_list_size_and_time checks the bounds).

About 600 lines: one build is one `_Generator`, whose filling and selection share the rotation
counters and the caps; split apart, neither half would read on its own.

Everything here is plain Python over a plain snapshot of the home (`Home`), so it is tested
without a running Home Assistant; loading templates reads files, so the glue calls
`load_templates` in an executor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import Final

from hassil.expression import (
    Sentence,
)
from hassil.intents import IntentData, RangeSlotList, SlotList, TextSlotList, WildcardSlotList

from .home import Entity, Home, clean_name, names_of, sorted_areas, sorted_entities
from .languages import station_language
from .numbers import spoken_number
from .templates import (
    EVERYDAY_INTENT,
    Piece,
    Slot,
    Templates,
    as_tuple,
    excluded,
    load_templates,
    matches_context,
    template_variant,
)

# Domains an intent acts on when its sentences do not say so: Home Assistant's handler fails
# ("no media player in the kitchen") when none exists, so such sentences are not offered.
_IMPLIED_DOMAINS: Final[Mapping[str, tuple[str, ...]]] = {
    "HassLightSet": ("light",),
    "HassClimateSetTemperature": ("climate",),
    "HassClimateGetTemperature": ("climate",),
    "HassSetPosition": ("cover", "valve"),
    "HassFanSetSpeed": ("fan",),
    "HassSetVolume": ("media_player",),
    "HassSetVolumeRelative": ("media_player",),
    "HassMediaPause": ("media_player",),
    "HassMediaUnpause": ("media_player",),
    "HassMediaNext": ("media_player",),
    "HassMediaPrevious": ("media_player",),
    "HassMediaPlayerMute": ("media_player",),
    "HassMediaPlayerUnmute": ("media_player",),
    "HassVacuumStart": ("vacuum",),
    "HassVacuumReturnToBase": ("vacuum",),
    "HassGetWeather": ("weather",),
    "BarrierFreeBrightnessStep": ("light",),
}
# Which state words make sense for which binary sensors ("大门门磁开着吗", not "漏水传感器有人吗").
_STATE_LIST_DEVICE_CLASSES: Final[Mapping[str, frozenset[str]]] = {
    "bs_door_states": frozenset({"door", "window", "garage_door", "opening"}),
    "bs_occupancy_states": frozenset({"motion", "occupancy", "presence"}),
}
# Values spoken for number slots: every value a resident is likely to say appears somewhere in
# the list; each phrase takes the next value in turn.
_RANGE_SAMPLES: Final[Mapping[str, tuple[float, ...]]] = {
    "temperature": tuple(range(16, 31)),
    "percentage": tuple(range(0, 101, 10)),
    "color_temperature": (2700, 4000, 6500),
}
_STEP_SAMPLES: Final = (10, 20)
# The order in which an entity's phrases are kept when its share of the list is small.
_PRIORITY: Final = (
    "HassTurnOn",
    "HassTurnOff",
    EVERYDAY_INTENT,
    "HassGetState",
    "BarrierFreeBrightnessStep",
    "HassClimateSetTemperature",
    "HassLightSet",
    "HassSetPosition",
    "HassClimateGetTemperature",
    "HassSetVolume",
    "HassSetVolumeRelative",
)
# How many phrases per round a block gets for one entity: how residents mostly speak to a
# device is switching it, in textbook and everyday words.
_WEIGHTS: Final[Mapping[str, int]] = {"HassTurnOn": 2, "HassTurnOff": 2, EVERYDAY_INTENT: 3}
_LATIN = re.compile(r"[A-Za-z]")


# --- Phrase generation -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhraseLimits:
    """Bounds on the list. Defaults keep a 300-entity home under 5,000 phrases."""

    variants_per_sentence: int = 2
    """Different wordings taken from one template sentence (its optional words and synonyms)."""
    phrases_per_name: int = 24
    """Most phrases that mention one entity name or alias."""
    phrases_per_area: int = 30
    """Most phrases that mention one area or floor name."""
    phrases_per_intent: int = 16
    """Most phrases for sentences without names (time, "turn on the lights here")."""
    max_phrases: int = 5000


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


@dataclass(frozen=True, slots=True)
class _Block:
    intent: str
    data: IntentData
    rules: Mapping[str, Sentence]
    lists: Mapping[str, SlotList]


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
    generator = _Generator(home, templates, station_area_id, limits)
    return generator.build()


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


class _Generator:
    """One build of a phrase list (holds the rotation counters that spread number values)."""

    def __init__(
        self,
        home: Home,
        templates: Templates,
        station_area_id: str | None,
        limits: PhraseLimits,
    ) -> None:
        self.home = home
        self.templates = templates
        self.language = templates.language
        self.limits = limits
        self.entities = sorted_entities(home)
        self.areas = sorted_areas(home)
        self.station_area = home.area(station_area_id)
        self.rotation: dict[str, Iterator[int]] = {}
        # First use of each number slot: (block, sentence variant, fixed slots, targets).
        self.number_examples: dict[
            str, tuple[_Block, list[Piece], Mapping[str, list[str]], list[Entity]]
        ] = {}
        self.forced: dict[str, float] = {}
        self.intent_of: dict[str, str] = {}

    # -- entry point

    def build(self) -> PhraseList:
        # anchor (what a phrase is about) → intent → its sentences' phrases. Each intent's
        # phrases are interleaved across its sentences, and each intent takes its weight in
        # places per round: a small share of the list still covers many intents.
        by_intent: dict[str, dict[str, list[list[str]]]] = {}
        for block in self._blocks():
            for sentence in block.data.sentences:
                for anchor, phrases in self._fill_sentence(block, sentence):
                    if phrases:
                        intents = by_intent.setdefault(anchor, {})
                        intents.setdefault(block.intent, []).append(phrases)
        by_intent.update(self._number_phrases())
        anchors: dict[str, list[list[str]]] = {}
        for anchor, intents in by_intent.items():
            for intent, lists in intents.items():
                weight = _WEIGHTS.get(intent, 1)
                merged = list(_round_robin(lists))
                anchors.setdefault(anchor, []).extend(merged[i::weight] for i in range(weight))
        selected = self._select(anchors)
        return PhraseList(
            language=self.language,
            phrases=tuple(sorted(selected)),
            intents={phrase: self.intent_of[phrase] for phrase in selected},
        )

    def _number_phrases(self) -> dict[str, dict[str, list[list[str]]]]:
        """Every sample value of each number slot once, in the first sentence that used it.

        Rotation spreads values over phrases, but a home with one thermostat has too few
        phrases to say every temperature; the recogniser must still know all of them.
        """
        anchors: dict[str, dict[str, list[list[str]]]] = {}
        for list_name, (block, pieces, fixed, targets) in self.number_examples.items():
            slot_list = block.lists[list_name]
            assert isinstance(slot_list, RangeSlotList)
            phrases: list[str] = []
            for value in self._range_samples(slot_list):
                self.forced[list_name] = value
                phrases.extend(self._render(block, [pieces], fixed, targets))
            self.forced.pop(list_name, None)
            anchors[f"numbers:{list_name}"] = {block.intent: [phrases]}
        return anchors

    def _blocks(self) -> list[_Block]:
        blocks: list[_Block] = []
        for intents in (
            self.templates.builtin,
            self.templates.everyday,
            self.templates.accessibility,
        ):
            for intent_name, intent in intents.intents.items():
                for data in intent.data:
                    rules = {**intents.expansion_rules, **data.expansion_rules}
                    lists = {**intents.slot_lists, **data.slot_lists}
                    blocks.append(_Block(intent_name, data, rules, lists))
        rank = {name: index for index, name in enumerate(_PRIORITY)}
        return sorted(blocks, key=lambda b: rank.get(b.intent, len(rank)))

    # -- selection

    def _select(self, anchors: dict[str, list[list[str]]]) -> list[str]:
        """Cap each anchor, then fill the list round-robin over anchors up to the global cap."""
        queues: list[list[str]] = []
        for anchor in sorted(anchors, key=_anchor_order):
            cap = self._cap(anchor)
            # A name's most natural sentences first: "turn on the kitchen light" must not lose
            # its place to "turn on kitchen light in ground floor".
            pool = cap * _NAME_POOL if anchor.startswith("name:") else cap
            queue: list[str] = []
            seen: set[str] = set()
            for round_phrases in _round_robin(anchors[anchor]):
                if round_phrases in seen:
                    continue
                seen.add(round_phrases)
                queue.append(round_phrases)
                if len(queue) >= pool:
                    break
            if pool > cap:  # half for variety (round robin), half the shortest of the rest
                varied = queue[: cap // 2]
                rest = sorted(queue[cap // 2 :], key=self._length)
                queue = varied + rest[: cap - len(varied)]
            queues.append(queue)
        selected: dict[str, None] = {}
        for phrase in _round_robin(queues):
            if len(selected) >= self.limits.max_phrases:
                break
            selected.setdefault(phrase)
        return list(selected)

    def _length(self, phrase: str) -> int:
        return len(phrase) if self.language == "zh" else len(phrase.split())

    def _cap(self, anchor: str) -> int:
        kind = anchor.partition(":")[0]
        if kind == "numbers":
            return len(_RANGE_SAMPLES["temperature"]) + 5
        if kind == "name":
            return self.limits.phrases_per_name
        if kind in ("area", "floor"):
            return self.limits.phrases_per_area
        return self.limits.phrases_per_intent

    # -- filling one sentence

    def _fill_sentence(self, block: _Block, sentence: Sentence) -> list[tuple[str, list[str]]]:
        data = block.data
        needs_area_context = "area" in data.requires_context
        if needs_area_context and self.station_area is None:
            return []
        skeletons = self._skeletons(block, sentence)
        if not skeletons:
            return []
        slot_names = {p.list_name for s in skeletons for p in s if isinstance(p, Slot)}
        if any(isinstance(block.lists.get(n), WildcardSlotList) for n in slot_names):
            return []
        domains = as_tuple(data.slots.get("domain")) or _IMPLIED_DOMAINS.get(block.intent, ())
        results: list[tuple[str, list[str]]] = []

        if "name" in slot_names:
            for entity in self.entities:
                if not matches_context(data.requires_context, entity.context):
                    continue
                if excluded(data.excludes_context, entity.context):
                    continue
                implied = domains and "domain" not in data.requires_context
                if implied and entity.domain not in domains:
                    continue
                area = self.home.area(entity.area_id)
                floor = self.home.floor_of(entity)
                if ("area" in slot_names and area is None) or (
                    "floor" in slot_names and floor is None
                ):
                    continue
                if needs_area_context and entity.area_id != self.station_area.area_id:  # type: ignore[union-attr]
                    continue
                for name in names_of(entity.name, entity.aliases):
                    if area is not None and "area" in slot_names and area.name in name:
                        continue  # "客厅的客厅主灯" only lengthens the list
                    fixed = {
                        "name": [name],
                        "area": names_of(area.name, area.aliases)[:1] if area else [],
                        "floor": names_of(floor.name, floor.aliases)[:1] if floor else [],
                    }
                    phrases = self._render(block, skeletons, fixed, [entity])
                    results.append((f"name:{entity.entity_id}:{name}", phrases))
            return results

        if "area" in slot_names:
            for area in self.areas:
                members = [e for e in self.entities if e.area_id == area.area_id]
                targets = self._targets(block, members, domains)
                if not targets:
                    continue
                for name in names_of(area.name, area.aliases):
                    phrases = self._render(block, skeletons, {"area": [name]}, targets)
                    results.append((f"area:{area.area_id}:{name}", phrases))
            return results

        if "floor" in slot_names:
            for floor in sorted(self.home.floors, key=lambda f: f.floor_id):
                members = [
                    e
                    for e in self.entities
                    if (f := self.home.floor_of(e)) is not None and f.floor_id == floor.floor_id
                ]
                targets = self._targets(block, members, domains)
                if not targets:
                    continue
                for name in names_of(floor.name, floor.aliases):
                    phrases = self._render(block, skeletons, {"floor": [name]}, targets)
                    results.append((f"floor:{floor.floor_id}:{name}", phrases))
            return results

        if needs_area_context:
            station_area_id = self.station_area.area_id  # type: ignore[union-attr]
            members = [e for e in self.entities if e.area_id == station_area_id]
        else:
            members = self.entities
        targets = self._targets(block, members, domains) if domains else members
        if domains and not targets:
            return []
        return [(f"intent:{block.intent}", self._render(block, skeletons, {}, targets))]

    def _targets(
        self, block: _Block, members: list[Entity], domains: tuple[str, ...]
    ) -> list[Entity]:
        if not domains:
            return members
        device_classes = as_tuple(block.data.slots.get("device_class"))
        return [
            e
            for e in members
            if e.domain in domains and (not device_classes or e.device_class in device_classes)
        ]

    # -- template variants

    def _skeletons(self, block: _Block, sentence: Sentence) -> list[list[Piece]]:
        skeletons: list[list[Piece]] = []
        seen: set[str] = set()
        # A few extra tries: some variants are dropped (English words in a Mandarin sentence).
        for variant in range(self.limits.variants_per_sentence * 3):
            pieces = template_variant(sentence.expression, block.rules, variant)
            if pieces is None:
                break
            key = "".join(p if isinstance(p, str) else "{" + p.list_name + "}" for p in pieces)
            literal = "".join(p for p in pieces if isinstance(p, str))
            if key in seen or (self.language == "zh" and _LATIN.search(literal)):
                continue
            seen.add(key)
            skeletons.append(pieces)
            if len(skeletons) >= self.limits.variants_per_sentence:
                break
        return skeletons

    def _render(
        self,
        block: _Block,
        skeletons: list[list[Piece]],
        fixed: Mapping[str, list[str]],
        targets: list[Entity],
    ) -> list[str]:
        phrases: list[str] = []
        for pieces in skeletons:
            parts: list[str] = []
            for piece in pieces:
                if isinstance(piece, str):
                    parts.append(piece)
                    continue
                value = self._slot_text(block, piece, fixed, targets)
                if value is None:
                    break
                parts.append(value)
            else:
                for piece in pieces:
                    if isinstance(piece, Slot) and isinstance(
                        block.lists.get(piece.list_name), RangeSlotList
                    ):
                        self.number_examples.setdefault(
                            piece.list_name, (block, pieces, fixed, targets)
                        )
                phrase = self._finish("".join(parts))
                if phrase:
                    self.intent_of.setdefault(phrase, block.intent)
                    phrases.append(phrase)
        return phrases

    def _slot_text(
        self,
        block: _Block,
        slot: Slot,
        fixed: Mapping[str, list[str]],
        targets: list[Entity],
    ) -> str | None:
        if slot.list_name in fixed:
            fixed_values = fixed[slot.list_name]
            return fixed_values[0] if fixed_values else None
        slot_list = block.lists.get(slot.list_name)
        if isinstance(slot_list, RangeSlotList):
            samples = self._range_samples(slot_list)
            if not samples:
                return None
            value = self.forced.get(slot.list_name)
            if value is None:
                value = samples[self._next(slot.list_name) % len(samples)]
            return f"\x01{value:g}\x02"
        if not isinstance(slot_list, TextSlotList) or not slot_list.values:
            return None
        values = slot_list.values
        if slot.slot_name == "device_class":
            present = {e.device_class for e in targets}
            values = [v for v in values if v.value_out in present]
        if slot.list_name in _STATE_LIST_DEVICE_CLASSES:
            allowed = _STATE_LIST_DEVICE_CLASSES[slot.list_name]
            if not any(e.device_class in allowed for e in targets):
                return None
        if not values:
            return None
        index = self._next(slot.list_name)
        chosen = values[index % len(values)]
        pieces = template_variant(chosen.text_in, block.rules, index)
        if pieces is None or any(isinstance(p, Slot) for p in pieces):
            return None
        return "".join(p for p in pieces if isinstance(p, str))

    def _range_samples(self, slot_list: RangeSlotList) -> list[float]:
        name = slot_list.name or ""
        if name.startswith("volume_step"):
            candidates: Iterable[float] = _STEP_SAMPLES
        else:
            candidates = _RANGE_SAMPLES.get(name, _RANGE_SAMPLES.get(str(slot_list.type.value), ()))
            if not candidates:
                candidates = range(slot_list.start, slot_list.stop + 1, slot_list.step)
        return [v for v in candidates if slot_list.start <= v <= slot_list.stop][:20]

    def _next(self, key: str) -> int:
        return next(self.rotation.setdefault(key, count()))

    def _finish(self, text: str) -> str:
        """Spoken numbers, no punctuation, single spaces (Mandarin: no spaces)."""
        text = _speak_numbers(text, self.language)
        if self.language == "zh":
            return clean_name(text).replace(" ", "")
        text = clean_name(text.lower())
        if _TYPED_ONLY.intersection(text.split()):
            return ""  # the same sentence with "how's" / "what's" is made from another variant
        return text


_TYPED_ONLY: Final = frozenset({"hows", "whats", "wheres", "whos"})
"""Spellings Home Assistant's templates accept for typed text ("whats the time"); nobody says
them differently from "what's", and the recogniser's dictionary does not know them."""

_NAME_POOL: Final = 4
"""Candidates looked at per kept phrase of a name, to keep the most natural wordings."""


def _anchor_order(anchor: str) -> tuple[int, str]:
    kind = anchor.partition(":")[0]
    return ({"intent": 0, "numbers": 1, "area": 2, "floor": 3, "name": 4}.get(kind, 5), anchor)


def _round_robin[T](queues: Sequence[Sequence[T]]) -> Iterator[T]:
    depth = max((len(q) for q in queues), default=0)
    for index in range(depth):
        for queue in queues:
            if index < len(queue):
                yield queue[index]


def _speak_numbers(text: str, language: str) -> str:
    """Numbers from number slots (marked \x01…\x02) as the resident says them."""

    def words(raw: str) -> str:
        value = float(raw)
        return spoken_number(int(value) if value.is_integer() else value, language)

    if language == "zh":
        text = re.sub(
            r"(百分之)?\x01([\d.]+)\x02\s*(%)?",
            lambda m: (
                ("百分之" + words(m.group(2))) if (m.group(1) or m.group(3)) else words(m.group(2))
            ),
            text,
        )
    else:
        text = re.sub(
            r"\x01([\d.]+)\x02(\s*(?:%|percent))?",
            lambda m: words(m.group(1)) + (" percent" if m.group(2) else ""),
            text,
        )
    return text.replace("\x01", "").replace("\x02", "")

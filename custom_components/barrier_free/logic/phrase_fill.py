"""Template sentences filled with the home's own names: every candidate phrase of one build.

For each sentence of each template block (Home Assistant's intents, the everyday forms, this
project's accessibility sentences, in `_PRIORITY` order) a `PhraseFiller` takes a few wordings
(`templates.template_variant`) and fills their slots with the home's entity, area and floor
names, respecting each template's `requires_context`, `excludes_context` and fixed slots (a
light-only sentence is only filled with lights; "打开厨房的窗帘" only appears when the kitchen has
a curtain), the domains an intent acts on, and the station's own area for "here" sentences.
Number slots take sample values in turn, and every sample once in the first sentence that used
the slot, so the recogniser knows every temperature even in a home with one thermostat.

The result is grouped by anchor (what a phrase is about: `name:<entity>:<name>`,
`area:…`, `floor:…`, `intent:…`, `numbers:…`) and intent; `phrase_select.py` decides which
candidates are kept. One filler is one build: its rotation counters spread values over phrases.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import count
from typing import Final

from hassil.expression import Sentence
from hassil.intents import IntentData, RangeSlotList, SlotList, TextSlotList, WildcardSlotList

from .home import Entity, Home, names_of, sorted_areas, sorted_entities
from .phrase_text import doubles_noun, has_latin, mark_number, settle_particles, spoken_phrase
from .templates import (
    EVERYDAY_INTENT,
    Piece,
    Slot,
    Templates,
    as_tuple,
    excluded,
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
RANGE_SAMPLES: Final[Mapping[str, tuple[float, ...]]] = {
    "temperature": tuple(range(16, 31)),
    "percentage": tuple(range(0, 101, 10)),
    "color_temperature": (2700, 4000, 6500),
}
_STEP_SAMPLES: Final = (10, 20)
_UNSAID_LISTS: Final = frozenset({"color_temperature"})
"""Number slots no resident says: colour temperature in Kelvin ("四千", "four thousand"); they
say 暖光 / "warm white" (`color_temperature_names`), which stays. Typed Kelvin is still
understood."""
_NAMED_SLOTS: Final = frozenset({"name", "area", "floor"})
_LIGHT_KINDS: Final = ("吸顶灯", "筒灯", "射灯", "台灯", "床头灯")
"""Kinds of light Home Assistant's sentences about a room's lights may say ("关掉卫生间的台灯"):
said only where a light of that kind is (its name says it), or the resident would never say it."""
_BATTERY_WORDS: Final = ("电量", "电池", "多少电", "没电", "battery")
# What a light must support for the sentences that use a slot: a light that only switches on
# and off has no brightness, one without colour no colour names.
_DIMMING: Final = frozenset(
    {"brightness", "color_temp", "hs", "xy", "rgb", "rgbw", "rgbww", "white"}
)
_LIGHT_NEEDS: Final[Mapping[str, frozenset[str]]] = {
    "brightness": _DIMMING,
    "brightness_level": _DIMMING,
    "color": frozenset({"hs", "xy", "rgb", "rgbw", "rgbww"}),
    "color_temperature_names": frozenset({"color_temp", "hs", "xy", "rgb", "rgbw", "rgbww"}),
}
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

type Candidates = dict[str, dict[str, list[list[str]]]]
"""anchor → intent → the phrases of each of its sentences, in the order they were made."""


@dataclass(frozen=True, slots=True)
class _Block:
    intent: str
    data: IntentData
    rules: Mapping[str, Sentence]
    lists: Mapping[str, SlotList]


class PhraseFiller:
    """One build's filling (holds the rotation counters that spread number values)."""

    def __init__(
        self,
        home: Home,
        templates: Templates,
        station_area_id: str | None,
        variants_per_sentence: int,
    ) -> None:
        self.home = home
        self.templates = templates
        self.language = templates.language
        self.variants_per_sentence = variants_per_sentence
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
        """Each phrase made, and the intent of the first sentence that made it."""

    # -- entry point

    def candidates(self) -> Candidates:
        """Every sentence of every block filled, then every number sample once."""
        by_intent: Candidates = {}
        for block in self._blocks():
            for sentence in block.data.sentences:
                for anchor, phrases in self._fill_sentence(block, sentence):
                    if phrases:
                        intents = by_intent.setdefault(anchor, {})
                        intents.setdefault(block.intent, []).append(phrases)
        by_intent.update(self._number_phrases())
        return by_intent

    def _number_phrases(self) -> Candidates:
        """Every sample value of each number slot once, in the first sentence that used it.

        Rotation spreads values over phrases, but a home with one thermostat has too few
        phrases to say every temperature; the recogniser must still know all of them.
        """
        anchors: Candidates = {}
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
        if slot_names & _UNSAID_LISTS:
            return []
        needs = [_LIGHT_NEEDS[n] for n in slot_names if n in _LIGHT_NEEDS]
        if block.intent == "BarrierFreeBrightnessStep":
            needs.append(_DIMMING)
        literal = "".join(p for s in skeletons for p in s if isinstance(p, str)).lower()
        about_battery = any(word in literal for word in _BATTERY_WORDS)
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
                if not _supports(entity, needs):
                    continue
                if about_battery and not self._has_battery(entity):
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
                targets = [e for e in self._targets(block, members, domains) if _supports(e, needs)]
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
                targets = [e for e in self._targets(block, members, domains) if _supports(e, needs)]
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
        targets = [e for e in targets if _supports(e, needs)]
        if (domains or needs) and not targets:
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
        for variant in range(self.variants_per_sentence * 3):
            pieces = template_variant(sentence.expression, block.rules, variant)
            if pieces is None:
                break
            key = "".join(p if isinstance(p, str) else "{" + p.list_name + "}" for p in pieces)
            literal = "".join(p for p in pieces if isinstance(p, str))
            if key in seen or (self.language == "zh" and has_latin(literal)):
                continue
            seen.add(key)
            skeletons.append(pieces)
            if len(skeletons) >= self.variants_per_sentence:
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
                if self._doubles_noun(pieces, parts) or _absent_kind(parts, fixed, targets):
                    continue
                for piece in pieces:
                    if isinstance(piece, Slot) and isinstance(
                        block.lists.get(piece.list_name), RangeSlotList
                    ):
                        self.number_examples.setdefault(
                            piece.list_name, (block, pieces, fixed, targets)
                        )
                phrase = spoken_phrase(settle_particles("".join(parts)), self.language)
                if phrase:
                    self.intent_of.setdefault(phrase, block.intent)
                    phrases.append(phrase)
        return phrases

    def _doubles_noun(self, pieces: list[Piece], parts: list[str]) -> bool:
        """A name, area or floor ending in the noun the template says after it ("客厅灯" + "灯",
        "master bedroom" + "bedroom light"): the variant without that noun says it right."""
        for index, piece in enumerate(pieces):
            if (
                isinstance(piece, Slot)
                and piece.list_name in _NAMED_SLOTS
                and doubles_noun(parts[index], "".join(parts[index + 1 :]), self.language)
            ):
                return True
        return False

    def _has_battery(self, entity: Entity) -> bool:
        """A battery sensor, or a lock or vacuum with one in its room (how the agent answers
        "大门还剩多少电"): a light or a temperature sensor is never asked for its battery."""
        if entity.domain == "sensor" and entity.device_class == "battery":
            return True
        return entity.domain in {"lock", "vacuum"} and any(
            e.domain == "sensor" and e.device_class == "battery" and e.area_id == entity.area_id
            for e in self.entities
        )

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
            return mark_number(value)
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
            candidates = RANGE_SAMPLES.get(name, RANGE_SAMPLES.get(str(slot_list.type.value), ()))
            if not candidates:
                candidates = range(slot_list.start, slot_list.stop + 1, slot_list.step)
        return [v for v in candidates if slot_list.start <= v <= slot_list.stop][:20]

    def _next(self, key: str) -> int:
        return next(self.rotation.setdefault(key, count()))


def _supports(entity: Entity, needs: list[frozenset[str]]) -> bool:
    """Whether a light can do what a sentence's slots ask (unknown modes: taken as able)."""
    if entity.domain != "light" or entity.color_modes is None:
        return True
    return all(need.intersection(entity.color_modes) for need in needs)


def _absent_kind(parts: list[str], fixed: Mapping[str, list[str]], targets: list[Entity]) -> bool:
    """A sentence about a group of lights naming a kind none of them is ("卫生间的射灯")."""
    if fixed.get("name"):
        return False
    text = "".join(parts)
    names = [n for e in targets if e.domain == "light" for n in names_of(e.name, e.aliases)]
    return any(kind in text and not any(kind in n for n in names) for kind in _LIGHT_KINDS)

"""Which candidate phrases a list keeps: the bounds, each anchor's share, one global round robin.

Size is bounded: a few variants per template, a cap per entity/area, and a global cap filled
round-robin over anchors so every entity keeps its most useful phrases (on/off first) as the
home grows. Within an anchor each intent's phrases are interleaved across its sentences, and
each intent takes its weight in places per round (`_WEIGHTS`): a small share of the list still
covers many intents. The candidates come from `phrase_fill.py`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from .phrase_fill import RANGE_SAMPLES, Candidates
from .templates import EVERYDAY_INTENT

# How many phrases per round a block gets for one entity: how residents mostly speak to a
# device is switching it, in textbook and everyday words.
_WEIGHTS: Final[Mapping[str, int]] = {"HassTurnOn": 2, "HassTurnOff": 2, EVERYDAY_INTENT: 3}

_NAME_POOL: Final = 4
"""Candidates looked at per kept phrase of a name, to keep the most natural wordings."""


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


def weigh(candidates: Candidates) -> dict[str, list[list[str]]]:
    """anchor → its phrase queues: each intent interleaved, split into its weight of queues."""
    anchors: dict[str, list[list[str]]] = {}
    for anchor, intents in candidates.items():
        for intent, lists in intents.items():
            weight = _WEIGHTS.get(intent, 1)
            merged = list(round_robin(lists))
            anchors.setdefault(anchor, []).extend(merged[i::weight] for i in range(weight))
    return anchors


def select(anchors: dict[str, list[list[str]]], limits: PhraseLimits, language: str) -> list[str]:
    """Cap each anchor, then fill the list round-robin over anchors up to the global cap."""
    queues: list[list[str]] = []
    for anchor in sorted(anchors, key=_anchor_order):
        cap = _cap(anchor, limits)
        # A name's most natural sentences first: "turn on the kitchen light" must not lose
        # its place to "turn on kitchen light in ground floor".
        pool = cap * _NAME_POOL if anchor.startswith("name:") else cap
        queue: list[str] = []
        seen: set[str] = set()
        for round_phrases in round_robin(anchors[anchor]):
            if round_phrases in seen:
                continue
            seen.add(round_phrases)
            queue.append(round_phrases)
            if len(queue) >= pool:
                break
        if pool > cap:  # half for variety (round robin), half the shortest of the rest
            varied = queue[: cap // 2]
            rest = sorted(queue[cap // 2 :], key=lambda p: _length(p, language))
            queue = varied + rest[: cap - len(varied)]
        queues.append(queue)
    selected: dict[str, None] = {}
    for phrase in round_robin(queues):
        if len(selected) >= limits.max_phrases:
            break
        selected.setdefault(phrase)
    return list(selected)


def round_robin[T](queues: Sequence[Sequence[T]]) -> Iterator[T]:
    """The first item of each queue, then the second of each, and so on."""
    depth = max((len(q) for q in queues), default=0)
    for index in range(depth):
        for queue in queues:
            if index < len(queue):
                yield queue[index]


def _length(phrase: str, language: str) -> int:
    return len(phrase) if language == "zh" else len(phrase.split())


def _cap(anchor: str, limits: PhraseLimits) -> int:
    kind = anchor.partition(":")[0]
    if kind == "numbers":
        return len(RANGE_SAMPLES["temperature"]) + 5
    if kind == "name":
        return limits.phrases_per_name
    if kind in ("area", "floor"):
        return limits.phrases_per_area
    return limits.phrases_per_intent


def _anchor_order(anchor: str) -> tuple[int, str]:
    kind = anchor.partition(":")[0]
    return ({"intent": 0, "numbers": 1, "area": 2, "floor": 3, "name": 4}.get(kind, 5), anchor)

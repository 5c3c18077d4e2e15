"""Load the corpus: `home()` gives the test home, `cases()` every utterance as a flat `Case`.

The YAML files group utterances that share one expected outcome; the loader flattens them so a
runner only loops over `cases()` and checks each `Case` against the agent's answer and calls.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # ships with Home Assistant; no stubs here

HERE = Path(__file__).resolve().parent

# Keys a group or an item may set; an item's keys override its group's, a group's its file's.
CASE_KEYS = frozenset(
    {
        "language",
        "room",
        "category",
        "form",
        "calls",
        "calls_one_of",
        "confirm",
        "dialogue",
        "answer_has",
        "answer_lacks",
        "answer_yes",
        "not_understood",
        "refused",
        "intent",
        "before",
        "pin",
    }
)


@dataclass(frozen=True, slots=True)
class Call:
    """One expected service call: `light.turn_on` on these entities with exactly this data."""

    service: str
    entity_ids: tuple[str, ...]
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        return self.service.partition(".")[0]


@dataclass(frozen=True, slots=True)
class Step:
    """A later reply in the same conversation (a confirmation, a PIN, a refusal)."""

    say: str
    calls: tuple[Call, ...] = ()
    answer_has: tuple[tuple[str, ...], ...] = ()
    answer_lacks: tuple[str, ...] = ()
    cancelled: bool = False
    """The answer says the pending action was cancelled."""
    pending: bool = False
    """Neither yes nor no: the action stays pending and the answer says how to reply."""


@dataclass(frozen=True, slots=True)
class Case:
    """One utterance and what must happen."""

    source: str
    text: str
    language: str
    room: str | None
    category: str
    form: str
    calls: tuple[Call, ...] = ()
    calls_one_of: tuple[tuple[Call, ...], ...] = ()
    """Alternatives: the calls must equal one of these (a relative change said two ways)."""
    confirm: bool = False
    dialogue: tuple[Step, ...] = ()
    answer_has: tuple[tuple[str, ...], ...] = ()
    """Each entry: the answer contains one of these strings (case-insensitive)."""
    answer_lacks: tuple[str, ...] = ()
    answer_yes: bool | None = None
    not_understood: bool = False
    refused: bool = False
    intent: str | None = None
    before: tuple[str, ...] = ()
    """Said first in the same conversation; their answers are not checked."""
    pin: bool = False
    """The household PIN (home.yaml `pin`) is set for this case."""


def _calls(raw: Any) -> tuple[Call, ...]:
    calls = []
    for call in raw or ():
        entity_ids = call["entity_id"]
        if isinstance(entity_ids, str):
            entity_ids = [entity_ids]
        calls.append(Call(call["service"], tuple(entity_ids), dict(call.get("data") or {})))
    return tuple(calls)


def _facts(raw: Any) -> tuple[tuple[str, ...], ...]:
    return tuple((f,) if isinstance(f, str) else tuple(f) for f in raw or ())


def _step(raw: Mapping[str, Any]) -> Step:
    return Step(
        say=raw["say"],
        calls=_calls(raw.get("calls")),
        answer_has=_facts(raw.get("answer_has")),
        answer_lacks=tuple(raw.get("answer_lacks") or ()),
        cancelled=bool(raw.get("cancelled", False)),
        pending=bool(raw.get("pending", False)),
    )


def _case(source: str, text: str, keys: Mapping[str, Any]) -> Case:
    return Case(
        source=source,
        text=text,
        language=keys["language"],
        room=keys.get("room"),
        category=keys["category"],
        form=keys["form"],
        calls=_calls(keys.get("calls")),
        calls_one_of=tuple(_calls(alt) for alt in keys.get("calls_one_of") or ()),
        confirm=bool(keys.get("confirm", False)),
        dialogue=tuple(_step(s) for s in keys.get("dialogue") or ()),
        answer_has=_facts(keys.get("answer_has")),
        answer_lacks=tuple(keys.get("answer_lacks") or ()),
        answer_yes=keys.get("answer_yes"),
        not_understood=bool(keys.get("not_understood", False)),
        refused=bool(keys.get("refused", False)),
        intent=keys.get("intent"),
        before=tuple(keys.get("before") or ()),
        pin=bool(keys.get("pin", False)),
    )


def raw_files() -> Iterator[tuple[str, dict[str, Any]]]:
    """(path relative to the corpus, parsed YAML) of every utterance file."""
    for path in sorted(HERE.glob("*/*.yaml")):
        yield str(path.relative_to(HERE)), yaml.safe_load(path.read_text(encoding="utf-8"))


def flatten(source: str, document: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], Case]]:
    """Each item of a file with its merged keys (for the data test) and as a `Case`."""
    defaults = {k: v for k, v in document.items() if k in CASE_KEYS}
    for group in document["groups"]:
        group_keys = {**defaults, **{k: v for k, v in group.items() if k != "texts"}}
        for item in group["texts"]:
            if isinstance(item, list):
                form, text = item
                keys = {**group_keys, "form": form}
            else:
                text = item["text"]
                keys = {**group_keys, **{k: v for k, v in item.items() if k != "text"}}
            yield {**keys, "text": text}, _case(source, text, keys)


@cache
def cases() -> tuple[Case, ...]:
    """Every utterance of the corpus."""
    return tuple(case for source, doc in raw_files() for _, case in flatten(source, doc))


@cache
def home() -> dict[str, Any]:
    """The test home (home.yaml) as parsed YAML."""
    loaded: dict[str, Any] = yaml.safe_load((HERE / "home.yaml").read_text(encoding="utf-8"))
    return loaded

"""Phrase-list extras: the installer's own phrases, each standing for a phrase the agent knows.

A resident says "开大灯" for "打开客厅灯", or a name the generator misses: the installer writes
`开大灯 = 打开客厅灯`, one per line and per language. The station hears the extra phrase (it
goes into the phrase list) and the agent takes it as its target, before anything else: the
guard, the scenes, the alerts all see the target, so a sensitive target is confirmed (and asks
for the PIN) exactly as the original. An extra never carries digits (a PIN would be stored in
plain text and said along with a command) and never shadows a phrase the agent already
understands.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from .languages import LANGUAGES
from .replies import contains_pin
from .scene_model import phrase_key

__all__ = [
    "MAX_EXTRAS",
    "MAX_EXTRA_CHARS",
    "Extra",
    "ExtraProblem",
    "Extras",
    "as_lines",
    "check_extras",
    "check_meanings",
    "extras_from_options",
    "parse_lines",
    "target_of",
]

MAX_EXTRA_CHARS: Final = 40  # each side: a short spoken phrase, as in the scene packs
MAX_EXTRAS: Final = 100  # per language
_CJK: Final = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DIGIT: Final = re.compile(r"\d")

type Extras = Mapping[str, Mapping[str, str]]
"""Per language ("zh", "en"): extra phrase → the phrase it stands for."""


@dataclass(frozen=True, slots=True)
class Extra:
    """One extra phrase and its target, with the line it was written on (1-based)."""

    said: str
    means: str
    line: int


@dataclass(frozen=True, slots=True)
class ExtraProblem:
    """What is wrong with a line: a code (a form error key) and the phrase it is about."""

    line: int
    code: str
    phrase: str


def _clean(text: str) -> str:
    """Full-width forms (an IME's "＝", "Ａ") made plain, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def parse_lines(text: str) -> tuple[list[Extra], list[ExtraProblem]]:
    """`extra = target` lines as typed in the options flow; blank lines are skipped."""
    extras: list[Extra] = []
    problems: list[ExtraProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _clean(raw)
        if not line:
            continue
        said, equals, means = line.partition("=")
        if not equals:
            problems.append(ExtraProblem(number, "extra_no_target", line))
            continue
        said, means = said.strip(), means.strip()
        if not said or not means or "=" in means:
            problems.append(ExtraProblem(number, "extra_empty", line))
            continue
        extras.append(Extra(said, means, number))
    return extras, problems


def check_extras(extras: Iterable[Extra], language: str) -> list[ExtraProblem]:
    """Problems of shape: too many, length, digits or a PIN, the language, an extra that is
    its own target, duplicates."""
    problems: list[ExtraProblem] = []
    seen: set[str] = set()
    for count, extra in enumerate(extras, start=1):
        if count > MAX_EXTRAS:
            problems.append(ExtraProblem(extra.line, "extra_too_many", str(MAX_EXTRAS)))
            break
        problem = _side_problem(extra, language)
        if problem is not None:
            problems.append(problem)
            continue
        key = phrase_key(extra.said)
        if key == phrase_key(extra.means):
            problems.append(ExtraProblem(extra.line, "extra_is_target", extra.said))
        elif key in seen:
            problems.append(ExtraProblem(extra.line, "extra_duplicate", extra.said))
        seen.add(key)
    return problems


def _side_problem(extra: Extra, language: str) -> ExtraProblem | None:
    for side in (extra.said, extra.means):
        if len(side) > MAX_EXTRA_CHARS:
            return ExtraProblem(extra.line, "extra_too_long", side)
        if contains_pin(side):
            # a PIN would be kept in plain text, and said along with the command
            return ExtraProblem(extra.line, "extra_has_pin", side)
        if _DIGIT.search(side):
            return ExtraProblem(extra.line, "extra_has_digits", side)
        # English is recognised without Chinese characters; Mandarin needs them.
        if (language == "en") == bool(_CJK.search(side)):
            return ExtraProblem(extra.line, "extra_wrong_language", side)
    return None


def check_meanings(
    extras: Iterable[Extra], understood: Callable[[str], bool]
) -> list[ExtraProblem]:
    """Problems of meaning, `understood` being whether the agent understands a phrase by
    itself: the target must be understood, the extra must not be (it would change what an
    existing phrase does)."""
    problems: list[ExtraProblem] = []
    for extra in extras:
        if not understood(extra.means):
            problems.append(ExtraProblem(extra.line, "extra_not_understood", extra.means))
        elif understood(extra.said):
            problems.append(ExtraProblem(extra.line, "extra_already_understood", extra.said))
    return problems


def target_of(text: str, extras: Extras, language: str) -> str | None:
    """The phrase `text` stands for when it is one of `language`'s extras, else None."""
    wanted = phrase_key(_clean(text))
    for said, means in extras.get(language, {}).items():
        if phrase_key(said) == wanted:
            return means
    return None


def extras_from_options(value: object) -> dict[str, dict[str, str]]:
    """The extras as stored in the options; anything not of the stored shape is left out."""
    if not isinstance(value, Mapping):
        return {}
    found: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        pairs = value.get(language)
        if isinstance(pairs, Mapping):
            kept = {
                said: means
                for said, means in pairs.items()
                if isinstance(said, str) and isinstance(means, str)
            }
            if kept:
                found[language] = kept
    return found


def as_lines(pairs: Mapping[str, str]) -> str:
    """The extras of one language as the form shows them."""
    return "\n".join(f"{said} = {means}" for said, means in pairs.items())

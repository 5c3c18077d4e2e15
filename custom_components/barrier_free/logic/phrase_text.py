"""A filled template sentence as the resident says it, in Mandarin or English.

The phrase generator (`phrase_fill.py`) writes a number slot's value as a mark (`mark_number`)
and hands the joined sentence to `spoken_phrase`, which says the numbers in words ("二十四度",
"百分之五十", "fifty percent": a speech model outputs words, and `everyday_speech.normalize`
turns them back into digits for matching), drops punctuation and doubled spaces (Mandarin: no
spaces at all), and refuses English spellings only typed text uses.
"""

from __future__ import annotations

import re
from typing import Final

from .home import clean_name
from .numbers import spoken_number

_TYPED_ONLY: Final = frozenset({"hows", "whats", "wheres", "whos"})
"""Spellings Home Assistant's templates accept for typed text ("whats the time"); nobody says
them differently from "what's", and the recogniser's dictionary does not know them."""

_LATIN: Final = re.compile(r"[A-Za-z]")
# An optional 的 (marked \x03 by `templates.template_variant`) before a verb is a broken
# particle: "把大门的上锁" (and before 有 or 什么: "客厅温度的什么状态"); so is one ending a
# command, "关掉客厅灯的", or right after its opening verb, "开启的台灯" (a question or answer
# may end in 的: "灯都是打开的"). 开 is a verb unless it starts 开关.
_DE_BEFORE_VERB: Final = re.compile(
    r"\x03的(?=\s*(?:上锁|锁上|锁好|关|打开|开(?!关)|调|设|开始|取消|恢复|别|停|暂停|播放|继续|有|什么))"
)
_DE_AFTER_VERB: Final = re.compile(r"^(\s*(?:把|将|让|给|打开|关掉|关闭|开启|开|关))\x03的")
_DE_ENDING_COMMAND: Final = re.compile(
    r"^(\s*(?:把|将|让|给|打开|关掉|关闭|开启|开|关|锁上|解锁|上锁|调|设置).*)\x03的\s*$"
)
# Device nouns a name, area or floor may already end with, by family: the template's noun after
# it would double it ("客厅灯灯", "二楼楼", "living room light light").
_NOUN_FAMILIES: Final = {
    "zh": (
        ("灯", "灯光"),
        ("电量", "电池", "电池电量"),
        ("楼", "层"),
        ("窗帘",),
        ("开关",),
        ("插座",),
        ("空调",),
        ("风扇",),
        ("音箱",),
    ),
    "en": (
        ("light", "lights", "lamp", "lamps"),
        ("floor",),
        ("curtain", "curtains"),
        ("fan", "fans"),
        ("lock",),
        ("speaker",),
        ("thermostat",),
        ("battery",),
    ),
}


def settle_particles(text: str) -> str:
    """The optional 的 of a filled sentence kept before nouns only, its mark removed."""
    text = _DE_AFTER_VERB.sub(r"\1", _DE_BEFORE_VERB.sub("", text))
    text = _DE_ENDING_COMMAND.sub(r"\1", text)
    return text.replace("\x03", "")


def doubles_noun(value: str, after: str, language: str) -> bool:
    """Whether a name ending in a device noun is followed by the same noun ("灯" + "灯"; in
    English any word said twice: "master bedroom" + "bedroom light")."""
    if language == "zh":
        rest = after.replace("\x03", "").strip().removeprefix("的").strip()
        return any(
            any(value.endswith(n) for n in family) and any(rest.startswith(n) for n in family)
            for family in _NOUN_FAMILIES["zh"]
        )
    words = after.lower().split()
    last = value.lower().split()[-1:] or [""]
    return bool(words) and (
        words[0] == last[0]
        or any(last[0] in family and words[0] in family for family in _NOUN_FAMILIES["en"])
    )


def mark_number(value: float) -> str:
    """A number slot's value inside a sentence, until `spoken_phrase` says it in words."""
    return f"\x01{value:g}\x02"


def has_latin(text: str) -> bool:
    """Whether `text` holds Latin letters (left out of a Mandarin sentence's wordings)."""
    return _LATIN.search(text) is not None


def spoken_phrase(text: str, language: str) -> str:
    """Spoken numbers, no punctuation, single spaces (Mandarin: no spaces).

    "" when the sentence uses a spelling nobody says: the same sentence with "how's" /
    "what's" is made from another variant.
    """
    text = _speak_numbers(text, language)
    if language == "zh":
        return clean_name(text).replace(" ", "")
    text = clean_name(text.lower())
    if _TYPED_ONLY.intersection(text.split()):
        return ""
    return text


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

"""Numbers and digits as residents say them, both ways, in both station languages.

The one digits table of the integration (`ZH_DIGITS`, `ZH_DIGIT_VALUES`, `EN_ONES`): answers
say numbers with it (`spoken_number`: 24 → "二十四", "twenty four"), everyday speech reads
them back (`chinese_to_number`, `english_to_number`), and a spoken PIN is read digit by digit
(`confirm_sensitive.spoken_digits`, which adds the words said only for single digits).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from .languages import station_language

ZH_DIGITS: Final = "零一二三四五六七八九"
"""The Mandarin word said for each digit, 0-9."""
ZH_DIGIT_VALUES: Final[Mapping[str, int]] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "幺": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
"""Every character read as a digit: also 〇 (written zero), 幺 (1 read out digit by digit) and
两 (2 before a measure word)."""
ZH_UNITS: Final[Mapping[str, int]] = {"十": 10, "百": 100, "千": 1000, "万": 10000}
EN_ONES: Final = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
"""English words for 0-19; the first ten are the digits."""
EN_DIGITS: Final = EN_ONES[:10]
EN_TENS: Final = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
"""English words for 20, 30, ... 90."""

_EN_VALUES: Final = {word: value for value, word in enumerate(EN_ONES)}
_EN_TENS_VALUES: Final = {word: 20 + 10 * index for index, word in enumerate(EN_TENS)}


# --- Saying numbers ------------------------------------------------------------------------------


def zh_integer(value: int) -> str:
    if value < 0:
        return "负" + zh_integer(-value)
    if value < 10:
        return ZH_DIGITS[value]
    if value < 20:
        return "十" + (ZH_DIGITS[value - 10] if value > 10 else "")
    if value >= 100_000_000:
        return "".join(ZH_DIGITS[int(d)] for d in str(value))
    if value >= 10_000:
        high, low = divmod(value, 10_000)
        rest = "" if low == 0 else ("零" if low < 1000 else "") + _zh_below_10000(low, True)
        return _zh_below_10000(high, False) + "万" + rest
    return _zh_below_10000(value, False)


def _zh_below_10000(value: int, inner: bool) -> str:
    parts: list[str] = []
    zero_pending = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, value = divmod(value, unit_value)
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        if unit_value == 10 and digit == 1 and not parts and not inner:
            parts.append("十")
            continue
        word = "两" if digit == 2 and unit_value >= 1000 else ZH_DIGITS[digit]
        parts.append(word + unit)
    return "".join(parts)


def english_number(value: int) -> str:
    """24 → "twenty four", 105 → "one hundred five"."""
    if value < 0:
        return "minus " + english_number(-value)
    if value < 20:
        return EN_ONES[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return EN_TENS[tens - 2] + ("" if ones == 0 else " " + EN_ONES[ones])
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return EN_ONES[hundreds] + " hundred" + ("" if rest == 0 else " " + english_number(rest))
    thousands, rest = divmod(value, 1000)
    return (
        english_number(thousands) + " thousand" + ("" if rest == 0 else " " + english_number(rest))
    )


def spoken_number(value: float, language: str) -> str:
    """A number as the resident says it: 24 → "二十四"/"twenty four", 24.5 → "二十四点五"."""
    zh = station_language(language) == "zh"
    if isinstance(value, float) and not value.is_integer():
        whole, fraction = f"{value:.10g}".split(".")
        if zh:
            return zh_integer(int(whole)) + "点" + "".join(ZH_DIGITS[int(d)] for d in fraction)
        return english_number(int(whole)) + " point " + " ".join(EN_ONES[int(d)] for d in fraction)
    return zh_integer(int(value)) if zh else english_number(int(value))


# --- Reading numbers -----------------------------------------------------------------------------


def chinese_to_number(text: str) -> int | float | None:
    """Read a Chinese numeral ("二十四", "一百零五", "二十四点五", "两百"); None if it is not one.

    Digits read one by one ("一二三四") give the number they spell (1234).
    """
    if not text:
        return None
    whole, _, fraction = text.partition("点")
    if fraction and not all(c in ZH_DIGIT_VALUES for c in fraction):
        return None
    value = _chinese_integer(whole)
    if value is None:
        return None
    if fraction:
        return float(f"{value}.{''.join(str(ZH_DIGIT_VALUES[c]) for c in fraction)}")
    return value


def _chinese_integer(text: str) -> int | None:
    if not text or any(c not in ZH_DIGIT_VALUES and c not in ZH_UNITS for c in text):
        return None
    if all(c in ZH_DIGIT_VALUES for c in text):
        return int("".join(str(ZH_DIGIT_VALUES[c]) for c in text))
    total = 0
    section = 0
    digit: int | None = None
    for char in text:
        if char in ZH_DIGIT_VALUES:
            digit = ZH_DIGIT_VALUES[char]
            continue
        unit = ZH_UNITS[char]
        if unit == 10000:
            total += (section + (digit or 0)) * unit
            section = 0
        else:
            # "十五" means 15: a unit without a digit before it counts once.
            section += (1 if digit is None else digit) * unit
        digit = None
    return total + section + (digit or 0)


def as_digits(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def english_to_number(text: str) -> int | float | None:
    """Read English number words ("twenty four", "one hundred", "twenty one point five")."""
    words = [w for w in re.split(r"[\s-]+", text.strip().lower()) if w and w != "and"]
    if not words:
        return None
    if "point" in words:
        index = words.index("point")
        whole = english_to_number(" ".join(words[:index])) if index else 0
        decimals = [_EN_VALUES.get(w) for w in words[index + 1 :]]
        if whole is None or not decimals or any(d is None or d > 9 for d in decimals):
            return None
        return float(f"{whole}.{''.join(str(d) for d in decimals)}")
    total = 0
    current = 0
    for word in words:
        if word in _EN_VALUES:
            current += _EN_VALUES[word]
        elif word in _EN_TENS_VALUES:
            current += _EN_TENS_VALUES[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        else:
            return None
    return total + current

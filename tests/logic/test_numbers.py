"""Numbers said and read back in both languages, from the one digits table."""

from __future__ import annotations

import pytest

from custom_components.barrier_free.logic.numbers import (
    chinese_to_number,
    english_to_number,
    spoken_number,
)


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (0, "零", "zero"),
        (10, "十", "ten"),
        (12, "十二", "twelve"),
        (24, "二十四", "twenty four"),
        (105, "一百零五", "one hundred five"),
        (110, "一百一十", "one hundred ten"),
        (2700, "两千七百", "two thousand seven hundred"),
        (24.5, "二十四点五", "twenty four point five"),
    ],
)
def test_numbers(value: float, zh: str, en: str) -> None:
    assert spoken_number(value, "zh") == zh
    assert spoken_number(value, "en") == en


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十", 10),
        ("十五", 15),
        ("二十四", 24),
        ("一百", 100),
        ("一百零五", 105),
        ("两百", 200),
        ("二十四点五", 24.5),
        ("一二三四", 1234),
        ("幺二", 12),
        ("灯", None),
    ],
)
def test_chinese_numbers(text: str, value: float | None) -> None:
    assert chinese_to_number(text) == value


def test_english_numbers() -> None:
    assert english_to_number("twenty four") == 24
    assert english_to_number("one hundred") == 100
    assert english_to_number("twenty one point five") == 21.5
    assert english_to_number("lamp") is None

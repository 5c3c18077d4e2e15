"""Phrase-list extras as typed by an installer: every line read, every problem named with its
line, the household file carrying them, and an extra found in any way it is heard."""

from __future__ import annotations

import yaml  # type: ignore[import-untyped]

from custom_components.barrier_free.logic.extra_phrases import (
    MAX_EXTRAS,
    Extra,
    check_extras,
    check_meanings,
    extras_from_options,
    parse_lines,
    target_of,
)
from custom_components.barrier_free.logic.household import (
    Household,
    export_household,
    read_household,
)


def _codes(text: str, language: str) -> list[tuple[int, str, str]]:
    extras, problems = parse_lines(text)
    problems += check_extras(extras, language)
    return sorted((p.line, p.code, p.phrase) for p in problems)


def test_lines_are_read_with_full_width_forms_and_blank_lines_skipped() -> None:
    extras, problems = parse_lines("开大灯 = 打开客厅主灯\n\n  关大灯＝关闭客厅主灯  \n")
    assert problems == []
    assert extras == [Extra("开大灯", "打开客厅主灯", 1), Extra("关大灯", "关闭客厅主灯", 3)]
    assert check_extras(extras, "zh") == []


def test_every_bad_line_is_named_with_its_line() -> None:
    text = "\n".join(
        [
            "开大灯",  # 1: no target
            "开大灯 =",  # 2: one side empty
            "a = b = c",  # 3: two equals signs
            "长" * 41 + " = 打开客厅主灯",  # 4: too long
            "开门 = 打开大门一二三四",  # 5: a PIN
            "开到五十 = 把客厅主灯调到50",  # 6: digits
            "big light = 打开客厅主灯",  # 7: not Mandarin
            "打开客厅主灯 = 打开 客厅主灯",  # 8: itself
            "亮一点 = 打开客厅主灯",
            "亮一点。 = 打开卧室灯",  # 10: the same extra again
        ]
    )
    assert _codes(text, "zh") == [
        (1, "extra_no_target", "开大灯"),
        (2, "extra_empty", "开大灯 ="),
        (3, "extra_empty", "a = b = c"),
        (4, "extra_too_long", "长" * 41),
        (5, "extra_has_pin", "打开大门一二三四"),
        (6, "extra_has_digits", "把客厅主灯调到50"),
        (7, "extra_wrong_language", "big light"),
        (8, "extra_is_target", "打开客厅主灯"),
        (10, "extra_duplicate", "亮一点。"),
    ]
    assert _codes("big light on = 打开客厅主灯", "en") == [
        (1, "extra_wrong_language", "打开客厅主灯")
    ]
    words = [a + b for a in "abcdefghij" for b in "abcdefghijk"][: MAX_EXTRAS + 1]
    many = "\n".join(f"light {word} = turn on the kitchen light" for word in words)
    assert (MAX_EXTRAS + 1, "extra_too_many", str(MAX_EXTRAS)) in _codes(many, "en")


def test_meanings_target_understood_and_extra_not_already() -> None:
    understood = {"打开客厅主灯", "关灯"}.__contains__
    extras = [
        Extra("开大灯", "打开客厅主灯", 1),
        Extra("乱说", "不存在", 2),
        Extra("关灯", "打开客厅主灯", 3),
    ]
    problems = check_meanings(extras, understood)
    assert [(p.line, p.code, p.phrase) for p in problems] == [
        (2, "extra_not_understood", "不存在"),
        (3, "extra_already_understood", "关灯"),
    ]


def test_target_found_as_recognised_or_typed() -> None:
    extras = extras_from_options(
        {"zh": {"开大灯": "打开客厅主灯"}, "en": {"big light on": "turn on the kitchen light"}}
    )
    assert target_of("开 大 灯", extras, "zh") == "打开客厅主灯"  # Mandarin heard with spaces
    assert target_of("Big light on.", extras, "en") == "turn on the kitchen light"
    assert target_of("big light on", extras, "zh") is None  # only in its own language
    assert target_of("开灯", extras, "zh") is None
    assert extras_from_options({"zh": ["not", "pairs"], "fr": {"a": "b"}}) == {}


def test_household_file_carries_the_extras() -> None:
    household = Household(
        "zh",
        (),  # none chosen yet: the extras travel all the same
        {},
        phrases={"zh": {"开大灯": "打开客厅主灯"}, "en": {"big light on": "turn on the light"}},
    )
    text = export_household(household)
    assert yaml.safe_load(text)["phrases"]["zh"] == {"开大灯": "打开客厅主灯"}
    read, errors = read_household(text.encode())
    assert errors == []
    assert read is not None
    assert read.phrases == household.phrases

    bad = "barrier_free_household: 1\nlanguage: zh\nprofiles: [blind]\nroles: {}\n"
    bad += "phrases:\n  zh:\n    开大灯: [打开]\n  fr: {}\n"
    read, errors = read_household(bad.encode())
    assert read is None
    assert sorted((e.line, e.code) for e in errors) == [(7, "expected_text"), (8, "unknown_key")]

"""Spoken answers: complete in both languages, and numbers, times and dates said properly."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from custom_components.barrier_free.logic.spoken import (
    RESPONSES,
    device_noun,
    join_names,
    placeholders,
    say,
    say_date,
    say_duration,
    say_time,
)


def test_every_answer_exists_in_both_languages_with_the_same_blanks() -> None:
    zh, en = RESPONSES["zh"], RESPONSES["en"]
    assert set(zh) == set(en)
    mismatched = [key for key in zh if placeholders(zh[key]) != placeholders(en[key])]
    assert not mismatched
    assert all(text.strip() for table in (zh, en) for text in table.values())


def test_answers_name_device_and_room() -> None:
    for language, area, device in (("zh", "客厅", "灯"), ("en", "living room", "light")):
        target = say("target_in_area", language, area=area, device=device)
        assert say("turned_on", language, target=target) == (
            "已打开客厅的灯。" if language == "zh" else "Turned on the living room light."
        )
    assert say("no_area", "zh", area="书房") == "没有找到叫做书房的房间。"
    assert say("no_device_in_area", "zh", area="厨房", device="窗帘") == "厨房没有窗帘。"
    assert say("not_understood", "zh") == "没听清，请再说一遍。"
    assert say("not_understood", "en") == "Sorry, I didn't catch that, please say it again."
    assert say("ambiguous", "zh", count=6, device="灯") == "有六个灯，请说是哪个房间的。"
    assert say("ambiguous", "zh", count=2, device="灯") == "有两个灯，请说是哪个房间的。"
    assert say("set_temperature", "zh", target="空调", temperature=24) == "已把空调设为二十四度。"
    assert say("help", "zh-CN", examples="打开客厅的灯") == "你可以说：打开客厅的灯。"


def test_missing_blank_is_an_error_not_half_a_sentence() -> None:
    with pytest.raises(KeyError):
        say("no_area", "zh")
    with pytest.raises(KeyError):
        say("no_such_answer", "en")


@pytest.mark.parametrize(
    ("hour", "minute", "zh", "en"),
    [
        (15, 15, "现在是下午三点十五分。", "It is 3:15 PM."),
        (14, 0, "现在是下午两点。", "It is 2:00 PM."),
        (12, 30, "现在是中午十二点半。", "It is 12:30 PM."),
        (0, 5, "现在是凌晨十二点零五分。", "It is 12:05 AM."),
        (8, 2, "现在是早上八点零二分。", "It is 8:02 AM."),
        (10, 45, "现在是上午十点四十五分。", "It is 10:45 AM."),
        (22, 10, "现在是晚上十点十分。", "It is 10:10 PM."),
    ],
)
def test_time(hour: int, minute: int, zh: str, en: str) -> None:
    moment = datetime(2026, 11, 28, hour, minute)
    assert say_time(moment, "zh") == zh
    assert say_time(moment, "en") == en


@pytest.mark.parametrize(
    ("minutes", "zh", "en"),
    [
        (1, "一分钟", "1 minute"),
        (2, "两分钟", "2 minutes"),
        (5, "五分钟", "5 minutes"),
        (60, "一小时", "1 hour"),
        (90, "一小时三十分钟", "1 hour and 30 minutes"),
        (121, "两小时一分钟", "2 hours and 1 minute"),
        (1440, "二十四小时", "24 hours"),
        (1439, "二十三小时五十九分钟", "23 hours and 59 minutes"),
    ],
)
def test_duration_in_hours_and_minutes(minutes: int, zh: str, en: str) -> None:
    """A day-long PIN lockout is said as "24 hours", never as "1440 minutes"."""
    assert say_duration(minutes, "zh") == zh
    assert say_duration(minutes, "en_US") == en


def test_date() -> None:
    day = date(2026, 11, 28)
    assert say_date(day, "zh") == "今天是二零二六年十一月二十八日，星期六。"
    assert say_date(day, "en") == "Today is Saturday, November 28, 2026."


def test_nouns_and_lists() -> None:
    assert device_noun("cover", "garage", "zh") == "车库门"
    assert device_noun("cover", "curtain", "en") == "curtain"
    assert device_noun("vacuum", None, "zh") == "扫地机器人"
    assert device_noun("water_heater", None, "en") == "device"
    assert join_names(["客厅", "卧室", "厨房"], "zh") == "客厅、卧室和厨房"
    assert join_names(["living room", "bedroom"], "en") == "living room and bedroom"
    assert join_names([], "en") == ""

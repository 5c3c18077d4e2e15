"""Showroom decisions: what a visitor asked, what a reset restores (never a sensitive action),
and the day's counters."""

from __future__ import annotations

from datetime import date

import pytest

from custom_components.barrier_free.logic.scene_model import Exhibit
from custom_components.barrier_free.logic.scene_packs import BUNDLED_FOLDER, Text, load_library
from custom_components.barrier_free.logic.showroom import (
    SAYINGS,
    Ask,
    Call,
    Counters,
    Request,
    Saved,
    explanation,
    restore_calls,
    saved,
    showroom_phrases,
    showroom_request,
)
from custom_components.barrier_free.logic.spoken import placeholders

EXHIBITS = list(load_library(BUNDLED_FOLDER).profiles["showroom"].exhibits.values())


def _role(text: str) -> str | None:
    request = showroom_request(text, EXHIBITS)
    return request.exhibit.role if request and request.exhibit else None


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("介绍一下窗帘", "curtains"),
        ("请介绍一下客厅窗帘", "curtains"),
        ("大门是什么", "front_door_lock"),
        ("车库门是干什么的", "garage_door"),
        ("tell me about the curtains", "curtains"),
        ("Tell me about the curtain.", "curtains"),
        ("what is the garage door", "garage_door"),
        ("what's the doorbell?", "doorbell"),
    ],
)
def test_a_named_exhibit_is_found_in_either_language(text: str, role: str) -> None:
    assert _role(text) == role


@pytest.mark.parametrize(
    ("text", "ask"),
    [
        ("这是什么", Ask.EXPLAIN),
        ("What is this?", Ask.EXPLAIN),
        ("复位展厅", Ask.RESET),
        ("Reset the showroom.", Ask.RESET),
        ("设为展厅初始状态", Ask.SET_START),
        ("set the start state", Ask.SET_START),
    ],
)
def test_showroom_requests(text: str, ask: Ask) -> None:
    assert showroom_request(text, EXHIBITS) == Request(ask)


@pytest.mark.parametrize(
    "text",
    [
        "打开窗帘",
        "what is the time",
        "turn on the light",
        "天气是什么",
        "tell me about",
        "窗帘的状态是什么",
        "what is the state of the curtains",
    ],
)
def test_everything_else_is_left_to_the_agent(text: str) -> None:
    assert _role(text) is None
    request = showroom_request(text, EXHIBITS)
    assert request is None


def test_explanations_in_both_languages() -> None:
    curtains = Exhibit("curtains", Text("窗帘", "curtains"), Text("这是窗帘。", "Curtains."))
    door = Exhibit("front_door_lock", Text("大门", "front door"), Text("大门。", "The door."))
    assert explanation(Request(Ask.EXPLAIN, curtains), [curtains], "zh-Hans") == "这是窗帘。"
    assert explanation(Request(Ask.EXPLAIN, curtains), [curtains], "en") == "Curtains."
    assert explanation(Request(Ask.EXPLAIN), [curtains, door], "zh").endswith("窗帘、大门。")
    assert explanation(Request(Ask.EXPLAIN), [curtains, door], "en").endswith(
        "curtains, front door."
    )


def test_every_saying_has_the_same_blanks_in_both_languages() -> None:
    for en, zh in SAYINGS.values():
        assert placeholders(en) == placeholders(zh)


def _light(state: str, brightness: int | None = None) -> Saved:
    return saved("light", state, {"brightness": brightness} if brightness else {})


def test_a_reset_puts_lights_switches_and_curtains_back() -> None:
    start = {
        "light.a": _light("off"),
        "light.b": _light("on", 200),
        "light.c": _light("on", 100),
        "switch.s": Saved("on"),
        "cover.curtain": saved("cover", "closed", {"current_position": 0}),
        "cover.blind": Saved("open"),
        "media_player.tv": Saved("playing"),
        "climate.ac": saved("climate", "cool", {"temperature": 26}),
    }
    now = {
        "light.a": _light("on", 255),
        "light.b": _light("off"),
        "light.c": _light("on", 255),
        "switch.s": Saved("off"),
        "cover.curtain": saved("cover", "open", {"current_position": 80}),
        "cover.blind": Saved("closed"),
        "media_player.tv": Saved("off"),
        "climate.ac": saved("climate", "heat", {"temperature": 20}),
    }
    assert restore_calls(start, now) == [
        Call("light", "turn_off", "light.a"),
        Call("light", "turn_on", "light.b", {"brightness": 200}),
        Call("light", "turn_on", "light.c", {"brightness": 100}),
        Call("switch", "turn_on", "switch.s"),
        Call("cover", "set_cover_position", "cover.curtain", {"position": 0}),
        Call("cover", "open_cover", "cover.blind"),
        Call("media_player", "turn_on", "media_player.tv"),
        Call("climate", "set_hvac_mode", "climate.ac", {"hvac_mode": "cool"}),
        Call("climate", "set_temperature", "climate.ac", {"temperature": 26}),
    ]
    assert restore_calls(start, start) == []


def test_a_reset_locks_arms_and_closes_but_never_unlocks_disarms_or_opens_a_door() -> None:
    garage = {"device_class": "garage"}
    start = {
        "lock.front": Saved("locked"),
        "lock.back": Saved("unlocked"),
        "alarm_control_panel.home": Saved("armed_away"),
        "alarm_control_panel.flat": Saved("disarmed"),
        "cover.garage": saved("cover", "closed", {**garage, "current_position": 0}),
        "cover.gate": saved("cover", "open", {**garage, "current_position": 100}),
        "cover.door": saved("cover", "open", {"device_class": "door"}),
    }
    now = {
        "lock.front": Saved("unlocked"),
        "lock.back": Saved("locked"),
        "alarm_control_panel.home": Saved("disarmed"),
        "alarm_control_panel.flat": Saved("armed_home"),
        "cover.garage": saved("cover", "open", {**garage, "current_position": 100}),
        "cover.gate": saved("cover", "closed", {**garage, "current_position": 0}),
        "cover.door": saved("cover", "closed", {"device_class": "door"}),
    }
    assert restore_calls(start, now) == [
        Call("lock", "lock", "lock.front"),
        Call("alarm_control_panel", "alarm_arm_away", "alarm_control_panel.home"),
        Call("cover", "set_cover_position", "cover.garage", {"position": 0}),
    ]


def test_gone_or_unavailable_exhibits_are_left_alone() -> None:
    start = {"light.a": _light("on"), "light.b": _light("unavailable"), "light.c": _light("on")}
    now = {"light.a": _light("unavailable"), "light.b": _light("on")}
    assert restore_calls(start, now) == []
    assert Saved.from_dict(_light("on", 3).as_dict()) == _light("on", 3)


def test_counters_count_and_start_again_on_another_day() -> None:
    day = date(2026, 12, 2)
    counters = (
        Counters(day)
        .counted(understood=True, acted=True)
        .counted(understood=True)
        .counted(understood=False, acted=True)  # not understood: never "acted on"
    )
    assert (counters.tried, counters.understood, counters.acted, counters.rejected) == (3, 2, 1, 1)
    assert counters.on(day) is counters
    assert counters.on(date(2026, 12, 3)) == Counters(date(2026, 12, 3))
    assert Counters.from_dict(counters.as_dict()) == counters
    with pytest.raises(ValueError):
        Counters.from_dict({**counters.as_dict(), "day": "yesterday"})


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_phrase_the_station_is_given_is_understood(language: str) -> None:
    phrases = showroom_phrases(EXHIBITS, language)
    assert len(phrases) == len(set(phrases)) > 2 * len(EXHIBITS)
    for phrase in phrases:
        assert showroom_request(phrase, EXHIBITS) is not None, phrase

"""Flash patterns, the exact-restore call, shared lights and the notice, without Home Assistant."""

from __future__ import annotations

import pytest

from custom_components.barrier_free.logic.flash_notice import _TEXTS, KIND_NAMES, flash_notice
from custom_components.barrier_free.logic.flash_patterns import (
    KINDS,
    PRIORITIES,
    FlashStep,
    pattern_for,
    priority_rank,
    step_call,
)
from custom_components.barrier_free.logic.flash_sharing import SharedLights
from custom_components.barrier_free.logic.light_restore import restore_call


def _rhythm(kind: str) -> tuple[tuple[bool, float], ...]:
    return tuple((s.on, s.seconds) for s in pattern_for(kind, "info").steps)


def _colours(kind: str) -> tuple[tuple[float, float], ...]:
    return tuple(s.colour for s in pattern_for(kind, "info").steps if s.on)


def test_every_kind_differs_in_rhythm_alone_and_in_colour() -> None:
    assert len({_rhythm(kind) for kind in KINDS}) == len(KINDS)
    assert len({_colours(kind) for kind in KINDS}) == len(KINDS)
    assert set(KINDS) == {
        "doorbell",
        "door_open",
        "window_open",
        "leak",
        "smoke",
        "gas",
        "low_battery",
        "appliance_done",
        "help",
        "alarm",
        "announcement",
    }


def test_patterns_end_dark_and_repeat_by_priority() -> None:
    for kind in KINDS:
        lengths = [len(pattern_for(kind, p).steps) for p in PRIORITIES]
        assert lengths[0] < lengths[1] < lengths[2]
        for priority in PRIORITIES:
            steps = pattern_for(kind, priority).steps
            assert steps[0].on and not steps[-1].on


def test_repeats_are_separated_by_a_longer_dark_gap() -> None:
    steps = pattern_for("doorbell", "warning").steps
    darks = [s.seconds for s in steps if not s.on]
    assert darks == [0.8, 0.8 + 1.5, 0.8, 0.8 + 1.5, 0.8, 0.8]


def test_unknown_kind_or_priority_is_a_callers_bug() -> None:
    with pytest.raises(ValueError, match="kind"):
        pattern_for("fireworks", "info")
    with pytest.raises(ValueError, match="priority"):
        pattern_for("doorbell", "urgent")
    assert priority_rank("alarm") > priority_rank("warning") > priority_rank("info")


@pytest.mark.parametrize(
    ("modes", "data"),
    [
        ({"hs"}, {"transition": 0, "brightness": 255, "hs_color": (0.0, 100.0)}),
        ({"rgbw"}, {"transition": 0, "brightness": 255, "hs_color": (0.0, 100.0)}),
        ({"color_temp"}, {"transition": 0, "brightness": 255, "color_temp_kelvin": 2200}),
        ({"brightness"}, {"transition": 0, "brightness": 255}),
        ({"onoff"}, {"transition": 0}),
        (set(), {"transition": 0}),
    ],
)
def test_a_step_is_shown_with_what_the_light_has(modes: set[str], data: dict[str, object]) -> None:
    call = step_call(FlashStep(True, 0.2, (0.0, 100.0)), modes)
    assert (call.service, dict(call.data)) == ("turn_on", data)
    assert step_call(FlashStep(False, 0.2), modes).service == "turn_off"


def test_colour_temperature_lights_show_warm_cool_and_white() -> None:
    def kelvin(colour: tuple[float, float]) -> object:
        return step_call(FlashStep(True, 1, colour), {"color_temp"}).data["color_temp_kelvin"]

    assert kelvin((0.0, 100.0)) == 2200  # red: warm
    assert kelvin((330.0, 100.0)) == 2200
    assert kelvin((230.0, 100.0)) == 6500  # blue: cool
    assert kelvin((35.0, 15.0)) == 4000  # white-ish: neutral


@pytest.mark.parametrize(
    ("attributes", "data"),
    [
        (
            {"color_mode": "hs", "brightness": 9, "hs_color": (1, 2)},
            {"brightness": 9, "hs_color": (1, 2)},
        ),
        (
            {"color_mode": "xy", "brightness": 9, "xy_color": (0.1, 0.2), "hs_color": (5, 5)},
            {"brightness": 9, "xy_color": (0.1, 0.2)},
        ),
        (
            {"color_mode": "rgbww", "brightness": 9, "rgbww_color": (1, 2, 3, 4, 5)},
            {"brightness": 9, "rgbww_color": (1, 2, 3, 4, 5)},
        ),
        (
            {
                "color_mode": "color_temp",
                "brightness": 9,
                "color_temp_kelvin": 3000,
                "hs_color": (30, 50),
            },
            {"brightness": 9, "color_temp_kelvin": 3000},
        ),
        ({"color_mode": "white", "brightness": 40}, {"white": 40}),
        ({"color_mode": "brightness", "brightness": 40}, {"brightness": 40}),
        ({"color_mode": "onoff"}, {}),
        ({"color_mode": "hs", "hs_color": None}, {}),
        (
            {"color_mode": "onoff", "effect": "candle", "effect_list": ["candle"]},
            {"effect": "candle"},
        ),
        ({"color_mode": "onoff", "effect": "off", "effect_list": ["off", "candle"]}, {}),
        ({"color_mode": "onoff", "effect": "gone", "effect_list": ["candle"]}, {}),
    ],
)
def test_restore_uses_the_lights_own_colour_mode(
    attributes: dict[str, object], data: dict[str, object]
) -> None:
    call = restore_call("on", attributes)
    assert (call.service, dict(call.data)) == ("turn_on", data)


def test_a_light_that_was_off_goes_back_off() -> None:
    call = restore_call("off", {"color_mode": None, "brightness": None})
    assert (call.service, dict(call.data)) == ("turn_off", {})


def test_shared_lights_the_higher_priority_flashes_and_the_first_keeps_a_tie() -> None:
    shared = SharedLights()
    assert shared.claim("bell", 0, {"hall", "porch"}) == set()
    shared.claim("smoke", 2, {"hall"})
    shared.claim("bell2", 0, {"porch"})
    assert shared.owner("hall") == "smoke"
    assert shared.owner("porch") == "bell"  # a tie: the first keeps it
    assert shared.release("smoke") == set()  # the doorbell still wants the hall
    assert shared.owner("hall") == "bell"
    assert shared.release("bell") == {"hall"}  # porch: bell2 still wants it
    assert shared.release("bell2") == {"porch"}
    assert shared.owner("hall") is None


def test_shared_lights_one_light_given_up_and_claims_replaced() -> None:
    shared = SharedLights()
    shared.claim("a", 1, {"hall", "porch"})
    assert shared.release("a", "porch") == {"porch"}
    assert shared.claim("a", 1, {"desk"}) == {"hall"}  # the new claim no longer wants it
    assert shared.owner("desk") == "a"
    assert shared.release("unknown") == set()


def test_shared_lights_the_resident_takes_a_light_from_everyone() -> None:
    shared = SharedLights()
    shared.claim("a", 1, {"hall", "porch"})
    shared.claim("b", 2, {"hall"})
    shared.resident_took("hall")
    assert shared.owner("hall") is None
    assert not shared.wanted("hall")
    assert shared.release("b") == set()
    assert shared.release("a") == {"porch"}  # hall is not restored: the resident's choice


def test_the_notice_names_the_kind_and_the_lights_in_both_languages() -> None:
    assert set(KIND_NAMES["zh"]) == set(KIND_NAMES["en"]) == set(KINDS)
    assert set(_TEXTS["zh"]) == set(_TEXTS["en"])
    assert flash_notice("smoke", ["Hall", "Porch"], "en") == (
        "Light alert: Smoke",
        "Smoke: flashing Hall and Porch.",
    )
    assert flash_notice("leak", ["厨房灯"], "zh-Hans") == (
        "灯光提醒：漏水",
        "漏水：正在闪灯的有厨房灯。",
    )
    assert flash_notice("gas", [], "ko")[1] == "Gas: no light could flash."

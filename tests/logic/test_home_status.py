"""Home status: most important first, short, in both languages."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.barrier_free.logic.alert_events import battery_low
from custom_components.barrier_free.logic.home_status import (
    DeviceState,
    Priority,
    lights_status,
    locks_status,
    status_items,
    summarize,
)

from .home import AREAS, ENTITY_SPECS

# A quiet home: everything off, closed and locked, 22 °C.
QUIET_STATES = {
    "light": "off",
    "cover": "closed",
    "lock": "locked",
    "alarm_control_panel": "armed_away",
    "climate": "cool",
    "media_player": "idle",
    "fan": "off",
    "switch": "off",
    "binary_sensor": "off",
}


def home_states(language: str, **changes: str) -> list[DeviceState]:
    """The test home's states; `changes` maps an entity id (dots as __) to its state."""
    zh = language == "zh"
    states = []
    for spec in ENTITY_SPECS:
        domain = spec.entity_id.partition(".")[0]
        state = QUIET_STATES.get(domain, "")
        if spec.device_class == "temperature":
            state = "22"
        elif spec.device_class == "battery":
            state = "80"
        state = changes.get(spec.entity_id.replace(".", "__"), state)
        states.append(
            DeviceState(
                spec.entity_id,
                spec.zh if zh else spec.en,
                state,
                area=AREAS[spec.area_id][0 if zh else 1],
                device_class=spec.device_class,
                attributes={"current_temperature": 25} if domain == "climate" else {},
            )
        )
    return states


BUSY = {
    "binary_sensor__kitchen_leak": "on",
    "lock__front_door": "unlocked",
    "light__living_room_ceiling": "on",
    "light__bedside": "on",
    "sensor__living_room_temperature": "24",
}


def test_summary_most_important_first() -> None:
    assert summarize(home_states("zh", **BUSY), "zh") == (
        "厨房漏水！大门没有锁。卧室和客厅的灯开着。室内温度二十四度。"
    )
    assert summarize(home_states("en", **BUSY), "en") == (
        "Water leak in the kitchen! Front door unlocked. Lights are on in the bedroom and "
        "living room. Indoor temperature 24 degrees."
    )


def test_all_clear() -> None:
    assert summarize(home_states("zh"), "zh") == "家里一切正常。室内温度二十二度。"
    assert summarize(home_states("en"), "en") == (
        "Everything at home is fine. Indoor temperature 22 degrees."
    )


def test_danger_is_never_cut() -> None:
    states = home_states(
        "zh",
        **BUSY,
        binary_sensor__kitchen_smoke="on",
        alarm_control_panel__home="triggered",
        binary_sensor__bedroom_window="on",
        sensor__front_door_battery="9",
        switch__water_heater="unavailable",
    )
    items = status_items(states, "zh")
    assert [i.priority for i in items] == sorted(i.priority for i in items)
    assert items[0].priority is Priority.DANGER
    short = summarize(states, "zh", max_sentences=2)
    assert short == "安防系统在报警！厨房漏水！厨房有烟雾！"
    full = summarize(states, "zh", max_sentences=10)
    assert "卧室窗户开着。" in full
    # "门锁电量" is said once: "门锁电量低", never "门锁电量电量低"
    assert full.endswith("门锁电量低。热水器连不上。")


@pytest.mark.parametrize("level", ["18", "19.5"])
def test_a_battery_the_alerts_call_low_is_low_in_the_status_too(level: str) -> None:
    """One threshold: a level the low-battery alert announces is in the status answer."""
    assert battery_low("sensor", level)
    full = summarize(home_states("en", sensor__front_door_battery=level), "en", max_sentences=10)
    assert "Low battery: door lock." in full
    # never "everything is fine" beside a low battery
    assert full.startswith("Nothing urgent at home. ")
    zh = summarize(home_states("zh", sensor__front_door_battery=level), "zh", max_sentences=10)
    assert zh.startswith("家里没有紧急情况。") and "电量低" in zh
    assert "battery" not in summarize(
        home_states("en", sensor__front_door_battery="20"), "en", max_sentences=10
    )


def test_temperature_from_thermostats_without_sensor() -> None:
    states = [s for s in home_states("en") if s.device_class != "temperature"]
    assert "Indoor temperature 25 degrees." in summarize(states, "en")


def test_many_unavailable_devices_are_counted() -> None:
    states = [replace(s, state="unavailable") for s in home_states("zh")][:6]
    text = summarize(states, "zh", max_sentences=10)
    assert "等六个设备连不上。" in text


@pytest.mark.parametrize(
    ("changes", "zh", "en"),
    [
        ({}, "门都锁好了。", "All doors are locked."),
        ({"lock__front_door": "unlocked"}, "大门没有锁。", "Front door unlocked."),
        ({"lock__front_door": "jammed"}, "大门卡住了。", "Front door jammed."),
        (
            {"binary_sensor__front_door": "on", "cover__garage_door": "open"},
            "大门门磁和车库门开着。",
            "Front door sensor and garage door open.",
        ),
    ],
)
def test_are_the_doors_locked(changes: dict[str, str], zh: str, en: str) -> None:
    assert locks_status(home_states("zh", **changes), "zh") == zh
    assert locks_status(home_states("en", **changes), "en") == en


def test_no_locks() -> None:
    states = [s for s in home_states("zh") if s.domain != "lock"]
    assert locks_status(states, "zh") == "家里没有可以查看的门锁。"


def test_which_lights_are_on() -> None:
    assert lights_status(home_states("zh"), "zh") == "灯都关着。"
    on = {
        "light__living_room_ceiling": "on",
        "light__living_room_lamp": "on",
        "light__bedside": "on",
    }
    assert (
        lights_status(home_states("zh", **on), "zh") == "卧室的床头灯、客厅主灯和客厅的落地灯开着。"
    )
    assert lights_status(home_states("en", **on), "en") == (
        "On: the bedside lamp in the bedroom, the living room ceiling light and the floor lamp "
        "in the living room."
    )

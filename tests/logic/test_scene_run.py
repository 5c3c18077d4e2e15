"""Running the shipped scenes against role bindings: the service calls, which scenes an unbound
role disables, and what the station says afterwards in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hassil import Intents, recognize

from custom_components.barrier_free.logic.scene_packs import Scene, load_library
from custom_components.barrier_free.logic.scene_roles import ROLES
from custom_components.barrier_free.logic.scene_run import (
    Outcome,
    RunResult,
    ScenePlan,
    plan_scene,
    scene_availability,
    scene_for_text,
    scene_phrases,
    still_on_or_open,
    summarize_run,
)

ROOT = Path(__file__).resolve().parents[2]
SCENES = load_library(ROOT / "scenes").scenes

BINDINGS = {
    "entrance_light": ["light.entrance"],
    "hallway_light": ["switch.hallway"],  # a light role on a plain switch
    "living_room_light": ["light.living_room"],
    "bedside_light": ["light.bedside"],
    "path_lights": ["light.path_1", "light.path_2"],
    "curtains": ["cover.bedroom_curtain"],
    "tv": ["media_player.tv"],
    "front_door_lock": ["lock.front_door"],
    "window_sensor": ["binary_sensor.bedroom_window", "binary_sensor.kitchen_window"],
    "door_sensor": ["binary_sensor.front_door"],
    "garage_door": ["cover.garage"],
    "caregiver_notify": ["notify.daughter"],
}
NAMES_ZH = {
    "light.entrance": "门厅灯",
    "switch.hallway": "走廊灯",
    "light.living_room": "客厅灯",
    "light.bedside": "床头灯",
    "cover.bedroom_curtain": "卧室窗帘",
    "media_player.tv": "电视",
    "lock.front_door": "大门",
    "binary_sensor.bedroom_window": "卧室窗户",
    "binary_sensor.kitchen_window": "厨房窗户",
    "cover.garage": "车库门",
    "notify.daughter": "女儿的手机",
}
NAMES_EN = {
    "light.entrance": "entrance light",
    "switch.hallway": "hallway light",
    "light.living_room": "living room light",
    "light.bedside": "bedside lamp",
    "cover.bedroom_curtain": "bedroom curtain",
    "media_player.tv": "TV",
    "lock.front_door": "front door",
    "binary_sensor.bedroom_window": "bedroom window",
    "cover.garage": "garage door",
    "notify.daughter": "Mei's phone",
}


def calls_of(plan: ScenePlan) -> list[tuple[str, tuple[str, ...], dict[str, object]]]:
    return [(f"{c.domain}.{c.service}", c.entity_ids, dict(c.data)) for c in plan.calls]


def all_done(plan: ScenePlan, *, except_: dict[str, Outcome] | None = None) -> list[RunResult]:
    outcomes = except_ or {}
    return [
        RunResult(call, entity_id, outcomes.get(entity_id, Outcome.DONE))
        for call in plan.calls
        for entity_id in call.entity_ids
    ]


def test_coming_home_turns_on_the_bound_lights_and_a_switch_without_light_options() -> None:
    plan = plan_scene(SCENES["coming_home"], BINDINGS, "zh")
    assert plan.runnable and plan.missing == () and plan.skipped == ()
    assert calls_of(plan) == [
        ("light.turn_on", ("light.entrance",), {"brightness_pct": 100}),
        ("switch.turn_on", ("switch.hallway",), {}),
        ("cover.open_cover", ("cover.bedroom_curtain",), {}),
    ]


def test_an_unbound_role_disables_only_the_scenes_that_need_it() -> None:
    without_lock = {k: v for k, v in BINDINGS.items() if k != "front_door_lock"}
    assert {
        s for s, missing in scene_availability(SCENES.values(), without_lock).items() if missing
    } == {"leaving_home"}
    assert scene_availability([SCENES["leaving_home"]], without_lock) == {
        "leaving_home": ("front_door_lock",)
    }
    without_carer = {k: v for k, v in BINDINGS.items() if k != "caregiver_notify"}
    availability = scene_availability(SCENES.values(), without_carer)
    assert availability["help"] == ("caregiver_notify",)
    assert all(not missing for scene, missing in availability.items() if scene != "help")


def test_an_unbound_optional_role_only_skips_its_step() -> None:
    bindings = {k: v for k, v in BINDINGS.items() if k != "curtains"}
    plan = plan_scene(SCENES["coming_home"], bindings, "en")
    assert plan.runnable and plan.skipped == ("curtains",)
    assert [call for call, _, _ in calls_of(plan)] == ["light.turn_on", "switch.turn_on"]


@pytest.mark.parametrize("scene", SCENES.values(), ids=lambda scene: scene.id)
def test_no_shipped_scene_ever_unlocks_opens_a_door_or_disarms(scene: Scene) -> None:
    every_role_bound = {role: [f"{next(iter(r.accepts))}.{role}"] for role, r in ROLES.items()}
    plan = plan_scene(scene, every_role_bound, "zh")
    for call in plan.calls:
        assert call.service not in ("unlock", "open", "alarm_disarm")
        if call.domain == "cover" and call.service != "close_cover":
            assert not ROLES[call.role].opens_the_home


def test_help_notifies_the_caregiver_in_the_households_language() -> None:
    zh = plan_scene(SCENES["help"], BINDINGS, "zh").calls[0]
    en = plan_scene(SCENES["help"], BINDINGS, "en-US").calls[0]
    assert (zh.domain, zh.service, zh.entity_ids) == (
        "notify",
        "send_message",
        ("notify.daughter",),
    )
    assert str(zh.data["message"]).startswith("家里有人求助")
    assert str(en.data["message"]).startswith("Someone at home asked for help")


def test_leaving_home_names_what_is_still_open_and_what_failed() -> None:
    plan = plan_scene(SCENES["leaving_home"], BINDINGS, "zh")
    assert ("lock.lock", ("lock.front_door",), {}) in calls_of(plan)
    states = {
        "lock.front_door": "locked",
        "binary_sensor.bedroom_window": "on",
        "binary_sensor.kitchen_window": "off",
        "binary_sensor.front_door": "off",
        "cover.garage": "open",
        "cover.bedroom_curtain": "closed",
        "media_player.tv": "unavailable",
    }
    still_on = still_on_or_open(plan, states)
    assert still_on == ("binary_sensor.bedroom_window", "cover.garage")
    results = all_done(plan, except_={"media_player.tv": Outcome.UNAVAILABLE})
    assert summarize_run(plan, results, still_on, NAMES_ZH, "zh") == (
        "离家模式：已关闭门厅灯、走廊灯、客厅灯和床头灯，已锁上大门。"
        "电视现在连不上。还开着：卧室窗户和车库门。"
    )
    assert summarize_run(plan, results, still_on, NAMES_EN, "en") == (
        "Leaving home. Turned off entrance light, hallway light, living room light and bedside"
        " lamp. Locked front door. Could not reach TV. Still on or open: bedroom window and"
        " garage door."
    )


def test_after_leaving_with_everything_closed_it_says_so() -> None:
    plan = plan_scene(SCENES["leaving_home"], BINDINGS, "zh")
    closed = {entity: "off" for ids in plan.report.values() for entity in ids} | {
        "lock.front_door": "locked",
        "cover.garage": "closed",
        "cover.bedroom_curtain": "closed",
    }
    assert still_on_or_open(plan, closed) == ()
    said = summarize_run(plan, all_done(plan), (), NAMES_ZH, "zh")
    assert said.endswith("已锁上大门。门窗和设备都关好了。")


def test_night_path_says_the_path_lights_were_dimmed_and_names_unnamed_ones_by_role() -> None:
    plan = plan_scene(SCENES["night_path"], BINDINGS, "zh")
    assert calls_of(plan)[0] == (
        "light.turn_on",
        ("light.path_1", "light.path_2"),
        {"brightness_pct": 15, "transition": 2},
    )
    assert summarize_run(plan, all_done(plan), (), NAMES_ZH, "zh") == (
        "起夜模式：已把夜间通道灯调暗，已打开走廊灯。"
    )
    assert summarize_run(plan, all_done(plan), (), {}, "en") == (
        "Night path. Dimmed the path lights. Turned on the hallway light."
    )


def test_a_scene_run_without_a_needed_role_says_which_and_what_did_not_respond() -> None:
    bindings = {k: v for k, v in BINDINGS.items() if k != "caregiver_notify"}
    plan = plan_scene(SCENES["help"], bindings, "zh")
    assert not plan.runnable and plan.missing == ("caregiver_notify",)
    results = all_done(plan, except_={"light.bedside": Outcome.FAILED})
    assert summarize_run(plan, results, (), NAMES_ZH, "zh") == (
        "求助：已打开门厅灯、走廊灯、客厅灯和夜间通道灯。床头灯没有响应。还没有给看护人通知设置设备。"
    )
    assert summarize_run(plan, results, (), NAMES_EN, "en") == (
        "Emergency help. Turned on entrance light, hallway light, living room light and the path"
        " lights. Bedside lamp did not respond. No device is set up for the caregiver notification."
    )


def test_nothing_bound_nothing_done_and_it_says_so() -> None:
    plan = plan_scene(SCENES["everything_off"], {}, "zh")
    assert plan.runnable and plan.calls == ()
    assert summarize_run(plan, [], (), {}, "zh") == "全部关闭：没有可以做的操作。"
    assert summarize_run(plan, [], (), {}, "en") == "Everything off. There was nothing to do."


def test_scene_phrases_and_what_text_starts_a_scene() -> None:
    scenes = list(SCENES.values())
    zh = scene_phrases(scenes, "zh-Hans")
    assert "回家模式" in zh and "我要睡觉了" in zh and "I'm home" not in zh
    assert "night path" in scene_phrases(scenes, "en")
    # As the recogniser writes it: spaces between Mandarin words, punctuation, any case.
    assert scene_for_text("我 回来 了。", scenes, "zh") is SCENES["coming_home"]
    assert scene_for_text("I'm Going Out!", scenes, "en") is SCENES["leaving_home"]
    assert scene_for_text("救命", scenes, "en") is SCENES["help"]
    assert scene_for_text("打开客厅的灯", scenes, "zh") is None


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_scene_phrase_is_taken_by_the_agents_own_sentences(language: str) -> None:
    # "help" / "help me" ask the agent what it can do; an emergency scene must not hide them.
    sentences = ROOT / f"custom_components/barrier_free/sentences/{language}.yaml"
    intents = Intents.from_yaml(sentences.read_text(encoding="utf-8"))
    taken = {
        phrase: result.intent.name
        for phrase in scene_phrases(SCENES.values(), language)
        if (result := recognize(phrase, intents)) is not None
    }
    assert taken == {}
    assert recognize("help me" if language == "en" else "帮助", intents) is not None

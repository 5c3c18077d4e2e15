"""Commands understood end to end (logic/commands.py): entities, service and data, from how
residents speak; and what is not a command stays out."""

from __future__ import annotations

import pytest

from custom_components.barrier_free.logic.commands import (
    Command,
    done_answer,
    parse_command,
    resolve_steps,
)

from .corpus_home import corpus_home, corpus_states


def calls(command: Command | None) -> list[tuple[str, list[str], dict[str, object]]]:
    assert command is not None
    return [
        (f"{c.domain}.{c.service}", sorted(e.entity_id for e in c.entities), dict(c.data))
        for c in command.calls
    ]


@pytest.mark.parametrize(
    ("text", "room", "expected"),
    [
        # device first, 一下, reduplicated, Shanghainese, polite openers, particles
        ("落地灯帮我开一下", "living_room", [("light.turn_on", ["light.floor_lamp"], {})]),
        ("落地灯开一开", "living_room", [("light.turn_on", ["light.floor_lamp"], {})]),
        ("床头灯关脱", "master_bedroom", [("light.turn_off", ["light.bedside_lamp"], {})]),
        ("麻烦你把落地灯开一下", "kitchen", [("light.turn_on", ["light.floor_lamp"], {})]),
        # numbers in characters, half, 八成
        (
            "客厅主灯调到百分之五十",
            "living_room",
            [("light.turn_on", ["light.living_room_ceiling"], {"brightness_pct": 50})],
        ),
        (
            "台灯调到八成亮",
            "study",
            [("light.turn_on", ["light.desk_lamp"], {"brightness_pct": 80})],
        ),
        (
            "空调调到二十二度半",
            "living_room",
            [("climate.set_temperature", ["climate.living_room"], {"temperature": 22.5})],
        ),
        (
            "空调，二十四度",
            "living_room",
            [("climate.set_temperature", ["climate.living_room"], {"temperature": 24})],
        ),
        (
            "窗帘拉一半",
            "living_room",
            [("cover.set_cover_position", ["cover.living_room_curtain"], {"position": 50})],
        ),
        # whole home, whole room, floors
        (
            "把门都锁上",
            "master_bedroom",
            [("lock.lock", ["lock.back_door", "lock.front_door"], {})],
        ),
        ("二楼的灯都关了", "living_room", None),
        # the front door at the entrance; the kitchen's one lock at the kitchen
        ("开门", "entrance", [("lock.unlock", ["lock.front_door"], {})]),
        ("解锁", "kitchen", [("lock.unlock", ["lock.back_door"], {})]),
        ("帮我把门锁好", "entrance", [("lock.lock", ["lock.front_door"], {})]),
        (
            "布防",
            "entrance",
            [("alarm_control_panel.alarm_arm_away", ["alarm_control_panel.home"], {})],
        ),
        # English
        (
            "turn the radio up",
            "kitchen",
            [("media_player.volume_up", ["media_player.kitchen_speaker"], {})],
        ),
        (
            "fan on full",
            "living_room",
            [("fan.set_percentage", ["fan.living_room"], {"percentage": 100})],
        ),
        (
            "would you mind opening the bedroom curtains",
            "living_room",
            [("cover.open_cover", ["cover.master_bedroom_curtain"], {})],
        ),
        ("it's movie time", "living_room", [("scene.turn_on", ["scene.movie"], {})]),
        (
            "lock all the doors",
            "master_bedroom",
            [("lock.lock", ["lock.back_door", "lock.front_door"], {})],
        ),
    ],
)
def test_commands(text: str, room: str, expected: list[object] | None) -> None:
    language = "en" if text.isascii() else "zh"
    command = parse_command(text, corpus_home(language), language, room)
    if expected is None:  # a floor's lights: check the set, not the long list
        assert command is not None
        assert {e.area_id for c in command.calls for e in c.entities} == {
            "master_bedroom",
            "second_bedroom",
            "study",
            "bathroom",
        }
        return
    assert calls(command) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我昨天把灯打碎了",
        "祝你开门红",
        "热水器多少钱一台",
        "他是老师的关门弟子",
        "打开天窗说亮话",
        "open your books at page thirty",
        "i locked myself out once in nineteen eighty",
    ],
)
def test_hard_negatives_are_no_commands(text: str) -> None:
    language = "en" if text.isascii() else "zh"
    assert parse_command(text, corpus_home(language), language, "living_room") is None


def test_steps_depend_on_the_states_now() -> None:
    home = corpus_home("zh")
    warmer = resolve_steps(
        parse_command("空调再高两度", home, "zh", "living_room"), corpus_states()
    )  # type: ignore[arg-type]
    assert calls(warmer) == [
        ("climate.set_temperature", ["climate.living_room"], {"temperature": 28})
    ]
    # brighter: only the lights that are on (the floor lamp is off)
    brighter = resolve_steps(parse_command("亮一点", home, "zh", "living_room"), corpus_states())  # type: ignore[arg-type]
    assert calls(brighter) == [
        (
            "light.turn_on",
            ["light.light_strip", "light.living_room_ceiling"],
            {"brightness_step_pct": 20},
        )
    ]


@pytest.mark.parametrize(
    ("language", "text", "room", "answer"),
    [
        ("zh", "热水器开一下", "bathroom", "已打开卫生间的热水器。"),
        ("zh", "把客厅的灯都关了", "living_room", "已关闭客厅的灯。"),
        ("zh", "空调调成自动模式", "living_room", "已把客厅空调调成自动模式。"),
        ("zh", "灯带调成蓝色", "living_room", "已把客厅的灯带调成蓝色。"),
        (
            "en",
            "turn on the light in the dining room",
            "kitchen",
            "Turned on the light in the dining room.",
        ),
        ("en", "switch every light on", "entrance", "Turned on all the lights."),
        (
            "en",
            "set the bedroom AC to 26 degrees",
            "master_bedroom",
            "Set the bedroom air conditioner to 26 degrees.",
        ),
    ],
)
def test_answers_name_what_was_done(language: str, text: str, room: str, answer: str) -> None:
    command = parse_command(text, corpus_home(language), language, room)
    assert command is not None
    assert done_answer(command, language) == answer

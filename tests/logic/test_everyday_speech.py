"""Everyday speech: sentences Home Assistant's own templates reject are understood after
normalisation, and normalisation leaves names and textbook sentences alone."""

from __future__ import annotations

from typing import Any

import pytest
from hassil import Intents, recognize_best
from home_assistant_intents import get_intents

from custom_components.barrier_free.logic.everyday_speech import (
    candidates,
    normalize,
    spoken_form,
)
from custom_components.barrier_free.logic.templates import (
    HASSIL_LANGUAGE,
    intent_context,
    load_templates,
    slot_lists,
)

from .home import HOMES

# (what a resident says, intent, slots that must be in the match); the station is in the
# living room, so "窗帘关上" means the living room curtain.
ZH_EVERYDAY: list[tuple[str, str, dict[str, Any]]] = [
    ("帮我打开客厅的灯", "HassTurnOn", {"area": "客厅", "domain": "light"}),
    ("请打开卧室的灯", "HassTurnOn", {"area": "卧室", "domain": "light"}),
    ("打开客厅的灯吧", "HassTurnOn", {"area": "客厅", "domain": "light"}),
    ("客厅的灯开一下", "HassTurnOn", {"area": "客厅", "domain": "light"}),
    ("把卧室的灯关一下", "HassTurnOff", {"area": "卧室", "domain": "light"}),
    ("卧室窗帘关一下", "HassTurnOff", {"name": "卧室窗帘"}),
    ("窗帘关上", "HassTurnOff", {"device_class": "curtain", "area": "客厅"}),
    ("帮我把客厅窗帘拉开", "HassTurnOn", {"name": "客厅窗帘"}),
    ("麻烦你把卧室风扇开一下吧", "HassTurnOn", {"name": "卧室风扇"}),
    ("帮我把大门关上", "HassTurnOn", {"name": "大门"}),
    ("帮我把卧室空调调到二十六度", "HassClimateSetTemperature", {"temperature": 26}),
    ("声音调到五十", "HassSetVolume", {"volume_level": 50}),
    ("把客厅音箱声音调到三十", "HassSetVolume", {"name": "客厅音箱", "volume_level": 30}),
    ("把客厅的灯亮度调到百分之五十", "HassLightSet", {"area": "客厅", "brightness": 50}),
    ("门锁了吗", "BarrierFreeLockStatus", {}),
    ("哪些灯开着", "BarrierFreeLightStatus", {}),
    ("家里现在怎么样", "BarrierFreeHomeStatus", {}),
    ("客厅亮一点", "BarrierFreeBrightnessStep", {"area": "客厅", "direction": "up"}),
    ("说慢一点", "BarrierFreeSpeakSlower", {}),
    ("再说一遍", "BarrierFreeRepeat", {}),
]
EN_EVERYDAY: list[tuple[str, str, dict[str, Any]]] = [
    ("hey, turn on the bedroom light for me", "HassTurnOn", {"name": "bedroom light"}),
    ("um, switch off the kitchen light, thanks", "HassTurnOff", {"name": "kitchen light"}),
    (
        "um, set the bedroom thermostat to twenty two degrees, thank you",
        "HassClimateSetTemperature",
        {"name": "bedroom thermostat", "temperature": 22},
    ),
    ("are the doors locked", "BarrierFreeLockStatus", {}),
    ("how is the house", "BarrierFreeHomeStatus", {}),
    (
        "make the living room lights brighter",
        "BarrierFreeBrightnessStep",
        {"area": "living room", "direction": "up"},
    ),
    ("speak more slowly", "BarrierFreeSpeakSlower", {}),
    ("say that again", "BarrierFreeRepeat", {}),
]


def _builtin(language: str) -> Intents:
    """Home Assistant's own sentences, all of them, as its agent loads them."""
    data = get_intents(HASSIL_LANGUAGE[language])
    assert data is not None
    return Intents.from_dict(data)


@pytest.mark.parametrize(("language", "sentences"), [("zh", ZH_EVERYDAY), ("en", EN_EVERYDAY)])
def test_everyday_sentences_fail_before_and_match_after(
    language: str, sentences: list[tuple[str, str, dict[str, Any]]]
) -> None:
    home = HOMES[language]
    lists = slot_lists(home)
    context = intent_context(home, "living_room")
    builtin = _builtin(language)
    ours = load_templates(language).accessibility

    def match(text: str, intents: Intents) -> Any:
        return recognize_best(
            text,
            intents,
            slot_lists=dict(lists),
            intent_context=context,
            language=intents.language,
            best_slot_name="name",
        )

    failures = []
    for sentence, intent, slots in sentences:
        before = match(candidates(sentence, language)[0], builtin)
        if before is not None:
            failures.append(f"{sentence!r} already matched {before.intent.name} before")
            continue
        after = None
        # Normalised forms, and this project's own sentences ("门锁了吗") as said.
        for form in candidates(sentence, language):
            after = match(form, ours) or match(form, builtin)
            if after is not None:
                break
        if after is None:
            failures.append(f"{sentence!r} not matched after normalisation")
            continue
        values = {name: entity.value for name, entity in after.entities.items()}
        if after.intent.name != intent or any(values.get(k) != v for k, v in slots.items()):
            failures.append(f"{sentence!r} → {after.intent.name} {values}")
    print(
        f"\n{language}: {len(sentences)} everyday sentences, none matched before, "
        f"{len(sentences) - len(failures)} matched after"
    )
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("said", "normalized"),
    [
        ("帮我 打开 客厅 的 灯 吧", "打开客厅的灯"),
        ("请你帮我把空调调到二十四度好吗", "把空调调到24度"),
        ("音量调到百分之五十", "音量调到50%"),
        ("把温度调到二十四点五度", "把温度调到24.5度"),
        ("声音调到三十", "音量调到30"),
        ("打开一下客厅的灯", "打开客厅的灯"),
        # Values only: names and "一点" (a little) keep their characters.
        ("一号房间亮一点", "一号房间亮一点"),
        ("打开三楼的灯", "打开三楼的灯"),
        ("Could you please turn on the lights, please?", "turn on the lights"),
        ("set the volume to fifty percent", "set the volume to 50%"),
        ("turn on light one", "turn on light one"),
    ],
)
def test_normalize(said: str, normalized: str) -> None:
    language = "en" if said.isascii() else "zh"
    assert normalize(said, language) == normalized


def test_textbook_sentences_are_tried_as_said_first() -> None:
    # "把大门关上" locks the front door in Home Assistant's sentences; rewriting it to "关闭"
    # would lose that, so the sentence as said is always the first form tried.
    assert candidates("把大门关上", "zh")[0] == "把大门关上"
    assert candidates("窗帘关上", "zh")[-1] == "窗帘关闭"


def test_spoken_form_round_trips_through_normalize() -> None:
    for written in ("把空调调到24度", "把亮度调到50%", "音量调到30%"):
        spoken = spoken_form(written, "zh")
        assert not any(c.isdigit() for c in spoken)
        assert normalize(spoken, "zh") == normalize(written, "zh")
    assert spoken_form("set brightness to 50%", "en") == "set brightness to fifty percent"
    assert normalize("set brightness to fifty percent", "en") == "set brightness to 50%"

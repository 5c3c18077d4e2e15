"""The phrase list: everything in it is understood, it respects the home, and it stays small."""

from __future__ import annotations

import random
import re
import time
from dataclasses import replace

import pytest

from custom_components.barrier_free.logic.home import Home
from custom_components.barrier_free.logic.phrase_list import (
    PhraseLimits,
    build_phrase_list,
    examples,
    name_words,
)
from custom_components.barrier_free.logic.questions import answer_question
from custom_components.barrier_free.logic.templates import (
    ACCESSIBILITY_PREFIX,
    EVERYDAY_INTENT,
    intent_context,
    load_templates,
    slot_lists,
)
from custom_components.barrier_free.logic.understanding import Understood, understand

from .home import HOMES, synthetic_home
from .showroom_home import showroom_home

LANGUAGES = ("zh", "en")
STATION_AREAS = (None, "living_room")


def _target_problem(understood: Understood, home: Home) -> str | None:
    """Why the agent could not act on this, or None if the targets exist in the home."""
    slots = understood.slots
    area_ids = {
        area.area_id
        for area in home.areas
        if "area" in slots and slots["area"] in (area.name, *area.aliases)
    }
    if "area" in slots and not area_ids:
        return f"no area {slots['area']}"
    if "name" in slots:
        named = [e for e in home.entities if slots["name"] in (e.name, *e.aliases)]
        if not named:
            return f"no entity {slots['name']}"
        if area_ids and not any(e.area_id in area_ids for e in named):
            return f"{slots['name']} is not in {slots['area']}"
        return None
    domain = slots.get("domain")
    if domain is not None and understood.intent != "HassGetState":
        members = [
            e
            for e in home.entities
            if e.domain == domain
            and (not area_ids or e.area_id in area_ids)
            and ("device_class" not in slots or e.device_class == slots["device_class"])
        ]
        if not members:
            return f"no {domain} {slots.get('device_class', '')} in {slots.get('area', 'home')}"
    return None


@pytest.mark.parametrize("station_area", STATION_AREAS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_phrase_is_understood_and_has_a_target(
    language: str, station_area: str | None
) -> None:
    """A phrase the recogniser can return but the agent cannot handle is a bug."""
    home = HOMES[language]
    templates = load_templates(language)
    phrase_list = build_phrase_list(home, language, station_area_id=station_area)
    lists = slot_lists(home)
    context = intent_context(home, station_area)
    problems: list[str] = []
    for phrase in phrase_list:
        understood = understand(phrase, templates, lists, context)
        source = phrase_list.intents[phrase]
        if understood is None:
            problems.append(f"{phrase!r} ({source}) not understood")
            continue
        if source.startswith(ACCESSIBILITY_PREFIX) and understood.intent != source:
            problems.append(f"{phrase!r} made for {source} understood as {understood.intent}")
        if source.startswith("Hass") and understood.accessibility:
            problems.append(f"{phrase!r} made for {source} taken by {understood.intent}")
        if (problem := _target_problem(understood, home)) is not None:
            problems.append(f"{phrase!r} ({understood.intent}): {problem}")
    assert len(phrase_list) > 300
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("language", LANGUAGES)
def test_list_covers_intents_and_everyday_speech(language: str) -> None:
    phrase_list = build_phrase_list(HOMES[language], language, station_area_id="living_room")
    sources = set(phrase_list.intents.values())
    for intent in (
        "HassTurnOn",
        "HassTurnOff",
        "HassGetState",
        "HassLightSet",
        "HassClimateSetTemperature",
        "HassSetVolume",
        "HassGetCurrentTime",
        "BarrierFreeHomeStatus",
        "BarrierFreeLockStatus",
        "BarrierFreeRepeat",
        "BarrierFreeSpeakSlower",
        "BarrierFreeHelp",
        "BarrierFreeConfirm",
        "BarrierFreeCancel",
        "BarrierFreeBrightnessStep",
        EVERYDAY_INTENT,
    ):
        assert intent in sources, intent
    phrases = set(phrase_list)
    if language == "zh":
        for expected in (
            "客厅主灯开一下",
            "帮我打开客厅主灯",
            "门锁了吗",
            "家里现在怎么样",
            "再说一遍",
        ):
            assert expected in phrases, expected
    else:
        for expected in ("please turn on the floor lamp", "are the doors locked", "say that again"):
            assert expected in phrases, expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_list_is_clean_sorted_and_deterministic(language: str) -> None:
    home = HOMES[language]
    phrases = build_phrase_list(home, language, station_area_id="bedroom").phrases
    assert phrases == tuple(sorted(set(phrases)))
    assert all(p and p == p.strip() and "  " not in p for p in phrases)
    # Speech models output words: no digits, no punctuation; Mandarin has no spaces.
    assert not any(re.search(r"[\d%,.?!，。？！]", p) for p in phrases)
    if language == "zh":
        assert not any(" " in p or re.search(r"[A-Za-z]", p) for p in phrases)
    else:
        assert all(p == p.lower() for p in phrases)
    shuffled = list(home.entities)
    random.Random(7).shuffle(shuffled)
    again = build_phrase_list(
        replace(home, entities=tuple(shuffled), areas=home.areas[::-1]),
        language,
        station_area_id="bedroom",
    )
    assert again.phrases == phrases


def test_numbers_are_spoken_as_words() -> None:
    zh = set(build_phrase_list(HOMES["zh"], "zh", station_area_id="living_room"))
    assert any(p.endswith("二十四度") for p in zh)
    assert any("百分之五十" in p for p in zh)
    en = set(build_phrase_list(HOMES["en"], "en", station_area_id="living_room"))
    assert any("twenty four" in p for p in en)


@pytest.mark.parametrize("language", LANGUAGES)
def test_sentences_follow_the_home(language: str) -> None:
    """Only devices the home has, in rooms that have them; sentences for "here" need a room."""
    home = HOMES[language]
    templates = load_templates(language)
    lists = slot_lists(home)
    phrase_list = build_phrase_list(home, language, station_area_id=None)
    kitchen, curtain = ("厨房", "窗帘") if language == "zh" else ("kitchen", "curtain")
    assert not [p for p in phrase_list if kitchen in p and curtain in p]
    for phrase in phrase_list:
        if phrase_list.intents[phrase] == "HassLightSet":
            understood = understand(phrase, templates, lists, None)
            assert understood is not None
            if "name" in understood.slots:
                (entity,) = [
                    e for e in home.entities if understood.slots["name"] in (e.name, *e.aliases)
                ]
                assert entity.domain == "light", phrase
    # Without a station room nothing relies on "here" (HA would not know which room).
    here = "开灯" if language == "zh" else "turn on the lights"
    assert here not in set(phrase_list)
    with_room = build_phrase_list(home, language, station_area_id="living_room")
    assert len(with_room) > len(phrase_list)


def test_renamed_entity_and_new_area_change_the_list() -> None:
    home = HOMES["zh"]
    before = set(build_phrase_list(home, "zh"))
    renamed = tuple(
        replace(e, name="烧水壶") if e.entity_id == "switch.water_heater" else e
        for e in home.entities
    )
    after = set(build_phrase_list(replace(home, entities=renamed), "zh"))
    assert any("热水器" in p for p in before)
    assert not any("热水器" in p for p in after)
    assert any("烧水壶" in p for p in after)
    moved = tuple(
        replace(e, area_id="kitchen") if e.entity_id == "cover.bedroom_curtain" else e
        for e in home.entities
    )
    after_move = set(build_phrase_list(replace(home, entities=moved), "zh"))
    assert any("厨房" in p and "窗帘" in p for p in after_move)


def test_name_words_for_the_station() -> None:
    zh = name_words(HOMES["zh"], "zh")
    assert {"客厅主灯", "浴室灯", "客厅", "洗手间", "一楼"} <= set(zh)
    en = name_words(HOMES["en"], "en")
    assert {"living", "room", "hallway", "reading", "lamp"} <= set(en)
    assert all(" " not in w for w in en)
    assert en == sorted(set(en))


@pytest.mark.parametrize("language", LANGUAGES)
def test_phrase_list_size_and_time(language: str) -> None:
    """Measured sizes (printed with -s): a 300-entity home stays within 5,000 phrases, and
    every entity keeps phrases of its own."""
    load_templates(language)
    limits = PhraseLimits()
    print()
    for count in (20, 100, 300):
        home = synthetic_home(count, language)
        start = time.perf_counter()
        phrase_list = build_phrase_list(home, language, station_area_id="room_0")
        elapsed = time.perf_counter() - start
        total_chars = sum(len(p) for p in phrase_list)
        print(
            f"{language} {count:>3} entities: {len(phrase_list):>5} phrases, "
            f"{total_chars:>6} characters, built in {elapsed:.2f} s"
        )
        assert 0 < len(phrase_list) <= limits.max_phrases
        uncovered = [
            e.name
            for e in home.entities
            if e.domain != "sensor" and sum(1 for p in phrase_list if e.name.lower() in p) < 2
        ]
        assert not uncovered, uncovered[:10]


def test_help_examples_come_from_the_list() -> None:
    phrase_list = build_phrase_list(HOMES["zh"], "zh", station_area_id="living_room")
    chosen = examples(phrase_list)
    assert len(chosen) == 4
    assert all(p in phrase_list.phrases for p in chosen)
    assert len({phrase_list.intents[p] for p in chosen}) == 4


QUESTIONS_HEARD = {
    "zh": ({"车库门关了吗", "车库门开着吗", "大门锁了吗", "床头灯开着吗"}, ("是的，", "没有，")),
    "en": (
        {"is the garage door closed", "is the front door locked", "is the bedside lamp on"},
        ("Yes, ", "No, "),
    ),
}


@pytest.mark.parametrize("station_area", STATION_AREAS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_yes_no_questions_about_a_device_are_heard_and_answered(
    language: str, station_area: str | None
) -> None:
    """ "车库门关了吗" / "is the garage door closed" are in the list (else the nearest Mandarin
    phrase was the command "车库门关一下", and the English forms were "are the garage door
    shutting"), and the agent answers every such phrase yes or no from the states."""
    home = HOMES[language]
    phrase_list = build_phrase_list(home, language, station_area_id=station_area)
    asked = [p for p in phrase_list if phrase_list.intents[p] == "BarrierFreeDeviceState"]
    expected, openings = QUESTIONS_HEARD[language]
    assert expected <= set(asked), sorted(asked)
    closed = {
        e.entity_id: (
            "locked"
            if e.domain == "lock"
            else "closed"
            if e.domain in ("cover", "binary_sensor")
            else "off",
            {},
        )
        for e in home.entities
    }
    for phrase in asked:
        answer = answer_question(phrase, home, closed, language, station_area)
        assert answer is not None, phrase
        assert answer.startswith(openings), (phrase, answer)


def test_a_plural_name_is_answered_with_are() -> None:
    """The showroom's "bedroom curtains": "No, the bedroom curtains are closed.", not "is"."""
    home = showroom_home("en")
    closed = {e.entity_id: ("closed" if e.domain == "cover" else "off", {}) for e in home.entities}
    answer = answer_question("are the bedroom curtains open", home, closed, "en", None)
    assert answer == "No, the bedroom curtains are closed."
    answer = answer_question("is the garage door closed", home, closed, "en", None)
    assert answer is not None and answer.endswith("garage door is closed.")


@pytest.mark.parametrize(
    ("language", "question", "answer"),
    [
        ("zh", "车库门关了吗", "门厅的车库门现在连不上，请检查它的电源和网络。"),
        (
            "en",
            "is the garage door closed",
            "The entrance garage door is not responding. Please check its power and network.",
        ),
    ],
)
def test_a_device_that_cannot_be_reached_is_never_said_to_be_closed(
    language: str, question: str, answer: str
) -> None:
    home = showroom_home(language)
    for state in ("unavailable", "unknown"):
        states = {"cover.garage_door": (state, {})}
        assert answer_question(question, home, states, language, None) == answer
    assert answer_question(question, home, {}, language, None) == answer  # no state at all

"""Commands understood as the agent runs them, and the answers to what is not understood."""

from __future__ import annotations

import pytest

from custom_components.barrier_free.logic.confirm_sensitive import SensitivePolicy
from custom_components.barrier_free.logic.speech_settings import change_voice
from custom_components.barrier_free.logic.templates import (
    intent_context,
    load_templates,
    slot_lists,
)
from custom_components.barrier_free.logic.understanding import explain_unknown as explain
from custom_components.barrier_free.logic.understanding import (
    mentions_sensitive,
    understand_command,
    without_pin,
)

from .home import HOMES


def _understood(text: str, language: str, area: str | None = None) -> tuple[str, dict] | None:
    home = HOMES[language]
    understood = understand_command(
        text, home, load_templates(language), slot_lists(home), intent_context(home, area)
    )
    return None if understood is None else (understood.intent, dict(understood.slots))


def test_a_pin_said_with_the_command_is_left_out() -> None:
    assert without_pin("打开大门密码一二三四") == "打开大门"
    assert without_pin("unlock the front door one two three four") == "unlock the front door"
    assert _understood("unlock the front door one two three four", "en") == (
        "HassTurnOff",
        {"name": "front door"},
    )


def test_open_the_front_door_means_unlock_only_for_a_lock() -> None:
    unlock = _understood("open the front door", "en")
    assert unlock is not None and unlock[0] == "HassTurnOff"
    assert _understood("please close the front door", "en") == (
        "HassTurnOn",
        {"name": "front door"},
    )
    assert _understood("open the sesame", "en") is None


@pytest.mark.parametrize(
    ("language", "text", "area", "answer"),
    [
        ("en", "turn on the lights", None, "There are 7 lights. Which room do you mean?"),
        ("zh", "打开灯", None, "有七个灯，请说是哪个房间的。"),
        ("en", "pause the kitchen speaker", None, "The kitchen has no speaker."),
        ("zh", "打开书房的灯", None, "没有找到叫做书房的房间。"),
        ("en", "open the front door", None, None),
        ("en", "turn on the lights in the study", None, "I couldn't find a room called study."),
        ("en", "sing me a song", None, None),
        ("en", "turn on the light", None, "There are 7 lights. Which room do you mean?"),
    ],
)
def test_what_is_not_understood_is_explained(
    language: str, text: str, area: str | None, answer: str | None
) -> None:
    home = HOMES[language]
    lists = slot_lists(home)
    assert explain(text, home, load_templates(language), lists, intent_context(home, area)) == (
        answer
    )


@pytest.mark.parametrize(
    ("language", "text", "sensitive"),
    [
        ("en", "could you maybe unlock the front door for me right now", True),
        ("en", "disarm everything", True),
        ("zh", "麻烦你现在帮我把大门给解锁了好不好", True),
        ("en", "do something with the garage door", True),
        ("en", "sing me a song", False),
    ],
)
def test_sensitive_words_and_devices_are_noticed(language: str, text: str, sensitive: bool) -> None:
    policy = SensitivePolicy()
    assert mentions_sensitive(text, HOMES[language], policy, language) is sensitive


def test_voice_changes_stop_at_the_limits() -> None:
    slower = change_voice(160, 90, rate_step=-30, min_rate=80, max_rate=300)
    assert (slower.key, slower.rate, slower.volume, slower.changed) == ("slower", 130, 90, True)
    assert change_voice(80, 90, rate_step=-30, min_rate=80, max_rate=300).key == "slowest"
    assert change_voice(300, 90, rate_step=30, min_rate=80, max_rate=300).key == "fastest"
    louder = change_voice(160, 90, volume_step=15, min_rate=80, max_rate=300)
    assert (louder.key, louder.volume) == ("louder", 100)
    assert change_voice(160, 100, volume_step=15, min_rate=80, max_rate=300).changed is False
    assert change_voice(160, 10, volume_step=-15, min_rate=80, max_rate=300).key == "quietest"
    assert change_voice(160, 50, volume_step=-15, min_rate=80, max_rate=300).key == "quieter"

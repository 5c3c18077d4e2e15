"""One Mandarin station, two languages: each request is understood and answered in its own.

A Mandarin home whose devices and rooms have English aliases; the station's entry is Mandarin.
Home Assistant's Assist pipeline says which language a request is in (`zh-Hans`, `en`, ...).
English answers name the devices by their English aliases, never by their Chinese names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from wyoming.event import Event

from tests.voice.station import wait_until
from voice.recognition.recognizer import load_recognizer
from voice.station.station import Station

from .conftest import Resident, async_setup_agent, said_by
from .home import async_setup_test_home

CJK = re.compile(r"[\u3400-\u9fff]")


async def _residents(hass: HomeAssistant, station: Station) -> tuple[Resident, Resident, Any]:
    await async_setup_test_home(hass, "bilingual")
    agent_id, entry = await async_setup_agent(hass, station, "zh")
    return Resident(hass, agent_id, "zh"), Resident(hass, agent_id, "en"), entry


async def test_each_request_is_answered_in_its_language(
    hass: HomeAssistant, station: Station
) -> None:
    zh, en, _ = await _residents(hass, station)
    answer = await en.say("turn on the living room ceiling light")
    assert answer == "Turned on the living room ceiling light."
    assert hass.states.get("light.living_room_ceiling").state == "on"
    assert await zh.say("关闭客厅主灯") == "已关闭客厅主灯。"
    assert hass.states.get("light.living_room_ceiling").state == "off"
    assert await en.say("open the bedroom curtain") == "Opened the bedroom curtain."
    assert hass.states.get("cover.bedroom_curtain").state == "open"


# Said in English and in Mandarin to the same Mandarin station, one after the other.
ENGLISH = [
    "are the doors locked",
    "is everything okay at home",
    "is the kitchen light on",
    "what can I say",
    "turn off the bedside lamp",
]
MANDARIN = ["门都锁了吗", "家里怎么样", "厨房灯开着吗", "关掉床头灯"]


async def test_answers_never_mix_languages(hass: HomeAssistant, station: Station) -> None:
    zh, en, _ = await _residents(hass, station)
    for text in ENGLISH:
        answer = await en.say(text)
        assert answer and not CJK.search(answer), (text, answer)
        assert "sorry" not in answer.lower(), (text, answer)
    for text in MANDARIN:
        answer = await zh.say(text)
        assert CJK.search(answer) and not re.search(r"[A-Za-z]{3,}", answer), (text, answer)
        assert "没听清" not in answer and "不明白" not in answer, (text, answer)


async def test_confirmation_in_english_on_a_mandarin_station(
    hass: HomeAssistant, station: Station
) -> None:
    zh, en, _ = await _residents(hass, station)
    question = await en.say("open the garage door")
    assert not CJK.search(question) and "garage door" in question, question
    assert hass.states.get("cover.garage_door").state == "closed"
    done = await en.say("yes confirm")
    assert hass.states.get("cover.garage_door").state == "open"
    assert done == "Opened the garage door.", done
    # Closing is not sensitive; opening asks again, a Mandarin speaker in Mandarin.
    assert await zh.say("关上车库门") == "已关上门厅的车库门。"
    assert hass.states.get("cover.garage_door").state == "closed"
    asked = await zh.say("打开车库门")
    assert "车库门" in asked and not re.search(r"[A-Za-z]{3,}", asked), asked
    assert hass.states.get("cover.garage_door").state == "closed"
    opened = await zh.say("确定")
    assert "车库门" in opened and not re.search(r"[A-Za-z]{3,}", opened), opened
    assert hass.states.get("cover.garage_door").state == "open"


@pytest.mark.parametrize(
    ("tag", "answer"), [("en-GB", "Turned on the kitchen light."), ("fr", "已打开厨房灯。")]
)
async def test_request_language_tags(
    hass: HomeAssistant, station: Station, tag: str, answer: str
) -> None:
    """English of any country is English; a language without tables gets the station's."""
    _, resident, _ = await _residents(hass, station)
    resident.language = tag
    text = "turn on the kitchen light" if tag.startswith("en") else "打开厨房灯"
    assert await resident.say(text) == answer
    assert hass.states.get("light.kitchen").state == "on"


@pytest.fixture(scope="module")
def mandarin_recognizer() -> Iterator[Any]:
    """The built-in Mandarin recogniser (Whisper base), loaded once for this module."""
    recognizer = load_recognizer("zh")
    yield recognizer
    recognizer.close()


async def test_the_station_hears_both_languages(
    hass: HomeAssistant,
    station_factory: Callable[..., Any],
    recognizer: Any,
    mandarin_recognizer: Any,
) -> None:
    """A station with a Mandarin and an English recogniser gets a phrase list for each: the
    Mandarin one with the Chinese names, the English one with the English aliases only."""
    station = await station_factory(
        languages=("zh", "en"), recognizers={"zh": mandarin_recognizer, "en": recognizer}
    )
    try:
        await _check_both_lists(hass, station)
    finally:
        await station.stop()


async def _check_both_lists(hass: HomeAssistant, station: Station) -> None:
    _, _, entry = await _residents(hass, station)
    sync = entry.runtime_data.phrase_sync

    def heard(language: str) -> list[str]:
        state = station.phrases.get(language)
        return list(state.phrases) if state is not None else []

    await wait_until(lambda: heard("zh") and heard("en"), "both lists")
    await wait_until(
        lambda: (
            set(sync.results) == {"zh", "en"}
            and {r.version for r in sync.results.values()} == {sync.version}
        ),
        "both answers",
    )
    assert any("客厅主灯" in p for p in heard("zh"))
    assert "turn on kitchen light" in heard("en")
    assert not any(CJK.search(p) for p in heard("en"))
    assert sync.phrases is sync.lists["zh"]
    assert not sync.results["en"].unusable


async def test_meaning_says_what_a_sentence_asks_without_doing_it(
    hass: HomeAssistant, station: Station, hass_ws_client: Any
) -> None:
    """Two wordings of one request mean the same; the home does not change."""
    zh, _, _ = await _residents(hass, station)
    client = await hass_ws_client(hass)

    async def meaning(text: str, language: str) -> Any:
        await client.send_json_auto_id(
            {"type": "barrier_free/meaning", "agent_id": zh.agent_id, "text": text}
            | {"language": language}
        )
        reply = await client.receive_json()
        assert reply["success"], reply
        return reply["result"]["meaning"]

    same = [await meaning(t, "zh-Hans") for t in ("打开厨房灯", "把厨房灯打开", "厨房灯开一下")]
    assert same[0] is not None and same[0][0] == "command"
    assert same == [same[0]] * 3
    assert await meaning("关掉厨房灯", "zh-Hans") != same[0]
    english = await meaning("turn on the kitchen light", "en")
    assert english == await meaning("please turn on kitchen light", "en") == same[0]
    assert await meaning("确定", "zh-Hans") == ["reply", "confirm"]
    assert await meaning("what is the capital of france", "en") is None
    assert hass.states.get("light.kitchen").state == "off"
    await client.send_json_auto_id(
        {"type": "barrier_free/meaning", "agent_id": "conversation.nobody", "text": "x"}
    )
    assert (await client.receive_json())["error"]["code"] == "not_found"


async def test_room_mode_answers_in_the_stations_language(
    hass: HomeAssistant, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the station itself (room mode) there is no pipeline to say the request's language:
    a Mandarin station answers everything it hears in Mandarin, English speech too (a station
    that hears both, as the showroom's does), and speaks it with its Mandarin voice."""
    _, _, entry = await _residents(hass, station)
    said = said_by(station, monkeypatch)
    heard = [
        ("u1", "turn on the kitchen light", "en"),
        ("u2", "is everything okay at home", "en"),
        ("u3", "打开厨房灯", "zh"),
    ]
    for count, (utterance_id, text, language) in enumerate(heard, 1):
        station.broadcast(
            Event(
                "bf-room-transcript",
                {"utterance_id": utterance_id, "text": text, "language": language}
                | {"phrase": text, "score": 0.9, "rejected": False},
            )
        )
        await wait_until(lambda n=count: entry.runtime_data.room_flow.handled == n, text)
    await wait_until(lambda: len(said) == len(heard), "three answers spoken")
    assert hass.states.get("light.kitchen").state == "on"
    assert said[-1] == ("已打开厨房灯。", "zh")
    for text, language in said:
        assert language == "zh", said
        assert CJK.search(text) and not re.search(r"[A-Za-z]{2,}", text), said

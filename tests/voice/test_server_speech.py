"""The station over a real socket (issue 2): spoken PINs (`digits`) and short language names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from wyoming.event import Event

from tests.speech import silence, synth
from tests.voice.station import (
    StationClient,
    paired_client,
    running_station,
    wait_until,
)
from voice.recognition.recognizer import Recognizer
from voice.speech.tts import Synthesizer

pytestmark = pytest.mark.usefixtures("socket_enabled")

PHRASES = ["turn on the kitchen light", "turn off the kitchen light", "lock the front door"]


def spoken(text: str) -> bytes:
    return silence(0.3) + synth(text) + silence(0.3)


@pytest.fixture
async def station(tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer) -> Any:
    async with running_station(tmp_path, {"en": english_recognizer}, synthesizer) as running:
        yield running


async def _expect_digits(client: StationClient, digits: Any) -> Event:
    await client.send(Event("bf-expect-digits", {"digits": digits}))
    return await client.expect("bf-expecting-digits")


async def test_spoken_pin_through_the_station(station: Any, tmp_path: Path) -> None:
    async with paired_client(station) as client:
        # default: no digits
        answer = await client.set_phrases("en", PHRASES)
        assert "digits" not in answer.data
        event = await client.transcribe(spoken("one two three four"), language="en")
        assert event.type == "transcript", event.data
        assert event.data["barrier_free"]["digits"] is False
        assert event.data["text"] != "1234"

        answer = await _expect_digits(client, True)
        assert answer.type == "bf-expecting-digits", answer.data
        assert answer.data == {"digits": True}

        event = await client.transcribe(spoken("one two three four"), language="en")
        assert event.data["text"] == "1234", event.data
        assert event.data["barrier_free"]["phrase"] == "1234"
        assert event.data["barrier_free"]["digits"] is True
        assert event.data["barrier_free"]["rejected"] is False
        # the phrases are still heard, from the same list (not given again)
        event = await client.transcribe(spoken("lock the front door"), language="en")
        assert event.data["text"] == "lock the front door", event.data
        assert event.data["barrier_free"]["digits"] is False
        await client.send(Event("bf-get-phrases", {"language": "en"}))
        in_force = await client.expect("bf-phrases")
        assert (in_force.data["version"], in_force.data["count"]) == (1, len(PHRASES))

        # a new list keeps the digits while they are expected
        await client.set_phrases("en", [*PHRASES, "close the curtains"])
        event = await client.transcribe(spoken("one two three four"), language="en")
        assert event.data["text"] == "1234", event.data

        for wrong in ("yes", None, 1):
            refused = await _expect_digits(client, wrong)
            assert refused.type == "error"
            assert refused.data["code"] == "bad_request"
            assert "digits" in refused.data["text"]
        assert station.digits  # a refused request changes nothing

        assert (await _expect_digits(client, False)).data == {"digits": False}
        event = await client.transcribe(spoken("one two three four"), language="en")
        assert event.data["barrier_free"]["digits"] is False
        assert event.data["text"] != "1234"
    saved = json.loads((tmp_path / "state" / "phrases" / "en.json").read_text(encoding="utf-8"))
    assert "digits" not in saved  # a PIN prompt is never kept for the next start


async def test_digits_last_while_any_client_asks(station: Any) -> None:
    """Digits are heard while one client or more asks; a client's ask ends with its
    connection (a PIN prompt never outlives the Home Assistant that asked)."""
    async with paired_client(station) as listener:
        await listener.set_phrases("en", PHRASES)
        async with paired_client(station) as first:
            assert (await _expect_digits(first, True)).data == {"digits": True}
            async with paired_client(station) as second:
                assert (await _expect_digits(second, True)).data == {"digits": True}
                # one stops, the other still asks
                assert (await _expect_digits(second, False)).data == {"digits": True}
            event = await listener.transcribe(spoken("one two three four"), language="en")
            assert event.data["text"] == "1234", event.data
        await wait_until(lambda: not station.digits, "digits off when the asking client left")
        event = await listener.transcribe(spoken("one two three four"), language="en")
        assert event.data["barrier_free"]["digits"] is False


async def test_digits_are_not_kept_over_a_restart(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    async with (
        running_station(tmp_path, {"en": english_recognizer}, synthesizer) as first,
        paired_client(first) as client,
    ):
        await client.set_phrases("en", PHRASES)
        assert (await _expect_digits(client, True)).data == {"digits": True}
    async with (
        running_station(tmp_path, {"en": english_recognizer}, synthesizer) as again,
        paired_client(again) as client,
    ):
        assert not again.digits
        event = await client.transcribe(spoken("one two three four"), language="en")
        assert event.data["text"] != "1234", event.data
        event = await client.transcribe(spoken("lock the front door"), language="en")
        assert event.data["text"] == "lock the front door", event.data


@pytest.mark.parametrize("language", ["en", "EN", "en-US", "en_us", "eng"])
async def test_transcribe_takes_any_form_of_the_language(station: Any, language: str) -> None:
    async with paired_client(station) as client:
        await client.set_phrases(language, PHRASES)
        event = await client.transcribe(spoken("lock the front door"), language=language)
        assert event.type == "transcript", event.data
        assert event.data["text"] == "lock the front door"
        assert event.data["language"] == "en"


@pytest.mark.parametrize("name", ["en", "pocketsphinx-en"])
async def test_transcribe_takes_a_model_name_for_the_language(station: Any, name: str) -> None:
    async with paired_client(station) as client:
        await client.set_phrases("en", PHRASES)
        await client.send(Event("transcribe", {"name": name}))
        await client.send_audio(spoken("lock the front door"))
        await client.send(Event("audio-stop", {}))
        event = await client.expect("transcript")
        assert event.type == "transcript", event.data
        assert event.data["text"] == "lock the front door"


@pytest.mark.parametrize(
    "voice",
    [
        {"name": "en"},
        {"name": "en", "language": "en"},
        {"name": "zh", "language": "zh"},
        {"language": "zh-Hans"},
        {"language": "cmn"},
        {"name": "en-US"},
    ],
)
async def test_synthesize_takes_short_language_names(station: Any, voice: dict[str, str]) -> None:
    async with paired_client(station) as client:
        await client.send(Event("synthesize", {"text": "ok 好", "voice": voice}))
        start = await client.expect("audio-start")
        assert start.type == "audio-start", start.data
        while (event := await client.expect("audio-chunk", "audio-stop")).type == "audio-chunk":
            pass
        assert event.type == "audio-stop", event.data


@pytest.mark.parametrize("language", ["zh-Hans", "cmn", "en-US"])
async def test_settings_and_announcements_take_any_form(station: Any, language: str) -> None:
    async with paired_client(station) as client:
        await client.send(Event("bf-settings", {"language": language}))
        answer = await client.expect("bf-settings")
        assert answer.type == "bf-settings", answer.data
        assert answer.data["language"] in {"zh", "en"}


async def test_info_tells_whether_each_model_was_verified(station: Any) -> None:
    async with paired_client(station) as client:
        await client.send(Event("describe", {}))
        info = await client.expect("info")
    assert info.data["barrier_free"]["models"] == [
        # pocketsphinx's own model (in its wheel) has no manifest: unknown, not "verified"
        {"name": "pocketsphinx-en", "language": "en", "engine": "pocketsphinx", "verified": None}
    ]

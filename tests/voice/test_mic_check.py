"""The installer's microphone check (`bf-test-microphone`) on a real station on 127.0.0.1:
room mode fed from a WAV file, a paced input that stands for a live microphone, and a plain
`serve` station without one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from wyoming.event import Event

from tests.speech import silence, synth
from tests.voice.station import StationClient, gather_all, paired_client, running_station
from voice.audio import read_wav, write_wav
from voice.recognition.recognizer import Recognizer
from voice.room.audio_input import AudioInput
from voice.room.listener import RoomConfig, RoomListener
from voice.room.mic_check import SENTENCES, MicrophoneCheck, levels
from voice.speech.tts import Synthesizer

pytestmark = pytest.mark.usefixtures("socket_enabled")

PHRASES = ["turn on the kitchen light", "close the curtains"]
SAID = "hello this is the microphone test"


def _scaled(pcm: bytes, factor: float) -> bytes:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64) * factor
    return bytes(np.clip(samples, -32768, 32767).astype("<i2").tobytes())


async def _check(client: StationClient, **data: Any) -> Event:
    await client.send(Event("bf-test-microphone", data))
    return await client.expect("bf-microphone")


def test_levels_in_dbfs() -> None:
    full = np.array([32767, -32768] * 800, dtype="<i2").tobytes()
    peak, rms = levels(full)
    assert peak == pytest.approx(0.0, abs=0.01)
    assert rms == pytest.approx(0.0, abs=0.01)
    tenth = np.array([3277, -3277] * 800, dtype="<i2").tobytes()
    assert levels(tenth)[0] == pytest.approx(-20.0, abs=0.05)
    assert levels(silence(1.0)) == (-120.0, -120.0)
    check = MicrophoneCheck(3.0, -12.0, -30.0, "hello", "en")
    assert check.sentence("zh") == "麦克风正常，听到了：hello"
    assert check.sentence("en") == "The microphone works. I heard: hello"


async def test_room_station_checks_its_microphone_from_a_wav(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    wav = tmp_path / "room.wav"
    write_wav(wav, silence(0.5) + synth(SAID) + silence(2.0), 16000)
    async with (
        running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station,
        paired_client(station) as client,
    ):
        await client.set_phrases("en", PHRASES)
        room = RoomListener(station, RoomConfig(input=str(wav), language="en"))
        await room.run()
        answer = await _check(client, seconds=4)
        assert answer.type == "bf-microphone", answer.data
        data = answer.data
        assert data["verdict"] == "ok", data
        assert -20.0 < data["peak_dbfs"] <= 0.0
        assert data["rms_dbfs"] < data["peak_dbfs"]
        assert data["seconds"] == pytest.approx(4.0, abs=0.01)
        assert data["language"] == "en"
        # heard freely, not snapped to the phrase list (which stays in force)
        assert "microphone" in data["heard"], data
        assert station.recognizers["en"].phrases is not None
        await station.announcer.wait_idle()
    spoken = sorted(p.name for p in (tmp_path / "spoken").iterdir())
    assert spoken[-2:] == [
        f"{len(spoken) - 1:04d}-earcon-listening.wav",
        f"{len(spoken):04d}-speech-mic-check.wav",
    ]
    sentence = read_wav(tmp_path / "spoken" / spoken[-1])
    assert sentence.seconds > 2.0  # "The microphone works. I heard: ..." in full
    assert SENTENCES["ok"]["en"].format(heard=data["heard"]).startswith("The microphone works")


@pytest.mark.parametrize(("factor", "verdict"), [(0.01, "quiet"), (0.0, "silent")])
async def test_too_quiet_a_microphone_gets_a_hint(
    tmp_path: Path,
    english_recognizer: Recognizer,
    synthesizer: Synthesizer,
    factor: float,
    verdict: str,
) -> None:
    wav = tmp_path / "room.wav"
    write_wav(wav, _scaled(silence(0.3) + synth(SAID) + silence(0.5), factor), 16000)
    async with (
        running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station,
        paired_client(station) as client,
    ):
        await RoomListener(station, RoomConfig(input=str(wav), language="en")).run()
        answer = await _check(client, seconds=3)
        assert answer.data["verdict"] == verdict, answer.data
        assert answer.data["peak_dbfs"] < -30.0
        await station.announcer.wait_idle()
    said = tmp_path / "spoken" / max(p.name for p in (tmp_path / "spoken").iterdir())
    assert said.name.endswith("speech-mic-check.wav")
    assert read_wav(said).seconds > 2.0  # a full hint, never only a beep


class _Paced(AudioInput):
    """Audio handed over at the pace it is spoken (4x faster), as a microphone would; it
    starts only when `go` is set and then says `pcm` once."""

    def __init__(self, pcm: bytes, go: asyncio.Event) -> None:
        super().__init__("-")
        self._pcm = pcm
        self._go = go

    async def chunks(self) -> AsyncIterator[bytes]:
        yield silence(0.1)
        await self._go.wait()
        for start in range(0, len(self._pcm), 4096):
            await asyncio.sleep(4096 / 32000 / 4)
            yield self._pcm[start : start + 4096]


async def test_live_input_is_taken_for_the_check_not_heard_as_a_command(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    go = asyncio.Event()
    pcm = silence(0.3) + synth("turn on the kitchen light") + silence(1.0)
    async with (
        running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station,
        paired_client(station) as client,
    ):
        await client.set_phrases("en", PHRASES)
        await client.subscribe()
        room = RoomListener(station, RoomConfig(input="-", language="en"), source=_Paced(pcm, go))
        running = asyncio.create_task(room.run())

        async def check() -> Event:
            await client.send(Event("bf-test-microphone", {"seconds": 2.5}))
            return await client.expect("bf-microphone")

        async def start_speaking() -> None:
            while station.microphone is not room or room._recording is None:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            go.set()

        answer, _ = await gather_all(check(), start_speaking())
        await running
        assert answer.data["verdict"] in ("ok", "no_words"), answer.data
        assert answer.data["peak_dbfs"] > -20.0
        # the installer's words were the check's, never a command
        assert room.counters.utterances == 0
        assert not [e for e in client.seen if e.type == "bf-room-transcript"]
        assert station.microphone is None  # the live input has ended


async def test_serve_station_has_no_microphone(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    async with (
        running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station,
        paired_client(station) as client,
    ):
        answer = await _check(client)
        assert answer.type == "error"
        assert answer.data["code"] == "not_listening"
        assert "python -m voice room" in answer.data["text"]
        assert "麦克风" in answer.data["text_zh"]
        for wrong in (0.2, 11, "3", True):
            refused = await _check(client, seconds=wrong)
            assert refused.data["code"] == "bad_request", refused.data
            assert "seconds" in refused.data["text"]
        # the connection stays usable
        await client.send(Event("ping", {"text": "still there"}))
        assert (await client.expect("pong")).data["text"] == "still there"

"""Benchmark of the integration's overhead: `python -m bench.integration` (about half a minute).

A real Home Assistant (the test harness's instance, in a temporary config folder) with the
barrier_free integration set up against a real station on 127.0.0.1 (English, pocketsphinx,
a small phrase list). In the same run, on the same audio and text:
- speech-to-text: time from the end of the audio to the transcript, through Home Assistant's
  stt entity (`async_process_audio_stream`) and through a paired socket to the station;
- text-to-speech: time from the request to the first audio byte, through Home Assistant's tts
  stream (`tts.async_create_stream`, WAV) and through a paired socket to the station.
Prints medians and the ratios (Home Assistant / direct). No assertions: numbers to read.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # custom_components/ and voice/ of this checkout

from homeassistant.components import stt, tts  # noqa: E402
from homeassistant.helpers import entity_registry as er  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    async_test_home_assistant,
)

from bench._hass import async_add_station, async_prepare  # noqa: E402
from custom_components.barrier_free.client import AudioFormat, StationSession  # noqa: E402
from custom_components.barrier_free.const import DOMAIN  # noqa: E402
from tests.speech import silence, synth  # noqa: E402
from voice.recognition.recognizer import load_recognizer  # noqa: E402
from voice.speech.tts import Synthesizer  # noqa: E402
from voice.station.station import Station, StationConfig  # noqa: E402

COMMANDS = [
    "turn on the kitchen light",
    "turn off the kitchen light",
    "open the curtains",
    "close the curtains",
    "what time is it",
    "lock the front door",
]
ANSWER = "The kitchen light is on. It is twenty two degrees in the living room."
CHUNK = 2048
RATE = 16000
SYNC_LIMIT_S = 30.0


async def _paced(pcm: bytes, marks: dict[str, float]) -> AsyncIterator[bytes]:
    """The audio in microphone-sized chunks, all at once (a recording handed over, not a live
    microphone: the time measured includes decoding the whole utterance); records when the
    last byte has been handed over."""
    for start in range(0, len(pcm), CHUNK):
        yield pcm[start : start + CHUNK]
    marks["end_of_audio"] = time.perf_counter()


async def stt_direct(station: Station, pcm: bytes) -> tuple[float, str]:
    marks: dict[str, float] = {}
    async with await StationSession.open(
        "127.0.0.1", station.port, station.token, time_limit=10
    ) as session:
        result = await session.transcribe(
            _paced(pcm, marks), audio_format=AudioFormat(rate=RATE), language="en", time_limit=60
        )
    return time.perf_counter() - marks["end_of_audio"], result.text


async def stt_through_ha(entity: stt.SpeechToTextEntity, pcm: bytes) -> tuple[float, str]:
    marks: dict[str, float] = {}
    metadata = stt.SpeechMetadata(
        language="en",
        format=stt.AudioFormats.WAV,
        codec=stt.AudioCodecs.PCM,
        bit_rate=stt.AudioBitRates.BITRATE_16,
        sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
        channel=stt.AudioChannels.CHANNEL_MONO,
    )
    result = await entity.internal_async_process_audio_stream(metadata, _paced(pcm, marks))
    return time.perf_counter() - marks["end_of_audio"], result.text or ""


async def tts_direct(station: Station, text: str) -> float:
    began = time.perf_counter()
    async with await StationSession.open(
        "127.0.0.1", station.port, station.token, time_limit=10
    ) as session:
        _, chunks = await session.synthesize(text, language="en", time_limit=60)
        async for _chunk in chunks:
            first = time.perf_counter() - began
            break
        async for _chunk in chunks:  # drain, as Home Assistant does
            pass
    return first


async def tts_through_ha(hass: Any, engine: str, text: str) -> float:
    began = time.perf_counter()
    stream = tts.async_create_stream(
        hass, engine, language="en", options={"preferred_format": "wav"}
    )
    stream.async_set_message(text)
    first = 0.0
    async for chunk in stream.async_stream_result():
        if chunk and not first:
            first = time.perf_counter() - began
    return first


def _median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        recognizer = load_recognizer("en")
        synthesizer = Synthesizer()
        station = Station(
            StationConfig(
                host="127.0.0.1",
                port=0,
                name="Bench room",
                languages=("en",),
                state_dir=Path(tmp) / "station",
                zeroconf=False,
            ),
            recognizers={"en": recognizer},
            synthesizer=synthesizer,
        )
        await station.start()
        config_dir = Path(tmp) / "ha"
        config_dir.mkdir()
        try:
            async with async_test_home_assistant(config_dir=str(config_dir)) as hass:
                await async_prepare(hass)
                entry = await async_add_station(hass, station)
                # The integration gives the station its own list (from the home: here only
                # the built-in questions) one cool-down after setup; the bench's commands are
                # set after that, or that push replaces them mid-run and the commands that
                # are not in the home are rightly rejected (was: 7-8 of 30 exact).
                sync = entry.runtime_data.phrase_sync
                assert sync is not None
                for _ in range(int(SYNC_LIMIT_S / 0.05)):
                    if sync.pushes:
                        break
                    await asyncio.sleep(0.05)
                else:
                    raise SystemExit("the integration never gave the station its phrase list")
                await hass.async_block_till_done()
                await entry.runtime_data.connection.async_set_phrases(
                    "en", COMMANDS, sync.version + 1
                )
                registry = er.async_get(hass)
                stt_id = registry.async_get_entity_id("stt", DOMAIN, f"{station.station_id}-stt")
                tts_id = registry.async_get_entity_id("tts", DOMAIN, f"{station.station_id}-tts")
                assert stt_id and tts_id
                entity = stt.async_get_speech_to_text_entity(hass, stt_id)
                assert entity is not None

                audio = [silence(0.2) + synth(c, rate=RATE) + silence(0.3) for c in COMMANDS]
                stt_d: list[float] = []
                stt_h: list[float] = []
                correct = {"direct": 0, "ha": 0}
                tts_d: list[float] = []
                tts_h: list[float] = []
                for n in range(rounds):
                    for command, pcm in zip(COMMANDS, audio, strict=True):
                        seconds, text = await stt_direct(station, pcm)
                        stt_d.append(seconds)
                        correct["direct"] += text == command
                        seconds, text = await stt_through_ha(entity, pcm)
                        stt_h.append(seconds)
                        correct["ha"] += text == command
                    # A new sentence each round: Home Assistant's tts cache must not answer.
                    text = f"{ANSWER} Round {n}."
                    tts_d.append(await tts_direct(station, text))
                    tts_h.append(await tts_through_ha(hass, tts_id, text + " "))
                await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_block_till_done()
        finally:
            await station.stop()
            synthesizer.close()

    total = rounds * len(COMMANDS)
    print("| measure | direct (ms, median) | through Home Assistant (ms, median) | ratio |")
    print("|---|---|---|---|")
    for name, direct, via in (
        ("stt: end of audio → transcript", stt_d, stt_h),
        ("tts: request → first audio byte", tts_d, tts_h),
    ):
        d, h = _median_ms(direct), _median_ms(via)
        print(f"| {name} | {d:.1f} | {h:.1f} | {h / d:.2f} |")
    print(
        f"\nstt exact transcripts: direct {correct['direct']}/{total}, "
        f"through Home Assistant {correct['ha']}/{total}; tts rounds: {rounds}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    asyncio.run(main(parser.parse_args().rounds))

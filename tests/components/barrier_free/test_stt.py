"""Speech-to-text through Home Assistant's stt API, decoded for real by the station."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.components import conversation, stt
from homeassistant.core import Context, HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.barrier_free.const import NOT_HEARD
from custom_components.barrier_free.stt import pcm_only
from tests.speech import silence, synth
from voice.audio import wav_bytes

from .conftest import entity_id

COMMANDS = [
    "turn on the kitchen light",
    "turn off the kitchen light",
    "open the curtains",
    "close the curtains",
    "what time is it",
    "lock the front door",
]
CHUNK_BYTES = 2048  # what a browser microphone sends at a time, roughly


def metadata(language: str = "en", rate: int = 16000) -> stt.SpeechMetadata:
    return stt.SpeechMetadata(
        language=language,
        format=stt.AudioFormats.WAV,
        codec=stt.AudioCodecs.PCM,
        bit_rate=stt.AudioBitRates.BITRATE_16,
        sample_rate=stt.AudioSampleRates(rate),
        channel=stt.AudioChannels.CHANNEL_MONO,
    )


async def stream(pcm: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(pcm), CHUNK_BYTES):
        yield pcm[start : start + CHUNK_BYTES]


@pytest.fixture
async def stt_entity(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any
) -> stt.SpeechToTextEntity:
    """The station's stt entity, with the phrase list of a small English home."""
    result = await loaded_entry.runtime_data.connection.async_set_phrases("en", COMMANDS, 1)
    assert result.count == len(COMMANDS)
    assert result.version == 1
    entity = stt.async_get_speech_to_text_entity(hass, entity_id(hass, "stt", station, "stt"))
    assert entity is not None
    return entity


async def test_declared_capabilities(stt_entity: stt.SpeechToTextEntity) -> None:
    """What the entity declares is what the station accepts: 16-bit mono PCM, its languages."""
    assert "en" in stt_entity.supported_languages
    assert "en-US" in stt_entity.supported_languages
    assert not [lang for lang in stt_entity.supported_languages if lang.startswith("zh")]
    assert stt_entity.supported_codecs == [stt.AudioCodecs.PCM]
    assert stt_entity.supported_bit_rates == [stt.AudioBitRates.BITRATE_16]
    assert stt_entity.supported_channels == [stt.AudioChannels.CHANNEL_MONO]
    assert stt.AudioSampleRates.SAMPLERATE_16000 in stt_entity.supported_sample_rates
    assert stt_entity.check_metadata(metadata())


@pytest.mark.parametrize("rate", [16000, 44100])
@pytest.mark.parametrize("command", ["turn on the kitchen light", "what time is it"])
async def test_transcribes_synthesised_speech(
    stt_entity: stt.SpeechToTextEntity, command: str, rate: int
) -> None:
    pcm = silence(0.3, rate) + synth(command, voice="en-us", rate=rate) + silence(0.3, rate)
    result = await stt_entity.async_process_audio_stream(metadata(rate=rate), stream(pcm))
    assert result.result is stt.SpeechResultState.SUCCESS
    assert result.text == command


async def test_wav_header_in_front_of_the_audio_is_skipped(
    stt_entity: stt.SpeechToTextEntity,
) -> None:
    wav = wav_bytes(synth("open the curtains", voice="en-us", rate=16000), 16000)
    result = await stt_entity.async_process_audio_stream(metadata(), stream(wav))
    assert result.text == "open the curtains"


async def test_station_error_is_a_failed_result(
    stt_entity: stt.SpeechToTextEntity, station: Any
) -> None:
    """An unknown language is refused by the station; Home Assistant gets an error result."""
    pcm = synth("open the curtains", voice="en-us", rate=16000)
    result = await stt_entity.async_process_audio_stream(metadata(language="ko"), stream(pcm))
    assert result.result is stt.SpeechResultState.ERROR
    assert result.text is None

    await station.stop()
    result = await stt_entity.async_process_audio_stream(metadata(), stream(pcm))
    assert result.result is stt.SpeechResultState.ERROR


async def test_wav_header_is_dropped_only_when_there_is_one() -> None:
    pcm = b"\x01\x00" * 100
    wav = wav_bytes(pcm, 16000)
    assert b"".join([c async for c in pcm_only(stream(wav))]) == pcm
    assert b"".join([c async for c in pcm_only(stream(pcm))]) == pcm
    broken = b"RIFF\x00\x00\x00\x00WAVEfmt "  # a header cut before its data chunk
    assert b"".join([c async for c in pcm_only(stream(broken))]) == broken


async def test_speech_matching_no_phrase_still_reaches_the_agent(
    hass: HomeAssistant, stt_entity: stt.SpeechToTextEntity, station: Any
) -> None:
    """Audio the station matches to no phrase gives `NOT_HEARD`, not an empty text (which
    stops Home Assistant's pipeline before the agent: the resident heard nothing), and the
    station's agent answers it with its spoken "not understood"."""
    pcm = silence(1.0, 16000)
    result = await stt_entity.async_process_audio_stream(metadata(), stream(pcm))
    assert result.result is stt.SpeechResultState.SUCCESS
    assert result.text == NOT_HEARD
    agent_id = entity_id(hass, "conversation", station, "conversation")
    answer = await conversation.async_converse(
        hass, NOT_HEARD, None, Context(), language="en", agent_id=agent_id
    )
    assert answer.response.speech["plain"]["speech"] == (
        "Sorry, I didn't catch that, please say it again."
    )

"""Text-to-speech through Home Assistant's tts API: valid WAV in Mandarin and English."""

from __future__ import annotations

import io
import wave
from typing import Any

import pytest
from homeassistant.components import tts
from homeassistant.components.tts.media_source import generate_media_source_id
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import entity_id


def read_wav(data: bytes) -> tuple[int, int, int, int]:
    with wave.open(io.BytesIO(data)) as wav:
        return wav.getframerate(), wav.getsampwidth(), wav.getnchannels(), wav.getnframes()


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "The kitchen light is on."), ("zh", "客厅的灯已经打开了。")],
)
async def test_speech_in_both_languages(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any, language: str, text: str
) -> None:
    engine = entity_id(hass, "tts", station, "tts")
    # WAV as a voice satellite asks for it; the default (mp3) would need the ffmpeg program,
    # which Home Assistant OS has and this test machine does not.
    media_id = generate_media_source_id(
        hass, text, engine=engine, language=language, options={"preferred_format": "wav"}
    )
    extension, data = await tts.async_get_media_source_audio(hass, media_id)
    assert extension == "wav"
    rate, width, channels, frames = read_wav(data)
    assert width == 2
    assert channels == 1
    assert frames / rate > 0.5  # a whole sentence, not a beep


async def test_voices_rate_and_volume(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any
) -> None:
    """A slower rate gives longer speech; voices are listed per language."""
    engine_id = entity_id(hass, "tts", station, "tts")
    engine = tts.get_engine_instance(hass, engine_id)
    assert engine is not None
    assert {"zh", "en", "zh-Hans", "en-US"} <= set(engine.supported_languages)
    assert engine.default_language == "en"
    assert engine.default_options == {"rate": 160, "volume": 90}
    zh_voices = engine.async_get_supported_voices("zh-Hans")
    assert zh_voices
    assert engine.async_get_supported_voices("en")
    assert engine.async_get_supported_voices("ko") is None

    text = "Dinner is ready in the kitchen."
    _, fast = await engine.async_get_tts_audio(text, "en", {"rate": 240, "volume": 100})
    _, slow = await engine.async_get_tts_audio(text, "en", {"rate": 100, "volume": 50})
    assert fast is not None
    assert slow is not None
    fast_rate, *_, fast_frames = read_wav(fast)
    slow_rate, *_, slow_frames = read_wav(slow)
    assert slow_frames / slow_rate > fast_frames / fast_rate

    _, voiced = await engine.async_get_tts_audio("你好", "zh", {"voice": zh_voices[0].voice_id})
    assert voiced is not None
    assert read_wav(voiced)[3] > 0


async def test_failure_is_a_translated_error(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any
) -> None:
    engine = tts.get_engine_instance(hass, entity_id(hass, "tts", station, "tts"))
    assert engine is not None
    with pytest.raises(HomeAssistantError) as caught:
        await engine.async_get_tts_audio("", "en", {})  # the station refuses empty text
    assert caught.value.translation_key == "tts_failed"

    await station.stop()
    with pytest.raises(HomeAssistantError):
        await engine.async_get_tts_audio("Hello", "en", {})

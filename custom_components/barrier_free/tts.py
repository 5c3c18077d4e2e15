"""Text-to-speech entity: the station's Mandarin and English voices, returned as WAV."""

from __future__ import annotations

from typing import Any

from homeassistant.components import tts
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .client import StationError, wav_bytes
from .const import (
    CONF_LANGUAGE,
    CONF_RATE,
    CONF_VOLUME,
    DEFAULT_LANGUAGE,
    DEFAULT_RATE,
    DEFAULT_VOLUME,
    DOMAIN,
    LANGUAGE_TAGS,
    MAX_RATE,
    MIN_RATE,
    SPEECH_TIMEOUT,
    TTS_OPTION_RATE,
    TTS_OPTION_VOLUME,
)
from .data import BarrierFreeConfigEntry
from .entity import BarrierFreeEntity
from .logic.languages import station_language

PARALLEL_UPDATES = 0  # each request has its own connection to the station


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BarrierFreeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_entities([BarrierFreeTextToSpeech(entry)])


class BarrierFreeTextToSpeech(BarrierFreeEntity, tts.TextToSpeechEntity):
    """Speech from the station's synthesiser.

    Options: `voice`, `rate` (words per minute) and `volume` (percent); the defaults are the
    installer's choices in the options flow. The station synthesises a whole sentence before
    sending it, so the audio is returned whole, as a WAV file with correct sizes.
    """

    _attr_translation_key = "text_to_speech"

    def __init__(self, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "tts")
        self._attr_supported_options = [tts.ATTR_VOICE, TTS_OPTION_RATE, TTS_OPTION_VOLUME]
        info = entry.runtime_data.info
        self._voices: dict[str, list[tts.Voice]] = {}
        for voice in info.voices:
            self._voices.setdefault(voice.language, []).append(
                tts.Voice(voice_id=voice.name, name=voice.description)
            )
        self._attr_supported_languages = [
            tag for code in self._voices for tag in LANGUAGE_TAGS.get(code, (code,))
        ]
        chosen = str(entry.options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE))
        self._attr_default_language = (
            chosen if chosen in self._voices else next(iter(self._voices), DEFAULT_LANGUAGE)
        )
        self._attr_default_options = {
            TTS_OPTION_RATE: int(entry.options.get(CONF_RATE, DEFAULT_RATE)),
            TTS_OPTION_VOLUME: int(entry.options.get(CONF_VOLUME, DEFAULT_VOLUME)),
        }

    @callback
    def async_get_supported_voices(self, language: str) -> list[tts.Voice] | None:
        return self._voices.get(station_language(language))

    async def async_get_tts_audio(
        self, message: str, language: str, options: dict[str, Any]
    ) -> tts.TtsAudioType:
        """Synthesise `message` at the station and return it as WAV."""
        rate = min(max(int(options.get(TTS_OPTION_RATE, DEFAULT_RATE)), MIN_RATE), MAX_RATE)
        volume = min(max(float(options.get(TTS_OPTION_VOLUME, DEFAULT_VOLUME)), 0.0), 100.0)
        code = station_language(language)
        voice: str | None = options.get(tts.ATTR_VOICE)
        if voice in self._voices:
            # The station names its default voices after their language: asking for the
            # voice "zh" means speaking Mandarin with the station's Mandarin voice.
            code, voice = voice, None
        try:
            async with await self.connection.async_open_session() as session:
                audio_format, chunks = await session.synthesize(
                    message,
                    language=code,
                    voice=voice,
                    rate=rate,
                    volume=volume / 100,
                    time_limit=SPEECH_TIMEOUT,
                )
                pcm = b"".join([chunk async for chunk in chunks])
        except StationError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="tts_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        return "wav", wav_bytes(audio_format, pcm)

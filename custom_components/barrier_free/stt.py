"""Speech-to-text entity: Home Assistant's audio, streamed to the station as it arrives."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from homeassistant.components import stt
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .client import AudioFormat, StationError
from .const import LANGUAGE_TAGS, LOGGER, NOT_HEARD, SPEECH_TIMEOUT
from .data import BarrierFreeConfigEntry
from .entity import BarrierFreeEntity
from .logic.languages import station_language

PARALLEL_UPDATES = 0  # each request has its own connection to the station

# The station resamples any 16-bit mono rate between 8 and 192 kHz (voice/audio.py).
STATION_MIN_RATE = 8000
STATION_MAX_RATE = 192000


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BarrierFreeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_entities([BarrierFreeSpeechToText(entry)])


async def pcm_only(stream: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """Pass raw PCM through; drop a WAV header if a client sent one in front of it.

    Home Assistant's pipeline sends raw PCM, but its HTTP API forwards the client's bytes,
    and a WAV header read as samples would be a click the recogniser tries to hear.
    """
    first = True
    async for chunk in stream:
        yield _without_wav_header(chunk) if first else chunk
        first = False


def _without_wav_header(chunk: bytes) -> bytes:
    if chunk[:4] != b"RIFF" or chunk[8:12] != b"WAVE":
        return chunk
    position = 12
    while position + 8 <= len(chunk):
        size = int.from_bytes(chunk[position + 4 : position + 8], "little")
        if chunk[position : position + 4] == b"data":
            return chunk[position + 8 :]
        position += 8 + size + (size & 1)
    return chunk


class BarrierFreeSpeechToText(BarrierFreeEntity, stt.SpeechToTextEntity):
    """The station's recogniser, constrained to the phrases of the home."""

    _attr_translation_key = "speech_to_text"

    def __init__(self, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "stt")
        info = entry.runtime_data.info
        self._languages = [
            tag for code in info.asr_languages for tag in LANGUAGE_TAGS.get(code, (code,))
        ]

    @property
    def supported_languages(self) -> list[str]:
        """The languages the station has a model for."""
        return self._languages

    @property
    def supported_formats(self) -> list[stt.AudioFormats]:
        return [stt.AudioFormats.WAV]

    @property
    def supported_codecs(self) -> list[stt.AudioCodecs]:
        return [stt.AudioCodecs.PCM]

    @property
    def supported_bit_rates(self) -> list[stt.AudioBitRates]:
        return [stt.AudioBitRates.BITRATE_16]

    @property
    def supported_sample_rates(self) -> list[stt.AudioSampleRates]:
        return [
            rate
            for rate in stt.AudioSampleRates
            if STATION_MIN_RATE <= rate.value <= STATION_MAX_RATE
        ]

    @property
    def supported_channels(self) -> list[stt.AudioChannels]:
        return [stt.AudioChannels.CHANNEL_MONO]

    async def async_process_audio_stream(
        self, metadata: stt.SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> stt.SpeechResult:
        """Stream the audio to the station; `NOT_HEARD` when it matched no phrase, so that the
        pipeline still runs the agent and says "not understood"."""
        try:
            async with await self.connection.async_open_session() as session:
                result = await session.transcribe(
                    pcm_only(stream),
                    audio_format=AudioFormat(rate=int(metadata.sample_rate)),
                    language=station_language(metadata.language),
                    time_limit=SPEECH_TIMEOUT,
                )
        except StationError as err:
            LOGGER.warning("Speech-to-text at %s failed: %s", self.connection.host, err)
            return stt.SpeechResult(None, stt.SpeechResultState.ERROR)
        LOGGER.debug("Transcript from %s: %s", self.connection.host, result)
        return stt.SpeechResult(result.text or NOT_HEARD, stt.SpeechResultState.SUCCESS)

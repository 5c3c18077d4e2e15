"""The protocol's events (voice/PROTOCOL.md): their types, builders and what answers carry.

Every event the integration sends is built here, and every answer it reads is parsed here into
a typed value, so neither the session nor the Home Assistant glue handles raw event data.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from wyoming.event import Event

from .errors import NotAStation

PROTOCOL = 2
# Event types of the protocol (standard Wyoming ones and the project's `bf-` ones).
EV_HELLO = "bf-hello"
EV_CHALLENGE = "bf-challenge"
EV_PAIR = "bf-pair"
EV_PAIRED = "bf-paired"
EV_ERROR = "error"
EV_DESCRIBE = "describe"
EV_INFO = "info"
EV_TRANSCRIBE = "transcribe"
EV_TRANSCRIPT = "transcript"
EV_AUDIO_START = "audio-start"
EV_AUDIO_CHUNK = "audio-chunk"
EV_AUDIO_STOP = "audio-stop"
EV_SYNTHESIZE = "synthesize"
EV_SET_PHRASES = "bf-set-phrases"
EV_GET_PHRASES = "bf-get-phrases"
EV_PHRASES = "bf-phrases"
EV_SETTINGS = "bf-settings"
EV_EXPECT_DIGITS = "bf-expect-digits"
EV_EXPECTING_DIGITS = "bf-expecting-digits"
EV_TEST_MICROPHONE = "bf-test-microphone"
EV_MICROPHONE = "bf-microphone"
EV_SUBSCRIBE = "bf-subscribe"
EV_ROOM_TRANSCRIPT = "bf-room-transcript"
EV_BUTTON = "bf-button"
EV_ANSWER = "bf-answer"
EV_ANNOUNCE = "bf-announce"
EV_ANNOUNCED = "bf-announced"
EV_PING = "ping"
EV_PONG = "pong"
SAMPLE_WIDTH = 2  # the station takes and gives 16-bit PCM only
CHANNELS = 1  # ... and mono only


@dataclass(frozen=True, slots=True)
class StationVoice:
    """A text-to-speech voice the station offers."""

    name: str
    language: str
    description: str


@dataclass(frozen=True, slots=True)
class StationModel:
    """A speech recognition model installed on the station, as its `info` names it."""

    name: str  # "<engine>-<language>", e.g. "vosk-zh"
    languages: tuple[str, ...]
    description: str
    verified: bool | None = None  # found intact by the station (sha/size); None: unknown


@dataclass(frozen=True, slots=True)
class StationInfo:
    """What a station says about itself when paired and described."""

    station_id: str
    name: str
    version: str
    protocol: int
    languages: tuple[str, ...]
    asr_languages: tuple[str, ...] = ()
    voices: tuple[StationVoice, ...] = ()
    asr_models: tuple[StationModel, ...] = ()

    @classmethod
    def from_events(cls, paired: Mapping[str, Any], info: Mapping[str, Any] | None) -> Self:
        """Build from the `bf-paired` data and (optionally) the `info` data of `describe`."""
        station_id = paired.get("station_id")
        if not isinstance(station_id, str) or not station_id:
            raise NotAStation("bf-paired without a station id")
        languages = tuple(str(lang) for lang in paired.get("languages") or ())
        checked = {
            str(model.get("name")): model.get("verified")
            for model in ((info or {}).get("barrier_free") or {}).get("models") or ()
            if isinstance(model, Mapping)
        }
        asr: list[str] = []
        voices: list[StationVoice] = []
        models: list[StationModel] = []
        for program in (info or {}).get("asr") or ():
            for model in program.get("models") or ():
                if model.get("installed", True):
                    langs = tuple(str(lang) for lang in model.get("languages") or ())
                    asr.extend(langs)
                    models.append(
                        StationModel(
                            str(model.get("name")),
                            langs,
                            str(model.get("description") or model.get("name")),
                            _verified(checked.get(str(model.get("name")))),
                        )
                    )
        for program in (info or {}).get("tts") or ():
            for voice in program.get("voices") or ():
                if not voice.get("installed", True):
                    continue
                for lang in voice.get("languages") or ():
                    voices.append(
                        StationVoice(
                            name=str(voice.get("name")),
                            language=str(lang),
                            description=str(voice.get("description") or voice.get("name")),
                        )
                    )
        return cls(
            station_id=station_id,
            name=str(paired.get("name") or station_id),
            version=str(paired.get("version") or ""),
            protocol=int(paired.get("protocol") or PROTOCOL),
            languages=languages,
            asr_languages=tuple(dict.fromkeys(asr)) if info is not None else languages,
            voices=tuple(voices),
            asr_models=tuple(models),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "station_id": self.station_id,
            "name": self.name,
            "version": self.version,
            "protocol": self.protocol,
            "languages": list(self.languages),
            "asr_languages": list(self.asr_languages),
            "voices": [
                {"name": v.name, "language": v.language, "description": v.description}
                for v in self.voices
            ],
        }


def _verified(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class TranscriptResult:
    """A transcript, with the station's phrase snapping outcome."""

    text: str
    language: str | None = None
    phrase: str | None = None
    score: float | None = None
    rejected: bool = False

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Self:
        extra = data.get("barrier_free") or {}
        score = extra.get("score", data.get("score"))
        return cls(
            text=str(data.get("text") or ""),
            language=data.get("language"),
            phrase=extra.get("phrase", data.get("phrase")),
            score=None if score is None else float(score),
            rejected=bool(extra.get("rejected", data.get("rejected", False))),
        )


@dataclass(frozen=True, slots=True)
class RoomUtterance:
    """What a resident said at the station in room mode (`bf-room-transcript`)."""

    utterance_id: str
    transcript: TranscriptResult

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            utterance_id=str(data.get("utterance_id") or ""),
            transcript=TranscriptResult.from_data(data),
        )


@dataclass(frozen=True, slots=True)
class PhraseListResult:
    """The station's answer to a phrase list (`bf-phrases`)."""

    language: str
    version: int
    count: int
    duplicates: int = 0
    empty: int = 0
    unusable: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            language=str(data.get("language") or ""),
            version=int(data.get("version") or 0),
            count=int(data.get("count") or 0),
            duplicates=int(data.get("duplicates") or 0),
            empty=int(data.get("empty") or 0),
            unusable=tuple(data.get("unusable") or ()),
        )


@dataclass(frozen=True, slots=True)
class MicrophoneCheck:
    """The station's answer to a microphone check (`bf-microphone`)."""

    verdict: str  # "ok", "no_words", "quiet" or "silent"
    peak_dbfs: float
    rms_dbfs: float
    heard: str
    language: str
    seconds: float

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            verdict=str(data.get("verdict") or ""),
            peak_dbfs=float(data.get("peak_dbfs") or 0.0),
            rms_dbfs=float(data.get("rms_dbfs") or 0.0),
            heard=str(data.get("heard") or ""),
            language=str(data.get("language") or ""),
            seconds=float(data.get("seconds") or 0.0),
        )


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """Format of PCM audio, as in Wyoming's `audio-start`."""

    rate: int
    width: int = SAMPLE_WIDTH
    channels: int = CHANNELS


def hello_event(nonce: str) -> Event:
    return Event(EV_HELLO, {"nonce": nonce, "client": "home-assistant", "protocol": PROTOCOL})


def pair_event(proof: str) -> Event:
    return Event(EV_PAIR, {"proof": proof, "client": "home-assistant", "protocol": PROTOCOL})


def settings_event(rate: int, volume: float, language: str) -> Event:
    return Event(EV_SETTINGS, {"rate": rate, "volume": volume, "language": language})


def set_phrases_event(language: str, phrases: Sequence[str], version: int) -> Event:
    """The phrases the station may recognise in `language`."""
    return Event(
        EV_SET_PHRASES, {"language": language, "phrases": list(phrases), "version": version}
    )


def expect_digits_event(digits: bool) -> Event:
    """Let the station hear digit strings (a spoken PIN) besides the phrases, or stop it;
    answered with `bf-expecting-digits`. It lasts as long as this connection."""
    return Event(EV_EXPECT_DIGITS, {"digits": digits})


def test_microphone_event(seconds: float) -> Event:
    """Record `seconds` from the station's microphone, measure and transcribe it, say the
    outcome; answered with `bf-microphone`."""
    return Event(EV_TEST_MICROPHONE, {"seconds": seconds})


def subscribe_event() -> Event:
    """Ask for the station's room events (`bf-room-transcript`, `bf-button`)."""
    return Event(EV_SUBSCRIBE, {})


def ping_event() -> Event:
    return Event(EV_PING, {})


def announce_event(
    announcement_id: str, text: str, language: str, *, priority: str, chime: str | None
) -> Event:
    """Speak `text` on the station's speaker; answered with `bf-announced` as it progresses."""
    return Event(
        EV_ANNOUNCE,
        {
            "id": announcement_id,
            "text": text,
            "language": language,
            "priority": priority,
            "chime": chime,
        },
    )


def answer_event(utterance_id: str, text: str, language: str) -> Event:
    """The answer to a room utterance; the station speaks it and reports `bf-announced`."""
    return Event(EV_ANSWER, {"utterance_id": utterance_id, "text": text, "language": language})


def wav_bytes(audio_format: AudioFormat, pcm: bytes) -> bytes:
    """A complete WAV file (correct sizes in the header) of `pcm`."""
    with io.BytesIO() as buffer:
        with wave.open(buffer, "wb") as wav:
            wav.setframerate(audio_format.rate)
            wav.setsampwidth(audio_format.width)
            wav.setnchannels(audio_format.channels)
            wav.writeframes(pcm)
        return buffer.getvalue()

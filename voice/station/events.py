"""Builders of the events the station sends (PROTOCOL.md says what each one means).

Kept in one place so that what a client can see is easy to check against PROTOCOL.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wyoming.asr import Transcript
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import AsrModel, AsrProgram, Attribution, Info, TtsProgram, TtsVoice

from .. import __version__
from ..languages import SPEECH_LANGUAGES

if TYPE_CHECKING:
    from ..errors import VoiceError
    from ..recognition.recognizer import Result
    from ..room.mic_check import MicrophoneCheck
    from .station import Station

PROTOCOL_VERSION = 2  # 2: challenge-response pairing, the token never crosses the wire


@dataclass
class PhraseListInForce:
    """The phrase list in force for one language and what the recogniser made of it."""

    version: int = 0
    phrases: list[str] = field(default_factory=list)
    duplicates: int = 0
    empty: int = 0
    count: int = 0
    unusable: list[dict[str, str]] = field(default_factory=list)


def phrases_event(state: PhraseListInForce, language: str) -> Event:
    """`bf-phrases`: the list in force for `language` (answer to bf-set/get-phrases)."""
    return Event(
        "bf-phrases",
        {
            "language": language,
            "version": state.version,
            "count": state.count,
            "duplicates": state.duplicates,
            "empty": state.empty,
            "unusable": state.unusable,
        },
    )


def expecting_digits_event(digits: bool) -> Event:
    """`bf-expecting-digits`: whether digit strings (a PIN) are heard now."""
    return Event("bf-expecting-digits", {"digits": digits})


def microphone_event(check: MicrophoneCheck) -> Event:
    """`bf-microphone`: the outcome of a microphone check."""
    return Event("bf-microphone", check.as_dict())


def paired_event(station: Station) -> Event:
    """`bf-paired`: who the station is, once the token matched."""
    return Event(
        "bf-paired",
        {
            "station_id": station.station_id,
            "name": station.name,
            "version": __version__,
            "protocol": PROTOCOL_VERSION,
            "languages": list(station.languages),
        },
    )


def challenge_event(station: Station, nonce: str, proof: str) -> Event:
    """`bf-challenge`: the station's proof that it holds the token, and its own nonce."""
    return Event(
        "bf-challenge",
        {
            "station_id": station.station_id,
            "nonce": nonce,
            "proof": proof,
            "protocol": PROTOCOL_VERSION,
        },
    )


def subscribed_event(subscribed: bool) -> Event:
    return Event("bf-subscribed", {"subscribed": subscribed})


def settings_event(settings: dict[str, Any]) -> Event:
    return Event("bf-settings", settings)


def announced_event(ident: str, status: str, err: VoiceError | None) -> Event:
    """`bf-announced`: what became of an announcement (queued, playing, done, failed...)."""
    data: dict[str, Any] = {"id": ident, "status": status}
    if err is not None:
        data["error"] = error_event(err).data
    return Event("bf-announced", data)


def room_transcript_event(utterance_id: str, result: Result, language: str) -> Event:
    """`bf-room-transcript`: what the room heard, for subscribed clients to answer."""
    text = "" if result.rejected else (result.phrase or result.text)
    return Event(
        "bf-room-transcript",
        {
            "utterance_id": utterance_id,
            "text": text,
            "language": language,
            "phrase": result.phrase,
            "score": result.score,
            "rejected": result.rejected,
        },
    )


def button_event(button: str) -> Event:
    return Event("bf-button", {"button": button, "action": "press"})


def error_event(err: VoiceError) -> Event:
    """The `error` event for `err`: standard Wyoming text+code, plus the Mandarin text."""
    event = Error(text=err.message("en"), code=err.code).event()
    event.data["text_zh"] = err.message("zh")
    return event


def transcript_event(result: Result, language: str) -> Event:
    """`transcript` with the speech core's phrase, score and rejected flag beside the text."""
    text = "" if result.rejected else (result.phrase if result.phrase is not None else result.text)
    event = Transcript(text=text, language=language).event()
    event.data["barrier_free"] = {
        "phrase": result.phrase,
        "score": result.score,
        "rejected": result.rejected,
        "raw_text": result.text,
        "digits": result.digits,
    }
    return event


def info_event(station: Station) -> Event:
    """The Wyoming `info` event (answer to `describe`), with our own details beside it."""
    attribution = Attribution(name="Barrier-Free Home", url="https://www.home-assistant.io/")
    asr_models = [
        AsrModel(
            name=f"{rec.engine}-{lang}",
            attribution=attribution,
            installed=True,
            description=f"{rec.engine} ({lang}), limited to the home's phrases",
            version=None,
            languages=[lang],
        )
        for lang, rec in station.recognizers.items()
    ]
    voices = [
        TtsVoice(
            name=lang,
            attribution=attribution,
            installed=True,
            description={"zh": "普通话 (espeak-ng)", "en": "English (espeak-ng)"}[lang],
            version=None,
            languages=[lang],
        )
        for lang in SPEECH_LANGUAGES
    ]
    info = Info(
        asr=[
            AsrProgram(
                name="barrier-free-stt",
                attribution=attribution,
                installed=True,
                description="Offline speech recognition for barrier-free homes",
                version=__version__,
                models=asr_models,
            )
        ],
        tts=[
            TtsProgram(
                name="barrier-free-tts",
                attribution=attribution,
                installed=True,
                description="Offline speech for barrier-free homes",
                version=__version__,
                voices=voices,
            )
        ],
    )
    event = info.event()
    event.data["barrier_free"] = {
        "station_id": station.station_id,
        "name": station.name,
        "version": __version__,
        "protocol": PROTOCOL_VERSION,
        "models": [
            {
                "name": f"{rec.engine}-{lang}",
                "language": lang,
                "engine": rec.engine,
                "verified": station.models_verified.get(lang),
            }
            for lang, rec in station.recognizers.items()
        ],
    }
    return event

"""The requests of one client besides speech to text: synthesize and the project's bf-* events.

Each handler checks the event's fields (a wrong one is a `bad_request` naming the field),
asks the station, and answers; a VoiceError raised here is sent to the client as `error`.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event

from ..audio import SAMPLE_WIDTH
from ..errors import UnknownLanguage, VoiceError
from ..languages import SPEECH_LANGUAGES, alias, speech_language
from ..room.mic_check import DEFAULT_SECONDS, MAX_SECONDS, MIN_SECONDS, check_microphone
from ..speech.announce import EARCONS, Announcement, Priority
from ..speech.tts import MAX_RATE, MAX_TEXT_CHARS, MIN_RATE, EmptyText, TextTooLong
from ..state import Settings
from .errors import BadRequest
from .events import (
    PhraseListInForce,
    announced_event,
    microphone_event,
    phrases_event,
    settings_event,
)

if TYPE_CHECKING:
    from ..recognition.recognizer import Recognizer
    from .station import Station

MAX_ANNOUNCE_CHARS = MAX_TEXT_CHARS  # what is said must be speakable in one piece
SPEECH_CHUNK_BYTES = 8192  # ~0.19 s of 22 kHz speech per audio-chunk
PRIORITIES = {p.name.lower(): p for p in Priority}


class Requests:
    """Handlers of one client's synthesize and bf-* events."""

    def __init__(
        self,
        station: Station,
        send: Callable[[Event], Awaitable[None]],
        queue_reply: Callable[[Event], None],
        recognizer: Callable[[str], tuple[str, Recognizer]],
    ) -> None:
        self.station = station
        self._send = send
        # for the statuses of this client's own announcements: queued without waiting (the
        # announcer cannot wait), they hold up this client's reading, never disconnect it
        self._queue_reply = queue_reply
        self._recognizer = recognizer

    # --- text to speech ---

    async def synthesize(self, event: Event) -> None:
        text = event.data.get("text")
        if not isinstance(text, str):
            raise BadRequest(event="synthesize", field="text", detail="not text")
        voice = event.data.get("voice") or {}
        extra = event.data.get("barrier_free") or {}
        if not isinstance(voice, dict) or not isinstance(extra, dict):
            raise BadRequest(event="synthesize", field="voice", detail="not an object")
        settings = self.station.settings
        language = voice.get("language")
        name = voice.get("name")
        if isinstance(name, str) and alias(name) in SPEECH_LANGUAGES:
            # our info lists voices named by their language ("zh", "en"); Home Assistant sends
            # the name with or without the language
            language, name = language or name, None
        speech = await self.station.speak(
            text,
            language=str(language or settings.language),
            rate=extra.get("rate", settings.rate),
            volume=extra.get("volume", settings.volume),
            voice=name if isinstance(name, str) else None,
        )
        await self._send(AudioStart(rate=speech.rate, width=SAMPLE_WIDTH, channels=1).event())
        for start in range(0, len(speech.pcm), SPEECH_CHUNK_BYTES):
            chunk = speech.pcm[start : start + SPEECH_CHUNK_BYTES]
            await self._send(
                AudioChunk(rate=speech.rate, width=SAMPLE_WIDTH, channels=1, audio=chunk).event()
            )
        await self._send(AudioStop().event())

    async def set_phrases(self, event: Event) -> None:
        language = event.data.get("language")
        phrases = event.data.get("phrases")
        version = event.data.get("version")
        if not isinstance(language, str):
            raise BadRequest(event="bf-set-phrases", field="language", detail="not text")
        if phrases is not None and (
            not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases)
        ):
            raise BadRequest(event="bf-set-phrases", field="phrases", detail="not a list of text")
        if version is not None and (
            not isinstance(version, int) or isinstance(version, bool) or version < 0
        ):
            raise BadRequest(event="bf-set-phrases", field="version", detail="not a whole number")
        key, _ = self._recognizer(language)
        state = await self.station.set_phrases(key, phrases, version)
        await self._send(phrases_event(state, key))

    async def get_phrases(self, event: Event) -> None:
        language = event.data.get("language") or self.station.languages[0]
        if not isinstance(language, str):
            raise BadRequest(event="bf-get-phrases", field="language", detail="not text")
        key, _ = self._recognizer(language)
        await self._send(phrases_event(self.station.phrases.get(key, PhraseListInForce()), key))

    async def announce(self, event: Event) -> None:
        data = event.data
        ident = data.get("id") or secrets.token_hex(6)
        text = data.get("text") or ""
        priority = PRIORITIES.get(str(data.get("priority", "normal")))
        chime = data.get("chime")
        if not isinstance(ident, str) or len(ident) > 128:
            raise BadRequest(
                event="bf-announce", field="id", detail="not text of up to 128 characters"
            )
        if not isinstance(text, str):
            raise BadRequest(event="bf-announce", field="text", detail="not text")
        if len(text) > MAX_ANNOUNCE_CHARS:
            raise TextTooLong(length=len(text), limit=MAX_ANNOUNCE_CHARS)
        if priority is None:
            raise BadRequest(
                event="bf-announce", field="priority", detail="use alarm, high, normal or low"
            )
        if chime is not None and chime not in EARCONS:
            raise BadRequest(
                event="bf-announce", field="chime", detail=f"use one of {', '.join(EARCONS)}"
            )
        if not text.strip() and chime is None:
            raise BadRequest(
                event="bf-announce", field="text", detail="give a text, a chime or both"
            )
        language = data.get("language") or self.station.settings.language
        if not isinstance(language, str):
            raise BadRequest(event="bf-announce", field="language", detail="not text")
        self.station.announcer.submit(
            Announcement(
                id=ident,
                text=text,
                language=language,
                priority=priority,
                chime=chime,
                on_status=self._announcement_status,
            )
        )

    def _announcement_status(self, item: Announcement, status: str, err: VoiceError | None) -> None:
        self._queue_reply(announced_event(item.id, status, err))

    async def test_microphone(self, event: Event) -> None:
        seconds = event.data.get("seconds", DEFAULT_SECONDS)
        if (
            not isinstance(seconds, int | float)
            or isinstance(seconds, bool)
            or not MIN_SECONDS <= seconds <= MAX_SECONDS
        ):
            raise BadRequest(
                event="bf-test-microphone",
                field="seconds",
                detail=f"use {MIN_SECONDS:g} to {MAX_SECONDS:g}",
            )
        await self._send(microphone_event(await check_microphone(self.station, float(seconds))))

    async def settings(self, event: Event) -> None:
        await self.station.update_settings(event.data)
        await self._send(settings_event(self.station.settings.as_dict()))

    async def answer(self, event: Event) -> None:
        ident = event.data.get("utterance_id")
        text = event.data.get("text")
        if not isinstance(ident, str):
            raise BadRequest(event="bf-answer", field="utterance_id", detail="not text")
        if not isinstance(text, str):
            raise BadRequest(event="bf-answer", field="text", detail="not text")
        if not text.strip():
            raise EmptyText
        if len(text) > MAX_ANNOUNCE_CHARS:
            raise TextTooLong(length=len(text), limit=MAX_ANNOUNCE_CHARS)
        language = event.data.get("language") or self.station.settings.language
        item = self.station.announcer.submit(
            Announcement(
                id=ident,
                text=text,
                language=str(language),
                priority=Priority.HIGH,
                on_status=self._announcement_status,
            )
        )
        self.station.deliver_answer(ident, item)


def checked_settings(current: Settings, data: dict[str, Any]) -> Settings:
    """`current` changed by the fields of a bf-settings event (or the saved settings); each
    field is checked first, so that nothing changes when one is wrong."""
    settings = Settings(**current.as_dict())
    if "language" in data and data["language"] is not None:
        language = data["language"]
        if not isinstance(language, str):
            raise UnknownLanguage(language=language, supported=", ".join(SPEECH_LANGUAGES))
        settings.language = speech_language(language)
    if "rate" in data:
        rate = data["rate"]
        if rate is not None and (
            not isinstance(rate, int) or isinstance(rate, bool) or not MIN_RATE <= rate <= MAX_RATE
        ):
            raise BadRequest(
                event="bf-settings", field="rate", detail=f"use {MIN_RATE} to {MAX_RATE}"
            )
        settings.rate = rate
    if "volume" in data:
        volume = data["volume"]
        if volume is not None and (
            not isinstance(volume, int | float)
            or isinstance(volume, bool)
            or not 0.0 <= volume <= 1.0
        ):
            raise BadRequest(event="bf-settings", field="volume", detail="use 0.0 to 1.0")
        settings.volume = None if volume is None else float(volume)
    return settings

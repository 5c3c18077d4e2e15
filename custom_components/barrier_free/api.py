"""Client side of the voice station protocol (voice/PROTOCOL.md), free of Home Assistant.

The station speaks Wyoming: a JSON header line per event, optional JSON data and a binary
payload. Framing is done by the `wyoming` package's async helpers; this module adds pairing,
the project's `bf-` events and typed errors, so the Home Assistant glue never handles raw
events. Every connection starts with the pairing handshake (PROTOCOL.md, "Pairing"): the
station first proves that it holds the token, then the client does; the token itself is
never sent, so a forged station (a spoofed discovery record) learns nothing. A station that
cannot prove it (StationNotProven, a kind of InvalidAuth: the token is wrong, or this is not
the station) and a port that is not a station (NotAStation) are told apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import io
import secrets
import wave
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from wyoming.event import Event, async_read_event, async_write_event

PROTOCOL = 2
NONCE_BYTES = 16  # the client's challenge: 32 hex characters, fresh for every connection
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
EV_SUBSCRIBE = "bf-subscribe"
EV_ROOM_TRANSCRIPT = "bf-room-transcript"
EV_BUTTON = "bf-button"
EV_ANSWER = "bf-answer"
EV_PING = "ping"
EV_PONG = "pong"

AUTH_ERROR_CODES = frozenset({"bad_token"})
SAMPLE_WIDTH = 2  # the station takes and gives 16-bit PCM only
CHANNELS = 1  # ... and mono only


class StationError(Exception):
    """Base class of everything that can go wrong talking to a station."""


class CannotConnect(StationError):
    """The station could not be reached, or the connection broke."""


class InvalidAuth(StationError):
    """The station refused the pairing token."""


class StationNotProven(InvalidAuth):
    """The station did not prove that it holds the token: the token is wrong, or this is
    not the station (nothing secret was sent to it)."""


class NotAStation(StationError):
    """Something answered at this address, but not a Barrier-Free voice station."""


class StationRequestError(StationError):
    """The station answered a request with an `error` event."""

    def __init__(self, code: str, text: str, text_zh: str | None = None) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text
        self.text_zh = text_zh or text

    @classmethod
    def from_event(cls, event: Event) -> StationRequestError:
        data = event.data
        return cls(
            str(data.get("code") or "error"), str(data.get("text") or ""), data.get("text_zh")
        )


@dataclass(frozen=True, slots=True)
class StationVoice:
    """A text-to-speech voice the station offers."""

    name: str
    language: str
    description: str


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

    @classmethod
    def from_events(cls, paired: Mapping[str, Any], info: Mapping[str, Any] | None) -> Self:
        """Build from the `bf-paired` data and (optionally) the `info` data of `describe`."""
        station_id = paired.get("station_id")
        if not isinstance(station_id, str) or not station_id:
            raise NotAStation("bf-paired without a station id")
        languages = tuple(str(lang) for lang in paired.get("languages") or ())
        asr: list[str] = []
        voices: list[StationVoice] = []
        for program in (info or {}).get("asr") or ():
            for model in program.get("models") or ():
                if model.get("installed", True):
                    asr.extend(str(lang) for lang in model.get("languages") or ())
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
class AudioFormat:
    """Format of PCM audio, as in Wyoming's `audio-start`."""

    rate: int
    width: int = SAMPLE_WIDTH
    channels: int = CHANNELS


def _proof(token: str, *parts: str) -> str:
    message = "\n".join(parts).encode("utf-8")
    return hmac.new(token.encode("utf-8"), message, "sha256").hexdigest()


def station_proof(token: str, station_id: str, client_nonce: str, station_nonce: str) -> str:
    """What a station holding `token` answers our `bf-hello` with."""
    return _proof(token, "bf-station", station_id, client_nonce, station_nonce)


def client_proof(token: str, station_id: str, station_nonce: str, client_nonce: str) -> str:
    """What we send in `bf-pair` to show that we hold `token` too."""
    return _proof(token, "bf-client", station_id, station_nonce, client_nonce)


def hello_event(nonce: str) -> Event:
    return Event(EV_HELLO, {"nonce": nonce, "client": "home-assistant", "protocol": PROTOCOL})


def pair_event(proof: str) -> Event:
    return Event(EV_PAIR, {"proof": proof, "client": "home-assistant", "protocol": PROTOCOL})


def settings_event(rate: int, volume: float, language: str) -> Event:
    return Event(EV_SETTINGS, {"rate": rate, "volume": volume, "language": language})


def set_phrases_event(
    language: str, phrases: Sequence[str], version: int, *, digits: bool = False
) -> Event:
    """The phrase list; `digits` also lets the station hear a spoken PIN (digits only)."""
    data: dict[str, Any] = {"language": language, "phrases": list(phrases), "version": version}
    if digits:
        data["digits"] = True
    return Event(EV_SET_PHRASES, data)


def wav_bytes(audio_format: AudioFormat, pcm: bytes) -> bytes:
    """A complete WAV file (correct sizes in the header) of `pcm`."""
    with io.BytesIO() as buffer:
        with wave.open(buffer, "wb") as wav:
            wav.setframerate(audio_format.rate)
            wav.setsampwidth(audio_format.width)
            wav.setnchannels(audio_format.channels)
            wav.writeframes(pcm)
        return buffer.getvalue()


class StationSession:
    """One paired TCP connection to a station.

    `open()` connects and pairs; `receive()` turns a closed or broken connection into
    CannotConnect and an `error` event into StationRequestError, so callers only see
    the events they asked for.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        info: StationInfo,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self.info = info

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        token: str,
        *,
        time_limit: float,
        describe: bool = False,
    ) -> StationSession:
        """Connect and pair; with `describe`, also ask for the station's programs and voices."""
        try:
            async with asyncio.timeout(time_limit):
                reader, writer = await asyncio.open_connection(host, port)
        except (OSError, TimeoutError) as err:
            raise CannotConnect(f"cannot connect to {host}:{port}: {err!r}") from err
        try:
            paired = await _pair(reader, writer, token, time_limit)
            info: Mapping[str, Any] | None = None
            if describe:
                await async_write_event(Event(EV_DESCRIBE), writer)
                info = await _expect(reader, EV_INFO, time_limit, during="describe")
            station = StationInfo.from_events(paired, info)
        except BaseException:
            await _close_writer(writer)
            raise
        return cls(reader, writer, station)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        await _close_writer(self._writer)

    async def send(self, event: Event) -> None:
        try:
            await async_write_event(event, self._writer)
        except OSError as err:
            raise CannotConnect(f"connection lost while sending {event.type}") from err

    async def receive(self, time_limit: float | None = None) -> Event:
        """The next event from the station; CannotConnect if it is gone or silent too long."""
        try:
            async with asyncio.timeout(time_limit):
                event = await async_read_event(self._reader)
        except TimeoutError as err:
            raise CannotConnect(f"no answer from the station within {time_limit} s") from err
        except (OSError, asyncio.IncompleteReadError) as err:
            raise CannotConnect(f"connection lost: {err!r}") from err
        if event is None:
            raise CannotConnect("the station closed the connection")
        return event

    async def request(self, event: Event, expect: str, time_limit: float) -> Event:
        """Send `event` and return the answer of type `expect` (other events are skipped)."""
        await self.send(event)
        try:
            async with asyncio.timeout(time_limit):
                while True:
                    answer = await self.receive()
                    if answer.type == expect:
                        return answer
                    if answer.type == EV_ERROR:
                        raise StationRequestError.from_event(answer)
        except TimeoutError as err:
            raise CannotConnect(f"no {expect} from the station within {time_limit} s") from err

    async def transcribe(
        self,
        audio: AsyncIterable[bytes],
        *,
        audio_format: AudioFormat,
        language: str | None,
        time_limit: float,
    ) -> TranscriptResult:
        """Stream `audio` (raw PCM) to the station and return its transcript.

        Audio goes up in a task while this coroutine waits for the answer, so an error the
        station sends mid-stream (audio too long, say) ends the request at once.
        """
        start: dict[str, Any] = {
            "rate": audio_format.rate,
            "width": audio_format.width,
            "channels": audio_format.channels,
        }
        await self.send(Event(EV_TRANSCRIBE, {"language": language} if language else {}))
        await self.send(Event(EV_AUDIO_START, start))

        async def upload() -> None:
            async for chunk in audio:
                if chunk:
                    await self.send(Event(EV_AUDIO_CHUNK, start, payload=chunk))
            await self.send(Event(EV_AUDIO_STOP))

        uploading = asyncio.create_task(upload(), name="barrier_free audio upload")
        try:
            async with asyncio.timeout(time_limit):
                while True:
                    event = await self.receive()
                    if event.type == EV_TRANSCRIPT:
                        return TranscriptResult.from_data(event.data)
                    if event.type == EV_ERROR:
                        raise StationRequestError.from_event(event)
        except TimeoutError as err:
            raise CannotConnect(f"no transcript within {time_limit} s") from err
        finally:
            if not uploading.done():
                uploading.cancel()
            with contextlib.suppress(asyncio.CancelledError, StationError):
                await uploading

    async def synthesize(
        self,
        text: str,
        *,
        language: str,
        voice: str | None = None,
        rate: int | None = None,
        volume: float | None = None,
        time_limit: float,
    ) -> tuple[AudioFormat, AsyncIterator[bytes]]:
        """Ask for speech; return the audio format and an iterator over the PCM chunks."""
        voice_data: dict[str, Any] = {"language": language}
        if voice:
            voice_data["name"] = voice
        data: dict[str, Any] = {"text": text, "voice": voice_data}
        extra = {
            key: value for key, value in (("rate", rate), ("volume", volume)) if value is not None
        }
        if extra:
            data["barrier_free"] = extra
        start = await self.request(Event(EV_SYNTHESIZE, data), EV_AUDIO_START, time_limit)
        audio_format = AudioFormat(
            rate=int(start.data.get("rate", 16000)),
            width=int(start.data.get("width", SAMPLE_WIDTH)),
            channels=int(start.data.get("channels", CHANNELS)),
        )

        async def chunks() -> AsyncIterator[bytes]:
            # A timeout per event: a timeout context must not span the generator's yields.
            while True:
                event = await self.receive(time_limit)
                if event.type == EV_AUDIO_CHUNK and event.payload:
                    yield event.payload
                elif event.type == EV_AUDIO_STOP:
                    return
                elif event.type == EV_ERROR:
                    raise StationRequestError.from_event(event)

        return audio_format, chunks()


async def async_probe(host: str, port: int, token: str, *, time_limit: float) -> StationInfo:
    """Connect, pair and describe; the config flow's test of an address and token."""
    session = await StationSession.open(host, port, token, time_limit=time_limit, describe=True)
    await session.close()
    return session.info


async def _pair(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, token: str, time_limit: float
) -> Mapping[str, Any]:
    """The handshake: the station proves the token, then we do; the token is never sent."""
    nonce = secrets.token_hex(NONCE_BYTES)
    await _write(writer, hello_event(nonce))
    challenge = await _expect(reader, EV_CHALLENGE, time_limit, during="pairing")
    station_id, station_nonce = challenge.get("station_id"), challenge.get("nonce")
    given = challenge.get("proof")
    if not all(isinstance(value, str) for value in (station_id, station_nonce, given)):
        raise NotAStation("bf-challenge without station_id, nonce and proof")
    assert isinstance(station_id, str) and isinstance(station_nonce, str)
    assert isinstance(given, str)
    expected = station_proof(token, station_id, nonce, station_nonce)
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
        # Stop here: whoever this is has been sent a random nonce and nothing else.
        raise StationNotProven(f"station {station_id} did not prove the token")
    await _write(writer, pair_event(client_proof(token, station_id, station_nonce, nonce)))
    paired = await _expect(reader, EV_PAIRED, time_limit, during="pairing")
    if paired.get("station_id") != station_id:
        raise NotAStation("bf-paired names another station than bf-challenge")
    return paired


async def _write(writer: asyncio.StreamWriter, event: Event) -> None:
    try:
        await async_write_event(event, writer)
    except OSError as err:
        raise CannotConnect(f"connection lost while pairing: {err!r}") from err


async def _expect(
    reader: asyncio.StreamReader, expect: str, time_limit: float, *, during: str
) -> Mapping[str, Any]:
    """Read the answer to a handshake step; anything but `expect` means this is no station."""
    try:
        async with asyncio.timeout(time_limit):
            event = await async_read_event(reader)
    except TimeoutError as err:
        raise NotAStation(f"no answer to {during} within {time_limit} s") from err
    except asyncio.IncompleteReadError as err:
        raise NotAStation(f"truncated answer to {during}") from err
    except OSError as err:
        raise CannotConnect(f"connection lost during {during}: {err!r}") from err
    if event is None:
        raise NotAStation(f"no Wyoming answer to {during}")
    if event.type == EV_ERROR:
        if event.data.get("code") in AUTH_ERROR_CODES:
            raise InvalidAuth(str(event.data.get("text") or "bad token"))
        raise NotAStation(f"error during {during}: {event.data.get('code')}")
    if event.type != expect:
        raise NotAStation(f"unexpected {event.type!r} during {during}")
    return event.data


async def _close_writer(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()

"""The voice station as a network service: the Wyoming protocol, pairing, zeroconf.

`Station` owns everything that lives as long as the process: the loaded recognisers, the
speech synthesiser, a thread pool for their blocking calls (never run in the event loop),
the announcement queue and speaker, the phrase lists on disk, and the zeroconf records.
Each TCP connection gets its own `StationConnection`: a reading task that handles one event
at a time, and a writing task fed through a bounded queue, so a client that stops reading
only ever blocks itself. The protocol is written down in PROTOCOL.md beside this file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import logging
import os
import secrets
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from wyoming.asr import Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import AsrModel, AsrProgram, Attribution, Info, TtsProgram, TtsVoice
from wyoming.ping import Pong

from . import __version__
from .announce import (
    EARCON_RATE,
    EARCONS,
    Announcement,
    Announcer,
    AudioOutput,
    Priority,
    Segment,
    WavDirectory,
    earcon,
    open_output,
)
from .audio import SAMPLE_WIDTH, AudioTooLong, EmptyAudio, check_format
from .discovery import Advert, StationAdvertiser
from .errors import UnknownLanguage, VoiceError
from .framing import FramingError, Limits, encode_event, read_event
from .pairing import (
    StateDirError,
    ensure_private_dir,
    load_or_create_station_id,
    load_or_create_token,
    token_matches,
)
from .recognition import ENGINES, LANGUAGE_ALIASES

if TYPE_CHECKING:
    from .recognition import PhraseReport, RecognitionStream, Recognizer, Result
    from .tts import Synthesizer

_LOGGER = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
DEFAULT_PORT = 10800
DEFAULT_STATE_DIR = Path.home() / ".local" / "share" / "barrier-free" / "station"
MAX_PHRASES = 10_000
MAX_ANNOUNCE_CHARS = 1000
OUTBOX_EVENTS = 64  # per connection; a client this far behind on broadcasts is dropped
SPEECH_CHUNK_BYTES = 8192  # ~0.19 s of 22 kHz speech per audio-chunk
SPEECH_LANGUAGES = ("zh", "en")
# What an unpaired client may do when --wyoming-zeroconf is on (Home Assistant's own
# Wyoming integration cannot send a token): speech-to-text and text-to-speech only.
OPEN_EVENTS = frozenset(
    {"describe", "transcribe", "audio-start", "audio-chunk", "audio-stop", "synthesize", "ping"}
)
PRIORITIES = {p.name.lower(): p for p in Priority}


# --- errors told to clients and installers ---------------------------------------------


class PairingRequired(VoiceError):
    code = "pairing_required"
    en = "Pair first: send bf-pair with the station's token before '{event}'."
    zh = "请先配对：在“{event}”之前发送带有语音站令牌的 bf-pair。"


class BadToken(VoiceError):
    code = "bad_token"
    en = "The pairing token is wrong. Copy it again from the station's token file."
    zh = "配对令牌不正确。请从语音站的令牌文件重新复制。"


class UnexpectedEvent(VoiceError):
    code = "unexpected_event"
    en = "'{event}' cannot come now: {detail}."
    zh = "现在不能发送“{event}”：{detail_zh}。"


class UnknownEvent(VoiceError):
    code = "unknown_event"
    en = "The station does not know the event type '{event}'."
    zh = "语音站不认识事件类型“{event}”。"


class BadRequest(VoiceError):
    code = "bad_request"
    en = "The '{event}' event has a missing or wrong field '{field}': {detail}."
    zh = "“{event}”事件的字段“{field}”缺失或有误：{detail}。"


class TooManyPhrases(VoiceError):
    code = "too_many_phrases"
    en = "The phrase list has {count} different phrases; at most {limit} are accepted."
    zh = "短语列表有 {count} 个不同的短语，最多接受 {limit} 个。"


class RecognitionFailed(VoiceError):
    code = "recognition_failed"
    en = "Speech recognition failed on this request: {detail}"
    zh = "本次语音识别失败：{detail}"


class SpeechFailed(VoiceError):
    code = "speech_failed"
    en = "Speech synthesis failed on this request: {detail}"
    zh = "本次语音合成失败：{detail}"


class PortInUse(VoiceError):
    code = "port_in_use"
    en = (
        "Port {port} on {host} is already in use (is another station running?). "
        "Stop it or choose another port with --port."
    )
    zh = (
        "{host} 上的端口 {port} 已被占用（是否已有语音站在运行？）。"
        "请停止它或用 --port 换一个端口。"
    )


class BindFailed(VoiceError):
    code = "bind_failed"
    en = "The station cannot listen on {host} port {port}: {detail}"
    zh = "语音站无法在 {host} 的端口 {port} 上监听：{detail}"


def _language_key(language: str) -> str:
    """'zh-CN', 'zh_cn', 'ZH', 'cmn', 'zh-Hans', 'en-US', 'eng' -> 'zh'/'en': recognisers and
    phrase lists are keyed by base language (unknown tags keep their first part)."""
    tag = language.strip().lower().replace("_", "-")
    found = LANGUAGE_ALIASES.get(tag)
    if found is not None:
        return found
    base = tag.split("-")[0]
    return LANGUAGE_ALIASES.get(base, base)


def _model_language(name: str) -> str:
    """The language of an ASR model name from our `info` ("pocketsphinx-en", "vosk-zh") or a
    short language used as a name ("zh", "en-US")."""
    engine, _, rest = name.strip().lower().partition("-")
    return _language_key(rest if engine in ENGINES and rest else name)


# --- configuration and state ----------------------------------------------------------


@dataclass
class StationConfig:
    """How a station runs; defaults suit a test on loopback (port 0 = any free port)."""

    host: str = "127.0.0.1"
    port: int = 0
    name: str = "Barrier-Free station"
    languages: tuple[str, ...] = ("en",)
    models: dict[str, Path] = field(default_factory=dict)  # language -> Vosk model folder
    state_dir: Path = DEFAULT_STATE_DIR
    token_file: Path | None = None  # default: state_dir / "token"
    zeroconf: bool = True
    wyoming_zeroconf: bool = False
    max_seconds: float = 30.0
    output: str | Path | None = None  # "speaker", a folder for WAV files, None: speaker if any
    output_pace: float = 1.0  # WAV-folder output: seconds "playing" per second of audio
    limits: Limits = field(default_factory=Limits)
    workers: int = 4  # threads for recogniser and synthesiser calls


@dataclass
class Settings:
    """Voice settings for what the station says by itself (announcements, room answers)."""

    language: str = "zh"
    rate: int | None = None
    volume: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"language": self.language, "rate": self.rate, "volume": self.volume}


@dataclass
class PhraseList:
    """The phrase list in force for one language and what the recogniser made of it."""

    version: int = 0
    phrases: list[str] = field(default_factory=list)
    duplicates: int = 0
    empty: int = 0
    count: int = 0
    unusable: list[dict[str, str]] = field(default_factory=list)
    digits: bool = False  # digit strings (a spoken PIN) are heard besides the phrases

    def event(self, language: str) -> Event:
        return Event(
            "bf-phrases",
            {
                "language": language,
                "version": self.version,
                "count": self.count,
                "duplicates": self.duplicates,
                "empty": self.empty,
                "unusable": self.unusable,
                "digits": self.digits,
            },
        )


def clean_phrases(phrases: Sequence[str]) -> list[str]:
    """Stripped, without empties, first occurrence of each kept (the order is the user's)."""
    return list(dict.fromkeys(p.strip() for p in phrases if p.strip()))


def _atomic_write_json(path: Path, value: Any) -> None:
    """Write `value` so that a crash leaves either the old file or the new one, never half."""
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as out:
            json.dump(value, out, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StateDirError(path=path.parent, detail=err.strerror or str(err)) from err


def _read_json(path: Path) -> Any:
    """The JSON in `path`, or None when missing or damaged (logged; the station still starts)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        _LOGGER.warning("Ignoring unreadable state file %s: %s", path, err)
        return None


# --- one transcription request ----------------------------------------------------------


@dataclass
class _Request:
    """One transcription. Audio is decoded by a feeder task while more is read from the
    socket; what arrives meanwhile is decoded in one go on the feeder's next turn (a client
    that sends faster than real time, like Home Assistant handing over a recording, gets
    fewer, larger decodes, which pocketsphinx runs on both cores)."""

    language: str
    stream: RecognitionStream | None = None
    rate: int = 0
    received: int = 0
    failed: bool = False  # an error was sent: swallow the rest of this request's audio
    pending: bytearray = field(default_factory=bytearray)  # received, not decoded yet
    feeder: asyncio.Task[None] | None = None
    stopping: bool = False  # the feeder takes no more audio


@dataclass(frozen=True, slots=True)
class ConnectionInfo:
    """What `Station.connection_info()` reports about one client (diagnostics, tests)."""

    peer: str
    paired: bool
    subscribed: bool
    queued_events: int
    write_buffer: int
    streaming: bool


def _peer(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)


class StationConnection:
    """One client: reads and handles events in order, writes through a bounded queue."""

    HANDLERS: ClassVar[dict[str, str]] = {
        "describe": "_describe",
        "ping": "_ping",
        "select-program": "_ignore",
        "transcribe": "_transcribe",
        "audio-start": "_audio_start",
        "audio-chunk": "_audio_chunk",
        "audio-stop": "_audio_stop",
        "synthesize": "_synthesize",
        "bf-set-phrases": "_set_phrases",
        "bf-get-phrases": "_get_phrases",
        "bf-announce": "_announce",
        "bf-settings": "_settings",
        "bf-subscribe": "_subscribe",
        "bf-unsubscribe": "_unsubscribe",
        "bf-answer": "_answer",
    }

    def __init__(
        self, station: Station, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.station = station
        self.peer = _peer(writer)
        self.paired = False
        self.subscribed = False
        self._reader = reader
        self._writer = writer
        self._outbox: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=OUTBOX_EVENTS)
        self._writer_task: asyncio.Task[None] | None = None
        self._dead = False  # the writer is gone: drop whatever is still sent
        self._request: _Request | None = None

    # --- writing ---

    async def send(self, event: Event) -> None:
        """Queue a reply; waits while this client is slow (only this connection waits)."""
        if not self._dead:
            await self._outbox.put(event)

    def post(self, event: Event) -> bool:
        """Queue a notification without waiting; a client too far behind is disconnected."""
        if self._dead:
            return False
        try:
            self._outbox.put_nowait(event)
        except asyncio.QueueFull:
            _LOGGER.warning("Client %s stopped reading; disconnecting it", self.peer)
            self.abort()
            return False
        return True

    async def send_error(self, err: VoiceError) -> None:
        await self.send(error_event(err))

    async def _write_loop(self) -> None:
        try:
            while (event := await self._outbox.get()) is not None:
                self._writer.write(encode_event(event))
                await self._writer.drain()
        except ConnectionError, OSError:
            pass  # the client went away; the reading side sees the end of stream
        finally:
            self._dead = True
            while not self._outbox.empty():  # release anyone waiting in send()
                self._outbox.get_nowait()
            self._writer.close()

    def abort(self) -> None:
        """Drop the connection now, without waiting for unsent data."""
        self._dead = True
        self._writer.transport.abort()
        self._reader.feed_eof()

    # --- reading ---

    async def run(self) -> None:
        self._writer_task = asyncio.create_task(self._write_loop(), name=f"bf write {self.peer}")
        try:
            while not self._dead:
                try:
                    event = await read_event(self._reader, self.station.config.limits)
                except FramingError as err:
                    await self.send_error(err)
                    if err.fatal:
                        break
                    continue
                except ConnectionError, OSError:
                    break
                if event is None or not await self._dispatch(event):
                    break
        finally:
            await self._close()

    async def _close(self) -> None:
        await self._drop_request()
        self.subscribed = False
        writer_task = self._writer_task
        if writer_task is None:
            return
        if self._dead:  # aborted: nothing more can be delivered, stop the writer now
            writer_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer_task
            return
        try:
            # Let queued replies (often the error that explains the close) reach the client.
            async with asyncio.timeout(5.0):
                await self._outbox.put(None)  # the writer's stop mark
                await writer_task
        except TimeoutError:
            self.abort()
            writer_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer_task

    async def _dispatch(self, event: Event) -> bool:
        """Handle one event; False closes the connection."""
        kind = event.type
        if kind == "bf-pair":
            return await self._pair(event)
        if not self.paired and not (self.station.config.wyoming_zeroconf and kind in OPEN_EVENTS):
            await self.send_error(PairingRequired(event=kind))
            return False
        name = self.HANDLERS.get(kind)
        if name is None:
            await self.send_error(UnknownEvent(event=kind))
            return True
        try:
            await getattr(self, name)(event)
        except VoiceError as err:
            await self.send_error(err)
        return True

    # --- pairing and small events ---

    async def _pair(self, event: Event) -> bool:
        if not token_matches(self.station.token, event.data.get("token")):
            _LOGGER.warning("Refused a wrong pairing token from %s", self.peer)
            await self.send_error(BadToken())
            return False
        self.paired = True
        client = str(event.data.get("client", "?"))[:64]
        _LOGGER.info("Paired with %s (%s)", self.peer, client)
        await self.send(
            Event(
                "bf-paired",
                {
                    "station_id": self.station.station_id,
                    "name": self.station.name,
                    "version": __version__,
                    "protocol": PROTOCOL_VERSION,
                    "languages": list(self.station.languages),
                },
            )
        )
        return True

    async def _describe(self, event: Event) -> None:
        await self.send(self.station.info_event())

    async def _ping(self, event: Event) -> None:
        # answered once the audio sent before it is decoded, as if events were handled one
        # after the other (a client can tell that the station has caught up)
        if self._request is not None:
            await self._caught_up(self._request)
        await self.send(Pong(text=event.data.get("text")).event())

    async def _ignore(self, event: Event) -> None:
        return None

    async def _subscribe(self, event: Event) -> None:
        self.subscribed = True
        await self.send(Event("bf-subscribed", {"subscribed": True}))

    async def _unsubscribe(self, event: Event) -> None:
        self.subscribed = False
        await self.send(Event("bf-subscribed", {"subscribed": False}))

    # --- speech to text ---

    def _recognizer(self, language: str) -> tuple[str, Recognizer]:
        key = _language_key(language)
        recognizer = self.station.recognizers.get(key)
        if recognizer is None:
            raise UnknownLanguage(language=language, supported=", ".join(self.station.languages))
        return key, recognizer

    async def _drop_request(self) -> None:
        request, self._request = self._request, None
        if request is None:
            return
        await self._stop_feeding(request)
        if request.stream is not None:
            await self.station.close_stream(request.stream)

    async def _fail_request(self, err: VoiceError) -> None:
        """Report `err` once and swallow the rest of this request's audio."""
        request = self._request
        if request is None:
            self._request = _Request(language="", failed=True)
            await self.send_error(err)
        else:
            await self._fail(request, err)

    async def _fail(self, request: _Request, err: VoiceError) -> None:
        await self._stop_feeding(request)
        if request.stream is not None:
            stream, request.stream = request.stream, None
            await self.station.close_stream(stream)
        request.failed = True
        request.pending.clear()
        await self.send_error(err)

    async def _feed(self, request: _Request) -> None:
        """The feeder: decode what is pending, all of it at once, until nothing is left."""
        while request.pending and not request.stopping and request.stream is not None:
            audio = bytes(request.pending)
            request.pending.clear()
            try:
                await self.station.run_blocking(request.stream.feed, audio)
            except VoiceError as err:
                await self._fail(request, err)
            except Exception as err:
                _LOGGER.exception("The recogniser failed on a chunk")
                await self._fail(request, RecognitionFailed(detail=str(err) or type(err).__name__))

    async def _caught_up(self, request: _Request) -> None:
        """Wait until the feeder is done with what it takes (everything received so far,
        unless it was stopped); no new feeder starts meanwhile, events are handled in turn."""
        feeder = request.feeder
        if feeder is not None and feeder is not asyncio.current_task():
            await asyncio.wait([feeder])

    async def _stop_feeding(self, request: _Request) -> None:
        """Let the decode in progress end, then keep the rest pending (one thread at a
        time may use a stream)."""
        request.stopping = True
        await self._caught_up(request)

    async def _transcribe(self, event: Event) -> None:
        await self._drop_request()  # a new request abandons an unfinished one
        language = event.data.get("language")
        name = event.data.get("name")
        if not language and isinstance(name, str) and name.strip():
            language = _model_language(name)  # a model (or voice) name instead of a language
        language = language or self.station.languages[0]
        if not isinstance(language, str):
            await self._fail_request(
                BadRequest(event="transcribe", field="language", detail="not text")
            )
            return
        try:
            key, _ = self._recognizer(language)
        except VoiceError as err:
            await self._fail_request(err)
            return
        self._request = _Request(language=key)

    async def _audio_start(self, event: Event) -> None:
        request = self._request
        if request is not None and request.failed:
            return
        if request is not None and request.stream is not None:
            await self._drop_request()  # restarted without audio-stop: start over
            request = None
        try:
            start = AudioStart.from_event(event)
            if not all(isinstance(v, int) for v in (start.rate, start.width, start.channels)):
                raise BadRequest(
                    event="audio-start",
                    field="rate",
                    detail="rate, width and channels must be integers",
                )
            check_format(start.rate, start.width, start.channels, name="audio-start")
        except KeyError as err:
            await self._fail_request(
                BadRequest(event="audio-start", field=str(err), detail="missing")
            )
            return
        except VoiceError as err:
            await self._fail_request(err)
            return
        if request is None:
            request = self._request = _Request(language=self.station.languages[0])
        recognizer = self.station.recognizers[request.language]
        try:
            request.stream = await self.station.open_stream(recognizer, start.rate)
        except VoiceError as err:
            await self._fail_request(err)
            return
        except Exception as err:  # the recogniser's own failure: this request only
            _LOGGER.exception("Opening a recognition stream failed")
            await self._fail_request(RecognitionFailed(detail=str(err) or type(err).__name__))
            return
        request.rate = start.rate

    async def _audio_chunk(self, event: Event) -> None:
        request = self._request
        if request is not None and request.failed:
            return
        if request is None or request.stream is None:
            await self._fail_request(
                UnexpectedEvent(
                    event="audio-chunk",
                    detail="it came before audio-start",
                    detail_zh="它在 audio-start 之前到达",
                )
            )
            return
        chunk = event.payload or b""
        rate = event.data.get("rate", request.rate)
        width = event.data.get("width", SAMPLE_WIDTH)
        channels = event.data.get("channels", 1)
        if (rate, width, channels) != (request.rate, SAMPLE_WIDTH, 1):
            await self._fail_request(
                UnexpectedEvent(
                    event="audio-chunk",
                    detail=f"its format ({rate} Hz, {width} bytes, {channels} channels) "
                    "differs from audio-start",
                    detail_zh="它的音频格式与 audio-start 不一致",
                )
            )
            return
        request.received += len(chunk)
        limit = self.station.config.max_seconds
        seconds = request.received / (SAMPLE_WIDTH * request.rate)
        if seconds > limit:
            await self._fail_request(AudioTooLong(name="request", seconds=seconds, limit=limit))
            return
        if not chunk:
            return
        request.pending += chunk
        if request.feeder is None or request.feeder.done():
            request.feeder = asyncio.create_task(self._feed(request), name=f"bf feed {self.peer}")

    async def _audio_stop(self, event: Event) -> None:
        request = self._request
        if request is None:
            raise UnexpectedEvent(
                event="audio-stop",
                detail="no audio-start came before it",
                detail_zh="之前没有 audio-start",
            )
        await self._stop_feeding(request)
        if request.failed:
            self._request = None
            return
        stream, request.stream = request.stream, None
        self._request = None  # audio-stop ends the request, whatever happens below
        last = bytes(request.pending)  # handed over with the end: one decode, not two
        request.pending.clear()
        if stream is None:
            raise UnexpectedEvent(
                event="audio-stop",
                detail="no audio-start came before it",
                detail_zh="之前没有 audio-start",
            )
        if request.received < SAMPLE_WIDTH:
            await self.station.close_stream(stream)
            raise EmptyAudio(name="request")
        try:
            result: Result = await self.station.finish_stream(stream, last)
        except VoiceError:
            raise
        except Exception as err:
            _LOGGER.exception("The recogniser failed to finish")
            raise RecognitionFailed(detail=str(err) or type(err).__name__) from err
        await self.send(transcript_event(result, request.language))

    # --- text to speech ---

    async def _synthesize(self, event: Event) -> None:
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
        if isinstance(name, str) and LANGUAGE_ALIASES.get(name.strip().lower()) in SPEECH_LANGUAGES:
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
        await self.send(AudioStart(rate=speech.rate, width=SAMPLE_WIDTH, channels=1).event())
        for start in range(0, len(speech.pcm), SPEECH_CHUNK_BYTES):
            chunk = speech.pcm[start : start + SPEECH_CHUNK_BYTES]
            await self.send(
                AudioChunk(rate=speech.rate, width=SAMPLE_WIDTH, channels=1, audio=chunk).event()
            )
        await self.send(AudioStop().event())

    # --- project events ---

    async def _set_phrases(self, event: Event) -> None:
        language = event.data.get("language")
        phrases = event.data.get("phrases")
        version = event.data.get("version")
        digits = event.data.get("digits", False)
        if not isinstance(language, str):
            raise BadRequest(event="bf-set-phrases", field="language", detail="not text")
        if digits is None:
            digits = False
        if not isinstance(digits, bool):
            raise BadRequest(event="bf-set-phrases", field="digits", detail="not true or false")
        if phrases is not None and (
            not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases)
        ):
            raise BadRequest(event="bf-set-phrases", field="phrases", detail="not a list of text")
        if version is not None and (
            not isinstance(version, int) or isinstance(version, bool) or version < 0
        ):
            raise BadRequest(event="bf-set-phrases", field="version", detail="not a whole number")
        key, _ = self._recognizer(language)
        state = await self.station.set_phrases(key, phrases, version, digits=digits)
        await self.send(state.event(key))

    async def _get_phrases(self, event: Event) -> None:
        language = event.data.get("language") or self.station.languages[0]
        if not isinstance(language, str):
            raise BadRequest(event="bf-get-phrases", field="language", detail="not text")
        key, _ = self._recognizer(language)
        await self.send(self.station.phrases.get(key, PhraseList()).event(key))

    async def _announce(self, event: Event) -> None:
        data = event.data
        ident = data.get("id") or secrets.token_hex(6)
        text = data.get("text") or ""
        priority = PRIORITIES.get(str(data.get("priority", "normal")))
        chime = data.get("chime")
        if not isinstance(ident, str) or len(ident) > 128:
            raise BadRequest(
                event="bf-announce", field="id", detail="not text of up to 128 characters"
            )
        if not isinstance(text, str) or len(text) > MAX_ANNOUNCE_CHARS:
            raise BadRequest(
                event="bf-announce",
                field="text",
                detail=f"not text of up to {MAX_ANNOUNCE_CHARS} characters",
            )
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
        data: dict[str, Any] = {"id": item.id, "status": status}
        if err is not None:
            data["error"] = error_event(err).data
        self.post(Event("bf-announced", data))

    async def _settings(self, event: Event) -> None:
        await self.station.update_settings(event.data)
        await self.send(Event("bf-settings", self.station.settings.as_dict()))

    async def _answer(self, event: Event) -> None:
        ident = event.data.get("utterance_id")
        text = event.data.get("text")
        if not isinstance(ident, str):
            raise BadRequest(event="bf-answer", field="utterance_id", detail="not text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_ANNOUNCE_CHARS:
            raise BadRequest(event="bf-answer", field="text", detail="empty or too long")
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

    def info(self) -> ConnectionInfo:
        return ConnectionInfo(
            peer=self.peer,
            paired=self.paired,
            subscribed=self.subscribed,
            queued_events=self._outbox.qsize(),
            write_buffer=self._writer.transport.get_write_buffer_size(),
            streaming=self._request is not None and self._request.stream is not None,
        )


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


# --- the station ------------------------------------------------------------------------


class Station:
    """A running voice station: `await start()`, serve, `await stop()`."""

    def __init__(
        self,
        config: StationConfig,
        recognizers: dict[str, Recognizer] | None = None,
        synthesizer: Synthesizer | None = None,
    ) -> None:
        self.config = config
        self.name = config.name
        self.languages = tuple(dict.fromkeys(_language_key(lang) for lang in config.languages))
        if not self.languages:
            raise UnknownLanguage(language="", supported="zh, en")
        given = {_language_key(k): v for k, v in (recognizers or {}).items()}
        self.recognizers: dict[str, Recognizer] = {
            k: v for k, v in given.items() if k in self.languages
        }
        self._owned_recognizers: list[Recognizer] = []
        self._synthesizer = synthesizer
        self._owns_synthesizer = synthesizer is None
        self.port = config.port
        self.token = ""
        self.token_created = False
        self.station_id = ""
        self.settings = Settings(
            language=next((lang for lang in self.languages if lang in SPEECH_LANGUAGES), "zh")
        )
        self.phrases: dict[str, PhraseList] = {}
        self._phrase_locks: dict[str, asyncio.Lock] = {}
        self._extra_phrases: dict[str, list[str]] = {}  # e.g. room mode's wake phrase
        self._executor: ThreadPoolExecutor | None = None
        self._server: asyncio.Server | None = None
        self._connections: dict[StationConnection, asyncio.Task[Any]] = {}
        self._streams: set[RecognitionStream] = set()
        self._answers: dict[str, asyncio.Future[Announcement]] = {}
        self._advertiser: StationAdvertiser | None = None
        self.output: AudioOutput | None = None
        self._announcer: Announcer | None = None
        self._stopping = False

    # --- life cycle ---

    @property
    def token_file(self) -> Path:
        return self.config.token_file or self.config.state_dir / "token"

    @property
    def announcer(self) -> Announcer:
        if self._announcer is None:
            raise RuntimeError("the station is not started")
        return self._announcer

    @property
    def synthesizer(self) -> Synthesizer:
        if self._synthesizer is None:
            raise RuntimeError("the station is not started")
        return self._synthesizer

    async def start(self) -> None:
        """Load what is missing, bind, advertise. Raises VoiceError with the reason."""
        try:
            await self._start()
        except BaseException:
            await self.stop()
            if self.token_created:
                # Never shown (the banner comes after a start that worked): the next start
                # must make and show its own, not keep one nobody has seen (issue 14).
                self.token_file.unlink(missing_ok=True)
                self.token_created = False
            raise

    async def _start(self) -> None:
        config = self.config
        ensure_private_dir(config.state_dir)
        self.station_id = load_or_create_station_id(config.state_dir)
        self.token, self.token_created = load_or_create_token(self.token_file)
        self._executor = ThreadPoolExecutor(
            max_workers=max(1, config.workers), thread_name_prefix="bf-station"
        )
        await self._load_speech()
        self._load_settings()
        await self._load_phrases()
        self.output = open_output(config.output, config.state_dir / "spoken")
        if isinstance(self.output, WavDirectory):
            self.output.pace = config.output_pace
        self._announcer = Announcer(self.output, self._render)
        self._announcer.start()
        try:
            self._server = await asyncio.start_server(
                self._on_connect, config.host, config.port, limit=config.limits.header
            )
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise PortInUse(host=config.host, port=config.port) from err
            raise BindFailed(
                host=config.host, port=config.port, detail=err.strerror or err
            ) from err
        self.port = self._server.sockets[0].getsockname()[1]
        if config.wyoming_zeroconf:
            _LOGGER.warning(
                "Advertised for Wyoming: anyone on this network can use speech-to-text and "
                "text-to-speech without pairing"
            )
        if config.zeroconf:
            self._advertiser = StationAdvertiser(config.host, wyoming=config.wyoming_zeroconf)
            await self._advertiser.start(self._advert())
        _LOGGER.info(
            "Station %s (%s) listening on %s:%s, languages %s",
            self.name,
            self.station_id,
            config.host,
            self.port,
            ",".join(self.languages),
        )

    async def _load_speech(self) -> None:
        missing = [lang for lang in self.languages if lang not in self.recognizers]
        if missing:
            from .recognition import load_recognizer  # noqa: PLC0415 - heavy: only when needed

            loaded = await asyncio.gather(
                *(
                    self.run_blocking(load_recognizer, lang, self.config.models.get(lang))
                    for lang in missing
                ),
                return_exceptions=True,
            )
            for lang, result in zip(missing, loaded, strict=True):
                if not isinstance(result, BaseException):
                    self.recognizers[lang] = result
                    self._owned_recognizers.append(result)
            for result in loaded:
                if isinstance(result, BaseException):
                    raise result
        if self._synthesizer is None:
            from .tts import Synthesizer  # noqa: PLC0415

            self._synthesizer = await self.run_blocking(Synthesizer)

    def _load_settings(self) -> None:
        saved = _read_json(self.config.state_dir / "settings.json")
        if isinstance(saved, dict):
            try:
                self._apply_settings(saved)
            except VoiceError as err:
                _LOGGER.warning("Ignoring saved settings: %s", err)

    async def _load_phrases(self) -> None:
        """Put every recogniser in the state saved on disk (no list: free recognition)."""
        for lang, recognizer in self.recognizers.items():
            saved = _read_json(self._phrase_file(lang))
            phrases: list[str] | None = None
            version = 0
            digits = False
            if (
                isinstance(saved, dict)
                and isinstance(saved.get("phrases"), list)
                and all(isinstance(p, str) for p in saved["phrases"])
                and isinstance(saved.get("version"), int)
            ):
                phrases, version = saved["phrases"], saved["version"]
                digits = saved.get("digits") is True
            report = await self.run_blocking(
                _set_recognizer_phrases, recognizer, self._recognizer_list(lang, phrases), digits
            )
            self.phrases[lang] = _phrase_state(version, phrases or [], report, digits)

    def _phrase_file(self, language: str) -> Path:
        return self.config.state_dir / "phrases" / f"{language}.json"

    def _advert(self) -> Advert:
        return Advert(
            station_id=self.station_id,
            name=self.name,
            port=self.port,
            languages=self.languages,
            protocol=PROTOCOL_VERSION,
            version=__version__,
        )

    async def rename(self, name: str) -> None:
        """Give the station a new name, and tell the network (zeroconf) about it."""
        self.name = name
        if self._advertiser is not None:
            await self._advertiser.update(self._advert())

    async def stop(self) -> None:
        """Close every client, withdraw the zeroconf records, join all threads."""
        self._stopping = True
        if self._server is not None:
            self._server.close()
        for future in self._answers.values():
            future.cancel()
        self._answers.clear()
        for connection in list(self._connections):
            connection.abort()
        tasks = list(self._connections.values())
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=10.0)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        if self._announcer is not None:
            await self._announcer.stop()
        if self._advertiser is not None:
            await self._advertiser.stop()
            self._advertiser = None
        for stream in list(self._streams):
            await self.close_stream(stream)
        executor, self._executor = self._executor, None
        if executor is not None:
            closers: list[Callable[[], object]] = [
                r.close for r in self._owned_recognizers if hasattr(r, "close")
            ]
            if self._owns_synthesizer and self._synthesizer is not None:
                closers.append(self._synthesizer.close)
                self._synthesizer = None
            for close in closers:
                with contextlib.suppress(Exception):
                    executor.submit(close)
            await _join_in_thread(executor.shutdown)
        self._owned_recognizers.clear()

    # --- connections ---

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._stopping:
            writer.transport.abort()
            return
        connection = StationConnection(self, reader, writer)
        task = asyncio.current_task()
        assert task is not None
        self._connections[connection] = task
        try:
            await connection.run()
        except Exception:  # one broken connection must never take the station down
            _LOGGER.exception("Connection %s failed", connection.peer)
        finally:
            self._connections.pop(connection, None)

    def connection_info(self) -> list[ConnectionInfo]:
        return [c.info() for c in self._connections]

    @property
    def active_streams(self) -> int:
        """Recognition streams open right now (0 when no request is in progress)."""
        return len(self._streams)

    def broadcast(self, event: Event) -> int:
        """Send `event` to every paired, subscribed client; returns how many got it."""
        sent = 0
        for connection in list(self._connections):
            if connection.paired and connection.subscribed and connection.post(event):
                sent += 1
        return sent

    def expect_answer(self, utterance_id: str) -> asyncio.Future[Announcement]:
        """A future resolved when a client sends bf-answer for `utterance_id`."""
        future: asyncio.Future[Announcement] = asyncio.get_running_loop().create_future()
        self._answers[utterance_id] = future
        return future

    def forget_answer(self, utterance_id: str) -> None:
        future = self._answers.pop(utterance_id, None)
        if future is not None and not future.done():
            future.cancel()

    def deliver_answer(self, utterance_id: str, item: Announcement) -> None:
        future = self._answers.pop(utterance_id, None)
        if future is not None and not future.done():
            future.set_result(item)

    # --- blocking work, always in the station's own threads ---

    async def run_blocking[T](self, func: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            raise RuntimeError("the station is not started")
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    async def open_stream(self, recognizer: Recognizer, rate: int) -> RecognitionStream:
        stream = await self.run_blocking(recognizer.stream, rate)
        self._streams.add(stream)
        return stream

    async def finish_stream(self, stream: RecognitionStream, last: bytes = b"") -> Result:
        """Decode `last` (audio not fed yet), end the utterance, snap to the phrase list."""
        try:
            return await self.run_blocking(stream.finish, last)
        finally:
            self._streams.discard(stream)

    async def close_stream(self, stream: RecognitionStream) -> None:
        """Cancel a stream that will not be finished (client gone, request failed)."""
        if stream not in self._streams:
            return
        self._streams.discard(stream)
        try:
            if self._executor is not None:
                await self.run_blocking(stream.cancel)
            else:
                stream.cancel()
        except Exception:  # freeing must not fail the caller
            _LOGGER.exception("Cancelling a recognition stream failed")

    async def speak(
        self,
        text: str,
        language: str,
        rate: Any = None,
        volume: Any = None,
        voice: str | None = None,
    ) -> Any:
        """Synthesise `text` (a tts.Speech); VoiceErrors pass, anything else is SpeechFailed."""
        try:
            return await self.run_blocking(
                lambda: self.synthesizer.synthesize(
                    text, language=language, rate=rate, volume=volume, voice=voice
                )
            )
        except VoiceError:
            raise
        except Exception as err:
            _LOGGER.exception("Speech synthesis failed")
            raise SpeechFailed(detail=str(err) or type(err).__name__) from err

    async def _render(self, item: Announcement) -> list[Segment]:
        segments: list[Segment] = []
        if item.chime is not None:
            segments.append(Segment("earcon", item.chime, earcon(item.chime), EARCON_RATE))
        if item.text.strip():
            speech = await self.speak(
                item.text,
                item.language,
                item.rate if item.rate is not None else self.settings.rate,
                item.volume if item.volume is not None else self.settings.volume,
            )
            segments.append(Segment("speech", item.id, speech.pcm, speech.rate))
        return segments

    # --- phrase lists and settings ---

    async def set_phrases(
        self,
        language: str,
        phrases: list[str] | None,
        version: int | None,
        digits: bool = False,
    ) -> PhraseList:
        """Put a phrase list in force for `language` and keep it on disk for restarts.

        `digits`: digit strings (a spoken PIN) are heard as well (`Recognizer.set_phrases`).
        """
        recognizer = self.recognizers[language]
        cleaned = clean_phrases(phrases or [])
        if len(cleaned) > MAX_PHRASES:
            raise TooManyPhrases(count=len(cleaned), limit=MAX_PHRASES)
        lock = self._phrase_locks.setdefault(language, asyncio.Lock())
        async with lock:  # the recogniser and the file must hold the same list
            current = self.phrases.get(language, PhraseList())
            new_version = current.version + 1 if version is None else version
            report = await self.run_blocking(
                _set_recognizer_phrases,
                recognizer,
                self._recognizer_list(language, phrases),
                digits,
            )
            state = _phrase_state(new_version, cleaned, report, digits)
            self.phrases[language] = state
            await self.run_blocking(
                _atomic_write_json,
                self._phrase_file(language),
                {"version": new_version, "phrases": cleaned, "digits": digits},
            )
        _LOGGER.info(
            "Phrase list %s v%s: %s phrases, %s unusable",
            language,
            new_version,
            state.count,
            len(state.unusable),
        )
        return state

    def _recognizer_list(self, language: str, phrases: list[str] | None) -> list[str] | None:
        """The home's phrases plus the station's own (None: free recognition)."""
        if not phrases:
            return None
        return [*phrases, *self._extra_phrases.get(language, [])]

    async def add_extra_phrases(self, language: str, extra: list[str]) -> None:
        """Phrases the station itself must recognise (room mode's wake phrase), not saved."""
        self._extra_phrases[language] = list(extra)
        recognizer = self.recognizers[language]
        async with self._phrase_locks.setdefault(language, asyncio.Lock()):
            state = self.phrases.get(language, PhraseList())
            await self.run_blocking(
                _set_recognizer_phrases,
                recognizer,
                self._recognizer_list(language, state.phrases),
                state.digits,
            )

    def _apply_settings(self, data: dict[str, Any]) -> None:
        from .tts import MAX_RATE, MIN_RATE  # noqa: PLC0415

        settings = Settings(**self.settings.as_dict())
        if "language" in data and data["language"] is not None:
            language = data["language"]
            if not isinstance(language, str) or _language_key(language) not in SPEECH_LANGUAGES:
                raise UnknownLanguage(language=language, supported=", ".join(SPEECH_LANGUAGES))
            settings.language = _language_key(language)
        if "rate" in data:
            rate = data["rate"]
            if rate is not None and (
                not isinstance(rate, int)
                or isinstance(rate, bool)
                or not MIN_RATE <= rate <= MAX_RATE
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
        self.settings = settings

    async def update_settings(self, data: dict[str, Any]) -> None:
        self._apply_settings(data)
        await self.run_blocking(
            _atomic_write_json, self.config.state_dir / "settings.json", self.settings.as_dict()
        )

    # --- describe ---

    def info_event(self) -> Event:
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
            for lang, rec in self.recognizers.items()
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
            "station_id": self.station_id,
            "name": self.name,
            "version": __version__,
            "protocol": PROTOCOL_VERSION,
        }
        return event


def _set_recognizer_phrases(
    recognizer: Recognizer, phrases: list[str] | None, digits: bool
) -> PhraseReport:
    """`recognizer.set_phrases`, passing `digits` only when asked (recognisers written for the
    one-argument form keep working)."""
    if digits:
        return recognizer.set_phrases(phrases, digits=True)
    return recognizer.set_phrases(phrases)


def _phrase_state(
    version: int, phrases: list[str], report: PhraseReport, digits: bool = False
) -> PhraseList:
    return PhraseList(
        version=version,
        phrases=phrases,
        duplicates=report.duplicates,
        empty=report.empty,
        count=report.count,
        unusable=[{"phrase": p, "word": w} for p, w in report.unusable],
        digits=digits,
    )


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def _join_in_thread(func: Callable[[], object]) -> None:
    """Run a blocking join (executor shutdown) without blocking the loop or its executor."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def work() -> None:
        try:
            func()
        finally:
            loop.call_soon_threadsafe(_resolve, done)

    thread = threading.Thread(target=work, name="bf-station-shutdown", daemon=True)
    thread.start()
    await done
    thread.join()


# --- command line -----------------------------------------------------------------------


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of `python -m voice serve` (room mode adds its own to these)."""
    parser.add_argument(
        "--host",
        default="0.0.0.0",  # noqa: S104 - a room station must be reachable on the LAN
        help="address to listen on (default: all)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--name", default="Barrier-Free station", help="name shown in Home Assistant"
    )
    parser.add_argument(
        "--token-file", type=Path, help="pairing token file (default: STATE_DIR/token)"
    )
    parser.add_argument(
        "--lang", default="zh,en", help="recognition languages, comma separated (default zh,en)"
    )
    parser.add_argument(
        "--model-dir",
        type=Path,
        help="model store to take the Vosk models from (as `models --store`); "
        "default: the installed models",
    )
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="LANG=FOLDER",
        help="Vosk model folder for one language (repeatable)",
    )
    parser.add_argument(
        "--no-zeroconf", action="store_true", help="do not advertise on the network"
    )
    parser.add_argument(
        "--wyoming-zeroconf",
        action="store_true",
        help="also advertise for Home Assistant's Wyoming integration (unpaired speech-to-text "
        "and text-to-speech for anyone on the network)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help="where the token, id and phrase lists live",
    )
    parser.add_argument(
        "--max-seconds", type=float, default=30.0, help="longest audio per request (default 30)"
    )
    parser.add_argument(
        "--output",
        default=None,
        help="'speaker' or a folder for WAV files (default: the speaker if a player is installed)",
    )


def models_in_store(folder: Path, languages: Sequence[str]) -> dict[str, Path]:
    """The installed model per language in the model store `folder` (`models --store`).

    English may go without (pocketsphinx's own model), and Mandarin while the built-in
    Whisper model is there; any other language missing from the store raises ModelMissing,
    which names the store and the command that installs one.
    """
    from .models import ModelStore, find_model  # noqa: PLC0415
    from .whisper_model import builtin_folder  # noqa: PLC0415

    store = ModelStore(folder)
    found: dict[str, Path] = {}
    builtin = {"en"} | ({"zh"} if builtin_folder() is not None else set())
    for lang in languages:
        info = store.find(lang)
        if info is not None or lang not in builtin:
            found[lang] = find_model(lang, store)
    return found


def config_from_args(args: argparse.Namespace) -> StationConfig:
    languages = tuple(lang.strip() for lang in str(args.lang).split(",") if lang.strip())
    models: dict[str, Path] = {}
    if args.model_dir is not None:
        models.update(models_in_store(args.model_dir, [_language_key(x) for x in languages]))
    for item in args.model:
        lang, _, folder = str(item).partition("=")
        models[_language_key(lang)] = Path(folder)
    return StationConfig(
        host=args.host,
        port=args.port,
        name=args.name,
        languages=languages,
        models=models,
        state_dir=args.state_dir,
        token_file=args.token_file,
        zeroconf=not args.no_zeroconf,
        wyoming_zeroconf=args.wyoming_zeroconf,
        max_seconds=args.max_seconds,
        output=args.output,
    )


def print_banner(station: Station) -> None:
    """What an installer needs on the console: where the station is, and the token once."""
    print(
        f"Barrier-Free station '{station.name}' (id {station.station_id}) on "
        f"{station.config.host}:{station.port}, languages {','.join(station.languages)}"
    )
    if station.token_created:
        # Printed, never logged: logs end up in diagnostics, the console stays on the box.
        print(f"Pairing token (shown once; also in {station.token_file}): {station.token}")
        print(f"配对令牌（只显示一次；也保存在 {station.token_file}）：{station.token}")
    if station.config.wyoming_zeroconf:
        print(
            "WARNING: advertised for Wyoming: anyone on this network can use speech-to-text "
            "and text-to-speech without pairing.\n"
            "警告：已通过 Wyoming 发布：本网络中的任何人无需配对即可使用语音识别和语音合成。",
            file=sys.stderr,
        )


async def wait_for_signal() -> None:
    """Return on Ctrl-C or SIGTERM."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)


async def serve_main(args: argparse.Namespace) -> int:
    """`python -m voice serve`: run until Ctrl-C or SIGTERM."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    station = Station(config_from_args(args))
    await station.start()  # VoiceError: the CLI prints it in the installer's language
    print_banner(station)
    try:
        await wait_for_signal()
    finally:
        await station.stop()
    return 0

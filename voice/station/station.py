"""The voice station: everything that lives as long as the process.

`Station` owns the loaded recognisers, the speech synthesiser, a thread pool for their
blocking calls (never run in the event loop), the announcement queue and speaker, the phrase
lists (in force and on disk), the zeroconf records and the listening socket. Each client gets
a `ClientConnection` (connection.py). The protocol is written down in voice/PROTOCOL.md.
Over ~600 lines: start and stop must release, in order, everything listed above, and the
budgets for unpaired connections (cap, accept errors) and for recognition streams
(`max_streams`) need the lists of connections and streams. Those budgets are the next piece
to move out (an admission module) if this file grows again.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wyoming.event import Event

from .. import __version__
from ..builtin_models import model_verified
from ..errors import UnknownLanguage, VoiceError
from ..languages import SPEECH_LANGUAGES, language_key
from ..recognition.recognizer import load_recognizer
from ..speech.announce import (
    EARCON_RATE,
    Announcement,
    Announcer,
    AudioOutput,
    Segment,
    WavDirectory,
    earcon,
    open_output,
)
from ..speech.tts import Synthesizer
from ..state import (
    MAX_PHRASES,
    SavedPhrases,
    Settings,
    StateDirError,
    clean_phrases,
    ensure_private_dir,
    load_phrases,
    read_json,
    save_phrases,
    save_state,
    settings_file,
)
from .connection import ClientConnection, ConnectionInfo
from .discovery import Advert, StationAdvertiser
from .errors import (
    BindFailed,
    PortInUse,
    RecognitionFailed,
    SpeechFailed,
    StationBusy,
    TooManyPhrases,
)
from .events import PROTOCOL_VERSION, PhraseListInForce
from .framing import OPEN_LIMITS, UNPAIRED_LIMITS, Limits
from .pairing import load_or_create_station_id, load_or_create_token
from .requests import checked_settings
from .throttled_log import ThrottledLog

if TYPE_CHECKING:
    from ..recognition.recognizer import PhraseReport, RecognitionStream, Recognizer, Result
    from ..room.mic_check import Microphone

_LOGGER = logging.getLogger(__name__)

DEFAULT_PORT = 10800
DEFAULT_STATE_DIR = Path.home() / ".local" / "share" / "barrier-free" / "station"
# Each recognition stream holds a decoder (pocketsphinx: about 37 MiB) and a share of the two
# cores: four at once keep a small box responsive and its memory bounded.
DEFAULT_MAX_STREAMS = 4


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
    limits: Limits = field(default_factory=Limits)  # per event, once paired
    unpaired_limits: Limits = UNPAIRED_LIMITS  # per event, before pairing
    open_limits: Limits = OPEN_LIMITS  # unpaired Wyoming clients (wyoming_zeroconf only)
    pairing_deadline: float = 10.0  # seconds from connect to bf-paired (not for open clients)
    unpaired_idle: float = 5.0  # seconds an unpaired connection may take for its next event
    max_unpaired: int = 64  # unpaired connections at once; a new one drops the oldest
    log_interval: float = 60.0  # repeated warnings a peer can cause: one line per interval
    workers: int = 4  # threads for recogniser and synthesiser calls
    max_streams: int = DEFAULT_MAX_STREAMS  # clients' recognition streams open at once


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
        self.languages = tuple(dict.fromkeys(language_key(lang) for lang in config.languages))
        if not self.languages:
            raise UnknownLanguage(language="", supported="zh, en")
        given = {language_key(k): v for k, v in (recognizers or {}).items()}
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
        self.phrases: dict[str, PhraseListInForce] = {}
        self._phrase_locks: dict[str, asyncio.Lock] = {}
        self._extra_phrases: dict[str, list[str]] = {}  # e.g. room mode's wake phrase
        # clients asking for digit strings (a PIN) to be heard: on while any one asks
        self._digit_askers: set[ClientConnection] = set()
        self.digits = False
        self.microphone: Microphone | None = None  # room mode's input (mic_check.py)
        # per language: the recogniser's model checked (sha/size) at start; None: unknown
        self.models_verified: dict[str, bool | None] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._server: asyncio.Server | None = None
        self._connections: dict[ClientConnection, asyncio.Task[Any]] = {}
        self._streams: set[RecognitionStream] = set()
        self._client_streams: set[RecognitionStream] = set()  # counted against max_streams
        self._opening = 0  # client streams being opened (their slot is already taken)
        self._answers: dict[str, asyncio.Future[Announcement]] = {}
        self._advertiser: StationAdvertiser | None = None
        self.output: AudioOutput | None = None
        self._announcer: Announcer | None = None
        self._stopping = False
        self._log = ThrottledLog(_LOGGER, config.log_interval)
        self._loop_handler: Any = None  # the handler ours passes everything else on to
        self._loop: asyncio.AbstractEventLoop | None = None

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
        # a station whose token exists has run before: a missing id there is an error
        self.station_id = load_or_create_station_id(config.state_dir, self.token_file.exists())
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
            # The reader's buffer limit is the smallest header limit: an unpaired peer can
            # make the station hold only a few KiB (longer lines are read in parts).
            buffer_limit = min(
                config.limits.header, config.unpaired_limits.header, config.open_limits.header
            )
            self._server = await asyncio.start_server(
                self._on_connect, config.host, config.port, limit=buffer_limit
            )
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise PortInUse(host=config.host, port=config.port) from err
            raise BindFailed(
                host=config.host, port=config.port, detail=err.strerror or err
            ) from err
        self.port = self._server.sockets[0].getsockname()[1]
        self._watch_accept_errors()
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
        for lang, recognizer in self.recognizers.items():
            path = recognizer.model_path
            self.models_verified[lang] = (
                None if path is None else await self.run_blocking(model_verified, Path(path))
            )
        if self._synthesizer is None:
            self._synthesizer = await self.run_blocking(Synthesizer)

    def _load_settings(self) -> None:
        saved = read_json(settings_file(self.config.state_dir))
        if isinstance(saved, dict):
            try:
                self._apply_settings(saved)
            except VoiceError as err:
                _LOGGER.warning("Ignoring saved settings: %s", err)

    async def _load_phrases(self) -> None:
        """Put every recogniser in the state saved on disk (no list: free recognition)."""
        for lang, recognizer in self.recognizers.items():
            saved = load_phrases(self.config.state_dir, lang)
            report = await self.run_blocking(
                recognizer.set_phrases, self._recognizer_list(lang, saved.phrases)
            )
            self.phrases[lang] = _phrase_state(saved.version, saved.phrases or [], report)

    def _advert(self) -> Advert:
        return Advert(
            station_id=self.station_id,
            name=self.name,
            port=self.port,
            languages=self.languages,
            protocol=PROTOCOL_VERSION,
            version=__version__,
        )

    async def stop(self) -> None:
        """Close every client, withdraw the zeroconf records, join all threads."""
        self._stopping = True
        self._unwatch_accept_errors()
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

    def warn(self, key: str, text: str) -> None:
        """A warning a peer can cause repeatedly: logged once per `log_interval`."""
        self._log.warning(key, text)

    def _make_room_for_unpaired(self) -> None:
        """Drop the oldest unpaired connections beyond the cap, so a real client gets in."""
        unpaired = [c for c in self._connections if c.unpaired]  # oldest first
        excess = len(unpaired) + 1 - max(1, self.config.max_unpaired)
        for connection in unpaired[: max(0, excess)]:
            connection.abort()
        if excess > 0:
            self.warn(
                "unpaired_cap",
                f"{self.config.max_unpaired} unpaired connections at once: dropped the oldest",
            )

    def _watch_accept_errors(self) -> None:
        """Count and shed on EMFILE at accept, instead of a traceback per attempt.

        asyncio itself stops accepting for a second after such an error (its back-off);
        this handler logs it once per interval and drops the oldest unpaired connection
        so that the retry finds a free descriptor for a real client.
        """
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._loop_handler = loop.get_exception_handler()
        loop.set_exception_handler(self._on_loop_exception)

    def _unwatch_accept_errors(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None and loop.get_exception_handler() == self._on_loop_exception:
            loop.set_exception_handler(self._loop_handler)

    def _on_loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        server, sock = self._server, context.get("socket")
        if (
            server is not None
            and sock is not None
            and any(s.fileno() == sock.fileno() for s in server.sockets)
        ):
            exc = context.get("exception")
            self.warn("accept_failed", f"Cannot accept connections: {exc}; retrying")
            unpaired = [c for c in self._connections if c.unpaired]
            if unpaired:
                unpaired[0].abort()
            return
        if self._loop_handler is not None:
            self._loop_handler(loop, context)
        else:
            loop.default_exception_handler(context)

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._stopping:
            writer.transport.abort()
            return
        self._make_room_for_unpaired()
        connection = ClientConnection(self, reader, writer)
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

    async def open_stream(
        self, recognizer: Recognizer, rate: int, *, for_client: bool = False
    ) -> RecognitionStream:
        """A new recognition stream. `for_client`: a client's request, one of at most
        `max_streams` (StationBusy beyond); the station's own microphone is never refused."""
        if for_client:
            limit = max(1, self.config.max_streams)
            if len(self._client_streams) + self._opening >= limit:
                raise StationBusy(limit=limit)
            self._opening += 1
        try:
            stream = await self.run_blocking(recognizer.stream, rate)
        finally:
            if for_client:
                self._opening -= 1
        self._streams.add(stream)
        if for_client:
            self._client_streams.add(stream)
        return stream

    async def finish_stream(self, stream: RecognitionStream, last: bytes = b"") -> Result:
        """Decode `last` (audio not fed yet), end the utterance, snap to the phrase list."""
        try:
            return await self.run_blocking(stream.finish, last)
        finally:
            self._streams.discard(stream)
            self._client_streams.discard(stream)

    async def close_stream(self, stream: RecognitionStream) -> None:
        """Cancel a stream that will not be finished (client gone, request failed)."""
        if stream not in self._streams:
            return
        self._streams.discard(stream)
        self._client_streams.discard(stream)
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
    ) -> PhraseListInForce:
        """Put a phrase list in force for `language` and keep it on disk for restarts.

        Digit strings stay heard besides it while a client expects them (`expect_digits`).
        """
        recognizer = self.recognizers[language]
        cleaned = clean_phrases(phrases or [])
        if len(cleaned) > MAX_PHRASES:
            raise TooManyPhrases(count=len(cleaned), limit=MAX_PHRASES)
        lock = self._phrase_locks.setdefault(language, asyncio.Lock())
        async with lock:  # the recogniser and the file must hold the same list
            current = self.phrases.get(language, PhraseListInForce())
            new_version = current.version + 1 if version is None else version
            # Saved first, put in force only once saved: a list that cannot be kept (full
            # disk) is refused whole, not heard until the next restart brings the old back.
            await self.run_blocking(
                save_phrases,
                self.config.state_dir,
                language,
                SavedPhrases(new_version, cleaned),
            )
            try:
                report = await self.run_blocking(
                    recognizer.set_phrases, self._recognizer_list(language, phrases), self.digits
                )
            except BaseException as err:
                await self._restore_phrase_file(language, current)
                if isinstance(err, VoiceError) or not isinstance(err, Exception):
                    raise
                _LOGGER.exception("The recogniser refused phrase list %s", language)
                raise RecognitionFailed(detail=str(err) or type(err).__name__) from err
            state = _phrase_state(new_version, cleaned, report)
            self.phrases[language] = state
        _LOGGER.info(
            "Phrase list %s v%s: %s phrases, %s unusable",
            language,
            new_version,
            state.count,
            len(state.unusable),
        )
        return state

    async def _restore_phrase_file(self, language: str, state: PhraseListInForce) -> None:
        """The recogniser refused a saved list: save the one still in force again."""
        try:
            await self.run_blocking(
                save_phrases,
                self.config.state_dir,
                language,
                SavedPhrases(state.version, state.phrases),
            )
        except StateDirError:
            _LOGGER.exception(
                "Phrase list %s: the file now holds a list that is not in force; "
                "a restart would put it in force",
                language,
            )

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
            state = self.phrases.get(language, PhraseListInForce())
            await self.run_blocking(
                recognizer.set_phrases, self._recognizer_list(language, state.phrases), self.digits
            )

    async def expect_digits(self, client: ClientConnection, digits: bool) -> bool:
        """`client` asks for digit strings (a PIN) to be heard besides the phrases, or no
        longer; they are heard while any client asks (its connection closing ends its ask).

        Only the grammars are made anew, the lists stay; returns whether digits are heard
        now, once every recogniser has the change."""
        if digits:
            self._digit_askers.add(client)
        else:
            self._digit_askers.discard(client)
        self.digits = bool(self._digit_askers)
        for language, recognizer in self.recognizers.items():
            async with self._phrase_locks.setdefault(language, asyncio.Lock()):
                if recognizer.digits != self.digits:  # read under the lock: the latest wins
                    await self.run_blocking(recognizer.expect_digits, self.digits)
        return self.digits

    def asks_for_digits(self, client: ClientConnection) -> bool:
        return client in self._digit_askers

    def _apply_settings(self, data: dict[str, Any]) -> None:
        self.settings = checked_settings(self.settings, data)

    async def update_settings(self, data: dict[str, Any]) -> None:
        self._apply_settings(data)
        await self.run_blocking(
            save_state, settings_file(self.config.state_dir), self.settings.as_dict()
        )


def _phrase_state(version: int, phrases: list[str], report: PhraseReport) -> PhraseListInForce:
    return PhraseListInForce(
        version=version,
        phrases=phrases,
        duplicates=report.duplicates,
        empty=report.empty,
        count=report.count,
        unusable=[{"phrase": p, "word": w} for p, w in report.unusable],
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

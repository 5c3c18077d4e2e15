"""Room mode: the station listens in the room itself and answers on its own speaker.

Architecture: room mode runs *inside* the station process (`python -m voice room` is
`serve` plus a listener). One process then owns the microphone, the speaker, the loaded
recogniser and the phrase list that Home Assistant pushed; announcements and answers share
one queue and never talk over each other, and Home Assistant pairs with one station.

    microphone / WAV / stdin -> EnergyVad -> utterance -> recogniser (current phrase list)
        rejected  -> earcon "not_understood" + "没听清，请再说一遍" spoken here
        understood -> bf-room-transcript to subscribed clients -> bf-answer -> speaker

The resident always hears the state: an earcon when the station starts listening (on start
in open mode, after the wake phrase, on the talk button), and a spoken sentence for every
outcome, including "Home Assistant is not connected" and "no answer".
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..audio import SAMPLE_WIDTH, read_wav
from ..errors import UnknownLanguage, VoiceError
from ..languages import SPEECH_LANGUAGES, language_key
from ..recognition.live import LiveFeed
from ..recognition.phrases import Said
from ..speech.announce import Announcement, Priority
from ..station.events import button_event, room_transcript_event
from .audio_input import MAX_FILE_SECONDS, MIC_RATE, AudioInput
from .mic_check import CheckInProgress, NothingRecorded
from .sayings import saying
from .vad import EnergyVad, Utterance, VadEvent, VadSettings

if TYPE_CHECKING:
    from ..recognition.recognizer import RecognitionStream, Recognizer, Result
    from ..station.station import Station

_LOGGER = logging.getLogger(__name__)


@dataclass
class RoomConfig:
    """How the room listens."""

    input: str = "mic"  # "mic", "-" (stdin) or a WAV file
    wake: str | None = None  # wake phrase; None: every utterance is a command
    push_to_talk: bool = False  # only listen after the talk button
    language: str | None = None  # recognition language (default: the station's first)
    answer_timeout: float = 15.0  # seconds to wait for Home Assistant's answer
    command_window: float = 8.0  # seconds after wake/talk in which a command is taken
    vad: VadSettings | None = None


@dataclass
class RoomCounters:
    utterances: int = 0
    understood: int = 0
    rejected: int = 0
    answered: int = 0


class RoomObserver(Protocol):
    """Told of each stage of an utterance (bench/agent.py times them)."""

    def cut(self, utterance: Utterance) -> None:
        """The detector ended `utterance` (the resident stopped speaking)."""

    def recognised(self, utterance: Utterance, result: Result) -> None:
        """The recogniser's verdict on `utterance`."""

    def handled(self, utterance: Utterance) -> None:
        """Everything `utterance` led to is over (the answer was heard)."""


class _LiveRecognition:
    """One utterance decoded while the resident speaks it (through a `LiveFeed`).

    Pieces of audio are fed in order in the station's threads as the detector passes them on,
    so when the utterance ends only the last piece and the end of the decode remain (decoding
    the whole utterance after the cut took ~270 ms of a ~300 ms answer at 100 entities).
    """

    def __init__(
        self,
        station: Station,
        recognizer: Recognizer,
        rate: int,
        after: _LiveRecognition | None = None,
        on_said: Callable[[_LiveRecognition, Said], None] | None = None,
    ) -> None:
        self._station = station
        self._recognizer = recognizer
        self._rate = rate
        self._after = after
        self._on_said = on_said  # told how complete a command the partial result is
        self._said = Said.PART
        self._feed: LiveFeed[Said] = LiveFeed(
            station.run_blocking, on_decoded=self._decoded, name="bf room feed"
        )
        self._ended = asyncio.Event()
        self._dropped = False
        self._task = asyncio.create_task(self._run(), name="bf room recognition")
        self._task.add_done_callback(_log_failure)

    def add(self, pcm: bytes) -> None:
        self._feed.add(pcm)

    def end(self) -> None:
        """No more audio: `result` finishes the decode."""
        self._ended.set()

    def drop(self) -> None:
        """Not speech after all (or the room stops): nothing is decoded further."""
        self._dropped = True
        self._ended.set()

    async def result(self) -> tuple[Result, int] | None:
        """(the result, the phrase-list version it was decoded with); None when dropped."""
        return await self._task

    async def settled(self) -> None:
        """Wait until this utterance's decode is over, however it ended."""
        await asyncio.wait([self._task])

    async def _run(self) -> tuple[Result, int] | None:
        station = self._station
        if self._after is not None:
            # One after the other, as when the resident speaks: a recording read faster than
            # real time would otherwise decode its utterances at once, on decoders whose
            # cepstral means (learnt from earlier speech) differ, and hear them differently.
            await self._after.settled()
            self._after = None
        stream = await station.open_stream(self._recognizer, self._rate)
        try:
            self._feed.start(functools.partial(self._decode, stream))
            await self._ended.wait()
            last = await self._feed.stop()
        except BaseException:
            await asyncio.shield(self._close(stream))
            raise
        if self._feed.error is not None or self._dropped:
            await station.close_stream(stream)
            if self._feed.error is not None:
                raise self._feed.error
            return None
        # the last piece goes with the end of the utterance: one decode, not two
        return await station.finish_stream(stream, last), stream.version

    async def _close(self, stream: RecognitionStream) -> None:
        await self._feed.stop()  # no thread may still use the stream
        await self._station.close_stream(stream)

    def _decode(self, stream: RecognitionStream, piece: bytes) -> Said:
        """Decode `piece` (in a station thread); how complete a command the partial result
        so far is."""
        partial = stream.feed(piece)
        if partial is not None and self._on_said is not None:
            self._said = stream.said(partial)
        return self._said

    def _decoded(self, said: Said) -> None:
        if self._on_said is not None and not self._dropped:
            self._on_said(self, said)


def _log_failure(task: asyncio.Task[tuple[Result, int] | None]) -> None:
    """A dropped utterance's decode is never awaited: its failure is logged, not lost."""
    if not task.cancelled() and (err := task.exception()) is not None:
        _LOGGER.debug("Room recognition ended with %r", err)


class RoomListener:
    """Listens to one room through a Station: `await run()` until the input ends."""

    def __init__(
        self,
        station: Station,
        config: RoomConfig,
        *,
        source: AudioInput | None = None,
        observer: RoomObserver | None = None,
    ) -> None:
        self.station = station
        self.config = config
        self.observer = observer
        self._source = source
        language = config.language or station.languages[0]
        key = language_key(language)
        if key not in station.recognizers:
            raise UnknownLanguage(language=language, supported=", ".join(station.languages))
        self.language = key
        self.counters = RoomCounters()
        self._armed_until: float | None = None  # audio time; None: not armed
        self._now = 0.0  # seconds of input audio so far
        self._queue: asyncio.Queue[tuple[Utterance, _LiveRecognition] | None] = asyncio.Queue()
        self._live: _LiveRecognition | None = None  # the utterance being spoken now
        self._latest: _LiveRecognition | None = None  # the last one begun
        self._vad: EnergyVad | None = None
        self._real_time = False
        self._reading = False  # the input is being read now
        self._rate = 0  # of the input, once its first chunk came
        self._recording: _Recording | None = None  # a microphone check takes the input

    @property
    def replayable(self) -> bool:
        """The input is a WAV file: a microphone check reads it again from its start."""
        return self.config.input not in ("mic", "-")

    @property
    def open_mode(self) -> bool:
        return self.config.wake is None and not self.config.push_to_talk

    @property
    def speech_language(self) -> str:
        """Language of what the station says by itself."""
        return (
            self.language if self.language in SPEECH_LANGUAGES else self.station.settings.language
        )

    async def run(self) -> None:
        if self.config.wake:
            await self.station.add_extra_phrases(self.language, [self.config.wake])
        source = self._source or AudioInput(self.config.input)
        worker = asyncio.create_task(self._handle_utterances(), name="bf room utterances")
        self.station.microphone = self
        try:
            if self.open_mode:
                await self._say_earcon("listening")
            await self._listen(source)
            await self._queue.put(None)
            await worker
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            await self._drop_unheard()
            await source.close()
            if self.station.microphone is self and not self.replayable:
                self.station.microphone = None  # nothing more comes from this input
            if self.config.wake:
                await self.station.add_extra_phrases(self.language, [])

    async def _listen(self, source: AudioInput) -> None:
        vad: EnergyVad | None = None
        self._reading = True
        try:
            async for chunk in source.chunks():
                if vad is None:
                    vad = EnergyVad(source.rate, self.station.config.max_seconds, self.config.vad)
                    self._vad = vad
                    self._real_time = source.real_time
                    self._rate = source.rate
                self._now += len(chunk) / (SAMPLE_WIDTH * source.rate)
                if source.live and self.station.announcer.busy:
                    continue  # half-duplex: do not transcribe our own speaker
                if self._recording is not None:
                    # a microphone check: what the installer says is not a command
                    if self._recording.add(chunk):
                        self._recording = None
                    continue
                for event in vad.feed(chunk):
                    self._on_speech(event, source.rate)
            for event in vad.finish() if vad is not None else ():
                self._on_speech(event, source.rate)
        finally:
            self._reading = False
            if self._recording is not None:  # the input ended first: what there is
                self._recording.end()
                self._recording = None

    async def record(self, seconds: float) -> tuple[bytes, int]:
        """About `seconds` of the room's input (a microphone check): taken from the input
        while it is read (not heard as commands meanwhile); a WAV file that has been read
        is read again from its start."""
        if self._recording is not None:
            raise CheckInProgress
        if self._reading:
            recording = _Recording(self._rate or MIC_RATE, seconds)
            self._recording = recording
            pcm = await recording.done
            return pcm, recording.rate
        if self.replayable:
            wav = await asyncio.to_thread(read_wav, self.config.input, MAX_FILE_SECONDS)
            return wav.data[: int(seconds * wav.rate) * SAMPLE_WIDTH], wav.rate
        raise NothingRecorded

    def _on_speech(self, event: VadEvent, rate: int) -> None:
        """Decode speech as it comes; a finished utterance waits in the queue for its turn."""
        if event.kind == "start":
            if self._live is not None:  # cannot happen: an end comes first; never leak one
                self._live.drop()
            recognizer = self.station.recognizers[self.language]
            self._live = _LiveRecognition(
                self.station,
                recognizer,
                rate,
                self._latest,
                self._command_said if self._real_time else None,
            )
            self._latest = self._live
        live = self._live
        if live is None:
            return
        if event.pcm:
            live.add(event.pcm)
        if event.kind == "end":
            self._live = None
            if event.utterance is None:
                live.drop()
                return
            live.end()
            if self.observer is not None:
                self.observer.cut(event.utterance)
            self._queue.put_nowait((event.utterance, live))

    def _command_said(self, live: _LiveRecognition, said: Said) -> None:
        """The decoder's partial result is (or stopped being) a command: the utterance in
        progress may end after a shorter pause (a late report of an utterance that has
        already ended changes nothing)."""
        if self._vad is not None and live is self._live:
            self._vad.said = said

    async def _drop_unheard(self) -> None:
        """The room stops: utterances not handled yet are decoded no further."""
        pending = [self._live] if self._live is not None else []
        self._live = None
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item is not None:
                pending.append(item[1])
        for live in pending:
            live.drop()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await live.result()

    def press(self, button: str = "talk") -> None:
        """The talk or help button was pressed (keyboard, GPIO script via SIGUSR1/2)."""
        self.station.broadcast(button_event(button))
        if button == "talk":
            self._armed_until = self._now + self.config.command_window
            self._submit_earcon("listening")
        else:
            self._submit_earcon("info", saying("help_called", self.speech_language))

    async def _handle_utterances(self) -> None:
        while (item := await self._queue.get()) is not None:
            utterance, live = item
            try:
                await self._handle(utterance, live)
            except VoiceError as err:
                _LOGGER.warning("Room utterance failed: %s", err)
                await self._tell("not_understood")
            finally:
                if self.observer is not None:
                    self.observer.handled(utterance)

    async def _handle(self, utterance: Utterance, live: _LiveRecognition) -> None:
        self.counters.utterances += 1
        result = await self._recognise(utterance, live)
        if self.observer is not None:
            self.observer.recognised(utterance, result)
        wake = self.config.wake
        armed = self._armed_until is not None and utterance.start <= self._armed_until
        if not self.open_mode and not armed:
            if wake and not result.rejected and _same(result.phrase or result.text, wake):
                self._armed_until = utterance.start + self.config.command_window
                await self._say_earcon("listening")
            return  # not addressed to the station
        self._armed_until = None
        if result.rejected or not (result.phrase or result.text).strip():
            self.counters.rejected += 1
            self._broadcast(result, secrets.token_hex(6))
            await self._tell("not_understood")
            return
        self.counters.understood += 1
        utterance_id = secrets.token_hex(6)
        answer = self.station.expect_answer(utterance_id)
        if self._broadcast(result, utterance_id) == 0:
            self.station.forget_answer(utterance_id)
            await self._tell("not_connected")
            return
        try:
            async with asyncio.timeout(self.config.answer_timeout):
                item = await answer
        except TimeoutError:
            self.station.forget_answer(utterance_id)
            await self._tell("no_answer")
            return
        self.counters.answered += 1
        await item.done  # the resident hears the answer before the next command is taken

    async def _recognise(self, utterance: Utterance, live: _LiveRecognition) -> Result:
        """The result decoded while the utterance was spoken; decoded again when the phrase
        list changed since it began (a PIN is said while Home Assistant is still turning
        digits on for it, when input comes faster than real time)."""
        decoded = await live.result()
        recognizer = self.station.recognizers[self.language]
        if decoded is not None and decoded[1] == recognizer.version:
            return decoded[0]
        stream = await self.station.open_stream(recognizer, utterance.rate)
        try:
            await self.station.run_blocking(stream.feed, utterance.pcm)
        except BaseException:
            await self.station.close_stream(stream)
            raise
        return await self.station.finish_stream(stream)

    def _broadcast(self, result: Result, utterance_id: str) -> int:
        return self.station.broadcast(room_transcript_event(utterance_id, result, self.language))

    def _submit_earcon(self, chime: str, text: str = "") -> Announcement:
        return self.station.announcer.submit(
            Announcement(
                id=f"room-{chime}",
                text=text,
                language=self.speech_language,
                priority=Priority.HIGH,
                chime=chime,
            )
        )

    async def _say_earcon(self, chime: str) -> None:
        await self._submit_earcon(chime).done

    async def _tell(self, key: str) -> None:
        """Earcon plus a full sentence: never only a beep."""
        chime = "not_understood" if key == "not_understood" else "info"
        await self._submit_earcon(chime, saying(key, self.speech_language)).done


class _Recording:
    """Input taken for a microphone check, until it has `seconds` of it."""

    def __init__(self, rate: int, seconds: float) -> None:
        self.rate = rate
        self._wanted = int(seconds * rate) * SAMPLE_WIDTH
        self._pcm = bytearray()
        self.done: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def add(self, chunk: bytes) -> bool:
        """Keep `chunk`; True once there is enough."""
        self._pcm += chunk
        if len(self._pcm) >= self._wanted:
            self.end()
        return self.done.done()

    def end(self) -> None:
        if not self.done.done():
            self.done.set_result(bytes(self._pcm[: self._wanted]))


def _same(heard: str, wake: str) -> bool:
    def norm(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    return norm(heard) == norm(wake)

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

import argparse
import asyncio
import contextlib
import io
import logging
import os
import secrets
import shutil
import signal
import stat
import struct
import sys
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
from wyoming.event import Event

from ..audio import SAMPLE_WIDTH, NotWav, check_format, read_wav
from ..errors import UnknownLanguage, VoiceError
from ..languages import SPEECH_LANGUAGES, language_key
from ..recognition.phrases import Said
from ..speech.announce import Announcement, Priority

if TYPE_CHECKING:
    from ..recognition.recognizer import RecognitionStream, Recognizer, Result
    from ..station.station import Station

_LOGGER = logging.getLogger(__name__)

MIC_RATE = 16000
RAW_STDIN_RATE = 16000  # stdin without a WAV header is taken as 16 kHz 16-bit mono
READ_BYTES = 4096
MAX_FILE_SECONDS = 3600.0

# What the station says by itself, per language (other languages fall back to English).
SAYINGS = {
    "not_understood": {
        "zh": "没听清，请再说一遍",
        "en": "Sorry, I did not catch that",
    },
    "not_connected": {
        "zh": "语音站还没有连接到家庭助手，请稍后再试",
        "en": "The station is not connected to Home Assistant yet. Please try again later",
    },
    "no_answer": {
        "zh": "家庭助手没有回答，请稍后再试",
        "en": "Home Assistant did not answer. Please try again later",
    },
    "help_called": {
        "zh": "已经发出求助",
        "en": "Help has been called",
    },
}


def saying(key: str, language: str) -> str:
    table = SAYINGS[key]
    return table.get(language, table["en"])


class NoMicrophone(VoiceError):
    code = "no_microphone"
    en = "No recorder (arecord) is installed; use --input FILE.wav or --input - instead."
    zh = "没有安装录音程序（arecord）；请改用 --input 文件.wav 或 --input -。"


# --- voice activity detection -----------------------------------------------------------


@dataclass
class VadSettings:
    """Energy detector tuning; times in milliseconds."""

    frame_ms: int = 30
    start_ms: int = 90  # this much loud audio starts an utterance
    end_ms: int = 600  # this much quiet ends it
    # ...or less once the decoder's partial result is a command of the phrase list (only for
    # audio that comes in real time, when the decoder keeps up with the detector):
    phrase_end_ms: int = 450  # a command that a longer one goes on from ("... in the hall")
    whole_end_ms: int = 300  # a command that no longer one goes on from
    pre_roll_ms: int = 300  # kept from before the start, so first syllables are not cut
    min_speech_ms: int = 200  # shorter bursts (a knock, a click) are ignored
    floor: float = 300.0  # RMS below this is never speech (about -40 dBFS)
    ratio: float = 3.0  # ...and speech is this much louder than the noise level (~10 dB)


@dataclass(frozen=True, slots=True)
class Utterance:
    pcm: bytes
    rate: int
    start: float  # seconds from the start of the input


@dataclass(frozen=True, slots=True)
class VadEvent:
    """What the detector found in a piece of audio, so that speech is decoded as it comes.

    "start": speech began (`pcm`: the pre-roll and the first loud frames); "audio": more of
    the same utterance (`pcm`); "end": it ended (`utterance`: all of it, or None when it was
    too short to be speech, a knock or a click: drop what was decoded).
    """

    kind: Literal["start", "audio", "end"]
    pcm: bytes = b""
    utterance: Utterance | None = None


class EnergyVad:
    """Finds utterances in a stream of 16-bit mono PCM by frame energy.

    The noise level follows the quiet frames, so a fan or a fridge raises the bar; a fixed
    floor keeps digital silence (WAV files, synthesised speech) from making every breath speech.
    """

    def __init__(self, rate: int, max_seconds: float, settings: VadSettings | None = None) -> None:
        self.rate = rate
        self.settings = s = settings or VadSettings()
        self._frame = rate * s.frame_ms // 1000 * SAMPLE_WIDTH
        self._start_frames = max(1, s.start_ms // s.frame_ms)
        self._end_frames = max(1, s.end_ms // s.frame_ms)
        self._quiet_frames = {  # quiet that ends an utterance, by what was said so far
            Said.PART: self._end_frames,
            Said.PHRASE: max(1, min(s.phrase_end_ms, s.end_ms) // s.frame_ms),
            Said.WHOLE: max(1, min(s.whole_end_ms, s.end_ms) // s.frame_ms),
        }
        self.said = Said.PART  # set from the decoder's partial result
        self._min_frames = max(1, s.min_speech_ms // s.frame_ms)
        self._max_bytes = int(max_seconds * rate) * SAMPLE_WIDTH
        self._pre: deque[bytes] = deque(maxlen=max(1, s.pre_roll_ms // s.frame_ms))
        self._pending = b""
        self._noise = s.floor / s.ratio
        self._loud = 0
        self._quiet = 0
        self._voiced = 0
        self._speech: list[bytes] | None = None
        self._speech_bytes = 0
        self._frames_seen = 0
        self._start_frame = 0

    def _is_loud(self, frame: bytes) -> bool:
        samples = np.frombuffer(frame, dtype="<i2").astype(np.float64)
        rms = float(np.sqrt(np.mean(samples * samples))) if len(samples) else 0.0
        loud = rms > max(self.settings.floor, self._noise * self.settings.ratio)
        if not loud:
            self._noise = 0.95 * self._noise + 0.05 * max(rms, 1.0)
        return loud

    def process(self, pcm: bytes) -> list[Utterance]:
        """Feed audio; returns the utterances that ended within it."""
        return [e.utterance for e in self.feed(pcm) if e.utterance is not None]

    def feed(self, pcm: bytes) -> list[VadEvent]:
        """Feed audio; returns what happened in it, in order (consecutive audio merged)."""
        data = self._pending + pcm
        events: list[VadEvent] = []
        cut = len(data) - len(data) % self._frame
        self._pending = data[cut:]
        for offset in range(0, cut, self._frame):
            self._frames_seen += 1
            for event in self._step(data[offset : offset + self._frame]):
                if event.kind == "audio" and events and events[-1].kind in ("start", "audio"):
                    last = events[-1]
                    events[-1] = VadEvent(last.kind, last.pcm + event.pcm)
                else:
                    events.append(event)
        return events

    def _step(self, frame: bytes) -> tuple[VadEvent, ...]:
        loud = self._is_loud(frame)
        if self._speech is None:
            self._pre.append(frame)
            self._loud = self._loud + 1 if loud else 0
            if self._loud >= self._start_frames:
                self._speech = list(self._pre)
                self._speech_bytes = sum(len(f) for f in self._speech)
                self._start_frame = self._frames_seen - len(self._speech)
                self._pre.clear()
                self._quiet = 0
                self._voiced = self._loud
                self.said = Said.PART
                return (VadEvent("start", b"".join(self._speech)),)
            return ()
        self._speech.append(frame)
        self._speech_bytes += len(frame)
        if loud:
            self._quiet = 0
            self._voiced += 1
        else:
            self._quiet += 1
        audio = VadEvent("audio", frame)
        quiet_enough = self._quiet_frames[self.said]
        if self._quiet >= quiet_enough or self._speech_bytes + self._frame > self._max_bytes:
            end = self._end()
            return (audio, end) if end is not None else (audio,)
        return (audio,)

    def _end(self) -> VadEvent | None:
        speech, self._speech = self._speech, None
        self._loud = 0
        self.said = Said.PART
        if speech is None:
            return None
        if self._voiced < self._min_frames:
            return VadEvent("end")
        start = self._start_frame * self.settings.frame_ms / 1000
        return VadEvent("end", utterance=Utterance(b"".join(speech), self.rate, start))

    def finish(self) -> list[VadEvent]:
        """End of input: the rest of the utterance in progress and its end, if any."""
        pending, self._pending = self._pending, b""
        if self._speech is None:
            return []
        events = []
        if pending:
            self._speech.append(pending)
            events.append(VadEvent("audio", pending))
        end = self._end()
        return [*events, end] if end is not None else events

    def flush(self) -> Utterance | None:
        """End of input: the utterance in progress, if any."""
        return next((e.utterance for e in self.finish() if e.utterance is not None), None)


# --- audio input ----------------------------------------------------------------------


class AudioInput:
    """A source of 16-bit mono PCM: a WAV file, stdin (WAV or raw 16 kHz), or the microphone."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.rate = MIC_RATE
        self.live = spec == "mic"  # a real room: the speaker is heard by the microphone
        # audio comes at the pace it is spoken (a microphone, `arecord ... | voice room -`),
        # not read as fast as a file can be; known once the first chunk is read
        self.real_time = spec in ("mic", "-")
        self._proc: asyncio.subprocess.Process | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        if self.spec == "mic":
            async for chunk in self._microphone():
                yield chunk
        elif self.spec == "-":
            async for chunk in self._stdin():
                yield chunk
        else:
            pcm = await asyncio.to_thread(read_wav, self.spec, MAX_FILE_SECONDS)
            self.rate = pcm.rate
            for start in range(0, len(pcm.data), READ_BYTES):
                yield pcm.data[start : start + READ_BYTES]

    async def _microphone(self) -> AsyncIterator[bytes]:
        if shutil.which("arecord") is None:
            raise NoMicrophone
        self._proc = await asyncio.create_subprocess_exec(
            *("arecord", "-q", "-t", "raw", "-f", "S16_LE", "-c", "1", "-r", str(MIC_RATE)),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert self._proc.stdout is not None
        try:
            while chunk := await self._proc.stdout.read(READ_BYTES):
                yield chunk
        finally:
            await self.close()

    async def _stdin(self) -> AsyncIterator[bytes]:
        reader, whole_file = await _stdin_reader()
        self.real_time = not whole_file  # a pipe, not a file read whole (`< file.wav`)
        head = await _read_exactly(reader, 12)
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            self.rate = await _skip_to_wav_data(reader)
        else:
            self.rate = RAW_STDIN_RATE
            if head:
                yield head
        while chunk := await reader.read(READ_BYTES):
            yield chunk

    async def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()


async def _stdin_reader() -> tuple[asyncio.StreamReader, bool]:
    """stdin as a stream, and whether it is a regular file (`< file.wav`): that is read
    whole, it cannot block."""
    reader = asyncio.StreamReader()
    mode = os.fstat(sys.stdin.fileno()).st_mode
    if stat.S_ISREG(mode):
        data = await asyncio.to_thread(sys.stdin.buffer.read)
        reader.feed_data(data)
        reader.feed_eof()
        return reader, True
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    return reader, False


async def _read_exactly(reader: asyncio.StreamReader, size: int) -> bytes:
    try:
        return await reader.readexactly(size)
    except asyncio.IncompleteReadError as err:
        return err.partial


async def _skip_to_wav_data(reader: asyncio.StreamReader) -> int:
    """Read a streamed WAV header up to its samples; returns the sample rate."""
    rate = 0
    while True:
        header = await _read_exactly(reader, 8)
        if len(header) < 8:
            raise NotWav(name="stdin", detail="no data chunk")
        kind, size = header[:4], struct.unpack("<I", header[4:])[0]
        if kind == b"data":
            if not rate:
                raise NotWav(name="stdin", detail="no fmt chunk before the data")
            return rate
        if size > 1 << 20:
            raise NotWav(name="stdin", detail="oversized header chunk")
        body = await _read_exactly(reader, size + (size & 1))
        if kind == b"fmt ":
            if len(body) < 16:
                raise NotWav(name="stdin", detail="truncated fmt chunk")
            fmt, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
            if fmt != 1:
                raise NotWav(name="stdin", detail=f"not PCM (format {fmt})")
            check_format(rate, bits // 8, channels, name="stdin")


# --- the listener ---------------------------------------------------------------------


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
    """One utterance decoded while the resident speaks it.

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
        self._pieces: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._dropped = False
        self._task = asyncio.create_task(self._run(), name="bf room recognition")
        self._task.add_done_callback(_log_failure)

    def add(self, pcm: bytes) -> None:
        self._pieces.put_nowait(pcm)

    def end(self) -> None:
        """No more audio: `result` finishes the decode."""
        self._pieces.put_nowait(None)

    def drop(self) -> None:
        """Not speech after all (or the room stops): nothing is decoded further."""
        self._dropped = True
        self._pieces.put_nowait(None)

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
            while (piece := await self._pieces.get()) is not None:
                while not self._pieces.empty():  # decode what waits in one go
                    more = self._pieces.get_nowait()
                    if more is None:
                        self._pieces.put_nowait(None)
                        break
                    piece += more
                # shielded: a cancelled wait must not leave the stream in use by a thread
                feeding = asyncio.ensure_future(station.run_blocking(self._feed, stream, piece))
                try:
                    said = await asyncio.shield(feeding)
                except asyncio.CancelledError:
                    with contextlib.suppress(Exception):
                        await feeding
                    raise
                if self._on_said is not None and not self._dropped:
                    self._on_said(self, said)
            if self._dropped:
                await station.close_stream(stream)
                return None
        except BaseException:
            await asyncio.shield(station.close_stream(stream))
            raise
        return await station.finish_stream(stream), stream.version

    def _feed(self, stream: RecognitionStream, piece: bytes) -> Said:
        """Decode `piece` (in a station thread); how complete a command the partial result
        so far is."""
        partial = stream.feed(piece)
        if partial is not None and self._on_said is not None:
            self._said = stream.said(partial)
        return self._said


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
            if self.config.wake:
                await self.station.add_extra_phrases(self.language, [])

    async def _listen(self, source: AudioInput) -> None:
        vad: EnergyVad | None = None
        async for chunk in source.chunks():
            if vad is None:
                vad = EnergyVad(source.rate, self.station.config.max_seconds, self.config.vad)
                self._vad = vad
                self._real_time = source.real_time
            self._now += len(chunk) / (SAMPLE_WIDTH * source.rate)
            if source.live and self.station.announcer.busy:
                continue  # half-duplex: do not transcribe our own speaker
            for event in vad.feed(chunk):
                self._on_speech(event, source.rate)
        for event in vad.finish() if vad is not None else ():
            self._on_speech(event, source.rate)

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
        self.station.broadcast(Event("bf-button", {"button": button, "action": "press"}))
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
        text = "" if result.rejected else (result.phrase or result.text)
        return self.station.broadcast(
            Event(
                "bf-room-transcript",
                {
                    "utterance_id": utterance_id,
                    "text": text,
                    "language": self.language,
                    "phrase": result.phrase,
                    "score": result.score,
                    "rejected": result.rejected,
                },
            )
        )

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


def _same(heard: str, wake: str) -> bool:
    def norm(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    return norm(heard) == norm(wake)


# --- command line -----------------------------------------------------------------------


def add_room_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of `python -m voice room`: all of `serve`, plus the room's own."""
    from ..station.station import add_serve_arguments  # noqa: PLC0415 - server imports are heavy

    add_serve_arguments(parser)
    parser.add_argument("--input", default="mic", help="'mic', a WAV file, or - for stdin")
    parser.add_argument("--wake", help="wake phrase (must be sayable in the recognition language)")
    parser.add_argument(
        "--push-to-talk", action="store_true", help="listen only after Enter / SIGUSR1"
    )
    parser.add_argument(
        "--room-lang", help="language the room listens in (default: first of --lang)"
    )
    parser.add_argument(
        "--answer-timeout", type=float, default=15.0, help="seconds to wait for an answer"
    )


async def room_main(args: argparse.Namespace) -> int:
    """`python -m voice room`: a station that also listens in the room."""
    from ..station.station import Station, config_from_args, print_banner, wait_for_signal  # noqa: PLC0415

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    station = Station(config_from_args(args))
    await station.start()
    print_banner(station)
    try:
        room = RoomListener(
            station,
            RoomConfig(
                input=args.input,
                wake=args.wake,
                push_to_talk=args.push_to_talk,
                language=args.room_lang,
                answer_timeout=args.answer_timeout,
            ),
        )
        _install_buttons(room, keyboard=args.input != "-")
        listening = asyncio.create_task(room.run())
        stopping = asyncio.create_task(wait_for_signal())
        done, _ = await asyncio.wait({listening, stopping}, return_when=asyncio.FIRST_COMPLETED)
        for task in (listening, stopping):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if listening in done and listening.exception() is not None:
            raise listening.exception()  # type: ignore[misc]
    finally:
        await station.stop()
    return 0


def _install_buttons(room: RoomListener, keyboard: bool) -> None:
    """Talk button: Enter on the console or SIGUSR1 (a GPIO script); help: SIGUSR2."""
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
        loop.add_signal_handler(signal.SIGUSR1, room.press, "talk")
        loop.add_signal_handler(signal.SIGUSR2, room.press, "help")
    if keyboard and room.config.push_to_talk and sys.stdin.isatty():
        stdin = io.TextIOWrapper(os.fdopen(os.dup(sys.stdin.fileno()), "rb"))

        def on_enter() -> None:
            if stdin.readline():
                room.press("talk")

        loop.add_reader(stdin.fileno(), on_enter)

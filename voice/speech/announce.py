"""What the station says out loud: a priority queue of announcements, earcons, and the speaker.

One speaker, one queue: announcements from Home Assistant, answers to what the resident
said, and the room's own earcons all go through `Announcer`, so they never talk over each
other. An alarm interrupts anything less urgent; the interrupted announcement goes back to
the front of its priority and is played again from the start, so nothing is lost.

The speaker is the system's player (`paplay` or `aplay`, fed raw PCM on stdin) or, headless,
a folder that receives one WAV file per played sound (what the tests listen to).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import re
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Protocol

import numpy as np

from ..audio import SAMPLE_WIDTH, write_wav
from ..errors import VoiceError

_LOGGER = logging.getLogger(__name__)

EARCON_RATE = 22050
MAX_QUEUED = 100


class QueueFull(VoiceError):
    code = "queue_full"
    en = "{count} announcements are already waiting; try again when some have been spoken."
    zh = "已有 {count} 条播报在等待，请稍后再试。"


class Displaced(QueueFull):
    """Told to the sender of a waiting announcement that gave way to a more urgent one."""

    en = (
        "{count} announcements were waiting and a more urgent one took the place of this one; "
        "it will not be spoken. Send it again later."
    )
    zh = "已有 {count} 条播报在等待，一条更紧急的播报取代了这一条，它不会被播报。请稍后重发。"


class NoSpeaker(VoiceError):
    code = "no_speaker"
    en = "No audio player (paplay or aplay) is installed; use --output DIR to write WAV files."
    zh = "没有安装音频播放器（paplay 或 aplay）；请用 --output 目录 把语音写成 WAV 文件。"


class UnknownChime(VoiceError):
    code = "unknown_chime"
    en = "Unknown chime '{chime}'. Use one of: {supported}."
    zh = "未知的提示音“{chime}”。可用：{supported}。"


class Priority(IntEnum):
    """Lower value = more urgent. Only ALARM interrupts what is playing."""

    ALARM = 0
    HIGH = 1
    NORMAL = 2
    LOW = 3


# --- earcons ---------------------------------------------------------------------------


def _tone(
    freq: float, seconds: float, rate: int, decay: float = 0.0, bright: bool = False
) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    wave = np.sin(2 * np.pi * freq * t)
    if bright:  # odd harmonics make the alarm harsh and unmistakable
        wave += np.sin(2 * np.pi * 3 * freq * t) / 3 + np.sin(2 * np.pi * 5 * freq * t) / 5
        wave /= 1.5
    envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)  # 10 ms ramps: no clicks
    if decay:
        envelope = envelope * np.exp(-decay * t)
    shaped: np.ndarray = wave * envelope
    return shaped


def _gap(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(int(seconds * rate))


def _earcon_samples(name: str, rate: int) -> np.ndarray:
    if name == "listening":  # short rising pair: "I am listening"
        parts = [_tone(660, 0.09, rate), _gap(0.03, rate), _tone(990, 0.12, rate)]
    elif name == "not_understood":  # falling, lower, slower: "that did not work"
        parts = [_tone(494, 0.16, rate), _gap(0.05, rate), _tone(330, 0.28, rate)]
    elif name == "doorbell":  # ding-dong
        parts = [_tone(784, 0.45, rate, decay=4), _tone(622, 0.7, rate, decay=3)]
    elif name == "alarm":  # three harsh alternating pulses
        pulse = [_tone(1050, 0.18, rate, bright=True), _tone(750, 0.18, rate, bright=True)]
        parts = [*pulse, _gap(0.06, rate), *pulse, _gap(0.06, rate), *pulse]
    elif name == "info":  # one soft tone before an ordinary announcement
        parts = [_tone(880, 0.15, rate, decay=6)]
    else:
        raise UnknownChime(chime=name, supported=", ".join(EARCONS))
    return np.concatenate(parts)


EARCONS = ("listening", "not_understood", "doorbell", "alarm", "info")


def earcon(name: str, rate: int = EARCON_RATE, volume: float = 0.6) -> bytes:
    """16-bit mono PCM of the earcon `name` (one of EARCONS)."""
    samples = _earcon_samples(name, rate) * volume * 32767
    return bytes(np.clip(samples, -32768, 32767).astype("<i2").tobytes())


# --- outputs ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """One sound to play: an earcon or a piece of speech."""

    kind: str  # "earcon" | "speech"
    label: str  # earcon name or announcement id, used in file names and logs
    pcm: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / (SAMPLE_WIDTH * self.rate)


class AudioOutput(Protocol):
    """A speaker. `play` returns when the sound has been heard; cancelling it stops the sound."""

    description: str

    async def play(self, segment: Segment) -> None: ...

    async def close(self) -> None: ...


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


class WavDirectory:
    """Headless speaker: each sound becomes a numbered WAV file in `path`.

    Playing takes as long as the sound lasts (times `pace`), like a real speaker, so that
    queueing and interruption behave the same; an interrupted sound's file is renamed
    `*.interrupted.wav`.
    """

    def __init__(self, path: Path, pace: float = 1.0) -> None:
        self.path = path
        self.pace = pace
        self.description = f"WAV files in {path}"
        self._count = itertools.count(1)

    async def play(self, segment: Segment) -> None:
        label = _UNSAFE.sub("_", segment.label)[:40] or "sound"
        target = self.path / f"{next(self._count):04d}-{segment.kind}-{label}.wav"
        writing = asyncio.ensure_future(asyncio.to_thread(self._write, target, segment))
        try:
            await asyncio.shield(writing)
            await asyncio.sleep(segment.seconds * self.pace)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await writing  # rename only a complete file
            with contextlib.suppress(OSError):
                target.rename(target.with_suffix(".interrupted.wav"))
            raise

    def _write(self, target: Path, segment: Segment) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        write_wav(tmp, segment.pcm, segment.rate)
        tmp.replace(target)  # a reader never sees half a file

    async def close(self) -> None:
        return None


def find_player() -> list[str] | None:
    """The command that plays raw 16-bit mono PCM from stdin (rate appended), if any."""
    if shutil.which("paplay"):
        return ["paplay", "--raw", "--format=s16le", "--channels=1", "--rate={rate}"]
    if shutil.which("aplay"):
        return ["aplay", "-q", "-t", "raw", "-f", "S16_LE", "-c", "1", "-r", "{rate}", "-"]
    return None


class SystemPlayer:
    """The room's loudspeaker, through the system's audio player."""

    def __init__(self, command: list[str] | None = None) -> None:
        found = command or find_player()
        if found is None:
            raise NoSpeaker
        self._command = found
        self.description = f"speaker ({found[0]})"

    async def play(self, segment: Segment) -> None:
        args = [part.format(rate=segment.rate) for part in self._command]
        proc = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, err = await proc.communicate(segment.pcm)
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise
        if proc.returncode:
            _LOGGER.warning("%s failed: %s", args[0], err.decode(errors="replace").strip())

    async def close(self) -> None:
        return None


def open_output(spec: str | Path | None, fallback: Path) -> AudioOutput:
    """`speaker`, a folder, or None (speaker when a player exists, else WAVs in `fallback`)."""
    if spec is None:
        if find_player() is not None:
            return SystemPlayer()
        _LOGGER.warning("No audio player found; writing what the station says to %s", fallback)
        return WavDirectory(fallback)
    if str(spec) == "speaker":
        return SystemPlayer()
    return WavDirectory(Path(spec))


# --- the queue -------------------------------------------------------------------------

StatusCallback = Callable[["Announcement", str, VoiceError | None], None]
Render = Callable[["Announcement"], Awaitable[list[Segment]]]


@dataclass(eq=False)
class Announcement:
    """Something to say. `done` resolves to the final status: "done", "failed" or "dropped"
    (it gave way to a more urgent one on a full queue)."""

    id: str
    text: str = ""
    language: str = "zh"
    priority: Priority = Priority.NORMAL
    chime: str | None = None
    rate: int | None = None
    volume: float | None = None
    on_status: StatusCallback | None = None
    plays: int = 0
    done: asyncio.Future[str] = field(init=False, repr=False)
    segments: list[Segment] | None = field(default=None, repr=False)

    def _status(self, status: str, error: VoiceError | None = None) -> None:
        if self.on_status is not None:
            try:
                self.on_status(self, status, error)
            except Exception:  # a broken listener must not stop the speaker
                _LOGGER.exception("Announcement status listener failed")


class Announcer:
    """Plays announcements one at a time, most urgent first."""

    def __init__(self, output: AudioOutput, render: Render, max_queued: int = MAX_QUEUED) -> None:
        self.output = output
        self._render = render
        self._max_queued = max_queued
        self._heap: list[tuple[int, int, Announcement]] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._current: Announcement | None = None
        self._playing: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def busy(self) -> bool:
        """True while something is playing or waiting to be played."""
        return self._current is not None or bool(self._heap)

    @property
    def queued(self) -> int:
        return len(self._heap)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="barrier-free announcer")

    async def wait_idle(self) -> None:
        await self._idle.wait()

    def submit(self, announcement: Announcement) -> Announcement:
        """Queue `announcement`; an alarm interrupts a less urgent one that is playing.

        On a full queue, the least urgent, newest waiting announcement gives way to a more
        urgent one, and to an alarm in any case (when only alarms wait, the newest waiting
        alarm gives way: those that came first are still said first, and the latest alarm
        is never refused). Its sender is told ("dropped", `Displaced`). Anything else on a
        full queue raises QueueFull.
        """
        if announcement.chime is not None and announcement.chime not in EARCONS:
            raise UnknownChime(chime=announcement.chime, supported=", ".join(EARCONS))
        victim: tuple[int, int, Announcement] | None = None
        if len(self._heap) >= self._max_queued:
            victim = max(self._heap, key=lambda entry: entry[:2])
            if announcement.priority != Priority.ALARM and announcement.priority >= victim[0]:
                raise QueueFull(count=len(self._heap))
        announcement.done = asyncio.get_running_loop().create_future()
        if victim is not None:
            self._drop(victim, announcement)
        heapq.heappush(self._heap, (announcement.priority, next(self._seq), announcement))
        self._idle.clear()
        announcement._status("queued")
        current = self._current
        if (
            announcement.priority == Priority.ALARM
            and current is not None
            and current.priority > Priority.ALARM
            and self._playing is not None
        ):
            self._playing.cancel()
        self._wake.set()
        return announcement

    def _drop(self, entry: tuple[int, int, Announcement], newcomer: Announcement) -> None:
        count = len(self._heap)
        self._heap.remove(entry)
        heapq.heapify(self._heap)
        item = entry[2]
        _LOGGER.warning(
            "Announcement queue full (%s waiting): dropped %s (%s) for %s (%s)",
            count,
            item.id,
            item.priority.name.lower(),
            newcomer.id,
            newcomer.priority.name.lower(),
        )
        item._status("dropped", Displaced(count=count))
        if not item.done.done():
            item.done.set_result("dropped")

    async def _run(self) -> None:
        while True:
            if not self._heap:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            _, seq, item = heapq.heappop(self._heap)
            self._current = item
            playing = asyncio.create_task(self._play(item), name=f"announce {item.id}")
            self._playing = playing
            try:
                await asyncio.wait({playing})
            except asyncio.CancelledError:
                playing.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await playing
                if not item.done.done():
                    item.done.set_result("failed")
                raise
            finally:
                self._current = None
                self._playing = None
            if playing.cancelled():
                # Interrupted by an alarm: back to the front of its priority, played again.
                heapq.heappush(self._heap, (item.priority, seq, item))
                item._status("interrupted")
                continue
            error = playing.exception()
            if error is None:
                item._status("done")
                item.done.set_result("done")
            else:
                verror = error if isinstance(error, VoiceError) else None
                if verror is None:
                    _LOGGER.error("Announcement %s failed", item.id, exc_info=error)
                item._status("failed", verror)
                item.done.set_result("failed")

    async def _play(self, item: Announcement) -> None:
        if item.segments is None:
            item.segments = await self._render(item)
        item.plays += 1
        item._status("playing")
        for segment in item.segments:
            await self.output.play(segment)

    async def stop(self) -> None:
        """Stop playing; whatever is still queued is reported as failed to its waiters."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for _, _, item in self._heap:
            if not item.done.done():
                item.done.set_result("failed")
        self._heap.clear()
        self._idle.set()
        await self.output.close()

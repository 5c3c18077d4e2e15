"""Spoken feedback: text to 16-bit mono PCM with pyttsx3 on espeak-ng, Mandarin and English.

pyttsx3 can hang on repeated `runAndWait` (upstream issues 126 and 194), and a C library that
hangs cannot be interrupted from Python. So the engine runs in a persistent worker process
(`voice.speech._tts_worker`), kept warm between requests. Every request is bounded by
`timeout`; on a timeout the worker is killed (the caller gets `SynthesisTimeout`, the next
request starts a fresh worker); if the worker dies mid-request it is restarted and the
request retried once.
Requests from many threads are serialised by a lock: one synthesis takes ~15 ms, so a queue
is cheaper than a pool of engines on the station's small computers.

Mandarin voice trap: on espeak-ng 1.51 the voice `cmn` reads Chinese characters as English
pinyin spellings ("da three"). The Mandarin voice is therefore chosen by its phonemes: the
first voice whose phonemes for a test sentence carry tone numbers and no language switch.

Text length: answers are spoken in one piece up to `MAX_TEXT_CHARS` characters (about four
minutes of Mandarin speech); longer text is refused with `TextTooLong` rather than cut, so that
nobody hears half an answer without knowing it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Self

from ..audio import SAMPLE_WIDTH, wav_bytes
from ..errors import VoiceError
from ..languages import speech_language

MAX_TEXT_CHARS = 1000
MIN_RATE = 80  # words per minute: espeak-ng's own bounds
MAX_RATE = 450
# Words per minute, a little under espeak-ng's 175: the pace the integration asks for by default
# too, so a station used alone sounds as it does through Home Assistant.
DEFAULT_RATE = 160
DEFAULT_VOLUME = 1.0
INSTALL_COMMAND = "apt-get install espeak-ng libespeak-ng1"
MANDARIN_PROBE = "打开客厅的灯"
ENGLISH_VOICES = ("gmw/en-us", "en-us", "gmw/en", "en")

_LANGUAGE_SWITCH = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)*\)")  # e.g. "(en)" in espeak -x output
_TONE = re.compile(r"[1-5]{2,3}")  # Mandarin tone contours in espeak phonemes: 55, 214, 51...


class TtsError(VoiceError):
    code = "tts_error"
    en = "Speech could not be produced: {detail}"
    zh = "无法生成语音：{detail}"


class EmptyText(TtsError):
    code = "empty_text"
    en = "There is nothing to say: the text is empty."
    zh = "没有要说的内容：文本是空的。"


class TextTooLong(TtsError):
    code = "text_too_long"
    en = "The text has {length} characters; at most {limit} can be spoken at once. Split it."
    zh = "文本有 {length} 个字符，一次最多只能朗读 {limit} 个字符。请分段朗读。"


class BadRate(TtsError):
    code = "bad_rate"
    en = "Speaking rate {rate} cannot be used: give whole words per minute from {low} to {high}."
    zh = "语速 {rate} 无法使用：请给出 {low} 到 {high} 之间的整数（每分钟字数）。"


class BadVolume(TtsError):
    code = "bad_volume"
    en = "Volume {volume} cannot be used: give a number from 0.0 (silent) to 1.0 (loudest)."
    zh = "音量 {volume} 无法使用：请给出 0.0（静音）到 1.0（最大）之间的数。"


class UnknownVoice(TtsError):
    code = "unknown_voice"
    en = "The voice '{voice}' is not available in espeak-ng on this machine ({detail})."
    zh = "本机的 espeak-ng 中没有语音“{voice}”（{detail}）。"


class NoMandarinVoice(TtsError):
    code = "no_mandarin_voice"
    en = (
        "No espeak-ng voice on this machine speaks Mandarin (checked by phonemes: {checked}). "
        "Install it (as root) with: " + INSTALL_COMMAND
    )
    zh = (
        "本机的 espeak-ng 没有能说普通话的语音（已按音素检查：{checked}）。请以 root 身份安装："
        + (INSTALL_COMMAND)
    )


class EspeakMissing(TtsError):
    code = "espeak_missing"
    en = (
        "espeak-ng is not installed or its library cannot be loaded ({detail}). "
        "Install it (as root) with: " + INSTALL_COMMAND
    )
    zh = "没有安装 espeak-ng，或无法加载它的库（{detail}）。请以 root 身份安装：" + INSTALL_COMMAND


class SynthesisTimeout(TtsError):
    code = "tts_timeout"
    en = "Speech took longer than {timeout:g} s to produce and was stopped; the engine restarts."
    zh = "语音合成超过 {timeout:g} 秒，已停止；语音引擎将重新启动。"


class WorkerCrashed(TtsError):
    code = "tts_crashed"
    en = "The speech engine stopped unexpectedly, also after a restart ({detail})."
    zh = "语音引擎意外停止，重启后仍然如此（{detail}）。"


@dataclass(frozen=True, slots=True)
class Speech:
    """Synthesised speech: 16-bit signed little-endian mono PCM at `rate` Hz."""

    pcm: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / (SAMPLE_WIDTH * self.rate)

    def wav(self) -> bytes:
        """The speech as a complete WAV file."""
        return wav_bytes(self.pcm, self.rate)


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    """An espeak-ng voice as pyttsx3 names it; `language` is "zh", "en" or espeak's code."""

    id: str
    name: str
    language: str


def speaks_mandarin(phonemes: str, characters: int = len(MANDARIN_PROBE)) -> bool:
    """True if espeak-ng phonemes for `characters` Chinese characters are Mandarin.

    A voice that falls back to English marks the switch, e.g. "(en)daTr'i:"; a Mandarin voice
    gives each syllable a tone contour ("t'A214_| kh'ai55_|").
    """
    if _LANGUAGE_SWITCH.search(phonemes):
        return False
    return len(_TONE.findall(phonemes)) >= math.ceil(0.6 * characters)


def _voice_language(code: str) -> str:
    return speech_language(code) if code.split("-", maxsplit=1)[0] in ("cmn", "en") else code


class _Timeout(Exception):
    pass


class _Crash(Exception):
    pass


class _Refused(Exception):
    """The worker answered with an error."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def _terminate(proc: subprocess.Popen[bytes], workdir: str, stderr: IO[bytes]) -> None:
    """Stop a worker process and remove what it leaves behind (also run by the finalizer)."""
    if proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()  # a healthy worker exits when its input ends
    try:
        proc.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
    stderr.close()
    shutil.rmtree(workdir, ignore_errors=True)


class _Worker:
    """One worker process and the framing of its protocol (see voice/speech/_tts_worker.py)."""

    def __init__(self) -> None:
        self._workdir = tempfile.mkdtemp(prefix="barrier-free-tts-", dir=_fast_tmp())
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _terminate
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "voice.speech._tts_worker", self._workdir],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            start_new_session=True,  # a Ctrl-C meant for the station is not the worker's
        )
        self._buffer = bytearray()
        self.voices: list[VoiceInfo] | None = None  # set by the start-up handshake
        self._finalizer = weakref.finalize(self, _terminate, self.proc, self._workdir, self._stderr)

    def stop(self) -> None:
        self._finalizer()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        self._finalizer()

    def handshake(self, deadline: float) -> list[VoiceInfo]:
        if self.voices is None:
            header, _ = self._receive(deadline)
            self.voices = [VoiceInfo(v[0], v[1], _voice_language(v[2])) for v in header["voices"]]
        return self.voices

    def call(self, request: dict[str, Any], deadline: float) -> tuple[dict[str, Any], bytes]:
        self.handshake(deadline)
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError) as err:
            raise _Crash(self._exit_detail()) from err
        return self._receive(deadline)

    def _receive(self, deadline: float) -> tuple[dict[str, Any], bytes]:
        while (end := self._buffer.find(b"\n")) < 0:
            self._fill(deadline)
        header: dict[str, Any] = json.loads(bytes(self._buffer[:end]))
        del self._buffer[: end + 1]
        size = int(header["size"])
        while len(self._buffer) < size:
            self._fill(deadline)
        payload = bytes(self._buffer[:size])
        del self._buffer[:size]
        if not header["ok"]:
            raise _Refused(header["error"], header["detail"])
        return header, payload

    def _fill(self, deadline: float) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise _Timeout
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise _Crash(self._exit_detail())
        self._buffer += chunk

    def _exit_detail(self) -> str:
        try:
            code = self.proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return "the worker closed its output"
        self._stderr.seek(0, os.SEEK_END)
        self._stderr.seek(max(0, self._stderr.tell() - 300))
        tail = self._stderr.read().decode(errors="replace").strip().splitlines()
        return f"worker exit code {code}" + (f": {tail[-1]}" if tail else "")


def _fast_tmp() -> str | None:
    """A RAM-backed temp folder when there is one: each request writes and reads a WAV file."""
    shm = Path("/dev/shm")  # noqa: S108 - mkdtemp makes a private 0700 folder inside it
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


_choice_lock = threading.Lock()
_voice_choice: dict[str, str] = {}  # language -> voice id; espeak-ng does not change under us


class Synthesizer:
    """Text to speech, safe to call from many threads; one warm worker process behind it."""

    def __init__(self, timeout: float = 10.0) -> None:
        if not timeout > 0:
            raise ValueError("timeout must be positive")
        self.timeout = timeout
        self._lock = threading.Lock()
        # Started now so that Python's start-up overlaps with the caller's own; the handshake
        # is read on first use.
        self._worker: _Worker | None = _Worker()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def worker_pid(self) -> int | None:
        """Process id of the current worker (for diagnostics), None when none runs."""
        worker = self._worker
        return worker.proc.pid if worker is not None else None

    def synthesize(
        self,
        text: str,
        language: str = "zh",
        rate: int | None = None,
        volume: float | None = None,
        voice: str | None = None,
    ) -> Speech:
        """Speak `text` in `language` ("zh" or "en"); blocking, at most ~`timeout` seconds.

        `rate` is in words per minute (MIN_RATE..MAX_RATE), `volume` from 0.0 to 1.0, and
        `voice` a pyttsx3 voice id that overrides the language's voice.
        """
        text = text.replace("\x00", "").strip()  # NUL would end the C string early
        if not text:
            raise EmptyText
        if len(text) > MAX_TEXT_CHARS:
            raise TextTooLong(length=len(text), limit=MAX_TEXT_CHARS)
        lang = speech_language(language)
        words_per_minute = DEFAULT_RATE if rate is None else rate
        if (
            isinstance(words_per_minute, bool)
            or not isinstance(words_per_minute, int)
            or not MIN_RATE <= words_per_minute <= MAX_RATE
        ):
            raise BadRate(rate=rate, low=MIN_RATE, high=MAX_RATE)
        level = DEFAULT_VOLUME if volume is None else volume
        if (
            isinstance(level, bool)
            or not isinstance(level, int | float)
            or not 0.0 <= level <= 1.0  # also refuses NaN
        ):
            raise BadVolume(volume=volume)
        if voice is None:
            voice_id = self.voice_for(lang)
        else:
            voice_id = voice.strip().lower()
            if voice_id not in {v.id for v in self.voices()}:
                raise UnknownVoice(voice=voice, detail="not in the list of installed voices")
        request = {
            "op": "synth",
            "text": text,
            "voice": voice_id,
            "rate": words_per_minute,
            "volume": float(level),
        }
        header, pcm = self._call(request)
        return Speech(pcm=pcm, rate=int(header["rate"]))

    def voices(self) -> list[VoiceInfo]:
        """The espeak-ng voices pyttsx3 offers on this machine."""
        with self._lock:
            return list(self._run(lambda worker, deadline: worker.handshake(deadline)))

    def voice_for(self, language: str) -> str:
        """The pyttsx3 voice id used for `language`; the Mandarin one is checked by phonemes."""
        lang = speech_language(language)
        with _choice_lock:
            chosen = _voice_choice.get(lang)
        if chosen is not None:
            return chosen
        voices = self.voices()
        if lang == "en":
            ids = [v.id for v in voices]
            chosen = next((p for p in ENGLISH_VOICES if p in ids), None)
            chosen = chosen or next((v.id for v in voices if v.language == "en"), None)
            if chosen is None:
                raise UnknownVoice(voice="en", detail="no English voice installed")
        else:
            candidates = [v.id for v in voices if v.language == "zh"]
            chosen = next(
                (c for c in candidates if speaks_mandarin(self.phonemes(MANDARIN_PROBE, c))),
                None,
            )
            if chosen is None:
                raise NoMandarinVoice(checked=", ".join(candidates) or "none")
        with _choice_lock:
            _voice_choice[lang] = chosen
        return chosen

    def phonemes(self, text: str, voice: str) -> str:
        """espeak-ng's phonemes for `text` with `voice` (what `espeak-ng -x -q` prints)."""
        _, payload = self._call({"op": "phonemes", "text": text, "voice": voice})
        return payload.decode()

    def close(self) -> None:
        """Stop the worker process. A later request starts a new one."""
        with self._lock:
            if self._worker is not None:
                self._worker.stop()
                self._worker = None

    def _call(self, request: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        try:
            with self._lock:
                return self._run(lambda worker, deadline: worker.call(request, deadline))
        except _Refused as err:
            if err.kind == "bad_voice":
                raise UnknownVoice(voice=request["voice"], detail=err.detail) from None
            raise TtsError(detail=err.detail) from None

    def _run[T](self, step: Callable[[_Worker, float], T]) -> T:
        """Run `step(worker, deadline)` with recovery; the caller holds the lock."""
        for attempt in (1, 2):
            if self._worker is None:
                self._worker = _Worker()
            worker = self._worker
            deadline = time.monotonic() + self.timeout
            try:
                result: T = step(worker, deadline)
            except _Timeout:
                self._discard(worker)
                raise SynthesisTimeout(timeout=self.timeout) from None
            except _Crash as err:
                self._discard(worker)
                if attempt == 2:
                    raise WorkerCrashed(detail=str(err)) from None
                continue  # a fresh worker gets the request once more
            except _Refused as err:
                if err.kind == "espeak_missing":
                    self._discard(worker)
                    raise EspeakMissing(detail=err.detail) from None
                if err.kind == "failed":  # the worker ended itself after a failure
                    self._discard(worker)
                    if attempt == 1:
                        continue
                raise  # the request itself was refused: the caller says why
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        if self._worker is worker:
            self._worker = None

"""Audio in and out: WAV validation, 16-bit PCM conversion and resampling.

Everything inside the station is 16-bit signed little-endian mono PCM. Audio from outside
(WAV files, Wyoming `audio-start` formats) is checked here, with a specific error for each
way it can be wrong, before any recogniser sees it.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from .errors import VoiceError

SAMPLE_WIDTH = 2  # bytes per sample: 16-bit PCM everywhere inside the station
MAX_SECONDS_DEFAULT = 600.0  # a file transcription is bounded; the server bounds requests to 30 s
MIN_RATE = 8000
MAX_RATE = 192000


class AudioError(VoiceError):
    code = "bad_audio"
    en = "The audio cannot be used: {detail}"
    zh = "音频无法使用：{detail}"


class NotWav(AudioError):
    code = "not_wav"
    en = "{name} is not a WAV file ({detail})."
    zh = "{name} 不是 WAV 文件（{detail}）。"


class NotPcm16(AudioError):
    code = "not_pcm16"
    en = "{name} has {bits}-bit samples; 16-bit PCM is required."
    zh = "{name} 的采样位数是 {bits} 位，需要 16 位 PCM。"


class NotMono(AudioError):
    code = "not_mono"
    en = "{name} has {channels} channels; mono audio (1 channel) is required."
    zh = "{name} 有 {channels} 个声道，需要单声道音频。"


class EmptyAudio(AudioError):
    code = "empty_audio"
    en = "{name} contains no audio."
    zh = "{name} 中没有音频。"


class AudioTooLong(AudioError):
    code = "audio_too_long"
    en = "{name} is {seconds:.0f} s long; at most {limit:.0f} s is accepted."
    zh = "{name} 长 {seconds:.0f} 秒，最多接受 {limit:.0f} 秒。"


class BadSampleRate(AudioError):
    code = "bad_sample_rate"
    en = "{name} has a sample rate of {rate} Hz; between {low} and {high} Hz is supported."
    zh = "{name} 的采样率是 {rate} Hz，支持的范围是 {low} 到 {high} Hz。"


@dataclass(frozen=True, slots=True)
class Pcm:
    """16-bit mono PCM with its sample rate."""

    data: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.data) / (SAMPLE_WIDTH * self.rate)


def check_format(rate: int, width: int, channels: int, name: str = "audio") -> None:
    """Raise the specific AudioError if (rate, width, channels) is not usable 16-bit mono."""
    if width != SAMPLE_WIDTH:
        raise NotPcm16(name=name, bits=width * 8)
    if channels != 1:
        raise NotMono(name=name, channels=channels)
    if not MIN_RATE <= rate <= MAX_RATE:
        raise BadSampleRate(name=name, rate=rate, low=MIN_RATE, high=MAX_RATE)


def read_wav(
    source: str | Path | bytes, max_seconds: float = MAX_SECONDS_DEFAULT, name: str | None = None
) -> Pcm:
    """Read a 16-bit mono PCM WAV file (path or bytes), checking everything first.

    The length is checked from the header before the samples are read, so an hours-long
    file is refused without loading it.
    """
    if isinstance(source, bytes):
        label = name or "audio"
        stream: IO[bytes] = io.BytesIO(source)
    else:
        label = name or Path(source).name
        try:
            stream = Path(source).open("rb")  # noqa: SIM115 - closed below
        except FileNotFoundError as err:
            raise NotWav(name=label, detail="file not found") from err
        except OSError as err:
            raise NotWav(name=label, detail=err.strerror or str(err)) from err
    with stream:
        head = stream.read(12)
        if len(head) == 0:
            raise EmptyAudio(name=label)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise NotWav(name=label, detail="no RIFF/WAVE header")
        stream.seek(0)
        try:
            with wave.open(stream, "rb") as wav:
                rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
                check_format(rate, width, channels, label)
                # Streamed WAVs (espeak-ng --stdout) carry a placeholder length: trust the
                # bytes actually present, which also bounds a lying header.
                here = stream.tell()
                available = (stream.seek(0, io.SEEK_END) - here) // (width * channels)
                stream.seek(here)
                frames = min(wav.getnframes(), available)
                seconds = frames / rate
                if seconds > max_seconds:
                    raise AudioTooLong(name=label, seconds=seconds, limit=max_seconds)
                data = wav.readframes(frames)
        except wave.Error as err:
            # e.g. "unknown format: 3" for float WAVs: say it is not PCM
            raise NotWav(name=label, detail=f"not PCM: {err}") from err
        except EOFError as err:
            raise NotWav(name=label, detail="truncated header") from err
    if len(data) < SAMPLE_WIDTH:
        raise EmptyAudio(name=label)
    return Pcm(data[: len(data) - len(data) % SAMPLE_WIDTH], rate)


def wav_bytes(pcm: bytes, rate: int) -> bytes:
    """A complete WAV file holding 16-bit mono PCM."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    return out.getvalue()


def write_wav(path: str | Path, pcm: bytes, rate: int) -> None:
    Path(path).write_bytes(wav_bytes(pcm, rate))


def resample(pcm: bytes, src_rate: int, dst_rate: int) -> bytes:
    """Resample 16-bit mono PCM (whole buffer) with linear interpolation."""
    if src_rate == dst_rate or not pcm:
        return pcm
    return Resampler(src_rate, dst_rate).process(pcm, final=True)


class Resampler:
    """Streaming 16-bit mono resampler: chunks in, chunks out, no seams between chunks.

    Linear interpolation, preceded by a short moving-average low-pass when downsampling.
    Good enough for speech recognisers (which band-limit to 8 kHz anyway) and cheap.
    """

    def __init__(self, src_rate: int, dst_rate: int) -> None:
        self.src_rate = src_rate
        self.dst_rate = dst_rate
        self._step = src_rate / dst_rate
        self._pos = 0.0  # position of the next output sample, in input samples from _buf start
        self._buf = np.zeros(0, dtype=np.float64)
        self._odd = b""
        taps = max(1, round(self._step)) if src_rate > dst_rate else 1
        self._kernel = np.ones(taps) / taps
        self._tail = np.zeros(taps - 1, dtype=np.float64)

    def process(self, pcm: bytes, final: bool = False) -> bytes:
        if self.src_rate == self.dst_rate:
            data, self._odd = self._odd + pcm, b""
            if len(data) % 2:
                data, self._odd = data[:-1], data[-1:]
            return data
        data = self._odd + pcm
        cut = len(data) - len(data) % SAMPLE_WIDTH
        self._odd = data[cut:]
        x = np.frombuffer(data[:cut], dtype="<i2").astype(np.float64)
        if len(self._kernel) > 1:
            padded = np.concatenate([self._tail, x])
            self._tail = padded[len(padded) - (len(self._kernel) - 1) :]
            x = np.convolve(padded, self._kernel, mode="valid")
        buf = np.concatenate([self._buf, x])
        last = len(buf) - 1 if not final else len(buf) - 1 + 1e-9
        if last < 0:
            self._buf = buf
            return b""
        n = int(np.floor((last - self._pos) / self._step)) + 1 if last >= self._pos else 0
        if not final:
            # keep one sample of look-ahead for interpolation across chunk boundaries
            n = max(0, int(np.floor((len(buf) - 2 - self._pos) / self._step)) + 1)
        positions = self._pos + self._step * np.arange(n)
        positions = positions[positions <= len(buf) - 1]
        out = np.interp(positions, np.arange(len(buf)), buf) if len(buf) else np.zeros(0)
        next_pos = self._pos + self._step * len(positions)
        drop = max(0, int(np.floor(next_pos)) - 1)
        self._buf = buf[drop:]
        self._pos = next_pos - drop
        if final:
            self._buf = np.zeros(0)
            self._pos = 0.0
        return bytes(np.clip(np.round(out), -32768, 32767).astype("<i2").tobytes())

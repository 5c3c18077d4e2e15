"""WAV validation and resampling: every malformed input gets its own clear error."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.speech import synth
from voice import audio
from voice.audio import Resampler, check_format, read_wav, resample, wav_bytes


def _wav(
    path: Path, rate: int = 16000, width: int = 2, channels: int = 1, frames: int = 1600
) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(b"\x01" * (frames * width * channels))
    return path


def test_reads_valid_wav(tmp_path: Path) -> None:
    pcm = read_wav(_wav(tmp_path / "ok.wav", frames=8000))
    assert pcm.rate == 16000
    assert len(pcm.data) == 16000
    assert pcm.seconds == pytest.approx(0.5)


def test_streamed_espeak_wav_with_placeholder_length() -> None:
    # espeak-ng --stdout writes a header whose length field is a placeholder
    pcm = synth("hello", rate=16000)
    assert 0.2 < len(pcm) / 32000 < 2.0


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"channels": 2}, audio.NotMono, "2 channels"),
        ({"width": 1}, audio.NotPcm16, "8-bit"),
        ({"width": 4}, audio.NotPcm16, "32-bit"),
        ({"rate": 4000}, audio.BadSampleRate, "4000 Hz"),
        ({"frames": 0}, audio.EmptyAudio, "no audio"),
    ],
)
def test_bad_formats(
    tmp_path: Path, kwargs: dict[str, int], error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as info:
        read_wav(_wav(tmp_path / "bad.wav", **kwargs))
    assert words in str(info.value)
    assert "bad.wav" in str(info.value)


def test_not_a_wav(tmp_path: Path) -> None:
    path = tmp_path / "song.mp3"
    path.write_bytes(b"ID3\x03\x00" + b"\x00" * 100)
    with pytest.raises(audio.NotWav, match="not a WAV"):
        read_wav(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(audio.EmptyAudio):
        read_wav(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(audio.NotWav, match="not found"):
        read_wav(tmp_path / "nowhere.wav")


def test_float_wav_is_not_pcm() -> None:
    fmt = struct.pack("<HHIIHH", 3, 1, 16000, 64000, 4, 32)  # format 3 = IEEE float
    data = b"\x00" * 400
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )
    blob = b"RIFF" + struct.pack("<I", len(body)) + body
    with pytest.raises(audio.NotWav, match="not PCM"):
        read_wav(blob, name="float.wav")


def test_truncated_header() -> None:
    with pytest.raises(audio.NotWav):
        read_wav(b"RIFF\x10\x00\x00\x00WAVEfmt ", name="cut.wav")


def test_hours_long_file_refused_without_reading(tmp_path: Path) -> None:
    path = _wav(tmp_path / "long.wav", frames=10)
    # make the data really 2 hours long (sparse file: no disk used) and the header agree
    seconds = 2 * 3600
    size = seconds * 16000 * 2
    with path.open("r+b") as f:
        f.seek(4)
        f.write(struct.pack("<I", size + 36))
        f.seek(40)
        f.write(struct.pack("<I", size))
        f.truncate(44 + size)
    with pytest.raises(audio.AudioTooLong) as info:
        read_wav(path, max_seconds=600)
    assert "7200 s" in str(info.value)
    assert "7200 秒" in info.value.message("zh")


def test_check_format_accepts_16bit_mono() -> None:
    check_format(16000, 2, 1)
    with pytest.raises(audio.NotMono):
        check_format(16000, 2, 2)


def test_wav_roundtrip() -> None:
    pcm = (np.arange(1000, dtype="<i2") * 7).tobytes()
    back = read_wav(wav_bytes(pcm, 22050))
    assert back.data == pcm
    assert back.rate == 22050


@pytest.mark.parametrize(
    ("src", "dst"), [(22050, 16000), (48000, 16000), (8000, 16000), (44100, 16000)]
)
def test_streaming_resampler_matches_whole_buffer(src: int, dst: int) -> None:
    t = np.arange(src) / src
    x = (np.sin(2 * np.pi * 300 * t) * 8000).astype("<i2").tobytes()
    whole = np.frombuffer(resample(x, src, dst), dtype="<i2").astype(float)
    r = Resampler(src, dst)
    pieces = b"".join(r.process(x[i : i + 999]) for i in range(0, len(x), 999))
    pieces += r.process(b"", final=True)
    streamed = np.frombuffer(pieces, dtype="<i2").astype(float)
    assert abs(len(whole) - dst) <= 2
    assert abs(len(streamed) - len(whole)) <= 2
    n = min(len(whole), len(streamed))
    assert np.abs(whole[:n] - streamed[:n]).max() <= 2
    # the tone survives: the dominant frequency is still 300 Hz
    spectrum = np.abs(np.fft.rfft(whole[:dst]))
    assert abs(int(np.argmax(spectrum)) * dst / len(whole[:dst]) - 300) < 5

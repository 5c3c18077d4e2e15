"""Test speech: real audio synthesised with the espeak-ng program (not the code under test)."""

from __future__ import annotations

import functools
import subprocess

from voice.audio import read_wav, resample


@functools.lru_cache(maxsize=512)
def synth(text: str, voice: str = "en-us", rate: int = 16000, speed: int = 150) -> bytes:
    """16-bit mono PCM of `text` spoken by espeak-ng with `voice`, resampled to `rate` Hz."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    pcm = read_wav(wav, name=f"espeak-ng {voice}")
    return resample(pcm.data, pcm.rate, rate)


def silence(seconds: float, rate: int = 16000) -> bytes:
    return b"\x00\x00" * int(seconds * rate)

"""Silence before and after an utterance cut off before decoding (it costs as much as speech)."""

from __future__ import annotations

import numpy as np

TRIM_FRAME_S = 0.01
TRIM_MARGIN_S = 0.2  # silence kept before and after the speech
TRIM_FLOOR = 100.0  # RMS (of 32768) at or below which a 10 ms frame is silence in any case
TRIM_ABOVE_NOISE = 4.0  # speech: this many times the quietest frames' level
TRIM_BELOW_PEAK = 0.03  # ... and at least this fraction of the loudest frame's level


def trim_silence(pcm: bytes, rate: int, margin: float = TRIM_MARGIN_S) -> bytes:
    """`pcm` without the silence before and after the speech, keeping `margin` seconds.

    A whole utterance uploaded at once (a WAV, Home Assistant's pipeline) often carries a
    second of quiet; decoding it costs as much as speech. Energy per 10 ms frame against
    the quietest frames (the noise) and the loudest (the speech); the margin keeps quiet
    onsets and endings (f, s, th) that the threshold misses. Nothing found: unchanged.
    """
    frame = max(1, int(rate * TRIM_FRAME_S))
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2")
    count = len(samples) // frame
    if count < 3:
        return pcm
    frames = samples[: count * frame].astype(np.float32).reshape(count, frame)
    level = np.sqrt(np.mean(frames * frames, axis=1))
    noise = float(np.percentile(level, 10))
    threshold = max(TRIM_FLOOR, TRIM_ABOVE_NOISE * noise, TRIM_BELOW_PEAK * float(level.max()))
    loud = np.flatnonzero(level > threshold)
    if not len(loud):
        return pcm
    keep = int(margin / TRIM_FRAME_S)
    first = max(0, int(loud[0]) - keep) * frame
    last = min(len(samples), (int(loud[-1]) + 1 + keep) * frame)
    return pcm[2 * first : 2 * last]

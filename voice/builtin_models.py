"""Recognisers that come with the station's installation, outside the model store."""

from __future__ import annotations

from pathlib import Path

from .models import ModelInfo
from .whisper_model import builtin_folder


def builtin_models() -> list[ModelInfo]:
    """pocketsphinx's US-English model (in its wheel) and Whisper base for Mandarin (joined
    by script/setup), as `models list` shows them; `verified` None: checked when loaded."""
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


def _info(name: str, language: str, engine: str, path: Path, source: str) -> ModelInfo:
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return ModelInfo(name, language, engine, size, path, None, source)

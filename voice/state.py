"""What the station keeps on disk between starts, and the one atomic file writer.

The state folder (owner-only) holds the pairing token and station id (station/pairing.py),
the voice settings (`settings.json`) and one phrase list per language (`phrases/LANG.json`).
Every JSON file of the project, the model store's manifests included, is written by
`atomic_write_json`: a crash or a full disk leaves the old file or the new one, never half.
A damaged state file is logged and ignored, so that the station still starts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import VoiceError

_LOGGER = logging.getLogger(__name__)

MAX_PHRASES = 10_000  # different phrases per language, from a client or in a saved file


class StateDirError(VoiceError):
    code = "state_dir_unusable"
    en = "The station's state folder {path} cannot be used: {detail}"
    zh = "语音站的状态文件夹 {path} 无法使用：{detail}"


def ensure_private_dir(path: Path) -> None:
    """Create `path` (owner-only) if missing; raise StateDirError if that fails."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as err:
        raise StateDirError(path=path, detail=err.strerror or str(err)) from err


def atomic_write_json(path: Path, value: Any, indent: int | None = None) -> None:
    """Write `value` so that a crash leaves either the old file or the new one, never half.

    OSError is the caller's to turn into its own error (a full disk means something else to
    the station than to the model store).
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as out:
            json.dump(value, out, ensure_ascii=False, indent=indent)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def save_state(path: Path, value: Any) -> None:
    """A state file: written atomically in an owner-only folder; StateDirError on failure."""
    ensure_private_dir(path.parent)
    try:
        atomic_write_json(path, value)
    except OSError as err:
        raise StateDirError(path=path.parent, detail=err.strerror or str(err)) from err


def read_json(path: Path) -> Any:
    """The JSON in `path`, or None when missing or damaged (logged; the station still starts)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        _LOGGER.warning("Ignoring unreadable state file %s: %s", path, err)
        return None


@dataclass
class Settings:
    """Voice settings for what the station says by itself (announcements, room answers)."""

    language: str = "zh"
    rate: int | None = None
    volume: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"language": self.language, "rate": self.rate, "volume": self.volume}


def settings_file(state_dir: Path) -> Path:
    return state_dir / "settings.json"


@dataclass(frozen=True, slots=True)
class SavedPhrases:
    """A phrase list as kept on disk (None: none was ever set, free recognition)."""

    version: int = 0
    phrases: list[str] | None = None


def phrase_file(state_dir: Path, language: str) -> Path:
    return state_dir / "phrases" / f"{language}.json"


def clean_phrases(phrases: Sequence[str]) -> list[str]:
    """Stripped, without empties, first occurrence of each kept (the order is the user's)."""
    return list(dict.fromkeys(p.strip() for p in phrases if p.strip()))


def load_phrases(state_dir: Path, language: str) -> SavedPhrases:
    """The phrase list saved for `language`; an empty one (free recognition) when there is
    none to use, said in the log whenever that is not what the file holds."""
    path = phrase_file(state_dir, language)
    free = "free recognition (any words) until Home Assistant sends a list"
    if not path.exists():
        _LOGGER.warning("No phrase list saved for %s (%s is missing): %s", language, path, free)
        return SavedPhrases()
    saved = read_json(path)
    if not (
        isinstance(saved, dict)
        and isinstance(saved.get("phrases"), list)
        and all(isinstance(p, str) for p in saved["phrases"])
        and isinstance(saved.get("version"), int)
        and not isinstance(saved["version"], bool)
    ):
        _LOGGER.error(
            "Ignoring the phrase list file %s: not an object with a list of text "
            "'phrases' and a whole-number 'version'; %s",
            path,
            free,
        )
        return SavedPhrases()
    phrases = clean_phrases(saved["phrases"])
    if len(phrases) > MAX_PHRASES:
        _LOGGER.error(
            "Refusing the phrase list file %s: %s different phrases, at most %s are accepted; %s",
            path,
            len(phrases),
            MAX_PHRASES,
            free,
        )
        return SavedPhrases()
    return SavedPhrases(saved["version"], phrases or None)


def save_phrases(state_dir: Path, language: str, saved: SavedPhrases) -> None:
    save_state(
        phrase_file(state_dir, language),
        {"version": saved.version, "phrases": saved.phrases or []},
    )

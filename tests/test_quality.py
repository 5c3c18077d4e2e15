"""Static quality gates run as tests: ruff (lint + format) and mypy --strict."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)


def test_ruff_lint() -> None:
    proc = _run(str(BIN / "ruff"), "check", "--no-cache", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format() -> None:
    proc = _run(str(BIN / "ruff"), "format", "--check", "--no-cache", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict() -> None:
    targets = [p for p in ("voice", "custom_components", "bench") if (ROOT / p).exists()]
    proc = _run(
        str(BIN / "mypy"), "--strict", "--cache-dir", str(ROOT / ".cache" / "mypy"), *targets
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_import_boundaries_hold() -> None:
    proc = _run(sys.executable, "script/check_imports.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_import_boundaries_are_enforced(tmp_path: Path) -> None:
    """The checker names each import that crosses a boundary, relative imports included."""
    spec = importlib.util.spec_from_file_location("check_imports", ROOT / "script/check_imports.py")
    assert spec is not None and spec.loader is not None
    check_imports = importlib.util.module_from_spec(spec)
    sys.modules["check_imports"] = check_imports  # dataclasses look their module up there
    spec.loader.exec_module(check_imports)
    files = {
        "voice/room.py": "import homeassistant.core\nfrom voice import errors\n",
        "custom_components/barrier_free/stt.py": "from voice.errors import VoiceError\n",
        "custom_components/barrier_free/logic/spoken.py": (
            "from ..const import DOMAIN\nfrom .digits import DIGITS\nimport hassil\n"
        ),
        "custom_components/barrier_free/logic/digits.py": "from homeassistant import core\n",
        "custom_components/barrier_free/conversation.py": "from .logic.spoken import say\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    problems = check_imports.check(tmp_path)
    assert [p.split(" (")[0] for p in problems] == [
        "voice/room.py:1: imports homeassistant.core",
        "custom_components/barrier_free/stt.py:1: imports voice.errors",
        "custom_components/barrier_free/logic/digits.py:1: imports homeassistant",
        "custom_components/barrier_free/logic/spoken.py:1: imports "
        "custom_components.barrier_free.const",
    ]

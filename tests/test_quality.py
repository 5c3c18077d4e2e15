"""Static quality gates run as tests: ruff (lint + format) and mypy --strict."""

from __future__ import annotations

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

"""The showroom tests start the real `script/run`: select them with `-m showroom`."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "showroom: starts the real showroom (script/run) on free ports, ~1-2 minutes"
    )

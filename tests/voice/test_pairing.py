"""Pairing token and station id: created once, owner-only, stable, clear errors."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from voice.station.pairing import (
    TokenFileError,
    load_or_create_station_id,
    load_or_create_token,
    token_matches,
)


def test_token_created_owner_only_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "state" / "token"
    token, created = load_or_create_token(path)
    assert created
    assert len(token) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again, created_again = load_or_create_token(path)
    assert (again, created_again) == (token, False)
    other, _ = load_or_create_token(tmp_path / "elsewhere" / "token")
    assert other != token


def test_token_file_readable_by_others_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("abcdefghijklmnopqrstuvwxyz012345\n")
    path.chmod(0o644)
    token, created = load_or_create_token(path)
    assert (token, created) == ("abcdefghijklmnopqrstuvwxyz012345", False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"", "does not hold a token"),
        (b"short", "does not hold a token"),
        (b"\xff\xfe\x00garbage-not-utf8-at-all-here", "not text"),
    ],
)
def test_unusable_token_file_is_a_clear_error(tmp_path: Path, content: bytes, detail: str) -> None:
    path = tmp_path / "token"
    path.write_bytes(content)
    with pytest.raises(TokenFileError) as info:
        load_or_create_token(path)
    assert info.value.code == "token_file_unreadable"
    assert str(path) in info.value.message("en")
    assert detail in info.value.message("en")
    assert "配对令牌文件" in info.value.message("zh")
    assert path.read_bytes() == content  # never silently replaced


def test_token_path_that_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.mkdir()  # a folder where the file should be (root can read any file, not this)
    with pytest.raises(TokenFileError) as info:
        load_or_create_token(path)
    assert "directory" in info.value.message("en").lower()


def test_token_comparison() -> None:
    assert token_matches("secret-token-1234", "secret-token-1234")
    assert not token_matches("secret-token-1234", "secret-token-1235")
    assert not token_matches("secret-token-1234", None)
    assert not token_matches("secret-token-1234", 1234)


def test_station_id_is_stable(tmp_path: Path) -> None:
    first = load_or_create_station_id(tmp_path / "state")
    assert len(first) == 12
    assert all(c in "0123456789abcdef" for c in first)
    assert load_or_create_station_id(tmp_path / "state") == first
    assert load_or_create_station_id(tmp_path / "other") != first


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("content", [b"not-an-id\n", b"\xff\xfe garbage", b""])
def test_garbage_station_id_is_kept_aside_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    path = tmp_path / "station_id"
    path.write_bytes(content)
    new = load_or_create_station_id(tmp_path, known=True)
    assert load_or_create_station_id(tmp_path) == new  # the new id is kept from now on
    kept = list(tmp_path.glob("station_id.bad-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == content  # recoverable, never deleted
    [error] = _errors(caplog)
    assert kept[0].name in error
    assert new in error


def test_deleted_station_id_of_a_known_station_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = load_or_create_station_id(tmp_path)  # the first start of a station: no error
    assert _errors(caplog) == []
    (tmp_path / "station_id").unlink()
    new = load_or_create_station_id(tmp_path, known=True)
    assert new != first
    [error] = _errors(caplog)
    assert "missing" in error
    assert new in error

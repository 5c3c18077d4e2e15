"""Pairing token and station id: created once, owner-only, stable, clear errors."""

from __future__ import annotations

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

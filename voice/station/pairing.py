"""Pairing token and station identity, both kept in the station's state folder.

The token is what keeps a neighbour on the same LAN from driving the station: it is made
with `secrets`, written owner-only (0600) before anyone can read it, compared in constant
time, and never passed to `logging` (only printed once on the console when created).

It never crosses the network either: pairing is a challenge-response (PROTOCOL.md,
"Pairing"), in which each side proves with an HMAC over both sides' fresh nonces that it
holds the token. The station proves itself first, so a client that reached a forged
station (a spoofed discovery record) has sent nothing but a nonce.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import stat
import time
from pathlib import Path

from ..errors import VoiceError
from ..state import StateDirError, ensure_private_dir

_LOGGER = logging.getLogger(__name__)

TOKEN_BYTES = 24  # 24 random bytes -> 32 url-safe characters
STATION_ID_BYTES = 6  # 12 hex characters
NONCE_BYTES = 16  # 32 hex characters, fresh for every connection


class TokenFileError(VoiceError):
    code = "token_file_unreadable"
    en = "The pairing token file {path} cannot be used: {detail}"
    zh = "配对令牌文件 {path} 无法使用：{detail}"


def _write_private(path: Path, text: str) -> None:
    """Write a new owner-only file; the mode is set at creation, so it is never readable."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text + "\n")


def load_or_create_token(path: Path) -> tuple[str, bool]:
    """The pairing token stored in `path`, creating it on first start.

    Returns (token, created). Raises TokenFileError if the file exists but cannot be read
    or holds no usable token, rather than silently replacing a token clients already know.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        ensure_private_dir(path.parent)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        try:
            _write_private(path, token)
        except FileExistsError:  # another station process created it first: use theirs
            return load_or_create_token(path)
        except OSError as err:
            raise TokenFileError(path=path, detail=err.strerror or str(err)) from err
        return token, True
    except UnicodeDecodeError as err:
        raise TokenFileError(path=path, detail="it is not text") from err
    except OSError as err:
        raise TokenFileError(path=path, detail=err.strerror or str(err)) from err
    token = text.strip()
    if len(token) < 16 or any(c.isspace() for c in token):
        raise TokenFileError(path=path, detail="it does not hold a token (delete it to make one)")
    _tighten_mode(path)
    return token, False


def _tighten_mode(path: Path) -> None:
    """Make a token file that others can read owner-only again (it may have been copied)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o600)
            _LOGGER.warning("Token file %s was readable by others; made it owner-only", path)
    except OSError:
        pass  # a read-only file system still lets us serve; the file was readable above


def token_matches(expected: str, given: object) -> bool:
    """Constant-time comparison, so the token cannot be guessed byte by byte by timing."""
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def new_nonce() -> str:
    """A fresh challenge for one handshake (never reused: a captured answer is worthless)."""
    return secrets.token_hex(NONCE_BYTES)


def is_nonce(value: object) -> bool:
    """True for 32 lowercase hexadecimal characters (what `new_nonce` makes)."""
    return (
        isinstance(value, str)
        and len(value) == NONCE_BYTES * 2
        and all(c in "0123456789abcdef" for c in value)
    )


def _proof(token: str, *parts: str) -> str:
    message = "\n".join(parts).encode("utf-8")
    return hmac.new(token.encode("utf-8"), message, "sha256").hexdigest()


def station_proof(token: str, station_id: str, client_nonce: str, station_nonce: str) -> str:
    """What the station answers `bf-hello` with: it holds the token (and is `station_id`)."""
    # The leading label and the order of the nonces differ from the client's proof, so
    # neither side's answer can be replayed as the other's.
    return _proof(token, "bf-station", station_id, client_nonce, station_nonce)


def client_proof(token: str, station_id: str, station_nonce: str, client_nonce: str) -> str:
    """What the client sends in `bf-pair`: it holds the token too."""
    return _proof(token, "bf-client", station_id, station_nonce, client_nonce)


def load_or_create_station_id(state_dir: Path, known: bool = False) -> str:
    """A stable id (12 hex characters) that survives restarts and renames.

    Home Assistant knows a station by this id: a new one makes it a different station. So a
    file that holds no id is kept as `station_id.bad-<time>` (the id may be recovered from
    it), and a new id is logged as an error unless this is the station's first start
    (`known`: it has run before, e.g. its token exists).
    """
    path = state_dir / "station_id"
    problem: str | None
    try:
        value = path.read_text(encoding="utf-8").strip()
        if len(value) == STATION_ID_BYTES * 2 and all(c in "0123456789abcdef" for c in value):
            return value
        bad = _keep_bad_file(path)
        problem = f"{path} held no station id (kept as {bad})"
    except FileNotFoundError:
        problem = f"{path} is missing" if known else None
    except UnicodeDecodeError:
        bad = _keep_bad_file(path)
        problem = f"{path} held no station id (kept as {bad})"
    except OSError as err:
        raise StateDirError(path=state_dir, detail=err.strerror or str(err)) from err
    ensure_private_dir(state_dir)
    value = secrets.token_hex(STATION_ID_BYTES)
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(value + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        raise StateDirError(path=state_dir, detail=err.strerror or str(err)) from err
    if problem is not None:
        _LOGGER.error(
            "%s: this station now has the new id %s, and Home Assistant will see it as a new "
            "station. To keep the old one, stop the station, write the old id (12 hex "
            "characters, shown in Home Assistant's device info) into %s and start it again",
            problem,
            value,
            path,
        )
    return value


def _keep_bad_file(path: Path) -> Path:
    """Move a damaged state file aside (never delete what might still be recovered)."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    target = path.with_name(f"{path.name}.bad-{stamp}")
    try:
        path.replace(target)
    except OSError as err:
        raise StateDirError(path=path.parent, detail=err.strerror or str(err)) from err
    return target

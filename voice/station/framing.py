"""Bounded reading and writing of Wyoming events.

The `wyoming` package's own reader trusts every length a peer sends (a header line of any
size, `data_length` and `payload_length` of any value). A station on a home LAN must not:
this reader bounds all three and turns every malformed input into a specific error, so
that the connection handler can answer with an `error` event instead of crashing.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from wyoming.event import Event
from wyoming.version import __version__ as wyoming_version

from ..errors import VoiceError

KIB = 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds for one event (bytes); see the Limits table in PROTOCOL.md."""

    header: int = 64 * KIB
    data: int = 1024 * KIB
    payload: int = 256 * KIB


# Before pairing a connection has proven nothing, so it may only send the small handshake
# events: what it announces beyond this is refused before a byte of it is read.
UNPAIRED_LIMITS = Limits(header=4 * KIB, data=4 * KIB, payload=0)
# Unpaired Wyoming clients (--wyoming-zeroconf only) also send text to speak (1,000
# characters, JSON-escaped: up to 12 KiB) and audio chunks.
OPEN_LIMITS = Limits(header=4 * KIB, data=16 * KIB, payload=256 * KIB)


class FramingError(VoiceError):
    """A peer sent bytes that are not a valid Wyoming event.

    `fatal` errors leave the stream at an unknown position (the next event cannot be
    found), so the connection must be closed after the error event is sent.
    """

    code = "bad_event"
    en = "The event cannot be read: {detail}"
    zh = "无法读取事件：{detail}"
    fatal: ClassVar[bool] = True


class TooLarge(FramingError):
    code = "too_large"
    en = "The event's {part} is larger than the limit of {limit} bytes."
    zh = "事件的{part_zh}超过了 {limit} 字节的上限。"


class BadJson(FramingError):
    code = "bad_json"
    en = "The event's {part} is not valid UTF-8 JSON: {detail}"
    zh = "事件的{part_zh}不是有效的 UTF-8 JSON：{detail}"


class BadJsonData(BadJson):
    """The data block was malformed but its length was known: the stream is still in step."""

    fatal = False


_PART_ZH = {"header line": "头部行", "data": "数据", "payload": "负载"}


def _too_large(part: str, limit: int) -> TooLarge:
    return TooLarge(part=part, part_zh=_PART_ZH[part], limit=limit)


def _length(header: dict[str, Any], key: str, part: str, limit: int) -> int:
    value = header.get(key)
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadJson(part="header line", part_zh=_PART_ZH["header line"], detail=f"bad {key}")
    if value > limit:
        raise _too_large(part, limit)
    return value


async def read_event(reader: asyncio.StreamReader, limits: Limits) -> Event | None:
    """The next event from `reader`, or None at end of stream.

    `reader`'s own buffer limit (asyncio.start_server's `limit`) should be the smallest
    header limit in use: it bounds what an unpaired peer can make the station buffer, and
    longer header lines (allowed once paired) are taken in parts, up to `limits.header`.
    Raises FramingError (with `fatal` telling whether the stream is still usable).
    A peer that closes mid-event is treated as end of stream.
    """
    line = await _read_line(reader, limits.header)
    if line is None:
        return None
    header = _loads(line, "header line", BadJson)
    if not isinstance(header, dict) or not isinstance(header.get("type"), str):
        raise BadJson(
            part="header line",
            part_zh=_PART_ZH["header line"],
            detail="not an object with a string 'type'",
        )
    data_length = _length(header, "data_length", "data", limits.data)
    payload_length = _length(header, "payload_length", "payload", limits.payload)
    data = header.get("data") or {}
    if not isinstance(data, dict):
        raise BadJson(part="header line", part_zh=_PART_ZH["header line"], detail="bad data")
    try:
        data_bytes = await reader.readexactly(data_length) if data_length else b""
        payload = await reader.readexactly(payload_length) if payload_length else None
    except asyncio.IncompleteReadError:
        return None  # the peer went away mid-event: nothing to answer
    if data_bytes:
        extra = _loads(data_bytes, "data", BadJsonData)
        if not isinstance(extra, dict):
            raise BadJsonData(part="data", part_zh=_PART_ZH["data"], detail="not an object")
        data = {**data, **extra}
    return Event(type=header["type"], data=data, payload=payload)


async def _read_line(reader: asyncio.StreamReader, limit: int) -> bytes | None:
    """One header line of at most `limit` bytes (None: the peer closed between events)."""
    line = bytearray()
    while True:
        try:
            line += await reader.readuntil(b"\n")
            break
        except asyncio.IncompleteReadError as err:
            if not line and not err.partial.strip():
                return None
            raise BadJson(
                part="header line", part_zh=_PART_ZH["header line"], detail="no newline at end"
            ) from err
        except asyncio.LimitOverrunError as err:
            # Longer than the reader's buffer limit: take what was scanned, look further.
            if len(line) + err.consumed > limit:
                raise _too_large("header line", limit) from err
            try:
                line += await reader.readexactly(err.consumed)
            except asyncio.IncompleteReadError as closed:
                raise BadJson(
                    part="header line",
                    part_zh=_PART_ZH["header line"],
                    detail="no newline at end",
                ) from closed
    if len(line) > limit:
        raise _too_large("header line", limit)
    return bytes(line)


def _loads(raw: bytes, part: str, error: type[BadJson]) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    # ValueError covers JSONDecodeError, UnicodeDecodeError and integers past Python's
    # digit limit; RecursionError comes from arrays or objects nested thousands deep.
    except (ValueError, RecursionError) as err:
        raise error(part=part, part_zh=_PART_ZH[part], detail=str(err)[:200]) from err


def encode_event(event: Event) -> bytes:
    """The bytes of `event` on the wire (the same layout as wyoming's writer)."""
    header: dict[str, Any] = {"type": event.type, "version": wyoming_version}
    data_bytes = b""
    if event.data:
        data_bytes = json.dumps(event.data, ensure_ascii=False).encode("utf-8")
        header["data_length"] = len(data_bytes)
    if event.payload:
        header["payload_length"] = len(event.payload)
    line = json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n"
    return line + data_bytes + (event.payload or b"")

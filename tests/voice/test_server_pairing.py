"""Pairing and the unpaired budget, over a real socket to a real station.

The token never crosses the wire (challenge-response, PROTOCOL.md "Pairing"), and a
connection that has not paired gets a small budget: a few KiB per event, a deadline, an
idle timeout, and a cap on how many may be open at once (the oldest goes first).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from wyoming.event import Event, async_read_event

from tests.voice.station import (
    connected_client,
    paired_client,
    running_station,
    wait_until,
)
from voice.recognition.recognizer import Recognizer
from voice.speech.tts import Synthesizer
from voice.station.pairing import client_proof, is_nonce, new_nonce, station_proof
from voice.station.station import Station

pytestmark = pytest.mark.usefixtures("socket_enabled")

MIB = 1024 * 1024


@pytest.fixture
async def station(tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer) -> Any:
    async with running_station(tmp_path, {"en": english_recognizer}, synthesizer) as running:
        yield running


class Raw:
    """A bare socket to the station: bytes exactly as written, events as read."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def send(self, header: dict[str, Any], extra: bytes = b"") -> None:
        self.writer.write(json.dumps(header).encode() + b"\n" + extra)

    async def read(self) -> Event | None:
        async with asyncio.timeout(60):
            return await async_read_event(self.reader)

    async def error_then_closed(self, code: str) -> Event:
        event = await self.read()
        assert event is not None and event.type == "error", event
        assert event.data["code"] == code, event.data
        assert event.data["text"] and event.data["text_zh"]
        assert await self.read() is None  # and the station closed the connection
        return event

    async def hello(self, nonce: str | None = None) -> tuple[str, Event]:
        nonce = nonce or new_nonce()
        self.send({"type": "bf-hello", "data": {"nonce": nonce, "protocol": 2}})
        challenge = await self.read()
        assert challenge is not None and challenge.type == "bf-challenge", challenge
        return nonce, challenge


async def raw(station: Station) -> Raw:
    return Raw(*await asyncio.open_connection("127.0.0.1", station.port))


@pytest.fixture
async def sockets() -> AsyncIterator[list[Raw]]:
    """Raw connections that the test opens; all closed at the end."""
    opened: list[Raw] = []
    yield opened
    for each in opened:
        each.writer.close()


# --- the handshake ------------------------------------------------------------------------


async def test_station_proves_the_token_before_the_client_does(
    station: Station, sockets: list[Raw]
) -> None:
    first = await raw(station)
    sockets.append(first)
    nonce, challenge = await first.hello()
    data = challenge.data
    assert data["station_id"] == station.station_id
    assert is_nonce(data["nonce"])
    assert data["proof"] == station_proof(station.token, station.station_id, nonce, data["nonce"])
    assert station.token not in json.dumps(data)
    # A fresh station nonce on every connection, even for the same client nonce.
    second = await raw(station)
    sockets.append(second)
    _, again = await second.hello(nonce)
    assert again.data["nonce"] != data["nonce"]
    assert again.data["proof"] != data["proof"]

    proof = client_proof(station.token, station.station_id, data["nonce"], nonce)
    first.send({"type": "bf-pair", "data": {"proof": proof, "client": "test", "protocol": 2}})
    paired = await first.read()
    assert paired is not None and paired.type == "bf-paired", paired
    assert paired.data["protocol"] == 2


async def test_wrong_client_proof_is_refused(station: Station, sockets: list[Raw]) -> None:
    conn = await raw(station)
    sockets.append(conn)
    nonce, challenge = await conn.hello()
    proof = client_proof("x" * 32, station.station_id, challenge.data["nonce"], nonce)
    conn.send({"type": "bf-pair", "data": {"proof": proof}})
    refused = await conn.error_then_closed("bad_token")
    assert "令牌" in refused.data["text_zh"]


async def test_plain_token_is_refused_as_outdated(station: Station, sockets: list[Raw]) -> None:
    """An old client's bf-pair (the token itself) is refused, with or without bf-hello."""
    for say_hello in (False, True):
        conn = await raw(station)
        sockets.append(conn)
        if say_hello:
            await conn.hello()
        conn.send({"type": "bf-pair", "data": {"token": station.token, "protocol": 1}})
        refused = await conn.error_then_closed("pairing_outdated")
        assert "Update the client" in refused.data["text"]
        assert "更新客户端" in refused.data["text_zh"]
    async with paired_client(station):  # the right way still works
        pass


async def test_pair_before_hello_is_refused(station: Station, sockets: list[Raw]) -> None:
    conn = await raw(station)
    sockets.append(conn)
    conn.send({"type": "bf-pair", "data": {"proof": "0" * 64}})
    refused = await conn.error_then_closed("unexpected_event")
    assert "bf-hello" in refused.data["text"]


async def test_bad_hello_nonce_is_refused(station: Station, sockets: list[Raw]) -> None:
    conn = await raw(station)
    sockets.append(conn)
    conn.send({"type": "bf-hello", "data": {"nonce": "not hex"}})
    await conn.error_then_closed("bad_request")


async def test_a_captured_pairing_does_not_replay(station: Station, sockets: list[Raw]) -> None:
    """Everything a listener saw of a good pairing, sent again, fails: new station nonce."""
    genuine = await raw(station)
    sockets.append(genuine)
    nonce, challenge = await genuine.hello()
    captured = {
        "proof": client_proof(station.token, station.station_id, challenge.data["nonce"], nonce)
    }
    genuine.send({"type": "bf-pair", "data": captured})
    paired = await genuine.read()
    assert paired is not None and paired.type == "bf-paired"

    replay = await raw(station)
    sockets.append(replay)
    await replay.hello(nonce)  # the same hello as the genuine client
    replay.send({"type": "bf-pair", "data": captured})
    await replay.error_then_closed("bad_token")


async def test_refused_pairings_are_logged_once_per_interval(
    station: Station, sockets: list[Raw], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="voice.station")
    for _ in range(5):
        conn = await raw(station)
        sockets.append(conn)
        await conn.hello()
        conn.send({"type": "bf-pair", "data": {"proof": "0" * 64}})
        await conn.error_then_closed("bad_token")
    lines = [r for r in caplog.records if "wrong pairing proof" in r.getMessage()]
    assert len(lines) == 1


# --- size before pairing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ({"type": "bf-pair", "data_length": MIB}, "too_large"),
        ({"type": "bf-hello", "data_length": 5 * 1024}, "too_large"),
        ({"type": "bf-hello", "payload_length": 10}, "too_large"),
    ],
    ids=["1_mib_data", "5_kib_data", "any_payload"],
)
async def test_unpaired_big_event_is_refused_unread(
    station: Station, sockets: list[Raw], header: dict[str, Any], code: str
) -> None:
    """Refused at once, from the header alone: the station waits for none of the data."""
    conn = await raw(station)
    sockets.append(conn)
    conn.send(header, b'{"nonce": ')  # a few bytes of the announced data, then nothing
    await conn.error_then_closed(code)


async def test_unpaired_header_line_over_4_kib(station: Station, sockets: list[Raw]) -> None:
    conn = await raw(station)
    sockets.append(conn)
    conn.writer.write(b'{"type": "bf-hello", "data": {"pad": "' + b"x" * 5000)
    await conn.error_then_closed("too_large")


async def test_paired_limits_still_apply_after_pairing(station: Station) -> None:
    """A long header line (over the 4 KiB buffer of an unpaired connection) once paired."""
    async with paired_client(station) as client:
        phrases = [f"turn on light number {n}" for n in range(2000)]  # ~50 KiB of data
        answer = await client.set_phrases("en", phrases)
        assert answer.type == "bf-phrases", answer.data
        writer = client.wyoming._writer
        assert writer is not None
        # The data inside the header line: one 40 KiB line.
        writer.write(json.dumps({"type": "ping", "data": {"text": "p" * 40_000}}).encode() + b"\n")
        pong = await client.expect("pong")
        assert pong.data["text"] == "p" * 40_000


# --- malformed JSON that is not a JSONDecodeError -------------------------------------------


async def test_huge_integer_in_header_is_bad_json(station: Station) -> None:
    """Past Python's 4,300-digit limit (unpaired, such a line is over 4 KiB: too_large)."""
    async with paired_client(station) as client:
        writer = client.wyoming._writer
        assert writer is not None
        writer.write(b'{"type": "ping", "n": ' + b"7" * 5000 + b"}\n")
        error = await client.read()
        assert error.type == "error" and error.data["code"] == "bad_json"
        assert await client.closed()  # a header that cannot be read: position lost


@pytest.mark.parametrize(
    "body",
    [b'{"text": ' + b"7" * 5000 + b"}", b'{"a": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"],
    ids=["5000_digit_integer", "nested_200000_deep"],
)
async def test_unreadable_data_block_is_bad_json(station: Station, body: bytes) -> None:
    """The data block's length was known: bad_json, and the connection goes on."""
    async with paired_client(station) as client:
        writer = client.wyoming._writer
        assert writer is not None
        writer.write(json.dumps({"type": "ping", "data_length": len(body)}).encode() + b"\n")
        writer.write(body)
        error = await client.read()
        assert error.type == "error" and error.data["code"] == "bad_json", error.data
        await client.send(Event("ping", {"text": "still here"}))
        assert (await client.expect("pong")).data["text"] == "still here"


# --- time and count --------------------------------------------------------------------------


async def test_idle_unpaired_connection_is_closed_while_a_client_pairs(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer, sockets: list[Raw]
) -> None:
    async with running_station(
        tmp_path, {"en": english_recognizer}, synthesizer, pairing_deadline=0.5, unpaired_idle=30
    ) as station:
        idle = await raw(station)  # connects and says nothing
        sockets.append(idle)
        slow = await raw(station)  # says hello, then nothing
        sockets.append(slow)
        await slow.hello()
        async with paired_client(station) as client:
            await idle.error_then_closed("pairing_timeout")
            await slow.error_then_closed("pairing_timeout")
            # The paired client is not bound by the deadline.
            await client.send(Event("ping", {"text": "after"}))
            assert (await client.expect("pong")).data["text"] == "after"


async def test_unpaired_idle_timeout(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer, sockets: list[Raw]
) -> None:
    """Between events an unpaired connection may wait only `unpaired_idle`."""
    async with running_station(
        tmp_path, {"en": english_recognizer}, synthesizer, pairing_deadline=60, unpaired_idle=0.3
    ) as station:
        conn = await raw(station)
        sockets.append(conn)
        await conn.hello()
        refused = await conn.error_then_closed("pairing_timeout")
        assert "0.3" in refused.data["text"]


async def test_full_cap_of_idle_sockets_still_lets_a_client_pair(
    tmp_path: Path,
    english_recognizer: Recognizer,
    synthesizer: Synthesizer,
    sockets: list[Raw],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voice.station")
    cap = 4
    async with running_station(
        tmp_path, {"en": english_recognizer}, synthesizer, max_unpaired=cap
    ) as station:

        def unpaired() -> int:
            return sum(not c.paired for c in station.connection_info())

        for _ in range(cap):
            sockets.append(await raw(station))
        await wait_until(lambda: unpaired() == cap, "the station sees every idle socket")
        async with paired_client(station) as client:
            assert client.seen[-1].type == "bf-paired"
        assert await sockets[0].read() is None  # the oldest idle socket made room
        for _ in range(3 * cap):
            sockets.append(await raw(station))
        await wait_until(lambda: unpaired() == cap, "never more than the cap")
        async with paired_client(station):
            pass
    lines = [r for r in caplog.records if "unpaired connections at once" in r.getMessage()]
    assert len(lines) == 1  # dropped 3 * cap + 1 times: logged once, not per event


async def test_open_wyoming_clients_have_no_pairing_deadline(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    """--wyoming-zeroconf: an unpaired client may describe and synthesize past the deadline,
    with room for a long text to speak (the open limits)."""
    async with (
        running_station(
            tmp_path,
            {"en": english_recognizer},
            synthesizer,
            wyoming_zeroconf=True,
            pairing_deadline=0.2,
            unpaired_idle=30,
        ) as station,
        connected_client(station) as client,
    ):
        await client.send(Event("describe"))
        assert (await client.expect("info")).type == "info"
        await asyncio.sleep(0.6)  # time passing (past the deadline), not ordering
        pcm, _ = await client.synthesize("你好" * 500, language="zh")  # 12 KiB of escaped JSON
        assert pcm
        await client.send(Event("bf-get-phrases", {"language": "en"}))
        assert (await client.expect("bf-phrases")).data["code"] == "pairing_required"

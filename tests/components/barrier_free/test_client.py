"""The station client (client/) on its own, against the real station and odd servers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from custom_components.barrier_free.client import (
    AudioFormat,
    CannotConnect,
    NotAStation,
    StationInfo,
    StationRequestError,
    StationSession,
    TranscriptResult,
    announce_event,
    async_probe,
)
from tests.speech import synth


async def chunks(pcm: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    for start in range(0, len(pcm), size):
        yield pcm[start : start + size]


async def test_probe_describes_the_station(station: Any) -> None:
    info = await async_probe("127.0.0.1", station.port, station.token, time_limit=10)
    assert info.station_id == station.station_id
    assert info.asr_languages == ("en",)
    assert {v.language for v in info.voices} == {"zh", "en"}
    assert info.as_dict()["voices"]


def test_station_info_needs_an_id() -> None:
    with pytest.raises(NotAStation):
        StationInfo.from_events({"name": "x"}, None)
    info = StationInfo.from_events({"station_id": "abc", "languages": ["en"]}, None)
    assert info.name == "abc"
    assert info.asr_languages == ("en",)
    assert TranscriptResult.from_data({"text": "hi", "score": 1}).score == 1.0


def test_announce_event_carries_what_bf_announce_needs() -> None:
    event = announce_event("x", "Hello", "en", priority="high", chime="info")
    assert event.type == "bf-announce"
    assert event.data == {
        "id": "x",
        "text": "Hello",
        "language": "en",
        "priority": "high",
        "chime": "info",
    }


async def test_too_long_audio_is_refused_mid_stream(station: Any) -> None:
    """The station's error during the upload ends the request at once."""
    station.config.max_seconds = 0.5
    pcm = synth("turn on the kitchen light and then turn it off again", rate=16000)
    async with await StationSession.open(
        "127.0.0.1", station.port, station.token, time_limit=10
    ) as session:
        with pytest.raises(StationRequestError) as caught:
            await session.transcribe(
                chunks(pcm), audio_format=AudioFormat(rate=16000), language="en", time_limit=30
            )
    assert caught.value.code == "audio_too_long"
    assert caught.value.text_zh


async def test_lost_connection_is_cannot_connect(station: Any) -> None:
    session = await StationSession.open("127.0.0.1", station.port, station.token, time_limit=10)
    with pytest.raises(CannotConnect):
        await session.receive(time_limit=0.05)  # nothing asked, nothing said
    await station.stop()
    with pytest.raises(CannotConnect):
        await session.receive(time_limit=10)
    await session.close()


async def test_error_during_pairing_that_is_not_about_the_token(socket_enabled: None) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        writer.write(b'{"type": "error", "data": {"code": "busy", "text": "busy"}}\n')
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(NotAStation):
            await async_probe("127.0.0.1", port, "t", time_limit=5)
    finally:
        server.close()
        await server.wait_closed()

"""A real voice station on 127.0.0.1 and paired Wyoming clients, for any test that needs one.

The voice tests and the Home Assistant integration's tests both use this. The Home Assistant
test plugin blocks sockets unless a test requests `socket_enabled`, and fails a test that
leaves a thread or task behind: `running_station` stops the station (closing its threads)
on exit, and the shared recognisers/synthesiser are session fixtures (tests/voice/conftest.py),
created before the plugin takes its per-test snapshot of threads.

    async def test_x(socket_enabled, tmp_path, english_recognizer, synthesizer):
        async with running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station:
            async with paired_client(station) as client:
                event = await client.transcribe(synth("turn on the light"), language="en")
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event

from voice.recognition.recognizer import Recognizer
from voice.speech.tts import Synthesizer
from voice.station.pairing import client_proof, new_nonce, station_proof
from voice.station.station import Station, StationConfig

DEADLINE = 60.0  # seconds before a test gives up waiting (a failure, never a measurement)


# --- a station --------------------------------------------------------------------------


@asynccontextmanager
async def running_station(
    tmp_path: Path,
    recognizers: dict[str, Recognizer],
    synthesizer: Synthesizer,
    **overrides: Any,
) -> AsyncIterator[Station]:
    """A started station on 127.0.0.1 (any free port), stopped on exit.

    Defaults: zeroconf off (pass zeroconf=True to test it), state in tmp_path/"state",
    what it says written as WAV files to tmp_path/"spoken" at 20x speed.
    """
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 0,
        "languages": tuple(recognizers),
        "state_dir": tmp_path / "state",
        "zeroconf": False,
        "output": tmp_path / "spoken",
        "output_pace": 0.05,
    }
    settings.update(overrides)
    station = Station(StationConfig(**settings), recognizers=recognizers, synthesizer=synthesizer)
    await station.start()
    try:
        yield station
    finally:
        await station.stop()


async def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Wait (polling) until `condition()` holds; fail after DEADLINE seconds."""
    async with asyncio.timeout(DEADLINE):
        while not condition():  # noqa: ASYNC110 - polls station state that has no event
            await asyncio.sleep(0.01)
    assert condition(), what


# --- a client ---------------------------------------------------------------------------


class StationClosed(AssertionError):
    """The station closed the connection while the test waited for an event."""


class StationClient:
    """A Wyoming client (the `wyoming` package's own) with the station's project events."""

    def __init__(self, host: str, port: int) -> None:
        self.wyoming = AsyncTcpClient(host, port)
        self.seen: list[Event] = []  # every event received, in order

    async def connect(self) -> None:
        await self.wyoming.connect()

    async def close(self) -> None:
        await self.wyoming.disconnect()

    async def send(self, event: Event) -> None:
        await self.wyoming.write_event(event)

    async def read(self) -> Event:
        async with asyncio.timeout(DEADLINE):
            event = await self.wyoming.read_event()
        if event is None:
            raise StationClosed("the station closed the connection")
        self.seen.append(event)
        return event

    async def expect(self, *types: str) -> Event:
        """The next event of one of `types` (or an `error`), skipping others."""
        while True:
            event = await self.read()
            if event.type in types or event.type == "error":
                return event

    async def closed(self) -> bool:
        """True once the station has closed this connection (reads until end of stream)."""
        try:
            while True:
                await self.read()
        except StationClosed:
            return True
        except ConnectionError, OSError:
            return True

    async def hello(self) -> tuple[str, Event]:
        """Send `bf-hello`; the nonce sent and the station's answer (`bf-challenge`)."""
        nonce = new_nonce()
        await self.send(Event("bf-hello", {"nonce": nonce, "client": "test", "protocol": 2}))
        return nonce, await self.expect("bf-challenge")

    async def pair(self, token: str, *, check_station: bool = True) -> Event:
        """Pair as a real client does: `bf-paired`, or the station's `error`.

        With `check_station`, a station whose proof does not match `token` fails the test
        before anything is proven to it; without, the proof is sent anyway (to test the
        station's refusal of a wrong token).
        """
        nonce, challenge = await self.hello()
        if challenge.type == "error":
            return challenge
        station_id, station_nonce = challenge.data["station_id"], challenge.data["nonce"]
        if check_station:
            expected = station_proof(token, station_id, nonce, station_nonce)
            assert challenge.data["proof"] == expected, "the station did not prove the token"
        proof = client_proof(token, station_id, station_nonce, nonce)
        await self.send(Event("bf-pair", {"proof": proof, "client": "test", "protocol": 2}))
        return await self.expect("bf-paired")

    async def send_audio(self, pcm: bytes, rate: int = 16000, chunk_bytes: int = 2048) -> None:
        await self.send(AudioStart(rate=rate, width=2, channels=1).event())
        for start in range(0, len(pcm), chunk_bytes):
            await self.send(
                AudioChunk(
                    rate=rate, width=2, channels=1, audio=pcm[start : start + chunk_bytes]
                ).event()
            )

    async def transcribe(self, pcm: bytes, rate: int = 16000, language: str | None = None) -> Event:
        """`transcript` (or `error`) for `pcm`, sent as a Home Assistant pipeline sends it."""
        await self.send(Event("transcribe", {"language": language} if language else {}))
        await self.send_audio(pcm, rate)
        await self.send(AudioStop().event())
        return await self.expect("transcript")

    async def synthesize(self, text: str, language: str = "en", **extra: Any) -> tuple[bytes, int]:
        """PCM and rate of `text` spoken by the station; raises AssertionError on `error`."""
        data: dict[str, Any] = {"text": text, "voice": {"language": language}}
        if extra:
            data["barrier_free"] = extra
        await self.send(Event("synthesize", data))
        start = await self.expect("audio-start")
        assert start.type == "audio-start", start.data
        pcm = bytearray()
        while (event := await self.expect("audio-chunk", "audio-stop")).type == "audio-chunk":
            pcm += event.payload or b""
        assert event.type == "audio-stop", event.data
        return bytes(pcm), int(start.data["rate"])

    async def set_phrases(
        self, language: str, phrases: list[str] | None, version: int | None = None
    ) -> Event:
        data: dict[str, Any] = {"language": language, "phrases": phrases}
        if version is not None:
            data["version"] = version
        await self.send(Event("bf-set-phrases", data))
        return await self.expect("bf-phrases")

    async def subscribe(self) -> None:
        await self.send(Event("bf-subscribe", {}))
        event = await self.expect("bf-subscribed")
        assert event.type == "bf-subscribed", event.data


@asynccontextmanager
async def paired_client(station: Station, token: str | None = None) -> AsyncIterator[StationClient]:
    """A connected client that has paired with `station` (with its own token by default)."""
    async with connected_client(station) as client:
        event = await client.pair(token or station.token)
        assert event.type == "bf-paired", event.data
        yield client


@asynccontextmanager
async def connected_client(station: Station) -> AsyncIterator[StationClient]:
    """A connected client that has not paired."""
    client = StationClient("127.0.0.1", station.port)
    await client.connect()
    try:
        yield client
    finally:
        await client.close()


async def gather_all(*jobs: Awaitable[Any]) -> list[Any]:
    """Run jobs concurrently, within the test deadline."""
    async with asyncio.timeout(DEADLINE):
        return list(await asyncio.gather(*jobs))

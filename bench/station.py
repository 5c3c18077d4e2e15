"""Benchmark of the station over its socket: `python -m bench.station` (about a minute).

Measures, against a real station in a child process (English, pocketsphinx, 20 phrases):
- requests/s and latency p50/p95 of transcribe and synthesize with 1, 4 and 16 clients;
- memory per idle paired connection (the child's resident set size);
- memory per open recognition stream, memory kept after they ended, after clients were killed
  mid-audio, and how many of a crowd of requests got `busy` (the child's stream cap is 16, so
  that the 16-client level is served);
- protocol overhead: time from `audio-stop` to `transcript` over the socket, against
  `finish()` on the speech core called directly in this process on the same audio.
Prints a markdown table. No assertions: numbers for people to read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event

from voice.station.pairing import client_proof, new_nonce

PHRASES = [
    "turn on the kitchen light",
    "turn off the kitchen light",
    "turn on the living room light",
    "turn off the living room light",
    "open the curtains",
    "close the curtains",
    "lock the front door",
    "is the front door locked",
    "what time is it",
    "how is the house",
    "say that again",
    "speak more slowly",
    "turn up the heating",
    "turn down the heating",
    "start the washing machine",
    "call for help",
    "turn on the night path",
    "open the garage",
    "is the window open",
    "good night",
]
UTTERANCES = ["turn on the kitchen light", "what time is it", "close the curtains", "call for help"]
SENTENCES = [("客厅的灯已经打开了", "zh"), ("The front door is locked", "en")]
LEVELS = (1, 4, 16)
CHUNK_BYTES = 2048  # 1024 samples, what Home Assistant's pipeline sends
MAX_STREAMS = max(LEVELS)  # the load levels measure throughput, not the stream cap


# --- child: the station -----------------------------------------------------------------


async def _child(state_dir: Path) -> None:
    from voice.station.station import Station, StationConfig  # noqa: PLC0415

    station = Station(
        StationConfig(
            languages=("en",),
            state_dir=state_dir,
            zeroconf=False,
            output=state_dir / "spoken",
            workers=4,
            max_streams=MAX_STREAMS,
        )
    )
    await station.start()
    print(json.dumps({"port": station.port, "token": station.token}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin
    await station.stop()


# --- parent: clients ----------------------------------------------------------------------


class Client:
    def __init__(self, port: int) -> None:
        self.wyoming = AsyncTcpClient("127.0.0.1", port)

    async def open(self, token: str) -> None:
        """Connect and pair (PROTOCOL.md "Pairing": the token itself is never sent)."""
        await self.wyoming.connect()
        nonce = new_nonce()
        await self.wyoming.write_event(Event("bf-hello", {"nonce": nonce, "protocol": 2}))
        challenge = (await self.expect("bf-challenge")).data
        proof = client_proof(token, challenge["station_id"], challenge["nonce"], nonce)
        await self.wyoming.write_event(Event("bf-pair", {"proof": proof, "protocol": 2}))
        await self.expect("bf-paired")

    async def close(self) -> None:
        await self.wyoming.disconnect()

    async def expect(self, kind: str) -> Event:
        while True:
            event = await self.wyoming.read_event()
            if event is None:
                raise ConnectionError("station closed the connection")
            if event.type == "error":
                raise RuntimeError(event.data)
            if event.type == kind:
                return event

    async def send_audio(self, pcm: bytes) -> None:
        await self.wyoming.write_event(Event("transcribe", {"language": "en"}))
        await self.wyoming.write_event(AudioStart(rate=16000, width=2, channels=1).event())
        for start in range(0, len(pcm), CHUNK_BYTES):
            chunk = pcm[start : start + CHUNK_BYTES]
            await self.wyoming.write_event(
                AudioChunk(rate=16000, width=2, channels=1, audio=chunk).event()
            )

    async def transcribe(self, pcm: bytes) -> str:
        await self.send_audio(pcm)
        await self.wyoming.write_event(AudioStop().event())
        return str((await self.expect("transcript")).data["text"])

    async def synthesize(self, text: str, language: str) -> int:
        await self.wyoming.write_event(
            Event("synthesize", {"text": text, "voice": {"language": language}})
        )
        size = 0
        while True:
            event = await self.wyoming.read_event()
            if event is None or event.type == "error":
                raise RuntimeError(event.data if event else "closed")
            if event.type == "audio-chunk":
                size += len(event.payload or b"")
            elif event.type == "audio-stop":
                return size


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _load(
    port: int,
    token: str,
    clients: int,
    per_client: int,
    job: Callable[[Client, int], Awaitable[object]],
) -> tuple[float, float, float]:
    """Requests/s, p50 and p95 latency (ms) of `job` run by `clients` clients at once."""
    latencies: list[float] = []

    async def one(index: int) -> None:
        client = Client(port)
        await client.open(token)
        try:
            for n in range(per_client):
                started = time.perf_counter()
                await job(client, index * per_client + n)
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            await client.close()

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, _percentile(latencies, 0.5), _percentile(latencies, 0.95)


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _memory_per_connection(port: int, token: str, pid: int, count: int = 200) -> float:
    before = _rss_kib(pid)
    clients = [Client(port) for _ in range(count)]
    for client in clients:
        await client.open(token)
    for client in clients[:5]:  # every connection has done a little work
        await client.wyoming.write_event(Event("ping", {"text": "x"}))
        await client.expect("pong")
    after = _rss_kib(pid)
    for client in clients:
        await client.close()
    return (after - before) / count


async def _open_stream(client: Client, pcm: bytes) -> bool:
    """Start a request and feed `pcm`; True once it is decoded, False when refused (busy)."""
    await client.send_audio(pcm)
    await client.wyoming.write_event(Event("ping", {}))  # answered once the audio is decoded
    while True:
        event = await client.wyoming.read_event()
        if event is None:
            raise ConnectionError("station closed the connection")
        if event.type == "pong":
            return True
        if event.type == "error" and event.data.get("code") == "busy":
            await client.wyoming.write_event(Event("ping", {}))  # the request's audio is skipped
            await client.expect("pong")
            return False
        if event.type == "error":
            raise RuntimeError(event.data)


async def _memory_per_stream(
    port: int, token: str, pid: int, pcm: bytes, streams: int, crowd: int = 16, killed: int = 50
) -> dict[str, float]:
    """KiB per open stream, KiB kept once they ended, KiB kept after `killed` clients died
    mid-audio, and how many of `crowd` simultaneous requests got `busy`."""
    warm = Client(port)  # the first decoders exist before measuring
    await warm.open(token)
    await warm.transcribe(pcm)
    await warm.close()
    before = _rss_kib(pid)
    clients = [Client(port) for _ in range(streams)]
    for client in clients:
        await client.open(token)
    opened = await asyncio.gather(*(_open_stream(c, pcm) for c in clients))
    during = _rss_kib(pid)
    for client in clients:
        await client.wyoming.write_event(AudioStop().event())
        await client.expect("transcript")
        await client.close()
    after = _rss_kib(pid)

    for start in range(0, killed, streams):
        victims = [Client(port) for _ in range(min(streams, killed - start))]
        for client in victims:
            await client.open(token)
        await asyncio.gather(*(_open_stream(c, pcm) for c in victims))
        for client in victims:
            writer = client.wyoming._writer  # killed: no audio-stop, no goodbye
            if writer is not None:
                writer.transport.abort()
    probe = Client(port)  # served again once the killed clients' streams are freed
    await probe.open(token)
    while not await _open_stream(probe, pcm):  # noqa: ASYNC110 - busy until the kills are seen
        await asyncio.sleep(0.05)
    await probe.wyoming.write_event(AudioStop().event())
    await probe.expect("transcript")
    await probe.close()
    kept_killed = _rss_kib(pid) - before

    crowded = [Client(port) for _ in range(crowd)]
    for client in crowded:
        await client.open(token)
    served = await asyncio.gather(*(_open_stream(c, pcm) for c in crowded))
    for client in crowded:
        await client.close()
    return {
        "per_stream": (during - before) / max(1, sum(opened)),
        "kept": float(after - before),
        "kept_killed": float(kept_killed),
        "busy": float(crowd - sum(served)),
        "crowd": float(crowd),
        "killed": float(killed),
        "streams": float(sum(opened)),
    }


async def _overhead(port: int, token: str, audio: list[bytes], rounds: int) -> dict[str, float]:
    """Median ms over the socket and with the speech core called directly, on the same audio.

    "stop": from `audio-stop` to `transcript` (socket) against `finish()` (direct).
    "request": from the first event of the request to `transcript` (socket) against
    `stream()` + `feed()` of the same chunks + `finish()` (direct), and against `stream()` +
    `finish()` of all the audio at once ("d_whole": the station decodes audio that queued up
    while it was busy in one go, so this is the fair floor for a fast sender).
    """
    from voice.recognition.recognizer import load_recognizer  # noqa: PLC0415

    recognizer = load_recognizer("en")
    recognizer.set_phrases(PHRASES)
    client = Client(port)
    await client.open(token)
    kinds = ("stop", "request", "d_stop", "d_request", "d_whole")
    times: dict[str, list[float]] = {k: [] for k in kinds}
    try:
        for n in range(rounds):
            pcm = audio[n % len(audio)]
            started = time.perf_counter()
            await client.send_audio(pcm)
            # A ping is answered after every chunk before it was fed: the station has
            # caught up, so what follows measures only the end of the request.
            await client.wyoming.write_event(Event("ping", {}))
            await client.expect("pong")
            stop = time.perf_counter()
            await client.wyoming.write_event(AudioStop().event())
            await client.expect("transcript")
            done = time.perf_counter()
            times["stop"].append((done - stop) * 1000)
            times["request"].append((done - started) * 1000)

            started = time.perf_counter()
            stream = recognizer.stream(16000)
            for start in range(0, len(pcm), CHUNK_BYTES):
                stream.feed(pcm[start : start + CHUNK_BYTES])
            stop = time.perf_counter()
            stream.finish()
            done = time.perf_counter()
            times["d_stop"].append((done - stop) * 1000)
            times["d_request"].append((done - started) * 1000)

            started = time.perf_counter()
            recognizer.stream(16000).finish(pcm)  # all of it in one decode, as the station can
            times["d_whole"].append((time.perf_counter() - started) * 1000)
    finally:
        await client.close()
        recognizer.close()
    return {k: statistics.median(v) for k, v in times.items()}


async def _parent(port: int, token: str, pid: int, quick: bool) -> None:
    from tests.speech import silence, synth  # noqa: PLC0415 - espeak-ng test speech

    audio = [silence(0.3) + synth(text) + silence(0.3) for text in UTTERANCES]
    setup = Client(port)
    await setup.open(token)
    await setup.wyoming.write_event(Event("bf-set-phrases", {"language": "en", "phrases": PHRASES}))
    await setup.expect("bf-phrases")
    await setup.close()

    # first: the load levels below leave 16 decoders' worth of memory in the process
    streams = await _memory_per_stream(port, token, pid, audio[0], 4, crowd=2 * MAX_STREAMS)
    rows: list[tuple[str, int, float, float, float]] = []
    per = 4 if quick else 12
    for clients in LEVELS:
        count = max(2, per * 4 // clients) if clients > 1 else per * 2

        async def transcribe(client: Client, n: int) -> object:
            return await client.transcribe(audio[n % len(audio)])

        rate, p50, p95 = await _load(port, token, clients, count, transcribe)
        rows.append(("transcribe", clients, rate, p50, p95))
    for clients in LEVELS:
        count = max(2, per * 4 // clients) if clients > 1 else per * 2

        async def synthesize(client: Client, n: int) -> object:
            text, language = SENTENCES[n % len(SENTENCES)]
            return await client.synthesize(text, language)

        rate, p50, p95 = await _load(port, token, clients, count, synthesize)
        rows.append(("synthesize", clients, rate, p50, p95))
    memory = await _memory_per_connection(port, token, pid)
    over = await _overhead(port, token, audio, 10 if quick else 30)

    audio_s = statistics.mean(len(a) / 32000 for a in audio)
    print(
        f"Station benchmark (pocketsphinx en, {len(PHRASES)} phrases, {audio_s:.1f} s utterances)"
    )
    print()
    print("| request | clients | requests/s | p50 ms | p95 ms |")
    print("|---|---|---|---|---|")
    for kind, clients, rate, p50, p95 in rows:
        print(f"| {kind} | {clients} | {rate:.1f} | {p50:.1f} | {p95:.1f} |")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| memory per idle paired connection | {memory:.1f} KiB |")
    print(
        f"| memory per open recognition stream ({streams['streams']:.0f} open) | "
        f"{streams['per_stream'] / 1024:.1f} MiB |"
    )
    print(
        "| memory kept after they ended (decoders pooled for reuse) | "
        f"{streams['kept'] / 1024:.1f} MiB |"
    )
    print(
        f"| memory kept after {streams['killed']:.0f} clients killed mid-audio | "
        f"{streams['kept_killed'] / 1024:.1f} MiB |"
    )
    print(f"| of {streams['crowd']:.0f} requests at once, answered busy | {streams['busy']:.0f} |")
    print(f"| audio-stop → transcript, socket (median) | {over['stop']:.2f} ms |")
    print(f"| finish() called directly (median) | {over['d_stop']:.2f} ms |")
    print(f"| end-of-speech ratio (socket / direct) | {over['stop'] / over['d_stop']:.2f} |")
    print(f"| whole request, socket (median) | {over['request']:.1f} ms |")
    print(f"| stream + feed + finish directly (median) | {over['d_request']:.1f} ms |")
    print(f"| whole-request ratio (goal ≤ 1.1) | {over['request'] / over['d_request']:.2f} |")
    print(f"| stream + finish(all audio) directly (median) | {over['d_whole']:.1f} ms |")
    print(f"| whole-request ratio against that | {over['request'] / over['d_whole']:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    args = parser.parse_args()
    if args.child is not None:
        asyncio.run(_child(args.child))
        return
    with_station_process(lambda port, token, pid: _parent(port, token, pid, args.quick))


def with_station_process(parent: Callable[[int, str, int], Awaitable[None]]) -> None:
    """Run `parent(port, token, pid)` against a station in its own process (its memory is
    measured apart from the clients'); the station stops when `parent` returns."""
    with tempfile.TemporaryDirectory() as tmp:
        child = subprocess.Popen(
            [sys.executable, "-m", "bench.station", "--child", tmp],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            hello: dict[str, Any] = json.loads(child.stdout.readline())
            asyncio.run(parent(int(hello["port"]), str(hello["token"]), child.pid))
        finally:
            if child.stdin is not None:
                child.stdin.close()
            child.wait(timeout=60)


if __name__ == "__main__":
    main()

"""Benchmark of the unpaired budget: `python -m bench.pairing` (about half a minute).

Against a real station in a child process (the child of `bench.station`), prints:
- the station's resident set size before, at its peak while 600 unpaired connections each
  send a `bf-pair` header announcing 1 MiB of data (and 64 KiB of it), and after they left;
  bytes per connection at the peak;
- with 600 idle unpaired sockets open at once: how many the station keeps (its cap), and
  how long a real client then takes to pair.
No assertions: figures for people to read (PROTOCOL.md, "Limits", has the bounds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from bench.station import Client, with_station_process

CONNECTIONS = 600
MIB = 1024 * 1024


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


async def _flood(port: int) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """600 connections, each announcing 1 MiB of data and sending 64 KiB of it."""
    header = json.dumps({"type": "bf-pair", "data_length": MIB}).encode() + b"\n"
    opened = []
    for _ in range(CONNECTIONS):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            continue  # the parent ran out of descriptors: fewer connections, still a figure
        writer.write(header + b"x" * (64 * 1024))
        opened.append((reader, writer))
    return opened


async def _closed_by_station(reader: asyncio.StreamReader) -> bool:
    try:
        async with asyncio.timeout(0.5):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


async def _parent(port: int, token: str, pid: int) -> None:
    setup = Client(port)
    await setup.open(token)  # the station is up and has served one client
    await setup.close()
    before = _status_kib(pid, "VmRSS")

    peak = before
    flooding = True

    async def sample() -> None:  # VmHWM would be the model loading's peak, not the flood's
        nonlocal peak
        while flooding:
            peak = max(peak, _status_kib(pid, "VmRSS"))
            await asyncio.sleep(0.005)

    sampler = asyncio.create_task(sample())
    opened = await _flood(port)
    await asyncio.sleep(0.5)  # the station reads what was sent (a figure, not ordering)
    flooding = False
    await sampler
    for _, writer in opened:
        writer.close()
    await asyncio.sleep(1.0)  # let the station notice every close
    after = _status_kib(pid, "VmRSS")

    idle = []
    for _ in range(CONNECTIONS):
        try:
            idle.append(await asyncio.open_connection("127.0.0.1", port))
        except OSError:
            break
    started = time.perf_counter()
    client = Client(port)
    await client.open(token)
    pair_ms = (time.perf_counter() - started) * 1000
    await client.close()
    closed = await asyncio.gather(*(_closed_by_station(reader) for reader, _ in idle))
    kept = len(idle) - sum(closed)
    for _, writer in idle:
        writer.close()

    print("| measure | value |")
    print("|---|---|")
    print(f"| station RSS before | {before / 1024:.1f} MiB |")
    print(f"| station RSS peak, {len(opened)} unpaired 1 MiB headers | {peak / 1024:.1f} MiB |")
    print(f"| station RSS after they left | {after / 1024:.1f} MiB |")
    per_connection = (peak - before) * 1024 / max(1, len(opened))
    print(f"| bytes per unpaired connection at the peak | {per_connection:.0f} |")
    print(f"| idle unpaired sockets opened / kept by the station | {len(idle)} / {kept} |")
    print(f"| a real client pairs meanwhile in | {pair_ms:.1f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    with_station_process(_parent)


if __name__ == "__main__":
    main()

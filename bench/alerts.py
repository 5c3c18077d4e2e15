"""Benchmark of alerts: `python -m bench.alerts [--rounds N] [--stations N]` (about a minute).

A real Home Assistant (the test harness's instance, in a temporary config folder) with the
barrier_free integration set up against N real stations on 127.0.0.1 (English, WAV-folder
output at a tenth of real pace). The household binds a doorbell; each round rings it and
measures, for every station, the time from the state change to the first sound (the chime) the
station hands to its output: the whole path (state listener, alert decision, announcement over
the connection, the station's queue and rendering). Prints p50 and p95. No assertions.

`--media`: Home Assistant's demo media players too, one bound to the `tv` role and playing at
each ring, so that the path includes pausing it (and it plays again between rounds).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # custom_components/ and voice/ of this checkout

from homeassistant.components import demo  # noqa: E402
from homeassistant.const import Platform  # noqa: E402
from homeassistant.core import HomeAssistant  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
)

from bench._hass import async_add_station, async_prepare  # noqa: E402
from custom_components.barrier_free.alerts import DATA  # noqa: E402
from custom_components.barrier_free.household_setup import (  # noqa: E402
    HouseholdSetup,
    async_get_household,
)
from custom_components.barrier_free.logic.alerts import Policy  # noqa: E402
from voice.recognition.recognizer import load_recognizer  # noqa: E402
from voice.speech.announce import Segment  # noqa: E402
from voice.speech.tts import Synthesizer  # noqa: E402
from voice.station.station import Station, StationConfig  # noqa: E402

DOORBELL = "binary_sensor.bench_doorbell"
TV = "media_player.living_room"  # the demo's YouTube player
LIMIT_S = 60.0


def _watch(station: Station, heard: list[float], arrived: asyncio.Event) -> None:
    """Record when the station hands its first sound of each announcement to the output."""
    output = station.announcer.output
    play: Callable[[Segment], Awaitable[None]] = output.play

    async def timed(segment: Segment) -> None:
        if (segment.kind, segment.label) == ("earcon", "doorbell"):  # its first sound
            heard.append(time.perf_counter())
            arrived.set()
        await play(segment)

    output.play = timed  # type: ignore[method-assign]


async def _add_players(hass: HomeAssistant) -> None:
    """The demo's media players (and only its media player platform)."""
    demo.COMPONENTS_WITH_CONFIG_ENTRY_DEMO_PLATFORM = [Platform.MEDIA_PLAYER]
    entry = MockConfigEntry(domain="demo")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def main(rounds: int, count: int, media: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        recognizer = load_recognizer("en")
        synthesizer = Synthesizer()
        stations = [
            Station(
                StationConfig(
                    host="127.0.0.1",
                    port=0,
                    name=f"Room {n}",
                    languages=("en",),
                    state_dir=Path(tmp) / f"station-{n}",
                    zeroconf=False,
                    output=Path(tmp) / f"spoken-{n}",
                    output_pace=0.1,
                ),
                recognizers={"en": recognizer},
                synthesizer=synthesizer,
            )
            for n in range(count)
        ]
        for station in stations:
            await station.start()
        config_dir = Path(tmp) / "ha"
        config_dir.mkdir()
        latencies: list[float] = []
        try:
            async with async_test_home_assistant(config_dir=str(config_dir)) as hass:
                await async_prepare(hass)
                for station in stations:
                    await async_add_station(hass, station)
                hass.states.async_set(DOORBELL, "off", {"friendly_name": "Bench doorbell"})
                bindings: dict[str, tuple[str, ...]] = {"doorbell": (DOORBELL,)}
                if media:
                    await _add_players(hass)
                    bindings["tv"] = (TV,)
                store = await async_get_household(hass)
                await store.async_update(HouseholdSetup(("blind",), bindings))
                manager = hass.data[DATA]
                # every ring is announced once (no debounce, no repeat) to measure each alike
                manager.book.policy = Policy(warning_repeats=1, debounce=0)
                manager.media.settle = 0.05
                heard: list[list[float]] = [[] for _ in stations]
                arrived = asyncio.Event()
                for station, times in zip(stations, heard, strict=True):
                    _watch(station, times, arrived)
                for n in range(rounds):
                    for times in heard:
                        times.clear()
                    began = time.perf_counter()
                    hass.states.async_set(DOORBELL, "on", {"friendly_name": "Bench doorbell"})
                    async with asyncio.timeout(LIMIT_S):
                        while not all(heard):
                            arrived.clear()
                            await arrived.wait()
                    latencies.extend(times[0] - began for times in heard)
                    hass.states.async_set(DOORBELL, "off", {"friendly_name": "Bench doorbell"})
                    for station in stations:  # the next round starts on idle stations
                        await station.announcer.wait_idle()
                    while manager.media.paused:  # noqa: ASYNC110 - and the TV playing again
                        await asyncio.sleep(0.01)
                    if n == 0:
                        latencies.clear()  # the first round warms the speech worker up
                for entry in list(hass.config_entries.async_entries("barrier_free")):
                    await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_block_till_done()
        finally:
            for station in stations:
                await station.stop()
            synthesizer.close()

    ms = [s * 1000 for s in latencies]
    paused = ", a playing TV paused first" if media else ""
    print(
        f"doorbell state change → first sound on each station{paused}, {count} stations, ", end=""
    )
    print(f"{rounds - 1} rounds ({len(ms)} announcements):")
    print("| p50 (ms) | p95 (ms) | max (ms) |")
    print("|---|---|---|")
    print(f"| {statistics.median(ms):.1f} | {_percentile(ms, 0.95):.1f} | {max(ms):.1f} |")


def run(argv: list[str] | None = None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--stations", type=int, default=5)
    parser.add_argument("--media", action="store_true", help="a bound TV playing at each ring")
    args = parser.parse_args(argv)
    asyncio.run(main(max(2, args.rounds), max(1, args.stations), args.media))


if __name__ == "__main__":
    run()

"""The live feeder: audio that queues up during a decode is decoded in one go, in order."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.speech import synth
from tests.voice.station import wait_until
from voice.recognition.live import LiveFeed
from voice.recognition.recognizer import Recognizer

type Run = Callable[[Callable[[bytes], str | None], bytes], Awaitable[str | None]]


@pytest.fixture(name="run")
async def run_fixture() -> AsyncIterator[Run]:
    """Blocking calls in threads of our own, joined at the end (no thread is left behind)."""
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-live")

    async def run(func: Callable[[bytes], str | None], pcm: bytes) -> str | None:
        return await asyncio.get_running_loop().run_in_executor(executor, func, pcm)

    yield run
    executor.shutdown(wait=True)


async def test_audio_that_waits_is_decoded_in_one_go_and_in_order(
    english_recognizer: Recognizer, run: Run
) -> None:
    english_recognizer.set_phrases(["close the curtains", "open the curtains"])
    stream = english_recognizer.stream(16000)
    pcm = synth("close the curtains")
    gate, at_gate = threading.Event(), threading.Event()
    fed: list[bytes] = []
    partials: list[str | None] = []

    def decode(piece: bytes) -> str | None:
        fed.append(piece)
        if len(fed) == 1:
            at_gate.set()
            assert gate.wait(30)
        return stream.feed(piece)

    feed: LiveFeed[str | None] = LiveFeed(run, on_decoded=partials.append)
    feed.add(pcm[:4096])  # before start: waits for it
    assert feed.pending == 4096
    feed.start(decode)
    await wait_until(at_gate.is_set, "the first decode began")
    cut = len(pcm) - 4096
    for offset in range(4096, cut, 2048):
        feed.add(pcm[offset : min(offset + 2048, cut)])
    assert feed.pending == cut - 4096
    gate.set()
    await feed.caught_up()
    assert [len(p) for p in fed] == [4096, cut - 4096]  # two decodes, not one per chunk
    assert len(partials) == 2
    feed.add(pcm[cut:])
    rest = await feed.stop()  # the decode it kicked off had not begun: the piece comes back
    feed.add(b"\0\0")  # after stop: not taken
    assert feed.pending == 0
    assert rest == pcm[cut:]
    assert b"".join(fed) + rest == pcm  # nothing lost, nothing twice
    result = stream.finish(rest)
    assert result.phrase == "close the curtains"


async def test_a_failed_decode_is_reported_and_ends_the_feed(run: Run) -> None:
    failures: list[Exception] = []

    async def on_error(err: Exception) -> None:
        failures.append(err)
        await feed.caught_up()  # from the feeder itself: returns at once

    def decode(piece: bytes) -> str | None:
        raise RuntimeError("decoder exploded")

    feed: LiveFeed[str | None] = LiveFeed(run, on_error=on_error)
    feed.start(decode)
    feed.add(b"\1\0" * 800)
    await feed.caught_up()
    assert [str(e) for e in failures] == ["decoder exploded"]
    assert feed.error is failures[0]
    assert feed.stopping
    feed.add(b"\1\0" * 800)
    assert await feed.stop() == b""

"""The announcement queue, its earcons and its outputs (a system player, a WAV folder)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from voice.speech.announce import (
    EARCON_RATE,
    EARCONS,
    Announcement,
    Announcer,
    Priority,
    QueueFull,
    Segment,
    SystemPlayer,
    WavDirectory,
    earcon,
)


def _spoken(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- earcons ---------------------------------------------------------------------------


def _pitch(pcm: bytes) -> float:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.argmax(spectrum) * EARCON_RATE / len(samples))


def test_earcons_are_distinct_sounds() -> None:
    sounds = {name: earcon(name) for name in EARCONS}
    pitches = {name: round(_pitch(pcm), -1) for name, pcm in sounds.items()}
    assert len(set(pitches.values())) == len(EARCONS), pitches
    lengths = {name: len(pcm) / 2 / EARCON_RATE for name, pcm in sounds.items()}
    assert lengths["alarm"] > lengths["doorbell"] > lengths["listening"]
    assert all(0.1 < seconds < 2.0 for seconds in lengths.values())
    # the "not understood" earcon falls, the "listening" one rises
    assert pitches["not_understood"] < pitches["listening"]


# --- the speaker -----------------------------------------------------------------------


async def test_system_player_gets_the_pcm_and_is_stopped_by_an_interruption(
    tmp_path: Path,
) -> None:
    out = tmp_path / "played.raw"
    player = SystemPlayer(["sh", "-c", 'echo "$1" > "$0.rate"; cat > "$0"', str(out), "{rate}"])
    sound = Segment("earcon", "doorbell", earcon("doorbell"), EARCON_RATE)
    await player.play(sound)
    assert out.read_bytes() == sound.pcm
    assert out.with_name("played.raw.rate").read_text().strip() == str(EARCON_RATE)

    stuck = SystemPlayer(["sh", "-c", "cat > /dev/null; exec sleep 600"])
    playing = asyncio.create_task(stuck.play(sound))
    await asyncio.sleep(0)
    playing.cancel()
    async with asyncio.timeout(30):  # the player process is killed, not waited for
        with pytest.raises(asyncio.CancelledError):
            await playing


async def test_announcement_queue_is_bounded(tmp_path: Path) -> None:
    async def render(item: Announcement) -> list[Segment]:
        return [Segment("earcon", item.id, earcon("info"), EARCON_RATE)]

    announcer = Announcer(WavDirectory(tmp_path, pace=0.0), render, max_queued=2)
    first = announcer.submit(Announcement(id="a", chime="info"))
    announcer.submit(Announcement(id="b", chime="info"))
    with pytest.raises(QueueFull) as info:
        announcer.submit(Announcement(id="c", chime="info"))
    assert info.value.code == "queue_full"
    announcer.start()
    try:
        assert await first.done == "done"
        await announcer.wait_idle()
    finally:
        await announcer.stop()
    assert _spoken(tmp_path) == ["0001-earcon-a.wav", "0002-earcon-b.wav"]


async def test_full_queue_gives_way_to_the_more_urgent_and_always_to_an_alarm(
    tmp_path: Path,
) -> None:
    async def render(item: Announcement) -> list[Segment]:
        return [Segment("earcon", item.id, earcon("info"), EARCON_RATE)]

    told: list[tuple[str, str, str | None]] = []

    def status(item: Announcement, status: str, err: object) -> None:
        told.append((item.id, status, getattr(err, "code", None)))

    def say(ident: str, priority: Priority) -> Announcement:
        item = Announcement(id=ident, chime="info", priority=priority, on_status=status)
        return announcer.submit(item)

    announcer = Announcer(WavDirectory(tmp_path, pace=0.0), render, max_queued=2)
    first = say("low-1", Priority.LOW)
    newest_low = say("low-2", Priority.LOW)
    say("normal", Priority.NORMAL)  # more urgent: the newest low gives way
    with pytest.raises(QueueFull):
        say("low-3", Priority.LOW)  # not more urgent than what waits: refused
    say("alarm-1", Priority.ALARM)  # takes the place of the last low
    say("alarm-2", Priority.ALARM)  # takes the place of the normal
    say("alarm-3", Priority.ALARM)  # only alarms wait: the newest waiting one gives way
    assert [(i, s, c) for i, s, c in told if s == "dropped"] == [
        ("low-2", "dropped", "queue_full"),
        ("low-1", "dropped", "queue_full"),
        ("normal", "dropped", "queue_full"),
        ("alarm-2", "dropped", "queue_full"),
    ]
    assert await newest_low.done == "dropped"
    assert await first.done == "dropped"
    announcer.start()
    try:
        await announcer.wait_idle()
    finally:
        await announcer.stop()
    assert _spoken(tmp_path) == ["0001-earcon-alarm-1.wav", "0002-earcon-alarm-3.wav"]

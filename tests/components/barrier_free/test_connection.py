"""The persistent connection: room-mode events, requests, heartbeat, and failures mid-request."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from wyoming.event import Event

from custom_components.barrier_free import connection as connection_module
from custom_components.barrier_free import const
from custom_components.barrier_free.client import (
    CannotConnect,
    RoomUtterance,
    StationRequestError,
    ping_event,
)
from voice.speech.announce import MAX_QUEUED

from .conftest import SAFETY_LIMIT, entity_id, wait_for_state


async def test_room_utterance_shows_in_the_sensor(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any
) -> None:
    """What a resident says at the station (room mode) is the sensor's state, with outcome."""
    sensor = entity_id(hass, "sensor", station, "last_utterance")
    assert hass.states.get(sensor).state == "unknown"

    sent = station.broadcast(
        Event(
            "bf-room-transcript",
            {
                "utterance_id": "u1",
                "text": "turn on the kitchen light",
                "language": "en",
                "phrase": "turn on the kitchen light",
                "score": 0.93,
                "rejected": False,
            },
        )
    )
    assert sent == 1
    state = await wait_for_state(
        hass, sensor, lambda s: s is not None and s.state == "turn on the kitchen light"
    )
    assert state is not None
    assert state.attributes["outcome"] == "recognised"
    assert state.attributes["score"] == pytest.approx(0.93)
    assert state.attributes["utterance_id"] == "u1"
    assert state.attributes["language"] == "en"

    station.broadcast(
        Event(
            "bf-room-transcript",
            {
                "utterance_id": "u2",
                "text": "",
                "language": "en",
                "phrase": None,
                "score": 0.1,
                "rejected": True,
            },
        )
    )
    state = await wait_for_state(
        hass, sensor, lambda s: s is not None and s.attributes.get("utterance_id") == "u2"
    )
    assert state is not None
    assert state.state == "unknown"
    assert state.attributes["outcome"] == "rejected"

    station.broadcast(Event("bf-button", {"button": "help", "action": "press"}))
    # A round trip after the broadcasts: they have been handled when the answer arrives.
    await loaded_entry.runtime_data.connection.async_apply_settings()
    assert loaded_entry.runtime_data.connection.last_button == {
        "button": "help",
        "action": "press",
    }
    await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_requests_over_the_persistent_connection(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any
) -> None:
    connection = loaded_entry.runtime_data.connection
    result = await connection.async_set_phrases("en", ["open the door", "open the door", ""], 3)
    assert result.version == 3
    assert result.count == 1

    with pytest.raises(StationRequestError) as caught:
        await connection.async_set_phrases("ko", ["annyeong"], 1)
    assert caught.value.code == "unknown_language"

    with pytest.raises(CannotConnect):
        await connection.async_request(Event("ping", {}), "bf-never", time_limit=0.2)

    # A request in flight when the station goes away fails at once, not at its time limit.
    waiting = asyncio.create_task(
        connection.async_request(Event("ping", {}), "bf-never", time_limit=600)
    )
    await asyncio.sleep(0)
    await station.stop()
    with pytest.raises(CannotConnect):
        await waiting
    with pytest.raises(CannotConnect):
        await connection.async_apply_settings()
    await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_say_now_takes_only_its_own_announcements_status_as_its_answer(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any
) -> None:
    """The station's queue is full when the speaker test comes, as an alarm: the newest
    waiting announcement gives way, and its "dropped" reaches the integration before the
    speaker test's own "queued". That "dropped" is not the speaker test's answer."""
    connection = loaded_entry.runtime_data.connection
    statuses: list[tuple[str, str]] = []
    changed = asyncio.Event()

    def announced(announcement_id: str, status: str) -> None:
        statuses.append((announcement_id, status))
        changed.set()

    connection.async_add_announced_listener(announced)
    first = await connection.async_announce("The first of many", "en", "low")
    async with asyncio.timeout(SAFETY_LIMIT):
        while (first, "playing") not in statuses:  # it left the queue for the speaker
            changed.clear()
            await changed.wait()
    waiting = [
        await connection.async_announce(f"Waiting number {n}", "en", "low")
        for n in range(MAX_QUEUED)
    ]
    assert station.announcer.queued == MAX_QUEUED
    said = await connection.async_say_now("Testing the speaker", "en", priority="alarm")
    assert said.startswith("say-now-")
    assert said not in waiting and said != first
    dropped = [(i, s) for i, s in statuses if s == "dropped"]
    assert dropped == [(waiting[-1], "dropped")]  # the newest of the least urgent gave way
    # when say_now returns, its own announcement's answer has come, after the other's
    assert statuses.index(dropped[0]) < statuses.index((said, "queued"))


async def test_a_request_cancelled_as_its_answer_arrives_leaves_nothing_behind(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    station: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The answer (here the station's error; "connection lost" alike) comes while the request
    is still being sent, and the request is cancelled before it reads it, as when an entry
    unloads while an announcement is being delivered: the event loop must not report "Future
    exception was never retrieved" (seen once in test_lockout's teardown)."""
    connection = loaded_entry.runtime_data.connection
    session = connection._session
    assert session is not None
    real_send = session.send
    sent = asyncio.Event()

    async def still_sending(event: Event) -> None:
        await real_send(event)
        sent.set()
        await asyncio.Event().wait()  # the write has not returned yet

    monkeypatch.setattr(session, "send", still_sending)
    request = asyncio.create_task(connection.async_request(ping_event(), "bf-never"))
    await sent.wait()
    connection._dispatch(Event("error", {"code": "busy", "text": "busy"}))
    request.cancel()
    await asyncio.wait([request])
    assert request.cancelled()
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        del request
        gc.collect()  # the answer's future is freed: an unread exception is reported now
    finally:
        loop.set_exception_handler(previous)
    assert [context["message"] for context in reported] == []


async def test_heartbeat_keeps_a_quiet_connection(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    station: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Pings go out while the station is quiet; its pongs keep the connection up.

    A connection is given up after PING_INTERVAL + REPLY_TIMEOUT without a word from the
    station (0.55 s here), so by the 30th ping (1.5 s of quiet) only the pongs can have kept it.
    """
    monkeypatch.setattr(const, "PING_INTERVAL", 0.05)
    monkeypatch.setattr(const, "REPLY_TIMEOUT", 0.5)
    pings = 0
    enough = asyncio.Event()

    def counted_ping() -> Event:
        nonlocal pings
        pings += 1
        if pings >= 30:
            enough.set()
        return ping_event()

    monkeypatch.setattr(connection_module, "ping_event", counted_ping)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    connection = config_entry.runtime_data.connection
    async with asyncio.timeout(SAFETY_LIMIT):
        await enough.wait()
    assert connection.connected
    assert connection.reconnects == 0
    assert "unreachable" not in caplog.text
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_room_utterances_reach_their_listener_once_each(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any
) -> None:
    """Each utterance is handed over once, even when it says what the last one said; a
    connectivity change hands over nothing."""
    connection = loaded_entry.runtime_data.connection
    heard: list[str] = []
    two = asyncio.Event()

    def listener(utterance: RoomUtterance) -> None:
        heard.append(utterance.utterance_id)
        if len(heard) == 2:
            two.set()

    unsubscribe = connection.async_add_utterance_listener(listener)
    data = {"utterance_id": "u1", "text": "what time is it", "language": "en"}
    station.broadcast(Event("bf-room-transcript", data))
    station.broadcast(Event("bf-room-transcript", data))
    async with asyncio.timeout(SAFETY_LIMIT):
        await two.wait()
    await station.stop()
    connectivity = entity_id(hass, "binary_sensor", station, "connectivity")
    await wait_for_state(hass, connectivity, lambda s: s is not None and s.state == "off")
    assert heard == ["u1", "u1"]
    unsubscribe()
    await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_silent_station_is_dropped(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    station: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A station that stops answering (hung, cable pulled) is noticed by the heartbeat."""
    caplog.set_level(logging.DEBUG, logger="custom_components.barrier_free")
    monkeypatch.setattr(const, "PING_INTERVAL", 0.05)
    monkeypatch.setattr(const, "REPLY_TIMEOUT", -1.0)  # any silence is too long
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    connectivity = entity_id(hass, "binary_sensor", station, "connectivity")
    await wait_for_state(hass, connectivity, lambda s: s is not None and s.state == "off")
    assert "No answer to ping" in caplog.text
    await hass.config_entries.async_unload(config_entry.entry_id)

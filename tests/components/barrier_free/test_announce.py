"""Announcements made while the station is away wait for it, unless they expire (logged).

A real station on 127.0.0.1 is stopped, announcements are made, and the station is started
again on the same port and state folder: what the station plays is in its `spoken` folder, one
WAV file per sound, named with the announcement's id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.voice.station import wait_until
from voice.station.station import Station

from .conftest import entity_id


def _played(station_dir: Path, ident: str) -> bool:
    return any((station_dir / "spoken").glob(f"*-speech-{ident}.wav"))


async def _stop(station: Station, entry: MockConfigEntry) -> None:
    await station.stop()
    connection = entry.runtime_data.connection
    await wait_until(lambda: not connection.connected, "the station is gone")


async def test_announcement_waits_for_the_station_and_an_expired_one_is_logged(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    station: Station,
    station_factory: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    connection = loaded_entry.runtime_data.connection
    port, state_dir = station.port, Path(str(station.config.state_dir))
    await _stop(station, loaded_entry)
    agent = hass.data["entity_components"]["conversation"].get_entity(
        entity_id(hass, "conversation", station, "conversation")
    )
    await agent.async_announce("The front door was left open.")  # high: 10 minutes
    await connection.async_announce("Your tea is ready.", "en", "low", expires_in=0.05)
    door, tea = connection.announcements.waiting()
    assert door.text == "The front door was left open."
    await wait_until(lambda: dt_util.utcnow().timestamp() > tea.expires_at, "tea is stale")

    restarted = await station_factory(port=port, state_dir=state_dir)
    assert restarted.station_id == station.station_id
    await wait_until(lambda: _played(state_dir, door.id), "the waiting announcement played")
    assert not _played(state_dir, tea.id)
    assert len(connection.announcements) == 0
    expired = [r for r in caplog.records if tea.id in r.getMessage()]
    assert len(expired) == 1
    assert expired[0].levelno == logging.WARNING
    assert "expired" in expired[0].getMessage()
    assert "Your tea is ready." in expired[0].getMessage()
    assert not [r for r in caplog.records if door.id in r.getMessage() and r.levelno >= 30]


async def test_announcement_to_a_present_station_is_said_at_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Station
) -> None:
    connection = loaded_entry.runtime_data.connection
    ident = await connection.async_announce("Dinner is ready.", "en", "normal")
    assert len(connection.announcements) == 0
    state_dir = Path(str(station.config.state_dir))
    await wait_until(lambda: _played(state_dir, ident), "the announcement played")


async def test_unloading_while_the_station_is_away_logs_what_was_not_said(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    station: Station,
    caplog: pytest.LogCaptureFixture,
) -> None:
    connection = loaded_entry.runtime_data.connection
    await _stop(station, loaded_entry)
    ident = await connection.async_announce("The washing is done.", "en", "normal")
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    lost = [r for r in caplog.records if ident in r.getMessage()]
    assert len(lost) == 1
    assert lost[0].levelno == logging.WARNING
    assert "never came back" in lost[0].getMessage()

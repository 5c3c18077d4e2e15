"""Each platform's entities as Home Assistant shows them: registry entries, states and the
station's device, compared with syrupy snapshots (snapshots/test_entities.ambr).

The station's id is new for every test station, so the values made from it (unique ids and the
device identifier) are compared by type; everything else is compared as it is.
"""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

import custom_components.barrier_free as integration
from custom_components.barrier_free.const import DOMAIN

BY_STATION_ID = path_type({"unique_id": (str,), "identifiers": (set,)})


@pytest.mark.parametrize(
    "platform",
    [
        Platform.BINARY_SENSOR,
        Platform.BUTTON,
        Platform.CONVERSATION,
        Platform.SENSOR,
        Platform.STT,
        Platform.TTS,
    ],
)
async def test_platform_entities(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    station: Any,
    snapshot: SnapshotAssertion,
    monkeypatch: pytest.MonkeyPatch,
    platform: Platform,
) -> None:
    monkeypatch.setattr(integration, "PLATFORMS", [platform])
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    entries = er.async_entries_for_config_entry(er.async_get(hass), config_entry.entry_id)
    assert entries
    for entry in entries:
        assert entry.domain == platform
        assert entry.unique_id.startswith(f"{station.station_id}-")
        assert entry == snapshot(name=f"{entry.entity_id}-entry", matcher=BY_STATION_ID)
        assert hass.states.get(entry.entity_id) == snapshot(name=f"{entry.entity_id}-state")
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_station_device(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any, snapshot: SnapshotAssertion
) -> None:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, station.station_id), loaded_entry.entry_id
    )
    assert device is not None
    assert device.identifiers == {(DOMAIN, station.station_id)}
    assert device == snapshot(matcher=BY_STATION_ID)
    await hass.config_entries.async_unload(loaded_entry.entry_id)

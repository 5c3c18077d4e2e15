"""Diagnostics that an installer can attach to a support request, without the token."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .conftest import STATION_NAME


async def test_diagnostics_redact_the_token(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    station: Any,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert station.token not in json.dumps(diagnostics)
    assert diagnostics["entry"]["data"]["token"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["port"] == station.port
    assert diagnostics["station"]["station_id"] == station.station_id
    assert diagnostics["station"]["name"] == STATION_NAME
    assert diagnostics["connection"]["connected"] is True
    assert diagnostics["connection"]["last_error"] is None
    await hass.config_entries.async_unload(loaded_entry.entry_id)

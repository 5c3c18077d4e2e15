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

from custom_components.barrier_free.const import CONF_PIN
from custom_components.barrier_free.household_setup import HouseholdSetup, async_get_household
from custom_components.barrier_free.logic.pin import PinHash

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


async def test_diagnostics_hold_the_household_but_not_the_pin_hash(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
) -> None:
    pin_hash = PinHash.create("4821").to_string()
    hass.config_entries.async_update_entry(
        loaded_entry, options={**loaded_entry.options, CONF_PIN: pin_hash}
    )
    await hass.async_block_till_done()
    setup = HouseholdSetup(("blind",), {"bedside_light": ("light.bedside",)})
    await (await async_get_household(hass)).async_update(setup)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert pin_hash not in json.dumps(diagnostics)
    assert diagnostics["entry"]["options"][CONF_PIN] == "**REDACTED**"
    assert diagnostics["household"] == setup.as_dict()
    await hass.config_entries.async_unload(loaded_entry.entry_id)

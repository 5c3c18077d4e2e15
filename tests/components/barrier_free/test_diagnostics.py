"""Diagnostics that an installer can attach to a support request, without any secret.

The snapshot shows every field, so that a new one cannot leak unnoticed: a new entry field
appears redacted until it is allowed, and any other new field changes the snapshot. Values that
differ from run to run (times, ports, ids) are replaced by their type.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from custom_components.barrier_free.const import CONF_EXTRA_PHRASES, CONF_PIN
from custom_components.barrier_free.household_setup import HouseholdSetup, async_get_household
from custom_components.barrier_free.logic.pin import PinHash
from tests.voice.station import wait_until

from .conftest import STATION_NAME, entry_for

PIN = "97531864"
VOLATILE = path_type(
    {
        r"entry\.data\.(port|pipeline_id)": (int, str),
        r"connection\.(port|connected_since)": (int, str),
        r"station\.(station_id|version)": (str,),
    },
    regex=True,
)


async def test_diagnostics_hold_no_secret(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    station: Any,
    snapshot: SnapshotAssertion,
) -> None:
    pin = PinHash.create(PIN, iterations=1000)
    stored_pin = pin.to_string()
    # The installer's extra phrases are shown: they never hold a PIN (the flow refuses digits).
    extras = {"en": {"big light on": "turn on the kitchen light"}}
    entry: MockConfigEntry = entry_for(
        station, **{CONF_PIN: stored_pin, CONF_EXTRA_PHRASES: extras}
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    connection = entry.runtime_data.connection
    await wait_until(lambda: connection.settings_in_force is not None, "the station's settings")

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics == snapshot(matcher=VOLATILE)
    text = json.dumps(diagnostics)
    for secret in (
        station.token,
        PIN,
        stored_pin,
        base64.b64encode(pin.salt).decode(),
        base64.b64encode(pin.digest).decode(),
        pin.salt.hex(),
        pin.digest.hex(),
    ):
        assert secret not in text
    assert diagnostics["entry"]["data"]["token"] == "**REDACTED**"
    assert diagnostics["entry"]["options"]["pin"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["port"] == station.port
    assert diagnostics["station"]["station_id"] == station.station_id
    assert diagnostics["station"]["name"] == STATION_NAME
    assert diagnostics["connection"]["connected"] is True
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_new_entry_field_is_redacted_until_allowed(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    station: Any,
) -> None:
    """A field some later version adds (a station key, say) never leaves as it is."""
    entry: MockConfigEntry = entry_for(station, future_option="s3cret-option-value")
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "station_key": "s3cret-key-value"}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["entry"]["data"]["station_key"] == "**REDACTED**"
    assert diagnostics["entry"]["options"]["future_option"] == "**REDACTED**"
    assert "s3cret" not in json.dumps(diagnostics)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_secret_inside_any_text_is_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    station: Any,
) -> None:
    """An error message that happened to quote the token does not carry it out."""
    connection = loaded_entry.runtime_data.connection
    connection.last_error = f"station refused token {station.token}"
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert diagnostics["connection"]["last_error"] == "**REDACTED**"
    assert station.token not in json.dumps(diagnostics)
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

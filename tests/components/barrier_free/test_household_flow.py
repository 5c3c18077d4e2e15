"""The household in the options flow, against a real Home Assistant and a real station:
profiles, role binding with suggestions, refused bindings, which scenes wait for which roles,
and export from one home re-bound by area and device class in a differently named one."""

from __future__ import annotations

from typing import Any

import probatio
import yaml  # type: ignore[import-untyped]
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er

from custom_components.barrier_free.const import CONF_PIN, CONF_RATE, DOMAIN
from custom_components.barrier_free.household_setup import HouseholdSetup, async_get_household
from custom_components.barrier_free.logic.pin import PinHash
from voice.station.station import Station

from .conftest import async_setup_resident


async def _menu(hass: HomeAssistant, entry_id: str, step: str) -> Any:
    result = await hass.config_entries.options.async_init(entry_id)
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


def _suggested(result: Any) -> dict[str, Any]:
    # The form as the frontend receives it: every field must serialise.
    assert probatio.to_field_list(result["data_schema"], custom_serializer=cv.custom_serializer)
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


async def test_profiles_then_roles_with_suggestions(hass: HomeAssistant, station: Station) -> None:
    _, _, entry = await async_setup_resident(hass, station, "en")
    options_before = dict(entry.options)
    result = await _menu(hass, entry.entry_id, "profiles")
    assert result["step_id"] == "profiles"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"profiles": ["blind"]}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "roles"
    household = await async_get_household(hass)
    assert household.setup.profiles == ("blind",)

    # Suggestions an installer can accept: by device class, name and room.
    suggested = _suggested(result)
    assert suggested["bedside_light"] == "light.bedside"
    assert sorted(suggested["curtains"]) == ["cover.bedroom_curtain", "cover.living_room_curtain"]
    # Marked sensitive (the test home does), but scenes can only lock it: suggested.
    assert suggested["front_door_lock"] == "lock.front_door"

    # A garage door as curtains would let a scene open it: refused on the form.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**suggested, "curtains": ["cover.garage_door"]}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"curtains": "binding_refused"}
    assert "curtains → cover.garage_door" in result["description_placeholders"]["problems"]
    assert household.setup.bindings == {}

    # Accepted with the entrance light left unbound: the flow says which scenes wait for it.
    chosen = {k: v for k, v in suggested.items() if k != "entrance_light"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], chosen)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "roles_saved"
    waiting = result["description_placeholders"]["waiting"]
    assert "- coming home: entrance light" in waiting
    assert "wake up" not in waiting
    assert "entrance_light" not in household.setup.bindings
    assert household.setup.bindings["bedside_light"] == ("light.bedside",)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(entry.options) == options_before  # nothing of the station changed


async def test_roles_step_keeps_current_bindings_and_unbinds_an_emptied_role(
    hass: HomeAssistant, station: Station
) -> None:
    _, _, entry = await async_setup_resident(hass, station, "en")
    household = await async_get_household(hass)
    await household.async_update(
        HouseholdSetup(
            ("showroom",),
            {
                "bedside_light": ("light.bedroom",),
                "hallway_light": ("light.kitchen",),
                # No showroom scene uses it: kept for when a profile that does comes back.
                "front_door_lock": ("lock.front_door",),
            },
        )
    )
    result = await _menu(hass, entry.entry_id, "roles")
    suggested = _suggested(result)
    assert suggested["bedside_light"] == "light.bedroom"  # the installer's choice, kept
    assert "front_door_lock" not in [str(key) for key in result["data_schema"].schema]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"bedside_light": "light.bedroom"}
    )
    assert result["step_id"] == "roles_saved"
    waiting = result["description_placeholders"]["waiting"].splitlines()
    assert "- coming home: entrance light, hallway light" in waiting
    assert not any(line.startswith("- wake up") for line in waiting)
    assert household.setup.bindings == {
        "bedside_light": ("light.bedroom",),
        "front_door_lock": ("lock.front_door",),
    }


async def test_export_then_import_into_a_differently_named_home(
    hass: HomeAssistant, station: Station
) -> None:
    _, _, entry = await async_setup_resident(hass, station, "en")
    # A PIN is set: it must never travel.
    pin_hash = PinHash.create("73915284").to_string()
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_PIN: pin_hash, CONF_RATE: 140}
    )
    await hass.async_block_till_done()
    bindings = {
        "bedside_light": ("light.bedside",),
        "entrance_light": ("light.entrance",),
        "curtains": ("cover.bedroom_curtain",),
        "front_door_lock": ("lock.front_door",),
    }
    household = await async_get_household(hass)
    await household.async_update(HouseholdSetup(("blind", "elderly"), bindings))

    response = await hass.services.async_call(
        DOMAIN, "export_household", {}, blocking=True, return_response=True
    )
    assert response is not None
    text = str(response["yaml"])
    for secret in (station.token, pin_hash, "73915284", CONF_PIN, "token"):
        assert secret not in text
    document = yaml.safe_load(text)
    assert document["profiles"] == ["blind", "elderly"]
    assert document["speech"]["rate"] == 140
    assert document["roles"]["bedside_light"] == [
        {"name": "bedside lamp", "domain": "light", "area": "bedroom", "aliases": ["reading lamp"]}
    ]
    assert "light.bedside" not in text  # described, never by id

    # The options flow shows the same file to copy.
    result = await _menu(hass, entry.entry_id, "export")
    assert _suggested(result)["household"] == text
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY

    # "The next home": the same rooms, every device named differently, nothing bound yet.
    registry = er.async_get(hass)
    for entity_id, name in (
        ("light.bedside", "night lamp"),
        ("light.entrance", "porch lamp"),
        ("cover.bedroom_curtain", "window drape"),
        ("lock.front_door", "main entry"),
    ):
        registry.async_update_entity(entity_id, name=name, aliases=[])
    await household.async_update(HouseholdSetup())
    await hass.async_block_till_done()

    result = await _menu(hass, entry.entry_id, "import")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"household": "profiles: [blind]\nsecret: !!python/object:os.system"}
    )
    assert result["errors"] == {"household": "import_invalid"}
    assert "household.yaml" in result["description_placeholders"]["problems"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"household": text}
    )
    assert result["step_id"] == "import_confirm"
    shown = result["description_placeholders"]
    # Re-bound by room and device class (the curtain), by room alone where one fits.
    assert "porch lamp (light.entrance)" in shown["matched"]
    assert "window drape (cover.bedroom_curtain)" in shown["matched"]
    # Marked sensitive here, but the front door lock role only ever locks it: bound.
    assert "main entry (lock.front_door)" in shown["matched"]
    # Two lights in the bedroom: the installer chooses.
    assert "bedside lamp → light.bedroom, light.bedside" in shown["ambiguous"]
    assert household.setup == HouseholdSetup()  # nothing saved before the installer agrees

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"apply_speech": False}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert household.setup.profiles == ("blind", "elderly")
    assert household.setup.bindings == {
        "entrance_light": ("light.entrance",),
        "curtains": ("cover.bedroom_curtain",),
        "front_door_lock": ("lock.front_door",),
    }


async def test_import_can_bring_the_speech_settings(hass: HomeAssistant, station: Station) -> None:
    _, _, entry = await async_setup_resident(hass, station, "en")
    text = "barrier_free_household: 1\nlanguage: en\nprofiles: [deaf_hard_of_hearing]\n"
    text += "speech: {rate: 120, volume: 60}\nroles: {}\n"
    result = await _menu(hass, entry.entry_id, "import")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"household": text}
    )
    assert result["description_placeholders"]["matched"] == "-"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"apply_speech": True}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_RATE] == 120
    assert entry.options["volume"] == 60
    assert (await async_get_household(hass)).setup.profiles == ("deaf_hard_of_hearing",)

    result = await _menu(hass, entry.entry_id, "import")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"household": "x" * 200_001}
    )
    assert result["errors"] == {"household": "import_too_big"}

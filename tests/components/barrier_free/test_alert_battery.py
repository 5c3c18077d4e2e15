"""One low-battery threshold: the battery the station announces as low is the battery the
status answer calls low, and the reverse. A real Home Assistant, a real station."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from voice.station.station import Station

from .test_alerts import _household, _ready


async def test_a_battery_at_18_percent_is_announced_and_low_in_the_status(
    hass: HomeAssistant, station: Station
) -> None:
    bindings = {"front_door_lock": ["lock.front_door"]}
    resident, entities, manager, heard = await _ready(hass, station, ("blind",), **bindings)
    owner = MockConfigEntry(domain="test_alerts")
    owner.add_to_hass(hass)
    lock = dr.async_get(hass).async_get_or_create(
        config_entry_id=owner.entry_id, identifiers={("test_alerts", "lock")}, name="Door lock"
    )
    registry = er.async_get(hass)
    for entity_id in ("lock.front_door", "sensor.front_door_battery"):
        registry.async_update_entity(entity_id, device_id=lock.id)
    await _household(hass, ("blind",), **bindings)  # the lock's battery, through its device
    battery = entities["sensor.front_door_battery"]
    battery._attr_native_value = 20  # not low: neither announced nor in the status
    battery.async_write_ha_state()
    await hass.async_block_till_done()
    assert "battery" not in (await resident.say("how is home")).casefold()
    battery._attr_native_value = 18
    battery.async_write_ha_state()
    await heard.until(lambda: bool(heard.items))
    assert [item.text for item in heard.items] == [
        "The battery of the Door lock in the entrance is low."
    ]
    assert [a.kind for a in manager.book.alerts.values()] == ["low_battery"]
    assert "Low battery: Door lock." in await resident.say("how is home")

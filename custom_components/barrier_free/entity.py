"""Base entity: one device per station, available while the station is connected."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN, MANUFACTURER, MODEL
from .data import BarrierFreeConfigEntry


class BarrierFreeEntity(Entity):
    """An entity of a station; unique ids are `<station id>-<key>`."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: BarrierFreeConfigEntry, key: str) -> None:
        data = entry.runtime_data
        self.connection = data.connection
        info = data.info
        self._attr_unique_id = f"{info.station_id}-{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, info.station_id)},
            name=info.name,
            manufacturer=MANUFACTURER,
            model=MODEL,
            sw_version=info.version or None,
        )

    @property
    def available(self) -> bool:
        return self.connection.connected

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(self.connection.async_add_listener(self.async_write_ha_state))


@callback
def async_station_device_id(hass: HomeAssistant, entry_id: str, station_id: str) -> str | None:
    """The device registry id of a station (the room flow's `device_id`)."""
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, station_id), entry_id)
    return device.id if device else None

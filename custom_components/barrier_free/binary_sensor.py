"""Connectivity of the station: on while Home Assistant holds a connection to it."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import BarrierFreeConfigEntry
from .entity import BarrierFreeEntity

PARALLEL_UPDATES = 0  # pushed by the connection, never polled


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BarrierFreeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_entities([BarrierFreeConnectivity(entry)])


class BarrierFreeConnectivity(BarrierFreeEntity, BinarySensorEntity):
    """Whether the station is reachable; itself always available, so "off" can be seen."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "connectivity")

    @property
    def available(self) -> bool:
        return True

    @property
    def is_on(self) -> bool:
        return self.connection.connected

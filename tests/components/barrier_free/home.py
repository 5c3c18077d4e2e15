"""The 21-entity, 5-room test home of tests/logic/home.py as real Home Assistant entities.

A tiny integration (`bf_test_home`) registered in the test provides lights, switches, covers,
a lock, a fan, a thermostat and sensors whose services really change their state. Areas, a floor,
names and aliases are set in Home Assistant's registries in the language of the test;
"bilingual" is a Mandarin home whose entities and areas have their English names as aliases.
"""

from __future__ import annotations

from typing import Any, ClassVar

from homeassistant.components.binary_sensor import BinarySensorDeviceClass, BinarySensorEntity
from homeassistant.components.climate import ClimateEntity, ClimateEntityFeature, HVACMode
from homeassistant.components.cover import CoverDeviceClass, CoverEntity, CoverEntityFeature
from homeassistant.components.fan import FanEntity, FanEntityFeature
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.components.light import ATTR_BRIGHTNESS, ColorMode, LightEntity
from homeassistant.components.lock import LockEntity
from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.components.switch import SwitchEntity
from homeassistant.const import UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)

from tests.logic.home import AREA_ALIASES, AREAS, ENTITY_SPECS, FLOOR, EntitySpec

TEST_DOMAIN = "bf_test_home"
SKIPPED_DOMAINS = ("alarm_control_panel", "media_player")
SENSITIVE = ["lock.front_door", "cover.garage_door"]


class _Base(Entity):
    _attr_should_poll = False

    def __init__(self, spec: EntitySpec, language: str) -> None:
        self._attr_unique_id = spec.entity_id
        self._attr_name = spec.en if language == "en" else spec.zh
        self.entity_id = spec.entity_id
        self.calls: list[str] = []
        self.fail = False  # a device that stops responding

    def _done(self, call: str) -> None:
        if self.fail:
            raise HomeAssistantError(f"{self.entity_id} did not respond")
        self.calls.append(call)
        self.async_write_ha_state()


class FakeLight(_Base, LightEntity):
    _attr_color_mode = ColorMode.BRIGHTNESS
    _attr_supported_color_modes: ClassVar[set[ColorMode]] = {ColorMode.BRIGHTNESS}
    _attr_is_on = False
    _attr_brightness = 128

    async def async_turn_on(self, **kwargs: Any) -> None:
        self._attr_is_on = True
        if ATTR_BRIGHTNESS in kwargs:
            self._attr_brightness = kwargs[ATTR_BRIGHTNESS]
        self._done("turn_on")

    async def async_turn_off(self, **kwargs: Any) -> None:
        self._attr_is_on = False
        self._done("turn_off")


class FakeSwitch(_Base, SwitchEntity):
    _attr_is_on = False

    async def async_turn_on(self, **kwargs: Any) -> None:
        self._attr_is_on = True
        self._done("turn_on")

    async def async_turn_off(self, **kwargs: Any) -> None:
        self._attr_is_on = False
        self._done("turn_off")


class FakeFan(FakeSwitch, FanEntity):
    _attr_supported_features = FanEntityFeature.TURN_ON | FanEntityFeature.TURN_OFF


class FakeCover(_Base, CoverEntity):
    _attr_is_closed = True
    _attr_supported_features = (
        CoverEntityFeature.OPEN | CoverEntityFeature.CLOSE | CoverEntityFeature.SET_POSITION
    )
    _attr_current_cover_position = 0

    async def async_open_cover(self, **kwargs: Any) -> None:
        self._attr_is_closed = False
        self._attr_current_cover_position = 100
        self._done("open_cover")

    async def async_close_cover(self, **kwargs: Any) -> None:
        self._attr_is_closed = True
        self._attr_current_cover_position = 0
        self._done("close_cover")

    async def async_set_cover_position(self, **kwargs: Any) -> None:
        self._attr_current_cover_position = kwargs["position"]
        self._attr_is_closed = kwargs["position"] == 0
        self._done("set_cover_position")


class FakeLock(_Base, LockEntity):
    _attr_is_locked = True

    async def async_lock(self, **kwargs: Any) -> None:
        self._attr_is_locked = True
        self._done("lock")

    async def async_unlock(self, **kwargs: Any) -> None:
        self._attr_is_locked = False
        self._done("unlock")


class FakeClimate(_Base, ClimateEntity):
    _attr_hvac_modes: ClassVar[list[HVACMode]] = [HVACMode.HEAT, HVACMode.OFF]
    _attr_hvac_mode = HVACMode.HEAT
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_current_temperature = 21.0
    _attr_target_temperature = 21.0
    _attr_supported_features = ClimateEntityFeature.TARGET_TEMPERATURE

    async def async_set_temperature(self, **kwargs: Any) -> None:
        self._attr_target_temperature = kwargs["temperature"]
        self._done("set_temperature")


class FakeSensor(_Base, SensorEntity):
    def __init__(self, spec: EntitySpec, language: str) -> None:
        super().__init__(spec, language)
        self._attr_device_class = SensorDeviceClass(spec.device_class)
        if spec.device_class == "temperature":
            self._attr_native_value = 22.5
            self._attr_native_unit_of_measurement = UnitOfTemperature.CELSIUS
        else:
            self._attr_native_value = 80
            self._attr_native_unit_of_measurement = "%"


class FakeBinarySensor(_Base, BinarySensorEntity):
    def __init__(self, spec: EntitySpec, language: str) -> None:
        super().__init__(spec, language)
        self._attr_device_class = BinarySensorDeviceClass(spec.device_class)
        self._attr_is_on = False


_CLASSES: dict[str, type[_Base]] = {
    "light": FakeLight,
    "switch": FakeSwitch,
    "fan": FakeFan,
    "cover": FakeCover,
    "lock": FakeLock,
    "climate": FakeClimate,
    "sensor": FakeSensor,
    "binary_sensor": FakeBinarySensor,
}


def _make(spec: EntitySpec, language: str) -> _Base:
    entity = _CLASSES[spec.entity_id.partition(".")[0]](spec, language)
    if isinstance(entity, FakeCover) and spec.device_class:
        entity._attr_device_class = CoverDeviceClass(spec.device_class)
    return entity


async def async_setup_test_home(hass: HomeAssistant, language: str) -> dict[str, _Base]:
    """Create the home's areas, floor and entities; returns the entities by id."""
    entities = {
        spec.entity_id: _make(spec, language)
        for spec in ENTITY_SPECS
        if spec.entity_id.partition(".")[0] not in SKIPPED_DOMAINS
    }
    domains = sorted({eid.partition(".")[0] for eid in entities})

    mock_integration(hass, MockModule(TEST_DOMAIN))
    for domain in domains:

        async def setup_platform(
            hass: HomeAssistant,
            config: Any,
            add: AddEntitiesCallback,
            discovery_info: Any = None,
            domain: str = domain,
        ) -> None:
            add([e for eid, e in entities.items() if eid.startswith(f"{domain}.")])

        mock_platform(
            hass, f"{TEST_DOMAIN}.{domain}", MockPlatform(async_setup_platform=setup_platform)
        )

    zh = language != "en"
    both = language == "bilingual"
    floor = fr.async_get(hass).async_create(FLOOR[1] if zh else FLOOR[2])
    area_ids: dict[str, str] = {}
    for key, names in AREAS.items():
        area = ar.async_get(hass).async_create(
            names[0] if zh else names[1],
            floor_id=floor.floor_id,
            aliases=set(
                (*AREA_ALIASES["zh"].get(key, ()), names[1], *AREA_ALIASES["en"].get(key, ()))
                if both
                else AREA_ALIASES[language].get(key, ())
            ),
        )
        area_ids[key] = area.id
    for domain in domains:
        assert await async_setup_component(hass, domain, {domain: [{"platform": TEST_DOMAIN}]})
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    for spec in ENTITY_SPECS:
        if spec.entity_id not in entities:
            continue
        aliases = spec.zh_aliases if zh else spec.en_aliases
        if both:
            aliases = (*spec.zh_aliases, spec.en, *spec.en_aliases)
        registry.async_update_entity(
            spec.entity_id, area_id=area_ids[spec.area_id], aliases=[er.COMPUTED_NAME, *aliases]
        )
        async_expose_entity(hass, "conversation", spec.entity_id, spec.entity_id not in SENSITIVE)
    await hass.async_block_till_done()
    return entities

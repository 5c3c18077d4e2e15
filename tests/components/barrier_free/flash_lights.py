"""Real Home Assistant lights for the flash tests, one per kind of lamp a home has.

A tiny integration (`bf_test_lights`) whose lights keep what the light services set: colour in
hs, colour temperature, xy or rgb (with an effect), brightness only, on/off only; one that is
unavailable and one whose calls fail. Each light records the calls it received.
"""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.components.light import (
    ATTR_BRIGHTNESS,
    ATTR_COLOR_TEMP_KELVIN,
    ATTR_EFFECT,
    ATTR_HS_COLOR,
    ATTR_RGB_COLOR,
    ATTR_XY_COLOR,
    ColorMode,
    LightEntity,
    LightEntityFeature,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)

TEST_DOMAIN = "bf_test_lights"
_MODE_OF = {
    ATTR_HS_COLOR: ColorMode.HS,
    ATTR_COLOR_TEMP_KELVIN: ColorMode.COLOR_TEMP,
    ATTR_XY_COLOR: ColorMode.XY,
    ATTR_RGB_COLOR: ColorMode.RGB,
}


class HomeLight(LightEntity):
    _attr_should_poll = False
    _attr_min_color_temp_kelvin = 2000
    _attr_max_color_temp_kelvin = 6500

    def __init__(self, key: str, modes: set[ColorMode], **attrs: Any) -> None:
        self.entity_id = f"light.{key}"
        self._attr_unique_id = key
        self._attr_name = key.replace("_", " ").title()
        self._attr_supported_color_modes = modes
        self._attr_color_mode = attrs.pop("color_mode", next(iter(modes)))
        self._attr_is_on = attrs.pop("is_on", False)
        self._attr_available = attrs.pop("available", True)
        self._attr_supported_features = attrs.pop("features", LightEntityFeature(0))
        self._attr_effect_list = attrs.pop("effect_list", None)
        if self._attr_effect_list:
            self._attr_supported_features |= LightEntityFeature.EFFECT
        self.fail = attrs.pop("fail", False)
        self.hang: asyncio.Event | None = None  # set: every call waits for it (no answer)
        for name, value in attrs.items():
            setattr(self, f"_attr_{name}", value)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._received("turn_on", kwargs)
        self._attr_is_on = True
        for key, mode in _MODE_OF.items():
            if key in kwargs:
                setattr(self, f"_attr_{key}", kwargs[key])
                self._attr_color_mode = mode
                self._attr_effect = None  # a colour ends an effect, as real lamps do
        if ATTR_BRIGHTNESS in kwargs:
            self._attr_brightness = kwargs[ATTR_BRIGHTNESS]
        if ATTR_EFFECT in kwargs:
            self._attr_effect = kwargs[ATTR_EFFECT]
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._received("turn_off", kwargs)
        self._attr_is_on = False
        self.async_write_ha_state()

    async def _received(self, service: str, kwargs: dict[str, Any]) -> None:
        if self.hang is not None:
            await self.hang.wait()
        if self.fail:
            raise HomeAssistantError(f"{self.entity_id} did not respond")
        self.calls.append((service, kwargs))


def make_lights() -> dict[str, HomeLight]:
    lights = [
        HomeLight(
            "hall",
            {ColorMode.HS, ColorMode.COLOR_TEMP},
            color_mode=ColorMode.HS,
            features=LightEntityFeature.TRANSITION,
            is_on=True,
            brightness=120,
            hs_color=(200.0, 40.0),
        ),
        HomeLight(
            "bedroom",
            {ColorMode.COLOR_TEMP},
            is_on=True,
            brightness=80,
            color_temp_kelvin=2700,
        ),
        HomeLight("kitchen", {ColorMode.XY}, is_on=True, brightness=200, xy_color=(0.3, 0.4)),
        HomeLight(
            "desk",
            {ColorMode.RGB},
            is_on=True,
            brightness=60,
            rgb_color=(10, 200, 30),
            effect_list=["rainbow", "candle"],
            effect="candle",
        ),
        HomeLight("study", {ColorMode.BRIGHTNESS}, is_on=True, brightness=33),
        HomeLight("porch", {ColorMode.ONOFF}, is_on=False),
        HomeLight("garage", {ColorMode.ONOFF}, is_on=True, available=False),
        HomeLight("attic", {ColorMode.ONOFF}, is_on=True, fail=True),
        HomeLight("cellar", {ColorMode.ONOFF}, is_on=None),  # state unknown
    ]
    return {light.entity_id: light for light in lights}


async def async_setup_lights(hass: HomeAssistant) -> dict[str, HomeLight]:
    lights = make_lights()

    async def setup_platform(
        hass: HomeAssistant, config: Any, add: AddEntitiesCallback, discovery_info: Any = None
    ) -> None:
        add(list(lights.values()))

    mock_integration(hass, MockModule(TEST_DOMAIN))
    mock_platform(hass, f"{TEST_DOMAIN}.light", MockPlatform(async_setup_platform=setup_platform))
    assert await async_setup_component(hass, "light", {"light": [{"platform": TEST_DOMAIN}]})
    await hass.async_block_till_done()
    return lights

"""The one call that puts a light back exactly as it was before an alert flashed it.

Colour is restored in the light's own colour mode (an hs light gets hs_color back, a colour
temperature light its kelvin, an xy light its xy): converting between modes drifts, and a
resident notices a lamp that comes back a slightly different white. Home-Assistant-free.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from .flash_patterns import LightCall

__all__ = ["restore_call"]

# Light attribute that holds the colour for each colour mode (Home Assistant's names).
_COLOUR_ATTRIBUTE: Final = MappingProxyType(
    {
        "hs": "hs_color",
        "rgb": "rgb_color",
        "rgbw": "rgbw_color",
        "rgbww": "rgbww_color",
        "xy": "xy_color",
        "color_temp": "color_temp_kelvin",
    }
)
_NO_EFFECT: Final = frozenset({None, "off", "none", "None"})


def restore_call(state: str, attributes: Mapping[str, Any]) -> LightCall:
    """The call that returns a light to `state` ("on" / "off") with these attributes."""
    if state != "on":
        return LightCall("turn_off", MappingProxyType({}))
    data: dict[str, Any] = {}
    mode = attributes.get("color_mode")
    if mode == "white":
        # A white-channel light is set by the brightness of its white channel.
        data["white"] = attributes.get("brightness") or 255
    else:
        if attributes.get("brightness") is not None:
            data["brightness"] = attributes["brightness"]
        key = _COLOUR_ATTRIBUTE.get(str(mode))
        if key is not None and attributes.get(key) is not None:
            data[key] = attributes[key]
    effect = attributes.get("effect")
    if effect not in _NO_EFFECT and effect in (attributes.get("effect_list") or ()):
        data["effect"] = effect
    return LightCall("turn_on", MappingProxyType(data))

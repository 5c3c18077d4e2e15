"""Alerts aimed at rooms reach every station serving one of them: a station whose options list
several areas gets the announcements for any of those areas, not only for its first. A real
Home Assistant, a real station."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar

from custom_components.barrier_free.const import CONF_AREAS, DOMAIN
from voice.station.station import Station

from .test_alerts import _ready


def _area(hass: HomeAssistant, name: str) -> str:
    area = ar.async_get(hass).async_get_area_by_name(name)
    assert area is not None, name
    return area.id


async def test_a_station_of_several_areas_says_alerts_for_any_of_them(
    hass: HomeAssistant, station: Station
) -> None:
    # the home's areas have ids from their names: the station's options name two of them
    _, _, manager, heard = await _ready(hass, station, options={CONF_AREAS: ["kitchen", "bedroom"]})
    kitchen, bedroom = _area(hass, "kitchen"), _area(hass, "bedroom")
    (served,) = manager.stations()
    assert served.areas == (kitchen, bedroom)

    async def announce(message: str, areas: list[str]) -> None:
        await hass.services.async_call(
            DOMAIN, "announce", {"message": message, "areas": areas}, blocking=True
        )

    await announce("Not for these rooms", [_area(hass, "entrance")])
    await announce("The bedroom window cleaner comes at ten", [bedroom])  # its second area
    await announce("Lunch is in the kitchen", [kitchen])  # its first area
    await heard.until(lambda: bool(heard.said("Lunch is in the kitchen")))
    assert [item.text for item in heard.items] == [
        "The bedroom window cleaner comes at ten",
        "Lunch is in the kitchen",
    ]
    # the announcement for another room went to no station at all
    other = next(a for a in manager.book.alerts.values() if a.texts["en"] == "Not for these rooms")
    assert manager.stations(other) == []

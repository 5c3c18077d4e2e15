"""The phrase list follows the home: the real station receives a new list after a rename or an
area change (debounced), and the list is what the agent understands."""

from __future__ import annotations

from typing import Any

from homeassistant.components.light import ColorMode
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import entity_registry as er

from custom_components.barrier_free.logic.alert_words import phrases as alert_phrases
from tests.voice.station import wait_until
from voice.station.station import Station

from .conftest import async_setup_agent, async_setup_resident
from .home import async_setup_test_home


def _phrases(station: Station) -> list[str]:
    state = station.phrases.get("en")
    return list(state.phrases) if state is not None else []


async def _loaded(hass: HomeAssistant, station: Station) -> Any:
    _, _, entry = await async_setup_resident(hass, station, "en")
    await wait_until(lambda: "turn on kitchen light" in _phrases(station), "first list")
    return entry


async def test_station_gets_the_home_phrase_list(hass: HomeAssistant, station: Station) -> None:
    entry = await _loaded(hass, station)
    phrases = _phrases(station)
    assert "please turn on the living room ceiling light" in phrases
    assert "what time is it" in phrases
    # The front door lock is sensitive: listed for the station, so its agent can confirm it.
    assert any("front door" in p for p in phrases)
    sync = entry.runtime_data.phrase_sync
    await wait_until(lambda: sync.result is not None, "the station's answer")
    assert sync.result.count == len(phrases)
    # the home's phrases and the alert sentences ("got it", "any alerts")
    assert set(phrases) == {*sync.phrases, *alert_phrases("en")}
    assert "got it" in phrases
    assert sync.result.version == sync.version


async def test_rename_and_area_change_rebuild_the_list(
    hass: HomeAssistant, station: Station
) -> None:
    await _loaded(hass, station)
    assert "please turn on the kitchen lights" in _phrases(station)
    er.async_get(hass).async_update_entity("light.kitchen", name="stove light")
    await wait_until(
        lambda: any("stove light" in p for p in _phrases(station)), "renamed entity in the list"
    )

    kitchen = ar.async_get(hass).async_get_area_by_name("kitchen")
    assert kitchen is not None
    ar.async_get(hass).async_update(kitchen.id, name="scullery")
    await wait_until(
        lambda: any("scullery" in p for p in _phrases(station)), "renamed area in the list"
    )
    assert "please turn on the scullery lights" in _phrases(station)
    # The old area name is gone (entities whose own names say "kitchen" keep them).
    assert "please turn on the kitchen lights" not in _phrases(station)

    # The only light leaves the scullery: no more "scullery lights" to offer.
    bathroom = ar.async_get(hass).async_get_area_by_name("bathroom")
    assert bathroom is not None
    er.async_get(hass).async_update_entity("light.kitchen", area_id=bathroom.id)
    await wait_until(
        lambda: "please turn on the scullery lights" not in _phrases(station), "moved entity"
    )
    assert any("stove light" in p for p in _phrases(station))


async def test_english_station_gets_no_chinese_names(hass: HomeAssistant, station: Station) -> None:
    """A Mandarin home with English aliases: the English station is given the aliases only."""
    entry = await _loaded(hass, station)
    er.async_get(hass).async_update_entity("light.kitchen", name="厨房灯")
    sync = entry.runtime_data.phrase_sync
    await wait_until(lambda: any("厨房灯" in p for p in sync.phrases.phrases), "rebuilt list")
    await wait_until(lambda: sync.result.version == sync.version, "the station's answer")
    assert not any("厨房" in p for p in _phrases(station))
    assert not sync.result.unusable


async def test_an_on_off_light_gets_no_brightness_sentences(
    hass: HomeAssistant, station: Station
) -> None:
    """A light that only switches (supported_color_modes: onoff) is offered on and off, never
    a brightness; a dimmable light keeps its brightness sentences."""
    entities = await async_setup_test_home(hass, "en")
    lamp = entities["light.bedside"]
    lamp._attr_supported_color_modes = {ColorMode.ONOFF}  # type: ignore[attr-defined]
    lamp._attr_color_mode = ColorMode.ONOFF  # type: ignore[attr-defined]
    lamp.async_write_ha_state()
    _, entry = await async_setup_agent(hass, station, "en")
    sync = entry.runtime_data.phrase_sync
    await wait_until(lambda: sync.result is not None, "the station's answer")
    phrases = sync.phrases

    def about(name: str, intent: str) -> list[str]:
        return [p for p in phrases if name in p and phrases.intents[p] == intent]

    assert about("bedside lamp", "HassTurnOn")
    assert not about("bedside lamp", "HassLightSet")
    assert not about("reading lamp", "HassLightSet")
    assert about("kitchen light", "HassLightSet")

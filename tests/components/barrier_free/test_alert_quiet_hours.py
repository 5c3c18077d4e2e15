"""Quiet hours set in the options flow (the household's: every station's options alike) and read
by alerts: info and warnings wait, alarms are never held. A real Home Assistant, real stations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util

from custom_components.barrier_free.const import (
    CONF_QUIET_END,
    CONF_QUIET_START,
    CONF_TOKEN,
    DOMAIN,
)
from voice.station.station import Station

from .conftest import entry_for
from .test_alerts import _flip, _ready


async def _quiet_form(hass: HomeAssistant, entry_id: str) -> Any:
    result = await hass.config_entries.options.async_init(entry_id)
    assert result["type"] is FlowResultType.MENU
    assert "quiet_hours" in result["menu_options"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "quiet_hours"}
    )
    assert result["type"] is FlowResultType.FORM and result["step_id"] == "quiet_hours"
    return result


async def test_quiet_hours_form_checks_and_saves_for_every_station(
    hass: HomeAssistant, station: Station, station_factory: Callable[..., Any]
) -> None:
    _, _, _, _ = await _ready(hass, station)
    other_station = await station_factory(name="Bedroom")
    other = entry_for(other_station)
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    await hass.async_block_till_done()
    first = next(e for e in hass.config_entries.async_entries(DOMAIN) if e is not other)
    connection = first.runtime_data.connection

    result = await _quiet_form(hass, first.entry_id)
    flow_id = result["flow_id"]
    # only one of the two times
    result = await hass.config_entries.options.async_configure(
        flow_id, {CONF_QUIET_START: "22:00:00"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "quiet_hours_incomplete"}
    # an end equal to the start is no time at all
    result = await hass.config_entries.options.async_configure(
        flow_id, {CONF_QUIET_START: "22:00:00", CONF_QUIET_END: "22:00"}
    )
    assert result["errors"] == {CONF_QUIET_END: "quiet_hours_empty"}
    result = await hass.config_entries.options.async_configure(
        flow_id, {CONF_QUIET_START: "22:00:00", CONF_QUIET_END: "07:00:00"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    for entry in hass.config_entries.async_entries(DOMAIN):
        assert entry.options[CONF_QUIET_START] == "22:00:00"
        assert entry.options[CONF_QUIET_END] == "07:00:00"
        assert entry.options["language"] == "en"  # the rest of the options kept
    # nothing reloaded: the same connection serves the station
    assert first.runtime_data.connection is connection
    # shown again with the saved times; emptied, there are no quiet hours any more
    result = await _quiet_form(hass, other.entry_id)
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested == {CONF_QUIET_START: "22:00:00", CONF_QUIET_END: "07:00:00"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    for entry in hass.config_entries.async_entries(DOMAIN):
        assert CONF_QUIET_START not in entry.options and CONF_QUIET_END not in entry.options


async def test_quiet_hours_from_the_form_hold_a_warning_but_not_an_alarm(
    hass: HomeAssistant, station: Station
) -> None:
    resident, entities, manager, heard = await _ready(
        hass,
        station,
        leak_sensor=["binary_sensor.kitchen_leak"],
        doorbell=["binary_sensor.front_doorbell"],
    )
    entry = next(iter(hass.config_entries.async_entries(DOMAIN)))
    now = dt_util.now()
    result = await _quiet_form(hass, entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_QUIET_START: (now - timedelta(hours=1)).strftime("%H:%M:00"),
            CONF_QUIET_END: (now + timedelta(hours=1)).strftime("%H:%M:00"),
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    hass.states.async_set("binary_sensor.front_doorbell", "on", {"friendly_name": "Doorbell"})
    _flip(entities, "binary_sensor.kitchen_leak", True)
    await heard.until(lambda: bool(heard.said("water leak")))
    bell = next(a for a in manager.book.alerts.values() if a.kind == "doorbell")
    assert bell.held and bell.said == 0
    assert heard.said("at the door") == []
    # what is held is still named when the resident asks
    summary = await resident.say("any alerts")
    assert summary.startswith("2 alerts waiting: Alarm: the kitchen leak sensor")
    assert "someone is at the door" in summary.lower()


async def test_a_station_added_later_gets_the_households_quiet_hours(
    hass: HomeAssistant, station: Station, station_factory: Callable[..., Any]
) -> None:
    _, _, manager, heard = await _ready(hass, station, doorbell=["binary_sensor.front_doorbell"])
    first = next(iter(hass.config_entries.async_entries(DOMAIN)))
    now = dt_util.now()
    quiet = {
        CONF_QUIET_START: (now - timedelta(hours=1)).strftime("%H:%M:00"),
        CONF_QUIET_END: (now + timedelta(hours=1)).strftime("%H:%M:00"),
    }
    result = await _quiet_form(hass, first.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], quiet)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # a second station, added by the installer afterwards
    bedroom = await station_factory(name="Bedroom")
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: bedroom.port, CONF_TOKEN: bedroom.token},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    added = result["result"]
    assert {key: added.options.get(key) for key in quiet} == quiet
    # its own options form shows them
    result = await _quiet_form(hass, added.entry_id)
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested == quiet
    # with the first station gone, the household still has its quiet hours: a doorbell waits
    assert await hass.config_entries.async_remove(first.entry_id)
    await hass.async_block_till_done()
    hass.states.async_set("binary_sensor.front_doorbell", "on", {"friendly_name": "Doorbell"})
    await hass.async_block_till_done()
    bell = next(a for a in manager.book.alerts.values() if a.kind == "doorbell")
    assert bell.held and bell.said == 0
    assert heard.said("at the door") == []

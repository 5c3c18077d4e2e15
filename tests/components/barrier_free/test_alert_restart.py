"""Open alerts survive a restart of Home Assistant (the integration's `Store`): an alarm still
unacknowledged is said again, what expired meanwhile is logged and dropped. A real Home
Assistant (its storage as the harness keeps it), a real station."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.barrier_free.alert_store import STORAGE_KEY, STORAGE_VERSION
from custom_components.barrier_free.alerts import DATA
from custom_components.barrier_free.const import DOMAIN
from custom_components.barrier_free.logic.alert_kinds import alert_text
from custom_components.barrier_free.logic.alerts import AlertBook, Policy
from voice.station.station import Station

from .conftest import async_setup_resident
from .test_alerts import Heard, _flip, _household, _logbook, _ready


async def test_an_unacknowledged_alarm_is_said_again_after_a_reload(
    hass: HomeAssistant, station: Station, hass_storage: dict[str, Any]
) -> None:
    resident, entities, manager, heard = await _ready(
        hass, station, leak_sensor=["binary_sensor.kitchen_leak"]
    )
    manager.book.policy = Policy(alarm_repeats=1)  # said once, then waits for "got it"
    _flip(entities, "binary_sensor.kitchen_leak", True)
    await heard.until(lambda: len(heard.said("water leak")) == 1)
    leak = next(a for a in manager.book.alerts.values() if a.kind == "leak")
    assert leak.open and manager.book.next_wakeup() is None  # said as often as allowed
    entry = next(iter(hass.config_entries.async_entries(DOMAIN)))

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert DATA not in hass.data
    saved = hass_storage[STORAGE_KEY]["data"]
    assert [a["id"] for a in saved["alerts"]] == [leak.id]

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    restarted = hass.data[DATA]
    assert restarted is not manager
    await heard.until(lambda: len(heard.said("water leak")) == 2)  # said again, nobody answered
    (again,) = restarted.book.unacknowledged()
    assert again.id == leak.id and again.kind == "leak"
    assert await resident.say("got it") == "OK, 1 alert acknowledged."
    # the sensor still wet after the restart is not a new leak: the one alert, acknowledged
    _flip(entities, "binary_sensor.kitchen_leak", False)
    _flip(entities, "binary_sensor.kitchen_leak", True)
    assert [a.kind for a in restarted.book.alerts.values()] == ["leak"]


async def test_alerts_saved_by_an_earlier_home_assistant_are_said_or_dropped(
    hass: HomeAssistant, station: Station, hass_storage: dict[str, Any]
) -> None:
    """What a Home Assistant that stopped an hour ago left: a smoke alarm nobody answered and a
    doorbell that has expired since (it was worth saying for two minutes)."""
    before = dt_util.utcnow().timestamp() - 3600
    book = AlertBook()
    for kind, device, room in (("smoke", "Smoke alarm", "kitchen"), ("doorbell", "Bell", None)):
        texts = {lang: alert_text(kind, device, room, lang) for lang in ("zh", "en")}
        book.raise_alert(kind, texts, before, source=f"binary_sensor.{kind}")
    book.due(before, 0)  # both said once before the stop
    hass_storage[STORAGE_KEY] = {
        "version": STORAGE_VERSION,
        "minor_version": 1,
        "key": STORAGE_KEY,
        "data": book.as_dict(),
    }
    logbook = _logbook(hass)
    heard = Heard(station)
    resident, _, _ = await async_setup_resident(hass, station, "en")
    await _household(hass, ("blind",))
    manager = hass.data[DATA]
    await heard.until(lambda: bool(heard.said("smoke or gas")))
    assert (
        heard.items[0].text
        == "Alarm: the Smoke alarm in the kitchen detects smoke or gas! Leave now."
    )
    assert heard.said("at the door") == []
    assert any("doorbell (warning) expired while Home Assistant was stopped" in m for m in logbook)
    assert [a.kind for a in manager.book.alerts.values()] == ["smoke"]
    summary = await resident.say("any alerts")
    assert summary.startswith("One alert waiting: Alarm: the Smoke alarm in the kitchen")
    # new alerts do not reuse the ids of the restored ones
    alert = manager.announce(
        {"en": "Tea", "zh": "茶"},
        priority="info",
        chime=None,
        expires_in=None,
        requires_ack=False,
        visual=None,
    )
    assert alert.id not in {"smoke-0", "doorbell-1"}


async def test_saved_alerts_of_another_shape_are_reported_not_used(
    hass: HomeAssistant, station: Station, hass_storage: dict[str, Any], caplog: Any
) -> None:
    hass_storage[STORAGE_KEY] = {
        "version": STORAGE_VERSION,
        "minor_version": 1,
        "key": STORAGE_KEY,
        "data": {"alerts": [{"id": "x", "kind": "nonsense"}], "last": [], "next_id": 0},
    }
    resident, _, _ = await async_setup_resident(hass, station, "en")
    assert "The saved alerts cannot be used" in caplog.text
    assert await resident.say("any alerts") == "There are no alerts waiting."

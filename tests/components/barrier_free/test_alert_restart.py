"""Open alerts survive a restart of Home Assistant (the integration's `Store`): an alarm still
unacknowledged is said again (and flashed again for a deaf household), what expired meanwhile
is logged and dropped. A real Home Assistant (its storage as the harness keeps it), a real
station, real lights."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.barrier_free.alert_store import STORAGE_KEY, STORAGE_VERSION
from custom_components.barrier_free.alerts import DATA
from custom_components.barrier_free.const import DOMAIN
from custom_components.barrier_free.flash import flash_alerts
from custom_components.barrier_free.logic.alert_kinds import alert_text
from custom_components.barrier_free.logic.alerts import AlertBook, Policy
from custom_components.barrier_free.logic.flash_patterns import pattern_for
from voice.station.station import Station

from .conftest import async_setup_agent, async_setup_resident
from .home import async_setup_test_home
from .test_alerts import Heard, _flip, _household, _logbook, _ready
from .test_flash import StepClock


def _saved(hass_storage: dict[str, Any], book: AlertBook) -> None:
    """What the Home Assistant that stopped left in its storage."""
    hass_storage[STORAGE_KEY] = {
        "version": STORAGE_VERSION,
        "minor_version": 1,
        "key": STORAGE_KEY,
        "data": book.as_dict(),
    }


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
    _saved(hass_storage, book)
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


async def test_an_unanswered_alarm_flashes_again_after_a_restart_and_lights_come_back(
    hass: HomeAssistant, station: Station, hass_storage: dict[str, Any]
) -> None:
    """A deaf household's smoke alarm (spoken and flashed) nobody answered before Home
    Assistant stopped: after the restart it is said again and flashed again in the smoke
    pattern, and every light ends exactly as it was when the flash began."""
    before_stop = dt_util.utcnow().timestamp() - 600
    book = AlertBook()
    texts = {lang: alert_text("smoke", "Smoke alarm", "kitchen", lang) for lang in ("zh", "en")}
    smoke = book.raise_alert(
        "smoke", texts, before_stop, source="binary_sensor.kitchen_smoke", flash=True
    )
    assert smoke is not None and smoke.requires_ack
    book.due(before_stop, 0)  # said (and flashed) once before the stop
    _saved(hass_storage, book)
    # The home and the household as they were (both kept by Home Assistant), a light on
    # at a brightness of the resident's, then the integration starts.
    await async_setup_test_home(hass, "en")
    lights = ("light.bedroom", "light.kitchen")
    await _household(
        hass,
        ("deaf_hard_of_hearing",),
        smoke_sensor=["binary_sensor.kitchen_smoke"],
        flash_lights=list(lights),
    )
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.kitchen", "brightness": 77}, blocking=True
    )

    def seen() -> dict[str, tuple[str, dict[str, Any]]]:
        found = {}
        for light in lights:
            state = hass.states.get(light)
            assert state is not None
            found[light] = (state.state, dict(state.attributes))
        return found

    before = seen()
    clock = StepClock(seen)
    flash_alerts(hass, clock)
    heard = Heard(station)
    logbook = _logbook(hass)
    await async_setup_agent(hass, station, "en")
    await clock.waiting()  # the pattern's first step is on the lights
    assert seen() != before
    await heard.until(lambda: bool(heard.said("smoke or gas")))  # said again as well
    assert any(f"smoke (alarm) flashed on {', '.join(lights)}" in m for m in logbook), logbook
    clock.run_free()
    await flash_alerts(hass).async_wait(smoke.id)
    # the smoke pattern at the alarm's priority, step by step, then every light as before
    steps = pattern_for("smoke", "alarm").steps
    assert [seconds for seconds, _ in clock.seen] == [step.seconds for step in steps]
    assert all(
        shown != before for (_, shown), step in zip(clock.seen, steps, strict=True) if step.on
    )
    assert seen() == before
    restarted = hass.data[DATA]
    assert [a.id for a in restarted.book.unacknowledged()] == [smoke.id]  # still to answer


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

"""One call for help per request, and the station's "acknowledge alerts" button, in a real Home
Assistant with a real station.

The help scene's phrases ("救命", "call for help", "I need help") are the call for help itself:
the caregiver gets one message (the call's, repeated only at the call's own repeats) and the
lights are turned on once, not once by the scene and again by the call.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import Event, HomeAssistant, ServiceCall, callback
from homeassistant.setup import async_setup_component

from custom_components.barrier_free.alerts import DATA
from custom_components.barrier_free.const import DOMAIN
from custom_components.barrier_free.logic.alerts import Policy
from voice.station.station import Station

from .conftest import SAFETY_LIMIT, async_setup_resident, entity_id
from .test_alerts import HELP_BUTTON, Heard, _flip, _household, _ready

ONE_ROUND = Policy(alarm_interval=SAFETY_LIMIT * 10, warning_interval=SAFETY_LIMIT * 10)


async def _caregiver(hass: HomeAssistant) -> tuple[list[dict[str, Any]], list[str]]:
    """A phone's notify service (records each push) and every notify call made at all."""
    assert await async_setup_component(hass, "notify", {})
    pushes: list[dict[str, Any]] = []
    notify_calls: list[str] = []

    async def phone(call: ServiceCall) -> None:
        pushes.append(dict(call.data))

    hass.services.async_register("notify", "daughters_phone", phone)

    @callback
    def called(event: Event[Any]) -> None:
        if event.data["domain"] == "notify":
            notify_calls.append(str(event.data["service"]))

    hass.bus.async_listen(EVENT_CALL_SERVICE, called)
    return pushes, notify_calls


async def test_the_help_scenes_phrases_are_one_call_for_help(
    hass: HomeAssistant, station: Station
) -> None:
    pushes, notify_calls = await _caregiver(hass)
    resident, entities, manager, heard = await _ready(
        hass,
        station,
        ("blind",),  # its safety pack has the help scene ("call for help", "I need help")
        caregiver_notify=["notify.daughters_phone"],
        path_lights=["light.bedroom"],
        hallway_light=["light.kitchen"],
    )
    manager.book.policy = ONE_ROUND
    answer = await resident.say("call for help")
    assert answer == "I have called for help; the caregiver is being notified."
    await heard.until(lambda: bool(heard.said("caregiver was notified")))
    await hass.async_block_till_done()
    assert notify_calls == ["daughters_phone"]
    assert len(pushes) == 1 and pushes[0]["title"] == "Call for help"
    for light in ("light.bedroom", "light.kitchen"):
        assert entities[light].calls == ["turn_on"]
        state = hass.states.get(light)
        assert state is not None and state.state == "on"
    assert [a.kind for a in manager.book.unacknowledged()] == ["help_pressed"]
    # A phrase of the scene that is not one of the alert sentences is the same call for help
    # (the call already open: answered, nothing sent twice).
    assert await resident.say("I need help") == answer
    await hass.async_block_till_done()
    assert notify_calls == ["daughters_phone"]
    assert [a.kind for a in manager.book.alerts.values()] == ["help_pressed"]


async def test_mandarin_jiuming_is_one_call_for_help(hass: HomeAssistant, station: Station) -> None:
    _, notify_calls = await _caregiver(hass)
    await hass.config.async_update(language="zh-Hans")
    resident, entities, _ = await async_setup_resident(hass, station, "zh")
    await _household(
        hass, ("blind",), caregiver_notify=["notify.daughters_phone"], path_lights=["light.bedroom"]
    )
    manager = hass.data[DATA]
    manager.book.policy = ONE_ROUND
    heard = Heard(station)
    assert await resident.say("救命") == "已经发出求助，正在通知看护人。"
    await heard.until(lambda: bool(heard.said("已经在")))
    await hass.async_block_till_done()
    assert notify_calls == ["daughters_phone"]
    assert entities["light.bedroom"].calls == ["turn_on"]


async def test_the_help_scenes_button_is_the_call_for_help(
    hass: HomeAssistant, station: Station
) -> None:
    _, notify_calls = await _caregiver(hass)
    _, entities, manager, heard = await _ready(
        hass,
        station,
        ("blind",),
        caregiver_notify=["notify.daughters_phone"],
        path_lights=["light.bedroom"],
    )
    manager.book.policy = ONE_ROUND
    button = entity_id(hass, "button", station, "scene-help")
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    await heard.until(lambda: bool(heard.said("caregiver was notified")))
    await hass.async_block_till_done()
    assert heard.said("help key of the Living room station")
    assert notify_calls == ["daughters_phone"]
    assert entities["light.bedroom"].calls == ["turn_on"]


async def test_acknowledge_button_acknowledges_like_got_it(
    hass: HomeAssistant, station: Station
) -> None:
    _, entities, manager, heard = await _ready(
        hass,
        station,
        ("elderly",),
        leak_sensor=["binary_sensor.kitchen_leak"],
        help_button=[HELP_BUTTON],
    )
    button = entity_id(hass, "button", station, "acknowledge")
    state = hass.states.get(button)
    assert state is not None and state.state != "unavailable"
    _flip(entities, "binary_sensor.kitchen_leak", True)
    hass.states.async_set(HELP_BUTTON, "on", {"friendly_name": "Help button"})
    await heard.until(lambda: bool(heard.said("water leak")) and bool(heard.said("help was")))
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    # the leak is acknowledged by the station; the call for help waits for the caregiver
    leak = next(a for a in manager.book.alerts.values() if a.kind == "leak")
    assert leak.acknowledged_by == "Living room" and not leak.open
    assert [a.kind for a in manager.book.unacknowledged()] == ["help_pressed"]
    expected = (
        "OK, 1 alert acknowledged. The call for help stays until the caregiver acknowledges it."
    )
    await heard.until(lambda: bool(heard.said(expected)))
    # pressed again: nothing more to acknowledge, and the station says so
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    await heard.until(lambda: bool(heard.said("There is no alert to acknowledge.")))


async def test_run_scene_on_the_help_scene_is_one_caregiver_series(
    hass: HomeAssistant, station: Station
) -> None:
    pushes, notify_calls = await _caregiver(hass)
    resident, entities, manager, heard = await _ready(
        hass,
        station,
        ("blind",),
        caregiver_notify=["notify.daughters_phone"],
        path_lights=["light.bedroom"],
    )
    manager.book.policy = ONE_ROUND
    entry = next(iter(hass.config_entries.async_loaded_entries(DOMAIN)))
    response = await hass.services.async_call(
        DOMAIN,
        "run_scene",
        {"scene": "help", "station": entry.entry_id},
        blocking=True,
        return_response=True,
    )
    assert response == {
        "scene": "help",
        "summary": "I have called for help; the caregiver is being notified.",
    }
    await heard.until(lambda: bool(heard.said("caregiver was notified")))
    await hass.async_block_till_done()
    # the call's message only: not the scene's own notify step as well
    assert notify_calls == ["daughters_phone"]
    assert len(pushes) == 1 and pushes[0]["title"] == "Call for help"
    assert pushes[0]["data"]["tag"] == "help_pressed-0"
    assert entities["light.bedroom"].calls == ["turn_on"]
    # asked again while the call is open (the action, the phrase): the same call, nothing sent
    await hass.services.async_call(DOMAIN, "run_scene", {"scene": "help"}, blocking=True)
    assert (
        await resident.say("call for help")
        == "I have called for help; the caregiver is being notified."
    )
    await hass.async_block_till_done()
    assert notify_calls == ["daughters_phone"]
    assert [a.kind for a in manager.book.alerts.values()] == ["help_pressed"]
    # the caregiver's acknowledgement ends the one series
    manager.acknowledge("The caregiver", "help_pressed-0")
    await heard.until(lambda: bool(heard.said("acknowledged the call for help")))
    assert manager.book.unacknowledged() == []

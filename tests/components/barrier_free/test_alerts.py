"""Alerts in a real Home Assistant with a real station: events of bound roles are spoken on the
station, alarms interrupt and repeat until "got it", quiet hours hold info only, a flapping
sensor gives one announcement, help calls turn the lights on and notify the caregiver until
someone acknowledges, and every step is in the logbook."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components import persistent_notification
from homeassistant.const import EVENT_LOGBOOK_ENTRY
from homeassistant.core import Event, HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from wyoming.event import Event as WyomingEvent

from custom_components.barrier_free.alerts import DATA, AlertManager
from custom_components.barrier_free.const import DOMAIN
from custom_components.barrier_free.flash import flash_alerts
from custom_components.barrier_free.household_setup import HouseholdSetup, async_get_household
from custom_components.barrier_free.logic.alerts import Policy
from tests.voice.station import wait_until
from voice.audio import read_wav
from voice.recognition.recognizer import load_recognizer
from voice.speech.announce import Announcement
from voice.station.station import Station

from .conftest import SAFETY_LIMIT, Resident, async_setup_resident

DOORBELL = "binary_sensor.front_doorbell"
HELP_BUTTON = "binary_sensor.help_button"
CAREGIVER = "notify.persistent_notification"  # Home Assistant's own notifier: a real one


class Heard:
    """What the station was asked to say, and what became of it (its real announcer)."""

    def __init__(self, station: Station) -> None:
        self.items: list[Announcement] = []
        self.statuses: list[tuple[str, str]] = []
        self._changed = asyncio.Condition()
        announcer = station.announcer
        submit = announcer.submit

        def spy(item: Announcement) -> Announcement:
            report = item.on_status

            def status(each: Announcement, what: str, err: Any) -> None:
                self.statuses.append((each.id, what))
                self._wake()
                if report is not None:
                    report(each, what, err)

            item.on_status = status
            self.items.append(item)
            self._wake()
            return submit(item)

        announcer.submit = spy  # type: ignore[method-assign,assignment]

    def _wake(self) -> None:
        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        asyncio.get_running_loop().create_task(notify())

    async def until(self, condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(SAFETY_LIMIT), self._changed:
            await self._changed.wait_for(condition)

    def said(self, words: str) -> list[Announcement]:
        return [item for item in self.items if words.casefold() in item.text.casefold()]

    def status_of(self, item: Announcement) -> list[str]:
        return [what for ident, what in self.statuses if ident == item.id]


async def _household(hass: HomeAssistant, profiles: tuple[str, ...], **bindings: Any) -> None:
    store = await async_get_household(hass)
    await store.async_update(
        HouseholdSetup(profiles, {role: tuple(ids) for role, ids in bindings.items()})
    )


def _add_device(hass: HomeAssistant, entity_id: str, name: str, area: str, state: str) -> None:
    """An entity of another integration, in an area (the doorbell, the help button)."""
    registry = er.async_get(hass)
    domain, _, object_id = entity_id.partition(".")
    entry = registry.async_get_or_create(
        domain, "test_alerts", object_id, suggested_object_id=object_id
    )
    area_id = ar.async_get(hass).async_get_area_by_name(area)
    assert area_id is not None
    registry.async_update_entity(entry.entity_id, area_id=area_id.id)
    hass.states.async_set(entity_id, state, {"friendly_name": name})


def _flip(entities: dict[str, Any], entity_id: str, on: bool) -> None:
    entity = entities[entity_id]
    entity._attr_is_on = on
    entity.async_write_ha_state()


async def _ready(
    hass: HomeAssistant,
    station: Station,
    profiles: tuple[str, ...] = ("blind",),
    options: dict[str, Any] | None = None,
    **bindings: Any,
) -> tuple[Resident, dict[str, Any], AlertManager, Heard]:
    resident, entities, _ = await async_setup_resident(hass, station, "en", **(options or {}))
    _add_device(hass, DOORBELL, "Front doorbell", "entrance", "off")
    _add_device(hass, HELP_BUTTON, "Help button", "bedroom", "off")
    await _household(hass, profiles, **bindings)
    manager = hass.data[DATA]
    # Short repeats: the station still plays every announcement at its real pace.
    manager.book.policy = Policy(alarm_repeats=4, alarm_interval=0.5, warning_interval=0.5)
    manager.minute = 0.02
    return resident, entities, manager, Heard(station)


class Logbook(list[str]):
    """The integration's logbook entries, as Home Assistant's logbook receives them."""

    def __init__(self, hass: HomeAssistant) -> None:
        super().__init__()
        self._changed = asyncio.Event()

        @callback
        def heard(event: Event[Any]) -> None:
            if event.data.get("domain") == DOMAIN:
                self.append(str(event.data["message"]))
                self._changed.set()

        hass.bus.async_listen(EVENT_LOGBOOK_ENTRY, heard)

    def mentions(self, words: str) -> int:
        return sum(words in message for message in self)

    async def until(self, condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(SAFETY_LIMIT):
            while not condition():
                self._changed.clear()
                await self._changed.wait()


def _logbook(hass: HomeAssistant) -> Logbook:
    return Logbook(hass)


async def test_doorbell_is_spoken_on_the_station_naming_device_and_room(
    hass: HomeAssistant, station: Station
) -> None:
    _, _, manager, heard = await _ready(hass, station, doorbell=[DOORBELL])
    manager.book.policy = Policy(warning_interval=SAFETY_LIMIT * 10)  # no repeat during the test
    logbook = _logbook(hass)
    hass.states.async_set(DOORBELL, "on", {"friendly_name": "Front doorbell"})
    await heard.until(lambda: bool(heard.items) and "done" in heard.status_of(heard.items[0]))
    item = heard.items[0]
    assert item.text == "Someone is at the door: the Front doorbell in the entrance rang."
    assert item.chime == "doorbell"
    assert item.priority.name == "HIGH"  # a warning
    assert item.language == "en"
    # The WAV the station played, decoded again: the doorbell's sentence, not another alert's.
    wavs = sorted(Path(str(station.config.state_dir)).parent.rglob("*.wav"))
    speech = max((read_wav(p.read_bytes(), name=p.name) for p in wavs), key=lambda w: len(w.data))
    recognizer = await hass.async_add_executor_job(load_recognizer, "en")
    try:
        candidates = [
            "someone is at the door the front doorbell in the entrance rang",
            "alarm the kitchen smoke detector detects smoke or gas leave now",
            "the battery of the front doorbell in the entrance is low",
            "the front door sensor has been open for three minutes",
        ]
        recognizer.set_phrases(candidates)
        result = await hass.async_add_executor_job(recognizer.transcribe, speech.data, speech.rate)
    finally:
        recognizer.close()
    assert result.phrase == candidates[0]
    assert any("doorbell (warning) raised" in m for m in logbook)
    assert any(m.startswith("doorbell (warning) spoken at Living room") for m in logbook), logbook
    # a warning repeats a few times unless acknowledged: acknowledged by the action
    await hass.services.async_call(DOMAIN, "acknowledge", {"by": "Grandson"}, blocking=True)
    assert manager.book.unacknowledged() == []
    assert any("acknowledged by Grandson" in m for m in logbook)
    assert len(heard.items) == 1


async def test_alarm_interrupts_info_and_repeats_until_got_it(
    hass: HomeAssistant, station: Station
) -> None:
    resident, entities, manager, heard = await _ready(
        hass, station, leak_sensor=["binary_sensor.kitchen_leak"]
    )
    long_info = " ".join(["This is a long message about the weather tomorrow."] * 4)
    await hass.services.async_call(
        DOMAIN, "announce", {"message": long_info, "priority": "info"}, blocking=True
    )
    await heard.until(lambda: bool(heard.items) and "playing" in heard.status_of(heard.items[0]))
    info = heard.items[0]
    _flip(entities, "binary_sensor.kitchen_leak", True)
    await heard.until(lambda: "interrupted" in heard.status_of(info))
    # repeated: said again while nobody acknowledges
    await heard.until(lambda: len(heard.said("water leak")) >= 2)
    alarm = heard.said("water leak")[0]
    # the room is in the sensor's name already: not said twice
    assert alarm.text == "Alarm: the kitchen leak sensor detects a water leak!"
    assert alarm.priority.name == "ALARM" and alarm.chime == "alarm"
    answer = await resident.say("got it")
    assert answer == "OK, 1 alert acknowledged."
    leak = next(a for a in manager.book.alerts.values() if a.kind == "leak")
    assert leak.acknowledged_by == "Living room"
    assert not leak.open
    assert manager.book.next_wakeup() is None  # nothing is scheduled to say it again
    # the info was interrupted, not lost: played again from the start
    await heard.until(lambda: "done" in heard.status_of(info))
    assert await resident.say("got it") == "There is no alert to acknowledge."


async def test_alarm_repeats_are_bounded(hass: HomeAssistant, station: Station) -> None:
    _, entities, manager, heard = await _ready(
        hass, station, smoke_sensor=["binary_sensor.kitchen_smoke"]
    )
    manager.book.policy = Policy(alarm_repeats=2, alarm_interval=0.05)
    _flip(entities, "binary_sensor.kitchen_smoke", True)
    await heard.until(lambda: len(heard.said("smoke")) == 2)
    smoke = next(a for a in manager.book.alerts.values() if a.kind == "smoke")
    assert smoke.said == 2 and smoke.open  # still waiting for an acknowledgement
    assert manager.book.next_wakeup() is None
    # the smoke clearing does not acknowledge it; the summary still names it
    _flip(entities, "binary_sensor.kitchen_smoke", False)
    assert smoke.open


async def test_quiet_hours_hold_info_but_not_alarms(hass: HomeAssistant, station: Station) -> None:
    now = dt_util.now()
    quiet = {
        "quiet_start": (now - timedelta(hours=1)).strftime("%H:%M"),
        "quiet_end": (now + timedelta(hours=1)).strftime("%H:%M"),
    }
    resident, entities, manager, heard = await _ready(
        hass,
        station,
        options=quiet,
        leak_sensor=["binary_sensor.kitchen_leak"],
        door_sensor=["binary_sensor.front_door"],
    )
    # the door left open first (a warning), then the leak (an alarm)
    _flip(entities, "binary_sensor.front_door", True)
    door = await _wait_alert(hass, manager, "door_left_open")
    _flip(entities, "binary_sensor.kitchen_leak", True)
    await heard.until(lambda: bool(heard.said("water leak")))
    assert door.held and door.said == 0
    assert heard.said("has been open") == []
    # what is held is still in the summary
    summary = await resident.say("any alerts")
    assert summary.startswith("2 alerts waiting: Alarm: the kitchen leak sensor")
    assert "the front door sensor in the entrance has been open for 3 minutes" in summary.lower()


async def _wait_alert(hass: HomeAssistant, manager: AlertManager, kind: str) -> Any:
    async with asyncio.timeout(SAFETY_LIMIT):
        while not any(a.kind == kind for a in manager.book.alerts.values()):  # noqa: ASYNC110
            await asyncio.sleep(0.01)  # the left-open timer has no event of its own
    return next(a for a in manager.book.alerts.values() if a.kind == kind)


async def test_a_flapping_door_sensor_gives_one_announcement(
    hass: HomeAssistant, station: Station
) -> None:
    _, entities, manager, heard = await _ready(
        hass, station, door_sensor=["binary_sensor.front_door"]
    )
    for on in (True, False, True, False, True):  # flaps before the minutes are over
        _flip(entities, "binary_sensor.front_door", on)
    await heard.until(lambda: bool(heard.said("has been open")))
    # closed and opened again within the debounce: left open once more, said no more
    _flip(entities, "binary_sensor.front_door", False)
    _flip(entities, "binary_sensor.front_door", True)
    async with asyncio.timeout(SAFETY_LIMIT):
        while manager.sources.timers:  # noqa: ASYNC110 - the timer has no event
            await asyncio.sleep(0.01)
    await station.announcer.wait_idle()
    assert len(heard.said("has been open")) == 1
    assert [a.kind for a in manager.book.alerts.values()] == ["door_left_open"]
    # closing the door ends the warning's repeats
    _flip(entities, "binary_sensor.front_door", False)
    assert manager.book.unacknowledged() == []


async def test_help_button_lights_notifies_caregiver_until_acknowledged(
    hass: HomeAssistant, station: Station
) -> None:
    assert await async_setup_component(hass, "notify", {})
    await hass.async_block_till_done()
    _, _, manager, heard = await _ready(
        hass,
        station,
        ("elderly",),
        help_button=[HELP_BUTTON],
        caregiver_notify=[CAREGIVER],
        path_lights=["light.bedroom", "light.kitchen"],
    )
    logbook = _logbook(hass)
    hass.states.async_set(HELP_BUTTON, "on", {"friendly_name": "Help button"})
    await heard.until(lambda: bool(heard.said("caregiver was notified")))
    for light in ("light.bedroom", "light.kitchen"):
        state = hass.states.get(light)
        assert state is not None and state.state == "on"
    help_call = heard.said("help was called")[0]
    assert help_call.text == (
        "Help was called with the Help button in the bedroom; the caregiver is being notified."
    )
    assert help_call.priority.name == "ALARM"
    notices = persistent_notification._async_get_or_create_notifications(hass)
    first = [n for n in notices.values() if n["title"] == "Call for help"]
    assert first and "with the Help button in the bedroom at " in first[0]["message"]
    # repeated to the caregiver until someone acknowledges
    await logbook.until(lambda: logbook.mentions("caregiver notified") >= 2)
    assert len(heard.said("help was called")) >= 2
    await hass.services.async_call(DOMAIN, "acknowledge", {"by": "Daughter"}, blocking=True)
    await heard.until(lambda: bool(heard.said("Daughter acknowledged the call for help at")))
    assert manager.book.next_wakeup() is None  # neither said nor sent again
    assert any("caregiver notified with notify.persistent_notification" in m for m in logbook)
    assert any("acknowledged by Daughter" in m for m in logbook)


async def test_saying_help_me_calls_help_without_confirmation(
    hass: HomeAssistant, station: Station
) -> None:
    resident, _, _, heard = await _ready(hass, station)
    assert (
        await resident.say("help me") == "I have called for help; the caregiver is being notified."
    )
    await heard.until(lambda: bool(heard.said("called for help by voice")))
    summary = await resident.say("any alerts")
    assert summary.startswith("One alert waiting: Someone called for help by voice")
    # the resident's own "got it" does not cancel a call for help: the caregiver must answer
    assert await resident.say("got it") == (
        "There is no alert to acknowledge."
        " The call for help stays until the caregiver acknowledges it."
    )
    await hass.services.async_call(DOMAIN, "acknowledge", {"by": "Daughter"}, blocking=True)
    assert await resident.say("any alerts") == "There are no alerts waiting."


async def test_announce_action_to_chosen_areas_and_acknowledge_by_id(
    hass: HomeAssistant, station: Station
) -> None:
    _, _, manager, heard = await _ready(hass, station)
    living = ar.async_get(hass).async_get_area_by_name("living room")
    assert living is not None
    answer = await hass.services.async_call(
        DOMAIN,
        "announce",
        {"message": "Nobody hears this", "areas": ["kitchen"]},
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    await hass.services.async_call(
        DOMAIN,
        "announce",
        {
            "message_zh": "吃饭了",
            "message_en": "Dinner is ready",
            "priority": "warning",
            "stations": [next(iter(hass.config_entries.async_entries(DOMAIN))).entry_id],
            "requires_acknowledgement": True,
            "visual": "announcement",
        },
        blocking=True,
    )
    await heard.until(lambda: bool(heard.said("Dinner is ready")))
    assert heard.said("Nobody hears this") == []
    dinner = next(a for a in manager.book.alerts.values() if a.texts["en"] == "Dinner is ready")
    assert dinner.requires_ack and dinner.open
    done = await hass.services.async_call(
        DOMAIN, "acknowledge", {"alert_id": dinner.id}, blocking=True, return_response=True
    )
    assert done == {"acknowledged": [dinner.id]}
    assert dinner.acknowledged_by == "automation"


async def test_actions_without_a_station_say_so(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(DOMAIN, "acknowledge", {}, blocking=True)
    assert raised.value.translation_key == "no_station"


async def test_low_battery_appliance_and_alarm_panel(hass: HomeAssistant, station: Station) -> None:
    """A bound device's battery sensor (once a day), a washer finishing, the alarm panel."""
    bindings = {
        "front_door_lock": ["lock.front_door"],
        "appliance_power": ["sensor.washer_power"],
        "alarm_panel": ["alarm_control_panel.home"],
    }
    _, entities, manager, heard = await _ready(hass, station, ("blind",), **bindings)
    owner = MockConfigEntry(domain="test_alerts")
    owner.add_to_hass(hass)
    lock_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=owner.entry_id, identifiers={("test_alerts", "lock")}, name="Door lock"
    )
    registry = er.async_get(hass)
    for entity_id in ("lock.front_door", "sensor.front_door_battery"):
        registry.async_update_entity(entity_id, device_id=lock_device.id)
    # the lock's battery is found through its device, when the bindings are read again
    await _household(hass, ("blind",), **bindings)
    battery = entities["sensor.front_door_battery"]
    for level in (12, 40, 10):  # low, charged, low again the same day: said once
        battery._attr_native_value = level
        battery.async_write_ha_state()
    hass.states.async_set("sensor.washer_power", "1500", {"friendly_name": "Washer"})
    hass.states.async_set("sensor.washer_power", "0.5", {"friendly_name": "Washer"})
    hass.states.async_set("alarm_control_panel.home", "armed_away", {"friendly_name": "Alarm"})
    hass.states.async_set("alarm_control_panel.home", "triggered", {"friendly_name": "Alarm"})
    await heard.until(lambda: len(heard.items) >= 3)
    assert sorted(item.text for item in heard.items) == sorted(
        [
            "Alarm: the Alarm has been triggered!",
            "The battery of the Door lock in the entrance is low.",
            "The Washer has finished.",
        ]
    )
    assert [a.kind for a in manager.book.alerts.values()].count("low_battery") == 1
    # disarming ends the panel's alarm, which still waits for an acknowledgement
    hass.states.async_set("alarm_control_panel.home", "disarmed", {"friendly_name": "Alarm"})
    assert [a.kind for a in manager.book.unacknowledged()] == ["alarm_triggered"]


async def test_the_stations_help_key_calls_help(hass: HomeAssistant, station: Station) -> None:
    _, _, manager, heard = await _ready(hass, station)
    station.broadcast(WyomingEvent("bf-button", {"button": "talk", "action": "press"}))
    station.broadcast(WyomingEvent("bf-button", {"button": "help", "action": "press"}))
    await heard.until(lambda: bool(heard.said("help key")))
    assert heard.items[0].text == (
        "Help was called with the help key of the Living room station;"
        " the caregiver is being notified."
    )
    assert [a.kind for a in manager.book.alerts.values()] == ["help_pressed"]


def _light_states(hass: HomeAssistant, lights: tuple[str, ...]) -> dict[str, tuple[str, Any]]:
    found = {}
    for light in lights:
        state = hass.states.get(light)
        assert state is not None
        found[light] = (state.state, state.attributes.get("brightness"))
    return found


async def test_deaf_profile_flashes_the_doorbell_and_restores_every_light(
    hass: HomeAssistant, station: Station
) -> None:
    lights = ("light.bedroom", "light.kitchen")
    _, entities, manager, heard = await _ready(
        hass, station, ("deaf_hard_of_hearing",), doorbell=[DOORBELL], flash_lights=list(lights)
    )
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.kitchen", "brightness": 77}, blocking=True
    )
    before = _light_states(hass, lights)
    flashing = flash_alerts(hass, clock=lambda _seconds: asyncio.sleep(0))  # no waiting
    logbook = _logbook(hass)
    hass.states.async_set(DOORBELL, "on", {"friendly_name": "Front doorbell"})
    await hass.async_block_till_done()
    bell = next(a for a in manager.book.alerts.values() if a.kind == "doorbell")
    assert bell.flash and not bell.speak
    await flashing.async_wait(bell.id)
    assert entities["light.bedroom"].calls[:1] == ["turn_on"]  # it did flash
    assert _light_states(hass, lights) == before
    assert heard.items == []  # flash only: nothing said
    assert any("flashed on light.bedroom, light.kitchen" in m for m in logbook)


async def test_acknowledging_an_alarm_stops_its_flash(
    hass: HomeAssistant, station: Station
) -> None:
    lights = ("light.bedroom",)
    resident, entities, manager, heard = await _ready(
        hass,
        station,
        ("deaf_hard_of_hearing",),
        smoke_sensor=["binary_sensor.kitchen_smoke"],
        flash_lights=list(lights),
    )
    before = _light_states(hass, lights)
    release = asyncio.Event()

    async def held(_seconds: float) -> None:
        await release.wait()  # the pattern stays on its first step until the test lets go

    flashing = flash_alerts(hass, clock=held)
    _flip(entities, "binary_sensor.kitchen_smoke", True)
    await heard.until(lambda: bool(heard.said("smoke")))  # smoke: spoken and flashed
    smoke = next(a for a in manager.book.alerts.values() if a.kind == "smoke")
    assert _light_states(hass, lights) != before
    assert await resident.say("got it") == "OK, 1 alert acknowledged."
    await flashing.async_wait(smoke.id)
    assert _light_states(hass, lights) == before


async def test_a_doorbell_while_the_station_is_away_is_said_when_it_is_back(
    hass: HomeAssistant, station: Station, station_factory: Callable[..., Any]
) -> None:
    _, _, manager, _ = await _ready(hass, station, doorbell=[DOORBELL])
    logbook = _logbook(hass)
    entry = next(iter(hass.config_entries.async_loaded_entries(DOMAIN)))
    connection = entry.runtime_data.connection
    port, state_dir = station.port, Path(str(station.config.state_dir))
    await station.stop()
    await wait_until(lambda: not connection.connected, "the station is gone")
    hass.states.async_set(DOORBELL, "on", {"friendly_name": "Front doorbell"})
    await logbook.until(lambda: logbook.mentions("(waiting: away)") >= 1)
    (waiting,) = connection.announcements.waiting()
    assert waiting.text == "Someone is at the door: the Front doorbell in the entrance rang."
    restarted = await station_factory(port=port, state_dir=state_dir)
    back = Heard(restarted)
    await back.until(lambda: bool(back.said("Someone is at the door")))
    assert len(connection.announcements) == 0
    assert [a.kind for a in manager.book.alerts.values()] == ["doorbell"]


async def test_held_announcement_that_expires_is_logged_not_said(
    hass: HomeAssistant, station: Station
) -> None:
    now = dt_util.now()
    quiet = {
        "quiet_start": (now - timedelta(hours=1)).strftime("%H:%M"),
        "quiet_end": (now + timedelta(hours=1)).strftime("%H:%M"),
    }
    _, _, manager, heard = await _ready(hass, station, options=quiet)
    logbook = _logbook(hass)
    await hass.services.async_call(
        DOMAIN,
        "announce",
        {"message": "The post has come", "expiry": 1, "visual": "announcement"},
        blocking=True,
    )
    await logbook.until(lambda: logbook.mentions("announcement (info) expired") == 1)
    assert heard.said("The post has come") == []
    assert manager.book.unacknowledged() == []


async def test_mandarin_help_call_notifies_in_mandarin_and_skips_a_missing_notifier(
    hass: HomeAssistant, station: Station, caplog: pytest.LogCaptureFixture
) -> None:
    assert await async_setup_component(hass, "notify", {})
    await hass.config.async_update(language="zh-Hans")
    resident, _, _ = await async_setup_resident(hass, station, "zh")
    _add_device(hass, HELP_BUTTON, "求助按钮", "卧室", "off")
    await _household(
        hass, ("elderly",), help_button=[HELP_BUTTON], caregiver_notify=["notify.nobody", CAREGIVER]
    )
    manager = hass.data[DATA]
    heard = Heard(station)
    logbook = _logbook(hass)
    hass.states.async_set(HELP_BUTTON, "on", {"friendly_name": "求助按钮"})
    await logbook.until(lambda: logbook.mentions("caregiver notified") == 1)
    await heard.until(lambda: bool(heard.said("通知看护人")))
    assert heard.items[0].text == "有人求助：卧室的求助按钮被按下了，正在通知看护人。"
    assert heard.items[0].language == "zh"
    notices = persistent_notification._async_get_or_create_notifications(hass)
    (notice,) = [n for n in notices.values() if n["title"] == "紧急求助"]
    assert notice["message"].endswith("，有人用卧室的求助按钮呼叫求助。请尽快联系或前往。")
    assert "notify.nobody does not exist" in caplog.text
    assert await resident.say("知道了") == "现在没有需要确认的提醒。求助要等看护人确认。"
    assert [a.kind for a in manager.book.unacknowledged()] == ["help_pressed"]


async def test_caregiver_acknowledges_from_the_phone_notification(
    hass: HomeAssistant, station: Station
) -> None:
    """A notify service (the companion app's kind) gets an acknowledgement button; its press
    (the app's event) acknowledges the call, and the resident hears who answered."""
    assert await async_setup_component(hass, "notify", {})
    sent: list[dict[str, Any]] = []

    async def phone(call: ServiceCall) -> None:  # a phone's notify service: records the push
        sent.append(dict(call.data))

    hass.services.async_register("notify", "daughters_phone", phone)
    _, _, manager, heard = await _ready(
        hass,
        station,
        ("elderly",),
        help_button=[HELP_BUTTON],
        caregiver_notify=["notify.daughters_phone"],
    )
    hass.states.async_set(HELP_BUTTON, "on", {"friendly_name": "Help button"})
    await heard.until(lambda: bool(heard.said("caregiver was notified")))
    (action,) = sent[0]["data"]["actions"]
    assert action["title"] == "Got it, I'm on it"
    hass.bus.async_fire("mobile_app_notification_action", {"action": action["action"]})
    await heard.until(lambda: bool(heard.said("The caregiver acknowledged the call for help at")))
    assert manager.book.unacknowledged() == []
    hass.bus.async_fire("mobile_app_notification_action", {"action": "SOMETHING_ELSE"})


async def test_the_emergency_scenes_phrase_is_the_call_for_help(
    hass: HomeAssistant, station: Station
) -> None:
    """'call for help' is also the chosen emergency scene's phrase: it is the help call (announced,
    repeated until acknowledged), not the scene as well (test_alert_help.py counts the messages)."""
    resident, _, manager, heard = await _ready(hass, station, ("blind",))
    answer = await resident.say("call for help")
    assert answer == "I have called for help; the caregiver is being notified."
    await heard.until(lambda: bool(heard.said("called for help by voice")))
    assert [a.kind for a in manager.book.unacknowledged()] == ["help_pressed"]

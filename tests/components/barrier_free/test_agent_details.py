"""The agent's less common paths, in a real Home Assistant with the test home: brightness steps,
settings with values, the date, voice limits, fallback to Home Assistant's own agent, confirm
with nothing pending, help for the station's room, and a failing device."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from custom_components.barrier_free.const import CONF_AREAS, CONF_PIN, CONF_RATE, CONF_VOLUME
from custom_components.barrier_free.logic.pin import PinHash
from tests.voice.station import wait_until
from voice.station.station import Station

from .conftest import Resident


async def test_brightness_steps_and_values(hass: HomeAssistant, setup: Callable[..., Any]) -> None:
    resident, _, _ = await setup("en")
    before = hass.states.get("light.bedside").attributes.get("brightness")
    assert await resident.say("make the bedroom lights brighter") == (
        "Made the bedroom lights brighter."
    )
    after = hass.states.get("light.bedside")
    assert after.state == "on"
    assert after.attributes.get("brightness") != before
    answer = await resident.say("set the bedside lamp brightness to 40 percent")
    assert "40 percent" in answer, answer
    assert round(hass.states.get("light.bedside").attributes["brightness"] / 255 * 100) == 40
    answer = await resident.say("set the living room thermostat to 24 degrees")
    assert "24 degrees" in answer, answer
    assert hass.states.get("climate.living_room").attributes["temperature"] == 24


async def test_date_and_voice_limits(
    hass: HomeAssistant, setup: Callable[..., Any], station: Station
) -> None:
    resident, _, entry = await setup("zh")
    assert (await resident.say("今天几号")).startswith("今天是")
    answers = [await resident.say("说快点") for _ in range(12)]
    assert answers[0] == "好的，我会说快一点。"
    assert answers[-1] == "已经是最快了。"
    fastest = entry.options[CONF_RATE]
    assert station.settings.rate == fastest
    answers = [await resident.say("大声点") for _ in range(12)]
    assert answers[-1] == "已经是最大声了。"
    assert entry.options[CONF_VOLUME] == 100
    assert (await resident.say("小声点")).startswith("好的")
    assert entry.options[CONF_VOLUME] < 100


async def test_nothing_to_confirm_and_not_understood(
    hass: HomeAssistant, setup: Callable[..., Any]
) -> None:
    resident, entities, _ = await setup("en")
    assert await resident.say("confirm") == "There is nothing to confirm right now."
    # Not ours and not Home Assistant's: said so, nothing done.
    states = {s.entity_id: s.state for s in hass.states.async_all("light")}
    answer = await resident.say("sing me a song about the sea")
    assert answer == "Sorry, I didn't catch that, please say it again."
    assert {s.entity_id: s.state for s in hass.states.async_all("light")} == states
    assert entities["lock.front_door"].calls == []


async def test_help_names_the_station_room(hass: HomeAssistant, setup: Callable[..., Any]) -> None:
    await setup("en")  # creates the areas
    kitchen = ar.async_get(hass).async_get_area_by_name("kitchen")
    assert kitchen is not None
    entries = hass.config_entries.async_entries("barrier_free")
    hass.config_entries.async_update_entry(
        entries[0], options={**entries[0].options, CONF_AREAS: [kitchen.id]}
    )
    await hass.config_entries.async_reload(entries[0].entry_id)
    await hass.async_block_till_done()
    resident = Resident(hass, "conversation.living_room_voice_assistant", "en")
    help_text = await resident.say("what can i say")
    assert "kitchen" in help_text.lower(), help_text
    # In the kitchen, "the light" is the kitchen's light.
    assert await resident.say("turn on the light") == "Turned on the kitchen light."
    assert hass.states.get("light.kitchen").state == "on"


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_device_that_fails_is_reported(
    hass: HomeAssistant, setup: Callable[..., Any], language: str
) -> None:
    resident, entities, _ = await setup(language)
    entities["switch.water_heater"].fail = True
    answer = await resident.say("热水器开一下" if language == "zh" else "turn on the water heater")
    assert answer.startswith("没有成功" if language == "zh" else "That did not work"), answer
    assert hass.states.get("switch.water_heater").state == "off"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "could you maybe unlock the front door for me right now"),
        ("en", "disarm everything in the house"),
        ("zh", "麻烦你现在帮我把大门给解锁了好不好"),
    ],
)
async def test_sensitive_words_never_reach_the_builtin_agent(
    hass: HomeAssistant, setup: Callable[..., Any], language: str, text: str
) -> None:
    """Even when the lock is exposed to Home Assistant's own agent (a repair warns about it),
    a sentence the station's agent does not understand is not handed over."""
    resident, entities, _ = await setup(language)
    async_expose_entity(hass, "conversation", "lock.front_door", True)
    answer = await resident.say(text)
    assert answer.startswith("没听清" if language == "zh" else "Sorry, I didn't catch that")
    assert hass.states.get("lock.front_door").state == "locked"
    assert entities["lock.front_door"].calls == []


async def test_expired_confirmation_is_announced_on_the_station(
    hass: HomeAssistant, setup: Callable[..., Any], station: Station
) -> None:
    """Nobody answers "确定": the held unlock is dropped and the station says so aloud."""
    resident, entities, _ = await setup("zh")
    agent = hass.data["entity_components"]["conversation"].get_entity(resident.agent_id)
    agent.guard.confirm_timeout = 0.3  # real time; the announcer plays at real pace
    spoken_dir = Path(str(station.config.state_dir)).parent
    before = set(spoken_dir.rglob("*.wav"))
    assert (await resident.say("打开大门")).startswith("真的要打开大门吗")
    await wait_until(lambda: bool(set(spoken_dir.rglob("*.wav")) - before), "expiry announced")
    assert (await resident.say("确定")) == "现在没有需要确认的操作。"
    assert hass.states.get("lock.front_door").state == "locked"
    assert entities["lock.front_door"].calls == []


@pytest.mark.parametrize(
    ("language", "command", "done"),
    [
        ("en", "lock the front door", "Locked the front door."),
        ("zh", "把大门锁上", "已锁上大门。"),
        ("zh", "锁门", "已锁上大门。"),
    ],
)
async def test_locking_is_never_held(
    hass: HomeAssistant,
    setup: Callable[..., Any],
    language: str,
    command: str,
    done: str,
) -> None:
    """The front door is listed as sensitive, yet locking it makes the home safer: it runs at
    once (issue 13 item 3; it was held, and "锁上" was refused as not understood)."""
    resident, entities, _ = await setup(language)
    await hass.services.async_call(
        "lock", "unlock", {"entity_id": "lock.front_door"}, blocking=True
    )
    assert await resident.say(command) == done
    assert hass.states.get("lock.front_door").state == "locked"
    assert entities["lock.front_door"].calls == ["unlock", "lock"]


async def test_pin_as_the_station_returns_it(
    hass: HomeAssistant, setup: Callable[..., Any], station: Station
) -> None:
    """The station hears digits only while the PIN is asked for, and returns a PIN as "1234".

    Allowed all the time, a spoken "confirm" came back as the digits "22". Turning digits on
    and off is a small `bf-expect-digits` event: the phrase list is not given again."""
    pin = PinHash.create("1234", iterations=1000).to_string()
    resident, entities, entry = await setup("en", **{CONF_PIN: pin})
    sync = entry.runtime_data.phrase_sync
    await wait_until(lambda: sync.pushes, "the home's phrase list")
    pushes, version = sync.pushes, station.phrases["en"].version
    recognizer = station.recognizers["en"]
    assert not station.digits
    assert (await resident.say("unlock the front door")).startswith("Do you really want")
    assert not station.digits  # the confirmation is not a number
    assert await resident.say("confirm") == "Please say your PIN, one digit at a time."
    # given before the prompt is answered: the resident speaks after hearing it
    assert station.digits and recognizer.digits
    assert entry.runtime_data.connection.digits is True
    assert await resident.say("1234") == "Unlocked the front door."
    assert not station.digits and not recognizer.digits
    assert entities["lock.front_door"].calls == ["unlock"]
    # a PIN prompt answered with "no": digits off again
    await resident.say("unlock the front door")
    await resident.say("confirm")
    assert station.digits
    assert (await resident.say("no")).startswith("OK, cancelled")
    assert not station.digits
    # the list in force is the one pushed before: never pushed again for the digits
    assert (sync.pushes, station.phrases["en"].version) == (pushes, version)


async def test_pin_prompt_survives_a_reconnection(
    hass: HomeAssistant, setup: Callable[..., Any], station: Station
) -> None:
    """The station forgets digits with the connection that asked (a prompt never outlives
    Home Assistant); a prompt still open when the link comes back asks again."""
    pin = PinHash.create("1234", iterations=1000).to_string()
    resident, entities, entry = await setup("en", **{CONF_PIN: pin})
    await wait_until(lambda: entry.runtime_data.phrase_sync.pushes, "the home's phrase list")
    connection = entry.runtime_data.connection
    await resident.say("unlock the front door")
    assert await resident.say("confirm") == "Please say your PIN, one digit at a time."
    assert station.digits
    reconnects = connection.reconnects
    for client in list(station._connections):
        client.abort()  # the link breaks (as a station-side network drop does)
    await wait_until(lambda: not station.digits, "digits off with the connection")
    await wait_until(
        lambda: connection.reconnects > reconnects and station.digits, "digits asked again"
    )
    assert await resident.say("1234") == "Unlocked the front door."
    await wait_until(lambda: not station.digits, "digits off after the PIN")
    assert entities["lock.front_door"].calls == ["unlock"]


async def test_pin_prompt_that_expires_turns_digits_off(
    hass: HomeAssistant, setup: Callable[..., Any], station: Station
) -> None:
    pin = PinHash.create("1234", iterations=1000).to_string()
    resident, entities, entry = await setup("en", **{CONF_PIN: pin})
    await wait_until(lambda: entry.runtime_data.phrase_sync.pushes, "the home's phrase list")
    agent = hass.data["entity_components"]["conversation"].get_entity(resident.agent_id)
    agent.guard.pin_timeout = 0.3  # real time
    await resident.say("unlock the front door")
    assert await resident.say("confirm") == "Please say your PIN, one digit at a time."
    assert station.digits
    await wait_until(lambda: not station.digits, "digits off after the expiry")
    assert (await resident.say("1234")).startswith("There is nothing to confirm")
    assert entities["lock.front_door"].calls == []


async def test_no_digits_without_a_pin(
    hass: HomeAssistant, setup: Callable[..., Any], station: Station
) -> None:
    resident, entities, entry = await setup("en")
    await wait_until(lambda: entry.runtime_data.phrase_sync.pushes, "the home's phrase list")
    await resident.say("unlock the front door")
    assert (await resident.say("confirm")).startswith("Unlocked")
    assert not station.digits
    assert entities["lock.front_door"].calls == ["unlock"]


async def test_station_down_voice_change_is_kept(
    hass: HomeAssistant, setup: Callable[..., Any], station: Station
) -> None:
    """The station goes away: "slower" is still remembered (sent again on reconnection)."""
    resident, _, entry = await setup("en")
    agent = hass.data["entity_components"]["conversation"].get_entity(resident.agent_id)
    assert agent.supported_languages == "*"
    await station.stop()
    await wait_until(lambda: not entry.runtime_data.connection.connected, "station gone")
    assert await resident.say("slower") == "OK, I will speak more slowly."
    assert entry.options[CONF_RATE] == 130


@pytest.mark.parametrize(
    ("language", "command", "answer", "entity_id", "attribute", "value"),
    [
        (
            "zh",
            "把客厅窗帘开到百分之五十",
            "已把客厅窗帘开到百分之五十。",
            "cover.living_room_curtain",
            "current_position",
            50,
        ),
        (
            "en",
            "set the living room curtain to 50 percent",
            "Opened the living room curtain to 50 percent.",
            "cover.living_room_curtain",
            "current_position",
            50,
        ),
        (
            "zh",
            "把卧室空调调到二十二度",
            "已把卧室空调设为二十二度。",
            "climate.bedroom",
            "temperature",
            22,
        ),
        (
            "en",
            "set the bedroom thermostat to 22 degrees",
            "Set the bedroom thermostat to 22 degrees.",
            "climate.bedroom",
            "temperature",
            22,
        ),
    ],
)
async def test_values_are_set_and_said(
    hass: HomeAssistant,
    setup: Callable[..., Any],
    language: str,
    command: str,
    answer: str,
    entity_id: str,
    attribute: str,
    value: int,
) -> None:
    """A position or temperature is set and the answer names device, room and value ("开到"
    is everyday speech for "调到"; "把卧室空调调到…" names the room's thermostat)."""
    resident, _, _ = await setup(language)
    assert await resident.say(command) == answer
    assert hass.states.get(entity_id).attributes[attribute] == value


@pytest.mark.parametrize(
    ("language", "question", "answer"),
    [
        ("zh", "客厅温度是多少", "客厅现在二十二点五度。"),
        ("en", "what is the living room temperature", "It is 22.5 degrees in the living room."),
    ],
)
async def test_questions_are_answered_aloud(
    hass: HomeAssistant, setup: Callable[..., Any], language: str, question: str, answer: str
) -> None:
    """A question is answered in words, from the room's thermometer, in the station's
    language (Home Assistant's "客厅温度是22.5 °C" read the unit as letters)."""
    resident, _, _ = await setup(language)
    assert await resident.say(question) == answer


@pytest.mark.parametrize(
    ("language", "command", "answer"),
    [
        ("zh", "打开灯", "有七个灯，请说是哪个房间的。"),
        ("en", "turn on the lights", "There are 7 lights. Which room do you mean?"),
    ],
)
async def test_ambiguous_lights_ask_which_room(
    hass: HomeAssistant, setup: Callable[..., Any], language: str, command: str, answer: str
) -> None:
    """ "灯" in a home with seven lights, at a station that serves no particular room."""
    resident, entities, _ = await setup(language)
    assert await resident.say(command) == answer
    assert all(entities[e].calls == [] for e in entities if e.startswith("light."))


async def test_open_the_front_door_means_unlock_and_is_confirmed(
    hass: HomeAssistant, setup: Callable[..., Any]
) -> None:
    """English "open the front door" for a lock, like "把大门打开": asked, never done at once;
    and "turn on the light" is not answered with a room called "the"."""
    resident, entities, _ = await setup("en")
    assert (await resident.say("open the front door")).startswith(
        "Do you really want to unlock the front door?"
    )
    assert entities["lock.front_door"].calls == []
    assert (await resident.say("confirm")) == "Unlocked the front door."
    assert entities["lock.front_door"].calls == ["unlock"]
    assert "room called" not in await resident.say("turn on the light")


async def test_the_stations_room_is_its_devices_area(
    hass: HomeAssistant, setup: Callable[..., Any], station: Station
) -> None:
    """Moving the station's device to another room in Home Assistant is all an installer does:
    "turn on the light" then means that room's light (issue 13 item 7; the agent read only the
    first area of its options)."""
    resident, entities, _ = await setup("en")
    agent = er.async_get(hass).async_get(resident.agent_id)
    assert agent is not None
    assert agent.device_id is not None
    kitchen = ar.async_get(hass).async_get_area_by_name("kitchen")
    assert kitchen is not None
    dr.async_get(hass).async_update_device(agent.device_id, area_id=kitchen.id)
    assert await resident.say("turn on the light") == "Turned on the kitchen light."
    assert hass.states.get("light.kitchen").state == "on"
    assert entities["light.kitchen"].calls == ["turn_on"]

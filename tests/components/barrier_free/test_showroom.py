"""Showroom mode with a real Home Assistant and a real station: exhibits explain themselves, a
visitor reset (idle or spoken) restores the starting state and says so, commands are counted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.barrier_free.const import CONF_SHOWROOM_IDLE_MINUTES
from custom_components.barrier_free.household_setup import HouseholdSetup, async_get_household
from tests.speech import silence, synth
from tests.voice.station import wait_until
from voice.audio import write_wav
from voice.room.listener import RoomConfig, RoomListener
from voice.station.station import Station

from .conftest import entity_id, wait_for_state

LIGHT = "light.living_room_ceiling"
CURTAIN = "cover.living_room_curtain"
BINDINGS = {
    "living_room_light": (LIGHT,),
    "curtains": (CURTAIN,),
    "front_door_lock": ("lock.front_door",),
}
IDLE = 5  # minutes


async def _showroom(hass: HomeAssistant, profiles: tuple[str, ...] = ("showroom",)) -> None:
    household = await async_get_household(hass)
    await household.async_update(HouseholdSetup(profiles, BINDINGS))


def _count(hass: HomeAssistant, station: Station, key: str) -> str:
    state = hass.states.get(entity_id(hass, "sensor", station, f"commands_{key}"))
    assert state is not None
    return state.state


async def test_idle_timeout_restores_the_start_and_the_station_says_so(
    hass: HomeAssistant, station: Station, setup: Callable[..., Any]
) -> None:
    await _showroom(hass)
    resident, _, entry = await setup("en", **{CONF_SHOWROOM_IDLE_MINUTES: IDLE})
    await resident.say("turn on the living room ceiling light")
    await resident.say("open the living room curtain")
    await resident.say("turn on the kitchen light")  # bound to no role: reset all the same
    await hass.async_block_till_done()
    assert hass.states.get(LIGHT).state == "on"
    assert hass.states.get(CURTAIN).state == "open"

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=IDLE - 1))
    await hass.async_block_till_done()
    assert hass.states.get(LIGHT).state == "on"  # not idle long enough

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=IDLE + 1))
    await hass.async_block_till_done()
    assert hass.states.get(LIGHT).state == "off"
    assert hass.states.get(CURTAIN).state == "closed"
    assert hass.states.get("light.kitchen").state == "off"
    showroom = entry.runtime_data.showroom
    spoken = Path(str(station.config.state_dir)) / "spoken"
    await wait_until(
        lambda: (
            showroom.announced is not None
            and any(spoken.glob(f"*-speech-{showroom.announced}.wav"))
        ),
        "the station said the showroom was reset",
    )


async def test_no_idle_reset_without_showroom_mode(
    hass: HomeAssistant, setup: Callable[..., Any]
) -> None:
    await _showroom(hass, ("blind",))
    resident, _, entry = await setup("en", **{CONF_SHOWROOM_IDLE_MINUTES: IDLE})
    await resident.say("turn on the living room ceiling light")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=IDLE + 1))
    await hass.async_block_till_done()
    assert hass.states.get(LIGHT).state == "on"
    assert entry.runtime_data.showroom.announced is None
    assert await resident.say("reset the showroom") != (
        "The showroom is back to its starting state, ready for the next visitor."
    )


@pytest.mark.parametrize(
    ("language", "turn_on", "reset", "done", "again"),
    [
        (
            "zh",
            "打开客厅主灯",
            "复位展厅",
            "展厅已复位到初始状态，欢迎下一位访客。",
            "展厅已经是初始状态。",
        ),
        (
            "en",
            "turn on the living room ceiling light",
            "reset the showroom",
            "The showroom is back to its starting state, ready for the next visitor.",
            "The showroom is already in its starting state.",
        ),
    ],
)
async def test_spoken_reset_restores_the_start(
    hass: HomeAssistant,
    setup: Callable[..., Any],
    language: str,
    turn_on: str,
    reset: str,
    done: str,
    again: str,
) -> None:
    await _showroom(hass)
    resident, _, _ = await setup(language)
    await resident.say(turn_on)
    assert hass.states.get(LIGHT).state == "on"
    assert await resident.say(reset) == done
    assert hass.states.get(LIGHT).state == "off"
    assert await resident.say(reset) == again


async def test_reset_said_at_the_room_station_is_heard_and_restores(
    hass: HomeAssistant, station: Station, setup: Callable[..., Any], tmp_path: Path
) -> None:
    """The station hears the showroom's phrases (they are in its phrase list) in room mode."""
    await _showroom(hass)
    resident, _, _ = await setup("en")
    await wait_until(
        lambda: station.phrases.get("en") is not None and station.phrases["en"].count > 0,
        "the home's phrase list on the station",
    )
    await resident.say("turn on the living room ceiling light")
    recording = tmp_path / "room.wav"
    write_wav(recording, silence(0.5) + synth("reset the showroom") + silence(1.0), 16000)
    room = RoomListener(station, RoomConfig(input=str(recording)))
    await room.run()
    state = await wait_for_state(hass, LIGHT, lambda s: s is not None and s.state == "off")
    assert state is not None and state.state == "off"
    assert room.counters.answered == 1


async def test_set_start_state_is_what_a_reset_restores(
    hass: HomeAssistant, setup: Callable[..., Any]
) -> None:
    await _showroom(hass)
    resident, _, _ = await setup("en")
    await resident.say("turn on the living room ceiling light")
    assert await resident.say("set the start state") == (
        "The showroom's start state is set: a reset comes back to the way things are now."
    )
    await resident.say("turn off the living room ceiling light")
    await resident.say("reset the showroom")
    assert hass.states.get(LIGHT).state == "on"


async def test_showroom_mode_coming_on_takes_the_start_state(
    hass: HomeAssistant, setup: Callable[..., Any]
) -> None:
    await _showroom(hass, ())
    resident, _, _ = await setup("en")
    await resident.say("turn on the living room ceiling light")
    await _showroom(hass)  # showroom mode on: the light on is the start now
    await hass.async_block_till_done()
    await resident.say("turn off the living room ceiling light")
    await resident.say("reset the showroom")
    assert hass.states.get(LIGHT).state == "on"


@pytest.mark.parametrize(
    ("language", "question", "starts"),
    [
        ("zh", "介绍一下窗帘", "这是电动窗帘。"),
        ("zh", "大门是什么", "这是大门的智能门锁。"),
        ("zh", "这是什么", "这里是无障碍智能家居展厅。您可以问问这些设备：大门、窗帘、客厅灯。"),
        ("en", "tell me about the curtains", "These are motorised curtains."),
        ("en", "what is the front door", "This is the front door's smart lock."),
        ("en", "what is this", "This is the barrier-free home showroom. Ask about any of these:"),
    ],
)
async def test_exhibits_explain_themselves(
    hass: HomeAssistant, setup: Callable[..., Any], language: str, question: str, starts: str
) -> None:
    await _showroom(hass)
    resident, _, _ = await setup(language)
    assert (await resident.say(question)).startswith(starts)


async def test_counters_count_and_start_again_at_midnight(
    hass: HomeAssistant,
    station: Station,
    setup: Callable[..., Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await _showroom(hass)
    resident, _, entry = await setup("en")
    await resident.say("turn on the living room ceiling light")  # understood, acted on
    await resident.say("what time is it")  # understood
    await resident.say("purple monkey dishwasher")  # rejected
    # what the agent found no meaning in is shown as not understood, with no phrase
    heard = hass.states.get(entity_id(hass, "sensor", station, "last_utterance"))
    assert heard.state == "purple monkey dishwasher"
    assert heard.attributes["outcome"] == "rejected"
    assert heard.attributes["phrase"] is None
    # understood: asks first, nothing done yet (said last: while it waits, anything else is
    # taken as a reply that is neither yes nor no)
    await resident.say("unlock the front door")
    counts = {k: _count(hass, station, k) for k in ("tried", "understood", "acted", "rejected")}
    assert counts == {"tried": "4", "understood": "3", "acted": "1", "rejected": "1"}
    heard = hass.states.get(entity_id(hass, "sensor", station, "last_utterance"))
    answer = hass.states.get(entity_id(hass, "sensor", station, "last_answer"))
    assert heard.state == "unlock the front door"
    assert heard.attributes["outcome"] == "recognised"
    assert heard.attributes["phrase"] == "unlock the front door"
    assert answer.state == (
        "Do you really want to unlock the front door? Say 'go ahead', or say 'cancel'."
    )

    # kept across a restart of the entry
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _count(hass, station, "tried") == "4"

    midnight = dt_util.start_of_local_day(dt_util.now().date() + timedelta(days=1))
    freezer.move_to(midnight)
    async_fire_time_changed(hass, midnight)
    await hass.async_block_till_done()
    assert {k: _count(hass, station, k) for k in ("tried", "acted", "rejected")} == {
        "tried": "0",
        "acted": "0",
        "rejected": "0",
    }

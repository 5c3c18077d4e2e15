"""The PIN lockout holds: household-wide, through reloads and restarts, escalating, announced.

Real Home Assistant (the harness), real stations on 127.0.0.1. A "restart" is every station
entry unloaded and set up again: nothing of the lockout stays in memory, so what holds it is
what Home Assistant's Store saved (the harness keeps that in `hass_storage`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.barrier_free.const import (
    CONF_AREAS,
    CONF_LANGUAGE,
    CONF_PIN,
    CONF_SENSITIVE_ENTITIES,
    CONF_TOKEN,
    DOMAIN,
)
from custom_components.barrier_free.lockout import DATA_LOCKOUT, NOTIFICATION_ID, STORAGE_KEY
from custom_components.barrier_free.logic.pin import PinHash
from tests.voice.station import wait_until
from voice.station.station import Station

from .conftest import Resident
from .home import SENSITIVE, async_setup_test_home

PIN = PinHash.create("1234", iterations=1000).to_string()
PROMPT = "Do you really want to unlock the front door? Say 'go ahead', or say 'cancel'."
ASK_PIN = "Please say your PIN, one digit at a time."
WRONG = "four three two one"
LOCKED = "Too many wrong PINs. This action is blocked by voice for {}."
STILL_LOCKED = "For safety, this action is blocked by voice. Please try again in {}."


class Household:
    """The test home with some stations, each with its own entry, agent and resident."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.entries: list[MockConfigEntry] = []
        self.residents: list[Resident] = []
        self.entities: dict[str, Any] = {}

    async def add(self, station: Station, title: str, language: str = "en") -> Resident:
        if not self.entities:
            self.entities = await async_setup_test_home(self.hass, "en")
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=title,
            unique_id=station.station_id,
            data={CONF_HOST: "127.0.0.1", CONF_PORT: station.port, CONF_TOKEN: station.token},
            options={
                CONF_LANGUAGE: language,
                CONF_AREAS: [],
                CONF_SENSITIVE_ENTITIES: SENSITIVE,
                CONF_PIN: PIN,
            },
        )
        entry.add_to_hass(self.hass)
        assert await self.hass.config_entries.async_setup(entry.entry_id)
        await self.hass.async_block_till_done()
        agent_id = er.async_get(self.hass).async_get_entity_id(
            "conversation", DOMAIN, f"{station.station_id}-conversation"
        )
        assert agent_id is not None
        self.entries.append(entry)
        resident = Resident(self.hass, agent_id, language)
        self.residents.append(resident)
        return resident

    async def guess(self, resident: Resident, pin: str = WRONG, *, station: str) -> str:
        """Ask to unlock the front door at `station`, confirm, and say `pin`; a wrong PIN that
        did not lock out leaves the question open for another try: cancel it, as a resident
        who gives up would (the wrong PIN still counts)."""
        assert await resident.say("unlock the front door", device_id=station) == PROMPT
        assert await resident.say("confirm", device_id=station) == ASK_PIN
        answer = await resident.say(pin, device_id=station)
        if pin == WRONG and not answer.startswith(LOCKED.partition("{")[0]):
            cancelled = await resident.say("cancel", device_id=station)
            assert cancelled == "OK, cancelled. I did not unlock the front door.", cancelled
        return answer

    async def refused(self, resident: Resident, *, station: str) -> str:
        return await resident.say("unlock the front door", device_id=station)

    async def restart(self) -> None:
        """Unload every station entry (the lockout leaves memory) and set them up again."""
        for entry in self.entries:
            assert await self.hass.config_entries.async_unload(entry.entry_id)
        assert DATA_LOCKOUT not in self.hass.data
        for entry in self.entries:
            assert await self.hass.config_entries.async_setup(entry.entry_id)
        await self.hass.async_block_till_done()

    def stored(self, hass_storage: dict[str, Any]) -> dict[str, Any]:
        return dict(hass_storage[STORAGE_KEY]["data"])


@pytest.fixture
def household(hass: HomeAssistant) -> Household:
    return Household(hass)


async def _lock_out(household: Household, resident: Resident, station: str = "hall") -> str:
    await household.guess(resident, station=station)
    await household.guess(resident, station=station)
    return await household.guess(resident, station=station)


async def test_lockout_survives_a_reload(
    hass: HomeAssistant, household: Household, station: Station
) -> None:
    resident = await household.add(station, "Hall")
    assert (await _lock_out(household, resident)).startswith(LOCKED.format("5 minutes"))
    entry = household.entries[0]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert await household.refused(resident, station="hall") == STILL_LOCKED.format("5 minutes")
    assert household.entities["lock.front_door"].calls == []


async def test_lockout_survives_a_restart(
    hass: HomeAssistant,
    household: Household,
    station: Station,
    hass_storage: dict[str, Any],
) -> None:
    resident = await household.add(station, "Hall")
    await household.guess(resident, station="hall")
    # Saved before the answer was given: a restart right now would not forget the guess.
    assert household.stored(hass_storage) == {"wrong_pins": 1, "locked_until": None, "level": 0}
    await household.restart()
    await household.guess(resident, station="hall")
    assert (await household.guess(resident, station="hall")).startswith(LOCKED.format("5 minutes"))
    assert household.stored(hass_storage)["level"] == 1
    await household.restart()
    assert await household.refused(resident, station="hall") == STILL_LOCKED.format("5 minutes")
    # The right PIN does nothing during the lockout either.
    assert household.entities["lock.front_door"].calls == []


async def test_a_fresh_start_reads_the_stored_lockout(
    hass: HomeAssistant,
    household: Household,
    station: Station,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """What an earlier run of Home Assistant left in storage is in force from the start."""
    now = dt_util.utcnow().timestamp()
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": STORAGE_KEY,
        "data": {"wrong_pins": 0, "locked_until": now + 14 * 60, "level": 2},
    }
    resident = await household.add(station, "Hall")
    assert await household.refused(resident, station="hall") == STILL_LOCKED.format("14 minutes")
    freezer.tick(14 * 60)
    for _ in range(2):
        await household.guess(resident, station="hall")
    # Third lockout in a row: one hour.
    assert (await household.guess(resident, station="hall")).startswith(LOCKED.format("1 hour"))


async def test_two_stations_share_one_lockout(
    hass: HomeAssistant,
    household: Household,
    station: Station,
    station_factory: Callable[..., Any],
) -> None:
    """Before, each station allowed its own 3 guesses: 3 + 3 per lockout period."""
    hall = await household.add(station, "Hall")
    bedroom = await household.add(await station_factory(name="Bedroom"), "Bedroom")
    assert (await household.guess(hall, station="hall")).startswith("That PIN is wrong")
    assert (await household.guess(bedroom, station="bedroom")).startswith("That PIN is wrong")
    assert (await household.guess(hall, station="hall")).startswith(LOCKED.format("5 minutes"))
    assert await household.refused(bedroom, station="bedroom") == STILL_LOCKED.format("5 minutes")
    assert await household.refused(hall, station="hall") == STILL_LOCKED.format("5 minutes")
    assert household.entities["lock.front_door"].calls == []


async def test_lockouts_escalate_until_the_right_pin(
    hass: HomeAssistant,
    household: Household,
    station: Station,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    resident = await household.add(station, "Hall")
    # Said in hours and minutes: a day-long lockout is not "1440 minutes".
    for minutes, said in ((5, "5 minutes"), (15, "15 minutes"), (60, "1 hour"), (1440, "24 hours")):
        assert (await _lock_out(household, resident)).startswith(LOCKED.format(said))
        left = minutes
        if minutes == 1440:
            freezer.tick((minutes - 90) * 60)
            left = 90
            assert await household.refused(resident, station="hall") == STILL_LOCKED.format(
                "1 hour and 30 minutes"
            )
        freezer.tick(left * 60 - 30)
        assert await household.refused(resident, station="hall") == STILL_LOCKED.format("1 minute")
        freezer.tick(30)
    assert household.stored(hass_storage)["level"] == 4
    assert await household.guess(resident, "one two three four", station="hall") == (
        "Unlocked the front door."
    )
    assert household.stored(hass_storage) == {"wrong_pins": 0, "locked_until": None, "level": 0}
    assert (await _lock_out(household, resident)).startswith(LOCKED.format("5 minutes"))


async def test_the_household_is_told_in_writing_and_on_every_station(
    hass: HomeAssistant,
    household: Household,
    station: Station,
    station_factory: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A notification, and each station says it in its own language (Mandarin in the bedroom)."""
    bedroom_station = await station_factory(name="Bedroom")
    heard: dict[str, list[tuple[str, str]]] = {}
    for each in (station, bedroom_station):
        said = heard.setdefault(each.station_id, [])
        submit = each.announcer.submit

        def spy(item: Any, submit: Any = submit, said: list[tuple[str, str]] = said) -> Any:
            said.append((item.language, item.text))  # what the station was asked to say
            return submit(item)

        monkeypatch.setattr(each.announcer, "submit", spy)
    hall = await household.add(station, "Hall", "en")
    await household.add(bedroom_station, "Bedroom", "zh")

    await _lock_out(household, hall)
    await hass.async_block_till_done()
    notification = hass.data["persistent_notification"][NOTIFICATION_ID]
    assert notification["title"] == "Voice PIN locked"
    assert "voice station Hall" in notification["message"]
    assert "5 minutes" in notification["message"]
    for each in (station, bedroom_station):
        spoken = Path(str(each.config.state_dir)) / "spoken"

        def played(spoken: Path = spoken) -> bool:
            return any(spoken.glob("*-speech-pin_lockout-*.wav"))

        await wait_until(played, f"the lockout notice played on {each.config.name}")
    assert (
        "en",
        "Attention: wrong PINs were said at the Hall station. Opening doors or disarming by "
        "voice is blocked for 5 minutes.",
    ) in heard[station.station_id]
    assert (
        "zh",
        "请注意：在Hall连续说错了密码，五分钟内不能语音开门或撤防。",
    ) in heard[bedroom_station.station_id]

"""Media that was playing on a bound speaker resumes after the announcement: a real Home
Assistant with Home Assistant's demo media players (their real entities and services) and a
real station that plays the announcement and reports its progress (`bf-announced`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from homeassistant.components import demo
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.barrier_free.alert_media import TIMEOUT
from custom_components.barrier_free.alerts import AlertManager
from custom_components.barrier_free.const import DOMAIN
from custom_components.barrier_free.logic.alerts import Policy
from tests.voice.station import wait_until
from voice.station.station import Station

from .conftest import SAFETY_LIMIT, wait_for_state
from .test_alerts import DOORBELL, Heard, _ready

TV = "media_player.living_room"  # the demo's YouTube player, playing a fireplace video
SPEAKER = "media_player.bedroom"  # another YouTube player, playing too
UNBOUND = "media_player.walkman"  # a music player bound to no role


@pytest.fixture
async def players(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> None:
    """Home Assistant's demo media players, and only those of the demo's platforms."""
    monkeypatch.setattr(demo, "COMPONENTS_WITH_CONFIG_ENTRY_DEMO_PLATFORM", [Platform.MEDIA_PLAYER])
    entry = MockConfigEntry(domain="demo")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for entity_id in (TV, SPEAKER, UNBOUND):
        state = hass.states.get(entity_id)
        assert state is not None and state.state == "playing", entity_id


class Progress:
    """Each status the station reports for an announcement, with the players' states then."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        entry = next(iter(hass.config_entries.async_loaded_entries(DOMAIN)))
        self.connection = entry.runtime_data.connection
        self._hass = hass
        self.on_playing: list[Any] = []

        def announced(_announcement_id: str, status: str) -> None:
            states = {e: _state(hass.states.get(e)) for e in (TV, SPEAKER, UNBOUND)}
            self.seen.append((status, states))
            if status == "playing":
                for react in self.on_playing:
                    react()

        entry.async_on_unload(self.connection.async_add_announced_listener(announced))

    def at(self, status: str) -> list[dict[str, str]]:
        return [states for each, states in self.seen if each == status]


def _state(state: State | None) -> str:
    return state.state if state is not None else "missing"


async def _doorbell_home(hass: HomeAssistant, station: Station) -> tuple[AlertManager, Heard]:
    _, _, manager, heard = await _ready(
        hass, station, doorbell=[DOORBELL], tv=[TV], speaker=[SPEAKER]
    )
    manager.book.policy = Policy(warning_interval=SAFETY_LIMIT * 10)  # said once in the test
    manager.media.settle = 0.1
    return manager, heard


@pytest.mark.usefixtures("players")
async def test_bound_players_pause_for_the_announcement_and_play_again(
    hass: HomeAssistant, station: Station
) -> None:
    manager, heard = await _doorbell_home(hass, station)
    progress = Progress(hass)
    tv_before = hass.states.get(TV)
    assert tv_before is not None
    hass.states.async_set(DOORBELL, "on", {"friendly_name": "Front doorbell"})
    await heard.until(lambda: bool(heard.items) and "done" in heard.status_of(heard.items[0]))
    # while the station spoke, the bound players were paused; the unbound one played on
    (speaking,) = progress.at("playing")
    assert speaking == {TV: "paused", SPEAKER: "paused", UNBOUND: "playing"}
    # and after it, both play again, the same video as before
    for entity_id in (TV, SPEAKER):
        await wait_for_state(hass, entity_id, lambda s: s is not None and s.state == "playing")
    tv_after = hass.states.get(TV)
    assert tv_after is not None
    assert tv_after.attributes["media_content_id"] == tv_before.attributes["media_content_id"]
    assert sorted(manager.media.resumed) == [SPEAKER, TV]
    assert manager.media.paused == {}


@pytest.mark.usefixtures("players")
async def test_a_player_the_resident_changed_meanwhile_is_left_alone(
    hass: HomeAssistant, station: Station
) -> None:
    manager, heard = await _doorbell_home(hass, station)
    progress = Progress(hass)

    def resident_changes_channel() -> None:
        # While the doorbell is said, the resident puts another video on the TV.
        hass.async_create_task(
            hass.services.async_call(
                "media_player",
                "play_media",
                {"entity_id": TV, "media_content_id": "other-video", "media_content_type": "movie"},
                blocking=True,
            )
        )

    progress.on_playing.append(resident_changes_channel)
    hass.states.async_set(DOORBELL, "on", {"friendly_name": "Front doorbell"})
    await heard.until(lambda: bool(heard.items) and "done" in heard.status_of(heard.items[0]))
    await wait_for_state(hass, SPEAKER, lambda s: s is not None and s.state == "playing")
    await wait_until(lambda: not manager.media.paused, "every paused player decided")
    await hass.async_block_till_done()
    tv = hass.states.get(TV)
    assert tv is not None
    assert tv.state == "paused" and tv.attributes["media_content_id"] == "other-video"
    assert manager.media.resumed == [SPEAKER]


@pytest.mark.usefixtures("players")
async def test_players_play_again_when_the_station_never_reports_the_end(
    hass: HomeAssistant, station: Station
) -> None:
    manager, heard = await _doorbell_home(hass, station)
    progress = Progress(hass)
    hass.states.async_set(DOORBELL, "on", {"friendly_name": "Front doorbell"})
    await heard.until(lambda: bool(heard.items) and "playing" in heard.status_of(heard.items[0]))
    # the station goes away in the middle of the announcement: no "done" will come
    await station.stop()
    await wait_until(lambda: not progress.connection.connected, "the station is gone")
    assert progress.at("done") == []
    state = hass.states.get(TV)
    assert state is not None and state.state == "paused"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=TIMEOUT + 1))
    for entity_id in (TV, SPEAKER):
        await wait_for_state(hass, entity_id, lambda s: s is not None and s.state == "playing")
    assert sorted(manager.media.resumed) == [SPEAKER, TV]


@pytest.mark.usefixtures("players")
async def test_a_call_for_help_keeps_media_paused_until_its_follow_up_is_said(
    hass: HomeAssistant, station: Station
) -> None:
    _, _, manager, heard = await _ready(hass, station, tv=[TV], caregiver_notify=["notify.missing"])
    manager.book.policy = Policy(alarm_interval=SAFETY_LIMIT * 10)
    manager.media.settle = 0.1
    hass.services.async_register("notify", "missing", lambda call: None)
    progress = Progress(hass)
    manager.raise_event("help_pressed", None, room="Bedroom")
    await heard.until(lambda: bool(heard.said("caregiver was notified")))
    follow_up = heard.said("caregiver was notified")[0]
    await heard.until(lambda: "done" in heard.status_of(follow_up))
    # every announcement of the call was said with the TV paused, and it played after
    assert progress.at("playing") and all(s[TV] == "paused" for s in progress.at("playing"))
    await wait_for_state(hass, TV, lambda s: s is not None and s.state == "playing")
    assert manager.media.resumed == [TV]


@pytest.mark.usefixtures("players")
async def test_played_again_by_the_resident_it_is_paused_for_the_next_announcement(
    hass: HomeAssistant, station: Station
) -> None:
    manager, heard = await _doorbell_home(hass, station)
    progress = Progress(hass)

    async def resident_plays_then_tea_is_announced() -> None:
        await hass.services.async_call(
            "media_player", "media_play", {"entity_id": TV}, blocking=True
        )
        await hass.services.async_call(
            DOMAIN, "announce", {"message": "Tea is ready.", "priority": "info"}, blocking=True
        )

    def during_the_doorbell() -> None:
        if len(progress.at("playing")) == 1:
            hass.async_create_task(resident_plays_then_tea_is_announced())

    progress.on_playing.append(during_the_doorbell)
    hass.states.async_set(DOORBELL, "on", {"friendly_name": "Front doorbell"})
    await heard.until(lambda: bool(heard.said("Tea is ready")))
    tea = heard.said("Tea is ready")[0]
    await heard.until(lambda: "done" in heard.status_of(tea))
    # each announcement was said with the TV paused, though the resident played it in between
    assert [states[TV] for states in progress.at("playing")] == ["paused", "paused"]
    await wait_for_state(hass, TV, lambda s: s is not None and s.state == "playing")
    await wait_until(lambda: not manager.media.paused, "every paused player decided")
    assert sorted(manager.media.resumed) == [SPEAKER, TV]

"""Which bound players are paused for a station's announcement, and when one plays again."""

from __future__ import annotations

from custom_components.barrier_free.logic.media_pause import (
    PlayerState,
    players_near,
    resume_wanted,
)

PLAYERS = {
    "media_player.living_tv": "living_room",
    "media_player.bedroom_radio": "bedroom",
    "media_player.kitchen_speaker": None,  # no area known
}


def test_players_in_the_stations_areas_and_those_without_an_area() -> None:
    assert players_near(["living_room"], PLAYERS) == (
        "media_player.living_tv",
        "media_player.kitchen_speaker",
    )
    assert players_near(["bedroom", "living_room"], PLAYERS) == tuple(PLAYERS)
    assert players_near(["garage"], PLAYERS) == ("media_player.kitchen_speaker",)


def test_a_station_whose_room_is_unknown_goes_with_every_player() -> None:
    assert players_near([], PLAYERS) == tuple(PLAYERS)


def test_played_again_only_when_still_paused_on_the_same_media() -> None:
    before = PlayerState("playing", "video-1", "Fireplace")
    assert resume_wanted(before, PlayerState("paused", "video-1", "Fireplace"))
    # the resident pressed play, stopped it, turned it off or put on something else
    assert not resume_wanted(before, PlayerState("playing", "video-1", "Fireplace"))
    assert not resume_wanted(before, PlayerState("idle", "video-1", "Fireplace"))
    assert not resume_wanted(before, PlayerState("off"))
    assert not resume_wanted(before, PlayerState("paused", "video-2", "News"))
    assert not resume_wanted(before, None)  # the player is gone
    # a player that was not playing is never started
    assert not resume_wanted(PlayerState("paused", "video-1"), PlayerState("paused", "video-1"))

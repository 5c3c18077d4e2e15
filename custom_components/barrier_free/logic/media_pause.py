"""Media paused for an announcement and played again after it (issue 17). No Home Assistant.

Which players: the media players bound to the household's `tv` and `speaker` roles, near the
station that speaks. A player is near a station when the player's area is one of the areas
the station serves (its options' areas, else its device's area); a player or a station whose
area is not known goes with every station (a home set up without rooms still gets quiet).

Played again only if the resident left it alone: after the announcements it must still be
paused, with the same media as when it was paused. A resident who pressed play, stopped it,
turned it off or put on something else meanwhile has decided; the integration does not fight
that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

__all__ = ["PLAYER_ROLES", "PlayerState", "players_near", "resume_wanted"]

PLAYER_ROLES: Final = ("tv", "speaker")
PLAYING: Final = "playing"
PAUSED: Final = "paused"


@dataclass(frozen=True, slots=True)
class PlayerState:
    """What a media player is doing: its state and what it plays."""

    state: str
    content_id: str | None = None
    title: str | None = None


def players_near(
    station_areas: Iterable[str], players: Mapping[str, str | None]
) -> tuple[str, ...]:
    """The players (entity id -> area id or None) that go with a station serving
    `station_areas` (none: the station's room is not known)."""
    areas = frozenset(station_areas)
    return tuple(
        entity_id
        for entity_id, area in players.items()
        if not areas or area is None or area in areas
    )


def resume_wanted(before: PlayerState, now: PlayerState | None) -> bool:
    """Whether a player paused while it played `before` is to play again, as it is `now`."""
    return (
        before.state == PLAYING
        and now is not None
        and now.state == PAUSED
        and (now.content_id, now.title) == (before.content_id, before.title)
    )

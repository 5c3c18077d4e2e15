"""Media that was playing near a station is paused while the station says an alert, and
plays again after it (issue 17).

Before an announcement is sent to a station that is there, the bound `tv` and `speaker`
players near it that are playing are paused (which players: `logic.media_pause`). Each paused
player waits for the announcements sent near it meanwhile: the station reports each one's
progress (`bf-announced`: `done`, `failed` or `dropped` end it; `interrupted` does not, the
announcement is played again). When none is left, and none follows within `settle` seconds
(the "caregiver notified" after a call for help), the player plays again, unless the resident
changed it meanwhile. If a station never reports the end (it went away), the player plays
again after `timeout` seconds anyway.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, State, callback
from homeassistant.helpers.event import async_call_later

from .const import DOMAIN, LOGGER
from .home_snapshot import async_entity_area_id
from .logic.media_pause import PLAYER_ROLES, PLAYING, PlayerState, players_near, resume_wanted

SETTLE = 1.5  # seconds: a follow-up announcement sent this soon keeps the player paused
TIMEOUT = 300.0  # seconds: played again even if no station reports the end
FINISHED = frozenset({"done", "failed", "dropped"})
_REMEMBERED = 256  # ends reported before the announcement's id was known


@dataclass(slots=True)
class _Paused:
    """A player this integration paused, and what it waits for."""

    before: PlayerState
    waiting: set[str] = field(default_factory=set)  # announcement ids not finished
    sending: int = 0  # announcements being sent near it whose id is not known yet
    settle: CALLBACK_TYPE | None = None
    deadline: CALLBACK_TYPE | None = None


def _state_of(state: State | None) -> PlayerState | None:
    if state is None:
        return None
    content = state.attributes.get("media_content_id")
    title = state.attributes.get("media_title")
    return PlayerState(
        state.state,
        None if content is None else str(content),
        None if title is None else str(title),
    )


class MediaPause:
    """The players paused for announcements, household-wide."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.settle = SETTLE
        self.timeout = TIMEOUT
        self.paused: dict[str, _Paused] = {}
        self.resumed: list[str] = []  # the last players played again (tests), bounded
        self._finished: deque[str] = deque(maxlen=_REMEMBERED)
        self._tasks: set[asyncio.Task[Any]] = set()

    async def async_pause(
        self, station_areas: Sequence[str], bindings: Mapping[str, Sequence[str]]
    ) -> tuple[str, ...]:
        """Pause the bound players near a station that is about to speak; returns the
        players that wait for this announcement (give them its id with `sent`)."""
        bound = dict.fromkeys(e for role in PLAYER_ROLES for e in bindings.get(role, ()))
        near = players_near(station_areas, {e: async_entity_area_id(self.hass, e) for e in bound})
        waiting: list[str] = []
        to_pause: list[str] = []
        for entity_id in near:
            if (paused := self.paused.get(entity_id)) is None:
                before = _state_of(self.hass.states.get(entity_id))
                if before is None or before.state != PLAYING:
                    continue
                paused = self.paused[entity_id] = _Paused(before)
                paused.deadline = async_call_later(
                    self.hass, self.timeout, self._give_up(entity_id)
                )
                to_pause.append(entity_id)
            else:
                if paused.settle is not None:
                    paused.settle()
                    paused.settle = None
                now = _state_of(self.hass.states.get(entity_id))
                if now is not None and now.state == PLAYING:
                    # The resident played it again meanwhile: paused for this one too.
                    paused.before = now
                    to_pause.append(entity_id)
            paused.sending += 1
            waiting.append(entity_id)
        if to_pause:
            try:
                await self.hass.services.async_call(
                    "media_player", "media_pause", {ATTR_ENTITY_ID: to_pause}, blocking=True
                )
            except Exception as err:  # a player that refuses: the announcement still goes
                LOGGER.warning("Could not pause %s for an announcement: %s", to_pause, err)
        return tuple(waiting)

    @callback
    def sent(self, players: Sequence[str], announcement_id: str | None) -> None:
        """The announcement the `players` wait for was sent (None: it was not)."""
        done = announcement_id is None or announcement_id in self._finished
        for entity_id in players:
            if (paused := self.paused.get(entity_id)) is None:
                continue
            paused.sending -= 1
            if not done and announcement_id is not None:
                paused.waiting.add(announcement_id)
            self._check(entity_id, paused)

    @callback
    def status(self, announcement_id: str, status: str) -> None:
        """A station's `bf-announced` status for one of its announcements."""
        if status not in FINISHED:
            return
        self._finished.append(announcement_id)
        for entity_id, paused in list(self.paused.items()):
            if announcement_id in paused.waiting:
                paused.waiting.discard(announcement_id)
                self._check(entity_id, paused)

    @callback
    def stop(self) -> None:
        for paused in self.paused.values():
            for cancel in (paused.settle, paused.deadline):
                if cancel is not None:
                    cancel()
        self.paused.clear()
        for task in list(self._tasks):
            task.cancel()

    @callback
    def _check(self, entity_id: str, paused: _Paused) -> None:
        if paused.sending > 0 or paused.waiting or paused.settle is not None:
            return

        @callback
        def settled(_now: datetime) -> None:
            paused.settle = None
            if not paused.waiting and paused.sending == 0:
                self._resume(entity_id)

        paused.settle = async_call_later(self.hass, self.settle, settled)

    def _give_up(self, entity_id: str) -> Callable[[datetime], None]:
        @callback
        def timed_out(_now: datetime) -> None:
            if (paused := self.paused.get(entity_id)) is not None:
                paused.deadline = None
                LOGGER.info(
                    "No station said when its announcement ended: %s plays again", entity_id
                )
                self._resume(entity_id)

        return timed_out

    @callback
    def _resume(self, entity_id: str) -> None:
        paused = self.paused.pop(entity_id, None)
        if paused is None:
            return
        for cancel in (paused.settle, paused.deadline):
            if cancel is not None:
                cancel()
        now = _state_of(self.hass.states.get(entity_id))
        if not resume_wanted(paused.before, now):
            LOGGER.debug("%s was changed during the announcement: left as it is", entity_id)
            return
        self.resumed.append(entity_id)
        del self.resumed[:-_REMEMBERED]  # a household runs for years: keep the last ones
        task = self.hass.async_create_background_task(
            self._async_play(entity_id), f"{DOMAIN} media resume"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _async_play(self, entity_id: str) -> None:
        try:
            await self.hass.services.async_call(
                "media_player", "media_play", {ATTR_ENTITY_ID: entity_id}, blocking=True
            )
        except Exception as err:
            LOGGER.warning("Could not play %s again after an announcement: %s", entity_id, err)

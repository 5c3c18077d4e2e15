"""Showroom mode: exhibits explain themselves, and a visitor reset restores the starting state.

On while the household has the `showroom` profile. The starting state is a snapshot of every
device the station acts on and every entity bound to a role, taken when showroom mode comes on
(or when staff say "设为展厅初始状态"), kept in a `Store`. A reset ("复位展厅", or no command
for the idle option's minutes) restores it and says so. What is asked, what is restored and
what is said: logic/showroom.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store

from .const import (
    CONF_AREAS,
    CONF_LANGUAGE,
    CONF_SENSITIVE_ENTITIES,
    CONF_SHOWROOM_IDLE_MINUTES,
    DEFAULT_LANGUAGE,
    DEFAULT_SHOWROOM_IDLE_MINUTES,
    DOMAIN,
    LOGGER,
)
from .home_snapshot import async_build_home
from .household_setup import HouseholdSetup, HouseholdStore, async_get_household
from .logic.scene_packs import BUNDLED_FOLDER, load_library
from .logic.showroom import (
    Ask,
    Saved,
    explanation,
    restore_calls,
    saved,
    say,
    showroom_phrases,
    showroom_request,
)

if TYPE_CHECKING:
    from .data import BarrierFreeConfigEntry
    from .logic.phrase_list import PhraseList
    from .logic.scene_model import Exhibit

STORAGE_VERSION: Final = 1
SHOWROOM_PROFILE: Final = "showroom"


class Showroom:
    """One station's showroom: its exhibits, the starting state, the idle timer."""

    def __init__(self, hass: HomeAssistant, entry: BarrierFreeConfigEntry) -> None:
        self._hass = hass
        self._entry = entry
        station_id = entry.runtime_data.info.station_id
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.showroom.{station_id}"
        )
        self.start: dict[str, Saved] = {}
        self._exhibits: dict[str, Exhibit] = {}
        self._household: HouseholdStore | None = None
        self._unsubscribe: CALLBACK_TYPE | None = None
        self._idle: CALLBACK_TYPE | None = None
        self._was_active = False
        self.announced: str | None = None  # id of the last idle-reset announcement

    async def async_start(self) -> None:
        library = await self._hass.async_add_executor_job(load_library, BUNDLED_FOLDER)
        profile = library.profiles.get(SHOWROOM_PROFILE)
        self._exhibits = dict(profile.exhibits) if profile is not None else {}
        self._household = await async_get_household(self._hass)
        stored = await self._store.async_load()
        try:
            self.start = {k: Saved.from_dict(v) for k, v in (stored or {}).get("start", {}).items()}
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            LOGGER.warning("The stored showroom start state cannot be used (%s)", err)
        self._unsubscribe = self._household.async_add_listener(self._household_changed)
        self._was_active = self.active
        if self.active and not self.start:
            await self.async_set_start()

    async def async_stop(self) -> None:
        self._cancel_idle()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @property
    def active(self) -> bool:
        return self._household is not None and (SHOWROOM_PROFILE in self._household.setup.profiles)

    @property
    def exhibits(self) -> list[Exhibit]:
        """The exhibits whose role is bound in this home."""
        bindings = self._household.setup.bindings if self._household else {}
        return [e for role, e in self._exhibits.items() if bindings.get(role)]

    def with_phrases(self, phrases: PhraseList) -> PhraseList:
        """The station's phrase list with what showroom mode understands (when it is on)."""
        if not self.active:
            return phrases
        extra = [p for p in showroom_phrases(self.exhibits, phrases.language) if p not in phrases]
        intents = {**phrases.intents, **dict.fromkeys(extra, "BarrierFreeShowroom")}
        return replace(phrases, phrases=(*phrases.phrases, *extra), intents=intents)

    def _entity_ids(self) -> list[str]:
        """What a reset restores: every device the station's agent can act on, and every
        entity bound to a role."""
        bindings = self._household.setup.bindings if self._household else {}
        options = self._entry.options
        home = async_build_home(
            self._hass, options.get(CONF_AREAS) or [], options.get(CONF_SENSITIVE_ENTITIES, [])
        )
        return list(
            dict.fromkeys(
                [
                    *(e.entity_id for e in home.entities),
                    *(i for ids in bindings.values() for i in ids),
                ]
            )
        )

    def _now(self) -> dict[str, Saved]:
        found: dict[str, Saved] = {}
        for entity_id in self._entity_ids():
            if (state := self._hass.states.get(entity_id)) is not None:
                found[entity_id] = saved(state.domain, state.state, state.attributes)
        return found

    async def async_set_start(self) -> None:
        """The home as it is now becomes the state a reset restores."""
        self.start = self._now()
        await self._store.async_save({"start": {k: v.as_dict() for k, v in self.start.items()}})

    async def async_reset(self) -> bool:
        """Restore the starting state; False if nothing had changed."""
        calls = restore_calls(self.start, self._now())
        for call in calls:
            try:
                await self._hass.services.async_call(
                    call.domain,
                    call.service,
                    {"entity_id": call.entity_id, **call.data},
                    blocking=True,
                )
            except HomeAssistantError as err:  # one device failing does not stop the others
                LOGGER.warning(
                    "Showroom reset: %s.%s on %s failed: %s",
                    call.domain,
                    call.service,
                    call.entity_id,
                    err,
                )
        return bool(calls)

    async def async_answer(self, text: str, language: str) -> tuple[str, bool] | None:
        """The answer to a showroom request and whether the home changed; None if `text` is
        not one (or showroom mode is off)."""
        if not self.active:
            return None
        exhibits = self.exhibits
        request = showroom_request(text, exhibits)
        if request is None:
            return None
        if request.ask is Ask.RESET:
            changed = await self.async_reset()
            return say("reset_done" if changed else "reset_nothing", language), changed
        if request.ask is Ask.SET_START:
            await self.async_set_start()
            return say("start_set", language), False
        return explanation(request, exhibits, language), False

    @callback
    def async_heard(self) -> None:
        """A command: the idle time starts again."""
        self._cancel_idle()
        if not self.active:
            return
        minutes = float(
            self._entry.options.get(CONF_SHOWROOM_IDLE_MINUTES, DEFAULT_SHOWROOM_IDLE_MINUTES)
        )
        if minutes > 0:
            self._idle = async_call_later(self._hass, timedelta(minutes=minutes), self._idle_over)

    @callback
    def _idle_over(self, _now: Any) -> None:
        self._idle = None
        self._entry.async_create_background_task(
            self._hass, self._async_idle_reset(), f"{DOMAIN} showroom idle reset"
        )

    async def _async_idle_reset(self) -> None:
        if not self.active or not await self.async_reset():
            return
        language = str(self._entry.options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE))
        self.announced = await self._entry.runtime_data.connection.async_announce(
            say("reset_idle", language), language, "normal", chime="info"
        )

    @callback
    def _household_changed(self, setup: HouseholdSetup) -> None:
        active = SHOWROOM_PROFILE in setup.profiles
        if active and not self._was_active:  # showroom mode has just come on
            self._entry.async_create_background_task(
                self._hass, self.async_set_start(), f"{DOMAIN} showroom start state"
            )
        if not active:
            self._cancel_idle()
        if active != self._was_active and (sync := self._entry.runtime_data.phrase_sync):
            sync.async_schedule()  # the station hears the showroom's phrases only while on
        self._was_active = active

    @callback
    def _cancel_idle(self) -> None:
        if self._idle is not None:
            self._idle()
            self._idle = None

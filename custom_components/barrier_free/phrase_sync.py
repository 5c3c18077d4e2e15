"""Keep the station's phrase list in step with the home.

The list is built (in an executor: templates are files, and a big home takes a few hundred ms)
from the entities this station serves and pushed with `bf-set-phrases`, one list for each
language the station hears (its own language first): a Mandarin station that also has an
English recogniser hears English requests, and its agent answers each in its language. Any
change that alters what a resident can say — an entity renamed or given an alias, an area
renamed or moved, a floor, what is exposed to Assist, the household's scenes or phrase-list
extras — schedules one rebuild after a short quiet time, so a burst of registry edits costs one
build. Words the station's model cannot recognise are logged and kept for diagnostics.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_listen_entity_updates
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers.debounce import Debouncer

from .client import PhraseListResult, StationError
from .const import (
    CONF_AREAS,
    CONF_EXTRA_PHRASES,
    CONF_LANGUAGE,
    CONF_SENSITIVE_ENTITIES,
    DEFAULT_LANGUAGE,
    LOGGER,
    PHRASE_SYNC_COOLDOWN,
)
from .data import BarrierFreeConfigEntry
from .home_snapshot import ASSIST, async_build_home
from .household_setup import async_get_household
from .logic.alert_words import phrases as alert_phrases
from .logic.extra_phrases import extras_from_options
from .logic.home import Home, in_language
from .logic.languages import LANGUAGES
from .logic.phrase_list import PhraseList, build_phrase_list
from .logic.scene_run import scene_phrases
from .repairs import async_check_bindings, async_check_sensitive_exposure
from .scene_runner import async_get_library, chosen_scenes

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class PhraseSync:
    """Builds and pushes one station's phrase lists; rebuilds when the home changes."""

    def __init__(self, hass: HomeAssistant, entry: BarrierFreeConfigEntry) -> None:
        self._hass = hass
        self._entry = entry
        self.lists: dict[str, PhraseList] = {}
        """The list last built for each language the station hears."""
        self.results: dict[str, PhraseListResult] = {}
        self.version = 0
        self.pushes = 0
        self.last_error: str | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._was_connected = False
        self._debouncer = Debouncer(
            hass,
            LOGGER,
            cooldown=PHRASE_SYNC_COOLDOWN,
            immediate=False,
            function=self.async_push,
            background=True,
        )

    @property
    def language(self) -> str:
        return str(self._entry.options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE))

    @property
    def languages(self) -> tuple[str, ...]:
        """The station's language, then every other language of ours it has a recogniser for."""
        hears = self._entry.runtime_data.info.asr_languages
        return tuple(dict.fromkeys((self.language, *(c for c in hears if c in LANGUAGES))))

    @property
    def phrases(self) -> PhraseList | None:
        """The list in the station's own language."""
        return self.lists.get(self.language)

    @property
    def result(self) -> PhraseListResult | None:
        """The station's answer to the list in its own language."""
        return self.results.get(self.language)

    @callback
    def async_start(self) -> None:
        """Listen for changes; the first push is scheduled at once."""
        bus = self._hass.bus
        changed = self._async_changed
        self._unsubscribe += [
            bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, changed),
            bus.async_listen(ar.EVENT_AREA_REGISTRY_UPDATED, changed),
            bus.async_listen(fr.EVENT_FLOOR_REGISTRY_UPDATED, changed),
            async_listen_entity_updates(self._hass, ASSIST, self.async_schedule),
            self._entry.runtime_data.connection.async_add_listener(self._async_connectivity),
        ]
        self._was_connected = self._entry.runtime_data.connection.connected
        self.async_schedule()

    async def async_stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self._debouncer.async_shutdown()

    @callback
    def async_schedule(self) -> None:
        """Rebuild after PHRASE_SYNC_COOLDOWN of quiet."""
        self._hass.async_create_task(self._debouncer.async_call(), eager_start=True)

    @callback
    def _async_changed(self, _event: Event[Any]) -> None:
        self.async_schedule()

    @callback
    def _async_connectivity(self) -> None:
        connected = self._entry.runtime_data.connection.connected
        if connected and not self._was_connected:
            self.async_schedule()  # a restarted station may hold an older list
        self._was_connected = connected

    def home(self) -> Home:
        options = self._entry.options
        return async_build_home(
            self._hass, options.get(CONF_AREAS) or [], options.get(CONF_SENSITIVE_ENTITIES, [])
        )

    async def async_push(self) -> None:
        """Build the lists from the home as it is now and give them to the station."""
        options = self._entry.options
        async_check_sensitive_exposure(
            self._hass, self._entry.entry_id, options.get(CONF_SENSITIVE_ENTITIES, [])
        )
        home = self.home()
        areas = options.get(CONF_AREAS) or []
        station_area = str(areas[0]) if areas else None
        # The household's scenes are said by name or their natural phrases ("我回来了").
        setup = (await async_get_household(self._hass)).setup
        async_check_bindings(self._hass, setup.bindings)
        scenes = chosen_scenes(await async_get_library(self._hass), setup)
        # The installer's extra phrases ("开大灯"): the agent takes each as its target.
        extras = extras_from_options(options.get(CONF_EXTRA_PHRASES))
        lists: dict[str, PhraseList] = {}
        for language in self.languages:
            phrases = await self._hass.async_add_executor_job(
                partial(
                    build_phrase_list,
                    in_language(home, language),
                    language,
                    station_area_id=station_area,
                )
            )
            said = (*scene_phrases(scenes, language), *extras.get(language, {}))
            if said:
                phrases = dataclasses.replace(
                    phrases, phrases=tuple(dict.fromkeys((*phrases.phrases, *said)))
                )
            if (showroom := self._entry.runtime_data.showroom) is not None:
                phrases = showroom.with_phrases(phrases)
            lists[language] = phrases
        self.lists = lists
        self.version += 1
        for language, phrases in self.lists.items():
            await self._async_give(language, phrases)

    async def _async_give(self, language: str, phrases: PhraseList) -> None:
        # The alert sentences ("got it", "救命") are the alerts' own, not the templates'.
        spoken = tuple(dict.fromkeys((*phrases.phrases, *alert_phrases(language))))
        if language == "en":
            # Chinese names (a Mandarin home with English aliases) cannot be said in English:
            # the English recogniser would only warn about them.
            spoken = tuple(p for p in spoken if not _CJK.search(p))
        try:
            result = await self._entry.runtime_data.connection.async_set_phrases(
                language, spoken, self.version
            )
        except StationError as err:
            if language == self.language:
                self.last_error = str(err)
            LOGGER.warning("Could not give the station its phrase list (%s): %s", language, err)
            return
        self.results[language] = result
        if language == self.language:
            self.last_error = None
            self.pushes += 1
        LOGGER.debug(
            "Station has %s %s phrases (version %s)", result.count, language, result.version
        )
        if result.unusable:
            words = sorted({str(u.get("word")) for u in result.unusable})
            LOGGER.warning(
                "The station's speech model does not know %s word(s) of this home's names: %s."
                " Phrases with them cannot be recognised; rename or add an alias",
                len(words),
                ", ".join(words[:20]),
            )

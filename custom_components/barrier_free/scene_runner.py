"""Scenes in use: the bundled packs loaded once, the chosen profiles' scenes, and running one.

The decisions are in logic/ (scene_packs, scene_run, role_bindings); this module reads Home
Assistant (registries, states), makes the service calls of a plan, and words the summary the
station speaks. The library is read from the integration's own folder once per Home Assistant,
in an executor (file reads).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import entity_registry as er
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, LOGGER
from .home_snapshot import async_entity_area_id
from .household_setup import HouseholdSetup, async_get_household
from .logic.role_bindings import EntityInfo
from .logic.scene_packs import BUNDLED_FOLDER, Library, Scene, load_library
from .logic.scene_run import (
    Outcome,
    RunResult,
    ScenePlan,
    plan_scene,
    scene_for_text,
    still_on_or_open,
    summarize_run,
)

_LIBRARY: HassKey[Library] = HassKey(f"{DOMAIN}_scene_library")
_LIBRARY_LOCK: HassKey[asyncio.Lock] = HassKey(f"{DOMAIN}_scene_library_lock")


async def async_get_library(hass: HomeAssistant) -> Library:
    """The bundled packs and profiles, loaded on first use; problems are logged once."""
    if (found := hass.data.get(_LIBRARY)) is not None:
        return found
    async with hass.data.setdefault(_LIBRARY_LOCK, asyncio.Lock()):
        if (found := hass.data.get(_LIBRARY)) is None:
            found = await hass.async_add_executor_job(load_library, BUNDLED_FOLDER)
            for error in found.errors:
                LOGGER.error("Scene pack problem: %s", error)
            hass.data[_LIBRARY] = found
    return found


@callback
def async_entity_infos(hass: HomeAssistant) -> dict[str, EntityInfo]:
    """Every entity of the home as the binding logic knows it (name, class, area, aliases)."""
    registry = er.async_get(hass)
    areas = ar.async_get(hass)
    infos: dict[str, EntityInfo] = {}
    for state in hass.states.async_all():
        entry = registry.async_get(state.entity_id)
        aliases = er.async_get_entity_aliases(hass, entry) if entry is not None else []
        area_id = async_entity_area_id(hass, state.entity_id)
        area = areas.async_get_area(area_id) if area_id else None
        device_class = state.attributes.get(ATTR_DEVICE_CLASS)
        infos[state.entity_id] = EntityInfo(
            state.entity_id,
            state.name,
            str(device_class) if device_class is not None else None,
            area.name if area else None,
            tuple(a for a in aliases if a and a != state.name),
        )
    return infos


def chosen_scenes(library: Library, setup: HouseholdSetup) -> tuple[Scene, ...]:
    """The scenes of the household's profiles."""
    return library.scenes_of(setup.profiles)


async def async_household_scenes(hass: HomeAssistant) -> tuple[Scene, ...]:
    """The scenes of the household's chosen profiles, as the record says now."""
    library = await async_get_library(hass)
    return chosen_scenes(library, (await async_get_household(hass)).setup)


@dataclass(frozen=True, slots=True)
class SceneRun:
    """What a scene run did, to be said in any station's language."""

    plan: ScenePlan
    results: tuple[RunResult, ...]
    still_on: tuple[str, ...]
    names: Mapping[str, str]

    def summary(self, language: str) -> str:
        """What the station says afterwards, in `language`."""
        return summarize_run(self.plan, self.results, self.still_on, self.names, language)


async def async_run_scene(
    hass: HomeAssistant, scene: Scene, language: str, context: Context | None = None
) -> SceneRun:
    """Run `scene` with the household's bindings (notifications worded in `language`).

    Entities that are unavailable are not called; a call that raises is reported, not
    propagated: the other steps still run. A scene whose needed roles are unbound does nothing
    and says which roles wait for a device.
    """
    setup = (await async_get_household(hass)).setup
    plan = plan_scene(scene, setup.bindings, language)
    results: list[RunResult] = []
    if plan.runnable:
        for call in plan.calls:
            live: list[str] = []
            for entity_id in call.entity_ids:
                state = hass.states.get(entity_id)
                if state is None or state.state == STATE_UNAVAILABLE:
                    results.append(RunResult(call, entity_id, Outcome.UNAVAILABLE))
                else:
                    live.append(entity_id)
            if not live:
                continue
            # One entity at a time: a device that fails does not hide the others' outcome.
            for entity_id in live:
                try:
                    await hass.services.async_call(
                        call.domain,
                        call.service,
                        {**call.data, ATTR_ENTITY_ID: entity_id},
                        blocking=True,
                        context=context,
                    )
                except (HomeAssistantError, ValueError) as err:
                    LOGGER.warning(
                        "Scene %s: %s.%s on %s failed: %s",
                        scene.id,
                        call.domain,
                        call.service,
                        entity_id,
                        err,
                    )
                    results.append(RunResult(call, entity_id, Outcome.FAILED))
                else:
                    results.append(RunResult(call, entity_id, Outcome.DONE))
    states = {
        entity_id: state.state
        for ids in plan.report.values()
        for entity_id in ids
        if (state := hass.states.get(entity_id)) is not None
    }
    names = _names(hass, [r.entity_id for r in results], plan.report)
    return SceneRun(plan, tuple(results), still_on_or_open(plan, states), names)


def _names(
    hass: HomeAssistant, entity_ids: list[str], report: Mapping[str, tuple[str, ...]]
) -> dict[str, str]:
    wanted = {*entity_ids, *(e for ids in report.values() for e in ids)}
    return {e: state.name for e in wanted if (state := hass.states.get(e)) is not None}


async def async_scene_answer(
    hass: HomeAssistant, text: str, language: str, context: Context | None = None
) -> str | None:
    """If `text` asks for one of the household's scenes, run it and return what to say."""
    scene = scene_for_text(text, await async_household_scenes(hass), language)
    if scene is None:
        return None
    return (await async_run_scene(hass, scene, language, context)).summary(language)

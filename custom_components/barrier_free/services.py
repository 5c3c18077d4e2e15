"""Actions: run a household scene, export the household as YAML.

Registered once for the integration (not per station): scenes and the household belong to the
home. A scene run says what it did on the stations asked for (all loaded ones if none is), each
in its own language, and returns the summary of the first. The help scene is the call for help
of alert_stations.py (one caregiver notification series), not a scene run.
"""

from __future__ import annotations

import probatio
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .alert_stations import async_call_for_help, help_reply
from .client import StationError
from .const import (
    ATTR_SCENE,
    ATTR_STATION,
    CONF_LANGUAGE,
    DEFAULT_LANGUAGE,
    DOMAIN,
    LOGGER,
    SERVICE_EXPORT_HOUSEHOLD,
    SERVICE_RUN_SCENE,
)
from .data import BarrierFreeConfigEntry
from .household_transfer import async_export
from .logic.alert_words import is_help_scene
from .logic.scene_packs import Scene
from .scene_runner import SceneRun, async_household_scenes, async_run_scene

RUN_SCENE_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_SCENE): cv.string,
        probatio.Optional(ATTR_STATION): cv.string,
    }
)
EXPORT_SCHEMA = probatio.Schema({probatio.Optional(ATTR_STATION): cv.string})


@callback
def _stations(hass: HomeAssistant, call: ServiceCall) -> list[BarrierFreeConfigEntry]:
    wanted = call.data.get(ATTR_STATION)
    entries: list[BarrierFreeConfigEntry] = [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED and wanted in (None, entry.entry_id)
    ]
    if wanted is not None and not entries:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_station",
            translation_placeholders={"station": str(wanted)},
        )
    return entries


async def _async_run_scene(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    stations = _stations(hass, call)
    wanted = str(call.data[ATTR_SCENE])
    scenes = await async_household_scenes(hass)
    scene: Scene | None = next((s for s in scenes if s.id == wanted), None)
    if scene is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_scene",
            translation_placeholders={
                "scene": wanted,
                "scenes": ", ".join(s.id for s in scenes) or "-",
            },
        )
    first = stations[0] if stations else None
    if is_help_scene(scene) and async_call_for_help(hass, first):
        # The help scene is the call for help (announced on every station, the caregiver
        # notified once per round until acknowledged), not its steps as well.
        return {"scene": scene.id, "summary": help_reply(_language(first))}
    run = await async_run_scene(hass, scene, _language(first), call.context)
    await async_say_on(stations, run)
    return {"scene": scene.id, "summary": run.summary(_language(first))}


def _language(entry: BarrierFreeConfigEntry | None) -> str:
    return str(entry.options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE)) if entry else DEFAULT_LANGUAGE


async def async_say_on(stations: list[BarrierFreeConfigEntry], run: SceneRun) -> None:
    """Say what the run did on each station, in the station's language."""
    for entry in stations:
        language = _language(entry)
        try:
            await entry.runtime_data.connection.async_announce(run.summary(language), language)
        except StationError as err:
            LOGGER.warning("Could not say the scene's outcome on %s: %s", entry.title, err)


async def _async_export(call: ServiceCall) -> ServiceResponse:
    stations = _stations(call.hass, call)
    return {"yaml": await async_export(call.hass, stations[0] if stations else None)}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_RUN_SCENE,
        _async_run_scene,
        schema=RUN_SCENE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_EXPORT_HOUSEHOLD,
        _async_export,
        schema=EXPORT_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )

"""Barrier-Free Home: an offline voice station as speech-to-text, text-to-speech and Assist."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.typing import ConfigType

from .activity import StationActivity
from .alert_services import async_register_alert_services
from .alert_stations import async_watch_station
from .alerts import async_get_alerts, async_release_alerts
from .client import CannotConnect, InvalidAuth, NotAStation
from .connection import StationConnection
from .const import (
    CONF_LANGUAGE,
    CONF_PIPELINE_ID,
    DEFAULT_LANGUAGE,
    DOMAIN,
    ISSUE_NO_RECOGNISER,
)
from .data import BarrierFreeConfigEntry, BarrierFreeData
from .household_setup import async_get_household
from .lockout import async_household_lockout, async_release_household_lockout
from .phrase_sync import PhraseSync
from .pipeline import async_ensure_pipeline, async_remove_pipeline
from .repairs import async_check_recogniser
from .room_flow import RoomFlow
from .services import async_setup_services
from .showroom import Showroom

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CONVERSATION,
    Platform.SENSOR,
    Platform.STT,
    Platform.TTS,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """The household's actions; YAML configuration is not supported."""
    async_setup_services(hass)
    async_register_alert_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: BarrierFreeConfigEntry) -> bool:
    """Connect to the station, add its entities and make sure its Assist pipeline exists."""
    connection = StationConnection(hass, entry)
    try:
        info = await connection.async_connect()
    except InvalidAuth as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except (CannotConnect, NotAStation) as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"host": connection.host, "port": str(connection.port)},
        ) from err

    started: list[StationActivity | Showroom] = []
    try:
        lockout = await async_household_lockout(hass)
        data = entry.runtime_data = BarrierFreeData(
            connection=connection, info=info, lockout=lockout
        )
        data.activity = StationActivity(hass, info.station_id)
        await data.activity.async_start()
        started.append(data.activity)
        data.showroom = Showroom(hass, entry)
        await data.showroom.async_start()
        started.append(data.showroom)
        await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    except BaseException:
        for part in reversed(started):
            await part.async_stop()
        await connection.async_stop()
        async_release_household_lockout(hass)
        raise
    connection.async_start()
    entry.runtime_data.phrase_sync = PhraseSync(hass, entry)
    entry.runtime_data.phrase_sync.async_start()
    # Scenes chosen or roles rebound change what residents can say.
    sync = entry.runtime_data.phrase_sync
    household = await async_get_household(hass)
    entry.async_on_unload(household.async_add_listener(lambda _setup: sync.async_schedule()))
    async_check_recogniser(
        hass,
        entry.entry_id,
        entry.title,
        str(entry.options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE)),
        info.asr_languages,
    )
    entry.runtime_data.room_flow = RoomFlow(hass, entry)
    entry.runtime_data.room_flow.async_start()
    await async_get_alerts(hass)
    async_watch_station(hass, entry)

    pipeline_id = await async_ensure_pipeline(hass, entry)
    if pipeline_id is not None and entry.data.get(CONF_PIPELINE_ID) != pipeline_id:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_PIPELINE_ID: pipeline_id}
        )
    return True


async def async_unload_entry(hass: HomeAssistant, entry: BarrierFreeConfigEntry) -> bool:
    """Remove the entities, then close the connection and everything it started."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        data = entry.runtime_data
        for part in (data.room_flow, data.phrase_sync, data.showroom, data.activity):
            if part is not None:
                await part.async_stop()
        await data.connection.async_stop()
        async_release_household_lockout(hass)
        await async_release_alerts(hass)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: BarrierFreeConfigEntry) -> None:
    """The station is gone for good: its Assist pipeline goes too (unless it is preferred)."""
    ir.async_delete_issue(hass, DOMAIN, f"{ISSUE_NO_RECOGNISER}_{entry.entry_id}")
    await async_remove_pipeline(hass, entry.data.get(CONF_PIPELINE_ID))

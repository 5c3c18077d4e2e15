"""Showroom set-up: what an installer would do by hand in the UI, done once at start.

Creates the staff (owner) account instead of the onboarding wizard, puts the demo devices into
rooms with English aliases, exposes them to Assist (the sensitive ones only to the station),
adds the showroom's voice station with its pairing token, places it in its room, gives it an
Assist pipeline in Mandarin (preferred) and one in English, and writes the showroom dashboard.
When all that is done it writes `showroom-ready.json`, which `script/showroom.py` waits for.
This is a development tool for `script/run`; it is not part of the integration.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from homeassistant.auth.const import GROUP_ID_ADMIN
from homeassistant.auth.providers import homeassistant as auth_ha
from homeassistant.components.assist_pipeline import async_get_pipelines
from homeassistant.components.assist_pipeline.pipeline import async_setup_pipeline_store
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.components.http.config import async_get_and_load_store
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.importlib import async_import_module
from homeassistant.helpers.typing import ConfigType

from . import dashboard

DOMAIN = "showroom_setup"
STATION_DOMAIN = "barrier_free"
# The integration's option listing entities the station may act on although they are not
# exposed to Assist (and always with confirmation): the sensitive devices.
SENSITIVE_OPTION = "sensitive_entities"
ASSIST = "conversation"
_LOGGER = logging.getLogger(__name__)

ROOMS: dict[str, tuple[str, list[str]]] = {
    # area id: (Mandarin name, aliases)
    "living_room": ("客厅", ["living room"]),
    "bedroom": ("卧室", ["bedroom"]),
    "kitchen": ("厨房", ["kitchen"]),
    "bathroom": ("卫生间", ["bathroom", "洗手间"]),
    "entrance": ("门厅", ["entrance", "玄关"]),
}
STATION_ROOM = "living_room"
# template unique id -> (area id, English alias, exposed to Home Assistant's own agent)
DEVICES: dict[str, tuple[str, str, bool]] = {
    "showroom_living_room_light": ("living_room", "living room light", True),
    "showroom_bedroom_light": ("bedroom", "bedroom light", True),
    "showroom_bedside_light": ("bedroom", "bedside light", True),
    "showroom_kitchen_light": ("kitchen", "kitchen light", True),
    "showroom_bathroom_light": ("bathroom", "bathroom light", True),
    "showroom_entrance_light": ("entrance", "entrance light", True),
    "showroom_living_room_curtain": ("living_room", "living room curtains", True),
    "showroom_bedroom_curtain": ("bedroom", "bedroom curtains", True),
    "showroom_living_room_ac": ("living_room", "air conditioner", True),
    "showroom_living_room_tv": ("living_room", "tv", True),
    "showroom_garage_door": ("entrance", "garage door", False),
    "showroom_front_door": ("entrance", "front door", False),
    "showroom_alarm": ("entrance", "home alarm", False),
    "showroom_bedroom_fan": ("bedroom", "bedroom fan", True),
    "showroom_kitchen_leak": ("kitchen", "kitchen leak sensor", True),
    "showroom_bathroom_leak": ("bathroom", "bathroom leak sensor", True),
    "showroom_entrance_door": ("entrance", "entrance door", True),
    "showroom_bedroom_window": ("bedroom", "bedroom window", True),
    "showroom_smoke": ("kitchen", "smoke alarm", True),
    "showroom_doorbell": ("entrance", "doorbell", True),
    "showroom_help_button": ("bedroom", "help button", True),
    "showroom_living_room_temperature": ("living_room", "living room temperature", True),
}
# Domains Home Assistant's onboarding adds and that need the internet: left out of the
# showroom, and removed if an older showroom folder still has them.
# Showroom devices by the role they play in the household (scenes, alerts, exhibits).
ROLES: dict[str, list[str]] = {
    "living_room_light": ["showroom_living_room_light"],
    "bedside_light": ["showroom_bedside_light"],
    "entrance_light": ["showroom_entrance_light"],
    "curtains": ["showroom_living_room_curtain", "showroom_bedroom_curtain"],
    "garage_door": ["showroom_garage_door"],
    "front_door_lock": ["showroom_front_door"],
    "alarm_panel": ["showroom_alarm"],
    "tv": ["showroom_living_room_tv"],
    "doorbell": ["showroom_doorbell"],
    "help_button": ["showroom_help_button"],
    "leak_sensor": ["showroom_kitchen_leak", "showroom_bathroom_leak"],
    "smoke_sensor": ["showroom_smoke"],
    "door_sensor": ["showroom_entrance_door"],
    "window_sensor": ["showroom_bedroom_window"],
}
SHOWROOM_PROFILE = "showroom"
ONLINE_ONLY = ("google_translate", "met", "radio_browser", "shopping_list")
PIPELINE_LABEL = {"zh": "中文", "en": "English"}  # as the integration names its pipeline
PIPELINE_TAG = {"zh": "zh-Hans", "en": "en"}
CONVERSATION_TAG = {"zh": "zh-cn", "en": "en"}  # the built-in agent's codes


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Arrange the showroom once Home Assistant has started."""

    async def _arrange(_event: Event) -> None:
        await async_confirm_http_settings(hass)
        text = await hass.async_add_executor_job(
            _read_if_exists, Path(hass.config.path("showroom.json"))
        )
        showroom: dict[str, Any] = json.loads(text) if text else {}
        if "staff" in showroom:
            await _ensure_staff(hass, showroom["staff"])
        await _remove_online_only(hass)
        _place_devices(hass)
        ready: dict[str, Any] = {"station": None}
        await _showroom_mode(hass)
        if "station" in showroom:
            ready["station"] = await _add_station(hass, showroom["station"])
        entities = ready["station"]["entities"] if ready["station"] else {}
        await hass.async_add_executor_job(
            _write,
            Path(hass.config.path("showroom-dashboard.yaml")),
            json.dumps(dashboard.build(entities), ensure_ascii=False, indent=1),
        )
        await hass.async_add_executor_job(
            _write, Path(hass.config.path("showroom-ready.json")), json.dumps(ready)
        )
        _LOGGER.info("Showroom ready")

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STARTED, _arrange)
    return True


async def async_confirm_http_settings(hass: HomeAssistant) -> None:
    """Confirm the port the showroom was started on, as a user confirms new network settings.

    Home Assistant applies http settings from YAML as a trial and, unconfirmed after five
    minutes, restarts on the previous ones (8123): a showroom on another port would move.
    """
    store = await async_get_and_load_store(hass)
    pending = store.pending
    if pending is not None and pending.get("error") is None:
        await store.async_promote_pending()
        # The next start has no http YAML (the script leaves it out): nothing to repair.
        ir.async_delete_issue(hass, "http", "deprecated_yaml")
        _LOGGER.info("Showroom: confirmed Home Assistant's http settings")


def _read_if_exists(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


async def _ensure_staff(hass: HomeAssistant, staff: dict[str, str]) -> None:
    """The owner account the onboarding wizard would create, made once."""
    provider = next(
        (p for p in hass.auth.auth_providers if isinstance(p, auth_ha.HassAuthProvider)), None
    )
    if provider is None:  # pragma: no cover - the default configuration has it
        _LOGGER.error("No Home Assistant login provider: cannot create the staff account")
        return
    await provider.async_initialize()
    username = staff["username"]
    users = provider.data.users if provider.data is not None else []
    if any(user["username"] == username for user in users):
        return
    await provider.async_add_auth(username, staff["password"])
    user = await hass.auth.async_create_user(staff["name"], group_ids=[GROUP_ID_ADMIN])
    credentials = await provider.async_get_or_create_credentials({"username": username})
    await hass.auth.async_link_user(user, credentials)
    _LOGGER.info("Showroom: created the staff account %s", username)


async def _remove_online_only(hass: HomeAssistant) -> None:
    for domain in ONLINE_ONLY:
        for entry in hass.config_entries.async_entries(domain):
            await hass.config_entries.async_remove(entry.entry_id)
            _LOGGER.info("Showroom: removed %s (needs the internet)", domain)


def _place_devices(hass: HomeAssistant) -> None:
    areas = ar.async_get(hass)
    entities = er.async_get(hass)
    area_ids: dict[str, str] = {}
    for key, (name, aliases) in ROOMS.items():
        area = areas.async_get_area_by_name(name) or areas.async_create(name, aliases=set(aliases))
        area_ids[key] = area.id
    for entry in list(entities.entities.values()):
        if entry.unique_id not in DEVICES:
            continue
        room, alias, exposed = DEVICES[entry.unique_id]
        # Set every start: Home Assistant's defaults expose a garage door to its own agent,
        # which would open it at once; the station asks first.
        async_expose_entity(hass, ASSIST, entry.entity_id, exposed)
        if entry.area_id is None:
            entities.async_update_entity(
                entry.entity_id, area_id=area_ids[room], aliases=[er.COMPUTED_NAME, alias]
            )
    _LOGGER.info("Showroom devices are in their rooms")


async def _showroom_mode(hass: HomeAssistant) -> None:
    """The household gets the showroom profile (showroom mode: exhibits explain themselves, a
    reset after each visitor) and its devices' roles, once; staff changes are kept after."""
    # Imported outside the event loop: barrier_free may not be loaded yet when Home Assistant
    # has started (its first import reads package metadata from disk).
    setup = await async_import_module(hass, "custom_components.barrier_free.household_setup")
    household = await setup.async_get_household(hass)
    if SHOWROOM_PROFILE in household.setup.profiles:
        return
    by_unique_id = {
        entry.unique_id: entry.entity_id for entry in er.async_get(hass).entities.values()
    }
    bindings = {
        role: tuple(by_unique_id[u] for u in unique_ids if u in by_unique_id)
        for role, unique_ids in ROLES.items()
    }
    await household.async_update(
        setup.HouseholdSetup(
            (*household.setup.profiles, SHOWROOM_PROFILE),
            {**{r: ids for r, ids in bindings.items() if ids}, **household.setup.bindings},
        )
    )
    _LOGGER.info("Showroom: showroom mode is on")


def _sensitive_entity_ids(hass: HomeAssistant) -> list[str]:
    entities = er.async_get(hass)
    return sorted(
        entry.entity_id
        for entry in entities.entities.values()
        if entry.unique_id in DEVICES and not DEVICES[entry.unique_id][2]
    )


async def _add_station(hass: HomeAssistant, station: dict[str, Any]) -> dict[str, Any] | None:
    """Pair the station once; on every start keep its options, room and pipelines right."""
    if not hass.config_entries.async_entries(STATION_DOMAIN):
        result = await hass.config_entries.flow.async_init(
            STATION_DOMAIN, context={"source": "user"}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {"host": station["host"], "port": station["port"], "token": station["token"]},
        )
        if result.get("type") != "create_entry":
            _LOGGER.error("Could not add the showroom station: %s", result.get("errors"))
            return None
        _LOGGER.info("Showroom station %s added", station["host"])
    entry = hass.config_entries.async_entries(STATION_DOMAIN)[0]
    sensitive = _sensitive_entity_ids(hass)
    if sorted(entry.options.get(SENSITIVE_OPTION, [])) != sensitive:
        hass.config_entries.async_update_entry(
            entry, options={**entry.options, SENSITIVE_OPTION: sensitive}
        )
    _place_station(hass, entry.entry_id)
    hearing = set(station.get("asr_languages", ["zh", "en"]))
    pipelines = await _ensure_pipelines(hass, entry.entry_id, entry.title, hearing)
    return {
        "entities": _station_entities(hass, entry.entry_id),
        "pipelines": pipelines,
        "sensitive": sensitive,
    }


def _place_station(hass: HomeAssistant, entry_id: str) -> None:
    area = ar.async_get(hass).async_get_area_by_name(ROOMS[STATION_ROOM][0])
    devices = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(devices, entry_id):
        if area is not None and device.area_id is None:
            devices.async_update_device(device.id, area_id=area.id)


def _station_entities(hass: HomeAssistant, entry_id: str) -> dict[str, str]:
    """The station's entities by the key after its id (`stt`, `tts`, `last_utterance`...)."""
    found: dict[str, str] = {}
    for entry in er.async_entries_for_config_entry(er.async_get(hass), entry_id):
        key = entry.unique_id.rsplit("-", 1)[-1]
        found[key] = entry.entity_id
    return found


async def _ensure_pipelines(
    hass: HomeAssistant, entry_id: str, title: str, hearing: set[str]
) -> dict[str, str]:
    """One pipeline per language on the station's engines, Mandarin preferred.

    The integration makes the pipeline of its configured language; the other one is made
    here with the same engines and the integration's naming, so it is found, not duplicated.
    """
    entities = _station_entities(hass, entry_id)
    base = next((p for p in async_get_pipelines(hass) if p.tts_engine == entities.get("tts")), None)
    if base is None:
        _LOGGER.error("The showroom station has no Assist pipeline")
        return {}
    store = (await async_setup_pipeline_store(hass)).pipeline_store
    station_name = base.name.rsplit(" (", 1)[0] if " (" in base.name else title
    ids: dict[str, str] = {}
    for language in ("zh", "en"):
        name = f"{station_name} ({PIPELINE_LABEL[language]})"
        existing = next((p for p in async_get_pipelines(hass) if p.name == name), None)
        if existing is None:
            settings = {
                **{key: value for key, value in base.to_json().items() if key != "id"},
                "name": name,
                "language": PIPELINE_TAG[language],
                "conversation_language": CONVERSATION_TAG[language],
                # Typed only until the station can hear this language.
                "stt_engine": entities.get("stt") if language in hearing else None,
                "stt_language": language if language in hearing else None,
                "tts_language": language,
                "tts_voice": None,
            }
            existing = await store.async_create_item(settings)
            _LOGGER.info("Showroom: created Assist pipeline %s", name)
        ids[language] = existing.id
    if store.async_get_preferred_item() != ids["zh"]:
        store.async_set_preferred_item(ids["zh"])
    return ids

"""Showroom set-up: what an installer would do by hand in the UI, done once at start.

Puts the demo devices into rooms (with the rooms' English names as aliases) and adds the
showroom's voice station to the Barrier-Free Home integration with its pairing token.
This is a development tool for `script/run`; it is not part of the integration.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from homeassistant.components.http.config import async_get_and_load_store
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.typing import ConfigType

DOMAIN = "showroom_setup"
_LOGGER = logging.getLogger(__name__)

ROOMS: dict[str, tuple[str, list[str]]] = {
    # area id: (Mandarin name, aliases)
    "living_room": ("客厅", ["living room"]),
    "bedroom": ("卧室", ["bedroom"]),
    "kitchen": ("厨房", ["kitchen"]),
    "bathroom": ("卫生间", ["bathroom", "洗手间"]),
    "entrance": ("门厅", ["entrance", "玄关"]),
}
# template unique id -> (area id, English alias)
DEVICES: dict[str, tuple[str, str]] = {
    "showroom_living_room_light": ("living_room", "living room light"),
    "showroom_bedroom_light": ("bedroom", "bedroom light"),
    "showroom_bedside_light": ("bedroom", "bedside light"),
    "showroom_kitchen_light": ("kitchen", "kitchen light"),
    "showroom_bathroom_light": ("bathroom", "bathroom light"),
    "showroom_entrance_light": ("entrance", "entrance light"),
    "showroom_living_room_curtain": ("living_room", "living room curtains"),
    "showroom_bedroom_curtain": ("bedroom", "bedroom curtains"),
    "showroom_garage_door": ("entrance", "garage door"),
    "showroom_front_door": ("entrance", "front door"),
    "showroom_alarm": ("entrance", "home alarm"),
    "showroom_bedroom_fan": ("bedroom", "bedroom fan"),
    "showroom_kitchen_leak": ("kitchen", "kitchen leak sensor"),
    "showroom_entrance_door": ("entrance", "entrance door"),
    "showroom_bedroom_window": ("bedroom", "bedroom window"),
    "showroom_smoke": ("kitchen", "smoke alarm"),
    "showroom_living_room_temperature": ("living_room", "living room temperature"),
}


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Arrange the showroom once Home Assistant has started."""

    async def _arrange(_event: Event) -> None:
        await async_confirm_http_settings(hass)
        _place_devices(hass)
        station_file = Path(hass.config.path("showroom-station.json"))
        text = await hass.async_add_executor_job(_read_if_exists, station_file)
        if text is not None:
            await _add_station(hass, json.loads(text))

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
        _LOGGER.info("Showroom: confirmed Home Assistant's http settings")


def _read_if_exists(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def _place_devices(hass: HomeAssistant) -> None:
    areas = ar.async_get(hass)
    entities = er.async_get(hass)
    area_ids: dict[str, str] = {}
    for key, (name, aliases) in ROOMS.items():
        area = areas.async_get_area_by_name(name) or areas.async_create(name, aliases=set(aliases))
        area_ids[key] = area.id
    for entry in list(entities.entities.values()):
        if entry.platform != "template" or entry.unique_id not in DEVICES:
            continue
        room, alias = DEVICES[entry.unique_id]
        if entry.area_id is None:
            entities.async_update_entity(
                entry.entity_id, area_id=area_ids[room], aliases=[er.COMPUTED_NAME, alias]
            )
    _LOGGER.info("Showroom devices are in their rooms")


async def _add_station(hass: HomeAssistant, station: dict[str, Any]) -> None:
    if hass.config_entries.async_entries("barrier_free"):
        return
    result = await hass.config_entries.flow.async_init("barrier_free", context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"host": station["host"], "port": station["port"], "token": station["token"]},
    )
    if result.get("type") == "create_entry":
        _LOGGER.info("Showroom station %s added", station["host"])
    else:
        _LOGGER.error("Could not add the showroom station: %s", result.get("errors"))

"""The home as the station sees it: a plain `phrase_list.Home` built from Home Assistant.

An entity belongs to a station when it is exposed to Assist (Home Assistant's own "expose"
setting) or listed by the installer as a sensitive entity, and, if the station serves chosen
areas, when it is in one of them. Names are the ones the resident hears on the dashboard:
the entity's full name and its aliases (`COMPUTED_NAME` resolved by Home Assistant), the
area's and floor's names and aliases.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_SUPPORTED_FEATURES
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers import label_registry as lr

from .logic.home import Area, Entity, Floor, Home
from .logic.home_status import DeviceState

ASSIST: str = "conversation"
OUTDOOR_LABEL: str = "outdoor"
OUTDOOR_NAMES: frozenset[str] = frozenset({"outdoor", "outdoors", "室外", "户外"})


def _labels(hass: HomeAssistant, label_ids: Iterable[str]) -> list[lr.LabelEntry]:
    registry = lr.async_get(hass)
    return [label for i in label_ids if (label := registry.async_get_label(i)) is not None]


@callback
def async_entity_area_id(hass: HomeAssistant, entity_id: str) -> str | None:
    """The entity's area, or its device's area."""
    entry = er.async_get(hass).async_get(entity_id)
    if entry is None:
        return None
    if entry.area_id is not None:
        return entry.area_id
    if entry.device_id is not None:
        device = dr.async_get(hass).async_get(entry.device_id)
        if device is not None:
            return device.area_id
    return None


@callback
def async_station_entity_ids(
    hass: HomeAssistant, area_ids: Collection[str], extra: Iterable[str] = ()
) -> list[str]:
    """Entities the station may control: exposed to Assist or listed, in its areas if any."""
    extra_ids = set(extra)
    chosen: list[str] = []
    for state in hass.states.async_all():
        entity_id = state.entity_id
        if entity_id not in extra_ids and not async_should_expose(hass, ASSIST, entity_id):
            continue
        if area_ids and async_entity_area_id(hass, entity_id) not in area_ids:
            continue
        chosen.append(entity_id)
    return sorted(chosen)


@callback
def async_build_home(
    hass: HomeAssistant, area_ids: Collection[str], extra: Iterable[str] = ()
) -> Home:
    """The snapshot the phrase list and the agent work from."""
    entity_registry = er.async_get(hass)
    area_registry = ar.async_get(hass)
    floor_registry = fr.async_get(hass)
    entities: list[Entity] = []
    used_areas: set[str] = set()
    for entity_id in async_station_entity_ids(hass, area_ids, extra):
        state = hass.states.get(entity_id)
        if state is None:  # pragma: no cover - listed from the state machine just above
            continue
        entry = entity_registry.async_get(entity_id)
        aliases: list[str] = []
        if entry is not None:
            aliases = er.async_get_entity_aliases(hass, entry)
        name = state.name
        area_id = async_entity_area_id(hass, entity_id)
        if area_id is not None:
            used_areas.add(area_id)
        entities.append(
            Entity(
                entity_id,
                name,
                aliases=tuple(a for a in aliases if a and a != name),
                area_id=area_id,
                device_class=state.attributes.get(ATTR_DEVICE_CLASS),
                supported_features=int(state.attributes.get(ATTR_SUPPORTED_FEATURES) or 0),
                color_modes=_color_modes(state.attributes.get("supported_color_modes")),
            )
        )
    # Every area is known by name (so "书房" is recognised as a room, and its emptiness
    # explained), not only those with entities.
    areas = tuple(
        Area(
            area.id,
            area.name,
            aliases=tuple(sorted(area.aliases)),
            floor_id=area.floor_id,
            outdoor=OUTDOOR_LABEL in area.labels
            or any(label.name.lower() in OUTDOOR_NAMES for label in _labels(hass, area.labels)),
        )
        for area in area_registry.async_list_areas()
        if not area_ids or area.id in area_ids or area.id in used_areas
    )
    floors = tuple(
        Floor(floor.floor_id, floor.name, aliases=tuple(sorted(floor.aliases)))
        for floor in floor_registry.async_list_floors()
    )
    return Home(entities=tuple(entities), areas=areas, floors=floors)


@callback
def async_device_states(hass: HomeAssistant, home: Home) -> list[DeviceState]:
    """States of the home's entities, for the status summary."""
    states: list[DeviceState] = []
    for entity in home.entities:
        state = hass.states.get(entity.entity_id)
        if state is None:
            continue
        area = home.area(entity.area_id)
        states.append(
            DeviceState(
                entity.entity_id,
                entity.name,
                state.state,
                area=area.name if area else None,
                device_class=entity.device_class,
                attributes=dict(state.attributes),
            )
        )
    return states


def _color_modes(modes: object) -> tuple[str, ...] | None:
    """A light's supported colour modes, sorted; None when it does not say (not yet on)."""
    if not isinstance(modes, list | tuple | set | frozenset) or not modes:
        return None
    return tuple(sorted(str(mode) for mode in modes))

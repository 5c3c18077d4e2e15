"""A test home of 23 entities over 5 rooms, in Mandarin and in English.

Shared by the logic tests and (later) the Home Assistant glue tests: `HOMES[language]` is the
plain snapshot the phrase list is built from; `ENTITY_SPECS` gives, per entity, what a glue test
needs to create it in a real Home Assistant (domain, device class, area, names per language).
`synthetic_home(n)` makes bigger homes for size measurements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from custom_components.barrier_free.logic.home import Area, Entity, Floor, Home


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """One entity of the test home."""

    entity_id: str
    area_id: str
    zh: str
    en: str
    device_class: str | None = None
    zh_aliases: tuple[str, ...] = ()
    en_aliases: tuple[str, ...] = ()


AREAS: Final = {
    # area_id: (zh, en)
    "living_room": ("客厅", "living room"),
    "bedroom": ("卧室", "bedroom"),
    "kitchen": ("厨房", "kitchen"),
    "bathroom": ("卫生间", "bathroom"),
    "entrance": ("门厅", "entrance"),
}
AREA_ALIASES: Final = {"zh": {"bathroom": ("洗手间",)}, "en": {"entrance": ("hallway",)}}
FLOOR: Final = ("ground", "一楼", "ground floor")

ENTITY_SPECS: Final = (
    EntitySpec("light.living_room_ceiling", "living_room", "客厅主灯", "living room ceiling light"),
    EntitySpec("light.living_room_lamp", "living_room", "落地灯", "floor lamp"),
    EntitySpec("light.bedroom", "bedroom", "卧室灯", "bedroom light"),
    EntitySpec("light.bedside", "bedroom", "床头灯", "bedside lamp", en_aliases=("reading lamp",)),
    EntitySpec("light.kitchen", "kitchen", "厨房灯", "kitchen light"),
    EntitySpec("light.bathroom", "bathroom", "卫生间灯", "bathroom light", zh_aliases=("浴室灯",)),
    EntitySpec("light.entrance", "entrance", "门厅灯", "hallway light"),
    EntitySpec(
        "cover.living_room_curtain", "living_room", "客厅窗帘", "living room curtain", "curtain"
    ),
    EntitySpec("cover.bedroom_curtain", "bedroom", "卧室窗帘", "bedroom curtain", "curtain"),
    EntitySpec("cover.garage_door", "entrance", "车库门", "garage door", "garage"),
    EntitySpec("lock.front_door", "entrance", "大门", "front door"),
    EntitySpec("alarm_control_panel.home", "entrance", "安防系统", "home alarm"),
    EntitySpec("climate.living_room", "living_room", "客厅空调", "living room thermostat"),
    EntitySpec("climate.bedroom", "bedroom", "卧室空调", "bedroom thermostat"),
    EntitySpec(
        "sensor.living_room_temperature",
        "living_room",
        "客厅温度",
        "living room temperature",
        "temperature",
    ),
    EntitySpec("binary_sensor.front_door", "entrance", "大门门磁", "front door sensor", "door"),
    EntitySpec("binary_sensor.bedroom_window", "bedroom", "卧室窗户", "bedroom window", "window"),
    EntitySpec(
        "binary_sensor.kitchen_leak", "kitchen", "厨房漏水", "kitchen leak sensor", "moisture"
    ),
    EntitySpec(
        "binary_sensor.kitchen_smoke", "kitchen", "厨房烟感", "kitchen smoke detector", "smoke"
    ),
    EntitySpec(
        "media_player.living_room", "living_room", "客厅音箱", "living room speaker", "speaker"
    ),
    EntitySpec("fan.bedroom", "bedroom", "卧室风扇", "bedroom fan"),
    EntitySpec("switch.water_heater", "bathroom", "热水器", "water heater", "outlet"),
    EntitySpec("sensor.front_door_battery", "entrance", "门锁电量", "door lock battery", "battery"),
)


def make_home(language: str) -> Home:
    """The test home with names in `language` ("zh" or "en")."""
    zh = language == "zh"
    floor = Floor(FLOOR[0], FLOOR[1] if zh else FLOOR[2])
    areas = tuple(
        Area(
            area_id,
            names[0] if zh else names[1],
            aliases=AREA_ALIASES[language].get(area_id, ()),
            floor_id=floor.floor_id,
        )
        for area_id, names in AREAS.items()
    )
    entities = tuple(
        Entity(
            spec.entity_id,
            spec.zh if zh else spec.en,
            aliases=spec.zh_aliases if zh else spec.en_aliases,
            area_id=spec.area_id,
            device_class=spec.device_class,
        )
        for spec in ENTITY_SPECS
    )
    return Home(entities=entities, areas=areas, floors=(floor,))


HOMES: Final = {"zh": make_home("zh"), "en": make_home("en")}

_SYNTHETIC_KINDS: Final = (
    # domain, device_class, zh noun, en noun
    ("light", None, "灯", "light"),
    ("light", None, "台灯", "lamp"),
    ("cover", "curtain", "窗帘", "curtain"),
    ("switch", "outlet", "插座", "socket"),
    ("fan", None, "风扇", "fan"),
    ("climate", None, "空调", "thermostat"),
    ("media_player", "speaker", "音箱", "speaker"),
    ("binary_sensor", "door", "门磁", "door sensor"),
    ("binary_sensor", "window", "窗磁", "window sensor"),
    ("sensor", "temperature", "温度计", "thermometer"),
    ("lock", None, "门锁", "lock"),
)
_ZH_ORDINALS: Final = "一二三四五六七八九十"
_EN_ORDINALS: Final = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
]


def synthetic_home(entity_count: int, language: str) -> Home:
    """A home of `entity_count` entities spread over rooms of about 10 entities each."""
    zh = language == "zh"
    room_count = max(5, entity_count // 10)
    areas = tuple(
        Area(
            f"room_{i}",
            f"{_ZH_ORDINALS[i % 10]}号房间{i // 10 or ''}"
            if zh
            else f"{_EN_ORDINALS[i % 20]} room {i // 20 or ''}".strip(),
            floor_id=f"floor_{i % 3}",
        )
        for i in range(room_count)
    )
    floors = tuple(
        Floor(f"floor_{i}", f"{_ZH_ORDINALS[i]}楼" if zh else f"{_EN_ORDINALS[i]} floor")
        for i in range(3)
    )
    entities = []
    for index in range(entity_count):
        area = areas[index % room_count]
        domain, device_class, zh_noun, en_noun = _SYNTHETIC_KINDS[index % len(_SYNTHETIC_KINDS)]
        serial = index // len(_SYNTHETIC_KINDS)
        name = (
            f"{area.name}{zh_noun}{_ZH_ORDINALS[serial % 10]}"
            if zh
            else f"{area.name} {en_noun} {_EN_ORDINALS[serial % 20]}"
        )
        entities.append(
            Entity(f"{domain}.e{index}", name, area_id=area.area_id, device_class=device_class)
        )
    return Home(entities=tuple(entities), areas=areas, floors=floors)

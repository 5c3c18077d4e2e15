"""Generated homes for bench/agent.py: realistic rooms and devices, English and Mandarin names.

`generate(n)` spreads `n` entities over rooms of about a dozen devices each, in a fixed mix
(per 20 entities: 8 lights, 3 switches, 2 covers, 1 lock, 2 thermostats/air conditioners,
2 sensors, 2 binary sensors). Every entity has a name in both languages ("kitchen desk lamp",
"厨房台灯"). `plain_home` gives the snapshot the phrase list is built from;
`async_setup_home` creates the same home as real entities in a Home Assistant test instance
(a small test integration whose services really change the state), with areas, two floors
and every entity exposed to Assist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.climate import ClimateEntity
from homeassistant.components.climate.const import ClimateEntityFeature, HVACMode
from homeassistant.components.cover import CoverDeviceClass, CoverEntity, CoverEntityFeature
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.components.light import LightEntity
from homeassistant.components.light.const import ATTR_BRIGHTNESS, ColorMode
from homeassistant.components.lock import LockEntity
from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.components.switch import SwitchEntity
from homeassistant.components.switch.const import SwitchDeviceClass
from homeassistant.const import PERCENTAGE, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers.entity import Entity as HaEntity
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)

from custom_components.barrier_free.logic.home import Area, Entity, Floor, Home

BENCH_DOMAIN: Final = "bf_bench_home"

# (English, Mandarin)
ROOMS: Final = (
    ("kitchen", "厨房"),
    ("living room", "客厅"),
    ("bedroom", "卧室"),
    ("bathroom", "卫生间"),
    ("hallway", "走廊"),
    ("dining room", "餐厅"),
    ("study", "书房"),
    ("guest room", "客房"),
    ("master bedroom", "主卧"),
    ("garage", "车库"),
    ("laundry room", "洗衣房"),
    ("nursery", "婴儿房"),
    ("office", "办公室"),
    ("balcony", "阳台"),
    ("attic", "阁楼"),
    ("basement", "地下室"),
    ("porch", "门廊"),
    ("pantry", "储藏室"),
    ("playroom", "游戏室"),
    ("gym", "健身房"),
    ("workshop", "工作间"),
    ("cellar", "酒窖"),
    ("sunroom", "阳光房"),
    ("entrance", "玄关"),
    ("library", "图书室"),
)
FLOORS: Final = (("ground floor", "一楼"), ("first floor", "二楼"))

# domain -> (English noun, Mandarin noun, device class)
NOUNS: Final[dict[str, tuple[tuple[str, str, str | None], ...]]] = {
    "light": (
        ("ceiling light", "吸顶灯", None),
        ("desk lamp", "台灯", None),
        ("floor lamp", "落地灯", None),
        ("wall light", "壁灯", None),
        ("reading lamp", "阅读灯", None),
        ("night light", "夜灯", None),
        ("spotlights", "射灯", None),
        ("pendant light", "吊灯", None),
        ("light strip", "灯带", None),
        ("bedside lamp", "床头灯", None),
    ),
    "switch": (
        ("coffee maker", "咖啡机", "outlet"),
        ("heater", "取暖器", "outlet"),
        ("kettle", "电水壶", "outlet"),
        ("dehumidifier", "除湿机", "outlet"),
        ("air purifier", "空气净化器", "outlet"),
        ("radio", "收音机", "outlet"),
        ("printer", "打印机", "outlet"),
        ("television", "电视", "outlet"),
    ),
    "cover": (
        ("curtains", "窗帘", "curtain"),
        ("blinds", "百叶窗", "blind"),
        ("shutters", "卷帘", "shutter"),
        ("skylight", "天窗", "window"),
    ),
    "lock": (
        ("door lock", "门锁", None),
        ("window lock", "窗锁", None),
        ("cabinet lock", "柜锁", None),
    ),
    "climate": (
        ("thermostat", "温控器", None),
        ("air conditioner", "空调", None),
    ),
    "sensor": (
        ("temperature", "温度", "temperature"),
        ("humidity", "湿度", "humidity"),
    ),
    "binary_sensor": (
        ("window sensor", "窗磁", "window"),
        ("motion sensor", "人体感应器", "motion"),
    ),
}
MIX: Final = (
    *("light",) * 8,
    *("switch",) * 3,
    *("cover",) * 2,
    "lock",
    *("climate",) * 2,
    *("sensor",) * 2,
    *("binary_sensor",) * 2,
)
# Spread the domains through the cycle so a small home still has some of each.
_ORDER: Final = (0, 8, 11, 1, 13, 14, 2, 16, 18, 3, 9, 4, 12, 5, 15, 6, 17, 7, 19, 10)


@dataclass(frozen=True, slots=True)
class BenchEntity:
    """One generated device, named in both languages."""

    entity_id: str
    room: int
    en: str
    zh: str
    device_class: str | None

    @property
    def domain(self) -> str:
        return self.entity_id.partition(".")[0]

    def name(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


def room_count(entity_count: int) -> int:
    return min(len(ROOMS), max(4, entity_count // 12))


def generate(entity_count: int) -> list[BenchEntity]:
    """`entity_count` devices over `room_count(entity_count)` rooms; names are unique."""
    rooms = room_count(entity_count)
    seen: dict[str, int] = {}
    made: list[BenchEntity] = []
    for index in range(entity_count):
        domain = MIX[_ORDER[index % len(MIX)]]
        k = seen[domain] = seen.get(domain, -1) + 1
        room = k % rooms
        nouns = NOUNS[domain]
        turn = k // rooms
        if turn >= len(nouns):
            raise ValueError(f"not enough {domain} names for {entity_count} entities")
        en_noun, zh_noun, device_class = nouns[(turn + room) % len(nouns)]
        en = f"{ROOMS[room][0]} {en_noun}"
        zh = f"{ROOMS[room][1]}{zh_noun}"
        made.append(BenchEntity(f"{domain}.{en.replace(' ', '_')}", room, en, zh, device_class))
    return made


def _room_id(room: int) -> str:
    return ROOMS[room][0].replace(" ", "_")


def plain_home(entities: list[BenchEntity], language: str) -> Home:
    """The snapshot `build_phrase_list` takes, as `home_snapshot` would make it."""
    zh = language == "zh"
    used = sorted({e.room for e in entities})
    floors = tuple(
        Floor(f"floor_{i}", names[1] if zh else names[0]) for i, names in enumerate(FLOORS)
    )
    areas = tuple(
        Area(_room_id(r), ROOMS[r][1] if zh else ROOMS[r][0], floor_id=f"floor_{r % 2}")
        for r in used
    )
    return Home(
        entities=tuple(
            Entity(
                e.entity_id,
                e.name(language),
                area_id=_room_id(e.room),
                device_class=e.device_class,
            )
            for e in entities
        ),
        areas=areas,
        floors=floors,
    )


# --- the same home as real Home Assistant entities ------------------------------------


class _Device(HaEntity):
    _attr_should_poll = False

    def setup(self, spec: BenchEntity, language: str) -> None:
        self._attr_unique_id = spec.entity_id
        self._attr_name = spec.name(language)
        self.entity_id = spec.entity_id


class BenchLight(_Device, LightEntity):
    def __init__(self, spec: BenchEntity, language: str) -> None:
        self.setup(spec, language)
        self._attr_color_mode = ColorMode.BRIGHTNESS
        self._attr_supported_color_modes = {ColorMode.BRIGHTNESS}
        self._attr_is_on = False
        self._attr_brightness = 128

    async def async_turn_on(self, **kwargs: Any) -> None:
        self._attr_is_on = True
        if ATTR_BRIGHTNESS in kwargs:
            self._attr_brightness = kwargs[ATTR_BRIGHTNESS]
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        self._attr_is_on = False
        self.async_write_ha_state()


class BenchSwitch(_Device, SwitchEntity):
    def __init__(self, spec: BenchEntity, language: str) -> None:
        self.setup(spec, language)
        self._attr_device_class = SwitchDeviceClass.OUTLET
        self._attr_is_on = False

    async def async_turn_on(self, **kwargs: Any) -> None:
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        self._attr_is_on = False
        self.async_write_ha_state()


class BenchCover(_Device, CoverEntity):
    def __init__(self, spec: BenchEntity, language: str) -> None:
        self.setup(spec, language)
        if spec.device_class:
            self._attr_device_class = CoverDeviceClass(spec.device_class)
        self._attr_supported_features = (
            CoverEntityFeature.OPEN | CoverEntityFeature.CLOSE | CoverEntityFeature.SET_POSITION
        )
        self._attr_is_closed = True
        self._attr_current_cover_position = 0

    async def async_open_cover(self, **kwargs: Any) -> None:
        self._attr_is_closed = False
        self._attr_current_cover_position = 100
        self.async_write_ha_state()

    async def async_close_cover(self, **kwargs: Any) -> None:
        self._attr_is_closed = True
        self._attr_current_cover_position = 0
        self.async_write_ha_state()

    async def async_set_cover_position(self, **kwargs: Any) -> None:
        position = int(kwargs["position"])
        self._attr_current_cover_position = position
        self._attr_is_closed = position == 0
        self.async_write_ha_state()


class BenchLock(_Device, LockEntity):
    def __init__(self, spec: BenchEntity, language: str) -> None:
        self.setup(spec, language)
        self._attr_is_locked = True

    async def async_lock(self, **kwargs: Any) -> None:
        self._attr_is_locked = True
        self.async_write_ha_state()

    async def async_unlock(self, **kwargs: Any) -> None:
        self._attr_is_locked = False
        self.async_write_ha_state()


class BenchClimate(_Device, ClimateEntity):
    def __init__(self, spec: BenchEntity, language: str) -> None:
        self.setup(spec, language)
        self._attr_hvac_modes = [HVACMode.HEAT, HVACMode.OFF]
        self._attr_hvac_mode = HVACMode.HEAT
        self._attr_temperature_unit = UnitOfTemperature.CELSIUS
        self._attr_current_temperature = 21.0
        self._attr_target_temperature = 21.0
        self._attr_supported_features = ClimateEntityFeature.TARGET_TEMPERATURE

    async def async_set_temperature(self, **kwargs: Any) -> None:
        self._attr_target_temperature = float(kwargs["temperature"])
        self.async_write_ha_state()


class BenchSensor(_Device, SensorEntity):
    def __init__(self, spec: BenchEntity, language: str) -> None:
        self.setup(spec, language)
        if spec.device_class == "temperature":
            self._attr_device_class = SensorDeviceClass.TEMPERATURE
            self._attr_native_value = 22.5
            self._attr_native_unit_of_measurement = UnitOfTemperature.CELSIUS
        else:
            self._attr_device_class = SensorDeviceClass.HUMIDITY
            self._attr_native_value = 45
            self._attr_native_unit_of_measurement = PERCENTAGE


class BenchBinarySensor(_Device, BinarySensorEntity):
    def __init__(self, spec: BenchEntity, language: str) -> None:
        self.setup(spec, language)
        if spec.device_class:
            self._attr_device_class = BinarySensorDeviceClass(spec.device_class)
        self._attr_is_on = False


_CLASSES: Final[dict[str, type[_Device]]] = {
    "light": BenchLight,
    "switch": BenchSwitch,
    "cover": BenchCover,
    "lock": BenchLock,
    "climate": BenchClimate,
    "sensor": BenchSensor,
    "binary_sensor": BenchBinarySensor,
}


async def async_setup_home(
    hass: HomeAssistant, specs: list[BenchEntity], language: str
) -> dict[str, HaEntity]:
    """Create floors, areas and the entities in `hass`; every entity is exposed to Assist."""
    entities: dict[str, HaEntity] = {
        s.entity_id: _CLASSES[s.domain](s, language)  # type: ignore[call-arg]
        for s in specs
    }
    domains = sorted({s.domain for s in specs})
    mock_integration(hass, MockModule(BENCH_DOMAIN))
    for domain in domains:

        async def setup_platform(
            hass: HomeAssistant,
            config: Any,
            add: AddEntitiesCallback,
            discovery_info: Any = None,
            domain: str = domain,
        ) -> None:
            add([e for eid, e in entities.items() if eid.startswith(f"{domain}.")])

        mock_platform(
            hass, f"{BENCH_DOMAIN}.{domain}", MockPlatform(async_setup_platform=setup_platform)
        )
    zh = language == "zh"
    floor_ids = [
        fr.async_get(hass).async_create(names[1] if zh else names[0]).floor_id for names in FLOORS
    ]
    area_ids: dict[int, str] = {}
    for room in sorted({s.room for s in specs}):
        names = ROOMS[room]
        area = ar.async_get(hass).async_create(
            names[1] if zh else names[0], floor_id=floor_ids[room % 2]
        )
        area_ids[room] = area.id
    for domain in domains:
        assert await async_setup_component(hass, domain, {domain: [{"platform": BENCH_DOMAIN}]})
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    for spec in specs:
        registry.async_update_entity(
            spec.entity_id, area_id=area_ids[spec.room], aliases=[er.COMPUTED_NAME]
        )
        async_expose_entity(hass, "conversation", spec.entity_id, True)
    await hass.async_block_till_done()
    return entities

"""The corpus's test home (tests/corpus/home.yaml) as real Home Assistant entities.

Every entity of home.yaml becomes an entity of a tiny integration (`bf_corpus_home`) whose
services really change its state, starting from the state and attributes home.yaml gives.
`reset()` puts every changed entity back, so that each utterance of the corpus meets the same
home. Areas, floors, names and aliases are written to Home Assistant's registries in one
language: the Mandarin home uses the Chinese names, the English home the English ones (or the
Chinese name where the installer gave no English one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components.alarm_control_panel import (
    AlarmControlPanelEntity,
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
)
from homeassistant.components.binary_sensor import BinarySensorDeviceClass, BinarySensorEntity
from homeassistant.components.climate import ClimateEntity, ClimateEntityFeature, HVACMode
from homeassistant.components.cover import CoverDeviceClass, CoverEntity, CoverEntityFeature
from homeassistant.components.fan import FanEntity, FanEntityFeature
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.components.light import ColorMode, LightEntity
from homeassistant.components.lock import LockEntity
from homeassistant.components.media_player import (
    MediaPlayerDeviceClass,
    MediaPlayerEntity,
    MediaPlayerEntityFeature,
    MediaPlayerState,
)
from homeassistant.components.scene import Scene
from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.components.switch import SwitchDeviceClass, SwitchEntity
from homeassistant.components.vacuum import StateVacuumEntity, VacuumActivity, VacuumEntityFeature
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers import label_registry as lr
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_config_flow,
    mock_integration,
    mock_platform,
)

TEST_DOMAIN = "bf_corpus_home"
OUTDOOR_LABEL = "outdoor"


class CorpusEntity(Entity):
    """An entity whose state lives in `values` ("state" and the attributes of home.yaml)."""

    _attr_should_poll = False

    def __init__(self, spec: Mapping[str, Any], language: str) -> None:
        self.spec = spec
        self.entity_id = spec["entity_id"]
        self._attr_unique_id = spec["entity_id"]
        self._attr_name = name_in(spec, language)
        self.start: dict[str, Any] = {"state": spec["state"], **(spec.get("attributes") or {})}
        self.values: dict[str, Any] = dict(self.start)
        self.changed = False

    def set(self, **values: Any) -> None:
        self.values.update(values)
        self.changed = True
        self.async_write_ha_state()

    def reset(self) -> None:
        if self.changed:
            self.values = dict(self.start)
            self.changed = False
            self.async_write_ha_state()

    @property
    def on(self) -> bool:
        return bool(self.values["state"] == "on")


def name_in(spec: Mapping[str, Any], language: str) -> str:
    """The entity's name in this language's home (Chinese where no English one was given)."""
    return str(spec["name_en"] if language == "en" and spec.get("name_en") else spec["name_zh"])


class CorpusLight(CorpusEntity, LightEntity):
    @property
    def supported_color_modes(self) -> set[ColorMode]:
        return {ColorMode(m) for m in self.values.get("supported_color_modes", ["onoff"])}

    @property
    def color_mode(self) -> ColorMode:
        return next(iter(self.supported_color_modes))

    @property
    def is_on(self) -> bool:
        return self.on

    @property
    def brightness(self) -> int | None:
        if ColorMode.ONOFF in self.supported_color_modes:
            return None
        return int(self.values.get("brightness", 255)) if self.on else None

    @property
    def hs_color(self) -> tuple[float, float] | None:
        hs = self.values.get("hs_color")
        return (float(hs[0]), float(hs[1])) if hs and self.on else None

    async def async_turn_on(self, **kwargs: Any) -> None:
        self.set(state="on", **{k: v for k, v in kwargs.items() if k in ("brightness", "hs_color")})

    async def async_turn_off(self, **kwargs: Any) -> None:
        self.set(state="off")


class CorpusSwitch(CorpusEntity, SwitchEntity):
    @property
    def device_class(self) -> SwitchDeviceClass | None:
        dc = self.spec.get("device_class")
        return SwitchDeviceClass(dc) if dc else None

    @property
    def is_on(self) -> bool:
        return self.on

    async def async_turn_on(self, **kwargs: Any) -> None:
        self.set(state="on")

    async def async_turn_off(self, **kwargs: Any) -> None:
        self.set(state="off")


class CorpusFan(CorpusEntity, FanEntity):
    @property
    def supported_features(self) -> FanEntityFeature:
        features = FanEntityFeature.TURN_ON | FanEntityFeature.TURN_OFF
        if "percentage" in self.start:
            features |= FanEntityFeature.SET_SPEED
        return features

    @property
    def is_on(self) -> bool:
        return self.on

    @property
    def percentage(self) -> int | None:
        value = self.values.get("percentage")
        return None if value is None else int(value)

    @property
    def speed_count(self) -> int:
        step = self.values.get("percentage_step")
        return round(100 / float(step)) if step else 100

    async def async_turn_on(
        self, percentage: int | None = None, preset_mode: str | None = None, **kwargs: Any
    ) -> None:
        self.set(state="on", **({"percentage": percentage} if percentage is not None else {}))

    async def async_turn_off(self, **kwargs: Any) -> None:
        self.set(state="off")

    async def async_set_percentage(self, percentage: int) -> None:
        self.set(state="on" if percentage else "off", percentage=percentage)


class CorpusCover(CorpusEntity, CoverEntity):
    _attr_supported_features = (
        CoverEntityFeature.OPEN
        | CoverEntityFeature.CLOSE
        | CoverEntityFeature.STOP
        | CoverEntityFeature.SET_POSITION
    )

    @property
    def device_class(self) -> CoverDeviceClass | None:
        dc = self.spec.get("device_class")
        return CoverDeviceClass(dc) if dc else None

    @property
    def current_cover_position(self) -> int:
        return int(self.values.get("current_position", 0))

    @property
    def is_closed(self) -> bool:
        return self.current_cover_position == 0

    async def async_open_cover(self, **kwargs: Any) -> None:
        self.set(state="open", current_position=100)

    async def async_close_cover(self, **kwargs: Any) -> None:
        self.set(state="closed", current_position=0)

    async def async_stop_cover(self, **kwargs: Any) -> None:
        self.set()

    async def async_set_cover_position(self, **kwargs: Any) -> None:
        position = int(kwargs["position"])
        self.set(state="open" if position else "closed", current_position=position)


class CorpusLock(CorpusEntity, LockEntity):
    @property
    def is_locked(self) -> bool:
        return bool(self.values["state"] == "locked")

    async def async_lock(self, **kwargs: Any) -> None:
        self.set(state="locked")

    async def async_unlock(self, **kwargs: Any) -> None:
        self.set(state="unlocked")


class CorpusClimate(CorpusEntity, ClimateEntity):
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.TURN_ON
        | ClimateEntityFeature.TURN_OFF
    )

    @property
    def hvac_modes(self) -> list[HVACMode]:
        return [HVACMode(m) for m in self.values["hvac_modes"]]

    @property
    def hvac_mode(self) -> HVACMode:
        return HVACMode(self.values["state"])

    @property
    def current_temperature(self) -> float:
        return float(self.values["current_temperature"])

    @property
    def target_temperature(self) -> float:
        return float(self.values["temperature"])

    @property
    def min_temp(self) -> float:
        return float(self.values["min_temp"])

    @property
    def max_temp(self) -> float:
        return float(self.values["max_temp"])

    async def async_set_temperature(self, **kwargs: Any) -> None:
        mode = kwargs.get("hvac_mode") or self.values["state"]
        self.set(state=str(mode), temperature=kwargs["temperature"])

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        self.set(state=str(hvac_mode))

    async def async_turn_on(self) -> None:
        self.set(state="auto" if self.values["state"] == "off" else self.values["state"])

    async def async_turn_off(self) -> None:
        self.set(state="off")


class CorpusMediaPlayer(CorpusEntity, MediaPlayerEntity):
    _attr_supported_features = (
        MediaPlayerEntityFeature.TURN_ON
        | MediaPlayerEntityFeature.TURN_OFF
        | MediaPlayerEntityFeature.PLAY
        | MediaPlayerEntityFeature.PAUSE
        | MediaPlayerEntityFeature.STOP
        | MediaPlayerEntityFeature.NEXT_TRACK
        | MediaPlayerEntityFeature.PREVIOUS_TRACK
        | MediaPlayerEntityFeature.VOLUME_SET
        | MediaPlayerEntityFeature.VOLUME_STEP
        | MediaPlayerEntityFeature.VOLUME_MUTE
    )

    @property
    def device_class(self) -> MediaPlayerDeviceClass | None:
        dc = self.spec.get("device_class")
        return MediaPlayerDeviceClass(dc) if dc else None

    @property
    def state(self) -> MediaPlayerState:  # type: ignore[override]
        return MediaPlayerState(self.values["state"])

    @property
    def volume_level(self) -> float:
        return float(self.values["volume_level"])

    @property
    def is_volume_muted(self) -> bool:
        return bool(self.values["is_volume_muted"])

    async def async_turn_on(self) -> None:
        self.set(state="on")

    async def async_turn_off(self) -> None:
        self.set(state="off")

    async def async_media_play(self) -> None:
        self.set(state="playing")

    async def async_media_pause(self) -> None:
        self.set(state="paused")

    async def async_media_stop(self) -> None:
        self.set(state="idle")

    async def async_media_next_track(self) -> None:
        self.set()

    async def async_media_previous_track(self) -> None:
        self.set()

    async def async_set_volume_level(self, volume: float) -> None:
        self.set(volume_level=volume)

    async def async_mute_volume(self, mute: bool) -> None:
        self.set(is_volume_muted=mute)


class CorpusSensor(CorpusEntity, SensorEntity):
    @property
    def device_class(self) -> SensorDeviceClass | None:
        dc = self.spec.get("device_class")
        return SensorDeviceClass(dc) if dc else None

    @property
    def native_value(self) -> float:
        return float(self.values["state"])

    @property
    def native_unit_of_measurement(self) -> str | None:
        return self.values.get("unit_of_measurement")  # type: ignore[no-any-return]

    @property
    def state_class(self) -> SensorStateClass | None:
        sc = self.values.get("state_class")
        return SensorStateClass(sc) if sc else None


class CorpusBinarySensor(CorpusEntity, BinarySensorEntity):
    @property
    def device_class(self) -> BinarySensorDeviceClass | None:
        dc = self.spec.get("device_class")
        return BinarySensorDeviceClass(dc) if dc else None

    @property
    def is_on(self) -> bool:
        return self.on


class CorpusAlarm(CorpusEntity, AlarmControlPanelEntity):
    _attr_supported_features = (
        AlarmControlPanelEntityFeature.ARM_HOME
        | AlarmControlPanelEntityFeature.ARM_AWAY
        | AlarmControlPanelEntityFeature.ARM_NIGHT
    )
    _attr_code_format = None

    @property
    def code_arm_required(self) -> bool:
        return bool(self.values.get("code_arm_required", False))

    @property
    def alarm_state(self) -> AlarmControlPanelState:
        return AlarmControlPanelState(self.values["state"])

    async def async_alarm_disarm(self, code: str | None = None) -> None:
        self.set(state="disarmed")

    async def async_alarm_arm_home(self, code: str | None = None) -> None:
        self.set(state="armed_home")

    async def async_alarm_arm_away(self, code: str | None = None) -> None:
        self.set(state="armed_away")

    async def async_alarm_arm_night(self, code: str | None = None) -> None:
        self.set(state="armed_night")


class CorpusScene(CorpusEntity, Scene):
    async def async_activate(self, **kwargs: Any) -> None:
        self.changed = True


class CorpusVacuum(CorpusEntity, StateVacuumEntity):
    _attr_supported_features = (
        VacuumEntityFeature.STATE
        | VacuumEntityFeature.START
        | VacuumEntityFeature.STOP
        | VacuumEntityFeature.PAUSE
        | VacuumEntityFeature.RETURN_HOME
    )

    @property
    def activity(self) -> VacuumActivity:
        return VacuumActivity(self.values["state"])

    async def async_start(self) -> None:
        self.set(state="cleaning")

    async def async_stop(self, **kwargs: Any) -> None:
        self.set(state="idle")

    async def async_pause(self) -> None:
        self.set(state="paused")

    async def async_return_to_base(self, **kwargs: Any) -> None:
        self.set(state="returning")


CLASSES: dict[str, type[CorpusEntity]] = {
    "light": CorpusLight,
    "switch": CorpusSwitch,
    "fan": CorpusFan,
    "cover": CorpusCover,
    "lock": CorpusLock,
    "climate": CorpusClimate,
    "media_player": CorpusMediaPlayer,
    "sensor": CorpusSensor,
    "binary_sensor": CorpusBinarySensor,
    "alarm_control_panel": CorpusAlarm,
    "scene": CorpusScene,
    "vacuum": CorpusVacuum,
}


class CorpusHome:
    """The home's entities in a running Home Assistant, and the ids of its areas."""

    def __init__(self, entities: dict[str, CorpusEntity], area_ids: dict[str, str]) -> None:
        self.entities = entities
        self.area_ids = area_ids

    def reset(self) -> None:
        for entity in self.entities.values():
            entity.reset()


async def async_setup_corpus_home(
    hass: HomeAssistant, home: Mapping[str, Any], language: str
) -> CorpusHome:
    """Create the home's floors, areas and entities in `language`."""
    specs = home["entities"]
    entities = {s["entity_id"]: CLASSES[s["domain"]](s, language) for s in specs}
    domains = sorted({s["domain"] for s in specs})

    async def setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, domains)
        return True

    mock_integration(hass, MockModule(TEST_DOMAIN, async_setup_entry=setup_entry))
    mock_platform(hass, f"{TEST_DOMAIN}.config_flow")  # set up from a config entry
    for domain in domains:

        async def setup_platform(
            hass: HomeAssistant,
            entry: ConfigEntry,
            add: AddConfigEntryEntitiesCallback,
            domain: str = domain,
        ) -> None:
            add([e for eid, e in entities.items() if eid.startswith(f"{domain}.")])

        mock_platform(
            hass, f"{TEST_DOMAIN}.{domain}", MockPlatform(async_setup_entry=setup_platform)
        )

    key = "name_zh" if language == "zh" else "name_en"
    floors = {
        fid: fr.async_get(hass).async_create(f[key]).floor_id for fid, f in home["floors"].items()
    }
    outdoor = lr.async_get(hass).async_create(OUTDOOR_LABEL).label_id
    area_ids: dict[str, str] = {}
    for area_key, area in home["areas"].items():
        created = ar.async_get(hass).async_create(
            area[key],
            floor_id=floors[area["floor"]],
            aliases=set(area[f"aliases_{language}"]),
            labels={outdoor} if area.get("outdoor") else None,
        )
        area_ids[area_key] = created.id
    for domain in domains:
        assert await async_setup_component(hass, domain, {})
    entry = MockConfigEntry(domain=TEST_DOMAIN)
    entry.add_to_hass(hass)
    with mock_config_flow(TEST_DOMAIN, ConfigFlow):
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    sensitive = set(home["sensitive"])
    for spec in specs:
        aliases = list(spec[f"aliases_{language}"])
        if language == "en" and not spec.get("name_en"):
            # The Chinese name stays the entity's name; no alias is added.
            aliases = []
        registry.async_update_entity(
            spec["entity_id"],
            area_id=area_ids[spec["area"]] if spec.get("area") else None,
            aliases=[er.COMPUTED_NAME, *aliases],
        )
        # Sensitive entities are not exposed: Home Assistant's own agent could act on them
        # without confirmation; the station lists them as its sensitive entities instead.
        async_expose_entity(
            hass, "conversation", spec["entity_id"], spec["entity_id"] not in sensitive
        )
    await hass.async_block_till_done()
    return CorpusHome(entities, area_ids)

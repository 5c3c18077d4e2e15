"""What scene packs are written against: roles, the actions scenes may take, and the events
profiles announce.

A role is a part of the home a scene needs ("the entrance light"), bound by the installer to
one entity (or several, for `multiple` roles). Per role: the domains and device classes it
accepts (`None` in a class set means "no device class"), names in both languages, and the
words that suggest it when binding (in names, aliases and areas).

Sensitive actions (unlock, disarm, opening a door, garage or gate) are never allowed in a
scene: they need the resident's confirmation and PIN, which a scene run cannot give. Covers
are judged by their role: a role that accepts garage/gate/door covers can be closed, never
opened; the curtains role accepts only covers labelled as curtains, blinds, shades, shutters or
awnings, so binding cannot smuggle a door in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from .languages import station_language

__all__ = [
    "ACTIONS",
    "EVENTS",
    "OPENING_COVER_ACTIONS",
    "ROLES",
    "SENSITIVE_ACTIONS",
    "Action",
    "Event",
    "Option",
    "Role",
]

type DeviceClasses = frozenset[str | None] | None  # None: any device class


@dataclass(frozen=True, slots=True)
class Role:
    """A part of the home that scenes and announcements refer to."""

    zh: str
    en: str
    accepts: Mapping[str, DeviceClasses]  # domain -> device classes it accepts
    words: tuple[str, ...] = ()  # name/alias words suggesting it, both languages
    areas: tuple[str, ...] = ()  # area words suggesting it, both languages
    multiple: bool = False  # bound to several entities (all path lights, every leak sensor)

    def name(self, language: str) -> str:
        """The role's name in `language`."""
        return self.zh if station_language(language) == "zh" else self.en

    def accepts_entity(self, domain: str, device_class: str | None) -> bool:
        """True if an entity of this domain and device class can fill the role."""
        if domain not in self.accepts:
            return False
        classes = self.accepts[domain]
        return classes is None or device_class in classes

    @property
    def opens_the_home(self) -> bool:
        """True if the role can hold a garage door, gate or door: never opened by a scene."""
        classes = self.accepts.get("cover", frozenset())
        return classes is None or bool(classes & _DOOR_COVERS)

    @property
    def only_secures(self) -> bool:
        """True if scenes can only make this role's devices safer (lock, arm, close a door).

        Such a role may hold a device the installer marked sensitive: the schema refuses
        every action on it that would open the home, so a scene cannot misuse it.
        """
        return all(
            domain in _SELF_GUARDED or (domain == "cover" and self.opens_the_home)
            for domain in self.accepts
        )


_DOOR_COVERS: Final[frozenset[str | None]] = frozenset({"garage", "gate", "door"})
_SELF_GUARDED: Final = frozenset({"lock", "alarm_control_panel"})
_LIGHT: Final[Mapping[str, DeviceClasses]] = {"light": None, "switch": frozenset({None, "outlet"})}

ROLES: Final[Mapping[str, Role]] = {
    "front_door_lock": Role(
        "大门门锁", "front door lock", {"lock": None}, ("大门", "门锁", "front", "door")
    ),
    "garage_door": Role(
        "车库门",
        "garage door",
        {"cover": frozenset({"garage", "gate"})},
        ("车库", "garage"),
        ("车库", "garage"),
    ),
    "entrance_light": Role(
        "门厅灯",
        "entrance light",
        _LIGHT,
        ("门厅", "玄关", "entrance", "entry", "porch", "foyer"),
        ("门厅", "玄关", "entrance", "entry", "foyer"),
    ),
    "hallway_light": Role(
        "走廊灯",
        "hallway light",
        _LIGHT,
        ("走廊", "过道", "hallway", "hall", "corridor"),
        ("走廊", "过道", "hallway", "hall", "corridor"),
    ),
    "living_room_light": Role(
        "客厅灯",
        "living room light",
        _LIGHT,
        ("客厅", "living", "lounge"),
        ("客厅", "living", "lounge"),
    ),
    "bedside_light": Role(
        "床头灯",
        "bedside light",
        {"light": None},
        ("床头", "床边", "bedside", "nightstand"),
        ("卧室", "bedroom"),
    ),
    "path_lights": Role(
        "夜间通道灯",
        "path lights",
        {"light": None},
        ("夜灯", "通道", "地脚", "night", "path", "strip", "步道"),
        multiple=True,
    ),
    "curtains": Role(
        "窗帘",
        "curtains",
        # No "no device class": an unlabelled cover might be a garage door.
        {"cover": frozenset({"curtain", "blind", "shade", "shutter", "awning"})},
        ("窗帘", "百叶", "curtain", "curtains", "blind", "blinds", "shade"),
        multiple=True,
    ),
    "flash_lights": Role(
        "提醒闪灯",
        "alert lights",
        {"light": None},
        ("闪灯", "提醒", "flash", "alert", "signal"),
        multiple=True,
    ),
    "doorbell": Role(
        "门铃",
        "doorbell",
        {
            "event": frozenset({"doorbell"}),
            "binary_sensor": frozenset({None, "sound", "occupancy"}),
        },
        ("门铃", "doorbell", "bell"),
    ),
    "door_sensor": Role(
        "门磁",
        "door sensor",
        {"binary_sensor": frozenset({"door", "opening", "garage_door"})},
        ("门", "door"),
        multiple=True,
    ),
    "window_sensor": Role(
        "窗户传感器",
        "window sensor",
        {"binary_sensor": frozenset({"window"})},
        ("窗", "window"),
        multiple=True,
    ),
    "leak_sensor": Role(
        "漏水传感器",
        "leak sensor",
        {"binary_sensor": frozenset({"moisture"})},
        ("漏水", "水浸", "leak", "water"),
        multiple=True,
    ),
    "smoke_sensor": Role(
        "烟雾报警器",
        "smoke alarm",
        {"binary_sensor": frozenset({"smoke", "gas", "carbon_monoxide"})},
        ("烟雾", "燃气", "smoke", "gas"),
        multiple=True,
    ),
    "help_button": Role(
        "求助按钮",
        "help button",
        {"event": frozenset({"button", None}), "binary_sensor": frozenset({None})},
        ("求助", "紧急", "呼叫", "help", "sos", "emergency", "panic"),
    ),
    "tv": Role(
        "电视", "TV", {"media_player": frozenset({"tv", None})}, ("电视", "tv", "television")
    ),
    "speaker": Role(
        "音箱",
        "speaker",
        {"media_player": frozenset({"speaker", "receiver", None})},
        ("音箱", "音响", "收音机", "speaker", "radio"),
    ),
    "caregiver_notify": Role(
        "看护人通知",
        "caregiver notification",
        {"notify": None},
        ("看护", "家人", "护工", "女儿", "儿子", "caregiver", "family", "carer"),
    ),
    "alarm_panel": Role(
        "报警主机", "alarm panel", {"alarm_control_panel": None}, ("报警", "安防", "alarm")
    ),
    "appliance_power": Role(
        "电器功率",
        "appliance power",
        {"sensor": frozenset({"power"})},
        ("功率", "洗衣机", "烘干机", "洗碗机", "power", "washer", "dryer", "dishwasher"),
        multiple=True,
    ),
}


@dataclass(frozen=True, slots=True)
class Option:
    """A value a scene may pass with an action."""

    low: float
    high: float
    integer: bool = True
    required: bool = False


@dataclass(frozen=True, slots=True)
class Action:
    """An action (Home Assistant service) scenes may use."""

    options: Mapping[str, Option] = field(default_factory=dict)
    message: bool = False  # takes a bilingual `message` (notifications)


_TRANSITION: Final = Option(0, 300, integer=False)
ACTIONS: Final[Mapping[str, Action]] = {
    "light.turn_on": Action(
        {
            "brightness_pct": Option(1, 100),
            "transition": _TRANSITION,
            "color_temp_kelvin": Option(1500, 9000),
        }
    ),
    "light.turn_off": Action({"transition": _TRANSITION}),
    "switch.turn_on": Action(),
    "switch.turn_off": Action(),
    "cover.open_cover": Action(),
    "cover.close_cover": Action(),
    "cover.stop_cover": Action(),
    "cover.set_cover_position": Action({"position": Option(0, 100, required=True)}),
    "media_player.turn_on": Action(),
    "media_player.turn_off": Action(),
    "media_player.media_pause": Action(),
    "media_player.media_stop": Action(),
    "media_player.volume_set": Action({"volume_level": Option(0, 1, integer=False, required=True)}),
    "lock.lock": Action(),
    "alarm_control_panel.alarm_arm_away": Action(),
    "alarm_control_panel.alarm_arm_home": Action(),
    "notify.send_message": Action(message=True),
}

# Never in a scene, whatever the role.
SENSITIVE_ACTIONS: Final = frozenset(
    {"lock.unlock", "lock.open", "alarm_control_panel.alarm_disarm"}
)
# Never in a scene on a role that can hold a door, garage door or gate.
OPENING_COVER_ACTIONS: Final = frozenset(
    {"cover.open_cover", "cover.set_cover_position", "cover.toggle"}
)


@dataclass(frozen=True, slots=True)
class Event:
    """Something a profile can announce (issue 17 builds the announcements)."""

    zh: str
    en: str
    roles: tuple[str, ...]  # the roles whose entities raise it; () for any entity
    lasting: bool = False  # "left open": announced after `after_minutes`


EVENTS: Final[Mapping[str, Event]] = {
    "doorbell": Event("门铃响了", "doorbell rang", ("doorbell",)),
    "door_left_open": Event("门开着没关", "door left open", ("door_sensor",), lasting=True),
    "window_left_open": Event("窗户开着没关", "window left open", ("window_sensor",), lasting=True),
    "garage_left_open": Event("车库门开着没关", "garage left open", ("garage_door",), lasting=True),
    "leak": Event("漏水", "water leak", ("leak_sensor",)),
    "smoke": Event("烟雾或燃气报警", "smoke or gas alarm", ("smoke_sensor",)),
    "help_pressed": Event("有人按了求助按钮", "help button pressed", ("help_button",)),
    "low_battery": Event("电池电量低", "low battery", ()),
    "appliance_finished": Event("电器运行结束", "appliance finished", ("appliance_power",)),
    "alarm_triggered": Event("报警主机报警", "alarm panel triggered", ("alarm_panel",)),
}

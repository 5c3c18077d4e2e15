"""The written notice that goes with a light-flash alert (a phone sees it as a notification).

Per language, like the spoken tables; both languages have the same keys and blanks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from .languages import table_language
from .spoken import join_names

__all__ = ["KIND_NAMES", "flash_notice"]

KIND_NAMES: Final[Mapping[str, Mapping[str, str]]] = {
    "zh": {
        "doorbell": "门铃",
        "door_open": "门没关",
        "window_open": "窗没关",
        "leak": "漏水",
        "smoke": "烟雾",
        "gas": "燃气泄漏",
        "low_battery": "电量低",
        "appliance_done": "电器已完成",
        "help": "呼救",
        "alarm": "警报",
        "announcement": "通知",
    },
    "en": {
        "doorbell": "Doorbell",
        "door_open": "Door left open",
        "window_open": "Window left open",
        "leak": "Water leak",
        "smoke": "Smoke",
        "gas": "Gas",
        "low_battery": "Low battery",
        "appliance_done": "Appliance finished",
        "help": "Help called",
        "alarm": "Alarm",
        "announcement": "Announcement",
    },
}
_TEXTS: Final[Mapping[str, Mapping[str, str]]] = {
    "zh": {
        "title": "灯光提醒：{kind}",
        "message": "{kind}：正在闪灯的有{lights}。",
        "no_lights": "{kind}：没有可以闪的灯。",
    },
    "en": {
        "title": "Light alert: {kind}",
        "message": "{kind}: flashing {lights}.",
        "no_lights": "{kind}: no light could flash.",
    },
}


def flash_notice(kind: str, light_names: Sequence[str], language: str) -> tuple[str, str]:
    """Title and message of the notice for an alert of `kind` flashing these lights."""
    language = table_language(language)
    name = KIND_NAMES[language][kind]
    texts = _TEXTS[language]
    message = texts["message"] if light_names else texts["no_lights"]
    lights = join_names(light_names, language)
    return texts["title"].format(kind=name), message.format(kind=name, lights=lights)

"""The showroom dashboard: large controls with Chinese names by room, and the voice station.

Written as JSON (which YAML reads as is) into the file the `lovelace:` YAML dashboard names,
at every start, because the station's entity ids are only known once it is paired.
"""

from __future__ import annotations

from typing import Any

# room title, then the demo entities in it (entity ids as configuration.yaml sets them)
ROOM_CARDS: list[tuple[str, list[str]]] = [
    (
        "客厅",
        [
            "light.living_room_light",
            "cover.living_room_curtain",
            "climate.living_room_ac",
            "switch.living_room_tv",
            "sensor.living_room_temperature",
        ],
    ),
    (
        "卧室",
        [
            "light.bedroom_light",
            "light.bedside_light",
            "cover.bedroom_curtain",
            "fan.bedroom_fan",
            "binary_sensor.bedroom_window",
            "button.help_button",
        ],
    ),
    ("厨房", ["light.kitchen_light", "binary_sensor.kitchen_leak", "binary_sensor.smoke"]),
    ("卫生间", ["light.bathroom_light", "binary_sensor.bathroom_leak"]),
    (
        "门厅",
        [
            "light.entrance_light",
            "lock.front_door",
            "cover.garage_door",
            "alarm_control_panel.home_alarm",
            "binary_sensor.entrance_door",
            "binary_sensor.doorbell",
        ],
    ),
]
# What staff press to show an alert: the simulated inputs behind the sensors.
SIMULATIONS: list[tuple[str, str, str]] = [
    ("input_boolean.doorbell_ringing", "按门铃", "mdi:doorbell"),
    ("input_boolean.kitchen_leak", "厨房漏水", "mdi:water-alert"),
    ("input_boolean.bathroom_leak", "卫生间漏水", "mdi:water-alert"),
    ("input_boolean.smoke", "烟雾", "mdi:smoke-detector-alert"),
    ("input_boolean.entrance_door_open", "开门厅门", "mdi:door-open"),
    ("input_boolean.help_requested", "求助", "mdi:account-alert"),
]
_TOGGLED = ("light", "switch", "fan", "lock", "cover")


def _tile(entity_id: str) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "tile",
        "entity": entity_id,
        "vertical": True,
        "grid_options": {"columns": 6, "rows": 2},
    }
    if entity_id.split(".", 1)[0] in _TOGGLED:
        card["tap_action"] = {"action": "toggle"}
    return card


def build(station: dict[str, str]) -> dict[str, Any]:
    """The dashboard for a station whose entity ids by key are `station`."""
    station_cards: list[dict[str, Any]] = [
        {"type": "heading", "heading": "语音站 · 展厅", "icon": "mdi:account-voice"}
    ]
    for entity_id in sorted(station.values()):
        if entity_id.startswith("binary_sensor."):
            station_cards.append(_tile(entity_id))
    if "last_utterance" in station:
        last = station["last_utterance"]
        station_cards.append(
            {
                "type": "entities",
                "title": "刚才听到",
                "entities": [
                    {"entity": last, "name": "听到的话"},
                    {"type": "attribute", "entity": last, "attribute": "phrase", "name": "理解为"},
                    {"type": "attribute", "entity": last, "attribute": "outcome", "name": "结果"},
                    {"type": "attribute", "entity": last, "attribute": "heard_at", "name": "时间"},
                    *(
                        [{"entity": station["last_answer"], "name": "回答"}]
                        if "last_answer" in station
                        else []
                    ),
                ],
                "grid_options": {"columns": 12},
            }
        )
    counters = [
        (f"commands_{key}", name)
        for key, name in (
            ("tried", "尝试"),
            ("understood", "听懂"),
            ("acted", "执行"),
            ("rejected", "未听懂"),
        )
    ]
    if all(key in station for key, _ in counters):
        station_cards.append(
            {
                "type": "glance",
                "title": "今日指令",
                "entities": [{"entity": station[key], "name": name} for key, name in counters],
                "grid_options": {"columns": 12},
            }
        )
    sections: list[dict[str, Any]] = [{"type": "grid", "cards": station_cards}]
    for room, entity_ids in ROOM_CARDS:
        cards: list[dict[str, Any]] = [{"type": "heading", "heading": room}]
        cards.extend(_tile(entity_id) for entity_id in entity_ids)
        sections.append({"type": "grid", "cards": cards})
    simulation_cards: list[dict[str, Any]] = [{"type": "heading", "heading": "演示：触发事件"}]
    simulation_cards.extend(
        {
            "type": "button",
            "entity": entity_id,
            "name": name,
            "icon": icon,
            "tap_action": {"action": "toggle"},
            "grid_options": {"columns": 4, "rows": 2},
        }
        for entity_id, name, icon in SIMULATIONS
    )
    sections.append({"type": "grid", "cards": simulation_cards})
    return {
        "title": "无障碍智能家居展厅",
        "views": [
            {
                "title": "展厅",
                "path": "home",
                "type": "sections",
                "max_columns": 3,
                "sections": sections,
            }
        ],
    }

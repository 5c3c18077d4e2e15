"""The showroom's demo home (script/showroom) as the plain `logic.home.Home` snapshot, built
without Home Assistant: the template entities of `configuration.yaml` and the rooms and
aliases `showroom_setup` gives them (read from its source, which imports Home Assistant)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Final

import yaml

from custom_components.barrier_free.logic.home import Area, Entity, Home, in_language

_SHOWROOM: Final = Path(__file__).resolve().parents[2] / "script" / "showroom"


def _setup_tables() -> dict[str, Any]:
    """ROOMS and DEVICES of showroom_setup, as the literals they are written as."""
    source = (_SHOWROOM / "custom_components" / "showroom_setup" / "__init__.py").read_text(
        encoding="utf-8"
    )
    tables: dict[str, Any] = {}
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id in {"ROOMS", "DEVICES"}
            and node.value is not None
        ):
            tables[node.target.id] = ast.literal_eval(node.value)
    return tables


def showroom_home(language: str) -> Home:
    """The showroom as its station sees it in `language` (names as `in_language` picks them)."""
    tables = _setup_tables()
    rooms: dict[str, tuple[str, list[str]]] = tables["ROOMS"]
    devices: dict[str, tuple[str, str, bool]] = tables["DEVICES"]
    config = yaml.safe_load((_SHOWROOM / "configuration.yaml").read_text(encoding="utf-8"))
    entities = []
    for block in config["template"]:
        for domain, specs in block.items():
            for spec in specs:
                room, alias, _exposed = devices[spec["unique_id"]]
                entities.append(
                    Entity(
                        spec["default_entity_id"],
                        spec["name"],
                        aliases=(alias,),
                        area_id=room,
                        device_class=spec.get("device_class"),
                        # a template light without a level only switches on and off
                        color_modes=(
                            ("onoff",) if domain == "light" and "level" not in spec else None
                        ),
                    )
                )
                assert entities[-1].domain == domain
    areas = tuple(Area(key, name, tuple(aliases)) for key, (name, aliases) in rooms.items())
    return in_language(Home(tuple(entities), areas), language)

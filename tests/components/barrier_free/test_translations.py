"""Every user-facing string exists in English and Mandarin with the same placeholders, and
every action, options step and menu entry has its text (what hassfest checks for core)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

import custom_components.barrier_free as integration
from custom_components.barrier_free.household_flow import OPTIONS_MENU

FOLDER = Path(integration.__file__).parent
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FOLDER / name).read_text(encoding="utf-8"))
    return loaded


def _leaves(tree: Any, path: str = "") -> dict[str, str]:
    if isinstance(tree, dict):
        found: dict[str, str] = {}
        for key, value in tree.items():
            found.update(_leaves(value, f"{path}.{key}" if path else key))
        return found
    return {path: str(tree)}


def test_mandarin_has_every_string_with_the_same_placeholders() -> None:
    english = _leaves(_load("strings.json"))
    mandarin = _leaves(_load("translations/zh-Hans.json"))
    assert set(mandarin) == set(english)
    for key, text in english.items():
        assert set(_PLACEHOLDER.findall(mandarin[key])) == set(_PLACEHOLDER.findall(text)), key
    assert _load("translations/en.json") == _load("strings.json")


def test_actions_steps_and_menu_have_their_texts() -> None:
    strings = _load("strings.json")
    actions = yaml.safe_load((FOLDER / "services.yaml").read_text(encoding="utf-8"))
    for action, spec in actions.items():
        assert strings["services"][action]["name"], action
        for field in spec.get("fields", {}):
            assert strings["services"][action]["fields"][field]["description"], field
    menu = strings["options"]["step"]["init"]["menu_options"]
    assert list(menu) == OPTIONS_MENU
    for step in [*OPTIONS_MENU, "roles_saved", "import_confirm"]:
        assert strings["options"]["step"][step]["title"], step

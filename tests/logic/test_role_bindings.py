"""Binding roles: suggestions an installer can accept as they are, refusing dangerous bindings,
and a household exported from one home re-binding in a differently named one."""

from __future__ import annotations

from pathlib import Path

import yaml  # type: ignore[import-untyped]

from custom_components.barrier_free.logic.household import (
    Household,
    export_household,
    household_roles,
    read_household,
)
from custom_components.barrier_free.logic.role_bindings import (
    EntityDescription,
    EntityInfo,
    binding_problems,
    rebind,
    suggest_bindings,
)
from custom_components.barrier_free.logic.scene_packs import load_library
from custom_components.barrier_free.logic.scene_run import scene_availability

from .home import AREAS, ENTITY_SPECS

ROOT = Path(__file__).resolve().parents[2]


def home_entities(language: str) -> list[EntityInfo]:
    zh = language == "zh"
    return [
        EntityInfo(
            spec.entity_id,
            spec.zh if zh else spec.en,
            spec.device_class,
            AREAS[spec.area_id][0 if zh else 1],
            spec.zh_aliases if zh else spec.en_aliases,
        )
        for spec in ENTITY_SPECS
    ]


ZH_SUGGESTED = {
    "front_door_lock": ("lock.front_door",),
    "garage_door": ("cover.garage_door",),
    "entrance_light": ("light.entrance",),
    "living_room_light": ("light.living_room_ceiling",),
    "bedside_light": ("light.bedside",),
    "curtains": ("cover.bedroom_curtain", "cover.living_room_curtain"),
    "door_sensor": ("binary_sensor.front_door",),
    "window_sensor": ("binary_sensor.bedroom_window",),
    "leak_sensor": ("binary_sensor.kitchen_leak",),
    "smoke_sensor": ("binary_sensor.kitchen_smoke",),
    "speaker": ("media_player.living_room",),
    "alarm_panel": ("alarm_control_panel.home",),
}


def test_suggestions_pick_by_device_class_name_and_room_and_leave_the_rest_unbound() -> None:
    suggestions = suggest_bindings(home_entities("zh"))
    chosen = {role: s.choice for role, s in suggestions.items() if s.choice}
    assert chosen == ZH_SUGGESTED
    # No evidence, no guess: the home has lights, but none says hallway or night path.
    assert suggestions["hallway_light"].choice == ()
    assert "light.entrance" in suggestions["hallway_light"].candidates
    assert suggestions["path_lights"].choice == ()
    # Candidates are only entities the role accepts: never the garage door as curtains.
    assert "cover.garage_door" not in suggestions["curtains"].candidates
    assert suggestions["bedside_light"].candidates[0] == "light.bedside"


def test_suggestions_in_english_names_too() -> None:
    chosen = {r: s.choice for r, s in suggest_bindings(home_entities("en")).items() if s.choice}
    # The English test home calls the entrance light "hallway light": the name wins.
    assert chosen["hallway_light"] == ("light.entrance",)
    assert "entrance_light" not in chosen
    assert chosen["bedside_light"] == ("light.bedside",)
    assert chosen["alarm_panel"] == ("alarm_control_panel.home",)


def test_with_the_suggestions_only_scenes_needing_unsuggested_roles_wait() -> None:
    library = load_library(ROOT / "scenes")
    availability = scene_availability(library.scenes.values(), ZH_SUGGESTED)
    assert {scene: missing for scene, missing in availability.items() if missing} == {
        "coming_home": ("hallway_light",),
        "leaving_home": ("hallway_light",),
        "help": ("caregiver_notify",),
        "night_path": ("path_lights",),
    }


def test_dangerous_or_impossible_bindings_are_refused() -> None:
    home = {entity.entity_id: entity for entity in home_entities("zh")}
    home["switch.gate"] = EntityInfo("switch.gate", "院门开关")
    bindings = {
        "curtains": ["cover.living_room_curtain", "cover.garage_door"],  # a scene opens curtains
        "entrance_light": ["switch.gate"],  # marked sensitive by the installer
        "bedside_light": ["light.bedside", "light.bedroom"],  # one role, one entity
        "tv": ["media_player.gone"],
        "no_such_role": ["light.kitchen"],
        "leak_sensor": ["binary_sensor.kitchen_leak"],
    }
    assert binding_problems(bindings, home, sensitive=frozenset({"switch.gate"})) == [
        ("curtains", "cover.garage_door"),
        ("entrance_light", "switch.gate"),
        ("bedside_light", "light.bedroom"),
        ("tv", "media_player.gone"),
        ("no_such_role", "light.kitchen"),
    ]


def test_a_sensitive_lock_or_garage_can_still_be_bound_where_scenes_only_secure_it() -> None:
    """Locks, the alarm and the garage door are sensitive in every home; scenes can only lock,
    arm or close them (the schema refuses the rest), so marking them sensitive must not keep
    "leaving home" from locking the front door."""
    home = {entity.entity_id: entity for entity in home_entities("zh")}
    sensitive = frozenset({"lock.front_door", "cover.garage_door"})
    bindings = {"front_door_lock": ["lock.front_door"], "garage_door": ["cover.garage_door"]}
    assert binding_problems(bindings, home, sensitive=sensitive) == []
    assert binding_problems({"curtains": ["cover.garage_door"]}, home, sensitive=sensitive) == [
        ("curtains", "cover.garage_door")
    ]


# --- Household export and import ---------------------------------------------------------------

OTHER_HOME = [
    EntityInfo("light.flat2_foyer", "玄关顶灯", area="门厅"),  # same room, other name
    EntityInfo("light.flat2_ceiling", "吸顶灯", area="客厅"),
    EntityInfo("light.flat2_lamp", "台灯", area="客厅"),  # two lights in the living room
    EntityInfo("light.flat2_bedside", "床头灯", area="主卧"),  # same name, other room
    EntityInfo("cover.flat2_curtain", "窗帘", "curtain", "主卧"),
    EntityInfo("binary_sensor.flat2_water", "卫生间水浸", "moisture", "卫生间"),
    EntityInfo("binary_sensor.flat2_smoke", "烟感", "smoke", "厨房"),
    EntityInfo("binary_sensor.flat2_window", "次卧窗", "window", "次卧"),
    EntityInfo("media_player.flat2_speaker", "小爱音箱", "speaker", "客厅"),
    EntityInfo("notify.flat2_son", "儿子的手机"),
]


def exported_household() -> str:
    home = {entity.entity_id: entity for entity in home_entities("zh")}
    household = Household(
        "zh",
        ("blind", "elderly"),
        household_roles(ZH_SUGGESTED, home),
        rate=140,
        volume=80,
        phrases={
            "zh": {"开饭了": "打开厨房灯"},
            "en": {"dinner time": "turn on the kitchen light"},
        },
    )
    return export_household(household)


def test_export_then_import_into_a_differently_named_home_rebinds_and_reports_the_rest() -> None:
    text = exported_household()
    household, errors = read_household(text.encode(), profiles=("blind", "elderly"))
    assert errors == [] and household is not None
    assert (household.language, household.profiles, household.rate, household.volume) == (
        "zh",
        ("blind", "elderly"),
        140,
        80,
    )
    assert household.phrases == {
        "zh": {"开饭了": "打开厨房灯"},
        "en": {"dinner time": "turn on the kitchen light"},
    }

    report = rebind(household.roles, OTHER_HOME)
    assert report.matched == {
        "entrance_light": ("light.flat2_foyer",),  # by area
        "bedside_light": ("light.flat2_bedside",),  # by name
        "curtains": ("cover.flat2_curtain",),  # by device class
        "window_sensor": ("binary_sensor.flat2_window",),
        "leak_sensor": ("binary_sensor.flat2_water",),
        "smoke_sensor": ("binary_sensor.flat2_smoke",),  # device class and area
        "speaker": ("media_player.flat2_speaker",),
    }
    assert {role: [c for _, c in items] for role, items in report.ambiguous.items()} == {
        "living_room_light": [("light.flat2_ceiling", "light.flat2_lamp")]
    }
    not_found = {role: [d.name for d in items] for role, items in report.not_found.items()}
    assert not_found == {
        "front_door_lock": ["大门"],
        "garage_door": ["车库门"],
        "curtains": ["客厅窗帘"],  # the first home had two curtains, this one has one
        "door_sensor": ["大门门磁"],
        "alarm_panel": ["安防系统"],
    }


def test_the_exported_file_holds_no_secret_and_no_entity_id() -> None:
    text = exported_household()
    document = yaml.safe_load(text)
    assert set(document) == {
        "barrier_free_household",
        "language",
        "profiles",
        "speech",
        "phrases",
        "roles",
    }
    assert set(document["speech"]) == {"rate", "volume"}
    for described in document["roles"].values():
        for entity in described:
            assert set(entity) <= {"name", "domain", "device_class", "area", "aliases"}
    lowered = text.lower()
    assert not any(word in lowered for word in ("pin", "token", "hash", "secret", "password"))
    assert "lock.front_door" not in text and "entity_id" not in text


def test_a_household_file_carrying_a_secret_or_a_mistake_is_refused_with_lines() -> None:
    text = exported_household().replace("language: zh\n", "language: zh\npin: '1234'\ntoken: abc\n")
    household, errors = read_household(text.encode(), "home.yaml")
    assert household is None
    assert [(e.code, e.line, e.params.get("key")) for e in errors] == [
        ("unknown_key", 3, "pin"),
        ("unknown_key", 4, "token"),
    ]
    assert str(errors[0]).startswith("home.yaml:3: Unknown key pin")

    bad = (
        "barrier_free_household: 2\nlanguage: fr\nprofiles: [blind, acrobat]\n"
        "speech: {rate: fast}\nroles:\n  kitchen_robot: []\n  tv:\n    - {domain: media_player}\n"
    )
    household, errors = read_household(bad.encode(), profiles=("blind",))
    assert household is None
    assert [(e.code, e.line) for e in errors] == [
        ("wrong_version", 1),
        ("unknown_language", 2),
        ("unknown_profile", 3),
        ("expected_number", 4),
        ("unknown_role", 6),
        ("missing_key", 8),
    ]


def test_a_hostile_household_file_is_refused_cleanly() -> None:
    household, errors = read_household(b"language: !!python/name:os.system\n")
    assert household is None and [e.code for e in errors] == ["tag_not_allowed"]


def test_rebinding_never_crosses_domains_or_roles() -> None:
    wanted = {"curtains": [EntityDescription("车库门", "cover", "garage", "门厅")]}
    home = [EntityInfo("cover.garage", "车库门", "garage", "门厅")]
    report = rebind(wanted, home)
    assert report.matched == {} and list(report.not_found) == ["curtains"]

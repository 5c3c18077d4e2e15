"""Scene packs and profiles: the shipped ones validate; every kind of mistake is named by file,
line and both languages without stopping the other files; hostile YAML is refused; no scene can
unlock, open a door or disarm."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from custom_components.barrier_free.logic.pack_errors import MESSAGES, PackError, placeholders
from custom_components.barrier_free.logic.pack_yaml import MAX_ALIASES, MAX_BYTES, MAX_DEPTH
from custom_components.barrier_free.logic.scene_packs import (
    BUNDLED_FOLDER,
    Announcement,
    Library,
    load_library,
    read_library,
)
from custom_components.barrier_free.logic.scene_roles import (
    ACTIONS,
    EVENTS,
    OPENING_COVER_ACTIONS,
    ROLES,
    SENSITIVE_ACTIONS,
)

ROOT = Path(__file__).resolve().parents[2]
SCENES = ROOT / "scenes"
PROFILES = ("blind", "low_vision", "deaf_hard_of_hearing", "wheelchair", "elderly", "showroom")

GOOD_PACK = """\
pack: good
scenes:
  lights_up:
    name: {zh: 开灯模式, en: lights up}
    say: {zh: [把灯都打开], en: [lights up please]}
    description: {zh: 打开走廊灯。, en: Turns on the hallway light.}
    steps:
      - action: light.turn_on
        role: hallway_light
"""
GOOD_PROFILE = """\
profile: tester
name: {zh: 测试, en: tester}
description: {zh: 测试用。, en: For tests.}
scenes: [lights_up]
announce:
  doorbell: speech
  door_left_open: {how: both, after_minutes: 3}
"""


def scene_pack(steps: str, *, extra: str = "") -> str:
    """A one-scene pack with `steps` (YAML lines indented by 6) and `extra` scene keys."""
    return (
        "pack: broken\n"
        "scenes:\n"
        "  broken_scene:\n"
        "    name: {zh: 坏场景, en: broken scene}\n"
        "    say: {zh: [坏了], en: [broken]}\n"
        "    description: {zh: 坏的。, en: Broken.}\n"
        f"{extra}"
        "    steps:\n"
        f"{steps}"
    )


def load(tmp_path: Path, **files: str | bytes) -> Library:
    for name, text in files.items():
        path = tmp_path / f"{name}.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return load_library(tmp_path)


def codes_and_lines(library: Library, file: str) -> set[tuple[str, int | None]]:
    return {(e.code, e.line) for e in library.errors if Path(e.file).name == file}


# --- The shipped packs ---------------------------------------------------------------------------


def test_every_shipped_pack_and_profile_validates() -> None:
    library = load_library(SCENES)
    assert [str(e) for e in library.errors] == []
    assert set(library.profiles) == set(PROFILES)
    assert set(library.scenes) == {
        "coming_home",
        "leaving_home",
        "night_path",
        "wake_up",
        "everything_off",
        "help",
    }
    for scene in library.scenes.values():
        assert scene.name.zh and scene.name.en and scene.description.zh and scene.description.en
        assert len(scene.phrases["zh"]) >= 3 and len(scene.phrases["en"]) >= 3
    for profile in library.profiles.values():
        assert profile.scenes and profile.announce
        assert all(library.scenes[scene_id] for scene_id in profile.scenes)


def test_shipped_scenes_do_what_they_promise() -> None:
    scenes = load_library(SCENES).scenes
    leaving = scenes["leaving_home"]
    # Leaving home never unlocks or opens anything, and says what is still on or open.
    assert not [s for s in leaving.steps if s.service in ("unlock", "open", "open_cover")]
    assert {"front_door_lock", "window_sensor", "door_sensor"} <= set(leaving.report)
    night = [s for s in scenes["night_path"].steps if s.role == "path_lights"]
    assert night and all(0 < s.data["brightness_pct"] <= 30 for s in night)
    help_steps = scenes["help"].steps
    assert help_steps[0].action == "notify.send_message" and help_steps[0].message is not None
    assert "caregiver_notify" in scenes["help"].needs
    assert any(s.action == "light.turn_on" for s in help_steps)


def test_deaf_profile_never_relies_on_speech_alone_and_blind_never_on_flash() -> None:
    profiles = load_library(SCENES).profiles
    assert all(a.how != "speech" for a in profiles["deaf_hard_of_hearing"].announce.values())
    assert all(a.how != "flash" for a in profiles["blind"].announce.values())
    assert profiles["elderly"].announce["door_left_open"].after_minutes == 2


def test_readme_lists_every_role_action_and_event() -> None:
    readme = (SCENES / "README.md").read_text(encoding="utf-8")
    missing = [name for name in (*ROLES, *ACTIONS, *EVENTS) if f"`{name}`" not in readme]
    assert missing == []
    for role in ROLES.values():
        assert f"| {role.zh} | {role.en} |" in readme


# --- Each kind of mistake ------------------------------------------------------------------------

STEP = "      - action: light.turn_on\n        role: hallway_light\n"


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        (
            scene_pack("      - action: light.turn_on\n        role: kitchen_light\n"),
            "unknown_role",
            9,
        ),
        (
            scene_pack("      - action: light.blink\n        role: hallway_light\n"),
            "unknown_action",
            8,
        ),
        (
            scene_pack("      - action: media_player.turn_off\n        role: hallway_light\n"),
            "action_not_for_role",
            8,
        ),
        (scene_pack(STEP + "        data: {brightness_pct: 150}\n"), "out_of_range", 10),
        (scene_pack(STEP + "        data: {brightness_pct: 50.5}\n"), "out_of_range", 10),
        (scene_pack(STEP + "        data: {colour: red}\n"), "unknown_key", 10),
        (scene_pack(STEP + "        data: {brightness_pct: bright}\n"), "expected_number", 10),
        (scene_pack(STEP + "        optional: maybe\n"), "expected_yes_no", 10),
        (
            scene_pack("      - action: cover.set_cover_position\n        role: curtains\n"),
            "missing_option",
            8,
        ),
        (
            scene_pack("      - action: notify.send_message\n        role: caregiver_notify\n"),
            "missing_option",
            8,
        ),
        (scene_pack(STEP + "        message: {zh: 你好, en: hello}\n"), "unknown_option", 10),
        (scene_pack("      []\n"), "empty_list", 8),
        (scene_pack(STEP, extra="    report: [caregiver_notify]\n"), "not_reportable", 7),
        (scene_pack(STEP, extra="    colour: red\n"), "unknown_key", 7),
        (scene_pack(STEP).replace("en: broken scene", "fr: scène cassée"), "missing_language", 4),
        (scene_pack(STEP).replace("en: broken scene", "en: '  '"), "blank_text", 4),
        (scene_pack(STEP).replace("    say: {zh: [坏了], en: [broken]}\n", ""), "missing_key", 3),
        (scene_pack(STEP).replace("broken_scene", "Broken-Scene"), "invalid_id", 3),
        (scene_pack(STEP).replace("en: [broken]", "en: broken"), "expected_list", 5),
        (scene_pack(STEP).replace("[坏了]", "[坏了, 把灯都打开]"), "duplicate_phrase", 3),
        (scene_pack(STEP).replace("broken_scene", "lights_up"), "duplicate_scene", 3),
        ("just text\n", "wrong_kind", 1),
        ("pack: x\nscenes: {}\n", "empty_list", 2),
        ("pack: x\nscenes:\n  a: [\n", "yaml_syntax", 4),
        ("pack: x\npack: y\n", "duplicate_key", 2),
        ("pack: x\nscenes:\n  1: {}\n", "key_not_text", 3),
        ("", "empty", None),
    ],
)
def test_a_mistake_names_file_and_line_and_the_others_still_load(
    tmp_path: Path, text: str, code: str, line: int | None
) -> None:
    library = load(tmp_path, a_good=GOOD_PACK, b_broken=text, c_profile=GOOD_PROFILE)
    assert (code, line) in codes_and_lines(library, "b_broken.yaml"), library.errors
    assert [pack.id for pack in library.packs] == ["good"]  # the broken file is left out whole
    assert list(library.profiles) == ["tester"]
    assert all(Path(e.file).name == "b_broken.yaml" for e in library.errors)


@pytest.mark.parametrize(
    ("profile_text", "code", "line"),
    [
        (GOOD_PROFILE.replace("[lights_up]", "[lights_up, no_such_scene]"), "unknown_scene", 4),
        (GOOD_PROFILE.replace("doorbell: speech", "doorbell: shout"), "unknown_how", 6),
        (GOOD_PROFILE.replace("doorbell: speech", "earthquake: speech"), "unknown_event", 6),
        (GOOD_PROFILE.replace(", after_minutes: 3", ""), "minutes_required", 7),
        (
            GOOD_PROFILE.replace("doorbell: speech", "doorbell: {how: flash, after_minutes: 2}"),
            "minutes_not_allowed",
            6,
        ),
        (GOOD_PROFILE.replace("after_minutes: 3", "after_minutes: 0"), "out_of_range", 7),
        (GOOD_PROFILE.replace("scenes: [lights_up]\n", ""), "missing_key", 1),
        (GOOD_PROFILE.replace("profile: tester", "profile: first"), "duplicate_profile", 1),
    ],
)
def test_profile_mistakes(tmp_path: Path, profile_text: str, code: str, line: int) -> None:
    first = GOOD_PROFILE.replace("profile: tester", "profile: first")
    library = load(tmp_path, a_good=GOOD_PACK, a_first=first, b_profile=profile_text)
    assert (code, line) in codes_and_lines(library, "b_profile.yaml"), library.errors
    assert "first" in library.profiles and "tester" not in library.profiles


EXHIBITS = """exhibits:
  curtains:
    name: {zh: 窗帘, en: curtains}
    description: {zh: 这是窗帘。, en: These are curtains.}
"""


def test_a_profile_lists_exhibits_by_role_in_both_languages(tmp_path: Path) -> None:
    library = load(tmp_path, a_good=GOOD_PACK, b_profile=GOOD_PROFILE + EXHIBITS)
    assert not library.errors
    (exhibit,) = library.profiles["tester"].exhibits.values()
    assert (exhibit.role, exhibit.name.zh, exhibit.description.en) == (
        "curtains",
        "窗帘",
        "These are curtains.",
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (("curtains:", "drapes:"), "unknown_role"),
        (("en: These are curtains.", "fr: Rideaux."), "missing_language"),
        (("    name: {zh: 窗帘, en: curtains}\n", ""), "missing_key"),
        (("description:", "story:"), "unknown_key"),
    ],
)
def test_exhibit_mistakes(tmp_path: Path, change: tuple[str, str], code: str) -> None:
    text = GOOD_PROFILE + EXHIBITS.replace(*change)
    library = load(tmp_path, a_good=GOOD_PACK, b_profile=text)
    assert code in {c for c, _ in codes_and_lines(library, "b_profile.yaml")}, library.errors
    assert "tester" not in library.profiles


def test_the_showroom_profile_explains_its_exhibits_in_both_languages() -> None:
    showroom = load_library(BUNDLED_FOLDER).profiles["showroom"]
    assert {"front_door_lock", "garage_door", "curtains"} <= set(showroom.exhibits)
    assert all(e.description.zh and e.description.en for e in showroom.exhibits.values())


def test_a_profile_naming_a_scene_of_a_broken_pack_says_so(tmp_path: Path) -> None:
    broken = GOOD_PACK.replace("hallway_light", "no_such_role")
    library = load(tmp_path, a_pack=broken, b_profile=GOOD_PROFILE)
    assert codes_and_lines(library, "a_pack.yaml") == {("unknown_role", 9)}
    assert codes_and_lines(library, "b_profile.yaml") == {("unknown_scene", 4)}
    assert library.packs == () and dict(library.profiles) == {}


# --- Sensitive actions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "role"),
    [
        ("lock.unlock", "front_door_lock"),
        ("lock.open", "front_door_lock"),
        ("alarm_control_panel.alarm_disarm", "alarm_panel"),
        ("cover.open_cover", "garage_door"),
        ("cover.toggle", "garage_door"),
        ("lock.unlock", "hallway_light"),  # refused whatever the role
    ],
)
def test_a_scene_with_a_sensitive_action_is_refused(tmp_path: Path, action: str, role: str) -> None:
    library = load(tmp_path, pack=scene_pack(f"      - action: {action}\n        role: {role}\n"))
    assert codes_and_lines(library, "pack.yaml") == {("sensitive_action", 8)}
    assert library.packs == ()
    assert "PIN" in library.errors[0].message("en") and "密码" in library.errors[0].message("zh")


def test_opening_to_a_position_is_refused_on_a_garage_but_closing_it_is_fine(
    tmp_path: Path,
) -> None:
    position = "      - action: cover.set_cover_position\n        role: garage_door\n"
    close = "      - action: cover.close_cover\n        role: garage_door\n"
    curtains = "      - action: cover.open_cover\n        role: curtains\n"
    library = load(
        tmp_path,
        a=scene_pack(position + "        data: {position: 40}\n"),
        b=scene_pack(close + curtains).replace("broken", "fine"),
    )
    assert codes_and_lines(library, "a.yaml") == {("sensitive_action", 8)}
    assert [pack.id for pack in library.packs] == ["fine"]


def test_every_refused_action_is_outside_the_allowed_table() -> None:
    assert not (SENSITIVE_ACTIONS & set(ACTIONS))
    assert {r for r, role in ROLES.items() if role.opens_the_home} == {"garage_door"}
    assert "cover.open_cover" in OPENING_COVER_ACTIONS


# --- Hostile YAML --------------------------------------------------------------------------------

BILLION_LAUGHS = "\n".join(
    [
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
        *(
            f"{x}: &{x} [{', '.join([f'*{p}'] * 9)}]"
            for p, x in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"pack: x\n" + b"# padding\n" * (MAX_BYTES // 10 + 1), "too_big"),
        (BILLION_LAUGHS.encode(), "too_many_aliases"),
        # Few aliases, each repeating a long list: bounded by the expanded size instead.
        (
            ("a: &a [" + ", ".join(["x"] * 5000) + "]\nb: [*a, *a, *a, *a, *a]\n").encode(),
            "too_many_values",
        ),
        (b"a: &a [*a]\n", "too_deep"),
        (b"pack: x\nscenes: !!python/object/apply:os.system ['echo owned']\n", "tag_not_allowed"),
        (b"pack: !secret token\n", "tag_not_allowed"),
        (b"pack: !!binary aGVsbG8=\n", "tag_not_allowed"),
        (b"pack: x\nwhen: 2026-12-02\n", "tag_not_allowed"),
        (b"base: &b {pack: x}\n<<: *b\n", "tag_not_allowed"),
        (("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)).encode(), "too_deep"),
        (b"pack: \xff\xfe\n", "not_utf8"),
        (b"pack: a\n---\npack: b\n", "yaml_syntax"),
        (b"pack: [unclosed\n", "yaml_syntax"),
    ],
)
def test_hostile_yaml_is_refused_cleanly(tmp_path: Path, content: bytes, code: str) -> None:
    library = load(tmp_path, a_good=GOOD_PACK, hostile=content)
    assert [e.code for e in library.errors] == [code]
    assert [pack.id for pack in library.packs] == ["good"]


def test_alias_limit_allows_a_few(tmp_path: Path) -> None:
    pieces = "\n".join(f"x{i}: &x{i} 1" for i in range(MAX_ALIASES // 2))
    uses = "\n".join(f"y{i}: *x{i}" for i in range(MAX_ALIASES // 2))
    library = load(tmp_path, a=f"{pieces}\n{uses}\n")
    assert [e.code for e in library.errors] == ["wrong_kind"]  # read fine; just not a pack


def test_a_python_tag_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"pack: !!python/object/apply:os.system ['touch {marker}']\n"
    load(tmp_path, p=text)
    assert not marker.exists()


def test_something_named_yaml_that_is_not_a_file_is_reported_not_opened(tmp_path: Path) -> None:
    (tmp_path / "folder.yaml").mkdir()
    library = load(tmp_path, good=GOOD_PACK)
    assert [(Path(e.file).name, e.code) for e in library.errors] == [("folder.yaml", "unreadable")]
    assert [pack.id for pack in library.packs] == ["good"]


def test_a_missing_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    library = load_library(tmp_path / "nowhere")
    assert [e.code for e in library.errors] == ["not_a_folder"]


# --- Messages ------------------------------------------------------------------------------------


def test_every_message_exists_in_both_languages_with_the_same_blanks() -> None:
    for code, (en, zh) in MESSAGES.items():
        assert en.strip() and zh.strip(), code
        assert placeholders(en) == placeholders(zh), code


def test_a_problem_reads_file_line_and_both_languages() -> None:
    library = read_library({"scenes/packs/x.yaml": b"pack: x\nscenes:\n  a: [\n"})
    (error,) = library.errors
    assert isinstance(error, PackError)
    text = str(error)
    assert text.startswith("scenes/packs/x.yaml:4: This is not valid YAML")
    assert "\nscenes/packs/x.yaml:4: YAML 格式有误" in text
    assert error.as_dict() == {
        "file": "scenes/packs/x.yaml",
        "line": 4,
        "code": "yaml_syntax",
        "message": error.message("en"),
        "message_zh": error.message("zh"),
        "params": dict(error.params),
    }


# --- The command line ----------------------------------------------------------------------------


def run_check(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run(
        [str(ROOT / "script/check-packs"), str(folder)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_check_packs_passes_the_shipped_packs_and_fails_a_broken_folder(tmp_path: Path) -> None:
    good = run_check(SCENES)
    assert good.returncode == 0, good.stderr
    assert "6 profiles, 0 problems" in good.stdout
    (tmp_path / "bad.yaml").write_text(
        scene_pack("      - action: lock.unlock\n        role: front_door_lock\n"), encoding="utf-8"
    )
    bad = run_check(tmp_path)
    assert bad.returncode == 1
    assert f"{tmp_path / 'bad.yaml'}:8: lock.unlock on front_door_lock is a sensitive" in bad.stderr
    assert f"{tmp_path / 'bad.yaml'}:8: 在 front_door_lock 上执行 lock.unlock" in bad.stderr


def test_the_scenes_of_chosen_profiles_come_once_each_in_profile_order() -> None:
    library = load_library(SCENES)
    showroom_then_blind = [s.id for s in library.scenes_of(["showroom", "blind", "unknown"])]
    assert showroom_then_blind == [
        "coming_home",
        "night_path",
        "wake_up",
        "everything_off",
        "help",
        "leaving_home",
    ]
    assert library.scenes_of([]) == ()


def test_profiles_add_up_for_a_household_with_two_residents() -> None:
    library = load_library(SCENES)
    merged = library.announcements(["blind", "deaf_hard_of_hearing"])
    assert merged["doorbell"].how == "both"  # speech for one, flash for the other
    assert merged["door_left_open"] == Announcement("both", 3)  # the earlier of 3 and 5
    assert library.announcements(["blind"])["leak"] == Announcement("speech", None)
    assert library.announcements([]) == {}


def test_the_integration_loads_its_bundled_copy() -> None:
    library = load_library(BUNDLED_FOLDER)
    assert library.errors == () and set(library.profiles) == set(PROFILES)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (scene_pack(STEP).replace("[坏了]", "[" + "很" * 41 + "]"), "too_long"),
        (
            scene_pack(STEP).replace(
                "[坏了]", "[" + ", ".join(f"说法{i}" for i in range(21)) + "]"
            ),
            "too_many",
        ),
        (scene_pack(STEP).replace("zh: 坏的。", "zh: " + "长" * 401), "too_long"),
    ],
)
def test_texts_stay_speakable(tmp_path: Path, text: str, code: str) -> None:
    library = load(tmp_path, pack=text)
    assert code in {e.code for e in library.errors} and library.packs == ()

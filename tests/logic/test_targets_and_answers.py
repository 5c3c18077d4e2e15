"""What a command acts on and the sentence that says it was done, without Home Assistant."""

from __future__ import annotations

import pytest

from custom_components.barrier_free.logic.answers import (
    confirmed_sentence,
    done_sentence,
    entity_words,
    target_words,
    unavailable_sentence,
)
from custom_components.barrier_free.logic.confirm_sensitive import SensitiveAction
from custom_components.barrier_free.logic.home import Entity, Home
from custom_components.barrier_free.logic.targets import (
    Targets,
    find_targets,
    sensitive_action,
    targeted,
)
from custom_components.barrier_free.logic.understanding import Understood

from .home import HOMES

EN = HOMES["en"]


def _command(intent: str, **slots: object) -> Understood:
    return Understood(intent, slots, "")


def _entity(home: Home, entity_id: str) -> Entity:
    return next(e for e in home.entities if e.entity_id == entity_id)


def test_targets_by_name_area_and_domain() -> None:
    lamp = find_targets(_command("HassTurnOn", name="floor lamp"), EN, "en", None)
    assert [e.entity_id for e in lamp.entities] == ["light.living_room_lamp"]
    bedroom = find_targets(_command("HassTurnOn", area="bedroom", domain="light"), EN, "en", None)
    assert {e.entity_id for e in bedroom.entities} == {"light.bedroom", "light.bedside"}
    brighter = find_targets(_command("BarrierFreeBrightnessStep", area="kitchen"), EN, "en", None)
    assert [e.entity_id for e in brighter.entities] == ["light.kitchen"]


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        (_command("HassTurnOn", name="lava lamp"), "I couldn't find a device called lava lamp."),
        (
            _command("HassTurnOn", area="study", domain="light"),
            "I couldn't find a room called study.",
        ),
        (
            _command("HassTurnOn", area="kitchen", domain="cover"),
            "The kitchen has no cover.",
        ),
        (_command("HassTurnOn", domain="vacuum"), "I couldn't find a device called vacuum."),
        (
            _command("HassTurnOn", name="floor lamp", area="kitchen"),
            "I couldn't find a device called floor lamp.",
        ),
    ],
)
def test_no_target_is_explained(command: Understood, problem: str) -> None:
    targets = find_targets(command, EN, "en", None)
    assert targets.entities == ()
    assert targets.problem == problem


def test_two_devices_of_one_name_ask_unless_one_is_here() -> None:
    twin = Entity("light.bedroom_lamp", "floor lamp", area_id="bedroom")
    home = Home((*EN.entities, twin), EN.areas, EN.floors)
    command = _command("HassTurnOn", name="floor lamp")
    assert find_targets(command, home, "en", None).problem == (
        "There are 2 lights. Which room do you mean?"
    )
    assert find_targets(command, home, "zh", None).problem == "有两个灯，请说是哪个房间的。"
    here = find_targets(command, home, "en", "bedroom")
    assert [e.entity_id for e in here.entities] == ["light.bedroom_lamp"]


def test_a_thermostat_temperature_without_a_device_means_the_room_thermostat() -> None:
    bare = _command("HassClimateSetTemperature", temperature=22)
    acting = targeted(bare)
    assert acting is not None
    assert acting.slots == {"temperature": 22, "domain": "climate"}
    named = _command("HassTurnOn", name="floor lamp")
    assert targeted(named) is named
    assert targeted(_command("HassGetCurrentTime")) is None


def test_the_service_a_command_makes_is_what_the_policy_sees() -> None:
    door = _entity(EN, "lock.front_door")
    assert sensitive_action(_command("HassTurnOff", name="front door"), door).service == "unlock"
    garage = _entity(EN, "cover.garage_door")
    half = sensitive_action(_command("HassSetPosition", name="garage door", position=50), garage)
    assert (half.service, dict(half.data), half.device_class) == (
        "set_cover_position",
        {"position": 50},
        "garage",
    )
    fan = _entity(EN, "fan.bedroom")
    assert sensitive_action(_command("HassTurnOn", name="bedroom fan"), fan).service == "turn_on"


def test_words_name_the_device_and_its_room() -> None:
    lamp = _entity(EN, "light.living_room_lamp")
    assert entity_words(lamp, EN, "en") == "the living room floor lamp"
    assert entity_words(lamp, EN, "en", article=False) == "living room floor lamp"
    ceiling = _entity(EN, "light.living_room_ceiling")
    assert entity_words(ceiling, EN, "en", article=False) == "living room ceiling light"
    assert entity_words(ceiling, EN, "en") == "the living room ceiling light"
    zh = _entity(HOMES["zh"], "light.living_room_lamp")
    assert entity_words(zh, HOMES["zh"], "zh") == "客厅的落地灯"
    assert unavailable_sentence(lamp, EN, "en").startswith("The living room floor lamp is not")


def test_several_devices_are_named_in_the_plural() -> None:
    bedroom = find_targets(_command("HassTurnOn", area="bedroom", domain="light"), EN, "en", None)
    command = _command("HassTurnOn", area="bedroom", domain="light")
    assert target_words(command, bedroom, EN, "en") == "the bedroom lights"
    switches = Targets(
        (
            Entity("switch.a", "a", area_id="kitchen"),
            Entity("switch.b", "b", area_id="bedroom"),
        )
    )
    assert target_words(_command("HassTurnOff", domain="switch"), switches, EN, "en") == (
        "the switches"
    )


@pytest.mark.parametrize(
    ("command", "entity_id", "sentence"),
    [
        (_command("HassTurnOn"), "light.kitchen", "Turned on the kitchen light."),
        (_command("HassTurnOff"), "lock.front_door", "Unlocked the front door."),
        (_command("HassTurnOn"), "cover.bedroom_curtain", "Opened the bedroom curtain."),
        (
            _command("HassLightSet", brightness=40.0),
            "light.kitchen",
            "Set the kitchen light to 40 percent brightness.",
        ),
        (
            _command("HassSetVolume", volume_level=30),
            "media_player.living_room",
            "Set the volume of the living room speaker to 30 percent.",
        ),
        (_command("HassMediaPause"), "media_player.living_room", "Paused the living room speaker."),
        (
            _command("HassMediaUnpause"),
            "media_player.living_room",
            "Resumed the living room speaker.",
        ),
        (_command("HassGetState"), "light.kitchen", None),
    ],
)
def test_done_sentences(command: Understood, entity_id: str, sentence: str | None) -> None:
    targets = Targets((_entity(EN, entity_id),))
    assert done_sentence(command, targets, EN, "en") == sentence
    assert done_sentence(command, Targets(), EN, "en") is None


@pytest.mark.parametrize(
    ("domain", "service", "en", "zh"),
    [
        ("lock", "unlock", "Unlocked the front door.", "已打开front door。"),
        ("lock", "open", "Unlocked the front door.", "已打开front door。"),
        ("lock", "lock", "Locked the front door.", "已锁上front door。"),
        ("cover", "open_cover", "Opened the front door.", "已打开front door。"),
        ("alarm_control_panel", "alarm_disarm", "Disarmed the front door.", "已撤防front door。"),
    ],
)
def test_confirmed_sentences_say_what_really_happened(
    domain: str, service: str, en: str, zh: str
) -> None:
    action = SensitiveAction(domain, service, f"{domain}.x", "front door")
    assert confirmed_sentence(action, "en") == en
    assert confirmed_sentence(action, "zh") == zh

"""Household scenes in use, against a real Home Assistant and a real station: by voice in both
languages, by a button per scene and by the run_scene action; an unbound role disables only its
scenes; the station says what was done; the installer's checks (speaker, speech models, missing
recogniser); a role bound to a deleted entity raises a repair."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir

from custom_components.barrier_free.const import (
    CONF_LANGUAGE,
    DOMAIN,
    ISSUE_BOUND_ENTITY_MISSING,
    ISSUE_NO_RECOGNISER,
)
from custom_components.barrier_free.household_setup import HouseholdSetup, async_get_household
from custom_components.barrier_free.logic.alert_words import is_help_scene
from custom_components.barrier_free.scene_runner import async_get_library
from tests.voice.station import wait_until
from voice.station.station import Station

from .conftest import async_setup_resident, entity_id, entry_for, said_by

COMING_HOME = {
    "entrance_light": ("light.entrance",),
    "hallway_light": ("light.kitchen",),
    "curtains": ("cover.bedroom_curtain",),
}


async def _household(hass: HomeAssistant, profiles: tuple[str, ...], bindings: Any) -> None:
    await (await async_get_household(hass)).async_update(HouseholdSetup(profiles, bindings))
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("language", "spoken", "answer"),
    [
        (
            "zh",
            "我回来了",
            "回家模式：已打开门厅灯和厨房灯，已拉开卧室窗帘。",
        ),
        (
            "en",
            "I'm home",
            "Coming home. Turned on hallway light and kitchen light. Opened bedroom curtain.",
        ),
    ],
)
async def test_scene_by_voice_changes_the_bound_devices_and_says_so(
    hass: HomeAssistant, station: Station, language: str, spoken: str, answer: str
) -> None:
    resident, _, _ = await async_setup_resident(hass, station, language)
    await _household(hass, ("blind",), COMING_HOME)
    assert await resident.say(spoken) == answer
    for bound in ("light.entrance", "light.kitchen"):
        state = hass.states.get(bound)
        assert state is not None and state.state == "on"
    curtain = hass.states.get("cover.bedroom_curtain")
    assert curtain is not None and curtain.state == "open"
    # Not bound to the scene: untouched.
    other = hass.states.get("light.bedside")
    assert other is not None and other.state == "off"


async def test_scene_of_a_profile_not_chosen_is_not_run(
    hass: HomeAssistant, station: Station
) -> None:
    resident, _, _ = await async_setup_resident(hass, station, "en")
    # The help scene is in the blind profile; with no profile chosen, it is just a sentence.
    await _household(hass, (), COMING_HOME)
    await resident.say("I'm home")
    state = hass.states.get("light.entrance")
    assert state is not None and state.state == "off"


async def test_unbound_role_disables_only_its_scenes(hass: HomeAssistant, station: Station) -> None:
    resident, _, entry = await async_setup_resident(hass, station, "en")
    await _household(hass, ("blind",), {"bedside_light": ("light.bedside",)})
    coming_home = entity_id(hass, "button", station, "scene-coming_home")
    wake_up = entity_id(hass, "button", station, "scene-wake_up")
    waiting = hass.states.get(coming_home)
    assert waiting is not None and waiting.state == "unavailable"
    ready = hass.states.get(wake_up)
    assert ready is not None and ready.state != "unavailable"  # curtains are optional there
    assert ready.attributes["scene_id"] == "wake_up"

    answer = await resident.say("I'm home")
    assert (
        answer == "Coming home. No device is set up for the entrance light and the hallway light."
    )
    assert await resident.say("good morning") == "Wake up. Turned on bedside lamp."
    bedside = hass.states.get("light.bedside")
    assert bedside is not None and bedside.state == "on"

    # Binding the roles makes the scene available, without a reload.
    await _household(hass, ("blind",), {"bedside_light": ("light.bedside",), **COMING_HOME})
    now = hass.states.get(coming_home)
    assert now is not None and now.state != "unavailable"
    assert entry.state.recoverable


async def test_scene_button_runs_the_scene_and_the_station_says_what_was_done(
    hass: HomeAssistant, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, entities, _ = await async_setup_resident(hass, station, "en")
    await _household(hass, ("blind",), COMING_HOME)
    said = said_by(station, monkeypatch)
    entities["light.kitchen"].fail = True  # a device that stops responding
    button = entity_id(hass, "button", station, "scene-coming_home")
    assert hass.states.get(button).name == "Living room Scene: coming home"  # type: ignore[union-attr]
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    entrance = hass.states.get("light.entrance")
    assert entrance is not None and entrance.state == "on"
    assert said == [
        (
            "Coming home. Turned on hallway light. Opened bedroom curtain."
            " Kitchen light did not respond.",
            "en",
        )
    ]
    await station.announcer.wait_idle()


async def test_run_scene_action_answers_and_speaks_in_the_station_language(
    hass: HomeAssistant, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, entities, entry = await async_setup_resident(hass, station, "zh")
    await _household(hass, ("elderly",), COMING_HOME)
    said = said_by(station, monkeypatch)
    curtain = entities["cover.bedroom_curtain"]
    curtain._attr_available = False
    curtain.async_write_ha_state()
    response = await hass.services.async_call(
        DOMAIN,
        "run_scene",
        {"scene": "coming_home", "station": entry.entry_id},
        blocking=True,
        return_response=True,
    )
    summary = "回家模式：已打开门厅灯和厨房灯。卧室窗帘现在连不上。"
    assert response == {"scene": "coming_home", "summary": summary}
    assert said == [(summary, "zh")]

    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            DOMAIN, "run_scene", {"scene": "unlock_everything"}, blocking=True
        )
    assert refused.value.translation_key == "unknown_scene"
    with pytest.raises(ServiceValidationError) as no_station:
        await hass.services.async_call(
            DOMAIN, "run_scene", {"scene": "coming_home", "station": "nope"}, blocking=True
        )
    assert no_station.value.translation_key == "unknown_station"


async def test_scene_buttons_follow_the_chosen_profiles(
    hass: HomeAssistant, station: Station
) -> None:
    await async_setup_resident(hass, station, "en")
    registry = er.async_get(hass)

    def scene_buttons() -> set[str]:
        return {
            e.unique_id.rpartition("-scene-")[2]
            for e in registry.entities.values()
            if e.platform == DOMAIN and "-scene-" in e.unique_id
        }

    assert scene_buttons() == set()
    await _household(hass, ("wheelchair",), {})
    with_wheelchair = scene_buttons()
    assert with_wheelchair
    await _household(hass, ("blind",), {})
    assert "coming_home" in scene_buttons()
    await _household(hass, (), {})
    assert scene_buttons() == set()


async def test_scene_phrases_reach_the_station(hass: HomeAssistant, station: Station) -> None:
    await async_setup_resident(hass, station, "en")

    def phrases() -> list[str]:
        state = station.phrases.get("en")
        return list(state.phrases) if state is not None else []

    await wait_until(lambda: "turn on kitchen light" in phrases(), "the home's phrase list")
    assert "I'm home" not in phrases()
    await _household(hass, ("blind",), COMING_HOME)
    await wait_until(lambda: "I'm home" in phrases(), "the scene phrases in the list")
    assert {"coming home", "good morning", "leaving home"} <= set(phrases())


async def test_speaker_test_speaks_in_the_household_language(
    hass: HomeAssistant, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, entry = await async_setup_resident(hass, station, "zh")
    said = said_by(station, monkeypatch)
    button = entity_id(hass, "button", station, "test_speaker")
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    assert said == [("这是音箱测试。您能听清楚这句话吗？", "zh")]
    await station.announcer.wait_idle()

    # A station that is gone has nothing to test: the button says so by being unavailable.
    await station.stop()
    await wait_until(lambda: not entry.runtime_data.connection.connected, "the station gone")
    state = hass.states.get(button)
    assert state is not None and state.state == "unavailable"


async def test_speech_models_and_missing_recogniser_repair(
    hass: HomeAssistant, station: Station
) -> None:
    issues = ir.async_get(hass)
    english = entry_for(station)
    english.add_to_hass(hass)
    assert await hass.config_entries.async_setup(english.entry_id)
    await hass.async_block_till_done()
    models = hass.states.get(entity_id(hass, "sensor", station, "speech_models"))
    assert models is not None
    assert models.state == "en"
    assert models.attributes["recognisers"] == [
        {
            "name": "pocketsphinx-en",
            "engine": "pocketsphinx",
            "languages": ["en"],
            "description": "pocketsphinx (en), limited to the home's phrases",
            "verified": None,  # the wheel's own model: nothing to check it against
        }
    ]
    assert issues.async_get_issue(DOMAIN, f"{ISSUE_NO_RECOGNISER}_{english.entry_id}") is None

    # The installer chooses Mandarin, which this station cannot recognise.
    hass.config_entries.async_update_entry(
        english, options={**english.options, CONF_LANGUAGE: "zh"}
    )
    assert await hass.config_entries.async_reload(english.entry_id)
    await hass.async_block_till_done()
    issue = issues.async_get_issue(DOMAIN, f"{ISSUE_NO_RECOGNISER}_{english.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["language"] == "zh"
    assert "models install" in issue.translation_placeholders["command"]
    assert "--lang zh" in issue.translation_placeholders["command"]
    await hass.config_entries.async_remove(english.entry_id)
    assert issues.async_get_issue(DOMAIN, f"{ISSUE_NO_RECOGNISER}_{english.entry_id}") is None


async def test_role_bound_to_a_deleted_entity_raises_a_repair_naming_it(
    hass: HomeAssistant, station: Station
) -> None:
    await async_setup_resident(hass, station, "en")
    await _household(hass, ("blind",), {"bedside_light": ("light.bedside",), **COMING_HOME})
    issues = ir.async_get(hass)
    issue_id = f"{ISSUE_BOUND_ENTITY_MISSING}_bedside_light"
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    er.async_get(hass).async_remove("light.bedside")
    await wait_until(lambda: issues.async_get_issue(DOMAIN, issue_id) is not None, "the repair")
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None and issue.translation_placeholders == {
        "role": "bedside light",
        "entities": "light.bedside",
    }
    # Only that role: the others are fine.
    assert issues.async_get_issue(DOMAIN, f"{ISSUE_BOUND_ENTITY_MISSING}_curtains") is None
    # Bound again to something that exists: the repair goes.
    await _household(hass, ("blind",), {"bedside_light": ("light.bedroom",), **COMING_HOME})
    await wait_until(lambda: issues.async_get_issue(DOMAIN, issue_id) is None, "repair cleared")


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_every_way_to_say_each_scene_runs_it(
    hass: HomeAssistant, station: Station, language: str
) -> None:
    """Each name and phrase of each chosen scene, in the household's language, runs that scene
    (the station's answer starts with the scene's name), not something else the agent knows."""
    resident, _, _ = await async_setup_resident(hass, station, language)
    await _household(hass, ("blind",), {})
    library = await async_get_library(hass)
    wrong: list[tuple[str, str]] = []
    for scene in library.scenes_of(("blind",)):
        if is_help_scene(scene):
            continue  # asking for help raises the help call instead (test_alert_help.py)
        name = scene.name.in_language(language)
        for said in (name, *scene.phrases[language]):
            answer = await resident.say(said)
            if not answer.lower().startswith(name.lower()):
                wrong.append((said, answer))
    assert wrong == []


async def test_leaving_home_locks_and_says_what_is_still_open(
    hass: HomeAssistant, station: Station
) -> None:
    resident, entities, _ = await async_setup_resident(hass, station, "zh")
    await _household(
        hass,
        ("blind",),
        {
            **COMING_HOME,
            "front_door_lock": ("lock.front_door",),
            "window_sensor": ("binary_sensor.bedroom_window",),
        },
    )
    lock = entities["lock.front_door"]
    lock._attr_is_locked = False
    lock.async_write_ha_state()
    window = entities["binary_sensor.bedroom_window"]
    window._attr_is_on = True
    window.async_write_ha_state()
    await resident.say("我回来了")
    answer = await resident.say("我出门了")
    assert answer == "离家模式：已关闭门厅灯和厨房灯，已锁上大门。还开着：卧室窗户和卧室窗帘。"
    locked = hass.states.get("lock.front_door")
    assert locked is not None and locked.state == "locked"
    # Leaving never opens anything: the curtain opened on coming home is only reported.
    curtain = hass.states.get("cover.bedroom_curtain")
    assert curtain is not None and curtain.state == "open"

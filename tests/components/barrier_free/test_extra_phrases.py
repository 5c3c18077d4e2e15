"""Phrase-list extras against a real Home Assistant and a real station: the options flow
refuses each kind of bad line with its line and phrase, an extra phrase acts like its target
(a sensitive one confirmed and PIN-checked like the original) and is answered in its language,
the station is given it in the phrase list of each language it hears, and a household export
carries the extras to an import that says how many came."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from homeassistant.components import stt
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.barrier_free.const import (
    CONF_EXTRA_PHRASES,
    CONF_PIN,
    CONF_TOKEN,
    DOMAIN,
)
from custom_components.barrier_free.logic.pin import PinHash
from tests.speech import silence, synth
from tests.voice.station import wait_until
from voice.recognition.recognizer import load_recognizer
from voice.station.station import Station

from .conftest import Resident, async_setup_agent, async_setup_resident, entity_id
from .home import async_setup_test_home
from .test_stt import metadata, stream

CJK = re.compile(r"[\u3400-\u9fff]")

KITCHEN = "turn on the kitchen light"
WITH_PIN = "unlock the front door one two three four"
FIFTY = "set the kitchen light to 50%"
BEDROOM = "turn on the bedroom light"
# (typed in the English field, error, line, phrase) on an English station in an English home
BAD_EN = [
    ("big light on", "extra_no_target", "1", "big light on"),
    ("\nbig light on =", "extra_empty", "2", "big light on ="),
    (f"big = on = {KITCHEN}", "extra_empty", "1", f"big = on = {KITCHEN}"),
    ("x" * 41 + f" = {KITCHEN}", "extra_too_long", "1", "x" * 41),
    (f"open sesame = {WITH_PIN}", "extra_has_pin", "1", WITH_PIN),
    (f"half = {FIFTY}", "extra_has_digits", "1", FIFTY),
    ("big light on = 打开厨房灯", "extra_wrong_language", "1", "打开厨房灯"),
    (f"{KITCHEN.upper()}. = {KITCHEN}", "extra_is_target", "1", f"{KITCHEN.upper()}."),
    (f"big light on = {KITCHEN}\nbig light on = x", "extra_duplicate", "2", "big light on"),
    ("big light on = turn on the spaceship", "extra_not_understood", "1", "turn on the spaceship"),
    (f"{BEDROOM} = {KITCHEN}", "extra_already_understood", "1", BEDROOM),
]  # fmt: skip


async def _menu(hass: HomeAssistant, entry_id: str, step: str) -> Any:
    result = await hass.config_entries.options.async_init(entry_id)
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


async def _set_extras(hass: HomeAssistant, entry_id: str, **fields: str) -> Any:
    result = await _menu(hass, entry_id, "extra_phrases")
    result = await hass.config_entries.options.async_configure(result["flow_id"], fields)
    await hass.async_block_till_done()
    return result


def _heard(station: Station, language: str) -> list[str]:
    state = station.phrases.get(language)
    return list(state.phrases) if state is not None else []


async def test_options_flow_refuses_each_bad_line_then_saves(
    hass: HomeAssistant, station: Station
) -> None:
    _, _, entry = await async_setup_resident(hass, station, "en")
    result = await _menu(hass, entry.entry_id, "extra_phrases")
    assert result["step_id"] == "extra_phrases"
    for typed, code, line, phrase in BAD_EN:
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"extras_en": typed}
        )
        assert result["type"] is FlowResultType.FORM, typed
        assert result["errors"] == {"extras_en": code}, typed
        assert result["description_placeholders"] == {"line": line, "phrase": phrase, "more": "-"}
    # Device names in this home are English: a Mandarin target is not understood here.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"extras_zh": "开大灯 = 打开客厅主灯"}
    )
    assert result["errors"] == {"extras_zh": "extra_not_understood"}
    # Every bad line is named: the first on its field, the others' lines in the description.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"extras_zh": "开大灯", "extras_en": "big light on\nok = turn on the spaceship"},
    )
    assert result["errors"] == {"extras_zh": "extra_no_target"}
    assert result["description_placeholders"]["more"] == "en 1, en 2"
    assert entry.options.get(CONF_EXTRA_PHRASES) is None  # nothing saved from a bad form

    good = "big light on = turn on the living room ceiling light\n\n"
    good += "open sesame = unlock the front door"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"extras_en": good}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_EXTRA_PHRASES] == {
        "en": {
            "big light on": "turn on the living room ceiling light",
            "open sesame": "unlock the front door",
        }
    }

    # The station is given the extras with the home's phrases.
    await wait_until(lambda: "open sesame" in _heard(station, "en"), "extras in the list")
    assert "big light on" in _heard(station, "en")
    assert "turn on kitchen light" in _heard(station, "en")

    # Shown again as lines; emptied, they are gone from the options and the list.
    result = await _menu(hass, entry.entry_id, "extra_phrases")
    shown = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert shown == {"extras_en": good.replace("\n\n", "\n")}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    assert CONF_EXTRA_PHRASES not in entry.options
    await wait_until(lambda: "open sesame" not in _heard(station, "en"), "extras gone")


async def _bilingual(hass: HomeAssistant, station: Station, **options: Any) -> Any:
    """A Mandarin home with English aliases, a Mandarin station, extras in both languages."""
    await async_setup_test_home(hass, "bilingual")
    agent_id, entry = await async_setup_agent(hass, station, "zh", **options)
    result = await _set_extras(
        hass,
        entry.entry_id,
        extras_zh="开大灯 = 打开客厅主灯\n放我进去 = 打开大门",
        extras_en=(
            "big light on = turn on the living room ceiling light\n"
            "open sesame = unlock the front door"
        ),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    return Resident(hass, agent_id, "zh"), Resident(hass, agent_id, "en"), entry


async def test_extra_acts_like_its_target_in_both_languages(
    hass: HomeAssistant, station: Station
) -> None:
    zh, en, entry = await _bilingual(hass, station)
    light = "light.living_room_ceiling"
    for resident, extra, target in (
        (zh, "开大灯", "打开客厅主灯"),
        (en, "big light on", "turn on the living room ceiling light"),
    ):
        answer = await resident.say(extra)
        assert hass.states.get(light).state == "on"
        await hass.services.async_call("light", "turn_off", {"entity_id": light}, blocking=True)
        assert await resident.say(target) == answer  # the very same answer as the target
        assert bool(CJK.search(answer)) == (resident is zh), answer
    assert (await zh.say("开大灯")).startswith("已打开")
    assert (await en.say("big light on")).startswith("Turned on")
    # An extra is heard in its own language only.
    assert not (await zh.say("big light on")).startswith("已打开")
    # What the agent understands it to mean (the tour's check) is the target's meaning.
    agent = entry.runtime_data.agent
    assert await agent.async_meaning("开 大 灯", "zh-Hans") == await agent.async_meaning(
        "打开客厅主灯", "zh-Hans"
    )


@pytest.mark.parametrize(
    ("language", "extra", "prompt", "yes", "pin_prompt", "pin", "done"),
    [
        (
            "zh",
            "放我进去",
            "真的要打开大门吗？请说'对的'，或者说'算了'。",
            "确定",
            "请说出密码，一个数字一个数字地说。",
            "一二三四",
            "已打开大门。",
        ),
        (
            "en",
            "open sesame",
            "Do you really want to unlock the front door? Say 'go ahead', or say 'cancel'.",
            "confirm",
            "Please say your PIN, one digit at a time.",
            "one two three four",
            "Unlocked the front door.",
        ),
    ],
    ids=["zh", "en"],
)
async def test_sensitive_extra_is_confirmed_and_pin_checked(
    hass: HomeAssistant,
    station: Station,
    language: str,
    extra: str,
    prompt: str,
    yes: str,
    pin_prompt: str,
    pin: str,
    done: str,
) -> None:
    """Never a bypass: the extra asks the same question and the same PIN as the original."""
    stored = PinHash.create("1234", iterations=1000).to_string()
    zh, en, _ = await _bilingual(hass, station, **{CONF_PIN: stored})
    resident = zh if language == "zh" else en
    assert await resident.say(extra) == prompt
    assert hass.states.get("lock.front_door").state == "locked"
    assert await resident.say(yes) == pin_prompt
    assert hass.states.get("lock.front_door").state == "locked"
    assert await resident.say(pin) == done
    assert hass.states.get("lock.front_door").state == "unlocked"


@pytest.fixture(scope="module")
def mandarin_recognizer() -> Iterator[Any]:
    """The built-in Mandarin recogniser (Whisper base), loaded once for this module."""
    recognizer = load_recognizer("zh")
    yield recognizer
    recognizer.close()


async def test_station_is_given_the_extras_in_each_language_it_hears(
    hass: HomeAssistant,
    station_factory: Callable[..., Any],
    recognizer: Any,
    mandarin_recognizer: Any,
) -> None:
    both = await station_factory(
        languages=("zh", "en"), recognizers={"zh": mandarin_recognizer, "en": recognizer}
    )
    try:
        await _bilingual(hass, both)
        await wait_until(
            lambda: "放我进去" in _heard(both, "zh") and "open sesame" in _heard(both, "en"),
            "extras in both lists",
        )
        assert "开大灯" in _heard(both, "zh")
        assert "big light on" in _heard(both, "en")
        assert "big light on" not in _heard(both, "zh")
        assert not any(CJK.search(p) for p in _heard(both, "en"))
    finally:
        await both.stop()


async def test_export_then_import_carries_the_extras(hass: HomeAssistant, station: Station) -> None:
    _, _, entry = await async_setup_resident(hass, station, "en")
    typed = (
        "big light on = turn on the living room ceiling light\nopen sesame = unlock the front door"
    )
    result = await _set_extras(hass, entry.entry_id, extras_en=typed)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    extras = dict(entry.options[CONF_EXTRA_PHRASES])

    response = await hass.services.async_call(
        DOMAIN, "export_household", {}, blocking=True, return_response=True
    )
    assert response is not None
    text = str(response["yaml"])
    document = yaml.safe_load(text)
    assert document["phrases"] == extras

    # The next home: no extras yet; the file brings one this home cannot understand too.
    await _set_extras(hass, entry.entry_id)
    assert CONF_EXTRA_PHRASES not in entry.options
    document["phrases"]["en"]["warp speed"] = "turn on the spaceship"
    document["phrases"]["en"]["half light"] = FIFTY  # digits: never an extra
    result = await _menu(hass, entry.entry_id, "import")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"household": yaml.safe_dump(document, allow_unicode=True)}
    )
    assert result["step_id"] == "import_confirm", result["description_placeholders"]
    shown = result["description_placeholders"]
    assert (shown["extras_count"], shown["extras_kept"]) == ("4", "2")
    assert sorted(shown["extras_refused"].splitlines()) == [
        f"- half light = {FIFTY}",
        "- warp speed = turn on the spaceship",
    ]
    assert CONF_EXTRA_PHRASES not in entry.options  # nothing saved before the installer agrees

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"apply_speech": False}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_EXTRA_PHRASES] == extras
    await wait_until(lambda: "open sesame" in _heard(station, "en"), "imported extras in the list")


async def test_spoken_extra_is_heard_by_the_station_and_acted_on(
    hass: HomeAssistant, station: Station
) -> None:
    """Real decoding: espeak-ng says the extra phrase, the station's recogniser (constrained
    to the home's phrase list) hears it, and the agent turns the light on."""
    resident, _, entry = await async_setup_resident(hass, station, "en")
    await _set_extras(hass, entry.entry_id, extras_en="cooking light = turn on the kitchen light")
    sync = entry.runtime_data.phrase_sync
    await wait_until(
        lambda: (
            "cooking light" in _heard(station, "en")
            and sync.result is not None
            and sync.result.version == sync.version
        ),
        "the list with the extra",
    )
    entity = stt.async_get_speech_to_text_entity(hass, entity_id(hass, "stt", station, "stt"))
    assert entity is not None
    pcm = silence(0.3) + synth("cooking light", voice="en-us") + silence(0.3)
    result = await entity.async_process_audio_stream(metadata(), stream(pcm))
    assert result.text == "cooking light"
    assert await resident.say(result.text) == "Turned on the kitchen light."
    assert hass.states.get("light.kitchen").state == "on"


async def test_every_station_of_the_home_has_the_same_extras(
    hass: HomeAssistant, station: Station, station_factory: Callable[..., Any]
) -> None:
    """Saved at one station, the extras are every station's, a station added later's too."""
    _, _, first = await async_setup_resident(hass, station, "en")
    await _set_extras(hass, first.entry_id, extras_en="cooking light = turn on the kitchen light")
    hallway = await station_factory(name="Hallway")
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: hallway.port, CONF_TOKEN: hallway.token},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    second = result["result"]
    assert second.options[CONF_EXTRA_PHRASES] == first.options[CONF_EXTRA_PHRASES]
    await wait_until(lambda: "cooking light" in _heard(hallway, "en"), "the new station's list")

    # Changed at the new station: the first one follows, its list too.
    await _set_extras(
        hass, second.entry_id, extras_en="sunshine please = turn on the kitchen light"
    )
    assert first.options[CONF_EXTRA_PHRASES] == {
        "en": {"sunshine please": "turn on the kitchen light"}
    }
    await wait_until(
        lambda: (
            "sunshine please" in _heard(station, "en")
            and "cooking light" not in _heard(station, "en")
        ),
        "the first station's list",
    )

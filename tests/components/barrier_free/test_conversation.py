"""The station's agent, at text level, in a real Home Assistant with a 21-entity, 5-room home.

Each test checks what a resident would notice: a device really changed state (the entity's
service was called) and the exact spoken answer, in Mandarin and in English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.barrier_free.const import (
    CONF_PIN,
    CONF_RATE,
    DOMAIN,
)
from custom_components.barrier_free.logic.pin import PinHash
from voice.station.station import Station

ON_OFF = {
    "zh": [
        ("打开客厅主灯", "light.living_room_ceiling", "on", "已打开客厅主灯。"),
        ("帮我把客厅的灯打开吧", "light.living_room_lamp", "on", "已打开客厅的灯。"),
        ("卧室窗帘开一下", "cover.bedroom_curtain", "open", "已打开卧室窗帘。"),
        ("热水器开一下", "switch.water_heater", "on", "已打开卫生间的热水器。"),
    ],
    "en": [
        (
            "turn on the living room ceiling light",
            "light.living_room_ceiling",
            "on",
            "Turned on the living room ceiling light.",
        ),
        (
            "turn on the living room lights",
            "light.living_room_lamp",
            "on",
            "Turned on the living room lights.",
        ),
        (
            "open the bedroom curtain",
            "cover.bedroom_curtain",
            "open",
            "Opened the bedroom curtain.",
        ),
        (
            "turn on the water heater",
            "switch.water_heater",
            "on",
            "Turned on the bathroom water heater.",
        ),
    ],
}


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_commands_change_state_and_answer_in_full(
    hass: HomeAssistant, setup: Callable[..., Any], language: str
) -> None:
    resident, _, _ = await setup(language)
    for text, entity_id, state, answer in ON_OFF[language]:
        assert await resident.say(text) == answer, text
        assert hass.states.get(entity_id).state == state, text


ERRORS = {
    "zh": [
        ("打开书房的灯", "没有找到叫做书房的房间。"),
        ("打开厨房的窗帘", "厨房没有窗帘。"),
    ],
    "en": [
        ("turn on the lights in the study", "I couldn't find a room called study."),
        ("open the kitchen curtains", "The kitchen has no curtain."),
        # a room that exists with a thing it does not have: not "no room called ..."
        ("pause the living room speaker", "The living room has no speaker."),
    ],
}


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_specific_errors(
    hass: HomeAssistant, setup: Callable[..., Any], language: str
) -> None:
    resident, entities, _ = await setup(language)
    before = {eid: hass.states.get(eid).state for eid in entities}
    for text, answer in ERRORS[language]:
        assert await resident.say(text) == answer, text
    assert {eid: hass.states.get(eid).state for eid in entities} == before


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_unavailable_device_is_reported(
    hass: HomeAssistant, setup: Callable[..., Any], language: str
) -> None:
    resident, entities, _ = await setup(language)
    light = entities["light.kitchen"]
    light._attr_available = False
    light.async_write_ha_state()
    text = "打开厨房灯" if language == "zh" else "turn on the kitchen light"
    answer = await resident.say(text)
    assert answer == (
        "厨房灯现在连不上，请检查它的电源和网络。"
        if language == "zh"
        else "The kitchen light is not responding. Please check its power and network."
    )
    assert light.calls == []


STATUS = {
    "zh": ("家里怎么样", "门锁了吗", "有哪些灯开着"),
    "en": ("how is home", "is the door locked", "what lights are on"),
}


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_status_questions(
    hass: HomeAssistant, setup: Callable[..., Any], language: str
) -> None:
    resident, _, _ = await setup(language)
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.bedside"}, blocking=True
    )
    status, locks, lights = STATUS[language]
    summary = await resident.say(status)
    assert ("卧室的灯开着" if language == "zh" else "Lights are on in the bedroom") in summary
    assert ("室内温度" if language == "zh" else "Indoor temperature") in summary
    # a yes/no question is answered yes or no, with the state in words (issue 13 item 2)
    assert await resident.say(locks) == (
        "是的，大门锁着。" if language == "zh" else "Yes, the front door is locked."
    )
    assert await resident.say(lights) == (
        "卧室的床头灯开着。" if language == "zh" else "The bedroom bedside lamp is on."
    )


VOICE = {
    "zh": ("说慢点", "好的，我会说慢一点。", "再说一遍", "现在几点", "现在是", "帮助", "你可以说"),
    "en": (
        "slower",
        "OK, I will speak more slowly.",
        "repeat",
        "what time is it",
        "It is",
        "help",
        "You can say",
    ),
}


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_voice_repeat_time_help(
    hass: HomeAssistant, setup: Callable[..., Any], language: str, station: Station
) -> None:
    resident, _, entry = await setup(language)
    slower, slower_answer, repeat, time_q, time_a, help_q, help_a = VOICE[language]
    assert await resident.say(slower) == slower_answer
    assert entry.options[CONF_RATE] == 130
    assert station.settings.rate == 130  # the station speaks slower from now on
    assert await resident.say(repeat) == slower_answer
    assert (await resident.say(time_q)).startswith(time_a)
    assert (await resident.say(help_q)).startswith(help_a)


SENSITIVE_TEXT = {
    "zh": {
        "unlock": "打开大门",
        "prompt": "真的要打开大门吗？请说'对的'，或者说'算了'。",
        "yes": "确定",
        "no": "取消",
        "done": "已打开大门。",
        "pin": "请说出密码，一个数字一个数字地说。",
        "right": "一二三四",
        "wrong": "四三二一",
        "elsewhere": "这个确认要在发出命令的房间里说。",
        "expired": "刚才的操作已取消，因为没有收到确认。",
        "pin_in_command": "为了安全，请不要在命令里说密码。请先说命令，听到提示后再说密码。",
    },
    "en": {
        "unlock": "unlock the front door",
        "prompt": "Do you really want to unlock the front door? Say 'go ahead', or say 'cancel'.",
        "yes": "confirm",
        "no": "cancel",
        "done": "Unlocked the front door.",
        "pin": "Please say your PIN, one digit at a time.",
        "right": "one two three four",
        "wrong": "four three two one",
        "elsewhere": "Please confirm in the room where the command was given.",
        "expired": "The last action was cancelled because no confirmation came.",
        "pin_in_command": (
            "For safety, don't say the PIN together with the command. Say the command first, "
            "then the PIN when I ask for it."
        ),
    },
}


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_sensitive_confirm_and_deny(
    hass: HomeAssistant, setup: Callable[..., Any], language: str
) -> None:
    t = SENSITIVE_TEXT[language]
    resident, entities, _ = await setup(language)
    assert await resident.say(t["unlock"]) == t["prompt"]
    assert hass.states.get("lock.front_door").state == "locked"
    assert (await resident.say(t["no"])).startswith(
        "好的，已取消" if language == "zh" else "OK, cancelled"
    )
    assert entities["lock.front_door"].calls == []
    assert await resident.say(t["unlock"]) == t["prompt"]
    assert await resident.say(t["yes"]) == t["done"]
    assert hass.states.get("lock.front_door").state == "unlocked"
    assert entities["lock.front_door"].calls == ["unlock"]


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_sensitive_pin_and_lockout(
    hass: HomeAssistant, setup: Callable[..., Any], language: str
) -> None:
    t = SENSITIVE_TEXT[language]
    pin = PinHash.create("1234", iterations=1000).to_string()
    resident, entities, _ = await setup(language, **{CONF_PIN: pin})
    assert await resident.say(t["unlock"]) == t["prompt"]
    assert await resident.say(t["yes"]) == t["pin"]
    assert await resident.say(t["right"]) == t["done"]
    assert entities["lock.front_door"].calls == ["unlock"]
    await hass.services.async_call("lock", "lock", {"entity_id": "lock.front_door"}, blocking=True)

    assert await resident.say(t["unlock"]) == t["prompt"]
    assert await resident.say(t["yes"]) == t["pin"]
    assert (await resident.say(t["wrong"])).startswith(
        "密码不对" if language == "zh" else "That PIN is wrong"
    )
    await resident.say(t["wrong"])
    locked_out = await resident.say(t["wrong"])
    assert locked_out.startswith("密码错了太多次" if language == "zh" else "Too many wrong PINs")
    notifications = hass.data["persistent_notification"]
    assert any(DOMAIN in key for key in notifications)
    # Even the right PIN does nothing now.
    await resident.say(t["unlock"])
    assert hass.states.get("lock.front_door").state == "locked"
    assert entities["lock.front_door"].calls == ["unlock", "lock"]


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_sensitive_refusals(
    hass: HomeAssistant,
    setup: Callable[..., Any],
    language: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    t = SENSITIVE_TEXT[language]
    resident, entities, _ = await setup(language)
    # Confirmation from another station (or the phone) is refused; the command stays held.
    assert await resident.say(t["unlock"]) == t["prompt"]
    assert await resident.say(t["yes"], device_id="other-station") == t["elsewhere"]
    assert hass.states.get("lock.front_door").state == "locked"
    # No answer in time: cancelled, and said so.
    freezer.tick(30)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert await resident.say(t["yes"]) != t["done"]
    assert hass.states.get("lock.front_door").state == "locked"
    # A PIN in the same sentence as the command is refused.
    pin_text = (
        "打开大门密码一二三四" if language == "zh" else "unlock the front door one two three four"
    )
    assert await resident.say(pin_text) == t["pin_in_command"]
    assert entities["lock.front_door"].calls == []


async def test_garage_needs_confirmation_and_repair_for_exposed_lock(
    hass: HomeAssistant, setup: Callable[..., Any]
) -> None:
    resident, entities, entry = await setup("en")
    assert await resident.say("open the garage door") == (
        "Do you really want to open the garage door? Say 'go ahead', or say 'cancel'."
    )
    assert entities["cover.garage_door"].calls == []
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"sensitive_exposed_{entry.entry_id}") is None
    async_expose_entity(hass, "conversation", "lock.front_door", True)
    await entry.runtime_data.phrase_sync.async_push()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"sensitive_exposed_{entry.entry_id}")
    assert issue is not None
    assert "lock.front_door" in issue.translation_placeholders["entities"]

"""Questions about the home answered from its states (logic/questions.py), and requests to the
station itself (logic/voice_requests.py), in the words residents use."""

from __future__ import annotations

import pytest

from custom_components.barrier_free.logic.answers import entity_words, sounds_wrong
from custom_components.barrier_free.logic.questions import answer_question, is_question
from custom_components.barrier_free.logic.voice_requests import help_examples, voice_request

from .corpus_home import corpus_home, corpus_states


@pytest.mark.parametrize(
    ("language", "text", "room", "answer"),
    [
        # a room's temperature from its thermometer, asked the short way
        ("zh", "厨房几度", "kitchen", "厨房现在二十八度。"),
        ("zh", "小房间现在几度呀", "living_room", "次卧现在二十四度。"),
        # indoors never counts the balcony (33 degrees)
        ("zh", "家里多少度", "living_room", "室内现在二十五点三度。"),
        ("zh", "外面几度", "living_room", "阳台现在三十三度。"),
        ("zh", "卫生间湿度多少", "bathroom", "卫生间的湿度是百分之七十八。"),
        # yes/no: yes or no first, then the state in words
        ("zh", "门锁了吗", "living_room", "是的，大门锁着。"),
        ("zh", "床头灯关了没", "living_room", "没有，主卧的床头灯开着。"),
        ("zh", "有没有漏水", "living_room", "没有，家里没有漏水。"),
        ("zh", "主卧有人吗", "living_room", "没有，主卧没有人。"),
        ("zh", "门锁电量多少", "living_room", "门锁电量还有百分之十五。"),
        ("zh", "哪些设备电量低", "living_room", "门锁电量低，该换电池了。"),
        (
            "zh",
            "空调是什么模式",
            "living_room",
            "客厅空调设在二十六度，模式是制冷，现在室温二十六点五度。",
        ),
        ("en", "is the front door locked", "living_room", "Yes, the front door is locked."),
        ("en", "is the study window open", "living_room", "No, the window in the study is closed."),
        (
            "en",
            "how much battery does the vacuum have",
            "living_room",
            "The battery of the vacuum is at 64 percent.",
        ),
        ("en", "what's the temperature indoors", "living_room", "It is 25.3 degrees indoors."),
        ("en", "is anyone in the bedroom", "living_room", "No, nobody is in the master bedroom."),
        ("en", "which windows are open", "living_room", "The bedroom window is open."),
    ],
)
def test_answers(language: str, text: str, room: str, answer: str) -> None:
    home = corpus_home(language)
    assert answer_question(text, home, corpus_states(), language, room) == answer


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "可以把落地灯打开吗"),  # a polite command, not a question
        ("zh", "能不能帮我开一下落地灯"),
        ("zh", "灯关了吧"),
        ("en", "turn on the floor lamp"),
    ],
)
def test_commands_are_no_questions(language: str, text: str) -> None:
    assert not is_question(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "上海明天多少度"),
        ("zh", "热水器多少钱一台"),
        ("zh", "你是机器人吗"),
        ("zh", "今天天气怎么样"),
        ("en", "how much does a new kettle cost"),
        ("en", "how hot will it be in shanghai tomorrow"),
        ("en", "what time is it"),
    ],
)
def test_questions_not_about_the_home_are_left_alone(language: str, text: str) -> None:
    assert (
        answer_question(text, corpus_home(language), corpus_states(), language, "living_room")
        is None
    )


@pytest.mark.parametrize(
    ("language", "text", "intent"),
    [
        ("zh", "你讲太快了，慢一点嘛", "BarrierFreeSpeakSlower"),
        ("zh", "听不见，大点声啊", "BarrierFreeSpeakLouder"),
        ("zh", "侬再讲一遍", "BarrierFreeRepeat"),
        ("zh", "今天礼拜几啊", "HassGetCurrentDate"),
        ("zh", "没事了，算了吧", "BarrierFreeCancel"),
        ("zh", "你有什么功能", "BarrierFreeHelp"),
        ("en", "sorry, come again?", "BarrierFreeRepeat"),
        ("en", "can you talk a bit softer", "BarrierFreeSpeakQuieter"),
        ("en", "what time is it", "HassGetCurrentTime"),
        # about the room's speaker, not the station's voice
        ("zh", "音量小一点", None),
        ("en", "turn the music quieter", None),
    ],
)
def test_voice_requests(language: str, text: str, intent: str | None) -> None:
    assert voice_request(text, language) == intent


def test_help_is_built_from_the_rooms_own_devices() -> None:
    zh = help_examples(corpus_home("zh"), "zh", "master_bedroom")
    assert zh == "打开主卧吸顶灯、关上主卧窗帘、打开电热毯，或者主卧几度"
    en = help_examples(corpus_home("en"), "en", "dining_room")
    # the dining room light has only a Chinese name: said by kind and room
    assert en == "turn on the light in the dining room, or what's the temperature in here"


def test_what_is_never_spoken() -> None:
    assert sounds_wrong("Unknown intent HassGetWeather", "en")
    assert sounds_wrong("Opened the 次卧窗帘.", "en")
    assert not sounds_wrong("已打开次卧窗帘。", "zh")
    assert not sounds_wrong("Opened the bedroom curtains.", "en")


def test_names_in_answers_say_the_room_once_and_no_chinese_in_english() -> None:
    en = corpus_home("en")
    by_id = {e.entity_id: e for e in en.entities}
    # the master bedroom's alias "bedroom" is already in the name: not "master bedroom bedroom"
    assert entity_words(by_id["climate.master_bedroom"], en, "en") == "the bedroom air conditioner"
    assert entity_words(by_id["cover.second_bedroom_curtain"], en, "en") == (
        "the curtain in the second bedroom"
    )
    zh = corpus_home("zh")
    heater = next(e for e in zh.entities if e.entity_id == "switch.water_heater")
    assert entity_words(heater, zh, "zh") == "卫生间的热水器"

"""What a resident asks of the station itself, in everyday words: say it again, slower, faster,
louder, quieter; help; cancel; the time and the date.

Home Assistant's sentence templates take only the textbook forms ("说慢一点"); residents say
"你讲太快了，慢一点嘛", "听不见，大点声啊", "sorry, come again?". A request about the voice must
speak of the voice ("说", "讲", "听不见", "speak", "talk", "you"), so "音量小一点" stays a command
for the room's speaker. `help_examples` builds the help answer from the room's own devices.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from .home import Home
from .languages import station_language
from .questions import spoken_name
from .spoken import join_names

# (intent, pattern); first match wins. Voice changes also need `_ABOUT_VOICE`.
_REQUESTS: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "zh": (
        (
            "BarrierFreeHelp",
            r"帮助|能做什么|能干什么|会干什么|会做什么|有什么功能|让你做什么|怎么用"
            r"|我能说什么|可以说什么|你会什么|能帮我做什么|能做些什么|怎么说|教教我",
        ),
        (
            "BarrierFreeRepeat",
            r"再说一[遍次]|再讲一[遍次]|重复|刚才说|说的什么|没听清|再讲一遍|侬再讲",
        ),
        ("BarrierFreeSpeakSlower", r"慢一?[点些]|慢点|太快"),
        ("BarrierFreeSpeakFaster", r"快一?[点些]|快点|太慢"),
        ("BarrierFreeSpeakLouder", r"大声|大.?点?声|听不见|听不清|响一?点"),
        ("BarrierFreeSpeakQuieter", r"小声|小.?点?声|太响|太吵|轻一?点"),
        ("HassGetCurrentDate", r"几号|星期几|礼拜几|几月|日期|什么日子"),
        ("HassGetCurrentTime", r"几点|什么时间|几点钟"),
        ("BarrierFreeCancel", r"^(没事了?)?(算了|取消|不用了|没事了?)"),
    ),
    "en": (
        (
            "BarrierFreeHelp",
            r"\b(help|what can (i|you) (say|do)|how does this work|examples?"
            r"|what do you do)\b",
        ),
        (
            "BarrierFreeRepeat",
            r"\b(repeat|say (that|it) again|come again|pardon|what did you say"
            r"|didn't catch)\b",
        ),
        ("BarrierFreeSpeakSlower", r"\b(slow(er)?( down)?|too fast|more slowly)\b"),
        ("BarrierFreeSpeakFaster", r"\b(faster|quicker|speed (it )?up|too slow|more quickly)\b"),
        ("BarrierFreeSpeakLouder", r"\b(louder|speak up|can't hear|cannot hear)\b"),
        ("BarrierFreeSpeakQuieter", r"\b(quieter|softer|not so loud|too loud|more quietly)\b"),
        ("HassGetCurrentDate", r"\b(what day|the date|today's date|what's today)\b"),
        ("HassGetCurrentTime", r"\b(what time|the time)\b"),
        ("BarrierFreeCancel", r"^(cancel|never ?mind|forget it|nothing)\b"),
    ),
}
_ABOUT_VOICE: Final = {
    "zh": r"说|讲|你|听不|声音太|点声",
    "en": r"\b(speak|talk|you|your|voice|hear|not so loud|slow down|speed it up|up)\b",
}
_PLAIN: Final = re.compile(r"[\s,，。.!！?？、;；:：\"“”‘’…~]+")


def voice_request(text: str, language: str) -> str | None:
    """The intent of a request to the station itself, or None."""
    language = station_language(language)
    plain = _PLAIN.sub(" ", text.lower()).strip()
    if language == "zh":
        plain = plain.replace(" ", "")
    for intent, pattern in _REQUESTS[language]:
        if not re.search(pattern, plain):
            continue
        if "Speak" in intent and not re.search(_ABOUT_VOICE[language], plain):
            continue
        return intent
    return None


_ACTIONS: Final = {
    "zh": {
        "light": "打开{name}",
        "cover": "关上{name}",
        "switch": "打开{name}",
        "climate": "把{name}调到二十六度",
        "fan": "打开{name}",
        "media_player": "暂停{name}",
    },
    "en": {
        "light": "turn on {name}",
        "cover": "close {name}",
        "switch": "turn on {name}",
        "climate": "set {name} to 24 degrees",
        "fan": "turn on {name}",
        "media_player": "pause {name}",
    },
}
_QUESTION: Final = {"zh": "{area}几度", "en": "what's the temperature in here"}


def help_examples(home: Home, language: str, area_id: str | None) -> str:
    """Real examples from the devices of the station's room (else of the home)."""
    language = station_language(language)
    here = [e for e in home.entities if e.area_id == area_id] if area_id else []
    entities = [e for e in here or home.entities if e.domain in _ACTIONS[language]]
    examples: list[str] = []
    seen: set[str] = set()
    for entity in sorted(entities, key=lambda e: list(_ACTIONS[language]).index(e.domain)):
        if entity.domain in seen:
            continue
        seen.add(entity.domain)
        name = spoken_name(entity, home, language)
        if language == "zh":
            name = entity.name
        examples.append(_ACTIONS[language][entity.domain].format(name=name))
        if len(examples) == 3:
            break
    area = home.area(area_id)
    if area is not None:
        examples.append(_QUESTION[language].format(area=area.name))
    if len(examples) < 2:
        return join_names(examples, language)
    if language == "zh":
        return "、".join(examples[:-1]) + "，或者" + examples[-1]
    return ", ".join(examples[:-1]) + ", or " + examples[-1]

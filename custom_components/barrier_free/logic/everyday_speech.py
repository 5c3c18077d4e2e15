"""Everyday speech: bring what residents really say to forms Home Assistant's sentences accept.

Home Assistant's Mandarin templates cover textbook sentences ("把客厅的灯打开"). Residents say
"帮我把客厅的灯开一下吧" or "空调调到二十四度". `normalize` rewrites such speech, before it is
matched, into an equivalent textbook form. Rules are small and conservative: each one removes
something that carries no meaning for the home (politeness, particles) or rewrites a form into
the synonym the templates know. Entity and area names are never touched: numbers are only
converted where a unit or a "set to" verb shows they are values, not parts of a name.

The spoken forms of numbers (`spoken_number`) are the other half: the recogniser's phrase list
must contain numbers as the resident says them ("二十四度", "fifty percent"), because a speech
model outputs words, never digits.
"""

from __future__ import annotations

import re
from typing import Final

from .languages import station_language
from .numbers import (
    EN_ONES,
    EN_TENS,
    ZH_DIGIT_VALUES,
    ZH_UNITS,
    as_digits,
    chinese_to_number,
    english_number,
    english_to_number,
    spoken_number,
)

__all__ = [
    "EVERYDAY_TEMPLATES",
    "candidates",
    "normalize",
    "spoken_form",
]

# --- Mandarin --------------------------------------------------------------------------------

# 幺 is only said for digits one by one, never inside a numeral; nor is 两 after 点.
_CN_NUMERAL_CHARS: Final = "".join(c for c in ZH_DIGIT_VALUES if c != "幺") + "".join(ZH_UNITS)

# Openers that only make the sentence polite. Longest first: "请你帮我" before "请".
_ZH_OPENERS: Final = (
    "你能不能帮我",
    "能不能帮我",
    "可不可以帮我",
    "可以帮我",
    "请你帮我",
    "麻烦你帮我",
    "麻烦帮我",
    "你帮我",
    "帮我们",
    "帮忙",
    "帮我",
    "麻烦你",
    "麻烦",
    "请你",
    "请帮",
    "请",
    "给我",
    "我想要",
    "我要",
    "我想",
    "能不能",
    "可以",
    "那个",
    "嗯",
)
# Sentence-final particles and tags ("…吧", "…好吗"). Longest first.
_ZH_ENDINGS: Final = (
    "好不好",
    "行不行",
    "可以吗",
    "好吗",
    "行吗",
    "谢谢你",
    "谢谢",
    "一下吧",
    "一下",
    "吧",
    "啊",
    "呀",
    "哦",
    "喔",
    "嘛",
    "哈",
    "啦",
)

# Everyday synonyms → the words the templates use. Applied in order, only where the templates
# have no sentence of their own for the everyday word (they do have "声音调大", "把声音关掉").
_ZH_SYNONYMS: Final[tuple[tuple[str, str], ...]] = (
    ("开开", "打开"),
    ("声音大一点", "音量大一点"),
    ("声音小一点", "音量小一点"),
    ("声音调到", "音量调到"),
    ("声音调成", "音量调成"),
    ("声音设为", "音量设为"),
    ("电灯", "灯"),
    ("开到", "调到"),  # "把窗帘开到百分之五十"
    ("的灯亮度", "灯的亮度"),
)
# Verb-result forms said at the end of a command ("窗帘拉上", "把窗帘拉开"): only used when the
# sentence is not understood as it is, because "关上" means "lock" for a lock ("把大门关上").
_ZH_VERB_FORMS: Final[tuple[tuple[str, str], ...]] = (
    ("拉开", "打开"),
    ("拉上", "关闭"),
    ("合上", "关闭"),
    ("关上", "关闭"),
)
# "把卧室空调调到二十四度": the templates want "温度" before the verb when a device is named.
_ZH_TEMPERATURE = re.compile(
    r"^(?P<head>.+?)(?<!温度)(?P<verb>调到|调成|设为|设到)(?P<value>\d+(?:\.\d+)?度)$"
)

_CN_DECIMAL_CHARS: Final = "".join(c for c in ZH_DIGIT_VALUES if c not in "幺两")
_NUMERAL: Final = f"(?>[{_CN_NUMERAL_CHARS}]+)(?:点[{_CN_DECIMAL_CHARS}]+)?"
# A numeral is a value when "百分之" precedes it, a unit follows it, or a "set to" verb precedes it
# at the end of the sentence. "一点" (a little) is never a value: the lookahead keeps it.
_ZH_PERCENT = re.compile(f"百分之({_NUMERAL})")
_ZH_UNIT = re.compile(f"({_NUMERAL})(?=度|摄氏度|%|K|开尔文)")
_ZH_SET_TO = re.compile(f"(?<=[到为成至高低大小])({_NUMERAL})(?=$)")


def _zh_numbers(text: str) -> str:
    def percent(match: re.Match[str]) -> str:
        value = chinese_to_number(match.group(1))
        return match.group(0) if value is None else f"{as_digits(value)}%"

    def plain(match: re.Match[str]) -> str:
        value = chinese_to_number(match.group(1))
        return match.group(0) if value is None else as_digits(value)

    text = _ZH_PERCENT.sub(percent, text)
    text = _ZH_UNIT.sub(plain, text)
    return _ZH_SET_TO.sub(plain, text)


_ZH_PUNCTUATION = re.compile(r"[\s,，。.!！?？、;；:：\"'“”‘’]+")


def _strip_affixes(text: str, openers: tuple[str, ...], endings: tuple[str, ...]) -> str:
    changed = True
    while changed and text:
        changed = False
        for opener in openers:
            if text.startswith(opener) and len(text) > len(opener):
                text = text[len(opener) :]
                changed = True
                break
        for ending in endings:
            if text.endswith(ending) and len(text) > len(ending):
                text = text[: -len(ending)]
                changed = True
                break
    return text


def _clean_zh(text: str) -> str:
    # The recogniser puts spaces between Mandarin words; punctuation carries no meaning here.
    return _ZH_PUNCTUATION.sub("", text)


def _normalize_zh(text: str) -> str:
    text = _clean_zh(text)
    text = _strip_affixes(text, _ZH_OPENERS, _ZH_ENDINGS)
    # "打开一下客厅的灯", "关一下窗帘": "一下" after a verb only softens it.
    text = re.sub(r"(?<=[开关上掉])一下", "", text)
    for spoken, written in _ZH_SYNONYMS:
        text = text.replace(spoken, written)
    text = _zh_numbers(text)
    if "空调" not in text and "温度" not in text:
        text = _ZH_TEMPERATURE.sub(r"\g<head>温度\g<verb>\g<value>", text)
    return text


# --- English ---------------------------------------------------------------------------------

_EN_OPENERS: Final = (
    "hey assistant",
    "ok assistant",
    "i would like you to",
    "i'd like you to",
    "i want you to",
    "could you please",
    "can you please",
    "would you please",
    "will you please",
    "could you",
    "can you",
    "would you",
    "will you",
    "please",
    "kindly",
    "just",
    "um",
    "uh",
    "so",
    "hey",
)
_EN_ENDINGS: Final = (
    "for me please",
    "for me",
    "please",
    "thank you",
    "thanks",
    "right now",
)
_EN_NUMBER_WORD: Final = "|".join([*EN_ONES, *EN_TENS, "hundred", "and", "point", "oh"])
_EN_NUMERAL = rf"(?:{_EN_NUMBER_WORD})(?:[\s-]+(?:{_EN_NUMBER_WORD}))*"
_EN_VALUE = re.compile(
    rf"(?:(?<=\bto )|(?<=\bby )|(?<=\bat ))({_EN_NUMERAL})\b(?=\s*(?:percent|%|degrees?|$))"
    rf"|\b({_EN_NUMERAL})(?=\s*(?:percent\b|%|degrees?\b))"
)


def _en_numbers(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        words = match.group(1) or match.group(2)
        value = english_to_number(words)
        if value is None:
            return match.group(0)
        return match.group(0).replace(words, as_digits(value))

    text = _EN_VALUE.sub(replace, text)
    return re.sub(r"(\d)\s*percent\b", r"\1%", text)


def _normalize_en(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^\w\s'%.-]|(?<!\d)\.|\.(?!\d)", " ", text)
    text = " ".join(text.split())
    # Affixes are whole words: strip them with a trailing/leading space.
    openers = tuple(f"{o} " for o in _EN_OPENERS)
    endings = tuple(f" {e}" for e in _EN_ENDINGS)
    text = _strip_affixes(text, openers, endings)
    text = re.sub(
        r"\b(?:a bit|a little)\s+(brighter|dimmer|louder|quieter|slower|faster)", r"\1", text
    )
    return _en_numbers(text)


def normalize(text: str, language: str) -> str:
    """Rewrite an utterance in the resident's words into the form the sentence templates accept.

    `language` is the station language ("zh" or "en"; Home Assistant tags such as "zh-CN" work).
    Verb-result forms are not rewritten here (see `candidates`).
    """
    if station_language(language) == "zh":
        return _normalize_zh(text.strip())
    return _normalize_en(text.strip())


def candidates(text: str, language: str) -> list[str]:
    """The forms to try matching, in order: as said, normalised, then with verb forms rewritten.

    Trying the utterance as said first keeps every sentence Home Assistant already understands
    meaning exactly what it means there.
    """
    if station_language(language) == "zh":
        forms = [_clean_zh(text), _normalize_zh(text)]
        rewritten = forms[-1]
        for spoken, written in _ZH_VERB_FORMS:
            rewritten = rewritten.replace(spoken, written)
        forms.append(rewritten)
    else:
        forms = [" ".join(text.lower().split()), _normalize_en(text)]
    return [form for form in dict.fromkeys(forms) if form]


def spoken_form(text: str, language: str) -> str:
    """Say the digits of a phrase as words ("24度" → "二十四度", "50%" → "fifty percent")."""
    if station_language(language) == "zh":
        text = re.sub(
            r"百分之(\d+)%?", lambda m: "百分之" + spoken_number(int(m.group(1)), "zh"), text
        )
        text = re.sub(r"(\d+(?:\.\d+)?)%", lambda m: "百分之" + _zh_value(m.group(1)), text)
        return re.sub(r"\d+(?:\.\d+)?", lambda m: _zh_value(m.group(0)), text)
    text = re.sub(r"(\d+(?:\.\d+)?)\s*%", lambda m: _en_value(m.group(1)) + " percent", text)
    return re.sub(r"\d+(?:\.\d+)?", lambda m: _en_value(m.group(0)), text)


def _zh_value(digits: str) -> str:
    return spoken_number(float(digits) if "." in digits else int(digits), "zh")


def _en_value(digits: str) -> str:
    if "." in digits:
        whole, fraction = digits.split(".")
        return f"{english_number(int(whole))} point " + " ".join(
            english_number(int(d)) for d in fraction
        )
    return english_number(int(digits))


# --- Everyday forms for the phrase list --------------------------------------------------------
# Sentences as residents say them, in hassil template syntax with the home's {name}/{area} lists.
# They are not matched directly: the phrase list offers them to the recogniser, and the agent
# understands them through `normalize` (a test checks every generated one). Domain constraints
# use the same keys as Home Assistant's templates.

_SWITCHABLE: Final = ["light", "switch", "fan", "media_player", "input_boolean"]

EVERYDAY_TEMPLATES: Final[dict[str, list[dict[str, object]]]] = {
    "zh": [
        {
            "sentences": [
                "帮我打开{name}",
                "{name}关一下",
                "{name}开一下",
                "请把{name}关掉",
                "麻烦把{name}打开吧",
            ],
            "requires_context": {"domain": _SWITCHABLE},
        },
        {
            "sentences": ["{name}开一下", "{name}关一下", "帮我把{name}拉开", "请把{name}拉上"],
            "requires_context": {"domain": ["cover"]},
        },
        {
            "sentences": ["帮我把{name}温度调到{temperature}度", "{name}温度调到{temperature}度吧"],
            "requires_context": {"domain": ["climate"]},
        },
        {
            "sentences": ["{name}声音大一点", "{name}声音小一点", "{name}暂停一下"],
            "requires_context": {"domain": ["media_player"]},
        },
        {
            "sentences": [
                "{area}的灯开一下",
                "帮我把{area}的灯关掉",
                "{area}灯关一下吧",
                "请打开{area}的灯",
                "把{area}的灯亮度调到百分之{brightness}",
            ],
            "slots": {"domain": "light"},
        },
        {
            "sentences": [
                "{area}的{cover_classes:device_class}开一下",
                "帮我把{area}的{cover_classes:device_class}关上",
            ],
            "slots": {"domain": "cover"},
        },
        {
            "sentences": ["灯开一下", "帮我开灯", "帮我把灯关掉"],
            "slots": {"domain": "light"},
            "requires_context": {"area": {"slot": True}},
        },
        {
            "sentences": [
                "{cover_classes:device_class}关一下",
                "帮我把{cover_classes:device_class}拉开",
            ],
            "slots": {"domain": "cover"},
            "requires_context": {"area": {"slot": True}},
        },
        {
            "sentences": ["帮我把空调调到{temperature}度"],
            "slots": {"domain": "climate"},
            "requires_context": {"area": {"slot": True}},
        },
        {
            "sentences": ["声音大一点", "声音小一点", "声音调到{volume}"],
            "slots": {"domain": "media_player"},
            "requires_context": {"area": {"slot": True}},
        },
    ],
    "en": [
        {
            "sentences": [
                "please turn on the {name}",
                "could you turn off the {name}",
                "can you switch on the {name} please",
            ],
            "requires_context": {"domain": _SWITCHABLE},
        },
        {
            "sentences": ["please open the {name}", "could you close the {name} please"],
            "requires_context": {"domain": ["cover"]},
        },
        {
            "sentences": ["could you set the {name} to {temperature} degrees"],
            "requires_context": {"domain": ["climate"]},
        },
        {
            "sentences": [
                "please turn on the {area} lights",
                "could you turn off the lights in the {area}",
                "can you set the {area} brightness to {brightness} percent",
            ],
            "slots": {"domain": "light"},
        },
        {
            "sentences": ["please turn on the lights", "could you turn off the lights please"],
            "slots": {"domain": "light"},
            "requires_context": {"area": {"slot": True}},
        },
        {
            "sentences": ["please set the temperature to {temperature} degrees"],
            "slots": {"domain": "climate"},
            "requires_context": {"area": {"slot": True}},
        },
    ],
}

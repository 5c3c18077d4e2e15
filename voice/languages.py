"""Language tags: the one normaliser of the station, and the languages it speaks and hears.

Recognisers, phrase lists, voices and models are keyed by base language ("zh", "en", "ko").
Clients and installers write tags in many forms ("zh-CN", "zh_Hans", "cmn", "en-US", "eng");
every part of the station turns them into a key here, so that all of them agree.
"""

from __future__ import annotations

from .errors import UnknownLanguage

RECOGNITION_LANGUAGES = ("en", "zh", "ko")  # a recogniser can be loaded for these
SPEECH_LANGUAGES = ("zh", "en")  # the synthesiser speaks these (the first is the default)
HAN_LANGUAGES = frozenset({"zh", "yue"})  # written in Han characters, without spaces
UNSPACED_LANGUAGES = HAN_LANGUAGES | {"ko", "ja"}  # spaces carry no meaning in matching

# Whole tags (lower case, "-" for "_") that name one of our keys, and the codes some model
# names use for a language ("cn" in vosk-model-small-cn).
ALIASES: dict[str, str] = {
    "en": "en",
    "en-us": "en",
    "eng": "en",
    "zh": "zh",
    "zh-cn": "zh",
    "zh-hans": "zh",
    "zh-hans-cn": "zh",
    "cmn": "zh",
    "cmn-hans": "zh",
    "cn": "zh",
    "ko": "ko",
    "ko-kr": "ko",
    "kor": "ko",
    "kr": "ko",
    "vn": "vi",
    "kz": "kk",
}


def _tag(language: str) -> str:
    return language.strip().lower().replace("_", "-")


def alias(language: str) -> str | None:
    """The key a whole tag names ('zh-Hans' -> 'zh'); None when it is not one we know (a voice
    name such as 'en-gb-x-rp' is then left to the synthesiser)."""
    return ALIASES.get(_tag(language))


def language_key(language: str) -> str:
    """'zh-CN', 'zh_cn', 'ZH', 'cmn', 'zh-Hans', 'en-US', 'eng' -> 'zh'/'en'; a tag we do not
    know keeps its first part ('fr-CA' -> 'fr')."""
    tag = _tag(language)
    found = ALIASES.get(tag)
    if found is not None:
        return found
    base = tag.split("-", maxsplit=1)[0]
    return ALIASES.get(base, base)


def recognition_language(language: str) -> str:
    """The key of a language a recogniser can be loaded for; UnknownLanguage otherwise."""
    key = language_key(language)
    if key not in RECOGNITION_LANGUAGES:
        raise UnknownLanguage(language=language, supported=", ".join(RECOGNITION_LANGUAGES))
    return key


def speech_language(language: str) -> str:
    """'zh' or 'en' for a tag the synthesiser speaks; UnknownLanguage otherwise."""
    key = language_key(language)
    if key not in SPEECH_LANGUAGES:
        raise UnknownLanguage(language=language, supported=", ".join(SPEECH_LANGUAGES))
    return key

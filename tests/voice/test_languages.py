"""The one language-tag normaliser: every form a client or installer writes reaches one key."""

from __future__ import annotations

import pytest

from voice.errors import UnknownLanguage
from voice.languages import alias, language_key, recognition_language, speech_language


@pytest.mark.parametrize(
    ("tag", "key"),
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh_cn", "zh"),
        ("ZH", "zh"),
        (" zh-Hans ", "zh"),
        ("zh-Hans-CN", "zh"),
        ("cmn", "zh"),
        ("cmn-Hant", "zh"),
        ("cn", "zh"),  # as in Vosk model names
        ("en-US", "en"),
        ("eng", "en"),
        ("en-GB", "en"),
        ("ko_KR", "ko"),
        ("kor", "ko"),
        ("fr-CA", "fr"),  # unknown: its first part
        ("yue", "yue"),
    ],
)
def test_language_key(tag: str, key: str) -> None:
    assert language_key(tag) == key


def test_alias_only_names_whole_tags() -> None:
    assert alias("zh-Hans") == "zh"
    assert alias("EN_us") == "en"
    # a synthesiser voice name that starts like a language is not a language
    assert alias("en-gb-x-rp") is None
    assert alias("fr") is None


def test_recognition_languages() -> None:
    assert [recognition_language(t) for t in ("zh-CN", "en-US", "ko")] == ["zh", "en", "ko"]
    with pytest.raises(UnknownLanguage) as caught:
        recognition_language("fr-FR")
    assert "fr-FR" in caught.value.message("en")
    assert "en, zh, ko" in caught.value.message("zh")


def test_speech_languages() -> None:
    assert [speech_language(t) for t in ("cmn", "zh_CN", "en-US")] == ["zh", "zh", "en"]
    with pytest.raises(UnknownLanguage) as caught:
        speech_language("ko")
    assert "zh, en" in caught.value.message("en")

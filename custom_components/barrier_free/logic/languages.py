"""The station languages, and the one normaliser from Home Assistant language tags to them."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("zh", "en")
"""Station languages this integration understands and answers in (its own tables)."""
HASSIL_LANGUAGE: Final = {"zh": "zh-CN", "en": "en"}
"""The language of Home Assistant's sentence templates (home-assistant-intents) for each."""


def station_language(tag: str) -> str:
    """The station's code for a language tag: 'zh-Hans' → 'zh', 'en_US' → 'en', 'ko' → 'ko'.

    A language without tables here stays itself: the station refuses what it cannot do (a
    Korean transcription), rather than doing it in another language.
    """
    return tag.replace("_", "-").split("-")[0].lower()


def table_language(tag: str) -> str:
    """The language of this integration's own words (answers, sentences) for a tag: its
    station language when there are tables for it, else English."""
    language = station_language(tag)
    return language if language in LANGUAGES else "en"

"""The one language normaliser: a tag's station language, and the tables answers are worded from."""

from __future__ import annotations

import pytest

from custom_components.barrier_free.logic.everyday_speech import normalize
from custom_components.barrier_free.logic.languages import station_language, table_language
from custom_components.barrier_free.logic.spoken import say


@pytest.mark.parametrize(
    ("tag", "station", "table"),
    [
        ("zh", "zh", "zh"),
        ("zh-Hans", "zh", "zh"),
        ("zh_CN", "zh", "zh"),
        ("ZH-cn", "zh", "zh"),
        ("en", "en", "en"),
        ("en-US", "en", "en"),
        ("en_GB", "en", "en"),
        # No tables here for Korean: it stays Korean for the station (which then refuses a
        # Korean transcription instead of decoding it as English) ...
        ("ko", "ko", "en"),
        ("ko-KR", "ko", "en"),
    ],
)
def test_station_and_table_language(tag: str, station: str, table: str) -> None:
    assert station_language(tag) == station
    # ... while an answer still has words: English ones.
    assert table_language(tag) == table


def test_answers_and_speech_follow_the_tag() -> None:
    assert say("done", "zh-Hans") == "好的，已经办好了。"
    assert say("done", "ko") == say("done", "en") == "OK, done."
    assert normalize("帮我把灯打开吧", "zh_CN") == normalize("帮我把灯打开吧", "zh")

"""What the station says by itself in room mode, per language (others fall back to English)."""

from __future__ import annotations

SAYINGS = {
    "not_understood": {
        "zh": "没听清，请再说一遍",
        "en": "Sorry, I did not catch that",
    },
    "not_connected": {
        "zh": "语音站还没有连接到家庭助手，请稍后再试",
        "en": "The station is not connected to Home Assistant yet. Please try again later",
    },
    "no_answer": {
        "zh": "家庭助手没有回答，请稍后再试",
        "en": "Home Assistant did not answer. Please try again later",
    },
    "help_called": {
        "zh": "已经发出求助",
        "en": "Help has been called",
    },
}


def saying(key: str, language: str) -> str:
    table = SAYINGS[key]
    return table.get(language, table["en"])

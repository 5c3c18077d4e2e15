"""What the resident says about alerts (issue 17): "知道了" / "got it", "有什么提醒" / "any
alerts", "救命", the help scene that is a call for help, and the spoken summary of what is still
waiting. No Home Assistant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

from .alert_kinds import zh_count
from .everyday_speech import normalize
from .languages import table_language
from .scene_model import Scene

if TYPE_CHECKING:
    from .alerts import Alert

__all__ = ["HELP_ROLE", "command_of", "is_help_scene", "phrases", "summary"]

_COMMANDS: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "zh": {
        "acknowledge": ("知道了", "我知道了", "收到", "收到了", "好的知道了"),
        "summary": ("有什么提醒", "有什么提醒吗", "有哪些提醒", "还有什么提醒"),
        "help": ("救命", "救命啊", "快来人啊"),
    },
    "en": {
        "acknowledge": ("got it", "i got it", "ok got it", "okay got it", "understood"),
        "summary": ("any alerts", "are there any alerts", "what alerts are there"),
        "help": ("help me", "call for help", "emergency"),
    },
}


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum() or ch == " ").strip()


def command_of(text: str, language: str) -> str | None:
    """'acknowledge', 'summary' or 'help' if `text` is one of those sentences, else None."""
    lang = table_language(language)
    said = {_key(text), _key(normalize(text, lang))}
    for command, sentences in _COMMANDS[lang].items():
        if said & {_key(s) for s in sentences}:
            return command
    return None


HELP_ROLE: Final = "caregiver_notify"


def is_help_scene(scene: Scene) -> bool:
    """A scene that notifies the caregiver is a call for help (the safety pack's "救命"):
    asking for it raises the help call, which notifies and repeats until acknowledged."""
    return any(step.role == HELP_ROLE for step in scene.steps)


def phrases(language: str) -> tuple[str, ...]:
    """The alert sentences the station should be able to recognise in `language`."""
    return tuple(s for ss in _COMMANDS[table_language(language)].values() for s in ss)


_SUMMARY: Final = {
    "zh": ("现在没有未确认的提醒。", "有{count}条未确认的提醒：", "。说“知道了”确认。"),
    "en": (
        "There are no alerts waiting.",
        "{count} alerts waiting: ",
        ". Say got it to acknowledge.",
    ),
}


def summary(alerts: Iterable[Alert], language: str) -> str:
    """What is said to "有什么提醒" / "any alerts"."""
    lang = table_language(language)
    found = list(alerts)
    none, head, tail = _SUMMARY[lang]
    if not found:
        return none
    parts = [a.text(lang).rstrip("。！!.") for a in found]
    joined = "；".join(parts) if lang == "zh" else "; ".join(parts)
    count = zh_count(len(found)) if lang == "zh" else str(len(found))
    if lang == "en" and len(found) == 1:
        head = "One alert waiting: "
    return head.format(count=count) + joined + tail

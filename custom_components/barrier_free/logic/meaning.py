"""What a sentence asks for, as the agent understands it, without doing it.

Two sentences that mean the same ("打开客厅的灯" and "打开客厅灯": the same service on the same
light) have the same meaning; the guided tour uses it to accept a recogniser that heard a
different wording of the same request. The order is the agent's own (`conversation_turn.Turn`):
a reply to a pending question, a voice request, a question about the home, a command, a
sentence template.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .commands import parse_command
from .home import Home
from .questions import States, answer_question
from .replies import is_confirmation, is_denial
from .targets import find_targets, targeted
from .templates import Templates, intent_context, slot_lists
from .understanding import understand_command
from .voice_requests import voice_request

type Meaning = tuple[str, ...]


def meaning_of(
    text: str,
    home: Home,
    states: States,
    templates: Templates,
    *,
    language: str,
    station_area_id: str | None,
) -> Meaning | None:
    """What `text` asks for; None when the agent would not understand it by itself."""
    if is_confirmation(text):
        return ("reply", "confirm")
    if is_denial(text):
        return ("reply", "cancel")
    requested = voice_request(text, language)
    if requested is not None:
        return ("request", requested)
    answered = answer_question(text, home, states, language, station_area_id)
    if answered is not None:
        return ("question", answered)  # the same answer: the same question
    command = parse_command(text, home, language, station_area_id)
    if command is not None:
        calls = sorted(
            (
                call.domain,
                call.service,
                ",".join(sorted(e.entity_id for e in call.entities)),
                _plain(call.data),
            )
            for call in command.calls
        )
        return ("command", *(" ".join(call) for call in calls))
    lists = slot_lists(home)
    context = intent_context(home, station_area_id)
    understood = understand_command(text, home, templates, lists, context)
    if understood is None:
        return None
    slots = dict(understood.slots)
    acting = targeted(understood)
    if acting is not None:
        targets = find_targets(acting, home, language, station_area_id)
        if targets.entities:
            for key in ("name", "area", "floor", "domain", "device_class"):
                slots.pop(key, None)
            slots["entities"] = ",".join(sorted(e.entity_id for e in targets.entities))
    return ("intent", understood.intent, _plain(slots))


def _plain(values: Mapping[str, Any]) -> str:
    return ";".join(f"{key}={values[key]}" for key in sorted(values))

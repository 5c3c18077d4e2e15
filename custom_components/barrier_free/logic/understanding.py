"""Understanding an utterance: which intent, with which slots, as the agent will run it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hassil import Intents, RecognizeResult, recognize_best
from hassil.intents import SlotList

from .everyday_speech import candidates
from .templates import ACCESSIBILITY_PREFIX, OFFERED, Templates


@dataclass(frozen=True, slots=True)
class Understood:
    """What an utterance means: an intent with its slots."""

    intent: str
    slots: Mapping[str, Any]
    text: str
    """The normalised text that matched (what Home Assistant's agent is given)."""

    @property
    def accessibility(self) -> bool:
        """True if this project handles the intent itself; otherwise Home Assistant does."""
        return self.intent.startswith(ACCESSIBILITY_PREFIX)


def understand(
    text: str,
    templates: Templates,
    lists: Mapping[str, SlotList],
    context: Mapping[str, Any] | None = None,
) -> Understood | None:
    """Match an utterance as the agent does: normalise, then this project's sentences first.

    Returns None for speech the agent cannot act on; that is answered with "没听清".
    """
    for form in candidates(text, templates.language):
        for intents, offered in (
            (templates.accessibility, None),
            (templates.builtin, OFFERED),
        ):
            result = _recognize(form, intents, lists, context)
            if result is not None and (offered is None or result.intent.name in offered):
                return Understood(
                    intent=result.intent.name,
                    slots={name: entity.value for name, entity in result.entities.items()},
                    text=form,
                )
    return None


def _recognize(
    text: str,
    intents: Intents,
    lists: Mapping[str, SlotList],
    context: Mapping[str, Any] | None,
) -> RecognizeResult | None:
    return recognize_best(
        text,
        intents,
        slot_lists=dict(lists),
        intent_context=dict(context) if context else None,
        language=intents.language,
        best_slot_name="name",
    )

"""Understanding an utterance: which intent, with which slots, as the agent will run it.

`understand_command` is what the agent matches a command with: the sentence as said and
normalised (`understand`), without a PIN said along with it, and English "open the front door"
for a lock. What is still not understood is explained when it names a room or a thing the home
does not have (`explain_unknown`); what names a sensitive device or action is never handed to
Home Assistant's own agent (`mentions_sensitive`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from hassil import Intents, RecognizeResult, recognize_best
from hassil.intents import SlotList, WildcardSlotList

from .confirm_sensitive import SensitivePolicy
from .everyday_speech import candidates, normalize
from .home import Home
from .numbers import EN_DIGITS, ZH_DIGIT_VALUES
from .replies import contains_pin
from .spoken import device_noun, say
from .templates import ACCESSIBILITY_PREFIX, OFFERED, Templates

# An area no home has: matching with it finds commands that need a room ("打开灯").
_SOMEWHERE_AREA: Final = "\x00somewhere"
_SOMEWHERE: Final = {"area": {"value": _SOMEWHERE_AREA, "text": ""}}
_ARTICLES: Final = frozenset({"the", "a", "an", "my", "our", "this", "that", "all"})
# Words of sensitive actions: a sentence with one of them is never handed to Home Assistant's
# own agent, which would act without confirmation.
_SENSITIVE_WORDS: Final = ("unlock", "disarm", "解锁", "开锁", "撤防", "开门", "打开门")
_DIGITS: Final = "[0-9" + "".join(ZH_DIGIT_VALUES) + "]"


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


def understand_command(
    text: str,
    home: Home,
    templates: Templates,
    lists: Mapping[str, SlotList],
    context: Mapping[str, Any] | None,
) -> Understood | None:
    """The command in `text`, as the agent runs it; None if it is not one of the home's."""
    understood = understand(text, templates, lists, context)
    if understood is None and contains_pin(text):
        # A PIN said with the command: find the command without it (the guard refuses it).
        understood = understand(without_pin(text), templates, lists, context)
    if understood is None:
        understood = door_words(text, home, templates, lists, context)
    return understood


def without_pin(text: str) -> str:
    """`text` without digits and PIN words ("打开大门密码一二三四" → "打开大门")."""
    bare = re.sub(rf"{_DIGITS}|密码|口令|\b(pin|code|password)\b", " ", text.lower())
    bare = re.sub(rf"\b({'|'.join(EN_DIGITS)})\b", " ", bare)
    return " ".join(bare.split())


def door_words(
    text: str,
    home: Home,
    templates: Templates,
    lists: Mapping[str, SlotList],
    context: Mapping[str, Any] | None,
) -> Understood | None:
    """ "open the front door" for a lock means unlock it ("close": lock), as "把大门打开"
    does in Mandarin; Home Assistant's English sentences only say "unlock"."""
    if templates.language != "en":
        return None
    for said, meant in (("open", "unlock"), ("close", "lock"), ("shut", "lock")):
        match = re.match(rf"^(please |could you |can you )?{said}\b(.*)$", text.lower())
        if match is None:
            continue
        understood = understand(f"{meant}{match.group(2)}", templates, lists, context)
        if understood is None:
            return None
        name = understood.slots.get("name")
        locks = [e for e in home.entities if e.domain == "lock" and name in (e.name, *e.aliases)]
        return understood if locks else None
    return None


def explain_unknown(
    text: str,
    home: Home,
    templates: Templates,
    lists: Mapping[str, SlotList],
    context: Mapping[str, Any] | None,
) -> str | None:
    """What to answer a command that names what the home does not have (a room that does not
    exist, a room without that thing, a light in no particular room); None if it names nothing
    of the kind, so it may go to Home Assistant's own agent."""
    language = templates.language
    if context is None:
        # "打开灯" at a station that serves no particular room: which of the lights?
        here = understand(text, templates, lists, _SOMEWHERE)
        if here is not None and here.slots.get("area") == _SOMEWHERE_AREA:
            domain = str(here.slots.get("domain", ""))
            device_class = here.slots.get("device_class")
            members = [
                e
                for e in home.entities
                if e.domain == domain and device_class in (None, e.device_class)
            ]
            if len(members) > 1:
                noun = device_noun(domain, device_class, language)
                return say("ambiguous", language, count=len(members), device=noun)
    loose = understand(text, templates, {**lists, "area": WildcardSlotList("area")}, context)
    if loose is not None and "area" in loose.slots:
        words = str(loose.slots["area"])
        known = room_then_thing(words, home, language)
        if known is not None:
            # "pause the living room speaker": the room exists, the thing in it does not
            return say("no_device_in_area", language, area=known[0], device=known[1])
        if could_be_a_room(words, home, language):
            return say("no_area", language, area=words)
    return None


def room_then_thing(words: str, home: Home, language: str) -> tuple[str, str] | None:
    """(room, thing) when `words` are a known room's name followed by something else
    ("living room speaker"), English only (Mandarin reaches Home Assistant's agent)."""
    if language != "en":
        return None
    said = words.lower().split()
    while said and said[0] in _ARTICLES:
        said.pop(0)
    for area in sorted(home.areas, key=lambda a: -len(a.name)):
        for name in (area.name, *area.aliases):
            room = name.lower().split()
            if room and said[: len(room)] == room and len(said) > len(room):
                return area.name.lower(), " ".join(said[len(room) :])
    return None


def could_be_a_room(words: str, home: Home, language: str) -> bool:
    """Whether the unknown "room" a loose match found may really be meant as a room: not
    an article ("turn on the light" matched "turn on {area} light" with "the") and not part
    of a device's name ("open the front door": "front" is no room)."""
    said = set(words.lower().split()) - _ARTICLES
    if not said or len(words.split()) > 3 or (language != "en" and len(words) > 5):
        # "I couldn't find a room called open your books at page": half a sentence is no room
        return False
    names = {
        word
        for entity in home.entities
        for name in (entity.name, *entity.aliases)
        for word in name.lower().split()
    }
    return language != "en" or not said <= names


def mentions_sensitive(text: str, home: Home, policy: SensitivePolicy, language: str) -> bool:
    """Does `text` name a sensitive device or action (so it must not bypass the guard)?"""
    said = normalize(text, language).lower()
    if any(word in said for word in _SENSITIVE_WORDS):
        return True
    sensitive = set(policy.sensitive_entities((e.entity_id, e.device_class) for e in home.entities))
    return any(
        name and name.lower() in said
        for entity in home.entities
        if entity.entity_id in sensitive
        for name in (entity.name, *entity.aliases)
    )

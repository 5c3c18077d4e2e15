"""The station's conversation agent: the accessibility layer on top of Home Assistant's agent.

Decisions live in plain modules (`phrase_list.understand`, `confirm_sensitive`, `home_status`,
`spoken`); this entity only connects them to Home Assistant. An utterance is matched once, as
the phrase list was generated; the intent so understood is the one executed (through
`intent.async_handle` with its slots, so "停止" can never become another intent), after the
agent has checked its targets against the home to say precisely what went wrong. Sensitive
actions wait for `SensitiveGuard`. Only what is not understood goes to Home Assistant's own
agent, with the normalised text.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final, Literal

from hassil.intents import WildcardSlotList
from homeassistant.components import conversation
from homeassistant.const import ATTR_ENTITY_ID, MATCH_ALL, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import intent
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
from homeassistant.util import ulid as ulid_util

from .api import StationError
from .confirm_sensitive import (
    ChallengeKind,
    Outcome,
    OutcomeKind,
    PinHash,
    SensitiveAction,
    SensitiveGuard,
    SensitivePolicy,
    contains_pin,
    service_for_intent,
    speech,
    spoken_digits,
)
from .const import (
    CONF_AREAS,
    CONF_LANGUAGE,
    CONF_PIN,
    CONF_RATE,
    CONF_SENSITIVE_ENTITIES,
    CONF_VOLUME,
    DEFAULT_LANGUAGE,
    DEFAULT_RATE,
    DEFAULT_VOLUME,
    DOMAIN,
    LOGGER,
    MAX_RATE,
    MIN_RATE,
)
from .entity import BarrierFreeEntity
from .everyday_speech import normalize
from .home_snapshot import async_build_home, async_device_states
from .home_status import lights_status, locks_status, summarize
from .phrase_list import (
    Entity,
    Home,
    PhraseList,
    Templates,
    Understood,
    build_phrase_list,
    examples,
    intent_context,
    load_templates,
    slot_lists,
    understand,
)
from .spoken import device_noun, join_names, say, say_date, say_time

if TYPE_CHECKING:
    from . import BarrierFreeConfigEntry

PARALLEL_UPDATES = 0
RATE_STEP = 30  # words per minute per "slower"/"faster"
VOLUME_STEP = 15  # percent per "louder"/"quieter"
MIN_VOLUME = 10
MAX_VOLUME = 100
BRIGHTNESS_STEP = 20  # percent per "brighter"/"dimmer"
_TYPED = "typed"  # origin of text that came with neither device nor satellite
_DIGITS = r"[0-9零〇一幺二两三四五六七八九]"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BarrierFreeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One agent per station."""
    async_add_entities([BarrierFreeAgent(hass, entry)])


@dataclass(frozen=True, slots=True)
class _Targets:
    """What a command acts on, or the answer explaining why it cannot."""

    entities: tuple[Entity, ...] = ()
    problem: str | None = None


class BarrierFreeAgent(BarrierFreeEntity, conversation.ConversationEntity):
    """Understands the resident, answers in full sentences, guards sensitive actions."""

    _attr_translation_key = "agent"
    _attr_supports_streaming = False

    def __init__(self, hass: HomeAssistant, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "conversation")
        self._hass_ref = hass
        self._entry = entry
        options = entry.options
        pin = options.get(CONF_PIN)
        self.guard = SensitiveGuard(
            SensitivePolicy(extra_entities=frozenset(options.get(CONF_SENSITIVE_ENTITIES, []))),
            pin=PinHash.from_string(pin) if pin else None,
            clock=lambda: dt_util.utcnow().timestamp(),
            lockout=entry.runtime_data.lockout.record,
        )
        self.last_answers: dict[str, str] = {}
        # Replies to the guard are taken one at a time: a PIN is checked in an executor
        # (PBKDF2, tens of ms) and the guard is not safe to enter meanwhile.
        self.guard_lock = asyncio.Lock()
        self._templates: Templates | None = None
        self._phrases: PhraseList | None = None
        self._expiry_timers: list[Callable[[], None]] = []

    # -- Home Assistant entity API

    @property
    def supported_languages(self) -> list[str] | Literal["*"]:
        """Any: the station's language option decides what is understood and spoken."""
        return MATCH_ALL

    @property
    def language(self) -> str:
        """The station's language ("zh" or "en")."""
        return str(self._entry.options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE))

    @property
    def station_area_id(self) -> str | None:
        """The room the station stands in: the first area it serves."""
        areas = self._entry.options.get(CONF_AREAS) or []
        return str(areas[0]) if areas else None

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(self._cancel_timers)
        await self.async_prepare()

    async def async_prepare(self, language: str | None = None) -> None:
        """Load the sentence templates (files) outside the event loop."""
        if self._templates is None:
            self._templates = await self.hass.async_add_executor_job(load_templates, self.language)

    @callback
    def async_set_phrase_list(self, phrases: PhraseList) -> None:
        """The phrase list the station was last given (for the spoken help)."""
        self._phrases = phrases

    @callback
    def home(self) -> Home:
        """The home as this station sees it, now."""
        return async_build_home(
            self.hass,
            self._entry.options.get(CONF_AREAS) or [],
            self._entry.options.get(CONF_SENSITIVE_ENTITIES, []),
        )

    async def async_process(
        self, user_input: conversation.ConversationInput
    ) -> conversation.ConversationResult:
        """Answer one utterance."""
        await self.async_prepare()
        conversation_id = user_input.conversation_id or ulid_util.ulid_now()
        origin = user_input.device_id or user_input.satellite_id or _TYPED
        turn = _Turn(self, user_input, conversation_id, origin)
        response = await turn.run()
        await self.async_sync_digits()
        if not _speech_of(response):
            # every turn is answered aloud, even one Home Assistant gave no sentence for
            failed = response.response_type is intent.IntentResponseType.ERROR
            response.async_set_speech(say("not_understood" if failed else "done", self.language))
        text = _speech_of(response)
        if text and turn.remember:
            self.last_answers[origin] = text
        return conversation.ConversationResult(
            response=response,
            conversation_id=conversation_id,
            continue_conversation=turn.continue_conversation,
        )

    # -- for turns

    @property
    def templates(self) -> Templates:
        assert self._templates is not None
        return self._templates

    async def async_phrase_list(self, home: Home) -> PhraseList:
        sync = self._entry.runtime_data.phrase_sync
        if sync is not None and sync.phrases is not None:
            return sync.phrases
        if self._phrases is None:
            self._phrases = await self.hass.async_add_executor_job(
                lambda: build_phrase_list(home, self.language, station_area_id=self.station_area_id)
            )
        return self._phrases

    async def async_change_voice(self, *, rate_step: int = 0, volume_step: int = 0) -> str:
        """Make the station's voice slower/faster/louder/quieter; remembered in the options."""
        options = dict(self._entry.options)
        rate = int(options.get(CONF_RATE, DEFAULT_RATE))
        volume = int(options.get(CONF_VOLUME, DEFAULT_VOLUME))
        new_rate = min(MAX_RATE, max(MIN_RATE, rate + rate_step))
        new_volume = min(MAX_VOLUME, max(MIN_VOLUME, volume + volume_step))
        if rate_step and new_rate == rate:
            return "slowest" if rate_step < 0 else "fastest"
        if volume_step and new_volume == volume:
            return "quietest" if volume_step < 0 else "loudest"
        self.hass.config_entries.async_update_entry(
            self._entry, options={**options, CONF_RATE: new_rate, CONF_VOLUME: new_volume}
        )
        try:
            await self.connection.async_apply_settings()
        except StationError as err:  # kept in the options; sent again on reconnection
            LOGGER.warning("Could not change the station's voice now: %s", err)
        if rate_step:
            return "slower" if rate_step < 0 else "faster"
        return "quieter" if volume_step < 0 else "louder"

    @callback
    def schedule_expiry(self, expires_at: float | None) -> None:
        """Announce a confirmation that never came, once its time is up."""
        if expires_at is None:
            return
        delay = max(0.0, expires_at - dt_util.utcnow().timestamp()) + 0.5
        self._expiry_timers.append(
            async_call_later(self.hass, timedelta(seconds=delay), self._expire)
        )

    async def async_sync_digits(self) -> None:
        """The station hears digit strings only while a PIN is being asked for.

        Awaited before the answer is returned, so the station has the change before it speaks
        the prompt (and the resident says the PIN). Allowed at other times, a reply such as
        "confirm" was heard as digits.
        """
        sync = self._entry.runtime_data.phrase_sync
        if sync is not None:
            await sync.async_expect_digits(self.guard.awaiting_pin)

    @callback
    def _expire(self, _now: Any) -> None:
        self._entry.async_create_background_task(
            self.hass, self.async_sync_digits(), f"{DOMAIN} digits after expiry"
        )
        for outcome in self.guard.expire():
            text = speech(outcome, self.language)
            if not text:
                continue
            self.last_answers = {key: text for key in self.last_answers}
            self._entry.async_create_background_task(
                self.hass, self.async_announce(text), f"{DOMAIN} expired confirmation"
            )

    async def async_announce(self, text: str, priority: str = "high") -> None:
        """Say `text` on the station's speaker (later, if the station is away)."""
        await self.connection.async_announce(text, self.language, priority, chime="info")

    async def async_pin_checked(self, before: dict[str, Any], outcome: Outcome) -> None:
        """After a reply to the guard: keep a changed lockout record, tell of a new lockout.

        Saved before the answer is given, so that no restart in between forgets a wrong PIN.
        """
        household = self._entry.runtime_data.lockout
        if household.record.as_dict() != before:
            await household.async_save()
        if outcome.notify:
            self._entry.async_create_background_task(
                self.hass, household.async_notify(self._entry), f"{DOMAIN} lockout notice"
            )

    @callback
    def _cancel_timers(self) -> None:
        for cancel in self._expiry_timers:
            cancel()
        self._expiry_timers.clear()


class _Turn:
    """One utterance and its answer."""

    def __init__(
        self,
        agent: BarrierFreeAgent,
        user_input: conversation.ConversationInput,
        conversation_id: str,
        origin: str,
    ) -> None:
        self.agent = agent
        self.hass = agent.hass
        self.user_input = user_input
        self.conversation_id = conversation_id
        self.origin = origin
        self.language = agent.language
        self.remember = True
        self.continue_conversation = False
        self.response = intent.IntentResponse(language=user_input.language)

    # -- answers

    def answer(self, text: str) -> intent.IntentResponse:
        self.response.async_set_speech(text)
        return self.response

    def fail(self, text: str, code: intent.IntentResponseErrorCode) -> intent.IntentResponse:
        self.response.async_set_error(code, text)
        return self.response

    def say(self, key: str, **params: Any) -> str:
        return say(key, self.language, **params)

    # -- the turn

    async def run(self) -> intent.IntentResponse:
        text = self.user_input.text.strip()
        guard = self.agent.guard
        async with self.agent.guard_lock:
            digits = guard.pin_reply(self.conversation_id, self.origin, text)
            pin_ok = None
            if digits is not None:
                pin_ok = await self.hass.async_add_executor_job(guard.pin_matches, digits)
            before = guard.lockout.as_dict()
            outcome = guard.answer(self.conversation_id, self.origin, text, pin_ok=pin_ok)
            await self.agent.async_pin_checked(before, outcome)
        if outcome.kind is OutcomeKind.EXECUTE and outcome.action is not None:
            return await self.execute_sensitive(outcome.action)
        if outcome.kind in (OutcomeKind.PIN_REQUIRED, OutcomeKind.WRONG_PIN):
            self.continue_conversation = True
            self.agent.schedule_expiry(dt_util.utcnow().timestamp() + guard.pin_timeout)
        if outcome.kind not in (OutcomeKind.NOTHING_PENDING, OutcomeKind.NOT_AN_ANSWER):
            return self.answer(speech(outcome, self.language) or self.say("not_understood"))
        if outcome.kind is OutcomeKind.NOTHING_PENDING and spoken_digits(text) is not None:
            # a PIN (or a number alone) after the question expired or was never asked
            return self.answer(self.say("nothing_to_confirm"))

        home = self.agent.home()
        lists = slot_lists(home)
        context = intent_context(home, self.agent.station_area_id)
        templates = self.agent.templates
        understood = understand(text, templates, lists, context)
        if understood is None and contains_pin(text):
            # A PIN said with the command: find the command without it, and refuse.
            bare = re.sub(rf"{_DIGITS}|密码|口令|\b(pin|code|password)\b", " ", text.lower())
            bare = re.sub(r"\b(zero|one|two|three|four|five|six|seven|eight|nine)\b", " ", bare)
            understood = understand(" ".join(bare.split()), templates, lists, context)
        if understood is None:
            understood = self.door_words(text, home, lists, context)
        if understood is None:
            return await self.unknown(text, home, lists, context)
        if understood.accessibility:
            return await self.accessibility(understood, home)
        return await self.home_assistant_intent(understood, home, text)

    async def unknown(
        self,
        text: str,
        home: Home,
        lists: Mapping[str, Any],
        context: Mapping[str, Any] | None,
    ) -> intent.IntentResponse:
        """Not one of ours: a room that does not exist, or Home Assistant's own agent."""
        if context is None:
            # "打开灯" at a station that serves no particular room: which of the lights?
            here = understand(text, self.agent.templates, lists, _SOMEWHERE)
            if here is not None and here.slots.get("area") == _SOMEWHERE_AREA:
                domain = str(here.slots.get("domain", ""))
                device_class = here.slots.get("device_class")
                members = [
                    e
                    for e in home.entities
                    if e.domain == domain and device_class in (None, e.device_class)
                ]
                if len(members) > 1:
                    noun = device_noun(domain, device_class, self.language)
                    return self.fail(
                        self.say("ambiguous", count=len(members), device=noun),
                        intent.IntentResponseErrorCode.NO_VALID_TARGETS,
                    )
        loose = understand(
            text, self.agent.templates, {**lists, "area": WildcardSlotList("area")}, context
        )
        if loose is not None and "area" in loose.slots:
            words = str(loose.slots["area"])
            known = self.room_then_thing(words, home)
            if known is not None:
                # "pause the living room speaker": the room exists, the thing in it does not
                return self.fail(
                    self.say("no_device_in_area", area=known[0], device=known[1]),
                    intent.IntentResponseErrorCode.NO_VALID_TARGETS,
                )
            if self.could_be_a_room(words, home):
                return self.fail(
                    self.say("no_area", area=words),
                    intent.IntentResponseErrorCode.NO_VALID_TARGETS,
                )
        if self.mentions_sensitive(text, home):
            # Home Assistant's agent would run it without asking: never hand it over.
            return self.fail(
                self.say("not_understood"), intent.IntentResponseErrorCode.NO_INTENT_MATCH
            )
        response = await self.ask_home_assistant(normalize(text, self.language))
        if (
            response.response_type is intent.IntentResponseType.ERROR
            and response.error_code is intent.IntentResponseErrorCode.NO_INTENT_MATCH
        ):
            return self.fail(self.say("not_understood"), response.error_code)
        self.response = response
        return response

    async def ask_home_assistant(self, text: str) -> intent.IntentResponse:
        """Home Assistant's built-in agent's response to `text`."""
        result = await conversation.async_converse(
            self.hass,
            text,
            self.conversation_id,
            self.user_input.context,
            language=self.user_input.language,
            agent_id=conversation.HOME_ASSISTANT_AGENT,
            device_id=self.user_input.device_id,
            satellite_id=self.user_input.satellite_id,
        )
        return result.response

    def room_then_thing(self, words: str, home: Home) -> tuple[str, str] | None:
        """(room, thing) when `words` are a known room's name followed by something else
        ("living room speaker"), English only (Mandarin reaches Home Assistant's agent)."""
        if self.language != "en":
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

    def could_be_a_room(self, words: str, home: Home) -> bool:
        """Whether the unknown "room" a loose match found may really be meant as a room: not
        an article ("turn on the light" matched "turn on {area} light" with "the") and not part
        of a device's name ("open the front door": "front" is no room)."""
        said = set(words.lower().split()) - _ARTICLES
        if not said:
            return False
        names = {
            word
            for entity in home.entities
            for name in (entity.name, *entity.aliases)
            for word in name.lower().split()
        }
        return self.language != "en" or not said <= names

    def door_words(
        self, text: str, home: Home, lists: Mapping[str, Any], context: Mapping[str, Any] | None
    ) -> Understood | None:
        """ "open the front door" for a lock means unlock it ("close": lock), as "把大门打开"
        does in Mandarin; Home Assistant's English sentences only say "unlock"."""
        if self.language != "en":
            return None
        for said, meant in (("open", "unlock"), ("close", "lock"), ("shut", "lock")):
            match = re.match(rf"^(please |could you |can you )?{said}\b(.*)$", text.lower())
            if match is None:
                continue
            understood = understand(
                f"{meant}{match.group(2)}", self.agent.templates, lists, context
            )
            if understood is None:
                return None
            name = understood.slots.get("name")
            locks = [
                e for e in home.entities if e.domain == "lock" and name in (e.name, *e.aliases)
            ]
            return understood if locks else None
        return None

    def mentions_sensitive(self, text: str, home: Home) -> bool:
        """Does `text` name a sensitive device or action (so it must not bypass the guard)?"""
        said = normalize(text, self.language).lower()
        if any(word in said for word in _SENSITIVE_WORDS):
            return True
        policy = self.agent.guard.policy
        sensitive = set(
            policy.sensitive_entities((e.entity_id, e.device_class) for e in home.entities)
        )
        return any(
            name and name.lower() in said
            for entity in home.entities
            if entity.entity_id in sensitive
            for name in (entity.name, *entity.aliases)
        )

    # -- accessibility intents

    async def accessibility(self, understood: Understood, home: Home) -> intent.IntentResponse:
        name = understood.intent.removeprefix("BarrierFree")
        agent = self.agent
        if name == "Repeat":
            self.remember = False
            last = agent.last_answers.get(self.origin)
            return self.answer(last or self.say("nothing_to_repeat"))
        if name in ("HomeStatus", "LockStatus", "LightStatus"):
            states = async_device_states(self.hass, home)
            if name == "HomeStatus":
                return self.answer(summarize(states, self.language))
            if name == "LockStatus":
                return self.answer(locks_status(states, self.language))
            return self.answer(lights_status(states, self.language))
        voice_steps = {
            "SpeakSlower": {"rate_step": -RATE_STEP},
            "SpeakFaster": {"rate_step": RATE_STEP},
            "SpeakLouder": {"volume_step": VOLUME_STEP},
            "SpeakQuieter": {"volume_step": -VOLUME_STEP},
        }
        if name in voice_steps:
            return self.answer(self.say(await agent.async_change_voice(**voice_steps[name])))
        if name == "Help":
            phrases = await agent.async_phrase_list(home)
            said = join_names(examples(phrases), self.language)
            area = home.area(agent.station_area_id)
            if area is not None:
                return self.answer(self.say("help_room", area=area.name, examples=said))
            return self.answer(self.say("help", examples=said))
        if name in ("Confirm", "Cancel"):
            return self.answer(self.say("nothing_to_confirm"))
        if name == "BrightnessStep":
            return await self.brightness_step(understood, home)
        return self.fail(  # pragma: no cover - every sentence file intent is handled above
            self.say("not_understood"), intent.IntentResponseErrorCode.NO_INTENT_MATCH
        )

    async def brightness_step(self, understood: Understood, home: Home) -> intent.IntentResponse:
        targets = self.targets(understood, home)
        if targets.problem is not None:
            return self.fail(targets.problem, intent.IntentResponseErrorCode.NO_VALID_TARGETS)
        up = understood.slots.get("direction") == "up"
        await self.hass.services.async_call(
            "light",
            "turn_on",
            {
                ATTR_ENTITY_ID: [e.entity_id for e in targets.entities],
                "brightness_step_pct": BRIGHTNESS_STEP if up else -BRIGHTNESS_STEP,
            },
            blocking=True,
            context=self.user_input.context,
        )
        key = "brighter" if up else "dimmer"
        return self.answer(self.say(key, target=self.target_words(understood, targets, home)))

    # -- Home Assistant's intents

    async def home_assistant_intent(
        self, understood: Understood, home: Home, text: str
    ) -> intent.IntentResponse:
        name = understood.intent
        if name == "HassGetCurrentTime":
            return self.answer(self.say("time_now", time=say_time(dt_util.now(), self.language)))
        if name == "HassGetCurrentDate":
            day = dt_util.now().date()
            return self.answer(self.say("date_today", date=say_date(day, self.language)))
        needs_targets = "name" in understood.slots or "domain" in understood.slots
        if name == "HassClimateSetTemperature" and not needs_targets:
            # "把卧室空调调到二十二度": the room's thermostat (named for the answer)
            needs_targets = True
            climate = {**understood.slots, "domain": "climate"}
            understood = Understood(name, climate, understood.text)
        targets = self.targets(understood, home) if needs_targets else _Targets()
        if targets.problem is not None:
            return self.fail(targets.problem, intent.IntentResponseErrorCode.NO_VALID_TARGETS)
        changing = name not in ("HassGetState", "HassClimateGetTemperature", "HassGetWeather")
        if changing:
            for entity in targets.entities:
                state = self.hass.states.get(entity.entity_id)
                if state is None or state.state == STATE_UNAVAILABLE:
                    words = self.entity_words(entity, home)
                    return self.fail(
                        self.say("unavailable", target=words[:1].upper() + words[1:]),
                        intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
                    )
            held = self.hold_if_sensitive(understood, targets, home, text)
            if held is not None:
                return held
        if not changing:
            # A question: Home Assistant's own agent words the answer from its response
            # templates (handling the intent directly gives no sentence).
            answered = await self.ask_home_assistant(understood.text)
            if _speech_of(answered):
                self.response = answered
                return answered
        slots: dict[str, Any] = {
            key: {"value": value, "text": str(value)} for key, value in understood.slots.items()
        }
        if self.agent.station_area_id is not None:
            slots["preferred_area_id"] = {"value": self.agent.station_area_id}
        try:
            response = await intent.async_handle(
                self.hass,
                DOMAIN,
                name,
                slots,
                understood.text,
                self.user_input.context,
                self.user_input.language,
                device_id=self.user_input.device_id,
                satellite_id=self.user_input.satellite_id,
                conversation_agent_id=self.user_input.agent_id,
            )
        except intent.MatchFailedError:
            return self.fail(
                self.say("no_device", name=understood.slots.get("name", understood.text)),
                intent.IntentResponseErrorCode.NO_VALID_TARGETS,
            )
        except intent.IntentHandleError as err:
            LOGGER.debug("Intent %s failed: %s", name, err)
            return self.fail(
                self.say("failed", target=self.target_words(understood, targets, home)),
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
            )
        self.response = response
        done = self.done_sentence(understood, targets, home)
        if done is not None:
            response.async_set_speech(done)
        return response

    def hold_if_sensitive(
        self, understood: Understood, targets: _Targets, home: Home, text: str
    ) -> intent.IntentResponse | None:
        """Ask before a sensitive action; None if nothing here is sensitive."""
        guard = self.agent.guard
        for entity in targets.entities:
            service = service_for_intent(understood.intent, entity.domain)
            if service is None:
                service = "turn_on" if understood.intent == "HassTurnOn" else "turn_off"
            data: dict[str, Any] = {}
            if understood.intent == "HassSetPosition":
                data["position"] = understood.slots.get("position", 100)
            action = SensitiveAction(
                entity.domain,
                service,
                entity.entity_id,
                entity.name,  # the name the resident knows it by ("大门")
                entity.device_class,
                data,
            )
            challenge = guard.request(self.conversation_id, self.origin, action, text)
            if challenge.kind is ChallengeKind.NOT_SENSITIVE:
                continue
            if challenge.kind is ChallengeKind.CONFIRM:
                self.continue_conversation = True
                self.agent.schedule_expiry(challenge.expires_at)
            return self.answer(speech(challenge, self.language) or self.say("not_understood"))
        return None

    async def execute_sensitive(self, action: SensitiveAction) -> intent.IntentResponse:
        """Confirmed: run exactly the held action on exactly its entity."""
        await self.hass.services.async_call(
            action.domain,
            action.service,
            {ATTR_ENTITY_ID: action.entity_id, **action.data},
            blocking=True,
            context=self.user_input.context,
        )
        key = {
            "lock": "locked",
            "unlock": "unlocked",
            "alarm_disarm": "disarmed",
            "close_cover": "closed",
            "close_valve": "closed",
            "turn_on": "turned_on",
            "turn_off": "turned_off",
        }.get(action.service, "opened")
        if action.domain == "lock" and action.service == "open":
            key = "unlocked"
        target = say("target", self.language, device=action.name)
        return self.answer(self.say(key, target=target))

    # -- targets and words

    def targets(self, understood: Understood, home: Home) -> _Targets:
        """The entities a command means, or the spoken reason there are none."""
        slots = understood.slots
        area_name = slots.get("area")
        area_ids: set[str] | None = None
        if area_name is not None:
            area_ids = {a.area_id for a in home.areas if area_name in (a.name, *a.aliases)}
            if not area_ids:
                return _Targets(problem=self.say("no_area", area=area_name))
        if "name" in slots:
            named = [e for e in home.entities if slots["name"] in (e.name, *e.aliases)]
            if area_ids is not None:
                named = [e for e in named if e.area_id in area_ids]
            if not named:
                return _Targets(problem=self.say("no_device", name=slots["name"]))
            if len(named) > 1:
                here = [e for e in named if e.area_id == self.agent.station_area_id]
                if len(here) == 1:
                    return _Targets((here[0],))
                noun = device_noun(named[0].domain, named[0].device_class, self.language)
                return _Targets(problem=self.say("ambiguous", count=len(named), device=noun))
            return _Targets((named[0],))
        domain = slots.get("domain")
        if domain is None and understood.intent.endswith("BrightnessStep"):
            domain = "light"  # "make the bedroom lights brighter" names no domain slot
        device_class = slots.get("device_class")
        domains = domain if isinstance(domain, list) else [domain]
        members = [
            e
            for e in home.entities
            if e.domain in domains
            and (area_ids is None or e.area_id in area_ids)
            and (device_class is None or e.device_class == device_class)
        ]
        if not members:
            noun = device_noun(str(domains[0]), device_class, self.language)
            if area_name is not None:
                area = home.area(next(iter(area_ids or ()), None))
                return _Targets(
                    problem=self.say(
                        "no_device_in_area",
                        area=area.name if area else area_name,
                        device=noun,
                    ).capitalize()
                    if self.language == "en"
                    else self.say("no_device_in_area", area=area_name, device=noun)
                )
            return _Targets(problem=self.say("no_device", name=noun))
        return _Targets(tuple(members))

    def entity_words(self, entity: Entity, home: Home, *, article: bool = True) -> str:
        """ "客厅的落地灯", "the living room floor lamp"."""
        area = home.area(entity.area_id)
        if area is not None and area.name.lower() not in entity.name.lower():
            if not article and self.language == "en":
                return f"{area.name} {entity.name}"
            return self.say("target_in_area", area=area.name, device=entity.name)
        if not article:
            return entity.name
        return self.say("target", device=entity.name)

    def target_words(self, understood: Understood, targets: _Targets, home: Home) -> str:
        if len(targets.entities) == 1:
            return self.entity_words(targets.entities[0], home)
        first = targets.entities[0] if targets.entities else None
        noun = device_noun(
            first.domain if first else "device",
            understood.slots.get("device_class"),
            self.language,
        )
        if len(targets.entities) > 1 and self.language == "en":
            noun += "es" if noun.endswith(("s", "sh", "ch", "x")) else "s"
        area_name = understood.slots.get("area")
        if area_name is None and first is not None:
            area = home.area(first.area_id)
            area_name = (
                area.name if area and len({e.area_id for e in targets.entities}) == 1 else None
            )
        if area_name is not None:
            return self.say("target_in_area", area=area_name, device=noun)
        return self.say("target", device=noun)

    def done_sentence(self, understood: Understood, targets: _Targets, home: Home) -> str | None:
        """The full confirmation, naming device and room; None: Home Assistant's own answer."""
        if not targets.entities:
            return None
        target = self.target_words(understood, targets, home)
        domain = targets.entities[0].domain
        slots = understood.slots
        match understood.intent:
            case "HassTurnOn" | "HassTurnOff":
                on = understood.intent == "HassTurnOn"
                if domain == "lock":
                    key = "locked" if on else "unlocked"
                elif domain in ("cover", "valve"):
                    key = "opened" if on else "closed"
                else:
                    key = "turned_on" if on else "turned_off"
                sentence = self.say(key, target=target)
            case "HassLightSet" if "brightness" in slots:
                sentence = self.say(
                    "set_brightness", target=target, percent=_number(slots["brightness"])
                )
            case "HassClimateSetTemperature":
                sentence = self.say(
                    "set_temperature", target=target, temperature=_number(slots.get("temperature"))
                )
            case "HassSetPosition":
                sentence = self.say(
                    "set_position", target=target, percent=_number(slots.get("position"))
                )
            case "HassSetVolume":
                sentence = self.say(
                    "set_volume", target=target, percent=_number(slots.get("volume_level"))
                )
            case "HassMediaPause":
                sentence = self.say("media_paused", target=target)
            case "HassMediaUnpause":
                sentence = self.say("media_resumed", target=target)
            case _:
                return None
        return sentence


# Words of sensitive actions: a sentence with one of them is never handed to Home Assistant's
# own agent, which would act without confirmation.
_SOMEWHERE_AREA: Final = "\x00somewhere"
_SOMEWHERE: Final = {"area": {"value": _SOMEWHERE_AREA, "text": ""}}
_ARTICLES: Final = frozenset({"the", "a", "an", "my", "our", "this", "that", "all"})
_SENSITIVE_WORDS: Final = ("unlock", "disarm", "解锁", "开锁", "撤防", "开门", "打开门")


def _number(value: Any) -> Any:
    """40.0 -> 40 (said as "forty", not "forty point zero")."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _speech_of(response: intent.IntentResponse) -> str:
    return str(response.speech.get("plain", {}).get("speech") or "")


@callback
def async_station_device_id(hass: HomeAssistant, entry_id: str, station_id: str) -> str | None:
    """The device registry id of a station (the room flow's `device_id`)."""
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, station_id), entry_id)
    return device.id if device else None

"""The station's conversation agent: the accessibility layer on top of Home Assistant's agent.

Decisions live in `logic/` (`understanding`, `targets`, `answers`, `confirm_sensitive`,
`home_status`, `spoken`); this entity and its turns only connect them to Home Assistant. An
utterance is matched once, as the phrase list was generated; the intent so understood is the
one executed (through `intent.async_handle` with its slots, so "停止" can never become another
intent), after the agent has checked its targets against the home to say precisely what went
wrong. Sensitive actions wait for `SensitiveGuard`. Only what is not understood goes to Home
Assistant's own agent, with the normalised text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Literal

from homeassistant.components import conversation, persistent_notification
from homeassistant.const import ATTR_ENTITY_ID, MATCH_ALL, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import intent
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
from homeassistant.util import ulid as ulid_util

from .client import EV_ANNOUNCED, StationError, announce_event
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
from .data import BarrierFreeConfigEntry
from .entity import BarrierFreeEntity
from .home_snapshot import async_build_home, async_device_states
from .logic.answers import confirmed_sentence, done_sentence, target_words, unavailable_sentence
from .logic.confirm_sensitive import (
    ChallengeKind,
    OutcomeKind,
    SensitiveAction,
    SensitiveGuard,
    SensitivePolicy,
    speech,
)
from .logic.everyday_speech import normalize
from .logic.home import Home
from .logic.home_status import lights_status, locks_status, summarize
from .logic.phrase_list import PhraseList, build_phrase_list, examples
from .logic.pin import PinHash
from .logic.replies import spoken_digits
from .logic.speech_settings import VOICE_STEPS, change_voice
from .logic.spoken import join_names, say, say_date, say_time
from .logic.targets import Targets, find_targets, sensitive_action, targeted
from .logic.templates import Templates, intent_context, load_templates, slot_lists
from .logic.understanding import (
    Understood,
    explain_unknown,
    mentions_sensitive,
    understand_command,
)

PARALLEL_UPDATES = 0
BRIGHTNESS_STEP = 20  # percent per "brighter"/"dimmer"
_TYPED = "typed"  # origin of text that came with neither device nor satellite


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BarrierFreeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One agent per station."""
    async_add_entities([BarrierFreeAgent(hass, entry)])


class BarrierFreeAgent(BarrierFreeEntity, conversation.ConversationEntity):
    """Understands the resident, answers in full sentences, guards sensitive actions."""

    _attr_translation_key = "agent"
    _attr_supports_streaming = False

    def __init__(self, hass: HomeAssistant, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "conversation")
        self._entry = entry
        options = entry.options
        pin = options.get(CONF_PIN)
        self.guard = SensitiveGuard(
            SensitivePolicy(extra_entities=frozenset(options.get(CONF_SENSITIVE_ENTITIES, []))),
            pin=PinHash.from_string(pin) if pin else None,
            clock=lambda: dt_util.utcnow().timestamp(),
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
        change = change_voice(
            int(options.get(CONF_RATE, DEFAULT_RATE)),
            int(options.get(CONF_VOLUME, DEFAULT_VOLUME)),
            rate_step=rate_step,
            volume_step=volume_step,
            min_rate=MIN_RATE,
            max_rate=MAX_RATE,
        )
        if not change.changed:
            return change.key
        self.hass.config_entries.async_update_entry(
            self._entry, options={**options, CONF_RATE: change.rate, CONF_VOLUME: change.volume}
        )
        try:
            await self.connection.async_apply_settings()
        except StationError as err:  # kept in the options; sent again on reconnection
            LOGGER.warning("Could not change the station's voice now: %s", err)
        return change.key

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
        """Say `text` on the station's speaker."""
        event = announce_event(
            ulid_util.ulid_now(), text, self.language, priority=priority, chime="info"
        )
        try:
            await self.connection.async_request(event, EV_ANNOUNCED)
        except StationError as err:
            LOGGER.warning("Could not announce on the station: %s", err)

    @callback
    def notify_lockout(self) -> None:
        persistent_notification.async_create(
            self.hass,
            say("locked_out", self.language, minutes=int(self.guard.lockout_seconds // 60)),
            title=self._entry.title,
            notification_id=f"{DOMAIN}_lockout_{self._entry.entry_id}",
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

    def targets(self, understood: Understood, home: Home) -> Targets:
        return find_targets(understood, home, self.language, self.agent.station_area_id)

    # -- the turn

    async def run(self) -> intent.IntentResponse:
        text = self.user_input.text.strip()
        guard = self.agent.guard
        async with self.agent.guard_lock:
            digits = guard.pin_reply(self.conversation_id, self.origin, text)
            pin_ok = None
            if digits is not None:
                pin_ok = await self.hass.async_add_executor_job(guard.pin_matches, digits)
            outcome = guard.answer(self.conversation_id, self.origin, text, pin_ok=pin_ok)
        if outcome.kind is OutcomeKind.EXECUTE and outcome.action is not None:
            return await self.execute_sensitive(outcome.action)
        if outcome.kind is OutcomeKind.LOCKED_OUT and outcome.notify:
            self.agent.notify_lockout()
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
        understood = understand_command(text, home, templates, lists, context)
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
        problem = explain_unknown(text, home, self.agent.templates, lists, context)
        if problem is not None:
            return self.fail(problem, intent.IntentResponseErrorCode.NO_VALID_TARGETS)
        if mentions_sensitive(text, home, self.agent.guard.policy, self.language):
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
        if name in VOICE_STEPS:
            rate_step, volume_step = VOICE_STEPS[name]
            key = await agent.async_change_voice(rate_step=rate_step, volume_step=volume_step)
            return self.answer(self.say(key))
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
        return self.answer(
            self.say(key, target=target_words(understood, targets, home, self.language))
        )

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
        acting = targeted(understood)
        if acting is not None:
            understood = acting
        targets = self.targets(understood, home) if acting is not None else Targets()
        if targets.problem is not None:
            return self.fail(targets.problem, intent.IntentResponseErrorCode.NO_VALID_TARGETS)
        changing = name not in ("HassGetState", "HassClimateGetTemperature", "HassGetWeather")
        if changing:
            for entity in targets.entities:
                state = self.hass.states.get(entity.entity_id)
                if state is None or state.state == STATE_UNAVAILABLE:
                    return self.fail(
                        unavailable_sentence(entity, home, self.language),
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
                self.say("failed", target=target_words(understood, targets, home, self.language)),
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
            )
        self.response = response
        done = done_sentence(understood, targets, home, self.language)
        if done is not None:
            response.async_set_speech(done)
        return response

    def hold_if_sensitive(
        self, understood: Understood, targets: Targets, home: Home, text: str
    ) -> intent.IntentResponse | None:
        """Ask before a sensitive action; None if nothing here is sensitive."""
        guard = self.agent.guard
        for entity in targets.entities:
            action = sensitive_action(understood, entity)
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
        return self.answer(confirmed_sentence(action, self.language))


def _speech_of(response: intent.IntentResponse) -> str:
    return str(response.speech.get("plain", {}).get("speech") or "")

"""One utterance through the station's agent: the guard, understanding, Home Assistant's
intents and services, and the spoken answer (`conversation.BarrierFreeAgent` runs one per
utterance; the decisions it calls are in `logic/`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from homeassistant.components import conversation
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .home_snapshot import async_device_states
from .logic.answers import (
    confirmed_sentence,
    done_sentence,
    sounds_wrong,
    target_words,
    unavailable_sentence,
)
from .logic.commands import BRIGHTNESS_STEP, Command, done_answer, parse_command, resolve_steps
from .logic.confirm_sensitive import ChallengeKind, OutcomeKind, SensitiveAction, speech
from .logic.everyday_speech import normalize
from .logic.home import Home
from .logic.home_status import lights_status, locks_status, summarize
from .logic.questions import answer_question
from .logic.replies import contains_pin, spoken_digits
from .logic.speech_settings import VOICE_STEPS
from .logic.spoken import say, say_date, say_time
from .logic.targets import Targets, find_targets, sensitive_action, targeted
from .logic.templates import intent_context, slot_lists
from .logic.understanding import (
    Understood,
    explain_unknown,
    mentions_sensitive,
    understand_command,
    without_pin,
)
from .logic.voice_requests import help_examples, voice_request
from .scene_runner import async_scene_answer

if TYPE_CHECKING:
    from .conversation import BarrierFreeAgent


class Turn:
    """One utterance and its answer."""

    def __init__(
        self,
        agent: BarrierFreeAgent,
        user_input: conversation.ConversationInput,
        conversation_id: str,
        origin: str,
        language: str,
    ) -> None:
        self.agent = agent
        self.hass = agent.hass
        self.user_input = user_input
        self.conversation_id = conversation_id
        self.origin = origin
        self.language = language  # the request's: the answer is in it, names too
        self.remember = True
        self.continue_conversation = False
        self.acted = False  # the home changed (counted by showroom mode)
        self.response = intent.IntentResponse(language=user_input.language)
        self.handed_over = False
        """Home Assistant's own agent worded (part of) the answer."""

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
        response = await self.turn()
        spoken = speech_of(response)
        if self.handed_over and spoken and sounds_wrong(spoken, self.language):
            # Home Assistant's "Unknown intent HassGetWeather" or an answer in another language
            LOGGER.debug("Not spoken: %s", spoken)
            self.response = intent.IntentResponse(language=self.user_input.language)
            return self.fail(
                self.say("not_understood"), intent.IntentResponseErrorCode.NO_INTENT_MATCH
            )
        return response

    async def turn(self) -> intent.IntentResponse:
        text = self.user_input.text.strip()
        if not any(char.isalnum() for char in text):
            # nothing heard (speech-to-text's NOT_HEARD) or nothing said: answered aloud
            return self.fail(
                self.say("not_understood"), intent.IntentResponseErrorCode.NO_INTENT_MATCH
            )
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
        if outcome.kind is OutcomeKind.ASK_AGAIN:
            self.continue_conversation = True
        if outcome.kind in (OutcomeKind.PIN_REQUIRED, OutcomeKind.WRONG_PIN):
            self.continue_conversation = True
            self.agent.schedule_expiry(
                dt_util.utcnow().timestamp() + guard.pin_timeout, self.language
            )
        if outcome.kind not in (OutcomeKind.NOTHING_PENDING, OutcomeKind.NOT_AN_ANSWER):
            return self.answer(speech(outcome, self.language) or self.say("not_understood"))
        if outcome.kind is OutcomeKind.NOTHING_PENDING and spoken_digits(text) is not None:
            # a PIN (or a number alone) after the question expired or was never asked
            return self.answer(self.say("nothing_to_confirm"))

        home = self.agent.home(self.language)
        # A household scene's own name first: "我需要帮助" is the help scene, not "what can I say".
        scene_answer = await async_scene_answer(
            self.hass, text, self.language, self.user_input.context
        )
        if scene_answer is not None:
            return self.answer(scene_answer)
        requested = voice_request(text, self.language)
        if requested is not None:
            asked = Understood(requested, {}, text)
            if asked.accessibility:
                return await self.accessibility(asked, home)
            return await self.home_assistant_intent(asked, home, text)
        states = {
            e.entity_id: (state.state, state.attributes)
            for e in home.entities
            if (state := self.hass.states.get(e.entity_id)) is not None
        }
        answered = answer_question(text, home, states, self.language, self.agent.station_area_id)
        if answered is not None:
            return self.answer(answered)
        # a PIN said with the command: the command is found without it, and the guard refuses it
        said = without_pin(text) if contains_pin(text) else text
        command = parse_command(said, home, self.language, self.agent.station_area_id)
        if command is not None:
            return await self.run_command(resolve_steps(command, states), home, text)
        lists = slot_lists(home)
        context = intent_context(home, self.agent.station_area_id)
        templates = self.agent.templates(self.language)
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
        problem = explain_unknown(text, home, self.agent.templates(self.language), lists, context)
        if problem is not None:
            return self.fail(problem, intent.IntentResponseErrorCode.NO_VALID_TARGETS)
        if mentions_sensitive(text, home, self.agent.guard.policy, self.language):
            # Home Assistant's agent would run it without asking: never hand it over.
            return self.fail(
                self.say("not_understood"), intent.IntentResponseErrorCode.NO_INTENT_MATCH
            )
        response = await self.ask_home_assistant(normalize(text, self.language))
        if response.response_type is intent.IntentResponseType.ERROR and response.error_code in (
            intent.IntentResponseErrorCode.NO_INTENT_MATCH,
            intent.IntentResponseErrorCode.NO_VALID_TARGETS,
        ):
            # Its "no device called <half the sentence>" only means it did not understand
            # either: the resident hears one clear answer in the station's language.
            return self.fail(
                self.say("not_understood"), intent.IntentResponseErrorCode.NO_INTENT_MATCH
            )
        self.response = response
        return response

    async def ask_home_assistant(self, text: str) -> intent.IntentResponse:
        """Home Assistant's built-in agent's response to `text`."""
        self.handed_over = True
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
            # real examples from the room's own devices, in the station's language
            said = help_examples(home, self.language, agent.station_area_id)
            area = home.area(agent.station_area_id)
            if area is not None:
                return self.answer(self.say("help_room", area=area.name, examples=said))
            return self.answer(self.say("help", examples=said))
        if name in ("Confirm", "Cancel"):
            return self.answer(self.say("nothing_to_confirm"))
        if name == "BrightnessStep":
            return await self.brightness_step(understood, home)
        # DeviceState ("车库门关了吗") is answered by answer_question before intents are matched
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
        self.acted = True
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
            # say_time is the whole sentence ("It is 2:15 PM."), said once
            return self.answer(say_time(dt_util.now(), self.language))
        if name == "HassGetCurrentDate":
            return self.answer(say_date(dt_util.now().date(), self.language))
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
            if speech_of(answered):
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
        self.acted = changing
        done = done_sentence(understood, targets, home, self.language)
        if done is not None:
            response.async_set_speech(done)
        return response

    async def run_command(self, command: Command, home: Home, text: str) -> intent.IntentResponse:
        """A command understood here, end to end: held if sensitive, else run and answered."""
        for call in command.calls:
            for entity in call.entities:
                state = self.hass.states.get(entity.entity_id)
                if state is None or state.state == STATE_UNAVAILABLE:
                    return self.fail(
                        unavailable_sentence(entity, home, self.language),
                        intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
                    )
        guard = self.agent.guard
        for call in command.calls:
            for entity in call.entities:
                action = SensitiveAction(
                    call.domain,
                    call.service,
                    entity.entity_id,
                    entity.name,
                    entity.device_class,
                    dict(call.data),
                )
                challenge = guard.request(self.conversation_id, self.origin, action, text)
                if challenge.kind is ChallengeKind.NOT_SENSITIVE:
                    continue
                if challenge.kind is ChallengeKind.CONFIRM:
                    self.continue_conversation = True
                    self.agent.schedule_expiry(challenge.expires_at, self.language)
                return self.answer(speech(challenge, self.language) or self.say("not_understood"))
        try:
            for call in command.calls:
                await self.hass.services.async_call(
                    call.domain,
                    call.service,
                    {ATTR_ENTITY_ID: [e.entity_id for e in call.entities], **call.data},
                    blocking=True,
                    context=self.user_input.context,
                )
        except HomeAssistantError as err:
            LOGGER.debug("%s failed: %s", command.action, err)
            return self.fail(
                self.say("failed", target=command.target),
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
            )
        self.acted = True
        return self.answer(done_answer(command, self.language))

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
                self.agent.schedule_expiry(challenge.expires_at, self.language)
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
        self.acted = True
        return self.answer(confirmed_sentence(action, self.language))


def speech_of(response: intent.IntentResponse) -> str:
    return str(response.speech.get("plain", {}).get("speech") or "")

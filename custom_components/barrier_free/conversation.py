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
import dataclasses
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial
from typing import Any, Literal

import voluptuous as vol
from homeassistant.components import conversation, websocket_api
from homeassistant.components.conversation.const import DATA_COMPONENT as CONVERSATION_COMPONENT
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import (
    async_response,
    require_admin,
    websocket_command,
)
from homeassistant.const import MATCH_ALL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import intent
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
from homeassistant.util import ulid as ulid_util

from .alert_stations import async_alert_reply
from .client import StationError
from .const import (
    CONF_AREAS,
    CONF_EXTRA_PHRASES,
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
from .conversation_turn import Turn, speech_of
from .data import BarrierFreeConfigEntry
from .entity import BarrierFreeEntity
from .home_snapshot import async_build_home
from .logic.alert_words import phrases as alert_phrases
from .logic.confirm_sensitive import (
    Outcome,
    SensitiveGuard,
    SensitivePolicy,
    speech,
)
from .logic.extra_phrases import extras_from_options, target_of
from .logic.home import Home, in_language
from .logic.languages import LANGUAGES, station_language
from .logic.meaning import Meaning, meaning_of
from .logic.pin import PinHash
from .logic.questions import States
from .logic.scene_model import phrase_key
from .logic.scene_run import scene_phrases
from .logic.speech_settings import change_voice
from .logic.spoken import say
from .logic.templates import Templates, load_templates
from .scene_runner import async_household_scenes

PARALLEL_UPDATES = 0
_MEANING_REGISTERED = f"{DOMAIN}_meaning_command"
_TYPED = "typed"  # origin of text that came with neither device nor satellite


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BarrierFreeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One agent per station."""
    if not hass.data.get(_MEANING_REGISTERED):
        hass.data[_MEANING_REGISTERED] = True
        websocket_api.async_register_command(hass, websocket_meaning)
    entry.runtime_data.agent = BarrierFreeAgent(hass, entry)
    async_add_entities([entry.runtime_data.agent])


_MEANING_SCHEMA: dict[Any, Any] = {
    vol.Required("type"): f"{DOMAIN}/meaning",
    vol.Required("agent_id"): str,
    vol.Required("text"): str,
    vol.Optional("language"): str,
}


@websocket_command(_MEANING_SCHEMA)
@require_admin
@async_response
async def websocket_meaning(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """What a station's agent understands a sentence to ask for, without doing it (the
    showroom tour checks with it that a differently worded transcript means the same)."""
    agent = hass.data[CONVERSATION_COMPONENT].get_entity(msg["agent_id"])
    if not isinstance(agent, BarrierFreeAgent):
        connection.send_error(msg["id"], "not_found", f"{msg['agent_id']} is not a station agent")
        return
    meaning = await agent.async_meaning(msg["text"], msg.get("language"))
    connection.send_result(msg["id"], {"meaning": list(meaning) if meaning else None})


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
            lockout=entry.runtime_data.lockout.record,
        )
        self.last_answers: dict[str, str] = {}
        # Replies to the guard are taken one at a time: a PIN is checked in an executor
        # (PBKDF2, tens of ms) and the guard is not safe to enter meanwhile.
        self.guard_lock = asyncio.Lock()
        self._templates: dict[str, Templates] = {}
        self._expiry_timers: list[Callable[[], None]] = []

    # -- Home Assistant entity API

    @property
    def supported_languages(self) -> list[str] | Literal["*"]:
        """Any: a request in Mandarin or English is answered in it, anything else in the
        station's language."""
        return MATCH_ALL

    @property
    def language(self) -> str:
        """The station's language ("zh" or "en"): announcements, and requests in a language
        this agent has no tables for."""
        return str(self._entry.options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE))

    def language_of(self, tag: str | None) -> str:
        """The language a request is understood and answered in: its own when it is one of
        ours ("zh-Hans", "zh-CN" → "zh"; "en-US" → "en"), else the station's."""
        code = station_language(tag or "")
        return code if code in LANGUAGES else self.language

    @property
    def station_area_id(self) -> str | None:
        """The room the station stands in: its device's area in Home Assistant (moving the
        device in the UI is all an installer does), else the first area it serves."""
        device_id = self.registry_entry.device_id if self.registry_entry else None
        device = dr.async_get(self.hass).async_get(device_id) if device_id else None
        if device is not None and device.area_id is not None:
            return device.area_id
        areas = self._entry.options.get(CONF_AREAS) or []
        return str(areas[0]) if areas else None

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(self._cancel_timers)
        await self.async_prepare()

    async def async_prepare(self, language: str | None = None) -> None:
        """Load a language's sentence templates (files) outside the event loop, once."""
        language = language or self.language
        if language not in self._templates:
            self._templates[language] = await self.hass.async_add_executor_job(
                load_templates, language
            )

    @callback
    def home(self, language: str | None = None) -> Home:
        """The home as this station sees it, now; named as residents say it in `language`."""
        home = async_build_home(
            self.hass,
            self._entry.options.get(CONF_AREAS) or [],
            self._entry.options.get(CONF_SENSITIVE_ENTITIES, []),
        )
        return in_language(home, language) if language is not None else home

    def extra_target(self, text: str, language: str) -> str | None:
        """The phrase `text` stands for when it is one of the household's extras."""
        extras = extras_from_options(self._entry.options.get(CONF_EXTRA_PHRASES))
        return target_of(text, extras, language)

    async def async_process(
        self, user_input: conversation.ConversationInput
    ) -> conversation.ConversationResult:
        """Answer one utterance."""
        language = self.language_of(user_input.language)
        await self.async_prepare(language)
        heard = user_input.text
        if (target := self.extra_target(heard, language)) is not None:
            # The installer's extra phrase is its target from here on: the guard, scenes and
            # alerts see the target, so a sensitive one is confirmed like the original.
            user_input = dataclasses.replace(user_input, text=target)
        conversation_id = user_input.conversation_id or ulid_util.ulid_now()
        origin = user_input.device_id or user_input.satellite_id or _TYPED
        # "got it", "any alerts", "救命" come before anything else, a pending question too.
        alert_answer = async_alert_reply(
            self.hass, user_input.text, language, self._entry, self.station_area_id
        )
        if alert_answer is not None:
            answered = intent.IntentResponse(language=user_input.language)
            answered.async_set_speech(alert_answer)
            self.last_answers[origin] = alert_answer
            return conversation.ConversationResult(
                response=answered, conversation_id=conversation_id
            )
        turn = Turn(self, user_input, conversation_id, origin, language)
        showroom = self._entry.runtime_data.showroom
        if showroom is not None:
            showroom.async_heard()
        shown = await showroom.async_answer(user_input.text, language) if showroom else None
        if shown is not None:
            response = turn.answer(shown[0])
            turn.acted = shown[1]
        else:
            response = await turn.run()
        await self.async_sync_digits()
        if not speech_of(response):
            # every turn is answered aloud, even one Home Assistant gave no sentence for
            failed = response.response_type is intent.IntentResponseType.ERROR
            response.async_set_speech(say("not_understood" if failed else "done", language))
        text = speech_of(response)
        if text and turn.remember:
            self.last_answers[origin] = text
        if (activity := self._entry.runtime_data.activity) is not None:
            understood = not (
                response.response_type is intent.IntentResponseType.ERROR
                and response.error_code is intent.IntentResponseErrorCode.NO_INTENT_MATCH
            )
            activity.async_count(understood=understood, acted=turn.acted)
            activity.async_turn(heard, text, language, understood=understood)
        return conversation.ConversationResult(
            response=response,
            conversation_id=conversation_id,
            continue_conversation=turn.continue_conversation,
        )

    async def async_meaning(self, text: str, tag: str | None = None) -> Meaning | None:
        """What `text` asks for in the request language `tag`, without doing it (an extra
        phrase means what its target means)."""
        language = self.language_of(tag)
        await self.async_prepare(language)
        text = self.extra_target(text, language) or text
        home = self.home(language)
        return meaning_of(
            text,
            home,
            self._states(home),
            self.templates(language),
            language=language,
            station_area_id=self.station_area_id,
        )

    async def async_understood(self, texts: Iterable[str], tag: str) -> frozenset[str]:
        """Which of `texts` this agent understands by itself, the extras left aside: commands,
        questions, voice requests, replies, the household's scenes, alert sentences ("救命",
        "got it"). Checked in an executor: an installer's hundred lines are a lot of matching."""
        language = self.language_of(tag)
        await self.async_prepare(language)
        home = self.home(language)
        states = self._states(home)
        templates = self.templates(language)
        area_id = self.station_area_id
        scenes = await async_household_scenes(self.hass)
        said = {phrase_key(p) for p in (*scene_phrases(scenes, language), *alert_phrases(language))}

        def understood(text: str) -> bool:
            if phrase_key(text) in said:
                return True
            meaning = meaning_of(
                text, home, states, templates, language=language, station_area_id=area_id
            )
            return meaning is not None

        wanted = tuple(dict.fromkeys(texts))
        return await self.hass.async_add_executor_job(
            lambda: frozenset(text for text in wanted if understood(text))
        )

    def _states(self, home: Home) -> States:
        return {
            e.entity_id: (state.state, state.attributes)
            for e in home.entities
            if (state := self.hass.states.get(e.entity_id)) is not None
        }

    # -- for turns

    def templates(self, language: str) -> Templates:
        """The sentence templates of `language` (loaded by `async_prepare`)."""
        return self._templates[language]

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
    def schedule_expiry(self, expires_at: float | None, language: str | None = None) -> None:
        """Announce a confirmation that never came, once its time is up, in the language
        the question was asked in."""
        if expires_at is None:
            return
        delay = max(0.0, expires_at - dt_util.utcnow().timestamp()) + 0.5
        self._expiry_timers.append(
            async_call_later(self.hass, timedelta(seconds=delay), partial(self._expire, language))
        )

    async def async_sync_digits(self) -> None:
        """The station hears digit strings only while a PIN is being asked for.

        Awaited before the answer is returned, so the station has the change before it speaks
        the prompt (and the resident says the PIN). Allowed at other times, a reply such as
        "confirm" was heard as digits.
        """
        asked = self.guard.awaiting_pin and bool(self._entry.options.get(CONF_PIN))
        await self.connection.async_expect_digits(asked)

    @callback
    def _expire(self, language: str | None, _now: Any) -> None:
        language = language or self.language
        self._entry.async_create_background_task(
            self.hass, self.async_sync_digits(), f"{DOMAIN} digits after expiry"
        )
        for outcome in self.guard.expire():
            text = speech(outcome, language)
            if not text:
                continue
            self.last_answers = {key: text for key in self.last_answers}
            self._entry.async_create_background_task(
                self.hass,
                self.async_announce(text, language=language),
                f"{DOMAIN} expired confirmation",
            )

    async def async_announce(
        self, text: str, priority: str = "high", language: str | None = None
    ) -> None:
        """Say `text` on the station's speaker (later, if the station is away)."""
        await self.connection.async_announce(
            text, language or self.language, priority, chime="info"
        )

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

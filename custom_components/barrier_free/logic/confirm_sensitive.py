"""Confirmation (and PIN) before sensitive actions: one misheard sentence never opens the door.

Home Assistant's built-in agent unlocks "把大门打开" at once. Here an action that opens the home
to others (unlock a lock, disarm an alarm, open a garage door or gate, or any action on an entity
the installer listed) is held: the resident is asked to confirm by voice, then for the PIN if one
is set, each as a separate reply from the same conversation on the same station within a time
limit. Repeated wrong PINs lock voice access out for a while and ask the glue to notify the
household.

`SensitiveGuard` is plain, synchronous and deterministic: time comes from an injected clock, and
the guard never executes anything itself; it says what to do (`Outcome.kind`) and what to say
(`Outcome.speech_key` / `speech_params` for `spoken.say`). The wrong-PIN record is a
`pin.PinLockout` shared by every station's guard; the glue keeps it in Home Assistant's storage
so that no restart or reload lifts a lockout.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from .pin import Clock, PinHash, PinLockout
from .replies import contains_pin, is_confirmation, is_denial, spoken_digits
from .spoken import say, say_duration

__all__ = [
    "Challenge",
    "ChallengeKind",
    "Outcome",
    "OutcomeKind",
    "SensitiveAction",
    "SensitiveGuard",
    "SensitivePolicy",
    "speech",
]

# --- What is sensitive ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SensitiveAction:
    """A service call the agent is about to make, described for policy and for speech."""

    domain: str
    service: str
    entity_id: str
    name: str
    """The name the resident knows it by ("大门"), spoken in prompts."""
    device_class: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def speech_key(self) -> str:
        """The `spoken` key that describes this action ("action_unlock": "打开{target}")."""
        # Said as what will really happen: locking a listed lock is not "unlock".
        service = self.service
        if self.domain == "lock":
            return "action_lock" if service == "lock" else "action_unlock"
        if self.domain == "alarm_control_panel":
            return "action_disarm" if service == "alarm_disarm" else "action_generic"
        if service.startswith("close"):
            return "action_close"
        if self.domain in ("cover", "valve") or service.startswith("open"):
            return "action_open"
        if service == "turn_on":
            return "action_turn_on"
        if service == "turn_off":
            return "action_turn_off"
        return "action_generic"


# Services that open the home: per domain, and for covers only garage doors and gates.
_SENSITIVE_SERVICES: Final[Mapping[str, frozenset[str]]] = {
    "lock": frozenset({"unlock", "open"}),
    "alarm_control_panel": frozenset({"alarm_disarm"}),
    "cover": frozenset({"open_cover", "set_cover_position", "toggle"}),
}
_SENSITIVE_COVER_CLASSES: Final = frozenset({"garage", "gate", "door"})
# Intents of Home Assistant's agent and the service each ends up calling per domain.
_INTENT_SERVICES: Final[Mapping[tuple[str, str], str]] = {
    ("HassTurnOff", "lock"): "unlock",
    ("HassTurnOn", "lock"): "lock",
    ("HassTurnOn", "cover"): "open_cover",
    ("HassTurnOff", "cover"): "close_cover",
    ("HassSetPosition", "cover"): "set_cover_position",
    ("HassTurnOn", "alarm_control_panel"): "alarm_arm_away",
    ("HassTurnOff", "alarm_control_panel"): "alarm_disarm",
}


def service_for_intent(intent: str, domain: str) -> str | None:
    """The service Home Assistant calls for an intent on an entity of `domain`, if known."""
    return _INTENT_SERVICES.get((intent, domain))


@dataclass(frozen=True, slots=True)
class SensitivePolicy:
    """Which actions need confirmation. The installer can add entities (a gate on a switch)."""

    extra_entities: frozenset[str] = frozenset()
    """Any action on these entities is sensitive."""
    cover_device_classes: frozenset[str] = _SENSITIVE_COVER_CLASSES
    require_pin: bool = True
    """Ask for the PIN after the confirmation, when a PIN is set."""

    def is_sensitive(self, action: SensitiveAction) -> bool:
        """True if `action` must be confirmed before it runs."""
        if action.entity_id in self.extra_entities:
            return True
        services = _SENSITIVE_SERVICES.get(action.domain)
        if services is None or action.service not in services:
            return False
        if action.domain == "cover":
            if action.device_class not in self.cover_device_classes:
                return False
            if action.service == "set_cover_position":
                return float(action.data.get("position", 100)) > 0
        return True

    def sensitive_entities(self, entities: Iterable[tuple[str, str | None]]) -> list[str]:
        """Of (entity_id, device_class) pairs, those whose opening action is sensitive.

        The glue raises a repair issue when one of these is exposed to Home Assistant's own
        agent, which would run it without confirmation.
        """
        found: list[str] = []
        for entity_id, device_class in entities:
            domain = entity_id.partition(".")[0]
            if (
                entity_id in self.extra_entities
                or domain in ("lock", "alarm_control_panel")
                or (domain == "cover" and device_class in self.cover_device_classes)
            ):
                found.append(entity_id)
        return found


# --- The guard -----------------------------------------------------------------------------------


class ChallengeKind(StrEnum):
    """What `request` asks of the resident."""

    CONFIRM = "confirm"
    """Asked for spoken confirmation; the action waits."""
    NOT_SENSITIVE = "not_sensitive"
    """Run it now."""
    PIN_IN_COMMAND = "pin_in_command"
    """Refused: a PIN was said with the command."""
    LOCKED_OUT = "locked_out"
    """Refused: too many wrong PINs recently."""


@dataclass(frozen=True, slots=True)
class Challenge:
    """The answer to `request`: what happens next and what to say."""

    kind: ChallengeKind
    action: SensitiveAction
    speech_key: str | None
    speech_params: Mapping[str, Any] = field(default_factory=dict)
    expires_at: float | None = None


class OutcomeKind(StrEnum):
    """What a reply to a challenge led to."""

    EXECUTE = "execute"
    """Confirmed (and PIN right): run the action now."""
    PIN_REQUIRED = "pin_required"
    """Confirmed; now ask for the PIN."""
    DENIED = "denied"
    """The resident said no; nothing runs."""
    WRONG_PIN = "wrong_pin"
    """Wrong PIN; the resident may try again."""
    LOCKED_OUT = "locked_out"
    """Wrong PIN too often: nothing runs for a while, and `notify` is set."""
    EXPIRED = "expired"
    """The reply came too late; the action is cancelled."""
    OTHER_ORIGIN = "other_origin"
    """A reply from another station or conversation: refused, the challenge stays open."""
    NOT_AN_ANSWER = "not_an_answer"
    """The reply was neither yes, no nor a PIN: the action is cancelled, and the reply is to be
    handled as a new command."""
    NOTHING_PENDING = "nothing_pending"
    """No challenge is open: handle the reply as a normal command."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of `answer`."""

    kind: OutcomeKind
    action: SensitiveAction | None = None
    speech_key: str | None = None
    speech_params: Mapping[str, Any] = field(default_factory=dict)
    notify: bool = False
    """True once, when a lockout starts: the glue notifies the household."""


@dataclass(slots=True)
class _Pending:
    conversation_id: str
    station_id: str
    action: SensitiveAction
    expires_at: float
    awaiting_pin: bool = False


class SensitiveGuard:
    """Holds sensitive actions until confirmed. One per station; all share one `PinLockout`.

    Wrong PINs count across conversations and stations: a new conversation does not reset them.
    """

    def __init__(
        self,
        policy: SensitivePolicy | None = None,
        *,
        pin: PinHash | None = None,
        clock: Clock = time.monotonic,
        confirm_timeout: float = 20.0,
        pin_timeout: float = 30.0,
        lockout: PinLockout | None = None,
    ) -> None:
        self.policy = policy or SensitivePolicy()
        self._pin = pin
        self._clock = clock
        self.confirm_timeout = confirm_timeout
        self.pin_timeout = pin_timeout
        self.lockout = lockout or PinLockout(clock)
        self._pending: dict[tuple[str, str], _Pending] = {}

    # -- configuration

    def set_pin(self, pin: PinHash | None) -> None:
        """Set or remove the PIN (the options flow stores `PinHash.to_string()`).

        The household's lockout stays: a new PIN on one station does not lift it for others.
        """
        self._pin = pin

    @property
    def locked_out(self) -> bool:
        """True while voice access to sensitive actions is locked out."""
        return self.lockout.locked_out

    # -- the flow

    def request(
        self,
        conversation_id: str,
        station_id: str,
        action: SensitiveAction,
        command_text: str | None = None,
    ) -> Challenge:
        """The agent wants to run `action`; returns whether to run it or what to ask first."""
        if not self.policy.is_sensitive(action):
            return Challenge(ChallengeKind.NOT_SENSITIVE, action, None)
        params = {"target": action.name}
        if command_text is not None and contains_pin(command_text):
            self._pending.pop((conversation_id, station_id), None)
            return Challenge(ChallengeKind.PIN_IN_COMMAND, action, "pin_in_command")
        if self.locked_out:
            return Challenge(
                ChallengeKind.LOCKED_OUT,
                action,
                "still_locked_out",
                {"minutes": self._minutes_left()},
            )
        expires_at = self._clock() + self.confirm_timeout
        self._pending[(conversation_id, station_id)] = _Pending(
            conversation_id, station_id, action, expires_at
        )
        return Challenge(
            ChallengeKind.CONFIRM,
            action,
            "confirm_prompt",
            {"action_key": action.speech_key, **params},
            expires_at,
        )

    @property
    def awaiting_pin(self) -> bool:
        """True while some conversation is being asked for the PIN (and has time left): only
        then should the station hear digit strings."""
        now = self._clock()
        return any(p.awaiting_pin and now <= p.expires_at for p in self._pending.values())

    def pin_reply(self, conversation_id: str, station_id: str, text: str) -> str | None:
        """The digits of `text` if `answer` would check them against the PIN, else None.

        Checking a PIN derives a key (PBKDF2, tens of milliseconds): the glue does it with
        `pin_matches` in an executor and hands the verdict to `answer` as `pin_ok`.
        """
        pending = self._pending.get((conversation_id, station_id))
        if pending is None or not pending.awaiting_pin or self._pin is None:
            return None
        return spoken_digits(text)

    def pin_matches(self, digits: str) -> bool:
        """Whether `digits` is the PIN (reads only: safe from a worker thread)."""
        pin = self._pin
        return pin is not None and pin.matches(digits)

    def answer(
        self, conversation_id: str, station_id: str, text: str, *, pin_ok: bool | None = None
    ) -> Outcome:
        """A reply from a resident; tells whether the held action runs now.

        `pin_ok`: the verdict of `pin_matches` on this reply's digits, if already checked.
        """
        key = (conversation_id, station_id)
        pending = self._pending.get(key)
        if pending is None:
            others = [p for p in self._pending.values() if self._clock() <= p.expires_at]
            if others and _looks_like_answer(text):
                return Outcome(OutcomeKind.OTHER_ORIGIN, None, "answer_elsewhere")
            return Outcome(OutcomeKind.NOTHING_PENDING)
        action = pending.action
        params = {"action_key": action.speech_key, "target": action.name}
        if self._clock() > pending.expires_at:
            del self._pending[key]
            return Outcome(OutcomeKind.EXPIRED, action, "expired", params)
        if is_denial(text):
            del self._pending[key]
            return Outcome(OutcomeKind.DENIED, action, "cancelled", params)
        if not pending.awaiting_pin:
            return self._confirm(key, pending, text, params)
        return self._check_pin(key, pending, text, params, pin_ok)

    def expire(self) -> list[Outcome]:
        """Drop challenges whose time is up; the glue announces each ("刚才的操作已取消…")."""
        now = self._clock()
        expired = [key for key, p in self._pending.items() if now > p.expires_at]
        outcomes = []
        for key in expired:
            action = self._pending.pop(key).action
            outcomes.append(
                Outcome(
                    OutcomeKind.EXPIRED,
                    action,
                    "expired",
                    {"action_key": action.speech_key, "target": action.name},
                )
            )
        return outcomes

    def pending_for(self, conversation_id: str, station_id: str) -> SensitiveAction | None:
        """The action waiting for this conversation on this station, if any."""
        pending = self._pending.get((conversation_id, station_id))
        return None if pending is None else pending.action

    # -- steps

    def _confirm(
        self, key: tuple[str, str], pending: _Pending, text: str, params: dict[str, Any]
    ) -> Outcome:
        if not is_confirmation(text):
            del self._pending[key]
            return Outcome(OutcomeKind.NOT_AN_ANSWER, pending.action, None, params)
        if self._pin is None or not self.policy.require_pin:
            del self._pending[key]
            return Outcome(OutcomeKind.EXECUTE, pending.action, None, params)
        if self.locked_out:
            del self._pending[key]
            return Outcome(
                OutcomeKind.LOCKED_OUT,
                pending.action,
                "still_locked_out",
                {**params, "minutes": self._minutes_left()},
            )
        pending.awaiting_pin = True
        pending.expires_at = self._clock() + self.pin_timeout
        return Outcome(OutcomeKind.PIN_REQUIRED, pending.action, "pin_prompt", params)

    def _check_pin(
        self,
        key: tuple[str, str],
        pending: _Pending,
        text: str,
        params: dict[str, Any],
        pin_ok: bool | None,
    ) -> Outcome:
        assert self._pin is not None
        digits = spoken_digits(text)
        if digits is None:
            del self._pending[key]
            return Outcome(OutcomeKind.NOT_AN_ANSWER, pending.action, None, params)
        if self.locked_out:
            del self._pending[key]
            return Outcome(
                OutcomeKind.LOCKED_OUT,
                pending.action,
                "still_locked_out",
                {**params, "minutes": self._minutes_left()},
            )
        if pin_ok is None:
            pin_ok = self._pin.matches(digits)
        if pin_ok:
            self.lockout.record_right()
            del self._pending[key]
            return Outcome(OutcomeKind.EXECUTE, pending.action, None, params)
        if self.lockout.record_wrong():
            # Every open challenge falls: nothing sensitive may run during a lockout.
            self._pending.clear()
            return Outcome(
                OutcomeKind.LOCKED_OUT,
                pending.action,
                "locked_out",
                {**params, "minutes": self._minutes_left()},
                notify=True,
            )
        return Outcome(
            OutcomeKind.WRONG_PIN,
            pending.action,
            "wrong_pin",
            {**params, "remaining": self.lockout.remaining},
        )

    def _minutes_left(self) -> int:
        return self.lockout.minutes_left()


def speech(item: Challenge | Outcome, language: str) -> str | None:
    """What to say for a challenge or an outcome, in `language` (None: nothing to say here)."""
    if item.speech_key is None:
        return None
    params = dict(item.speech_params)
    if "minutes" in params:  # a lockout's time left, said in hours and minutes
        params["duration"] = say_duration(int(params.pop("minutes")), language)
    if "target" in params:
        target = say("target", language, device=params["target"])
        params["target"] = target
        params["action"] = say(str(params.pop("action_key")), language, target=target)
    return say(item.speech_key, language, **params)


def _looks_like_answer(text: str) -> bool:
    return is_confirmation(text) or is_denial(text) or spoken_digits(text) is not None

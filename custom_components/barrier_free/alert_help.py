"""Calls for help (issue 17): the lights turned on, the caregiver notified at each round of
the call until someone acknowledges, and the resident told, aloud, that the caregiver was
notified and when the call was acknowledged.

The caregiver is the household's `caregiver_notify` role: a notify entity
(`notify.send_message`) or a legacy notify service; a companion app's service gets an
"acknowledge" button whose press comes back as `mobile_app_notification_action`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback

from .const import LOGGER
from .logic.alert_words import HELP_ROLE
from .logic.languages import table_language

if TYPE_CHECKING:
    from .alerts import AlertManager
    from .logic.alerts import Alert

# Lights turned on when help is called (the flash lights are the flash alerts' own).
HELP_LIGHT_ROLES = (
    "entrance_light",
    "hallway_light",
    "living_room_light",
    "bedside_light",
    "path_lights",
)
# The acknowledgement button of a caregiver's phone notification (the companion app's
# actionable notifications) and the event its press fires.
ACK_ACTION = "BARRIER_FREE_ACK_"
ACTION_EVENT = "mobile_app_notification_action"
CAREGIVER = {"zh": "看护人", "en": "The caregiver"}

_HELP_NOTIFY = {
    "zh": ("紧急求助", "{time}，{place}。请尽快联系或前往。"),
    "en": ("Call for help", "Help was called {place} at {time}. Please call or go now."),
}
_ACK_TITLE = {"zh": "收到，我来处理", "en": "Got it, I'm on it"}
_HELP_SENT = {
    "zh": "已经在{time}通知看护人。",
    "en": "The caregiver was notified at {time}.",
}
_HELP_ANSWERED = {
    "zh": "{who}在{time}确认收到了求助。",
    "en": "{who} acknowledged the call for help at {time}.",
}


class HelpCalls:
    """What a call for help does besides being announced."""

    def __init__(self, hass: HomeAssistant, manager: AlertManager) -> None:
        self.hass = hass
        self._manager = manager
        self.notified: list[dict[str, Any]] = []  # caregiver notifications sent (diagnostics)
        self._remove_action: CALLBACK_TYPE | None = None

    @callback
    def start(self) -> None:
        self._remove_action = self.hass.bus.async_listen(ACTION_EVENT, self._phone_action)

    @callback
    def stop(self) -> None:
        if self._remove_action is not None:
            self._remove_action()
            self._remove_action = None

    @callback
    def _phone_action(self, event: Event[Any]) -> None:
        action = str(event.data.get("action") or "")
        if action.startswith(ACK_ACTION):
            self._manager.acknowledge(CAREGIVER["en"], action.removeprefix(ACK_ACTION))

    @callback
    def lights_on(self) -> None:
        bindings = self._manager.setup.bindings
        ids = list(dict.fromkeys(e for role in HELP_LIGHT_ROLES for e in bindings.get(role, ())))
        for domain, data in (("light", {"brightness_pct": 100}), ("switch", {})):
            mine = [e for e in ids if e.startswith(f"{domain}.")]
            if mine:
                self._manager.spawn(
                    self.hass.services.async_call(
                        domain, "turn_on", {ATTR_ENTITY_ID: mine, **data}, blocking=True
                    )
                )

    async def async_notify_caregiver(self, alert: Alert) -> None:
        """One round of notifications for `alert`; after the first, the stations say that the
        caregiver was notified."""
        manager = self._manager
        language = table_language(self.hass.config.language)
        title, body = _HELP_NOTIFY[language]
        when = manager.clock(alert.raised_at, language)
        message = body.format(place=_place(alert, language), time=when)
        sent = False
        for target in manager.setup.bindings.get(HELP_ROLE, ()):
            domain, _, name = target.partition(".")
            try:
                if self.hass.states.get(target) is not None:
                    await self.hass.services.async_call(
                        "notify",
                        "send_message",
                        {ATTR_ENTITY_ID: target, "title": title, "message": message},
                        blocking=True,
                    )
                elif domain == "notify" and self.hass.services.has_service("notify", name):
                    # The companion app shows a button; its press comes back as an event.
                    action = {"action": f"{ACK_ACTION}{alert.id}", "title": _ACK_TITLE[language]}
                    data = {"actions": [action], "tag": alert.id}
                    await self.hass.services.async_call(
                        "notify",
                        name,
                        {"title": title, "message": message, "data": data},
                        blocking=True,
                    )
                else:
                    LOGGER.warning("The caregiver's notification %s does not exist", target)
                    continue
            except Exception as err:
                LOGGER.warning("Could not notify the caregiver with %s: %s", target, err)
                continue
            sent = True
            self.notified.append({"alert": alert.id, "target": target, "message": message})
            manager.log(alert, f"caregiver notified with {target}")
        if sent and alert.said == 1:
            now = manager.now()
            await manager.send(
                lambda lang: _HELP_SENT[lang].format(time=manager.clock(now, lang)),
                f"{alert.id}-sent",
                "warning",
                "info",
            )

    @callback
    def answered(self, alert: Alert, by: str, at: float) -> None:
        """The call was acknowledged: every station says by whom and when."""
        manager = self._manager

        def text(language: str) -> str:
            who = CAREGIVER[language] if by == CAREGIVER["en"] else by
            return _HELP_ANSWERED[language].format(who=who, time=manager.clock(at, language))

        manager.spawn(manager.send(text, f"{alert.id}-answered", "warning", "info"))


def _place(alert: Alert, language: str) -> str:
    device = alert.device or ""
    room = alert.room or ""
    if language == "zh":
        if device:
            return f"有人用{room + '的' if room else ''}{device}呼叫求助"
        return f"有人在{room or '家里'}呼叫求助"
    where = f" in the {room}" if room else ""
    return f"with the {device}{where}" if device else where.strip() or "at home"

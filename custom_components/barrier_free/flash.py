"""Light-flash alerts for deaf and hard-of-hearing residents (issue 17 item 3).

Home Assistant glue: the pattern of each kind is `logic.flash_patterns`, the exact restore call
`logic.light_restore`, who flashes a shared light `logic.flash_sharing`. Here: run a pattern as a
cancellable task, remember each light as it was before the first alert, watch for the resident
switching a light (a state change that is not from one of our calls), notify the household.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Final

import voluptuous as vol
from homeassistant.components import persistent_notification
from homeassistant.const import (
    ATTR_ENTITY_ID,
    EVENT_HOMEASSISTANT_STOP,
    EVENT_STATE_CHANGED,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
    split_entity_id,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, LOGGER
from .logic.flash_notice import flash_notice
from .logic.flash_patterns import (
    FlashPattern,
    FlashStep,
    LightCall,
    pattern_for,
    priority_rank,
    step_call,
)
from .logic.flash_sharing import SharedLights
from .logic.light_restore import restore_call

type FlashClock = Callable[[float], Awaitable[None]]
"""Waits a step's seconds; tests pass one that they advance step by step."""

FLASH_ALERTS: Final[HassKey[FlashAlerts]] = HassKey(f"{DOMAIN}_flash_alerts")
# What the resident can see change; a light that only reports, say, its power is not "switched".
_SEEN: Final = (
    "brightness",
    "color_mode",
    "hs_color",
    "rgb_color",
    "xy_color",
    "color_temp_kelvin",
    "effect",
)
_RECENT_CONTEXTS: Final = 512
CALL_TIMEOUT = 5.0  # seconds a lamp may take to answer one call


async def async_flash_alert(
    hass: HomeAssistant, alert_id: str, kind: str, priority: str, entity_ids: Sequence[str]
) -> None:
    """Flash `entity_ids` in the pattern of `kind`, repeated as `priority` asks, then restore them.

    Returns once the pattern has started; it runs as a task. kind: doorbell, door_open,
    window_open, leak, smoke, gas, low_battery, appliance_done, help, alarm, announcement;
    priority: alarm | warning | info (ValueError otherwise). A second alert over the same lights:
    the higher priority flashes, one restore at the end. The same alert_id again restarts its
    pattern without restoring in between.
    """
    await flash_alerts(hass).async_start(alert_id, kind, priority, entity_ids)


async def async_stop_flash(hass: HomeAssistant, alert_id: str) -> None:
    """Stop alert `alert_id` (acknowledged or expired); returns once its lights are back.
    An unknown or finished alert: nothing to do."""
    if (alerts := hass.data.get(FLASH_ALERTS)) is not None:
        await alerts.async_stop(alert_id)


@callback
def flash_alerts(hass: HomeAssistant, clock: FlashClock | None = None) -> FlashAlerts:
    """The household's flash alerts (one per Home Assistant); `clock` only when creating."""
    if (alerts := hass.data.get(FLASH_ALERTS)) is None:
        alerts = hass.data[FLASH_ALERTS] = FlashAlerts(hass, clock or asyncio.sleep)
    return alerts


@dataclass(slots=True)
class _Alert:
    alert_id: str
    pattern: FlashPattern
    lights: tuple[str, ...]
    task: asyncio.Task[None] | None = None
    failed: set[str] = field(default_factory=set)  # reported once, not called again
    restarted: bool = False  # the same alert started again: hand the lights over, no restore


class FlashAlerts:
    """Every running flash alert of the household, and the lights they share."""

    def __init__(self, hass: HomeAssistant, clock: FlashClock) -> None:
        self._hass = hass
        self._clock = clock
        self._shared = SharedLights()
        self._alerts: dict[str, _Alert] = {}
        self._before: dict[str, State] = {}  # each flashed light before the first alert
        self._ours: deque[str] = deque(maxlen=_RECENT_CONTEXTS)  # contexts of our own calls
        self._unlisten: CALLBACK_TYPE | None = None
        # A restart in the middle of an alarm must not leave the home flashing red: put the
        # lights back while the light integrations are still there.
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._async_stop_all)

    async def async_start(
        self, alert_id: str, kind: str, priority: str, entity_ids: Sequence[str]
    ) -> None:
        pattern = pattern_for(kind, priority)
        lights = tuple(dict.fromkeys(e for e in entity_ids if self._flashable(e)))
        if (old := self._alerts.get(alert_id)) is not None:
            old.restarted = True
            await self._cancel(old)
        for light in lights:
            if light not in self._before and (state := self._hass.states.get(light)):
                self._before[light] = state
        unwanted = self._shared.claim(alert_id, priority_rank(priority), lights)
        alert = self._alerts[alert_id] = _Alert(alert_id, pattern, lights)
        if self._unlisten is None:
            self._unlisten = self._hass.bus.async_listen(
                EVENT_STATE_CHANGED, self._state_changed, event_filter=self._flashed
            )
        alert.task = self._hass.async_create_background_task(
            self._run(alert), f"{DOMAIN} flash {alert_id}"
        )
        self._notify(alert)
        await self._restore(unwanted)

    async def async_stop(self, alert_id: str) -> None:
        if (alert := self._alerts.get(alert_id)) is not None:
            await self._cancel(alert)

    async def _async_stop_all(self, _: Event) -> None:
        await asyncio.gather(*(self._cancel(alert) for alert in list(self._alerts.values())))

    async def async_wait(self, alert_id: str) -> None:
        """Until alert `alert_id` has flashed its whole pattern and its lights are back."""
        if (alert := self._alerts.get(alert_id)) is not None and alert.task is not None:
            await asyncio.wait([alert.task])

    @callback
    def _flashable(self, entity_id: str) -> bool:
        # Lights only: rapidly switching a plug could be switching a heater.
        state = self._hass.states.get(entity_id)
        if split_entity_id(entity_id)[0] != "light":
            LOGGER.warning("Light alert: %s is not a light; not flashed", entity_id)
            return False
        if state is None:
            LOGGER.warning("Light alert: %s does not exist; not flashed", entity_id)
            return False
        if state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            # Unknown: there is no state to restore it to afterwards.
            LOGGER.debug("Light alert: %s is %s; skipped", entity_id, state.state)
            return False
        return True

    async def _cancel(self, alert: _Alert) -> None:
        if alert.task is not None:
            alert.task.cancel()
            await asyncio.wait([alert.task])

    async def _run(self, alert: _Alert) -> None:
        try:
            for step in alert.pattern.steps:
                await self._show(alert, step)
                await self._clock(step.seconds)
        finally:
            if not alert.restarted:
                if self._alerts.get(alert.alert_id) is alert:
                    del self._alerts[alert.alert_id]
                await self._restore(self._shared.release(alert.alert_id))

    async def _show(self, alert: _Alert, step: FlashStep) -> None:
        context = self._context()
        calls = []
        for light in alert.lights:
            state = self._hass.states.get(light)
            if (
                light in alert.failed
                or self._shared.owner(light) != alert.alert_id
                or state is None
                or state.state == STATE_UNAVAILABLE
            ):
                continue
            modes: Collection[str] = state.attributes.get("supported_color_modes") or ()
            calls.append(self._flash(alert, light, step, modes, context))
        await asyncio.gather(*calls)

    async def _flash(
        self,
        alert: _Alert,
        light: str,
        step: FlashStep,
        modes: Collection[str],
        context: Context,
    ) -> None:
        try:
            await self._call(light, step_call(step, modes), context)
        except (HomeAssistantError, vol.Invalid, TimeoutError) as err:
            LOGGER.warning(
                "Light alert %s: %s failed (%s); not flashed",
                alert.alert_id,
                light,
                str(err) or "no answer",
            )
            alert.failed.add(light)
            await self._restore(self._shared.release(alert.alert_id, light), quiet=True)

    async def _restore(self, lights: Collection[str], *, quiet: bool = False) -> None:
        context = self._context()
        calls = []
        for light in lights:
            before = self._before.pop(light, None)
            if before is not None:
                calls.append(self._put_back(light, before, context, quiet))
        await asyncio.gather(*calls)
        if not self._before and self._unlisten is not None:
            self._unlisten()
            self._unlisten = None

    async def _put_back(self, light: str, before: State, context: Context, quiet: bool) -> None:
        try:
            await self._call(light, restore_call(before.state, before.attributes), context)
        except (HomeAssistantError, vol.Invalid, TimeoutError) as err:
            # A light that already failed during the flash has been reported once.
            (LOGGER.debug if quiet else LOGGER.warning)(
                "Light alert: could not restore %s (%s)", light, err
            )

    async def _call(self, light: str, call: LightCall, context: Context) -> None:
        # Bounded: one lamp that never answers must not hold the pattern of all the others.
        async with asyncio.timeout(CALL_TIMEOUT):
            await self._hass.services.async_call(
                "light",
                call.service,
                {ATTR_ENTITY_ID: light, **call.data},
                blocking=True,
                context=context,
            )

    @callback
    def _context(self) -> Context:
        context = Context()
        self._ours.append(context.id)
        return context

    @callback
    def _flashed(self, data: EventStateChangedData) -> bool:
        return data["entity_id"] in self._before

    @callback
    def _state_changed(self, event: Event[EventStateChangedData]) -> None:
        light = event.data["entity_id"]
        old, new = event.data["old_state"], event.data["new_state"]
        if light not in self._before or event.context.id in self._ours:
            return
        if old is not None and new is not None and _looks_same(old, new):
            return
        # The resident's choice stands: no alert flashes this light again, nothing restores it.
        LOGGER.debug("Light alert: %s was switched by someone; left as it is", light)
        self._shared.resident_took(light)
        del self._before[light]

    @callback
    def _notify(self, alert: _Alert) -> None:
        names = [s.name for light in alert.lights if (s := self._hass.states.get(light))]
        title, message = flash_notice(alert.pattern.kind, names, self._hass.config.language)
        persistent_notification.async_create(
            self._hass, message, title=title, notification_id=f"{DOMAIN}_flash_{alert.alert_id}"
        )


def _looks_same(old: State, new: State) -> bool:
    return old.state == new.state and all(
        old.attributes.get(key) == new.attributes.get(key) for key in _SEEN
    )

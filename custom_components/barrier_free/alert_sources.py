"""Where alerts come from (issue 17): the entities bound to the household's roles and the
battery sensors of their devices.

`AlertSources` follows the household record: whenever the bindings change it watches the new
set of entities. Each state change is asked of `logic.alert_events` (a press, a sensor turning
on, a door left open, a condition over, a low battery) and handed to the `AlertManager`; a
"left open" kind first waits its minutes (the profile's `after_minutes`, 5 by default).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later, async_track_state_change_event

from .logic.alert_events import ROLE_EVENTS, battery_low, change_of

if TYPE_CHECKING:
    from .alerts import AlertManager
    from .household_setup import HouseholdSetup

DEFAULT_LEFT_OPEN_MINUTES = 5


class AlertSources:
    """Watches the bound entities and turns their state changes into alert events."""

    def __init__(self, hass: HomeAssistant, manager: AlertManager) -> None:
        self.hass = hass
        self._manager = manager
        self._watch: CALLBACK_TYPE | None = None
        self.timers: dict[tuple[str, str], CALLBACK_TYPE] = {}  # (kind, entity) -> its wait
        self._roles: dict[str, str] = {}  # entity id -> role
        self._battery: set[str] = set()

    @callback
    def follow(self, setup: HouseholdSetup) -> None:
        """Watch the entities the household's bindings name now."""
        roles: dict[str, str] = {}
        for role in ROLE_EVENTS:
            for entity_id in setup.bindings.get(role, ()):
                roles.setdefault(entity_id, role)
        self._roles = roles
        self._battery = self._battery_entities(e for ids in setup.bindings.values() for e in ids)
        if self._watch is not None:
            self._watch()
        self._watch = async_track_state_change_event(
            self.hass, sorted({*roles, *self._battery}), self._state_changed
        )

    @callback
    def stop(self) -> None:
        for cancel in (self._watch, *self.timers.values()):
            if cancel is not None:
                cancel()
        self.timers.clear()
        self._watch = None

    def _battery_entities(self, bound: Iterable[str]) -> set[str]:
        """Battery sensors of the devices of bound entities (a low battery has no role)."""
        registry = er.async_get(self.hass)
        devices = {
            entry.device_id
            for entity_id in set(bound)
            if (entry := registry.async_get(entity_id)) is not None and entry.device_id
        }
        found: set[str] = set()
        for device_id in devices:
            for entry in er.async_entries_for_device(registry, device_id):
                device_class = entry.device_class or entry.original_device_class
                if entry.domain in ("sensor", "binary_sensor") and device_class == "battery":
                    found.add(entry.entity_id)
        return found

    @callback
    def _state_changed(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        old, new = event.data["old_state"], event.data["new_state"]
        domain = entity_id.partition(".")[0]
        if entity_id in self._battery:
            was = old is not None and battery_low(domain, old.state)
            if new is not None and battery_low(domain, new.state) and not was:
                self._manager.raise_event("low_battery", entity_id)
            return
        role = self._roles.get(entity_id)
        if role is None or new is None:
            return
        change = change_of(role, domain, old.state if old else None, new.state)
        if change is None:
            return
        what, kind = change
        if what == "raise":
            self._manager.raise_event(kind, entity_id)
        elif what == "start":
            self._start_waiting(kind, entity_id)
        else:
            if (cancel := self.timers.pop((kind, entity_id), None)) is not None:
                cancel()
            self._manager.condition_over(kind, entity_id)

    @callback
    def _start_waiting(self, kind: str, entity_id: str) -> None:
        wanted = self._manager.announcements.get(kind)
        minutes = (
            wanted.after_minutes if wanted and wanted.after_minutes else DEFAULT_LEFT_OPEN_MINUTES
        )
        key = (kind, entity_id)
        if key in self.timers:
            return

        @callback
        def left_open(_now: datetime) -> None:
            self.timers.pop(key, None)
            self._manager.raise_event(kind, entity_id, minutes=minutes)

        self.timers[key] = async_call_later(self.hass, minutes * self._manager.minute, left_open)

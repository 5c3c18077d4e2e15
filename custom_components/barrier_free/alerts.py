"""Alerts glue (issue 17): state changes of bound entities become announcements on the stations.

One `AlertManager` per Home Assistant (the household has one set of bindings however many
stations it has), started with the first station entry and stopped with the last. It listens
to the entities bound to the household's roles, asks `logic.alerts` what a change means, and
sends what is due to each station in its own language; repeats, quiet hours and
acknowledgement are decided by `logic.alerts.AlertBook`. Help calls also turn the lights on
and notify the caregiver, again at each repeat, until someone acknowledges. Every step is
written to the logbook. The open alerts are kept in a `Store`: after a restart an alarm still
unacknowledged is said again, and what expired meanwhile is logged and dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.logbook import async_log_entry
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, ATTR_FRIENDLY_NAME
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later, async_track_state_change_event
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from . import flash
from .client import StationError
from .const import (
    CONF_AREAS,
    CONF_LANGUAGE,
    CONF_QUIET_END,
    CONF_QUIET_START,
    DEFAULT_LANGUAGE,
    DOMAIN,
    LOGGER,
)
from .data import BarrierFreeConfigEntry
from .household_setup import HouseholdSetup, async_get_household
from .logic import alerts as logic
from .logic.alerts import ALARM, KINDS, Alert, AlertBook, QuietHours
from .logic.languages import LANGUAGES, table_language
from .logic.scene_model import Announcement
from .logic.scene_run import scene_for_text
from .scene_runner import async_get_library

DATA: HassKey[AlertManager] = HassKey(f"{DOMAIN}_alerts")
# Lights turned on when help is called (the flash lights are the flash alerts' own).
HELP_LIGHT_ROLES = (
    "entrance_light",
    "hallway_light",
    "living_room_light",
    "bedside_light",
    "path_lights",
)
FORGET_AFTER = 7 * 24 * 3600.0  # seconds: closed alerts older than this leave the book
LOW_BATTERY_EVERY = 24 * 3600.0  # a low battery is announced once a day per device
STORAGE_VERSION = 1
STORAGE_KEY = f"{DOMAIN}.alerts"
SAVE_DELAY = 1.0  # seconds: changes close together are written once

_HELP_NOTIFY = {
    "zh": ("紧急求助", "{time}，{place}。请尽快联系或前往。"),
    "en": ("Call for help", "Help was called {place} at {time}. Please call or go now."),
}
# The acknowledgement button of a caregiver's phone notification (the companion app's
# actionable notifications) and the event its press fires.
ACK_ACTION = "BARRIER_FREE_ACK_"
ACTION_EVENT = "mobile_app_notification_action"
_ACK_TITLE = {"zh": "收到，我来处理", "en": "Got it, I'm on it"}
_CAREGIVER = {"zh": "看护人", "en": "The caregiver"}
_HELP_SENT = {
    "zh": "已经在{time}通知看护人。",
    "en": "The caregiver was notified at {time}.",
}
_HELP_ANSWERED = {
    "zh": "{who}在{time}确认收到了求助。",
    "en": "{who} acknowledged the call for help at {time}.",
}
_REPLIES = {
    "zh": {
        "acknowledged": "好的，{count}条提醒已确认。",
        "nothing": "现在没有需要确认的提醒。",
        "help": "已经发出求助，正在通知看护人。",
        "help_waits": "求助要等看护人确认。",
    },
    "en": {
        "acknowledged": "OK, {count} acknowledged.",
        "nothing": "There is no alert to acknowledge.",
        "help": "Help is called; the caregiver is being notified.",
        "help_waits": " The call for help stays until the caregiver acknowledges it.",
    },
}


@dataclass(frozen=True, slots=True)
class Station:
    """A loaded station entry as alerts see it."""

    entry: BarrierFreeConfigEntry
    language: str
    area_id: str | None
    device_id: str | None

    @property
    def name(self) -> str:
        return self.entry.runtime_data.info.name


class AlertManager:
    """The household's alerts: watching, deciding (`AlertBook`), announcing, acknowledging."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.book = AlertBook()
        self.minute = 60.0  # seconds per "left open" minute (tests make it short)
        self.setup = HouseholdSetup()
        self.announcements: Mapping[str, Announcement] = {}
        self._watch: CALLBACK_TYPE | None = None
        self._remove_household: CALLBACK_TYPE | None = None
        self._remove_action: CALLBACK_TYPE | None = None
        self._timers: dict[tuple[str, str], CALLBACK_TYPE] = {}
        self._wakeup: CALLBACK_TYPE | None = None
        self._roles: dict[str, str] = {}  # entity id -> role
        self._battery: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.notified: list[dict[str, Any]] = []  # caregiver notifications sent (diagnostics)
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)

    # ----- lifecycle -------------------------------------------------------------------

    async def async_start(self) -> None:
        await self._async_restore()
        household = await async_get_household(self.hass)
        self._library = await async_get_library(self.hass)  # the scenes' own, loaded once
        self._remove_household = household.async_add_listener(self._household_changed)
        self._remove_action = self.hass.bus.async_listen(ACTION_EVENT, self._phone_action)
        self._household_changed(household.setup)

    async def _async_restore(self) -> None:
        """The alerts open when Home Assistant stopped (said once a station is loaded)."""
        stored = await self._store.async_load()
        if stored is None:
            return
        try:
            self.book, expired = AlertBook.restore(stored, self._now(), self.book.policy)
        except ValueError as err:
            LOGGER.error("The saved alerts cannot be used (%s); starting without them", err)
            return
        for alert in expired:
            LOGGER.info(
                "Alert %s expired while Home Assistant was stopped: %s", alert.id, alert.text("en")
            )
            self._log(alert, "expired while Home Assistant was stopped")
        if expired:
            self._save()

    @callback
    def station_loaded(self) -> None:
        """A station is ready: what is due (restored after a restart) is said now."""
        if self.book.alerts:
            self._run_due()

    @callback
    def _save(self) -> None:
        self._store.async_delay_save(self.book.as_dict, SAVE_DELAY)

    @callback
    def _phone_action(self, event: Event[Any]) -> None:
        action = str(event.data.get("action") or "")
        if action.startswith(ACK_ACTION):
            self.acknowledge(_CAREGIVER["en"], action.removeprefix(ACK_ACTION))

    async def async_stop(self) -> None:
        for cancel in (
            self._watch,
            self._remove_household,
            self._remove_action,
            self._wakeup,
            *self._timers.values(),
        ):
            if cancel is not None:
                cancel()
        self._timers.clear()
        self._watch = self._remove_household = self._remove_action = self._wakeup = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._store.async_save(self.book.as_dict())

    @callback
    def _household_changed(self, setup: HouseholdSetup) -> None:
        self.setup = setup
        self.announcements = self._library.announcements(setup.profiles)
        roles: dict[str, str] = {}
        for role in logic.ROLE_EVENTS:
            for entity_id in setup.bindings.get(role, ()):
                roles.setdefault(entity_id, role)
        self._roles = roles
        self._battery = self._battery_entities({e for ids in setup.bindings.values() for e in ids})
        if self._watch is not None:
            self._watch()
        self._watch = async_track_state_change_event(
            self.hass, sorted({*roles, *self._battery}), self._state_changed
        )

    def _battery_entities(self, bound: set[str]) -> set[str]:
        """Battery sensors of the devices of bound entities (a low battery has no role)."""
        registry = er.async_get(self.hass)
        devices = {
            entry.device_id
            for entity_id in bound
            if (entry := registry.async_get(entity_id)) is not None and entry.device_id
        }
        found: set[str] = set()
        for device_id in devices:
            for entry in er.async_entries_for_device(registry, device_id):
                device_class = entry.device_class or entry.original_device_class
                if entry.domain in ("sensor", "binary_sensor") and device_class == "battery":
                    found.add(entry.entity_id)
        return found

    # ----- events ---------------------------------------------------------------------

    @callback
    def _state_changed(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        old, new = event.data["old_state"], event.data["new_state"]
        domain = entity_id.partition(".")[0]
        if entity_id in self._battery:
            was = old is not None and logic.battery_low(domain, old.state)
            if new is not None and logic.battery_low(domain, new.state) and not was:
                self.raise_event("low_battery", entity_id)
            return
        role = self._roles.get(entity_id)
        if role is None or new is None:
            return
        change = logic.change_of(role, domain, old.state if old else None, new.state)
        if change is None:
            return
        what, kind = change
        if what == "raise":
            self.raise_event(kind, entity_id)
        elif what == "start":
            self._start_waiting(kind, entity_id)
        else:
            self._end(kind, entity_id)

    @callback
    def _start_waiting(self, kind: str, entity_id: str) -> None:
        wanted = self.announcements.get(kind)
        minutes = wanted.after_minutes if wanted and wanted.after_minutes else 5
        key = (kind, entity_id)
        if key in self._timers:
            return

        @callback
        def left_open(_now: datetime) -> None:
            self._timers.pop(key, None)
            self.raise_event(kind, entity_id, minutes=minutes)

        self._timers[key] = async_call_later(self.hass, minutes * self.minute, left_open)

    @callback
    def _end(self, kind: str, entity_id: str) -> None:
        if (cancel := self._timers.pop((kind, entity_id), None)) is not None:
            cancel()
        for alert in self.book.end(kind, entity_id):
            self._stop_flash(alert)
        self._save()
        self._schedule()

    # ----- raising ----------------------------------------------------------------------

    @callback
    def raise_event(
        self,
        kind: str,
        entity_id: str | None,
        *,
        minutes: int = 0,
        room: str | None = None,
        station: str | None = None,
    ) -> Alert | None:
        """An event of `kind` from `entity_id`, or (None) from a station in `room`: said there,
        or with the help key of `station`. Announced as the household's profiles say (alarms
        always at least spoken)."""
        wanted = self.announcements.get(kind)
        how = wanted.how if wanted else ("speech" if KINDS[kind].priority == ALARM else None)
        if how is None:
            return None
        area, device = room, None
        if entity_id is not None:
            device, area = self._names(entity_id, of_device=kind == "low_battery")
        texts = {
            lang: logic.alert_text(kind, device, area, lang, minutes=minutes, station=station)
            for lang in LANGUAGES
        }
        alert = self.book.raise_alert(
            kind,
            texts,
            self._now(),
            source=entity_id or f"station:{station or 'voice'}:{room}",
            # a low battery once a day per device, however often it dips
            debounce=LOW_BATTERY_EVERY if kind == "low_battery" else None,
            device=device,
            room=area,
            speak=how in ("speech", "both"),
            flash=how in ("flash", "both"),
        )
        if alert is None:
            return None
        self._log(alert, f"raised: {alert.text('en')}")
        if alert.flash:
            self._flash(alert)
        if kind == "help_pressed":
            self._help_lights()
        self._run_due()
        return alert

    @callback
    def announce(
        self,
        texts: Mapping[str, str],
        *,
        priority: str,
        chime: str | None,
        expires_in: float | None,
        requires_ack: bool,
        visual: str | None,
        rooms: Iterable[str] = (),
        stations: Iterable[str] = (),
    ) -> Alert:
        """An announcement from an automation (`barrier_free.announce`)."""
        alert = self.book.raise_alert(
            "announcement",
            texts,
            self._now(),
            priority=priority,
            chime=chime,
            requires_ack=requires_ack,
            expires_in=expires_in,
            rooms=tuple(rooms),
            stations=tuple(stations),
            flash=visual is not None,
            visual=visual,
        )
        assert alert is not None  # only sourced alerts are debounced
        self._log(alert, f"raised: {alert.text('en')}")
        if alert.flash:
            self._flash(alert)
        self._run_due()
        return alert

    # ----- saying what is due ------------------------------------------------------------

    @callback
    def _run_due(self, _now: datetime | None = None) -> None:
        self._wakeup = None
        self.book.quiet = self._quiet_hours()
        local = dt_util.now()
        due, expired = self.book.due(self._now(), local.hour * 60 + local.minute)
        for alert in expired:
            LOGGER.info("Alert %s expired unsaid or unacknowledged: %s", alert.id, alert.text("en"))
            self._log(alert, "expired")
            self._stop_flash(alert)
        for alert in due:
            self._spawn(self._say(alert))
        self.book.forget(self._now() - FORGET_AFTER)
        self._save()
        self._schedule()

    @callback
    def _schedule(self) -> None:
        if self._wakeup is not None:
            self._wakeup()
            self._wakeup = None
        wakeup = self.book.next_wakeup()
        if wakeup is not None:
            self._wakeup = async_call_later(
                self.hass, max(0.0, wakeup - self._now()), self._run_due
            )

    async def _say(self, alert: Alert) -> None:
        """One round of an alert: every chosen station, and the caregiver for a help call."""
        if alert.speak:
            spoken = await self._send(
                alert.text, f"{alert.id}-{alert.said}", alert.priority, alert.chime, alert
            )
            if spoken:
                self._log(alert, f"spoken at {', '.join(spoken)} (time {alert.said})")
        if alert.kind == "help_pressed":
            # after the call for help is queued, so that "notified" is heard after it
            await self._notify_caregiver(alert)

    async def _send(
        self,
        text_of: Callable[[str], str],
        purpose: str,
        priority: str,
        chime: str | None,
        alert: Alert | None = None,
    ) -> list[str]:
        """Have each chosen station say its text; the names of those it went to (a station
        that is away gets it when it is back, unless it expired first: its name says so)."""
        expires_in = self._lifetime(alert)
        stations = self.stations(alert)
        sent = await asyncio.gather(
            *(
                self._send_one(
                    s, text_of(s.language), purpose, priority, chime, expires_in=expires_in
                )
                for s in stations
            )
        )
        return [name for name in sent if name]

    def _lifetime(self, alert: Alert | None) -> float | None:
        """How long an announcement may wait for a station that is away: a repeated alert
        until its next repeat (the repeat replaces it), else until the alert expires."""
        if alert is None:
            return None
        if alert.times_left > 0:
            return self.book.policy.interval(alert.priority)
        if alert.expires_at is not None:
            return max(1.0, alert.expires_at - self._now())
        return None

    async def _send_one(
        self,
        station: Station,
        text: str,
        purpose: str,
        priority: str,
        chime: str | None,
        *,
        expires_in: float | None,
    ) -> str | None:
        connection = station.entry.runtime_data.connection
        away = not connection.connected
        try:
            await connection.async_announce(
                text,
                station.language,
                logic.STATION_PRIORITY.get(priority, "normal"),
                chime,
                expires_in=expires_in,
                purpose=purpose,
            )
        except StationError as err:
            LOGGER.warning("Station %s could not announce %s: %s", station.name, text, err)
            return None
        return f"{station.name} (waiting: away)" if away else station.name

    def stations(self, alert: Alert | None = None) -> list[Station]:
        """The loaded stations an alert goes to (its rooms or stations; default every one)."""
        found = []
        devices = dr.async_get(self.hass)
        for entry in self.hass.config_entries.async_loaded_entries(DOMAIN):
            info = entry.runtime_data.info
            device = devices.async_get_device_by_identifier(
                (DOMAIN, info.station_id), entry.entry_id
            )
            areas = entry.options.get(CONF_AREAS) or []
            area_id = str(areas[0]) if areas else device.area_id if device else None
            station = Station(
                entry,
                table_language(str(entry.options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE))),
                area_id,
                device.id if device else None,
            )
            rooms = alert.rooms if alert else ()
            chosen = alert.stations if alert else ()
            if (rooms or chosen) and not (
                area_id in rooms or station.device_id in chosen or entry.entry_id in chosen
            ):
                continue
            found.append(station)
        return found

    # ----- help ------------------------------------------------------------------------

    @callback
    def _help_lights(self) -> None:
        ids = list(
            dict.fromkeys(e for role in HELP_LIGHT_ROLES for e in self.setup.bindings.get(role, ()))
        )
        for domain, data in (("light", {"brightness_pct": 100}), ("switch", {})):
            mine = [e for e in ids if e.startswith(f"{domain}.")]
            if mine:
                self._spawn(
                    self.hass.services.async_call(
                        domain, "turn_on", {ATTR_ENTITY_ID: mine, **data}, blocking=True
                    )
                )

    async def _notify_caregiver(self, alert: Alert) -> None:
        language = table_language(self.hass.config.language)
        title, body = _HELP_NOTIFY[language]
        place = self._place(alert, language)
        when = self._clock(alert.raised_at, language)
        message = body.format(place=place, time=when)
        sent = False
        for target in self.setup.bindings.get("caregiver_notify", ()):
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
            self._log(alert, f"caregiver notified with {target}")
        if sent and alert.said == 1:
            now = self._now()
            await self._send(
                lambda lang: _HELP_SENT[lang].format(time=self._clock(now, lang)),
                f"{alert.id}-sent",
                "warning",
                "info",
            )

    # ----- acknowledgement and questions -------------------------------------------------

    @callback
    def acknowledge(
        self, by: str, alert_id: str | None = None, *, keep: Iterable[str] = ()
    ) -> list[Alert]:
        done = self.book.acknowledge(by, self._now(), alert_id, keep=keep)
        at = self._now()

        def answered(language: str) -> str:
            who = _CAREGIVER[language] if by == _CAREGIVER["en"] else by
            return _HELP_ANSWERED[language].format(who=who, time=self._clock(at, language))

        for alert in done:
            self._log(alert, f"acknowledged by {by} at {self._clock(self._now(), 'en')}")
            self._stop_flash(alert)
            if alert.kind == "help_pressed":
                self._spawn(self._send(answered, f"{alert.id}-answered", "warning", "info"))
        if done:
            self._save()
        self._schedule()
        return done

    @callback
    def reply(self, text: str, language: str, station: str, room: str | None) -> str | None:
        """The answer to an alert sentence said at a station, or None for any other sentence."""
        command = logic.command_of(text, language)
        lang = table_language(language)
        if command is None and self._asks_help_scene(text, language):
            # The help scene's phrases ("救命", "我需要帮助") are one call for help, not the
            # call plus the scene: the call turns the lights on and notifies the caregiver
            # (once, then at each repeat), so the scene's own steps would do both twice.
            command = "help"
        if command is None:
            return None
        if command == "summary":
            return logic.summary(self.book.unacknowledged(), lang)
        if command == "help":
            self.raise_event("help_pressed", None, room=room)
            return _REPLIES[lang]["help"]
        return self.acknowledge_here(station, lang)

    @callback
    def acknowledge_here(self, station: str, language: str) -> str:
        """The resident's "got it" at `station` (said, or its acknowledge button): every open
        alert but a call for help, which waits for the caregiver (a confused "got it" must not
        cancel it). Returns what the station answers."""
        lang = table_language(language)
        done = self.acknowledge(station, keep=("help_pressed",))
        waiting = any(a.kind == "help_pressed" for a in self.book.unacknowledged())
        answer = (
            _REPLIES[lang]["acknowledged"].format(count=len(done))
            if done
            else _REPLIES[lang]["nothing"]
        )
        return f"{answer}{_REPLIES[lang]['help_waits']}" if waiting else answer

    def _asks_help_scene(self, text: str, language: str) -> bool:
        scene = scene_for_text(text, self._library.scenes_of(self.setup.profiles), language)
        return scene is not None and logic.is_help_scene(scene)

    # ----- small parts -------------------------------------------------------------------

    def _names(self, entity_id: str, *, of_device: bool = False) -> tuple[str, str | None]:
        """The entity's friendly name (its device's with `of_device`: "the door lock", not
        "the door lock battery") and its area's name."""
        state = self.hass.states.get(entity_id)
        name = str(state.attributes.get(ATTR_FRIENDLY_NAME, entity_id)) if state else entity_id
        entry = er.async_get(self.hass).async_get(entity_id)
        area_id = entry.area_id if entry else None
        device = (
            dr.async_get(self.hass).async_get(entry.device_id)
            if entry and entry.device_id
            else None
        )
        if device is not None:
            area_id = area_id or device.area_id
            if of_device:
                name = device.name_by_user or device.name or name
        area = ar.async_get(self.hass).async_get_area(area_id) if area_id else None
        return name, area.name if area else None

    def _place(self, alert: Alert, language: str) -> str:
        device = alert.device or ""
        room = alert.room or ""
        if language == "zh":
            if device:
                return f"有人用{room + '的' if room else ''}{device}呼叫求助"
            return f"有人在{room or '家里'}呼叫求助"
        where = f" in the {room}" if room else ""
        return f"with the {device}{where}" if device else where.strip() or "at home"

    def _clock(self, timestamp: float, language: str) -> str:
        moment = dt_util.as_local(dt_util.utc_from_timestamp(timestamp))
        return logic.clock(moment.hour, moment.minute, language)

    def _quiet_hours(self) -> QuietHours | None:
        for entry in self.hass.config_entries.async_loaded_entries(DOMAIN):
            found = QuietHours.parse(
                entry.options.get(CONF_QUIET_START), entry.options.get(CONF_QUIET_END)
            )
            if found is not None:
                return found
        return None

    @staticmethod
    def _now() -> float:
        return dt_util.utcnow().timestamp()

    @callback
    def _flash(self, alert: Alert) -> None:
        lights = self.setup.bindings.get("flash_lights", ())
        if not lights:
            return
        kind = alert.visual or logic.FLASH_KIND.get(alert.kind, "announcement")
        self._spawn(flash.async_flash_alert(self.hass, alert.id, kind, alert.priority, lights))
        self._log(alert, f"flashed on {', '.join(lights)}")

    @callback
    def _stop_flash(self, alert: Alert) -> None:
        if alert.flash:
            self._spawn(flash.async_stop_flash(self.hass, alert.id))

    @callback
    def _log(self, alert: Alert, what: str) -> None:
        async_log_entry(
            self.hass,
            "Barrier-Free alert",
            f"{alert.kind} ({alert.priority}) {what}",
            DOMAIN,
            alert.source if alert.source and "." in alert.source else None,
        )

    @callback
    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = self.hass.async_create_background_task(work, f"{DOMAIN} alert")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


@callback
def async_alert_reply(
    hass: HomeAssistant,
    text: str,
    language: str,
    entry: BarrierFreeConfigEntry,
    area_id: str | None,
) -> str | None:
    """The answer to an alert sentence said at the station of `entry`; None for others."""
    manager = hass.data.get(DATA)
    if manager is None:
        return None
    area = ar.async_get(hass).async_get_area(area_id) if area_id else None
    return manager.reply(text, language, entry.runtime_data.info.name, area.name if area else None)


@callback
def async_watch_station(hass: HomeAssistant, entry: BarrierFreeConfigEntry) -> None:
    """The station's own help button calls for help from the station's room."""

    @callback
    def pressed(data: dict[str, Any]) -> None:
        manager = hass.data.get(DATA)
        if manager is None or data.get("button") != "help" or data.get("action") != "press":
            return
        areas = entry.options.get(CONF_AREAS) or []
        area = ar.async_get(hass).async_get_area(str(areas[0])) if areas else None
        manager.raise_event(
            "help_pressed",
            None,
            room=area.name if area else None,
            station=entry.runtime_data.info.name,
        )

    entry.async_on_unload(entry.runtime_data.connection.async_add_button_listener(pressed))

    @callback
    def state_changed() -> None:
        manager = hass.data.get(DATA)
        if manager is not None and entry.state is ConfigEntryState.LOADED:
            manager.station_loaded()

    entry.async_on_unload(entry.async_on_state_change(state_changed))


async def async_get_alerts(hass: HomeAssistant) -> AlertManager:
    """The household's alert manager, started on first use."""
    if (found := hass.data.get(DATA)) is not None:
        return found
    manager = AlertManager(hass)
    hass.data[DATA] = manager
    await manager.async_start()
    return manager


async def async_release_alerts(hass: HomeAssistant) -> None:
    """The last station entry is going: stop watching."""
    if hass.config_entries.async_loaded_entries(DOMAIN):
        return
    if (manager := hass.data.pop(DATA, None)) is not None:
        await manager.async_stop()

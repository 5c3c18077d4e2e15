"""Alerts glue (issue 17): events in the home become announcements on the stations.

One `AlertManager` per Home Assistant (the household has one set of bindings however many
stations it has), started with the first station entry and stopped with the last. Its parts:
`alert_sources.py` watches the entities bound to the household's roles, `logic.alerts.AlertBook`
decides repeats, quiet hours and acknowledgement, this module says what is due on each chosen
station in its own language, `alert_help.py` turns the lights on and notifies the caregiver at
each round of a call for help, `alert_media.py` pauses the bound speakers while a station
speaks and plays them again after, `alert_store.py` keeps the open alerts across restarts (an
alarm still unacknowledged is said again, and flashed again where it flashed; what expired
meanwhile is logged and dropped), and `alert_stations.py` answers the residents' alert
sentences and buttons. Every step is written to the logbook.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.logbook import async_log_entry
from homeassistant.const import ATTR_FRIENDLY_NAME
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from . import flash
from .alert_help import HelpCalls
from .alert_media import MediaPause
from .alert_sources import AlertSources
from .alert_store import AlertStore
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
from .logic.alert_kinds import ALARM, FLASH_KIND, KINDS, STATION_PRIORITY, alert_text, clock
from .logic.alerts import Alert, AlertBook, QuietHours
from .logic.languages import LANGUAGES, table_language
from .logic.scene_model import Announcement, Scene
from .scene_runner import async_get_library

DATA: HassKey[AlertManager] = HassKey(f"{DOMAIN}_alerts")
FORGET_AFTER = 7 * 24 * 3600.0  # seconds: closed alerts older than this leave the book
LOW_BATTERY_EVERY = 24 * 3600.0  # a low battery is announced once a day per device


@dataclass(frozen=True, slots=True)
class Station:
    """A loaded station entry as alerts see it."""

    entry: BarrierFreeConfigEntry
    language: str
    area_id: str | None
    device_id: str | None
    areas: tuple[str, ...] = ()  # every area it serves (its options' areas, else its device's)

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
        self.sources = AlertSources(hass, self)
        self.help = HelpCalls(hass, self)
        self.media = MediaPause(hass)
        self._store = AlertStore(hass)
        self._remove_household: CALLBACK_TYPE | None = None
        self._wakeup: CALLBACK_TYPE | None = None
        self._at_started: CALLBACK_TYPE | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # ----- lifecycle -------------------------------------------------------------------

    async def async_start(self) -> None:
        await self._async_restore()
        household = await async_get_household(self.hass)
        self._library = await async_get_library(self.hass)  # the scenes' own, loaded once
        self._remove_household = household.async_add_listener(self._household_changed)
        self.help.start()
        self._household_changed(household.setup)
        # Restored alarms flash again as they are said again: once Home Assistant has started,
        # so that the bound lights are there (what they show then is what is restored after).
        self._at_started = async_at_started(self.hass, self._flash_restored)

    async def _async_restore(self) -> None:
        """The alerts open when Home Assistant stopped (said once a station is loaded)."""
        restored = await self._store.async_load(self.now(), self.book.policy)
        if restored is None:
            return
        self.book, expired = restored
        for alert in expired:
            LOGGER.info(
                "Alert %s expired while Home Assistant was stopped: %s", alert.id, alert.text("en")
            )
            self.log(alert, "expired while Home Assistant was stopped")
        if expired:
            self._save()

    @callback
    def _flash_restored(self, _hass: HomeAssistant) -> None:
        self._at_started = None
        for alert in self.book.unanswered_alarms():
            if alert.flash:
                self._flash(alert)

    @callback
    def station_loaded(self) -> None:
        """A station is ready: what is due (restored after a restart) is said now."""
        if self.book.alerts:
            self._run_due()

    @callback
    def _save(self) -> None:
        self._store.save_later(self.book)

    async def async_stop(self) -> None:
        for cancel in (self._remove_household, self._wakeup, self._at_started):
            if cancel is not None:
                cancel()
        self._remove_household = self._wakeup = self._at_started = None
        self.sources.stop()
        self.help.stop()
        self.media.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._store.async_save(self.book)

    @callback
    def _household_changed(self, setup: HouseholdSetup) -> None:
        self.setup = setup
        self.announcements = self._library.announcements(setup.profiles)
        self.sources.follow(setup)

    def scenes(self) -> tuple[Scene, ...]:
        """The scenes of the household's profiles."""
        return self._library.scenes_of(self.setup.profiles)

    @callback
    def condition_over(self, kind: str, entity_id: str) -> None:
        """The condition of `kind` at `entity_id` is over (the door was closed)."""
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
            lang: alert_text(kind, device, area, lang, minutes=minutes, station=station)
            for lang in LANGUAGES
        }
        alert = self.book.raise_alert(
            kind,
            texts,
            self.now(),
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
        self.log(alert, f"raised: {alert.text('en')}")
        if alert.flash:
            self._flash(alert)
        if kind == "help_pressed":
            self.help.lights_on()
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
            self.now(),
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
        self.log(alert, f"raised: {alert.text('en')}")
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
        due, expired = self.book.due(self.now(), local.hour * 60 + local.minute)
        for alert in expired:
            LOGGER.info("Alert %s expired unsaid or unacknowledged: %s", alert.id, alert.text("en"))
            self.log(alert, "expired")
            self._stop_flash(alert)
        for alert in due:
            self.spawn(self._say(alert))
        self.book.forget(self.now() - FORGET_AFTER)
        self._save()
        self._schedule()

    @callback
    def _schedule(self) -> None:
        if self._wakeup is not None:
            self._wakeup()
            self._wakeup = None
        wakeup = self.book.next_wakeup()
        if wakeup is not None:
            self._wakeup = async_call_later(self.hass, max(0.0, wakeup - self.now()), self._run_due)

    async def _say(self, alert: Alert) -> None:
        """One round of an alert: every chosen station, and the caregiver for a help call."""
        if alert.speak:
            spoken = await self.send(
                alert.text, f"{alert.id}-{alert.said}", alert.priority, alert.chime, alert
            )
            if spoken:
                self.log(alert, f"spoken at {', '.join(spoken)} (time {alert.said})")
        if alert.kind == "help_pressed":
            # after the call for help is queued, so that "notified" is heard after it
            await self.help.async_notify_caregiver(alert)

    async def send(
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
            return max(1.0, alert.expires_at - self.now())
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
        # Media near a station that speaks now is paused; it plays again after.
        players = () if away else await self.media.async_pause(station.areas, self.setup.bindings)
        announcement_id: str | None = None
        try:
            announcement_id = await connection.async_announce(
                text,
                station.language,
                STATION_PRIORITY.get(priority, "normal"),
                chime,
                expires_in=expires_in,
                purpose=purpose,
            )
        except StationError as err:
            LOGGER.warning("Station %s could not announce %s: %s", station.name, text, err)
            return None
        finally:
            self.media.sent(players, announcement_id)
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
                tuple(str(a) for a in areas) or ((area_id,) if area_id else ()),
            )
            rooms = alert.rooms if alert else ()
            chosen = alert.stations if alert else ()
            # a station serving several areas (its options' areas) says what is for any of them
            if (rooms or chosen) and not (
                any(area in rooms for area in station.areas)
                or station.device_id in chosen
                or entry.entry_id in chosen
            ):
                continue
            found.append(station)
        return found

    # ----- acknowledgement ----------------------------------------------------------------

    @callback
    def acknowledge(
        self, by: str, alert_id: str | None = None, *, keep: Iterable[str] = ()
    ) -> list[Alert]:
        done = self.book.acknowledge(by, self.now(), alert_id, keep=keep)
        at = self.now()
        for alert in done:
            self.log(alert, f"acknowledged by {by} at {self.clock(at, 'en')}")
            self._stop_flash(alert)
            if alert.kind == "help_pressed":
                self.help.answered(alert, by, at)
        if done:
            self._save()
        self._schedule()
        return done

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

    @staticmethod
    def clock(timestamp: float, language: str) -> str:
        """The local time of `timestamp` as `language` says it."""
        moment = dt_util.as_local(dt_util.utc_from_timestamp(timestamp))
        return clock(moment.hour, moment.minute, language)

    def _quiet_hours(self) -> QuietHours | None:
        for entry in self.hass.config_entries.async_loaded_entries(DOMAIN):
            found = QuietHours.parse(
                entry.options.get(CONF_QUIET_START), entry.options.get(CONF_QUIET_END)
            )
            if found is not None:
                return found
        return None

    @staticmethod
    def now() -> float:
        return dt_util.utcnow().timestamp()

    @callback
    def _flash(self, alert: Alert) -> None:
        lights = self.setup.bindings.get("flash_lights", ())
        if not lights:
            return
        kind = alert.visual or FLASH_KIND.get(alert.kind, "announcement")
        self.spawn(flash.async_flash_alert(self.hass, alert.id, kind, alert.priority, lights))
        self.log(alert, f"flashed on {', '.join(lights)}")

    @callback
    def _stop_flash(self, alert: Alert) -> None:
        if alert.flash:
            self.spawn(flash.async_stop_flash(self.hass, alert.id))

    @callback
    def log(self, alert: Alert, what: str) -> None:
        async_log_entry(
            self.hass,
            "Barrier-Free alert",
            f"{alert.kind} ({alert.priority}) {what}",
            DOMAIN,
            alert.source if alert.source and "." in alert.source else None,
        )

    @callback
    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = self.hass.async_create_background_task(work, f"{DOMAIN} alert")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


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

"""The one persistent connection from Home Assistant to a station.

It carries what has no natural end: room-mode events the station pushes (`bf-room-transcript`,
`bf-button`), settings and phrase lists, and the heartbeat that tells Home Assistant whether
the station is there. Speech requests (stt, tts) each open their own short-lived paired
connection instead (see `async_open_session`): a long upload never delays a heartbeat or a
room event, concurrent requests need no multiplexing, and a request that breaks takes nothing
else down with it.

When the connection breaks, entities go unavailable (logged once), the connection is retried
with exponential backoff, and a repair issue is raised if the station stays away for
UNREACHABLE_ISSUE_AFTER; when it is back, that is logged once and the issue is removed.
Announcements made while the station is away wait and are delivered when it is back, unless
they expired (`announcement_delivery.py`); every `bf-announced` status the station sends about
them is passed to listeners (alerts play paused media again when an announcement is done).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now
from wyoming.event import Event

from . import const
from .announcement_delivery import AnnouncementDelivery
from .client import (
    EV_ANNOUNCED,
    EV_BUTTON,
    EV_ERROR,
    EV_EXPECTING_DIGITS,
    EV_MICROPHONE,
    EV_PHRASES,
    EV_ROOM_TRANSCRIPT,
    EV_SETTINGS,
    CannotConnect,
    InvalidAuth,
    MicrophoneCheck,
    PhraseListResult,
    RoomUtterance,
    StationError,
    StationInfo,
    StationRequestError,
    StationSession,
    announce_event,
    expect_digits_event,
    ping_event,
    set_phrases_event,
    settings_event,
    subscribe_event,
    test_microphone_event,
)
from .const import CONF_TOKEN, DOMAIN, LOGGER
from .data import BarrierFreeConfigEntry


class StationConnection:
    """Keeps one paired, subscribed connection to a station open for a config entry."""

    def __init__(self, hass: HomeAssistant, entry: BarrierFreeConfigEntry) -> None:
        self._hass = hass
        self._entry = entry
        self.host: str = entry.data["host"]
        self.port: int = entry.data["port"]
        self._token: str = entry.data[CONF_TOKEN]
        self.info: StationInfo | None = None
        self.connected = False
        self.connected_since: datetime | None = None
        self.disconnected_since: datetime | None = None
        self.last_error: str | None = None
        self.reconnects = 0
        self.last_utterance: RoomUtterance | None = None
        self.last_utterance_at: datetime | None = None
        self.last_button: dict[str, Any] | None = None
        self.settings_in_force: dict[str, Any] | None = None
        # True while a PIN is being asked for: the station then also hears digit strings
        self.digits = False
        self.microphone_check: MicrophoneCheck | None = None
        self.microphone_checked_at: datetime | None = None
        self._session: StationSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[CALLBACK_TYPE] = []
        self._utterance_listeners: list[Callable[[RoomUtterance], None]] = []
        self._button_listeners: list[Callable[[dict[str, Any]], None]] = []
        self._announced_listeners: list[Callable[[str, str], None]] = []
        # The answer awaited: its type, the id it must carry (if any), and who waits for it.
        self._pending: tuple[str, str | None, asyncio.Future[Event]] | None = None
        self._request_lock = asyncio.Lock()
        self._loss_logged = False
        self._cancel_issue_timer: CALLBACK_TYPE | None = None
        self.delivery = AnnouncementDelivery(hass, entry, self)
        self.announcements = self.delivery.queue

    @property
    def issue_id(self) -> str:
        return f"{const.ISSUE_UNREACHABLE}_{self._entry.entry_id}"

    # ----- lifecycle -------------------------------------------------------------------

    async def async_connect(self) -> StationInfo:
        """First connection, made during setup; raises the typed errors of `api`."""
        session = await self._open_subscribed()
        self._on_connected(session)
        return session.info

    @callback
    def async_start(self) -> None:
        """Start serving the open connection (and reconnecting) in the background."""
        self._task = self._entry.async_create_background_task(
            self._hass, self._run(), f"{DOMAIN} connection {self.host}:{self.port}"
        )

    async def async_stop(self) -> None:
        """Close everything: the task, the socket, the waiting announcements, the timer and the
        repair issue."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        await self.delivery.async_stop()
        if self._session is not None:  # connected during setup but never started
            await self._session.close()
            self._session = None
        self._cancel_timer()
        ir.async_delete_issue(self._hass, DOMAIN, self.issue_id)

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> Callable[[], None]:
        """Call `update` whenever connectivity or the last utterance changes."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    @callback
    def async_add_utterance_listener(
        self, heard: Callable[[RoomUtterance], None]
    ) -> Callable[[], None]:
        """Call `heard` with each utterance the station sends in room mode."""
        self._utterance_listeners.append(heard)
        return lambda: self._utterance_listeners.remove(heard)

    @callback
    def async_add_button_listener(
        self, pressed: Callable[[dict[str, Any]], None]
    ) -> Callable[[], None]:
        """Call `pressed` with each `bf-button` the station sends (its help button)."""
        self._button_listeners.append(pressed)
        return lambda: self._button_listeners.remove(pressed)

    @callback
    def async_add_announced_listener(
        self, announced: Callable[[str, str], None]
    ) -> Callable[[], None]:
        """Call `announced(id, status)` with each `bf-announced` the station sends: the
        progress of an announcement ("queued", "playing", "interrupted", "done", "failed",
        "dropped"), the first of which also answers its `bf-announce`."""
        self._announced_listeners.append(announced)
        return lambda: self._announced_listeners.remove(announced)

    # ----- requests over the persistent connection --------------------------------------

    async def async_request(
        self,
        event: Event,
        expect: str,
        time_limit: float = const.REPLY_TIMEOUT,
        *,
        expect_id: str | None = None,
    ) -> Event:
        """Send `event` and wait for the station's answer of type `expect`.

        `expect_id`: the answer must carry this id (an earlier announcement's later status,
        "playing" or "done", is not the answer to this one).
        """
        async with self._request_lock:
            session = self._session
            if session is None or not self.connected:
                raise CannotConnect("the station is not connected")
            answer: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
            self._pending = (expect, expect_id, answer)
            try:
                await session.send(event)
                async with asyncio.timeout(time_limit):
                    return await answer
            except TimeoutError as err:
                raise CannotConnect(f"no {expect} from the station within {time_limit} s") from err
            finally:
                self._pending = None
                # An answer (or "connection lost") that came while this request was cancelled
                # before reading it: read it here, or the loop reports it as never retrieved.
                if answer.done() and not answer.cancelled():
                    answer.exception()

    async def async_announce(
        self,
        text: str,
        language: str,
        priority: str = "high",
        chime: str | None = None,
        *,
        expires_in: float | None = None,
        purpose: str = "announce",
    ) -> str:
        """Have the station say `text`, now or when it is back; returns the announcement's id
        ("<purpose>-<ulid>"). See `AnnouncementDelivery.async_announce`."""
        return await self.delivery.async_announce(
            text, language, priority, chime, expires_in=expires_in, purpose=purpose
        )

    async def async_set_phrases(
        self, language: str, phrases: Sequence[str], version: int
    ) -> PhraseListResult:
        """Give the station the phrases it may recognise in `language`."""
        answer = await self.async_request(set_phrases_event(language, phrases, version), EV_PHRASES)
        return PhraseListResult.from_data(answer.data)

    async def async_expect_digits(self, digits: bool) -> None:
        """Let the station hear digit strings (a PIN) besides the phrases, or stop it.

        Sent on a change only, and again on every reconnection (the station forgets it with
        the connection); returns once the station hears them, so the PIN prompt is spoken
        after. A station that is away is told when it is back."""
        if digits == self.digits:
            return
        self.digits = digits
        try:
            await self.async_request(expect_digits_event(digits), EV_EXPECTING_DIGITS)
        except StationError as err:
            LOGGER.warning(
                "Could not %s digit strings at station %s now: %s",
                "hear" if digits else "stop hearing",
                self.name,
                err,
            )

    async def async_say_now(self, text: str, language: str, *, priority: str = "normal") -> str:
        """Speak `text` at the station now, or raise StationError (an installer's check: a
        station that is away must say so at once, not queue the sentence). Returns the id of
        the announcement, once the station has reported on that one: the status of another
        announcement (one that plays, ends or gives way meanwhile) is not its answer."""
        announcement_id = f"say-now-{ulid_now()}"
        event = announce_event(announcement_id, text, language, priority=priority, chime=None)
        answer = await self.async_request(
            event, EV_ANNOUNCED, const.SPEECH_TIMEOUT, expect_id=announcement_id
        )
        return str(answer.data["id"])

    async def async_test_microphone(self, seconds: float) -> MicrophoneCheck:
        """Have the station record `seconds` from its microphone, report its level and what
        it heard, and say so aloud; raises StationError (`not_listening`: no microphone)."""
        event = test_microphone_event(seconds)
        answer = await self.async_request(event, EV_MICROPHONE, seconds + const.SPEECH_TIMEOUT)
        self.microphone_check = MicrophoneCheck.from_data(answer.data)
        self.microphone_checked_at = dt_util.utcnow()
        self._notify()
        return self.microphone_check

    async def async_apply_settings(self) -> dict[str, Any]:
        """Send the entry's speech settings; return the values the station put in force."""
        answer = await self.async_request(self._settings_event(), EV_SETTINGS)
        self.settings_in_force = dict(answer.data)
        return self.settings_in_force

    async def async_open_session(self) -> StationSession:
        """A separate short-lived paired connection for one speech request."""
        return await StationSession.open(
            self.host, self.port, self._token, time_limit=const.CONNECT_TIMEOUT
        )

    # ----- internals ----------------------------------------------------------------------

    def _settings_event(self) -> Event:
        options = self._entry.options
        return settings_event(
            rate=int(options.get(const.CONF_RATE, const.DEFAULT_RATE)),
            volume=float(options.get(const.CONF_VOLUME, const.DEFAULT_VOLUME)) / 100,
            language=str(options.get(const.CONF_LANGUAGE, const.DEFAULT_LANGUAGE)),
        )

    async def _open_subscribed(self) -> StationSession:
        session = await StationSession.open(
            self.host, self.port, self._token, time_limit=const.CONNECT_TIMEOUT, describe=True
        )
        try:
            await session.send(subscribe_event())
            # The answers (settings in force, digits heard) arrive through the read loop.
            await session.send(self._settings_event())
            if self.digits:  # a PIN is still asked for: the new connection must say so
                await session.send(expect_digits_event(True))
        except StationError:
            await session.close()
            raise
        return session

    async def _run(self) -> None:
        delay = const.RECONNECT_MIN_DELAY
        while True:
            session = self._session
            if session is None:
                try:
                    session = await self._open_subscribed()
                except InvalidAuth as err:
                    # The station was re-paired: only the installer can fix this.
                    self._on_disconnected(err)
                    self._entry.async_start_reauth(self._hass)
                    return
                except StationError as err:
                    self._on_disconnected(err)
                    LOGGER.debug("Retrying %s in %.1f s", self.host, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, const.RECONNECT_MAX_DELAY)
                    continue
                self.reconnects += 1
                self._on_connected(session)
            delay = const.RECONNECT_MIN_DELAY
            if self.announcements:
                self.delivery.start()
            try:
                reason = await self._serve(session)
            finally:
                self._session = None
                if self._pending is not None and not self._pending[2].done():
                    self._pending[2].set_exception(CannotConnect("connection lost"))
                await session.close()
            self._on_disconnected(reason)

    async def _serve(self, session: StationSession) -> StationError:
        """Read events until the connection breaks (returned as the reason).

        A heartbeat pings a quiet station and closes the connection if it stays silent.
        """
        loop = asyncio.get_running_loop()
        last_heard = loop.time()

        async def heartbeat() -> None:
            while True:
                await asyncio.sleep(const.PING_INTERVAL)
                if loop.time() - last_heard > const.PING_INTERVAL + const.REPLY_TIMEOUT:
                    LOGGER.debug("No answer to ping from %s: closing", self.host)
                    await session.close()
                    return
                with contextlib.suppress(StationError):
                    await session.send(ping_event())

        beating = asyncio.create_task(heartbeat(), name=f"{DOMAIN} heartbeat")
        try:
            while True:
                event = await session.receive()
                last_heard = loop.time()
                self._dispatch(event)
        except StationError as err:
            return err
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating

    @callback
    def _dispatch(self, event: Event) -> None:
        if event.type == EV_ANNOUNCED:
            announcement_id, status = event.data.get("id"), event.data.get("status")
            if isinstance(announcement_id, str) and isinstance(status, str):
                for announced in list(self._announced_listeners):
                    announced(announcement_id, status)
        pending = self._pending
        if pending is not None and not pending[2].done():
            expect, expect_id, answer = pending
            if event.type == expect and expect_id in (None, event.data.get("id")):
                answer.set_result(event)
                return
            if event.type == EV_ERROR:
                answer.set_exception(StationRequestError.from_event(event))
                return
        if event.type == EV_ROOM_TRANSCRIPT:
            utterance = RoomUtterance.from_data(event.data)
            self.last_utterance = utterance
            self.last_utterance_at = dt_util.utcnow()
            self._notify()
            for heard in list(self._utterance_listeners):
                heard(utterance)
        elif event.type == EV_BUTTON:
            self.last_button = dict(event.data)
            for pressed in list(self._button_listeners):
                pressed(self.last_button)
        elif event.type == EV_SETTINGS:
            self.settings_in_force = dict(event.data)
        elif event.type == EV_ERROR:
            LOGGER.warning(
                "Station %s reported: %s", self.name, StationRequestError.from_event(event)
            )

    @property
    def name(self) -> str:
        return self.info.name if self.info else self._entry.title

    @callback
    def _on_connected(self, session: StationSession) -> None:
        self._session = session
        self.info = session.info
        self.connected = True
        self.connected_since = dt_util.utcnow()
        self.disconnected_since = None
        self.last_error = None
        if self._loss_logged:
            LOGGER.info("Station %s at %s:%s is back", self.name, self.host, self.port)
            self._loss_logged = False
        self._cancel_timer()
        ir.async_delete_issue(self._hass, DOMAIN, self.issue_id)
        self._notify()

    @callback
    def _on_disconnected(self, reason: StationError) -> None:
        changed = self.connected or self.last_error != str(reason)
        self.last_error = str(reason)
        if self.connected or self.disconnected_since is None:
            self.disconnected_since = dt_util.utcnow()
        self.connected = False
        if not self._loss_logged:
            LOGGER.warning(
                "Station %s at %s:%s is unreachable: %s", self.name, self.host, self.port, reason
            )
            self._loss_logged = True
            self._cancel_issue_timer = async_call_later(
                self._hass, const.UNREACHABLE_ISSUE_AFTER, self._raise_issue
            )
        if changed:  # retries that fail the same way do not rewrite every state
            self._notify()

    @callback
    def _raise_issue(self, _now: datetime) -> None:
        self._cancel_issue_timer = None
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=const.ISSUE_UNREACHABLE,
            translation_placeholders={
                "name": self.name,
                "host": self.host,
                "port": str(self.port),
            },
        )

    @callback
    def _cancel_timer(self) -> None:
        if self._cancel_issue_timer is not None:
            self._cancel_issue_timer()
            self._cancel_issue_timer = None

    @callback
    def _notify(self) -> None:
        for update in list(self._listeners):
            update()

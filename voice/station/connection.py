"""One client connection: reads and handles events in order, writes through an outbox.

Each TCP connection gets a `ClientConnection`: a reading task that handles one event at a
time, and a writing task fed through an outbox: replies hold up that client's reading when it
is behind, notices (room events) disconnect a client that stops reading, so a client only
ever blocks itself. Events are handled by the connection itself (pairing, describe, ping,
subscriptions), its `Transcription` (speech to text) and its `Requests` (synthesize, bf-*).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wyoming.event import Event
from wyoming.ping import Pong

from ..errors import VoiceError
from .errors import (
    BadRequest,
    BadToken,
    PairingOutdated,
    PairingRequired,
    PairingTimeout,
    UnexpectedEvent,
    UnknownEvent,
)
from .events import (
    PROTOCOL_VERSION,
    challenge_event,
    error_event,
    expecting_digits_event,
    info_event,
    paired_event,
    subscribed_event,
)
from .framing import FramingError, Limits, encode_event, read_event
from .pairing import client_proof, is_nonce, new_nonce, station_proof, token_matches
from .requests import Requests
from .transcription import Transcription

if TYPE_CHECKING:
    from .station import Station

_LOGGER = logging.getLogger(__name__)

OUTBOX_EVENTS = 64  # per connection and kind: replies wait beyond it, notices disconnect
# What an unpaired client may do when --wyoming-zeroconf is on (Home Assistant's own
# Wyoming integration cannot send a token): speech-to-text and text-to-speech only.
OPEN_EVENTS = frozenset(
    {"describe", "transcribe", "audio-start", "audio-chunk", "audio-stop", "synthesize", "ping"}
)


@dataclass(frozen=True, slots=True)
class ConnectionInfo:
    """What `Station.connection_info()` reports about one client (diagnostics, tests)."""

    peer: str
    paired: bool
    subscribed: bool
    queued_events: int
    write_buffer: int
    streaming: bool
    pending_audio: int  # bytes of the request in progress received, not decoded yet
    ending: bool  # audio-stop came: the end of the utterance is being decoded


def _peer(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)


class ClientConnection:
    """One client: reads and handles events in order, writes through an outbox."""

    def __init__(
        self, station: Station, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.station = station
        self.peer = _peer(writer)
        self.paired = False
        self.subscribed = False
        self.closing = False  # the reading side has ended (it no longer counts as unpaired)
        self._connected_at = asyncio.get_running_loop().time()
        self._challenge: tuple[str, str] | None = None  # (client nonce, station nonce)
        self._reader = reader
        self._writer = writer
        # One ordered outbox, counted in two kinds: replies (and the statuses of this
        # client's own announcements) hold up this client's reading when more than
        # OUTBOX_EVENTS wait; notices (room events, broadcasts) never wait, and a client
        # that leaves OUTBOX_EVENTS of them unread is disconnected.
        self._outbox: asyncio.Queue[tuple[Event, bool] | None] = asyncio.Queue()
        self._replies = 0
        self._notices = 0
        self._room = asyncio.Event()
        self._room.set()
        self._writer_task: asyncio.Task[None] | None = None
        self._dead = False  # the writer is gone: drop whatever is still sent
        self.transcription = Transcription(station, self.send, self.send_error, self.peer)
        requests = Requests(station, self.send, self.queue_reply, self.transcription.recognizer)
        self._handlers: dict[str, Callable[[Event], Awaitable[None]]] = {
            "describe": self._describe,
            "ping": self._ping,
            "select-program": self._ignore,
            "transcribe": self.transcription.transcribe,
            "audio-start": self.transcription.audio_start,
            "audio-chunk": self.transcription.audio_chunk,
            "audio-stop": self.transcription.audio_stop,
            "synthesize": requests.synthesize,
            "bf-set-phrases": requests.set_phrases,
            "bf-get-phrases": requests.get_phrases,
            "bf-announce": requests.announce,
            "bf-settings": requests.settings,
            "bf-subscribe": self._subscribe,
            "bf-unsubscribe": self._unsubscribe,
            "bf-answer": requests.answer,
            "bf-expect-digits": self._expect_digits,
            "bf-test-microphone": requests.test_microphone,
        }

    # --- writing ---

    async def send(self, event: Event) -> None:
        """Queue a reply; waits while this client is behind (only this connection waits)."""
        self.queue_reply(event)
        await self._wait_for_room()

    def queue_reply(self, event: Event) -> None:
        """Queue a reply without waiting (for callers that cannot wait, like the announcer);
        this client's next event is read only once its replies fit again."""
        if not self._dead:
            self._outbox.put_nowait((event, False))
            self._replies += 1
            if self._replies > OUTBOX_EVENTS:
                self._room.clear()

    async def _wait_for_room(self) -> None:
        while self._replies > OUTBOX_EVENTS and not self._dead:
            await self._room.wait()

    def post(self, event: Event) -> bool:
        """Queue a notice without waiting; a client too far behind is disconnected."""
        if self._dead:
            return False
        if self._notices >= OUTBOX_EVENTS:
            _LOGGER.warning("Client %s stopped reading; disconnecting it", self.peer)
            self.abort()
            return False
        self._outbox.put_nowait((event, True))
        self._notices += 1
        return True

    async def send_error(self, err: VoiceError) -> None:
        await self.send(error_event(err))

    async def _write_loop(self) -> None:
        try:
            while (item := await self._outbox.get()) is not None:
                event, notice = item
                self._writer.write(encode_event(event))
                await self._writer.drain()
                if notice:
                    self._notices -= 1
                else:
                    self._replies -= 1
                    if self._replies <= OUTBOX_EVENTS:
                        self._room.set()
        except ConnectionError, OSError:
            pass  # the client went away; the reading side sees the end of stream
        finally:
            self._dead = True
            self._room.set()  # release anyone waiting in send()
            self._writer.close()

    def abort(self) -> None:
        """Drop the connection now, without waiting for unsent data."""
        self._dead = True
        self._room.set()
        self._writer.transport.abort()
        self._reader.feed_eof()

    # --- reading ---

    @property
    def unpaired(self) -> bool:
        """Open and not paired: what the station's budget for unpaired connections counts."""
        return not (self.paired or self.closing or self._dead)

    def _limits(self) -> Limits:
        config = self.station.config
        if self.paired:
            return config.limits
        return config.open_limits if config.wyoming_zeroconf else config.unpaired_limits

    def _next_event_due(self) -> float | None:
        """Loop time by which an unpaired connection's next event must have arrived."""
        if self.paired:
            return None
        config = self.station.config
        due = asyncio.get_running_loop().time() + config.unpaired_idle
        if not config.wyoming_zeroconf:  # open Wyoming clients never pair
            due = min(due, self._connected_at + config.pairing_deadline)
        return due

    async def run(self) -> None:
        self._writer_task = asyncio.create_task(self._write_loop(), name=f"bf write {self.peer}")
        try:
            while not self._dead:
                await self._wait_for_room()  # backpressure: a client behind is not read
                try:
                    async with asyncio.timeout_at(self._next_event_due()):
                        event = await read_event(self._reader, self._limits())
                except TimeoutError:
                    self.station.warn("pairing_timeout", f"Closed unpaired {self.peer}: too slow")
                    await self.send_error(PairingTimeout(seconds=self._time_given()))
                    break
                except FramingError as err:
                    if not self.paired:
                        self.station.warn("unpaired_framing", f"Closed unpaired {self.peer}: {err}")
                    await self.send_error(err)
                    if err.fatal or not self.paired:
                        break
                    continue
                except ConnectionError, OSError:
                    break
                if event is None or not await self._dispatch(event):
                    break
        finally:
            await self._close()

    def _time_given(self) -> float:
        config = self.station.config
        if config.wyoming_zeroconf:
            return config.unpaired_idle
        return min(config.unpaired_idle, config.pairing_deadline)

    async def _close(self) -> None:
        self.closing = True
        await self.transcription.drop()
        self.subscribed = False
        if self.station.asks_for_digits(self):  # a PIN prompt ends with its client
            try:
                await self.station.expect_digits(self, False)
            except Exception:  # the station is going down: nothing to hear digits for
                _LOGGER.exception("Could not stop hearing digit strings for %s", self.peer)
        writer_task = self._writer_task
        if writer_task is None:
            return
        if self._dead:  # aborted: nothing more can be delivered, stop the writer now
            writer_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer_task
            return
        try:
            # Let queued replies (often the error that explains the close) reach the client.
            async with asyncio.timeout(5.0):
                self._outbox.put_nowait(None)  # the writer's stop mark
                await writer_task
        except TimeoutError:
            self.abort()
            writer_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer_task

    async def _dispatch(self, event: Event) -> bool:
        """Handle one event; False closes the connection."""
        kind = event.type
        if kind == "bf-pair":
            return await self._pair(event)
        if kind == "bf-hello":
            return await self._hello(event)
        if not self.paired and not (self.station.config.wyoming_zeroconf and kind in OPEN_EVENTS):
            await self.send_error(PairingRequired(event=kind))
            return False
        handler = self._handlers.get(kind)
        if handler is None:
            await self.send_error(UnknownEvent(event=kind))
            return True
        try:
            await handler(event)
        except VoiceError as err:
            await self.send_error(err)
        return True

    # --- pairing and small events ---

    async def _hello(self, event: Event) -> bool:
        """The client's challenge: answer it with the station's proof and one of its own."""
        if self.paired or self._challenge is not None:
            await self.send_error(
                UnexpectedEvent(
                    event="bf-hello",
                    detail="it comes once, before pairing",
                    detail_zh="它只能在配对之前发送一次",
                )
            )
            return False
        client_nonce = event.data.get("nonce")
        if not is_nonce(client_nonce):
            await self.send_error(
                BadRequest(event="bf-hello", field="nonce", detail="use 32 lowercase hex digits")
            )
            return False
        assert isinstance(client_nonce, str)
        station_nonce = new_nonce()
        self._challenge = (client_nonce, station_nonce)
        station = self.station
        proof = station_proof(station.token, station.station_id, client_nonce, station_nonce)
        await self.send(challenge_event(station, station_nonce, proof))
        return True

    async def _pair(self, event: Event) -> bool:
        if "token" in event.data:
            self.station.warn("pairing_outdated", f"Refused a plain-token bf-pair from {self.peer}")
            await self.send_error(PairingOutdated(protocol=PROTOCOL_VERSION))
            return False
        challenge, self._challenge = self._challenge, None  # each challenge is answered once
        if self.paired or challenge is None:
            await self.send_error(
                UnexpectedEvent(
                    event="bf-pair",
                    detail="it comes once, after bf-hello",
                    detail_zh="它只能在 bf-hello 之后发送一次",
                )
            )
            return False
        client_nonce, station_nonce = challenge
        station = self.station
        expected = client_proof(station.token, station.station_id, station_nonce, client_nonce)
        if not token_matches(expected, event.data.get("proof")):
            station.warn("bad_token", f"Refused a wrong pairing proof from {self.peer}")
            await self.send_error(BadToken())
            return False
        self.paired = True
        client = str(event.data.get("client", "?"))[:64]
        _LOGGER.info("Paired with %s (%s)", self.peer, client)
        await self.send(paired_event(self.station))
        return True

    async def _describe(self, event: Event) -> None:
        await self.send(info_event(self.station))

    async def _ping(self, event: Event) -> None:
        # answered once the audio sent before it is decoded, as if events were handled one
        # after the other (a client can tell that the station has caught up)
        await self.transcription.caught_up()
        await self.send(Pong(text=event.data.get("text")).event())

    async def _ignore(self, event: Event) -> None:
        return None

    async def _expect_digits(self, event: Event) -> None:
        digits = event.data.get("digits")
        if not isinstance(digits, bool):
            raise BadRequest(event="bf-expect-digits", field="digits", detail="not true or false")
        await self.send(expecting_digits_event(await self.station.expect_digits(self, digits)))

    async def _subscribe(self, event: Event) -> None:
        self.subscribed = True
        await self.send(subscribed_event(True))

    async def _unsubscribe(self, event: Event) -> None:
        self.subscribed = False
        await self.send(subscribed_event(False))

    def info(self) -> ConnectionInfo:
        return ConnectionInfo(
            peer=self.peer,
            paired=self.paired,
            subscribed=self.subscribed,
            queued_events=self._replies + self._notices,
            write_buffer=self._writer.transport.get_write_buffer_size(),
            streaming=self.transcription.streaming,
            pending_audio=self.transcription.pending_audio,
            ending=self.transcription.ending,
        )

"""One client connection: reads and handles events in order, writes through a bounded queue.

Each TCP connection gets a `ClientConnection`: a reading task that handles one event at a
time, and a writing task fed through a bounded queue, so a client that stops reading only
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
from .errors import BadToken, PairingRequired, UnknownEvent
from .events import error_event, info_event, paired_event, subscribed_event
from .framing import FramingError, encode_event, read_event
from .pairing import token_matches
from .requests import Requests
from .transcription import Transcription

if TYPE_CHECKING:
    from .station import Station

_LOGGER = logging.getLogger(__name__)

OUTBOX_EVENTS = 64  # per connection; a client this far behind on broadcasts is dropped
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
    """One client: reads and handles events in order, writes through a bounded queue."""

    def __init__(
        self, station: Station, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.station = station
        self.peer = _peer(writer)
        self.paired = False
        self.subscribed = False
        self._reader = reader
        self._writer = writer
        self._outbox: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=OUTBOX_EVENTS)
        self._writer_task: asyncio.Task[None] | None = None
        self._dead = False  # the writer is gone: drop whatever is still sent
        self.transcription = Transcription(station, self.send, self.send_error, self.peer)
        requests = Requests(station, self.send, self.post, self.transcription.recognizer)
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
        }

    # --- writing ---

    async def send(self, event: Event) -> None:
        """Queue a reply; waits while this client is slow (only this connection waits)."""
        if not self._dead:
            await self._outbox.put(event)

    def post(self, event: Event) -> bool:
        """Queue a notification without waiting; a client too far behind is disconnected."""
        if self._dead:
            return False
        try:
            self._outbox.put_nowait(event)
        except asyncio.QueueFull:
            _LOGGER.warning("Client %s stopped reading; disconnecting it", self.peer)
            self.abort()
            return False
        return True

    async def send_error(self, err: VoiceError) -> None:
        await self.send(error_event(err))

    async def _write_loop(self) -> None:
        try:
            while (event := await self._outbox.get()) is not None:
                self._writer.write(encode_event(event))
                await self._writer.drain()
        except ConnectionError, OSError:
            pass  # the client went away; the reading side sees the end of stream
        finally:
            self._dead = True
            while not self._outbox.empty():  # release anyone waiting in send()
                self._outbox.get_nowait()
            self._writer.close()

    def abort(self) -> None:
        """Drop the connection now, without waiting for unsent data."""
        self._dead = True
        self._writer.transport.abort()
        self._reader.feed_eof()

    # --- reading ---

    async def run(self) -> None:
        self._writer_task = asyncio.create_task(self._write_loop(), name=f"bf write {self.peer}")
        try:
            while not self._dead:
                try:
                    event = await read_event(self._reader, self.station.config.limits)
                except FramingError as err:
                    await self.send_error(err)
                    if err.fatal:
                        break
                    continue
                except ConnectionError, OSError:
                    break
                if event is None or not await self._dispatch(event):
                    break
        finally:
            await self._close()

    async def _close(self) -> None:
        await self.transcription.drop()
        self.subscribed = False
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
                await self._outbox.put(None)  # the writer's stop mark
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

    async def _pair(self, event: Event) -> bool:
        if not token_matches(self.station.token, event.data.get("token")):
            _LOGGER.warning("Refused a wrong pairing token from %s", self.peer)
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
            queued_events=self._outbox.qsize(),
            write_buffer=self._writer.transport.get_write_buffer_size(),
            streaming=self.transcription.streaming,
            pending_audio=self.transcription.pending_audio,
            ending=self.transcription.ending,
        )

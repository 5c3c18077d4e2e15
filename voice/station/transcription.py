"""Speech to text for one client: transcribe, audio-start, audio-chunk*, audio-stop.

One request at a time per connection. Audio is decoded by a `LiveFeed` while more is read
from the socket; audio-stop hands what is left to the end of the decode. Every error fails
only the request it belongs to (reported at once, the rest of its audio swallowed); the
connection stays open.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wyoming.audio import AudioStart
from wyoming.event import Event

from ..audio import SAMPLE_WIDTH, AudioTooLong, EmptyAudio, check_format
from ..errors import UnknownLanguage, VoiceError
from ..languages import language_key
from ..recognition.live import LiveFeed
from ..recognition.recognizer import ENGINES
from .errors import BadRequest, RecognitionFailed, UnexpectedEvent
from .events import transcript_event

if TYPE_CHECKING:
    from ..recognition.recognizer import RecognitionStream, Recognizer, Result
    from .station import Station

_LOGGER = logging.getLogger(__name__)


def _model_language(name: str) -> str:
    """The language of an ASR model name from our `info` ("pocketsphinx-en", "vosk-zh") or a
    short language used as a name ("zh", "en-US")."""
    engine, _, rest = name.strip().lower().partition("-")
    return language_key(rest if engine in ENGINES and rest else name)


@dataclass
class _Request:
    """One transcription and its live feed (decoding while the client sends)."""

    language: str
    stream: RecognitionStream | None = None
    feed: LiveFeed[str | None] | None = None
    rate: int = 0
    received: int = 0
    failed: bool = False  # an error was sent: swallow the rest of this request's audio


class Transcription:
    """The transcription state machine of one client connection."""

    def __init__(
        self,
        station: Station,
        send: Callable[[Event], Awaitable[None]],
        send_error: Callable[[VoiceError], Awaitable[None]],
        peer: str,
    ) -> None:
        self.station = station
        self._send = send
        self._send_error = send_error
        self._peer = peer
        self._request: _Request | None = None

    @property
    def streaming(self) -> bool:
        return self._request is not None and self._request.stream is not None

    @property
    def pending_audio(self) -> int:
        """Bytes received for the request in progress and not decoded yet."""
        request = self._request
        return request.feed.pending if request is not None and request.feed is not None else 0

    @property
    def ending(self) -> bool:
        """audio-stop came: the end of the utterance is being decoded."""
        request = self._request
        return (
            request is not None
            and not request.failed
            and request.feed is not None
            and request.feed.stopping
        )

    def recognizer(self, language: str) -> tuple[str, Recognizer]:
        key = language_key(language)
        recognizer = self.station.recognizers.get(key)
        if recognizer is None:
            raise UnknownLanguage(language=language, supported=", ".join(self.station.languages))
        return key, recognizer

    async def caught_up(self) -> None:
        """Wait until the audio received so far is decoded (ping is answered after it)."""
        request = self._request
        if request is not None and request.feed is not None:
            await request.feed.caught_up()

    async def drop(self) -> None:
        """The request in progress (if any) is abandoned: client gone, new request."""
        request, self._request = self._request, None
        if request is None:
            return
        await self._stop_feeding(request)
        if request.stream is not None:
            await self.station.close_stream(request.stream)

    async def _fail_request(self, err: VoiceError) -> None:
        """Report `err` once and swallow the rest of this request's audio."""
        request = self._request
        if request is None:
            self._request = _Request(language="", failed=True)
            await self._send_error(err)
        else:
            await self._fail(request, err)

    async def _fail(self, request: _Request, err: VoiceError) -> None:
        await self._stop_feeding(request)
        if request.stream is not None:
            stream, request.stream = request.stream, None
            await self.station.close_stream(stream)
        request.failed = True
        await self._send_error(err)

    async def _feed_failed(self, request: _Request, err: Exception) -> None:
        if not isinstance(err, VoiceError):
            _LOGGER.error("The recogniser failed on a chunk", exc_info=err)
            err = RecognitionFailed(detail=str(err) or type(err).__name__)
        await self._fail(request, err)

    @staticmethod
    async def _stop_feeding(request: _Request) -> bytes:
        """Let the decode in progress end; returns what was not decoded (one thread at a
        time may use a stream)."""
        if request.feed is None:
            return b""
        return await request.feed.stop()

    async def transcribe(self, event: Event) -> None:
        await self.drop()  # a new request abandons an unfinished one
        language = event.data.get("language")
        name = event.data.get("name")
        if not language and isinstance(name, str) and name.strip():
            language = _model_language(name)  # a model (or voice) name instead of a language
        language = language or self.station.languages[0]
        if not isinstance(language, str):
            await self._fail_request(
                BadRequest(event="transcribe", field="language", detail="not text")
            )
            return
        try:
            key, _ = self.recognizer(language)
        except VoiceError as err:
            await self._fail_request(err)
            return
        self._request = _Request(language=key)

    async def audio_start(self, event: Event) -> None:
        request = self._request
        if request is not None and request.failed:
            return
        if request is not None and request.stream is not None:
            await self.drop()  # restarted without audio-stop: start over
            request = None
        try:
            start = AudioStart.from_event(event)
            if not all(isinstance(v, int) for v in (start.rate, start.width, start.channels)):
                raise BadRequest(
                    event="audio-start",
                    field="rate",
                    detail="rate, width and channels must be integers",
                )
            check_format(start.rate, start.width, start.channels, name="audio-start")
        except KeyError as err:
            await self._fail_request(
                BadRequest(event="audio-start", field=str(err), detail="missing")
            )
            return
        except VoiceError as err:
            await self._fail_request(err)
            return
        if request is None:
            request = self._request = _Request(language=self.station.languages[0])
        recognizer = self.station.recognizers[request.language]
        try:
            request.stream = await self.station.open_stream(recognizer, start.rate, for_client=True)
        except VoiceError as err:
            await self._fail_request(err)
            return
        except Exception as err:  # the recogniser's own failure: this request only
            _LOGGER.exception("Opening a recognition stream failed")
            await self._fail_request(RecognitionFailed(detail=str(err) or type(err).__name__))
            return
        request.rate = start.rate
        request.feed = self._live_feed(request, request.stream)

    def _live_feed(self, request: _Request, stream: RecognitionStream) -> LiveFeed[str | None]:
        async def failed(err: Exception) -> None:
            await self._feed_failed(request, err)

        feed: LiveFeed[str | None] = LiveFeed(
            self.station.run_blocking, on_error=failed, name=f"bf feed {self._peer}"
        )
        feed.start(stream.feed)
        return feed

    async def audio_chunk(self, event: Event) -> None:
        request = self._request
        if request is not None and request.failed:
            return
        if request is None or request.stream is None or request.feed is None:
            await self._fail_request(
                UnexpectedEvent(
                    event="audio-chunk",
                    detail="it came before audio-start",
                    detail_zh="它在 audio-start 之前到达",
                )
            )
            return
        chunk = event.payload or b""
        rate = event.data.get("rate", request.rate)
        width = event.data.get("width", SAMPLE_WIDTH)
        channels = event.data.get("channels", 1)
        if (rate, width, channels) != (request.rate, SAMPLE_WIDTH, 1):
            await self._fail_request(
                UnexpectedEvent(
                    event="audio-chunk",
                    detail=f"its format ({rate} Hz, {width} bytes, {channels} channels) "
                    "differs from audio-start",
                    detail_zh="它的音频格式与 audio-start 不一致",
                )
            )
            return
        request.received += len(chunk)
        limit = self.station.config.max_seconds
        seconds = request.received / (SAMPLE_WIDTH * request.rate)
        if seconds > limit:
            await self._fail_request(AudioTooLong(name="request", seconds=seconds, limit=limit))
            return
        request.feed.add(chunk)

    async def audio_stop(self, event: Event) -> None:
        request = self._request
        if request is None:
            raise UnexpectedEvent(
                event="audio-stop",
                detail="no audio-start came before it",
                detail_zh="之前没有 audio-start",
            )
        last = await self._stop_feeding(request)  # handed over with the end: one decode
        if request.failed:
            self._request = None
            return
        stream, request.stream = request.stream, None
        self._request = None  # audio-stop ends the request, whatever happens below
        if stream is None:
            raise UnexpectedEvent(
                event="audio-stop",
                detail="no audio-start came before it",
                detail_zh="之前没有 audio-start",
            )
        if request.received < SAMPLE_WIDTH:
            await self.station.close_stream(stream)
            raise EmptyAudio(name="request")
        try:
            result: Result = await self.station.finish_stream(stream, last)
        except VoiceError:
            raise
        except Exception as err:
            _LOGGER.exception("The recogniser failed to finish")
            raise RecognitionFailed(detail=str(err) or type(err).__name__) from err
        await self._send(transcript_event(result, request.language))

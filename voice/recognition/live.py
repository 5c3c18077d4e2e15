"""Audio decoded while more of it arrives: the one live feeder of the station.

Both the station's transcription requests and room mode's utterances decode through a
`LiveFeed`. Audio that comes in while a decode runs waits, and is decoded in one go on the
next turn: a sender faster than real time (Home Assistant handing over a recording) gets
fewer, larger decodes, which pocketsphinx runs on both cores; a live one (a microphone) is
decoded as it is spoken, so at the end of the utterance only the last piece remains (that
piece goes with the end of the decode: `stop` hands it back for `RecognitionStream.finish`).

One decode runs at a time (a recognition stream is used from one thread at a time), always
through the owner's `run` (the station's threads, never the event loop).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

type Runner[T] = Callable[[Callable[[bytes], T], bytes], Awaitable[T]]


class LiveFeed[T]:
    """Feeds audio to `decode` (given to `start`) in the order it was added."""

    def __init__(
        self,
        run: Runner[T],
        *,
        on_decoded: Callable[[T], None] | None = None,
        on_error: Callable[[Exception], Awaitable[None]] | None = None,
        name: str = "bf live feed",
    ) -> None:
        self._run = run
        self._on_decoded = on_decoded  # told what each decode returned (a partial result)
        self._on_error = on_error  # told at once, from the feeder; else kept in `error`
        self._name = name
        self._decode: Callable[[bytes], T] | None = None
        self._pending = bytearray()  # added, not decoded yet
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.error: Exception | None = None  # what a decode raised; nothing is decoded after

    @property
    def pending(self) -> int:
        """Bytes added and not decoded yet."""
        return len(self._pending)

    @property
    def stopping(self) -> bool:
        """`stop` was called (or a decode failed): nothing more is decoded."""
        return self._stopping

    def start(self, decode: Callable[[bytes], T]) -> None:
        """Decode with `decode` from now on (audio added before waits for this)."""
        self._decode = decode
        self._kick()

    def add(self, pcm: bytes) -> None:
        if self._stopping or not pcm:
            return
        self._pending += pcm
        self._kick()

    async def caught_up(self) -> None:
        """Wait until the feeder is done with what it takes (everything added so far, unless
        it was stopped). Called from the feeder itself (an error handler), it returns at once."""
        task = self._task
        if task is not None and task is not asyncio.current_task():
            await asyncio.wait([task])

    async def stop(self) -> bytes:
        """Decode no more: let the decode in progress end; returns the audio not decoded."""
        self._stopping = True
        await self.caught_up()
        rest = bytes(self._pending)
        self._pending.clear()
        return rest

    def _kick(self) -> None:
        if self._decode is None or self._stopping or not self._pending:
            return
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._feed(self._decode), name=self._name)

    async def _feed(self, decode: Callable[[bytes], T]) -> None:
        while self._pending and not self._stopping:
            audio = bytes(self._pending)
            self._pending.clear()
            # shielded: a cancelled wait must not leave the stream in use by a thread
            decoding = asyncio.ensure_future(self._run(decode, audio))
            try:
                decoded = await asyncio.shield(decoding)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await decoding
                raise
            except Exception as err:
                self._stopping = True
                self._pending.clear()
                self.error = err
                if self._on_error is not None:
                    await self._on_error(err)
                return
            if self._on_decoded is not None:
                self._on_decoded(decoded)

"""What a recognition engine provides to `voice.recognition` (Vosk, pocketsphinx).

Kept apart so the recogniser logic (versions, streams, snapping, rejection) is written once
and each engine only has to decode 16 kHz PCM with a grammar.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Protocol

from .phrases import PhraseSet, WordGraph


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except AttributeError, OSError:  # not glibc: its allocator may keep memory, or not
        return None
    return trim


def give_back_memory() -> None:
    """Return the C heap that freed decoders leave behind to the system (~0.3 ms).

    glibc keeps freed memory mapped in its arenas: 12 pocketsphinx decoders freed down to 4
    pooled ones left the process at 319 MB instead of 189 MB until trimmed.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@dataclass(frozen=True, slots=True)
class Grammar:
    """One version of the phrase list, compiled for an engine."""

    version: int
    phrases: PhraseSet | None  # None: free mode
    source: str | None = None  # engine grammar text (Vosk JSON); None in free mode
    graph: WordGraph | None = None  # the same as a word graph (pocketsphinx FSG)
    digits: tuple[str, ...] = ()  # digit words also allowed as 1..8-digit strings (a PIN)


class Decoder(Protocol):
    """One engine decoder, busy with at most one utterance."""

    def accept(self, pcm: bytes) -> None:
        """Decode 16 kHz 16-bit mono PCM."""

    def partial(self) -> str:
        """Current best text (may change)."""
        ...

    def finish(self) -> tuple[str, float]:
        """End of utterance: (raw text, engine confidence 0..1); ready for reuse after."""
        ...

    def abandon(self) -> None:
        """Stop the utterance without a result; ready for reuse after."""

    def discard(self) -> None:
        """Free the decoder; it is not used again."""


class Backend(Protocol):
    """A loaded model able to make decoders for grammar versions."""

    engine: str
    model_path: str | None
    min_similarity: float  # snapping score below which a result is rejected
    min_confidence: float  # engine confidence below which a result is rejected

    @property
    def vocabulary(self) -> Container[str] | None:
        """Words the model can say (None: cannot be checked)."""
        ...

    def prepare(self, phrases: PhraseSet | None, version: int, digits: bool = False) -> Grammar:
        """Compile a phrase list (fast: no model reload); `digits`: also digit strings."""
        ...

    def acquire(self, grammar: Grammar) -> Decoder:
        """A decoder ready to decode with `grammar` (pooled where creation is costly)."""
        ...

    def release(self, grammar: Grammar, decoder: Decoder) -> None:
        """Take back a decoder after finish/abandon (pool it or free it)."""

    def retire(self, current: Grammar) -> None:
        """`current` is now in force: drop pooled state of older versions."""

    def close(self) -> None:
        """Free the model and every pooled decoder."""


class Pool[T]:
    """Idle decoders, bounded, safe to use from many threads."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._idle: list[T] = []
        self._lock = threading.Lock()

    def take(self) -> T | None:
        with self._lock:
            return self._idle.pop() if self._idle else None

    def give(self, item: T) -> bool:
        """Keep `item` for reuse; False when the pool is full (the caller frees it)."""
        with self._lock:
            if len(self._idle) >= self._limit:
                return False
            self._idle.append(item)
            return True

    def full(self) -> bool:
        with self._lock:
            return len(self._idle) >= self._limit

    def drain(self) -> list[T]:
        with self._lock:
            items, self._idle = self._idle, []
            return items

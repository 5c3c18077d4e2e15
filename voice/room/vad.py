"""The voice detector: finds utterances in a stream of 16-bit mono PCM by frame energy."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..audio import SAMPLE_WIDTH
from ..recognition.phrases import Said


@dataclass
class VadSettings:
    """Energy detector tuning; times in milliseconds."""

    frame_ms: int = 30
    start_ms: int = 90  # this much loud audio starts an utterance
    end_ms: int = 600  # this much quiet ends it
    # ...or less once the decoder's partial result is a command of the phrase list (only for
    # audio that comes in real time, when the decoder keeps up with the detector):
    phrase_end_ms: int = 450  # a command that a longer one goes on from ("... in the hall")
    whole_end_ms: int = 300  # a command that no longer one goes on from
    pre_roll_ms: int = 300  # kept from before the start, so first syllables are not cut
    min_speech_ms: int = 200  # shorter bursts (a knock, a click) are ignored
    floor: float = 300.0  # RMS below this is never speech (about -40 dBFS)
    ratio: float = 3.0  # ...and speech is this much louder than the noise level (~10 dB)


@dataclass(frozen=True, slots=True)
class Utterance:
    pcm: bytes
    rate: int
    start: float  # seconds from the start of the input


@dataclass(frozen=True, slots=True)
class VadEvent:
    """What the detector found in a piece of audio, so that speech is decoded as it comes.

    "start": speech began (`pcm`: the pre-roll and the first loud frames); "audio": more of
    the same utterance (`pcm`); "end": it ended (`utterance`: all of it, or None when it was
    too short to be speech, a knock or a click: drop what was decoded).
    """

    kind: Literal["start", "audio", "end"]
    pcm: bytes = b""
    utterance: Utterance | None = None


class EnergyVad:
    """Finds utterances in a stream of 16-bit mono PCM by frame energy.

    The noise level follows the quiet frames, so a fan or a fridge raises the bar; a fixed
    floor keeps digital silence (WAV files, synthesised speech) from making every breath speech.
    """

    def __init__(self, rate: int, max_seconds: float, settings: VadSettings | None = None) -> None:
        self.rate = rate
        self.settings = s = settings or VadSettings()
        self._frame = rate * s.frame_ms // 1000 * SAMPLE_WIDTH
        self._start_frames = max(1, s.start_ms // s.frame_ms)
        self._end_frames = max(1, s.end_ms // s.frame_ms)
        self._quiet_frames = {  # quiet that ends an utterance, by what was said so far
            Said.PART: self._end_frames,
            Said.PHRASE: max(1, min(s.phrase_end_ms, s.end_ms) // s.frame_ms),
            Said.WHOLE: max(1, min(s.whole_end_ms, s.end_ms) // s.frame_ms),
        }
        self.said = Said.PART  # set from the decoder's partial result
        self._min_frames = max(1, s.min_speech_ms // s.frame_ms)
        self._max_bytes = int(max_seconds * rate) * SAMPLE_WIDTH
        self._pre: deque[bytes] = deque(maxlen=max(1, s.pre_roll_ms // s.frame_ms))
        self._pending = b""
        self._noise = s.floor / s.ratio
        self._loud = 0
        self._quiet = 0
        self._voiced = 0
        self._speech: list[bytes] | None = None
        self._speech_bytes = 0
        self._frames_seen = 0
        self._start_frame = 0

    def _is_loud(self, frame: bytes) -> bool:
        samples = np.frombuffer(frame, dtype="<i2").astype(np.float64)
        rms = float(np.sqrt(np.mean(samples * samples))) if len(samples) else 0.0
        loud = rms > max(self.settings.floor, self._noise * self.settings.ratio)
        if not loud:
            self._noise = 0.95 * self._noise + 0.05 * max(rms, 1.0)
        return loud

    def process(self, pcm: bytes) -> list[Utterance]:
        """Feed audio; returns the utterances that ended within it."""
        return [e.utterance for e in self.feed(pcm) if e.utterance is not None]

    def feed(self, pcm: bytes) -> list[VadEvent]:
        """Feed audio; returns what happened in it, in order (consecutive audio merged)."""
        data = self._pending + pcm
        events: list[VadEvent] = []
        cut = len(data) - len(data) % self._frame
        self._pending = data[cut:]
        for offset in range(0, cut, self._frame):
            self._frames_seen += 1
            for event in self._step(data[offset : offset + self._frame]):
                if event.kind == "audio" and events and events[-1].kind in ("start", "audio"):
                    last = events[-1]
                    events[-1] = VadEvent(last.kind, last.pcm + event.pcm)
                else:
                    events.append(event)
        return events

    def _step(self, frame: bytes) -> tuple[VadEvent, ...]:
        loud = self._is_loud(frame)
        if self._speech is None:
            self._pre.append(frame)
            self._loud = self._loud + 1 if loud else 0
            if self._loud >= self._start_frames:
                self._speech = list(self._pre)
                self._speech_bytes = sum(len(f) for f in self._speech)
                self._start_frame = self._frames_seen - len(self._speech)
                self._pre.clear()
                self._quiet = 0
                self._voiced = self._loud
                self.said = Said.PART
                return (VadEvent("start", b"".join(self._speech)),)
            return ()
        self._speech.append(frame)
        self._speech_bytes += len(frame)
        if loud:
            self._quiet = 0
            self._voiced += 1
        else:
            self._quiet += 1
        audio = VadEvent("audio", frame)
        quiet_enough = self._quiet_frames[self.said]
        if self._quiet >= quiet_enough or self._speech_bytes + self._frame > self._max_bytes:
            end = self._end()
            return (audio, end) if end is not None else (audio,)
        return (audio,)

    def _end(self) -> VadEvent | None:
        speech, self._speech = self._speech, None
        self._loud = 0
        self.said = Said.PART
        if speech is None:
            return None
        if self._voiced < self._min_frames:
            return VadEvent("end")
        start = self._start_frame * self.settings.frame_ms / 1000
        return VadEvent("end", utterance=Utterance(b"".join(speech), self.rate, start))

    def finish(self) -> list[VadEvent]:
        """End of input: the rest of the utterance in progress and its end, if any."""
        pending, self._pending = self._pending, b""
        if self._speech is None:
            return []
        events = []
        if pending:
            self._speech.append(pending)
            events.append(VadEvent("audio", pending))
        end = self._end()
        return [*events, end] if end is not None else events

    def flush(self) -> Utterance | None:
        """End of input: the utterance in progress, if any."""
        return next((e.utterance for e in self.finish() if e.utterance is not None), None)

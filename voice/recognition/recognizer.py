"""Offline speech recognition: one interface over Vosk and pocketsphinx.

A `Recognizer` holds one loaded model and is shared by every client of the station; each
utterance gets its own `RecognitionStream`. In phrase mode the engine decodes with a grammar
built from the home's phrase list, then the raw text is snapped to the nearest allowed phrase
and speech that fits no phrase (a TV, a visitor's chat) is rejected instead of guessed.

Phrase lists are versioned: `set_phrases` compiles a new version without reloading the model,
and a stream keeps the version it started with until it finishes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..audio import MAX_RATE, MIN_RATE, BadSampleRate, Resampler
from ..errors import EngineUnavailable, VoiceError
from ..languages import recognition_language
from ..models import ModelMissing, find_model
from ..whisper_model import builtin_folder, require_builtin
from .engine import Grammar
from .phrases import PhraseReport, PhraseSet, Said, digit_words, normalise, parse_digits
from .trimming import trim_silence

if TYPE_CHECKING:
    from .engine import Backend, Decoder

__all__ = [
    "ENGINES",
    "PhraseReport",
    "RecognitionStream",
    "Recognizer",
    "RecognizerClosed",
    "Result",
    "StreamFinished",
    "load_recognizer",
]

ENGINES = ("vosk", "pocketsphinx", "whisper")
ENGINE_RATE = 16000  # every engine's model is trained on 16 kHz audio


class RecognizerClosed(VoiceError):
    code = "recognizer_closed"
    en = "The speech recogniser has been closed."
    zh = "语音识别器已关闭。"


class StreamFinished(VoiceError):
    code = "stream_finished"
    en = "This recognition stream has already finished; start a new one."
    zh = "此识别流已结束，请开始新的识别。"


@dataclass(frozen=True, slots=True)
class Result:
    """The final outcome of one utterance."""

    text: str  # normalised raw recogniser text (Mandarin: spaces between Han removed)
    phrase: str | None  # snapped allowed phrase; None if rejected or in free mode
    score: float  # 0..1 similarity of text to the nearest phrase; 0.0 when no phrases
    rejected: bool  # True: out of domain (or nothing heard): the caller must not act
    language: str
    # True: the utterance was only digit words (allowed by set_phrases(..., digits=True));
    # `phrase` is then the digit string ("1234"), `text` still the words heard
    digits: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "phrase": self.phrase,
            "score": self.score,
            "rejected": self.rejected,
            "language": self.language,
            "digits": self.digits,
        }


class Recognizer:
    """One loaded model; thread-safe; shared by many streams."""

    def __init__(self, language: str, backend: Backend) -> None:
        self.language = language
        self.engine = backend.engine
        self.model_path = backend.model_path
        self._backend = backend
        self._lock = threading.Lock()
        self._closed = False
        self._grammar = backend.prepare(None, version=0)
        self._free = self._grammar  # free recognition, whatever the list in force
        self._version = 0
        self._listed: PhraseSet | None = None  # the phrases given, before digits are added
        self._digits = False

    @property
    def phrases(self) -> PhraseSet | None:
        """The phrase list in force (None in free mode)."""
        return self._grammar.phrases

    @property
    def version(self) -> int:
        """Version of the phrase list in force (each `set_phrases` makes a new one)."""
        return self._grammar.version

    def set_phrases(self, phrases: Sequence[str] | None, digits: bool = False) -> PhraseReport:
        """Constrain recognition to `phrases` (None or [] = free mode). Never reloads the model.

        `digits`: an utterance of only 1-8 digit words ("one two three four", "一二三四") is
        also accepted and returned as the digit string (`Result.phrase` "1234",
        `Result.digits` True), for a PIN said as a reply. With `digits` and no phrases only
        digit strings are accepted (instead of free mode).
        Streams already running keep the list they started with.
        """
        self._check_open()
        listed = None
        if phrases:
            listed = PhraseSet.compile(phrases, self.language, self._backend.vocabulary)
        self._put_in_force(listed, digits)
        if listed is None:
            empty = sum(1 for p in phrases or () if not normalise(p, self.language))
            return PhraseReport(count=0, empty=empty)
        return listed.report

    def expect_digits(self, digits: bool) -> None:
        """Hear digit strings besides the list in force (a PIN is asked for), or stop.

        The list is not segmented again: only the engine's grammar is made anew (a new
        version, as with `set_phrases`)."""
        self._check_open()
        with self._lock:
            listed = self._listed
        self._put_in_force(listed, digits)

    @property
    def digits(self) -> bool:
        """Whether digit strings are heard besides the phrases."""
        return self._digits

    def _put_in_force(self, listed: PhraseSet | None, digits: bool) -> None:
        compiled = listed
        if compiled is None and digits:
            compiled = PhraseSet.compile((), self.language, self._backend.vocabulary)
        with self._lock:
            self._version += 1
            version = self._version
        sayable = digits and bool(digit_words(self.language, self._backend.vocabulary))
        if compiled is not None and not compiled.phrases and not sayable:
            # nothing usable: no engine grammar (an empty Vosk grammar crashes Kaldi), every
            # utterance is rejected without decoding
            grammar: Grammar = _NothingToHear(version, compiled)
        else:
            grammar = self._backend.prepare(compiled, version=version, digits=digits)
        with self._lock:
            if grammar.version == self._version:  # a later call may have won the race
                self._grammar = grammar
                self._listed = listed
                self._digits = digits
                self._backend.retire(grammar)

    def stream(self, sample_rate: int) -> RecognitionStream:
        """A new utterance at `sample_rate` Hz (8 kHz to 192 kHz, resampled inside)."""
        if not MIN_RATE <= sample_rate <= MAX_RATE:
            raise BadSampleRate(name="stream", rate=sample_rate, low=MIN_RATE, high=MAX_RATE)
        with self._lock:
            self._check_open()
            grammar = self._grammar
        decoder: Decoder
        if isinstance(grammar, _NothingToHear):
            decoder = _DeafDecoder()
        else:
            decoder = self._backend.acquire(grammar)
        return RecognitionStream(self, grammar, decoder, sample_rate)

    def transcribe(self, pcm: bytes, sample_rate: int) -> Result:
        """Recognise a whole buffer of 16-bit mono PCM (leading/trailing silence trimmed)."""
        stream = self.stream(sample_rate)
        try:
            # handed over with the end of the utterance: no partial text is worked out for it
            return stream.finish(trim_silence(pcm, sample_rate))
        finally:
            stream.cancel()

    def transcribe_freely(self, pcm: bytes, sample_rate: int) -> str:
        """What the model makes of `pcm` without the phrase list (any words: an installer's
        microphone check), normalised; "" when nothing was made out."""
        with self._lock:
            self._check_open()
        stream = RecognitionStream(self, self._free, self._backend.acquire(self._free), sample_rate)
        try:
            return stream.finish(trim_silence(pcm, sample_rate)).text
        finally:
            stream.cancel()

    def close(self) -> None:
        """Free the model. Streams still running may finish; new ones are refused."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._backend.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RecognizerClosed

    def _release(self, grammar: Grammar, decoder: Decoder) -> None:
        with self._lock:
            keep = not self._closed
        if isinstance(decoder, _DeafDecoder):
            return
        if keep:
            self._backend.release(grammar, decoder)
        else:
            decoder.discard()

    def _judge(self, grammar: Grammar, text: str, confidence: float) -> Result:
        """Snap `text` to the grammar's phrases and decide whether to reject it."""
        phrases = grammar.phrases
        if phrases is None:
            return Result(text, None, 0.0, not text, self.language)
        if not text:
            return Result(text, None, 0.0, True, self.language)
        if grammar.digits:
            said = parse_digits(text, self.language)
            if said is not None:
                accepted = confidence >= self._backend.min_confidence
                return Result(
                    text, said if accepted else None, 1.0, not accepted, self.language, True
                )
        snap = phrases.snap(text)
        accepted = (
            snap.phrase is not None
            and snap.score >= self._backend.min_similarity
            and confidence >= self._backend.min_confidence
        )
        return Result(
            text, snap.phrase if accepted else None, snap.score, not accepted, self.language
        )


class _NothingToHear(Grammar):
    """A phrase list in which no phrase can be said by the model."""


class _DeafDecoder:
    """Stands in for an engine when no phrase is usable: hears nothing, costs nothing."""

    def accept(self, pcm: bytes) -> None:
        return None

    def partial(self) -> str:
        return ""

    def finish(self) -> tuple[str, float]:
        return "", 0.0

    def abandon(self) -> None:
        return None

    def discard(self) -> None:
        return None


class RecognitionStream:
    """One utterance; used from one thread at a time."""

    def __init__(
        self, owner: Recognizer, grammar: Grammar, decoder: Decoder, sample_rate: int
    ) -> None:
        self.sample_rate = sample_rate
        self._owner = owner
        self._grammar = grammar
        self._decoder: Decoder | None = decoder
        self._resampler = Resampler(sample_rate, ENGINE_RATE)
        self._partial = ""

    @property
    def version(self) -> int:
        """Version of the phrase list this stream decodes with (the one in force at its start)."""
        return self._grammar.version

    def feed(self, pcm: bytes) -> str | None:
        """Decode `pcm` now; return the partial text if it changed, else None."""
        decoder = self._live()
        audio = self._resampler.process(pcm)
        if not audio:
            return None
        decoder.accept(audio)
        partial = normalise(decoder.partial(), self._owner.language)
        if partial != self._partial:
            self._partial = partial
            return partial
        return None

    def said(self, text: str) -> Said:
        """How complete `text` (a partial result) is as a command of this stream's phrase
        list (see `PhraseSet.said`)."""
        phrases = self._grammar.phrases
        return phrases.said(text) if phrases is not None else Said.PART

    def finish(self, last: bytes = b"") -> Result:
        """Decode `last` (the end of the utterance, if not fed yet), flush the decoder, snap to
        the phrase list in force when the stream began."""
        decoder = self._live()
        self._decoder = None
        try:
            tail = self._resampler.process(last) + self._resampler.process(b"", final=True)
            if tail:
                decoder.accept(tail)
            raw, confidence = decoder.finish()
        except BaseException:
            decoder.discard()
            raise
        self._owner._release(self._grammar, decoder)
        text = normalise(raw, self._owner.language)
        return self._owner._judge(self._grammar, text, confidence)

    def cancel(self) -> None:
        """Drop the utterance (client gone); safe to call at any time, more than once."""
        decoder, self._decoder = self._decoder, None
        if decoder is not None:
            decoder.abandon()
            self._owner._release(self._grammar, decoder)

    def _live(self) -> Decoder:
        if self._decoder is None:
            raise StreamFinished
        return self._decoder


def load_recognizer(
    language: str, model: str | Path | None = None, engine: str | None = None
) -> Recognizer:
    """Load a recogniser for `language` ('en', 'zh', 'ko' and their usual aliases).

    `model` is a Vosk (or Whisper) model folder. Without one, English uses pocketsphinx's
    built-in model and other languages ask `voice.models` for the installed Vosk model; when
    there is none, Mandarin uses the built-in Whisper model (`voice.whisper_model`), else the
    store says how to install one. Nothing is ever downloaded.
    """
    lang = recognition_language(language)
    engine_requested = engine is not None
    if engine is None:
        engine = "pocketsphinx" if lang == "en" and model is None else "vosk"
        if model is not None and (Path(model) / "tokenizer.json").is_file():
            engine = "whisper"  # a CTranslate2 Whisper folder given as the model
    if engine == "whisper":
        folder = Path(model) if model is not None else require_builtin()
        return Recognizer(lang, _whisper(folder, lang))
    if engine not in ENGINES:
        raise EngineUnavailable(
            engine=engine, language=lang, detail=f"use one of {', '.join(ENGINES)}"
        )
    if engine == "pocketsphinx":
        if lang != "en":
            raise EngineUnavailable(
                engine=engine, language=lang, detail="its built-in model is US English only"
            )
        from .sphinx_engine import SphinxBackend  # noqa: PLC0415 - load engines on demand

        return Recognizer(lang, SphinxBackend(model))
    if model is None:
        try:
            model = find_model(lang)
        except ModelMissing:
            builtin = builtin_folder() if lang == "zh" and not engine_requested else None
            if builtin is None:
                raise  # it says how to install a Vosk model
            return Recognizer(lang, _whisper(builtin, lang))
    from .vosk_engine import VoskBackend  # noqa: PLC0415 - load engines on demand

    return Recognizer(lang, VoskBackend(Path(model), lang))


def _whisper(folder: Path, language: str) -> Backend:
    from .whisper_engine import WhisperBackend  # noqa: PLC0415 - load engines on demand

    return WhisperBackend(folder, language)

"""pocketsphinx engine: the US-English model shipped in its wheel (no download).

Phrase lists become a finite-state grammar (what JSGF compiles to), built directly as a
minimal word graph: a flat JSGF list of 1,000 alternatives decoded at a real-time factor of
0.58 (1.2 s for a 2 s command), the merged graph at 0.013.

Creating a pocketsphinx Decoder loads the acoustic model (~0.15 s), so decoders are pooled
and a phrase-list version is added to a decoder as a named search, never by reloading.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pocketsphinx

from .engine import Decoder, Grammar, Pool
from .phrases import PhraseSet, digit_words, with_digits, word_graph
from .recognition import ModelFolderMissing, ModelLoadFailed, NotAModel

FREE_SEARCH = "free"
PHONE_SEARCH = "phones"
IDLE_DECODERS = 4
PHONE_LOOP_LW = 2.0  # phone bigram weight of the unconstrained decode (default 6.5: too
# strong, the phone loop then explains half an utterance as silence)

# Rejection: likelihood ratios of the phrase grammar against an unconstrained decode.
# Beside the grammar decoder, every phrase-mode utterance is also decoded by a phone loop
# (allphone search: any phone sequence, phone bigram), fed the same audio chunk by chunk as it
# arrives (RTF ~0.04; bench/speech_core.py). Both report per-segment acoustic scores (log base
# 1.0001, already relative to the best senone of each frame). For the words the grammar found:
# - coverage = frames the grammar explains as words / frames the phone loop hears as phones.
#   Speech the grammar cannot say is pushed into silence: out-of-domain sentences covered
#   0.26-0.56 of their speech, correct commands 0.86-1.69 (stop closures that the phone loop
#   calls silence push it above 1).
# - fit = (grammar acoustic score - phone-loop score over the same frames) per word frame: how
#   much worse the allowed words explain the sound than free phones. Correct commands -44.5
#   to +3; out-of-domain speech squeezed into a phrase of its own length -61 to -29.
# - stretch = phone-loop phones inside one word / the word's own phones: correct commands
#   <= 1.67; a sentence swallowed by one long word ("the" over 2.2 s of TV news) 11.5.
# Measured on espeak-ng voices en-us, en+f3, en+m3 at 130/175/220 words/min and 16/44.1 kHz
# and pyttsx3 (what `python -m voice say` writes) at the same rates, 20 commands and 14
# out-of-domain sentences, grammars of 20 and 1,000 phrases. All three compare two decodes of
# the same audio, so voice, speaking rate, loudness and sample rate cancel out; the absolute
# per-frame path score used before (boundary -32.5) rejected the pyttsx3 commands (-36 per
# frame) and 8 of 114 correct espeak-ng ones (down to -40.6).
# Boundaries (logistic, the weakest of the three counts): coverage 0.72, fit -52, stretch 4.
# Not caught: near-misses sharing most sounds with a command ("lock the back door" -> "lock
# the front door": coverage ~1, fit like a command), and short chat of a command's length
# heard as that command ("please pass the salt" -> "is the front door locked", fit -35; with
# a 3-phrase list "one two three four" -> "lock the front door", fit -31.5).
MIN_SIMILARITY = 0.8
COVERAGE_AT_HALF = 0.72
COVERAGE_SPREAD = 0.04
FIT_AT_HALF = -52.0
FIT_SPREAD = 3.0
# A digit string is held to stricter boundaries: a loop of ten words is almost as free as the
# phone loop, so chat fits it ("good morning" -> "two four two", fit -29 to -38, coverage ~1).
# Correct espeak-ng digit strings fit at -14 to -23, misheard ones (an inserted or swapped
# digit) at -24.8 to -35: a PIN that is not sure is rejected and asked again.
DIGIT_COVERAGE_AT_HALF = 0.85
DIGIT_FIT_AT_HALF = -23.5
DIGIT_FIT_SPREAD = 1.0
# and no digit may stretch over more sound than its own phones (correct strings: 1.0; espeak-ng
# "confirm" heard as "two two" through room mode: 2.0, and accepted without this bound)
DIGIT_STRETCH_AT_HALF = 1.75
DIGIT_STRETCH_SPREAD = 0.1
STRETCH_AT_HALF = 4.0
STRETCH_SPREAD = 0.3
MIN_CONFIDENCE = 0.5
UNDERFLOW = -1000.0  # per frame, for a segment whose score underflowed to 0.0


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def _is_word(word: str) -> bool:
    """A word of the grammar, not silence or a filler (<sil>, (NULL), [NOISE], +BREATH+)."""
    return bool(word) and word[0] not in "<([+"


def _is_phone(phone: str) -> bool:
    return phone != "SIL" and not phone.startswith("+")


def _segments(decoder: pocketsphinx.Decoder) -> list[tuple[str, int, int, float]]:
    """(word, first frame, last frame, acoustic log score) of the current hypothesis."""
    logmath = decoder.get_logmath()
    found = []
    for seg in decoder.seg() or ():
        frames = seg.end_frame - seg.start_frame + 1
        if frames <= 0:
            continue
        score = logmath.log(seg.ascore) if seg.ascore > 0.0 else UNDERFLOW * frames
        found.append((seg.word, seg.start_frame, seg.end_frame, float(score)))
    return found


@dataclass(frozen=True, slots=True)
class Fit:
    """How a grammar decode compares with the phone-loop decode of the same audio."""

    coverage: float  # frames explained as words / frames the phone loop hears as phones
    fit: float  # acoustic log-likelihood ratio per word frame (grammar - phone loop)
    stretch: float  # most phone-loop phones inside one word / the word's own phone count


def fit_to_speech(
    words: list[tuple[str, int, int, float]],
    phones: list[tuple[str, int, int, float]],
    phone_count: Callable[[str], int] = lambda word: 1,
) -> Fit:
    """Compare a grammar decode (`words`) with the phone-loop decode (`phones`)."""
    word_spans = [(w, a, b, score) for w, a, b, score in words if _is_word(w)]
    word_frames = sum(b - a + 1 for _, a, b, _ in word_spans)
    heard = [(a, b, score) for w, a, b, score in phones if _is_phone(w)]
    phone_frames = sum(b - a + 1 for a, b, _ in heard)
    if not word_frames or not phone_frames:
        return Fit(0.0, UNDERFLOW, math.inf)
    last = max(b for _, _, b, _ in phones)
    per_frame = [0.0] * (last + 1)
    for _, a, b, score in phones:
        share = score / (b - a + 1)
        for frame in range(a, b + 1):
            per_frame[frame] = share
    ratio = sum(score - sum(per_frame[a : b + 1]) for _, a, b, score in word_spans)
    stretch = max(
        sum(1 for c, d, _ in heard if a <= (c + d) / 2 <= b) / max(1, phone_count(w))
        for w, a, b, _ in word_spans
    )
    return Fit(word_frames / phone_frames, ratio / word_frames, stretch)


def confidence(found: Fit, digits: bool = False) -> float:
    """0..1 from the ratios (logistic around the measured boundaries; the weakest counts)."""
    if digits:
        return min(
            _logistic((found.coverage - DIGIT_COVERAGE_AT_HALF) / COVERAGE_SPREAD),
            _logistic((found.fit - DIGIT_FIT_AT_HALF) / DIGIT_FIT_SPREAD),
            _logistic((DIGIT_STRETCH_AT_HALF - found.stretch) / DIGIT_STRETCH_SPREAD),
        )
    return min(
        _logistic((found.coverage - COVERAGE_AT_HALF) / COVERAGE_SPREAD),
        _logistic((found.fit - FIT_AT_HALF) / FIT_SPREAD),
        _logistic((STRETCH_AT_HALF - found.stretch) / STRETCH_SPREAD),
    )


class ModelFiles(NamedTuple):
    acoustic: Path
    dictionary: Path
    lm: Path
    phone_lm: Path | None  # None: the phone loop treats every phone pair alike


def _model_files(model: str | Path | None) -> ModelFiles:
    """The files of a pocketsphinx model folder.

    The layout is the one pocketsphinx ships: <folder>/en-us/ (acoustic model),
    <folder>/cmudict-en-us.dict, <folder>/en-us.lm.bin and <folder>/en-us-phone.lm.bin.
    """
    base = Path(model) if model is not None else Path(pocketsphinx.get_model_path()) / "en-us"
    if not base.exists():
        raise ModelFolderMissing(path=base)
    acoustic, dictionary, lm = base / "en-us", base / "cmudict-en-us.dict", base / "en-us.lm.bin"
    missing = [
        what
        for what, ok in (
            ("acoustic model en-us/mdef", (acoustic / "mdef").is_file()),
            ("dictionary cmudict-en-us.dict", dictionary.is_file()),
        )
        if not ok
    ]
    if missing:
        raise NotAModel(path=base, engine="pocketsphinx", missing="; ".join(missing))
    phone_lm = base / "en-us-phone.lm.bin"
    return ModelFiles(acoustic, dictionary, lm, phone_lm if phone_lm.is_file() else None)


def _read_dictionary(path: Path) -> frozenset[str]:
    """Words of a CMU-style dictionary ('word(2)' alternative pronunciations folded)."""
    words = set()
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            word = line.split(" ", 1)[0]
            if word:
                words.add(word.split("(", 1)[0])
    return frozenset(words)


class SphinxDecoder:
    """One pocketsphinx Decoder with the searches (phrase versions) added to it, and in phrase
    mode a phone-loop decoder fed the same audio (see `fit_to_speech`)."""

    def __init__(self, files: ModelFiles, cmn: str | None = None) -> None:
        # bestpath off: the lattice rescoring pass cut the last word of short commands
        # ("turn on the fan" -> "turn on the") in 11 of 40 test utterances; off, 1 of 40.
        self._decoder = pocketsphinx.Decoder(
            hmm=str(files.acoustic),
            dict=str(files.dictionary),
            lm=None,
            loglevel="FATAL",
            bestpath=False,
        )
        # No dictionary: the phone loop needs only the acoustic model (loads in ~15 ms).
        self._phones = pocketsphinx.Decoder(
            hmm=str(files.acoustic), dict=None, lm=None, loglevel="FATAL", lw=PHONE_LOOP_LW
        )
        phone_lm = str(files.phone_lm) if files.phone_lm is not None else None
        self._phones.add_allphone_file(PHONE_SEARCH, phone_lm)
        self._phones.activate_search(PHONE_SEARCH)
        self._lm = files.lm
        self._searches: set[str] = set()
        self._active: str | None = None
        self._in_utterance = False
        self._checking = False  # phrase mode: the phone loop runs alongside
        self._digits: frozenset[str] = frozenset()
        # A decoder that has never heard speech has the model's initial cepstral mean; live
        # normalisation then needs most of an utterance to adapt, and a fresh decoder heard
        # "turn off the kitchen light" as "turn on ...". Seeded with the mean of an earlier
        # utterance (`cmn`) it is as good as a used one; without, its first utterance is
        # kept and decoded once more at the end with the utterance's own mean (batch CMN).
        self._fresh = cmn is None
        if cmn is not None:
            self._decoder.set_cmn(cmn)
            self._phones.set_cmn(cmn)
        self._audio: list[bytes] = []

    def use(self, grammar: Grammar) -> None:
        """Activate `grammar` (adding it once), drop older versions, start an utterance."""
        name = self._add(grammar)
        for old in self._searches - {name, FREE_SEARCH}:
            self._decoder.remove_search(old)
        self._searches &= {name, FREE_SEARCH}
        if self._active != name:  # current_search() crashes before any search is active
            self._decoder.activate_search(name)
            self._active = name
        # The live cepstral mean carries over from the decoder's previous utterance on
        # purpose: reset to the model's initial value, 4 of 20 test commands were lost.
        self._decoder.start_utt()
        self._checking = grammar.graph is not None
        self._digits = frozenset(grammar.digits)
        if self._checking:
            self._phones.start_utt()
        self._audio = []
        self._in_utterance = True

    def _add(self, grammar: Grammar) -> str:
        graph = grammar.graph
        if graph is None:
            name = FREE_SEARCH
            if name not in self._searches:
                self._decoder.add_lm_file(name, str(self._lm))
        else:
            name = f"v{grammar.version}"
            if name not in self._searches:
                fsg = self._decoder.create_fsg(
                    name,
                    graph.start,
                    graph.final,
                    [(a, b, p) if w is None else (a, b, p, w) for a, b, p, w in graph.transitions],
                )
                self._decoder.add_fsg(name, fsg)
        self._searches.add(name)
        return name

    def accept(self, pcm: bytes) -> None:
        self._decoder.process_raw(pcm, False, False)
        if self._checking:
            self._phones.process_raw(pcm, False, False)
        if self._fresh:
            self._audio.append(pcm)

    def partial(self) -> str:
        hyp = self._decoder.hyp()
        return hyp.hypstr if hyp is not None else ""

    def finish(self) -> tuple[str, float]:
        self._end()
        if self._fresh and self._audio:
            self._again_with_batch_cmn(b"".join(self._audio))
        self._audio = []
        hyp = self._decoder.hyp()
        if hyp is None or not hyp.hypstr or self._decoder.n_frames() <= 0:
            return "", 0.0
        if not self._checking:
            return hyp.hypstr, 1.0  # free mode: nothing to reject but silence
        words = _segments(self._decoder)
        found = fit_to_speech(words, _segments(self._phones), self._phone_count)
        said = {w.split("(", 1)[0] for w, _, _, _ in words if _is_word(w)}
        return hyp.hypstr, confidence(found, digits=bool(said) and said <= self._digits)

    def _phone_count(self, word: str) -> int:
        pronunciation = self._decoder.lookup_word(word) or self._decoder.lookup_word(
            word.split("(", 1)[0]
        )
        return len(pronunciation.split()) if pronunciation else 1

    def _again_with_batch_cmn(self, audio: bytes) -> None:
        """Decode the whole first utterance again, normalised by its own cepstral mean
        (this also leaves that mean in force for the decoder's next utterances)."""
        self._fresh = False
        decoders = [self._decoder, self._phones] if self._checking else [self._decoder]
        for decoder in decoders:
            decoder.start_utt()
            decoder.process_raw(audio, False, True)
            decoder.end_utt()

    def cmn(self) -> str | None:
        """The cepstral mean this decoder has learnt (None before its first utterance)."""
        return None if self._fresh else str(self._decoder.get_cmn())

    def abandon(self) -> None:
        self._end()
        self._audio = []

    def discard(self) -> None:
        self._end()
        self._audio = []

    def _end(self) -> None:
        if self._in_utterance:
            self._in_utterance = False
            self._decoder.end_utt()
            if self._checking:
                self._phones.end_utt()


class SphinxBackend:
    """The pocketsphinx model: a pool of decoders sharing grammar versions by name."""

    engine = "pocketsphinx"
    min_similarity = MIN_SIMILARITY
    min_confidence = MIN_CONFIDENCE

    def __init__(self, model: str | Path | None = None) -> None:
        self._files = _model_files(model)
        self.model_path: str | None = str(self._files.acoustic.parent)
        self.vocabulary = _read_dictionary(self._files.dictionary)
        self._pool: Pool[SphinxDecoder] = Pool(IDLE_DECODERS)
        self._lock = threading.Lock()
        self._cmn: str | None = None  # cepstral mean of the latest finished utterance
        self._pool.give(self._new_decoder())  # the first stream must not wait for a load

    def _new_decoder(self) -> SphinxDecoder:
        with self._lock:
            cmn = self._cmn
        try:
            return SphinxDecoder(self._files, cmn)
        except RuntimeError as err:
            raise ModelLoadFailed(path=self.model_path, detail=str(err)) from err

    def prepare(self, phrases: PhraseSet | None, version: int, digits: bool = False) -> Grammar:
        if phrases is None:
            return Grammar(version, None)
        graph = word_graph(phrases.words)
        said = digit_words("en", self.vocabulary) if digits else ()
        if said:
            graph = with_digits(graph, said)
        return Grammar(version, phrases, graph=graph, digits=said)

    def acquire(self, grammar: Grammar) -> Decoder:
        decoder = self._pool.take() or self._new_decoder()
        try:
            decoder.use(grammar)
        except BaseException:
            decoder.discard()
            raise
        return decoder

    def release(self, grammar: Grammar, decoder: Decoder) -> None:
        if not isinstance(decoder, SphinxDecoder):
            return
        cmn = decoder.cmn()
        if cmn is not None:
            with self._lock:
                self._cmn = cmn  # new decoders start from it instead of the model's prior
        if not self._pool.give(decoder):
            decoder.discard()

    def retire(self, current: Grammar) -> None:
        """Old searches are dropped lazily, when a pooled decoder next starts a stream."""

    def close(self) -> None:
        for decoder in self._pool.drain():
            decoder.discard()

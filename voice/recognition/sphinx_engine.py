"""pocketsphinx engine: the US-English model shipped in its wheel (no download).

Phrase lists become a finite-state grammar (what JSGF compiles to), built directly as a
minimal word graph: a flat JSGF list of 1,000 alternatives decoded at a real-time factor of
0.58 (1.2 s for a 2 s command), the merged graph at 0.013.

Creating a pocketsphinx Decoder loads the acoustic model (~0.15 s), so decoders are pooled
and a phrase-list version is added to a decoder as a named search, never by reloading.

Longer than ~500 lines on purpose: one file per engine (a new engine is one new file behind
engine.py); a third of it is the phone-loop rejection decode, which only this engine needs.
"""

from __future__ import annotations

import ctypes
import functools
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pocketsphinx
from pocketsphinx import _pocketsphinx

from ..errors import ModelFolderMissing, ModelLoadFailed, NotAModel
from .engine import Decoder, Grammar, Pool, give_back_memory
from .phrases import PhraseSet, digit_words, with_digits, word_graph

FREE_SEARCH = "free"
PHONE_SEARCH = "phones"
IDLE_DECODERS = 4
PHONE_LOOP_LW = 2.0  # phone bigram weight of the unconstrained decode (default 6.5: too
# strong, the phone loop then explains half an utterance as silence)
PHONE_LOOP_TOPN = 4  # Gaussians per codebook scored exactly in the phone loop (default 4)
PHONE_LOOP_BIGRAM = False  # with the model's phone bigram (en-us-phone.lm.bin) the phone
# loop decoded 1.7 times slower (its lookups were 40 % of the work); without, every phone pair
# is alike, its scores are ~5 per frame lower (fit ~5 higher) and FIT_AT_HALF moved with them
PARALLEL_MIN_SAMPLES = 1600  # 0.1 s: a chunk this long is decoded by both decoders at once
HANDOFF_WAIT_S = 0.005  # how long a chunk waits for the phone loop's thread to start on it

# Rejection: likelihood ratios of the phrase grammar against an unconstrained decode.
# Beside the grammar decoder, every phrase-mode utterance is also decoded by a phone loop
# (allphone search: any phone sequence), fed the same audio chunk by chunk as it
# arrives (RTF ~0.04; bench/speech_core.py). It runs on pocketsphinx's C API through ctypes,
# which releases the GIL: a long chunk (a whole utterance, `Recognizer.transcribe`) is decoded
# by both decoders at once on two cores (whole-utterance latency ~110 -> ~50 ms). Both report
# per-segment acoustic scores (log base 1.0001, already relative to the best senone of each
# frame). For the words the grammar found:
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
# Those fits were with the phone bigram; the phone loop now runs without it (PHONE_LOOP_BIGRAM)
# and the same 270 espeak-ng utterances (3 voices x 3 rates, 20 commands, 10 chat sentences)
# fit ~5 higher (median; commands +5, chat +6), so the fit boundary moved to -47: the same
# 162/180 commands accepted right and the same 2/90 chat utterances accepted as before.
# Not caught: near-misses sharing most sounds with a command ("lock the back door" -> "lock
# the front door": coverage ~1, fit like a command), and short chat of a command's length
# heard as that command ("please pass the salt" -> "is the front door locked", fit -35; with
# a 3-phrase list "one two three four" -> "lock the front door", fit -31.5).
MIN_SIMILARITY = 0.8
COVERAGE_AT_HALF = 0.72
COVERAGE_SPREAD = 0.04
FIT_AT_HALF = -47.0
FIT_SPREAD = 3.0
# A digit string is held to stricter boundaries: a loop of ten words is almost as free as the
# phone loop, so chat fits it ("good morning" -> "two four two", fit -29 to -38, coverage ~1).
# Correct espeak-ng digit strings fit at -14 to -23, misheard ones (an inserted or swapped
# digit) at -24.8 to -35: a PIN that is not sure is rejected and asked again. Without the phone
# bigram (and a wider set: 7 strings x 3 voices x 3 rates) -21.5 accepts 13 of 27 right strings
# and 9 of 31 misheard (-23.5 with the bigram: 15 and 10), no chat.
DIGIT_COVERAGE_AT_HALF = 0.85
DIGIT_FIT_AT_HALF = -21.5
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
        raise NotAModel(path=base, engine="pocketsphinx", problem="missing " + "; ".join(missing))
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


class _Api:
    """The pocketsphinx C functions the phone loop uses, from the wheel's own extension module.

    Called through ctypes, which releases the GIL for the call (the Cython binding holds it):
    the phone loop can then decode on one core while the grammar decoder decodes the same
    audio on the other.
    """

    def __init__(self) -> None:
        lib = ctypes.CDLL(_pocketsphinx.__file__)
        vp, cp, i32 = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32
        ip, i32p = ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int32)
        signatures: dict[str, tuple[Any, list[Any]]] = {
            "ps_config_init": (vp, [vp]),
            "ps_config_set_str": (vp, [vp, cp, cp]),
            "ps_config_set_float": (vp, [vp, cp, ctypes.c_double]),
            "ps_config_set_int": (vp, [vp, cp, ctypes.c_long]),
            "ps_config_free": (ctypes.c_int, [vp]),
            "ps_init": (vp, [vp]),
            "ps_free": (ctypes.c_int, [vp]),
            "ps_add_allphone_file": (ctypes.c_int, [vp, cp, cp]),
            "ps_activate_search": (ctypes.c_int, [vp, cp]),
            "ps_start_utt": (ctypes.c_int, [vp]),
            "ps_process_raw": (ctypes.c_int, [vp, cp, ctypes.c_size_t, ctypes.c_int, ctypes.c_int]),
            "ps_end_utt": (ctypes.c_int, [vp]),
            "ps_get_cmn": (cp, [vp, ctypes.c_int]),
            "ps_set_cmn": (ctypes.c_int, [vp, cp]),
            "ps_get_logmath": (vp, [vp]),
            "ps_seg_iter": (vp, [vp]),
            "ps_seg_next": (vp, [vp]),
            "ps_seg_word": (cp, [vp]),
            "ps_seg_frames": (None, [vp, ip, ip]),
            "ps_seg_prob": (i32, [vp, i32p, i32p, i32p]),
            "logmath_exp": (ctypes.c_double, [vp, ctypes.c_int]),
            "logmath_log": (ctypes.c_int, [vp, ctypes.c_double]),
        }
        self.functions: dict[str, Any] = {}
        for name, (restype, argtypes) in signatures.items():
            function = getattr(lib, name)
            function.restype = restype
            function.argtypes = argtypes
            self.functions[name] = function

    def __getattr__(self, name: str) -> Any:
        try:
            return self.functions[name]
        except KeyError:
            raise AttributeError(name) from None


@functools.cache
def _api() -> _Api | None:
    """The C functions, or None where the wheel does not export them (looked up once)."""
    try:
        return _Api()
    except OSError, AttributeError:
        return None


class PhoneLoop:
    """The unconstrained decoder of the rejection check (see `fit_to_speech`), on the C API.

    No dictionary: the phone loop needs only the acoustic model (loads in ~15 ms).
    """

    parallel = True  # its decoding releases the GIL

    def __init__(self, files: ModelFiles, api: _Api) -> None:
        self._api = api
        config = api.ps_config_init(None)
        if not config:
            raise RuntimeError("pocketsphinx could not make a configuration")
        try:
            api.ps_config_set_str(config, b"hmm", str(files.acoustic).encode())
            api.ps_config_set_str(config, b"loglevel", b"FATAL")
            api.ps_config_set_float(config, b"lw", PHONE_LOOP_LW)
            api.ps_config_set_int(config, b"topn", PHONE_LOOP_TOPN)
            self._ps = api.ps_init(config)
        finally:
            api.ps_config_free(config)  # the decoder keeps its own reference
        if not self._ps:
            raise RuntimeError(f"pocketsphinx could not load {files.acoustic}")
        phone_lm = files.phone_lm if PHONE_LOOP_BIGRAM else None
        path = str(phone_lm).encode() if phone_lm is not None else None
        if api.ps_add_allphone_file(self._ps, PHONE_SEARCH.encode(), path) < 0:
            self.close()
            raise RuntimeError("pocketsphinx could not make the phone loop")
        api.ps_activate_search(self._ps, PHONE_SEARCH.encode())
        self._logmath = api.ps_get_logmath(self._ps)

    def start(self) -> None:
        self._api.ps_start_utt(self._ps)

    def process(self, pcm: bytes, full: bool = False) -> None:
        self._api.ps_process_raw(self._ps, pcm, len(pcm) // 2, 0, int(full))

    def end(self) -> None:
        self._api.ps_end_utt(self._ps)

    def set_cmn(self, cmn: str) -> None:
        self._api.ps_set_cmn(self._ps, cmn.encode())

    def segments(self) -> list[tuple[str, int, int, float]]:
        """As `_segments` reads them through the Cython binding (same rounding)."""
        api = self._api
        found = []
        start, end = ctypes.c_int(), ctypes.c_int()
        ascr, lscr, lback = ctypes.c_int32(), ctypes.c_int32(), ctypes.c_int32()
        seg = api.ps_seg_iter(self._ps)
        while seg:
            api.ps_seg_frames(seg, ctypes.byref(start), ctypes.byref(end))
            api.ps_seg_prob(seg, ctypes.byref(ascr), ctypes.byref(lscr), ctypes.byref(lback))
            frames = end.value - start.value + 1
            if frames > 0:
                chance = api.logmath_exp(self._logmath, ascr.value)
                score = api.logmath_log(self._logmath, chance) if chance > 0.0 else None
                word = (api.ps_seg_word(seg) or b"").decode("utf-8", "replace")
                found.append(
                    (
                        word,
                        start.value,
                        end.value,
                        float(score) if score is not None else UNDERFLOW * frames,
                    )
                )
            seg = api.ps_seg_next(seg)  # frees the iterator after the last segment
        return found

    def close(self) -> None:
        ps, self._ps = self._ps, None
        if ps:
            self._api.ps_free(ps)

    def __del__(self) -> None:
        # a decoder dropped without `discard` must not leak the C decoder (~15 MB)
        if getattr(self, "_ps", None):
            self.close()


class CythonPhoneLoop:
    """The same phone loop through the Cython binding (where the C API is not exported):
    it holds the GIL, so it decodes in turn with the grammar decoder."""

    parallel = False

    def __init__(self, files: ModelFiles) -> None:
        self._decoder = pocketsphinx.Decoder(
            hmm=str(files.acoustic),
            dict=None,
            lm=None,
            loglevel="FATAL",
            lw=PHONE_LOOP_LW,
            topn=PHONE_LOOP_TOPN,
        )
        phone_lm = files.phone_lm if PHONE_LOOP_BIGRAM else None
        self._decoder.add_allphone_file(
            PHONE_SEARCH, str(phone_lm) if phone_lm is not None else None
        )
        self._decoder.activate_search(PHONE_SEARCH)

    def start(self) -> None:
        self._decoder.start_utt()

    def process(self, pcm: bytes, full: bool = False) -> None:
        self._decoder.process_raw(pcm, False, full)

    def end(self) -> None:
        self._decoder.end_utt()

    def set_cmn(self, cmn: str) -> None:
        self._decoder.set_cmn(cmn)

    def segments(self) -> list[tuple[str, int, int, float]]:
        return _segments(self._decoder)

    def close(self) -> None:
        return None


def phone_loop(files: ModelFiles) -> PhoneLoop | CythonPhoneLoop:
    api = _api()
    return PhoneLoop(files, api) if api is not None else CythonPhoneLoop(files)


def _at_once(side: Callable[[], object], main: Callable[[], object]) -> None:
    """Run `side` on a thread of its own while this thread runs `main`; return when both are
    done (a thread per call, ~0.1 ms: none is left running between utterances).

    `side` must release the GIL while it works (a ctypes call). It is given a moment to start
    first: `main` (the Cython binding) holds the GIL for its whole call, and a thread that had
    not yet reached its C call would wait for it.
    """
    started = threading.Event()
    failed: list[BaseException] = []

    def run() -> None:
        started.set()
        try:
            side()
        except BaseException as err:  # handed to the caller below
            failed.append(err)

    helper = threading.Thread(target=run, name="sphinx-phone-loop", daemon=True)
    helper.start()
    started.wait(HANDOFF_WAIT_S)
    try:
        main()
    finally:
        helper.join()
    if failed:
        raise failed[0]


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
        self._phones = phone_loop(files)
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
            self._phones.start()
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
        if not self._checking:
            self._decoder.process_raw(pcm, False, False)
        elif self._phones.parallel and len(pcm) >= 2 * PARALLEL_MIN_SAMPLES:
            # a long chunk (a whole utterance): the phone loop decodes it on another core
            _at_once(lambda: self._phones.process(pcm), self._grammar_decode(pcm))
        else:
            self._decoder.process_raw(pcm, False, False)
            self._phones.process(pcm)
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
        found = fit_to_speech(words, self._phones.segments(), self._phone_count)
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
        self._decoder.start_utt()
        if self._checking:
            self._phones.start()
        if self._checking and self._phones.parallel:
            _at_once(
                lambda: self._phones.process(audio, full=True),
                self._grammar_decode(audio, full=True),
            )
        else:
            self._decoder.process_raw(audio, False, True)
            if self._checking:
                self._phones.process(audio, full=True)
        self._decoder.end_utt()
        if self._checking:
            self._phones.end()

    def _grammar_decode(self, pcm: bytes, full: bool = False) -> Callable[[], object]:
        return lambda: self._decoder.process_raw(pcm, False, full)

    def cmn(self) -> str | None:
        """The cepstral mean this decoder has learnt (None before its first utterance)."""
        return None if self._fresh else str(self._decoder.get_cmn())

    def abandon(self) -> None:
        self._end()
        self._audio = []

    def discard(self) -> None:
        self._end()
        self._audio = []
        self._phones.close()
        if hasattr(self, "_decoder"):  # its ~30 MiB are freed now, not with the last reference
            del self._decoder

    def _end(self) -> None:
        if self._in_utterance:
            self._in_utterance = False
            self._decoder.end_utt()
            if self._checking:
                self._phones.end()


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
            give_back_memory()

    def retire(self, current: Grammar) -> None:
        """Old searches are dropped lazily, when a pooled decoder next starts a stream."""

    def close(self) -> None:
        for decoder in self._pool.drain():
            decoder.discard()
        give_back_memory()

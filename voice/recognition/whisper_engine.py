"""Whisper engine (CTranslate2): the built-in Mandarin recogniser, held to the phrase list.

Whisper has no grammar: it writes whatever it hears. Held to the home's phrases in three steps
per utterance, all on one encoding of the audio:
1. the decoder writes its n best readings (beam search, unprompted, no numerals: the
   phrases write numbers in Han);
2. the phrases whose toneless pinyin is nearest to any reading are the candidates (pinyin,
   because Whisper's slips are mostly homophones: 卧室 -> 我是); a reading that is a phrase,
   with no other phrase near, is taken as it is;
3. the decoder scores each candidate, forced (CTranslate2's `align` gives each token's
   probability), prompted so that it expects simplified characters; the best score, less a
   penalty for pinyin distance, wins. Speech whose winner fits badly (far from what was read
   and not likely enough to the decoder to make up for it) is rejected: never guessed.

faster-whisper always encodes a 30-s window; CTranslate2 accepts shorter inputs, so only the
audio padded to MIN_WINDOW_S is encoded. The reading starts at the first pause after speech,
while the station still waits to be sure the resident has finished (`WhisperDecoder`).
"""

from __future__ import annotations

import math
import re
import threading
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ctranslate2
import numpy as np
import tokenizers
from pypinyin import Style, lazy_pinyin

from ..errors import ModelFolderMissing, ModelLoadFailed, NotAModel
from .engine import Decoder, Grammar
from .phrases import PhraseSet, digit_words, levenshtein, normalise
from .whisper_digits import agreed_sounded_digits, as_words, written_digits
from .whisper_features import FRAMES_PER_SECOND, SAMPLE_RATE, log_mel

THREADS = 2  # the station's small computer has two cores
# Shortest encoder input. Whisper was trained on 30-s windows; CTranslate2 takes shorter ones
# and the encoder's cost falls with them, its accuracy too. Same 385 commands (n-best + 8
# candidates scored): 3 s 270 right, 10 s 292 (candidate recall 297 -> 321 of 385).
MIN_WINDOW_S = 10.0
WINDOW_PAD_S = 1.0  # quiet added after the audio before encoding
BEAM = 5
HYPOTHESES = 5
CANDIDATES = 8  # phrases scored by the decoder per utterance
# A reading that is a phrase (in pinyin) is taken without scoring when no other phrase is
# nearer than this: scoring costs most of the time (one decoder pass per candidate over the
# whole encoded window), and in the measured set below it never overturned such a reading
# (24 of 284 utterances; 10 with this gap).
CLEAR_GAP = 0.2
PREFILTER = 64  # phrases ranked by shared pinyin bigrams before the edit distance
TOKENS_PER_SECOND = 6  # longest free reading: Mandarin is ~4-5 syllables a second
MAX_SECONDS = 30.0  # Whisper's own window: longer audio is cut (a command is a few seconds)
PAUSE_S = 0.15  # quiet after speech at which the reading starts ahead of the end
LOUD_RMS = 300.0  # 10-ms frame level (of 32768) above which it is not quiet
FRAME_SAMPLES = SAMPLE_RATE // 100
FRAME_BYTES = 2 * FRAME_SAMPLES
PAUSE_BYTES = int(PAUSE_S * SAMPLE_RATE) * 2

# Choosing and rejecting, measured on espeak-ng Mandarin (tests/voice/mandarin.py: 110 commands
# of the test home's 918-phrase list in 3 voices/speeds and with noise, 220 utterances; 32
# out-of-domain sentences in 2 voices, 64). A candidate's forced score is the mean log-probability
# of its tokens; its fit is that score - DISTANCE_WEIGHT x its pinyin distance (the decoder alone
# split near-ties such as 卧室灯亮点 / 浴室灯亮点 the wrong way). The best fit wins; it is accepted
# only when its distance <= MAX_DISTANCE, its score >= MIN_SCORE and its fit >= MIN_FIT.
# Whisper reads espeak-ng's Mandarin badly ("查看家里状态" as "恰恰地团体"), so a far reading
# with a likely forced score is often right: a fit threshold keeps those where a distance cut
# alone threw them away. Measured (right / wrong / chat accepted, of 220 / 220 / 64):
# the old rule (distance <= 0.4, score >= -3.5, weight 6): 168 / 7 / 0 once numerals were
# suppressed (160 / 7 / 2 before); weight 5 and fit >= -5: 182 / 8 / 2; fit >= -5.5: 187 / 10 /
# 5; weight 6 and fit >= -5.5: 183 / 8 / 3. Candidates beyond MAX_DISTANCE are not scored (they
# could not be accepted); 8 or 12 or 16 candidates choose alike. Most wrong ones mean the same
# (是的 -> 对的, 卧室灯关一下吧 -> 卧室灯关一下); the chat accepted are commands for a room or a
# device the home lacks (打开书房的空调 -> 打开客厅空调); no sensitive command confused.
DISTANCE_WEIGHT = 5.0
MAX_DISTANCE = 0.6
MIN_SCORE = -3.5
MIN_FIT = -5.0
# A digit string (a PIN) is its own reading, so it has no distance to hold it back: it must
# score higher. PINs said alone scored -0.97 and -1.44, "取消" read as "2,3,2,3" -3.1.
MIN_DIGIT_SCORE = -2.0
# Tried, not kept: a second greedy reading prompted with the 8 candidates
# ("以下是普通话的家居语音指令：打开客厅灯，…。"; Whisper copies from its prompt), a candidate it
# reproduces (in pinyin) given a bonus on its fit. Right / wrong / chat accepted on the set
# above: none 182 / 8 / 2; bonus 0.3 181 / 9 / 2, 0.5 184 / 9 / 2, 0.7 or 1 183 / 11 / 2; as
# one more reading for the candidate search 189 / 10 / 4 (too much chat accepted). A +2 / -1
# peak is no gain for 119 ms more per utterance (p50; p90 249).
MIN_SIMILARITY = 0.99  # the decoder returns a phrase exactly; snapping only confirms it
MIN_CONFIDENCE = 0.5

_REQUIRED = ("model.bin", "config.json", "tokenizer.json")
_LANGUAGE_TOKENS = {"zh": "<|zh|>", "en": "<|en|>", "ko": "<|ko|>"}
_PROMPT_OPENING = {"zh": "以下是普通话的家居语音指令。", "en": "Home voice commands.", "ko": ""}
_END = {"zh": "。", "en": ".", "ko": "."}  # the full stop the decoder writes after a command


def check_model_folder(path: Path) -> Path:
    """Raise a specific error unless `path` holds a CTranslate2 Whisper model."""
    if not path.exists():
        raise ModelFolderMissing(path=path)
    if not path.is_dir():
        raise NotAModel(path=path, engine="Whisper", missing="it is a file, not a folder")
    missing = [name for name in _REQUIRED if not (path / name).is_file()]
    if missing:
        raise NotAModel(path=path, engine="Whisper", missing=", ".join(missing))
    return path


def pinyin_key(text: str) -> str:
    """Toneless pinyin letters of the Han characters in `text` ("卧室灯" -> "woshideng");
    other letters and digits are kept, punctuation dropped."""
    return "".join(lazy_pinyin(normalise(text, "zh"), style=Style.NORMAL, errors="default"))


def _bigrams(key: str) -> set[str]:
    padded = f"^{key}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


@dataclass(frozen=True, slots=True)
class PhraseSounds:
    """The phrase list as the engine compares it: pinyin keys and the decoder's tokens."""

    keys: tuple[str, ...]
    tokens: tuple[tuple[int, ...], ...]
    postings: dict[str, np.ndarray] = field(default_factory=dict)
    gram_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    @classmethod
    def build(cls, phrases: tuple[str, ...], encode: Any) -> PhraseSounds:
        keys = tuple(pinyin_key(p) for p in phrases)
        postings: dict[str, list[int]] = {}
        counts = []
        for i, key in enumerate(keys):
            grams = _bigrams(key)
            counts.append(len(grams))
            for gram in grams:
                postings.setdefault(gram, []).append(i)
        return cls(
            keys,
            tuple(tuple(encode(normalise(p, "zh"))) for p in phrases),
            {g: np.asarray(ids, dtype=np.int32) for g, ids in postings.items()},
            np.asarray(counts, dtype=np.int32),
        )

    def nearest(self, heard: list[str], count: int) -> list[tuple[float, int]]:
        """(distance, phrase index) of the `count` phrases nearest to any of `heard` (pinyin
        keys), nearest first; distance = edit distance / phrase key length."""
        if not self.keys:
            return []
        best: dict[int, float] = {}
        for key in dict.fromkeys(heard):
            if not key:
                continue
            grams = _bigrams(key)
            lists = [self.postings[g] for g in grams if g in self.postings]
            if not lists:
                continue
            shared = np.bincount(np.concatenate(lists), minlength=len(self.keys))
            dice = 2.0 * shared / (self.gram_counts + len(grams))
            take = min(PREFILTER, len(self.keys))
            for i in np.argpartition(-dice, take - 1)[:take].tolist():
                phrase = self.keys[i]
                distance = levenshtein(key, phrase) / max(1, len(phrase))
                if distance < best.get(i, math.inf):
                    best[i] = distance
        ranked = sorted((d, i) for i, d in best.items())
        return ranked[:count]


@dataclass(frozen=True, slots=True)
class WhisperGrammar(Grammar):
    """A phrase-list version with what the Whisper engine compares it by."""

    sounds: PhraseSounds | None = None
    prompt: tuple[int, ...] = ()
    # tokens the free readings may not write (see WhisperBackend._numeral_tokens); -1: the model's
    # own list of symbols
    suppress: tuple[int, ...] = (-1,)


class WhisperDecoder:
    """Collects one utterance's audio and recognises it at the end.

    Whisper cannot decode a little more audio at a time, so the work starts at the first pause
    instead: when `PAUSE_S` of quiet follows speech, the audio so far is recognised on the
    backend's worker while the resident is silent (the station waits 300-600 ms of quiet
    before it calls the command finished). If only quiet came after, `finish` takes that
    result; if the resident spoke again, it is dropped and the whole utterance recognised.
    """

    def __init__(self, backend: WhisperBackend, grammar: WhisperGrammar) -> None:
        self._backend = backend
        self._grammar = grammar
        self._chunks: list[bytes] = []
        self._size = 0
        self._loud_until = 0  # bytes up to the end of the last loud frame
        self._quiet_run = 0  # bytes of quiet since then
        self._ahead: tuple[int, Future[tuple[str, float]]] | None = None  # (size, job)

    def accept(self, pcm: bytes) -> None:
        room = int(MAX_SECONDS * SAMPLE_RATE * 2) - self._size
        piece = pcm[: max(0, room) - max(0, room) % 2]
        if not piece:
            return
        self._chunks.append(piece)
        loud = _loud_frames(piece)
        frame = FRAME_BYTES
        for i, is_loud in enumerate(loud):
            if is_loud:
                self._loud_until = self._size + (i + 1) * frame
                self._quiet_run = 0
            else:
                self._quiet_run += frame
        self._size += len(piece)
        if self._ahead is not None and self._loud_until > self._ahead[0]:
            self._ahead[1].cancel()  # spoke again: that reading is of half a command
            self._ahead = None
        if self._ahead is None and self._loud_until > 0 and self._quiet_run >= PAUSE_BYTES:
            audio = b"".join(self._chunks)
            self._ahead = (len(audio), self._backend.ahead(self._grammar, audio))

    def partial(self) -> str:
        return ""  # no cheap partial reading: Whisper decodes whole utterances

    def finish(self) -> tuple[str, float]:
        pcm = b"".join(self._chunks)
        ahead, self._ahead = self._ahead, None
        self._reset()
        if ahead is not None and not any(_loud_frames(pcm[ahead[0] :])):
            try:
                return ahead[1].result()
            except CancelledError:
                pass
        return self._backend.recognise(self._grammar, pcm)

    def abandon(self) -> None:
        if self._ahead is not None:
            self._ahead[1].cancel()
        self._ahead = None
        self._reset()

    def discard(self) -> None:
        self.abandon()

    def _reset(self) -> None:
        self._chunks, self._size, self._loud_until, self._quiet_run = [], 0, 0, 0


def _loud_frames(pcm: bytes) -> list[bool]:
    """Per 10-ms frame: louder than quiet (LOUD_RMS)?"""
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float32)
    count = len(samples) // FRAME_SAMPLES
    if not count:
        return []
    frames = samples[: count * FRAME_SAMPLES].reshape(count, FRAME_SAMPLES)
    return [bool(x) for x in np.sqrt(np.mean(frames * frames, axis=1)) > LOUD_RMS]


class WhisperBackend:
    """A loaded Whisper model (CTranslate2, int8 on the CPU), shared by every stream."""

    engine = "whisper"
    min_similarity = MIN_SIMILARITY
    min_confidence = MIN_CONFIDENCE
    vocabulary = None  # Whisper's byte-level tokens can write any character

    def __init__(self, path: Path, language: str) -> None:
        check_model_folder(path)
        self.model_path: str | None = str(path)
        self.language = language
        try:
            self._tokenizer = tokenizers.Tokenizer.from_file(str(path / "tokenizer.json"))
            self._model = ctranslate2.models.Whisper(
                str(path), device="cpu", compute_type="int8", intra_threads=THREADS
            )
        except Exception as err:  # tokenizers raises a bare Exception for a bad file
            raise ModelLoadFailed(path=path, detail=str(err)) from err
        special = self._special
        self._eot = special("<|endoftext|>")
        self._start = (
            special("<|startoftranscript|>"),
            special(_LANGUAGE_TOKENS.get(language, "<|zh|>")),
            special("<|transcribe|>"),
            special("<|notimestamps|>"),
        )
        self._previous = special("<|startofprev|>")
        self._end = tuple(self._encode(_END.get(language, ".")))
        self._numerals = self._numeral_tokens()
        self._lock = threading.Lock()  # one utterance at a time: both cores go to it
        # readings started at a pause, while the resident may still go on (WhisperDecoder)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whisper-ahead")
        self._worker.submit(lambda: None)  # its thread starts with the model, not mid-utterance

    def _special(self, token: str) -> int:
        found = self._tokenizer.token_to_id(token)
        if found is None:
            raise ModelLoadFailed(path=self.model_path, detail=f"tokenizer has no {token}")
        return int(found)

    def _numeral_tokens(self) -> frozenset[int]:
        """The text tokens that write ASCII digits.

        Held to a phrase list (and no PIN asked for), the free readings may not write them:
        the phrases spell numbers in Han ("十八度"), and a numeral has no pinyin to compare
        ("…调到18度吧"; 关闭浴室灯 was read "1-2-4-3"). Measured on the set below: the nearest
        phrase right 168 -> 176 of 220, the right one among the 8 candidates 197 -> 204.
        Latin letters suppressed as well: as many right, 2 more chat sentences accepted."""
        numerals = set()
        for token in range(self._eot):  # the ids after <|endoftext|> are special tokens
            if _NUMERAL.search(self._tokenizer.id_to_token(token) or ""):
                numerals.add(token)
        return frozenset(numerals)

    def _encode(self, text: str) -> list[int]:
        return list(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def _decode(self, tokens: list[int]) -> str:
        return str(self._tokenizer.decode([t for t in tokens if t < self._eot]))

    def prepare(self, phrases: PhraseSet | None, version: int, digits: bool = False) -> Grammar:
        said = digit_words(self.language) if digits else ()
        if phrases is None:
            return WhisperGrammar(version, None, digits=said, prompt=self._prompt(()))
        sounds = PhraseSounds.build(phrases.phrases, self._encode)
        # a PIN is read as numerals ("5678"); a phrase with digits of its own keeps the tokens
        # it is written with
        unsayable: frozenset[int] = frozenset() if digits else self._numerals
        used = {token for tokens in sounds.tokens for token in tokens}
        return WhisperGrammar(
            version,
            phrases,
            digits=said,
            sounds=sounds,
            prompt=self._prompt(phrases.phrases),
            suppress=(-1, *sorted(unsayable - used)),
        )

    def _prompt(self, phrases: tuple[str, ...]) -> tuple[int, ...]:
        """Start of the decoder's input: a short "previous text" in simplified Chinese, then
        the task. Not the home's phrases: prompted with them, the decoder wrote prompt words
        in place of what it heard (measured: 180 of 385 commands right, against 264)."""
        del phrases
        opening = _PROMPT_OPENING.get(self.language, "")
        if not opening:
            return self._start
        return (self._previous, *self._encode(opening), *self._start)

    def acquire(self, grammar: Grammar) -> Decoder:
        assert isinstance(grammar, WhisperGrammar)
        return WhisperDecoder(self, grammar)

    def release(self, grammar: Grammar, decoder: Decoder) -> None:
        decoder.discard()

    def retire(self, current: Grammar) -> None:
        return None  # nothing is kept per version

    def close(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._model.unload_model()

    def ahead(self, grammar: WhisperGrammar, pcm: bytes) -> Future[tuple[str, float]]:
        """`recognise` on the worker thread (a reading started before the end of speech)."""
        try:
            return self._worker.submit(self.recognise, grammar, pcm)
        except RuntimeError:  # closed: the stream finishes without a head start
            skipped: Future[tuple[str, float]] = Future()
            skipped.cancel()
            return skipped

    def recognise(self, grammar: WhisperGrammar, pcm: bytes) -> tuple[str, float]:
        """(text, confidence) of one utterance: a phrase of the list (or a digit string when
        allowed), or the free reading with confidence 0 when nothing fits."""
        audio = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float32)
        if not len(audio):
            return "", 0.0
        audio /= 32768.0
        seconds = len(audio) / SAMPLE_RATE
        window = max(MIN_WINDOW_S, seconds + WINDOW_PAD_S)
        padded = np.zeros(int(window * SAMPLE_RATE), dtype=np.float32)
        padded[: len(audio)] = audio
        features = log_mel(padded)[:, : int(window * FRAMES_PER_SECOND)]
        with self._lock:
            encoded = self._model.encode(
                ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None])),
                to_cpu=True,
            )
            # The free readings are not prompted: a prompt is what the decoder wrote for short
            # commands ("以下" for 确定, from "以下是…"); it writes traditional characters then,
            # which pypinyin reads alike. The forced scores are prompted (simplified phrases).
            readings = self._read(encoded, self._start, seconds, grammar.suppress)
            if grammar.phrases is None:
                return (readings[0][0] if readings else ""), 1.0
            return self._choose(grammar, encoded, readings, len(audio) // (SAMPLE_RATE // 100))

    def _read(
        self,
        encoded: ctranslate2.StorageView,
        prompt: tuple[int, ...],
        seconds: float,
        suppress: tuple[int, ...],
    ) -> list[tuple[str, float, list[int]]]:
        """The decoder's own n best readings: (text, mean log-probability, tokens)."""
        result = self._model.generate(
            encoded,
            [list(prompt)],
            beam_size=BEAM,
            num_hypotheses=HYPOTHESES,
            return_scores=True,
            max_length=len(prompt) + int(TOKENS_PER_SECOND * seconds) + 8,
            suppress_tokens=list(suppress),
        )[0]
        return [
            (self._decode(tokens), float(score), list(tokens))
            for tokens, score in zip(result.sequences_ids, result.scores, strict=True)
        ]

    def _choose(
        self,
        grammar: WhisperGrammar,
        encoded: ctranslate2.StorageView,
        readings: list[tuple[str, float, list[int]]],
        frames: int,
    ) -> tuple[str, float]:
        """The phrase (or digit string) that fits the audio best, or the first reading with
        confidence 0 when none fits well enough."""
        sounds = grammar.sounds
        phrases = grammar.phrases
        assert phrases is not None
        heard = [pinyin_key(text) for text, _, _ in readings]
        texts: list[str] = []
        distances: list[float] = []
        tokens: list[list[int]] = []
        if sounds is not None:
            nearest = sounds.nearest(heard, CANDIDATES)
            if nearest and nearest[0][0] == 0.0 and not grammar.digits:
                rival = nearest[1][0] if len(nearest) > 1 else math.inf
                if rival >= CLEAR_GAP:
                    return phrases.phrases[nearest[0][1]], 1.0
            for distance, index in nearest:
                if distance > MAX_DISTANCE:
                    break  # nearest first: the rest could not be accepted either
                texts.append(phrases.phrases[index])
                distances.append(distance)
                tokens.append([*sounds.tokens[index], *self._end])
        digits_at: int | None = None
        if grammar.digits and self.language == "zh":  # digit words are Han (as_words)
            spoken = written_digits(text for text, _, _ in readings)
            if spoken is None:  # no digits written: characters that sound like them?
                sounded = agreed_sounded_digits(text for text, _, _ in readings)
                if sounded is not None:
                    return as_words(sounded), 1.0
            elif spoken:
                # scored as the digit words, prompted like the phrases: the numerals of an
                # unprompted reading scored as likely for 取消 ("2,3,2,3") as for a PIN
                digits_at = len(texts)
                texts.append(spoken)
                distances.append(0.0)
                tokens.append([*self._encode(spoken), *self._end])
        if not texts:
            return (readings[0][0] if readings else ""), 0.0
        scores = self._score(encoded, grammar.prompt, tokens, frames)
        if digits_at is not None and scores[digits_at] < MIN_DIGIT_SCORE:
            scores[digits_at] = -math.inf  # an unsure PIN is asked again, never guessed
        fits = [score - DISTANCE_WEIGHT * d for score, d in zip(scores, distances, strict=True)]
        best = max(range(len(texts)), key=fits.__getitem__)
        if scores[best] < MIN_SCORE or fits[best] < MIN_FIT:
            return (readings[0][0] if readings else ""), 0.0
        return texts[best], 1.0

    def _score(
        self,
        encoded: ctranslate2.StorageView,
        prompt: tuple[int, ...],
        candidates: list[list[int]],
        frames: int,
    ) -> list[float]:
        """Mean log-probability per token of each candidate, forced through the decoder."""
        batch = np.repeat(np.asarray(encoded), len(candidates), axis=0)
        found = self._model.align(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(batch)),
            list(prompt),
            candidates,
            [frames] * len(candidates),
            median_filter_width=1,
        )
        return [
            float(np.mean(np.log(np.maximum(np.asarray(item.text_token_probs), 1e-10))))
            for item in found
        ]


_NUMERAL = re.compile("[0-9]")  # byte-level tokens: ASCII characters stand for themselves

"""Phrase lists for constrained recognition: normalising, segmenting, snapping.

The station is told which sentences the home understands. This module turns that list into
what a recogniser can use (words its model can say, Chinese segmented into model words) and,
after decoding, snaps the raw text to the nearest allowed phrase with a 0..1 score.

Nothing here talks to an engine: a vocabulary is anything with ``word in vocabulary``, so the
logic is tested with a small set of words and used with a real model's symbol table.
One module (~500 lines) because compiling, snapping, prefixes (`said`) and digits all work on
the one normalised form defined here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from ..languages import HAN_LANGUAGES, UNSPACED_LANGUAGES, language_key

# Han ideographs (CJK unified + extension A + compatibility). Hangul is not here on purpose:
# Korean is written with spaces between words and its recogniser output keeps them.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
_SPACE_BETWEEN_HAN = re.compile(f"(?<=[{_HAN}]) +(?=[{_HAN}])")
# Everything that is not a letter, digit, mark or apostrophe separates words.
_SEPARATORS = re.compile(r"[^\w'\u0300-\u036f]+|_")

MAX_WORD_CHARS = 8  # longest Chinese word probed in a vocabulary while segmenting
_CANDIDATES = 16  # fuzzy snapping: phrases ranked by shared bigrams, then edit distance on these


@dataclass(frozen=True, slots=True)
class PhraseReport:
    """What became of a phrase list handed to `Recognizer.set_phrases`."""

    count: int  # phrases in force (after dedupe/empties removed, unusable phrases left out)
    unusable: tuple[tuple[str, str], ...] = ()  # (phrase, word) the model cannot say
    duplicates: int = 0
    empty: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "count": self.count,
            "unusable": [list(pair) for pair in self.unusable],
            "duplicates": self.duplicates,
            "empty": self.empty,
        }


def normalise(text: str, language: str = "en") -> str:
    """Recogniser text and phrases in one comparable form.

    NFKC (full-width forms), lower case, punctuation to spaces, single spaces; Mandarin has
    the spaces that Vosk puts between words removed (only between Han characters, so a
    mixed "打开 tv" keeps its space).
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = " ".join(_SEPARATORS.sub(" ", text).split())
    if language_key(language) in HAN_LANGUAGES:
        text = _SPACE_BETWEEN_HAN.sub("", text)
    return text


def match_key(text: str, language: str) -> str:
    """The string compared when snapping: normalised, without spaces for zh/ko.

    Spacing in Chinese and Korean varies between writers ("켜 줘" / "켜줘") and carries no
    meaning for matching; in English the word boundary does.
    """
    text = normalise(text, language)
    if language_key(language) in UNSPACED_LANGUAGES:
        return text.replace(" ", "")
    return text


def segment(text: str, vocabulary: Container[str], max_word: int = MAX_WORD_CHARS) -> list[str]:
    """Split normalised text into words of `vocabulary`.

    Runs of Han characters are segmented into the fewest vocabulary words (dynamic
    programming: fewest unknown characters, then fewest words, then fewest one-character
    words, which avoids the traps of greedy longest-match such as 研究生命起源 ->
    研究生|命|起源); a character the vocabulary does not have becomes a word of its own, so that
    the caller can report it. Other text is split on spaces.
    """
    words: list[str] = []
    for token in text.split():
        if not _HAN_RE.search(token):
            words.append(token)
            continue
        for run in re.split(f"([{_HAN}]+)", token):
            if not run:
                continue
            if _HAN_RE.match(run):
                words.extend(_segment_han(run, vocabulary, max_word))
            else:
                words.append(run)
    return words


def _segment_han(run: str, vocabulary: Container[str], max_word: int) -> list[str]:
    n = len(run)
    # best[i] = (unknown characters, words, one-character words) for run[:i], compared in
    # that order: a split into fewer, longer model words is the likelier reading.
    best: list[tuple[int, int, int]] = [(0, 0, 0)] + [(n + 1, n + 1, n + 1)] * n
    back = [0] * (n + 1)
    for end in range(1, n + 1):
        for start in range(max(0, end - max_word), end):
            piece = run[start:end]
            known = piece in vocabulary
            if not known and end - start > 1:
                continue
            unknown, count, singles = best[start]
            cost = (unknown + (0 if known else 1), count + 1, singles + (end - start == 1))
            if cost < best[end]:
                best[end] = cost
                back[end] = start
    pieces: list[str] = []
    end = n
    while end > 0:
        pieces.append(run[back[end] : end])
        end = back[end]
    pieces.reverse()
    # Merge adjacent unknown single characters so a report names "鸿蒙", not "鸿" and "蒙".
    merged: list[str] = []
    unknown_run = ""
    for piece in pieces:
        if piece in vocabulary:
            if unknown_run:
                merged.append(unknown_run)
                unknown_run = ""
            merged.append(piece)
        else:
            unknown_run += piece
    if unknown_run:
        merged.append(unknown_run)
    return merged


def levenshtein(a: str, b: str) -> int:
    """Edit distance, bit-parallel (Myers/Hyyrö): one pass over `b` with `a` as bit masks."""
    if a == b:
        return 0
    if not a:
        return len(b)
    if not b:
        return len(a)
    m = len(a)
    full = (1 << m) - 1
    last = 1 << (m - 1)
    masks: dict[str, int] = {}
    for i, char in enumerate(a):
        masks[char] = masks.get(char, 0) | (1 << i)
    pv, mv, score = full, 0, m
    for char in b:
        eq = masks.get(char, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & full) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & full
        mh = pv & xh
        if ph & last:
            score += 1
        elif mh & last:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = (mh | ~(xv | ph)) & full
        mv = ph & xv
    return score


def similarity(a: str, b: str) -> float:
    """1 - edit distance / longer length: 1.0 identical, 0.0 nothing in common."""
    longest = max(len(a), len(b))
    if longest == 0:
        return 1.0
    return 1.0 - levenshtein(a, b) / longest


def _bigrams(key: str) -> set[str]:
    padded = f"\x02{key}\x03"  # boundary marks so one-character keys still have grams
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


@dataclass(frozen=True, slots=True)
class Snap:
    """The nearest allowed phrase to a recognised text."""

    phrase: str | None  # the phrase as the caller wrote it
    score: float


class Said(IntEnum):
    """How much of a command a partial result is (see `PhraseSet.said`)."""

    PART = 0
    PHRASE = 1
    WHOLE = 2


@dataclass(slots=True)
class PhraseSet:
    """A compiled phrase list: grammar words per phrase and a fast nearest-phrase index.

    Immutable after `compile`; a new list makes a new PhraseSet, so a stream that started
    with the old one keeps snapping against it.
    """

    language: str
    phrases: tuple[str, ...]  # as given by the caller, in force
    words: tuple[tuple[str, ...], ...]  # per phrase, the engine words that say it
    report: PhraseReport
    _exact: dict[str, int] = field(default_factory=dict)
    _keys: list[str] = field(default_factory=list)
    _postings: dict[str, np.ndarray] = field(default_factory=dict)
    _gram_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    _openings: frozenset[str] | None = None  # keys of every phrase's first words, made once

    @classmethod
    def compile(
        cls,
        phrases: Iterable[str],
        language: str,
        vocabulary: Container[str] | None = None,
    ) -> PhraseSet:
        """Dedupe, drop empties, split into engine words, find words the model cannot say.

        `vocabulary` None means every word is sayable (used by tests and free-form engines).
        A phrase with a word the model cannot say is reported and left out: recognising
        "打开 鸿蒙" as "打开" would act on the wrong thing.
        """
        is_han_language = language_key(language) in HAN_LANGUAGES
        kept: list[str] = []
        kept_words: list[tuple[str, ...]] = []
        unusable: list[tuple[str, str]] = []
        seen: set[str] = set()
        empty = duplicates = 0
        for phrase in phrases:
            text = normalise(phrase, language)
            if not text:
                empty += 1
                continue
            key = match_key(text, language)
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            if is_han_language and vocabulary is not None:
                words = segment(text, vocabulary)
            else:
                words = text.split()
            missing = [w for w in words if vocabulary is not None and w not in vocabulary]
            if missing:
                unusable.extend((phrase, w) for w in dict.fromkeys(missing))
                continue
            kept.append(phrase)
            kept_words.append(tuple(words))
        report = PhraseReport(
            count=len(kept), unusable=tuple(unusable), duplicates=duplicates, empty=empty
        )
        compiled = cls(language, tuple(kept), tuple(kept_words), report)
        compiled._index()
        return compiled

    def _index(self) -> None:
        postings: dict[str, list[int]] = {}
        counts: list[int] = []
        for i, phrase in enumerate(self.phrases):
            key = match_key(phrase, self.language)
            self._exact.setdefault(key, i)
            self._keys.append(key)
            grams = _bigrams(key)
            counts.append(len(grams))
            for gram in grams:
                postings.setdefault(gram, []).append(i)
        self._postings = {g: np.asarray(ids, dtype=np.int32) for g, ids in postings.items()}
        self._gram_counts = np.asarray(counts, dtype=np.int32)

    def __len__(self) -> int:
        return len(self.phrases)

    def said(self, text: str) -> Said:
        """How complete `text` (a partial result) is as a command of this list: WHOLE when
        it is a phrase that no longer phrase goes on from ("turn on the kitchen light"),
        PHRASE when a longer one does ("turn on the light" while "turn on the light in the
        hall" is listed too), PART otherwise.

        The openings are worked out on the first call (10-50 ms at 5,000 phrases, in the
        thread that decodes, while the resident is still speaking), not when the list is set.
        """
        key = match_key(text, self.language)
        if key not in self._exact:
            return Said.PART
        openings = self._openings
        if openings is None:
            if language_key(self.language) in UNSPACED_LANGUAGES:  # "打开灯" opens "打开灯带"
                found = {k[:n] for k in self._keys for n in range(1, len(k))}
            else:  # whole words: "turn on the light" opens "turn on the light in the hall"
                found = {" ".join(w[:n]) for w in self.words for n in range(1, len(w))}
            openings = self._openings = frozenset(found)
        return Said.PHRASE if key in openings else Said.WHOLE

    def is_whole(self, text: str) -> bool:
        return self.said(text) is Said.WHOLE

    def snap(self, text: str) -> Snap:
        """Nearest phrase to `text` with its similarity (1.0 = exact).

        Exact match is a dict lookup. Otherwise phrases are ranked by shared character
        bigrams (Dice coefficient, one numpy bincount over the posting lists: cheap at 5,000
        phrases) and the edit distance decides among the best few.
        """
        key = match_key(text, self.language)
        if not key or not self.phrases:
            return Snap(None, 0.0)
        hit = self._exact.get(key)
        if hit is not None:
            return Snap(self.phrases[hit], 1.0)
        grams = _bigrams(key)
        lists = [self._postings[g] for g in grams if g in self._postings]
        if not lists:
            return Snap(None, 0.0)
        shared = np.bincount(np.concatenate(lists), minlength=len(self.phrases))
        dice = 2.0 * shared / (self._gram_counts + len(grams))
        take = min(_CANDIDATES, len(self.phrases))
        candidates = np.argpartition(-dice, take - 1)[:take]
        best_i, best_score = -1, -1.0
        for i in sorted(candidates.tolist(), key=lambda j: -dice[j]):
            candidate = self._keys[i]
            longest = max(len(candidate), len(key))
            # the length difference alone bounds the score: skip hopeless candidates
            if 1.0 - abs(len(candidate) - len(key)) / longest <= best_score:
                continue
            score = similarity(key, candidate)
            if score > best_score:
                best_i, best_score = i, score
        if best_i < 0:
            return Snap(None, 0.0)
        return Snap(self.phrases[best_i], round(best_score, 4))


@dataclass(frozen=True, slots=True)
class WordGraph:
    """A phrase list as a minimal word graph (shared prefixes and suffixes).

    A flat list of alternatives makes a grammar decoder track every phrase separately
    (1,000 phrases starting with "turn" = 1,000 copies of "turn"); merged, each distinct
    word position is searched once. Transition probabilities make every phrase equally
    likely, as in the flat list.
    """

    states: int
    start: int
    final: int
    transitions: tuple[tuple[int, int, float, str | None], ...]  # (from, to, p, word|None)


def word_graph(phrases: Sequence[Sequence[str]]) -> WordGraph:
    """Build the minimal acyclic word graph accepting exactly `phrases` (word sequences).

    No phrases: a graph that accepts only silence, so nothing can be recognised.
    """
    if not phrases:
        return WordGraph(2, 1, 0, ((1, 0, 1.0, None),))
    # 1. trie: node -> {word: child}; `ends` marks nodes where a phrase ends
    children: list[dict[str, int]] = [{}]
    ends: list[bool] = [False]
    for words in phrases:
        node = 0
        for word in words:
            nxt = children[node].get(word)
            if nxt is None:
                nxt = len(children)
                children[node][word] = nxt
                children.append({})
                ends.append(False)
            node = nxt
        ends[node] = True
    # 2. merge equivalent subtrees bottom-up (children have higher ids than parents)
    canon = list(range(len(children)))
    registry: dict[tuple[bool, tuple[tuple[str, int], ...]], int] = {}
    for node in range(len(children) - 1, -1, -1):
        signature = (
            ends[node],
            tuple(sorted((w, canon[c]) for w, c in children[node].items())),
        )
        canon[node] = registry.setdefault(signature, node)
    # 3. number the surviving states; state 0 is the single final state
    kept = sorted({canon[n] for n in range(len(children))})
    number = {node: i + 1 for i, node in enumerate(kept)}
    paths: dict[int, int] = {}
    for node in reversed(kept):  # completions from each state, to weight the arcs
        paths[node] = int(ends[node]) + sum(paths[canon[c]] for c in children[node].values())
    transitions: list[tuple[int, int, float, str | None]] = []
    for node in kept:
        total = paths[node]
        if total == 0:
            continue
        for word, child in children[node].items():
            target = canon[child]
            transitions.append((number[node], number[target], paths[target] / total, word))
        if ends[node]:
            transitions.append((number[node], 0, 1 / total, None))
    return WordGraph(len(kept) + 1, number[canon[0]], 0, tuple(transitions))


# --- spoken digits (a PIN said as a separate reply) -------------------------------------

MIN_DIGITS = 4  # shortest digit string accepted (a PIN has 4-8 digits): shorter strings
# are what chat and replies turn into in a ten-word loop ("confirm" was heard as "two two")
MAX_DIGITS = 8  # longest digit string accepted in phrase mode with digits allowed
DIGIT_BRANCH = 0.5  # grammar weight of "a digit string" against "one of the phrases"
DIGIT_STOP = 0.5  # after each digit (up to MAX_DIGITS): probability the string ends there

# The words a resident says for each digit, per language (Mandarin 幺 is "one" in numbers
# read out digit by digit; Korean uses the Sino-Korean digits, 공 and 영 for zero).
# English "oh" is left out on purpose: a digit loop with it heard a trailing breath or vowel
# as "oh" (espeak-ng "one two three four" -> "one two three four oh" = 12340, "good morning"
# -> "two oh two four two"); without it both came out right / rejected. Say "zero".
DIGIT_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "zero": "0",
        "one": "1",
        "two": "2",
        "three": "3",
        "four": "4",
        "five": "5",
        "six": "6",
        "seven": "7",
        "eight": "8",
        "nine": "9",
    },
    "zh": {
        "零": "0",
        "〇": "0",
        "幺": "1",
        "一": "1",
        "二": "2",
        "两": "2",
        "三": "3",
        "四": "4",
        "五": "5",
        "六": "6",
        "七": "7",
        "八": "8",
        "九": "9",
    },
    "ko": {
        "영": "0",
        "공": "0",
        "일": "1",
        "이": "2",
        "삼": "3",
        "사": "4",
        "오": "5",
        "육": "6",
        "칠": "7",
        "팔": "8",
        "구": "9",
    },
}


def digit_words(language: str, vocabulary: Container[str] | None = None) -> tuple[str, ...]:
    """The digit words of `language` that the model can say (all of them without vocabulary)."""
    words = DIGIT_WORDS.get(language_key(language), {})
    return tuple(w for w in words if vocabulary is None or w in vocabulary)


def parse_digits(text: str, language: str) -> str | None:
    """'one two three four' -> '1234' (Mandarin '一二三四' too); None unless `text` is only
    MIN_DIGITS..MAX_DIGITS digit words of `language`."""
    words = DIGIT_WORDS.get(language_key(language), {})
    text = normalise(text, language)
    if not text or not words:
        return None
    tokens = text.split()
    if language_key(language) in HAN_LANGUAGES:
        tokens = [char for token in tokens for char in token]  # Han digits are one character
    digits = [words.get(token) for token in tokens]
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS or None in digits:
        return None
    return "".join(d for d in digits if d is not None)


def with_digits(
    graph: WordGraph, words: Sequence[str], most: int = MAX_DIGITS, least: int = MIN_DIGITS
) -> WordGraph:
    """`graph` or a string of `least`..`most` of `words` (a new start state chooses which).

    The digit branch is a chain of `most` states so that the length is bounded (a loop
    would let a long noise become a 30-digit "PIN"); it may end only after `least` digits.
    """
    if not words:
        return graph
    transitions = list(graph.transitions)
    start = graph.states  # new states after the graph's own
    chain = [start + 1 + i for i in range(most + 1)]  # chain[k]: k digits said so far
    transitions.append((start, graph.start, 1.0 - DIGIT_BRANCH, None))
    transitions.append((start, chain[0], DIGIT_BRANCH, None))
    for k in range(most):
        can_stop = k >= max(1, least)
        go_on = 1.0 - DIGIT_STOP if can_stop else 1.0
        transitions.extend((chain[k], chain[k + 1], go_on / len(words), w) for w in words)
        if can_stop:
            transitions.append((chain[k], graph.final, DIGIT_STOP, None))
    transitions.append((chain[most], graph.final, 1.0, None))
    return WordGraph(chain[-1] + 1, start, graph.final, tuple(transitions))

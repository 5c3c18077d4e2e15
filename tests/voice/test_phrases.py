"""Phrase lists: normalising, Chinese segmentation, dedupe, snapping and rejection thresholds."""

from __future__ import annotations

import math
import random

import pytest

from tests.speech import home_commands
from voice.recognition import sphinx_engine, vosk_engine
from voice.recognition.phrases import (
    PhraseSet,
    Said,
    WordGraph,
    digit_words,
    levenshtein,
    match_key,
    normalise,
    parse_digits,
    segment,
    similarity,
    with_digits,
    word_graph,
)

# A small Mandarin vocabulary, shaped like a Vosk model's word list.
ZH_WORDS = frozenset(
    {
        "打开",
        "打",
        "开",
        "客厅",
        "的",
        "灯",
        "关",
        "关上",
        "窗帘",
        "窗",
        "帘",
        "现在",
        "几点",
        "研究",
        "研究生",
        "生命",
        "命",
        "起源",
        "我",
        "把",
        "请",
        "一下",
    }
)


def _reference_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def test_normalise_mandarin_removes_spaces_between_han_only() -> None:
    assert normalise("打开 客厅 的 灯", "zh") == "打开客厅的灯"
    assert normalise("打开 TV 的 灯", "zh-CN") == "打开 tv 的灯"
    assert normalise("打开 客厅 的 灯", "en") == "打开 客厅 的 灯"


def test_normalise_case_punctuation_and_full_width() -> None:
    assert normalise("  Turn ON the Kitchen-Light!! ", "en") == "turn on the kitchen light"
    assert normalise("ＴＶ，打开。", "zh") == "tv 打开"
    assert normalise("What's the time?", "en") == "what's the time"
    assert normalise("불 켜 줘", "ko") == "불 켜 줘"  # Korean keeps its spaces


def test_match_key_ignores_spacing_in_korean_and_chinese() -> None:
    assert match_key("불 켜 줘", "ko") == match_key("불 켜줘", "ko")
    assert match_key("打开 客厅", "zh") == "打开客厅"
    assert match_key("turn on", "en") == "turn on"


def test_segment_uses_model_words() -> None:
    assert segment("打开客厅的灯", ZH_WORDS) == ["打开", "客厅", "的", "灯"]
    assert segment("请把窗帘关上", ZH_WORDS) == ["请", "把", "窗帘", "关上"]


def test_segment_avoids_greedy_trap() -> None:
    # greedy longest-match would take 研究生 and leave 命 + 起源 (three words, odd split)
    assert segment("研究生命起源", ZH_WORDS) == ["研究", "生命", "起源"]


def test_segment_reports_unknown_characters_as_one_word() -> None:
    assert segment("打开鸿蒙的灯", ZH_WORDS) == ["打开", "鸿蒙", "的", "灯"]
    assert segment("打开 tv", ZH_WORDS) == ["打开", "tv"]


def test_compile_chinese_phrases_into_grammar_words() -> None:
    phrases = PhraseSet.compile(
        ["打开客厅的灯", "打开 客厅 的 灯", "", "  ", "现在几点"], "zh", ZH_WORDS
    )
    assert phrases.phrases == ("打开客厅的灯", "现在几点")
    assert phrases.words == (("打开", "客厅", "的", "灯"), ("现在", "几点"))
    assert phrases.report.duplicates == 1
    assert phrases.report.empty == 2
    assert phrases.report.count == 2


def test_compile_reports_unusable_words_and_keeps_the_rest() -> None:
    phrases = PhraseSet.compile(["打开鸿蒙", "关上窗帘", "打开 kodi 的灯"], "zh", ZH_WORDS)
    assert phrases.phrases == ("关上窗帘",)
    assert phrases.report.unusable == (("打开鸿蒙", "鸿蒙"), ("打开 kodi 的灯", "kodi"))
    assert phrases.report.count == 1


def test_snap_exact_fuzzy_and_nothing() -> None:
    phrases = PhraseSet.compile(
        ["turn on the kitchen light", "turn off the kitchen light", "what time is it"], "en"
    )
    exact = phrases.snap("Turn on the kitchen light")
    assert (exact.phrase, exact.score) == ("turn on the kitchen light", 1.0)
    near = phrases.snap("turn on the kitchen lights")
    assert near.phrase == "turn on the kitchen light"
    assert 0.9 < near.score < 1.0
    assert phrases.snap("").phrase is None
    assert phrases.snap("zzzz").score < 0.3


def test_snap_returns_the_phrase_as_written() -> None:
    phrases = PhraseSet.compile(["打开 客厅 的 灯"], "zh", ZH_WORDS)
    snap = phrases.snap("打开 客厅 的 灯")
    assert snap.phrase == "打开 客厅 的 灯"
    assert snap.score == 1.0


def test_whole_command_is_one_that_no_longer_phrase_goes_on_from() -> None:
    english = PhraseSet.compile(
        ["turn on the light", "turn on the light in the hall", "turn on the kitchen light"], "en"
    )
    assert english.is_whole("Turn on the kitchen light")
    assert english.is_whole("turn on the light in the hall")
    assert not english.is_whole("turn on the light")  # "... in the hall" may follow
    assert english.said("turn on the light") is Said.PHRASE
    assert english.said("turn on the kitchen light") is Said.WHOLE
    assert english.said("turn on the") is Said.PART
    assert not english.is_whole("turn on the")  # not a phrase at all
    assert not english.is_whole("turn on the kitchen lights")
    # Mandarin: by characters, whatever the segmentation ("打开灯" opens "打开灯带")
    mandarin = PhraseSet.compile(
        ["打开灯", "打开灯带", "关灯"], "zh", vocabulary={"打开", "灯", "灯带", "关"}
    )
    assert mandarin.words == (("打开", "灯"), ("打开", "灯带"), ("关", "灯"))
    assert not mandarin.is_whole("打开 灯")
    assert mandarin.is_whole("打开灯带")
    assert mandarin.is_whole("关 灯")


def test_levenshtein_matches_reference() -> None:
    rng = random.Random(7)
    alphabet = "abc 的灯开"
    for _ in range(400):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 70)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 70)))
        assert levenshtein(a, b) == _reference_distance(a, b), (a, b)
    assert similarity("", "") == 1.0
    assert similarity("abcd", "abcf") == 0.75


def test_snapping_scales_to_5000_phrases() -> None:
    texts = home_commands(5000)
    assert len(texts) == 5000
    phrases = PhraseSet.compile(texts, "en")
    assert len(phrases) == 5000
    assert phrases.snap("unlock the pantry dryer").phrase == "unlock the pantry dryer"
    typo = phrases.snap("dim the guest room humidifire")
    assert typo.phrase == "dim the guest room humidifier"
    assert typo.score > sphinx_engine.MIN_SIMILARITY
    unrelated = phrases.snap("the weather in paris is nice today")
    assert unrelated.score < sphinx_engine.MIN_SIMILARITY


def test_dedupe_counts_at_5000() -> None:
    texts = home_commands(5000)
    phrases = PhraseSet.compile([*texts, *texts[:100], "", "   "], "en")
    assert phrases.report.count == 5000
    assert phrases.report.duplicates == 100
    assert phrases.report.empty == 2


@pytest.mark.parametrize(
    ("heard", "accepted"),
    [
        ("문 열어 줘", True),  # exact
        ("문 열어줘", True),  # spacing only
        ("열어 줘 열어 열어 줘 닫아", False),  # a chain of fragments: out-of-domain speech
        ("안방 불 줘", False),  # worst measured out-of-domain case (0.8)
        ("음악 틀어 줘 몇 줘", False),
    ],
)
def test_vosk_similarity_threshold(heard: str, accepted: bool) -> None:
    phrases = PhraseSet.compile(
        ["오늘 날씨 어때", "문 열어 줘", "음악 틀어 줘", "안방 불 켜 줘"], "ko"
    )
    assert (phrases.snap(heard).score >= vosk_engine.MIN_SIMILARITY) is accepted


def test_vosk_threshold_accepts_one_slip_in_a_long_phrase() -> None:
    phrases = PhraseSet.compile(["거실 텔레비전 소리 좀 줄여 줘"], "ko")
    assert phrases.snap("거실 텔레비전 소리 좀 줄여 좀").score >= vosk_engine.MIN_SIMILARITY


def test_sphinx_confidence_boundaries() -> None:
    fit = sphinx_engine.Fit
    ok = sphinx_engine.MIN_CONFIDENCE
    # a command: its words cover the speech, fit like free phones, no word stretched
    assert sphinx_engine.confidence(fit(0.95, -20.0, 1.5)) > ok
    assert sphinx_engine.confidence(fit(0.86, -44.5, 1.67)) > ok  # the worst measured
    # a sentence mostly pushed into silence; a bad fit; one word swallowing a sentence
    assert sphinx_engine.confidence(fit(0.56, -20.0, 1.0)) < ok
    assert sphinx_engine.confidence(fit(1.0, -61.0, 1.0)) < ok
    assert sphinx_engine.confidence(fit(0.78, -35.0, 11.5)) < ok
    # digit strings are held to stricter boundaries
    assert sphinx_engine.confidence(fit(1.0, -21.4, 1.0), digits=True) > ok
    assert sphinx_engine.confidence(fit(1.0, -24.8, 1.0), digits=True) < ok
    assert sphinx_engine.confidence(fit(1.0, -20.0, 2.0), digits=True) < ok  # "confirm" = 22
    assert 0.0 <= sphinx_engine.confidence(fit(0.0, -1e9, math.inf)) < 0.01


def test_fit_to_speech_compares_the_two_decodes() -> None:
    words = [("<sil>", 0, 9, -50.0), ("lock", 10, 19, -300.0), ("door", 20, 29, -300.0)]
    phones = [("SIL", 0, 9, -40.0), ("L", 10, 14, -50.0), ("AA", 15, 19, -50.0)]
    phones += [("D", 20, 24, -50.0), ("AO", 25, 29, -50.0), ("SIL", 30, 39, -10.0)]
    found = sphinx_engine.fit_to_speech(words, phones, lambda word: 2)
    assert found.coverage == 1.0
    assert found.fit == pytest.approx((-600.0 + 200.0) / 20)
    assert found.stretch == 1.0
    # half the speech left to silence by the grammar
    found = sphinx_engine.fit_to_speech(words[:2], phones, lambda word: 2)
    assert found.coverage == 0.5
    assert sphinx_engine.fit_to_speech([], phones).coverage == 0.0


@pytest.mark.parametrize(
    ("text", "language", "digits"),
    [
        ("one two three four", "en", "1234"),
        ("zero nine", "en", None),  # 2 digits: too short for a PIN (chat heard as digits)
        ("one two three", "en", None),
        ("zero nine zero nine", "en", "0909"),
        ("one two three four five six seven eight", "en", "12345678"),
        ("one two three four five six seven eight nine", "en", None),  # 9 digits: too long
        ("turn on the light", "en", None),
        ("one two three light", "en", None),
        ("", "en", None),
        ("一二三四", "zh", "1234"),
        ("幺 两 零 〇", "zh-CN", "1200"),
        ("일 이 삼 사", "ko", "1234"),
        ("공 구 영 일", "ko", "0901"),
    ],
)
def test_parse_digits(text: str, language: str, digits: str | None) -> None:
    assert parse_digits(text, language) == digits


def test_digit_words_follow_the_vocabulary() -> None:
    assert "oh" not in digit_words("en")  # heard in breaths: left out on purpose
    assert digit_words("zh", {"一", "二", "零"}) == ("零", "一", "二")
    assert digit_words("xx") == ()


def test_digit_branch_of_a_word_graph() -> None:
    base = word_graph([("lock", "the", "door")])
    graph = with_digits(base, ["one", "two"], most=2, least=1)
    assert _graph_sentences(graph) == {
        ("lock", "the", "door"),
        ("one",),
        ("two",),
        ("one", "one"),
        ("one", "two"),
        ("two", "one"),
        ("two", "two"),
    }
    assert with_digits(base, []) is base
    # a PIN's length: at least `least` digits (by default 4, the shortest PIN)
    graph = with_digits(base, ["one"], most=5, least=3)
    assert _graph_sentences(graph) == {
        ("lock", "the", "door"),
        ("one", "one", "one"),
        ("one", "one", "one", "one"),
        ("one", "one", "one", "one", "one"),
    }
    assert ("one", "one", "one", "one") in _graph_sentences(with_digits(base, ["one"]))
    assert ("one", "one", "one") not in _graph_sentences(with_digits(base, ["one"]))


def _graph_sentences(graph: WordGraph) -> set[tuple[str, ...]]:
    arcs: dict[int, list[tuple[int, str | None]]] = {}
    for src, dst, _p, word in graph.transitions:
        arcs.setdefault(src, []).append((dst, word))
    found: set[tuple[str, ...]] = set()

    def walk(state: int, words: tuple[str, ...]) -> None:
        if state == graph.final:
            found.add(words)
        for dst, word in arcs.get(state, []):
            walk(dst, words if word is None else (*words, word))

    walk(graph.start, ())
    return found


def test_word_graph_accepts_exactly_the_phrases_and_shares_words() -> None:
    phrases = [
        ("turn", "on", "the", "light"),
        ("turn", "off", "the", "light"),
        ("turn", "on", "the", "fan"),
        ("turn", "on", "the", "light", "please"),
        ("stop",),
    ]
    graph = word_graph(phrases)
    assert _graph_sentences(graph) == set(phrases)
    words = [w for _s, _d, _p, w in graph.transitions if w is not None]
    assert words.count("turn") == 1  # shared prefix
    # every phrase equally likely: the product of probabilities along each path is 1/5
    arcs: dict[int, list[tuple[int, float]]] = {}
    for src, dst, p, _word in graph.transitions:
        arcs.setdefault(src, []).append((dst, p))
    path_probabilities: list[float] = []

    def walk(state: int, p: float) -> None:
        if state == graph.final:
            path_probabilities.append(p)
        for dst, q in arcs.get(state, []):
            walk(dst, p * q)

    walk(graph.start, 1.0)
    assert path_probabilities == pytest.approx([1 / 5] * 5)


def test_word_graph_merges_suffixes_of_a_large_list() -> None:
    texts = home_commands(5000)
    graph = word_graph([t.split() for t in texts])
    word_arcs = sum(1 for t in graph.transitions if t[3] is not None)
    assert word_arcs < 600  # a flat list would have about 25,000 word arcs
    assert len(_graph_sentences(graph)) == 5000

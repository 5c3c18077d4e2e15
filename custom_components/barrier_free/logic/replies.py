"""What a resident's reply to a question says: yes, no, or a PIN said digit by digit.

Plain word lists and the one digits table (`numbers`): a reply is a confirmation only when it is
nothing but one, and a PIN only when it holds nothing but digits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from .numbers import EN_DIGITS, ZH_DIGIT_VALUES

MIN_PIN_LENGTH: Final = 4
MAX_PIN_LENGTH: Final = 8

_CONFIRM_WORDS: Final = frozenset(
    {
        "确定",
        "确认",
        "是的",
        "是",
        "对",
        "对的",
        "是的确定",
        "确定打开",
        "yes",
        "confirm",
        "confirmed",
        "yes confirm",
        "yes i confirm",
        "i confirm",
    }
)
_DENY_WORDS: Final = (
    "取消",
    "不要",
    "不用",
    "不是",
    "别",
    "不",
    "算了",
    "no",
    "cancel",
    "stop",
    "don't",
    "do not",
    "never mind",
    "nope",
    "nah",
    "not now",
)
_PARTICLES: Final = re.compile(r"(吧|啊|呀|的呢|please|thanks|thank you)$")
_CLEAN: Final = re.compile(r"[\s,，。.!！?？、;；:：\"'“”‘’]+")

# A PIN is read with every digit word, and with those said only for single digits: the
# radio words 洞 (0), 拐 (7), 勾 (9) and English words that sound like digits.
_SPOKEN_DIGITS: Final[Mapping[str, str]] = {
    **{char: str(value) for char, value in ZH_DIGIT_VALUES.items()},
    "洞": "0",
    "拐": "7",
    "勾": "9",
}
_EN_DIGITS: Final[Mapping[str, str]] = {
    **{word: str(value) for value, word in enumerate(EN_DIGITS)},
    "oh": "0",
    "o": "0",
    "to": "2",
    "too": "2",
    "for": "4",
}
_PIN_WORDS: Final = re.compile(r"密码|口令|pin\b|password|passcode|code\b", re.IGNORECASE)


def _plain(text: str) -> str:
    cleaned = _CLEAN.sub(" ", text.lower()).strip()
    # Mandarin has no spaces between words; English keeps single spaces.
    cleaned = re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", cleaned)
    return _PARTICLES.sub("", cleaned).strip()


# The pieces a natural "yes" is made of: yes-words, and the verbs of the held action said again
# ("行，开吧", "是的，开门", "sure, do it"). A reply is a confirmation only when it is made of
# these alone, so "确定打开客厅的灯" (another command) is not one.
_YES_PIECES_ZH: Final = (
    "确定",
    "确认",
    "是的",
    "是",
    "对的",
    "对",
    "好的",
    "好",
    "行",
    "可以的",
    "可以",
    "嗯",
    "没问题",
    "要的",
    "要",
    "开门",
    "开锁",
    "解锁",
    "打开",
    "开",
    "撤防",
    "关掉",
    "关",
    "请",
    "吧",
    "啊",
    "呀",
    "了",
)
_YES_PIECES_EN: Final = frozenset(
    {
        "yes",
        "yeah",
        "yep",
        "yup",
        "sure",
        "ok",
        "okay",
        "please",
        "confirm",
        "confirmed",
        "i",
        "do",
        "it",
        "go",
        "ahead",
        "that's",
        "right",
        "correct",
        "open",
        "unlock",
        "disarm",
        "the",
        "door",
        "definitely",
        "absolutely",
        "on",
        "that",
        "s",
    }
)
# "i", "it", "the" alone say nothing: a confirmation needs one of these.
_YES_CORE_EN: Final = frozenset(
    {"yes", "yeah", "yep", "yup", "sure", "ok", "okay", "confirm", "confirmed", "correct"}
)
_YES_CORE_PHRASES_EN: Final = ("do it", "go ahead", "go on", "that s right")


def is_confirmation(text: str) -> bool:
    """True for a natural yes ("确定", "好的", "行，开吧", "yes please", "sure, do it") and
    nothing longer: a sentence that says anything else is not a confirmation."""
    plain = _plain(text)
    if plain in _CONFIRM_WORDS:
        return True
    if not plain:
        return False
    if plain.isascii():
        words = plain.split()
        return all(w in _YES_PIECES_EN for w in words) and (
            any(w in _YES_CORE_EN for w in words) or any(p in plain for p in _YES_CORE_PHRASES_EN)
        )
    rest = plain.replace(" ", "")
    said_yes = False
    while rest:
        piece = next((p for p in _YES_PIECES_ZH if rest.startswith(p)), None)
        if piece is None:
            return False
        said_yes = said_yes or piece not in ("请", "吧", "啊", "呀", "了")
        rest = rest[len(piece) :]
    return said_yes


def is_denial(text: str) -> bool:
    """True if the reply says no anywhere ("不要", "取消吧", "no, cancel")."""
    plain = _plain(text)
    if plain.startswith("不") or plain in ("别",):
        return True
    words = set(plain.split())
    # `_plain` reads "don't" as "don t"
    return any(
        word in plain
        if not word.isascii()
        else (word in words or f" {word.replace("'", ' ')} " in f" {plain} ")
        for word in _DENY_WORDS
    )


def spoken_digits(text: str) -> str | None:
    """The digits of a PIN said digit by digit ("一二三四", "幺两三四", "one two three four").

    Returns None if the reply contains anything else, so a sentence is never read as a PIN.
    """
    cleaned = _CLEAN.sub(" ", text.lower()).strip()
    digits: list[str] = []
    for token in cleaned.split():
        if token in _EN_DIGITS:
            digits.append(_EN_DIGITS[token])
            continue
        for char in token:
            if char.isdigit():
                digits.append(char)
            elif char in _SPOKEN_DIGITS:
                digits.append(_SPOKEN_DIGITS[char])
            else:
                return None
    return "".join(digits) or None


def contains_pin(text: str) -> bool:
    """True if a command also carries a PIN ("把大门打开密码一二三四", "unlock 1 2 3 4").

    Such a command is refused: the PIN must be a separate reply, so that it is only ever said
    when asked for, and a command overheard with its PIN cannot be replayed in one sentence.
    """
    lowered = text.lower()
    digit_run = 0
    longest = 0
    tokens = re.findall(r"[a-z']+|\d|[^\sa-z\d]", lowered)
    for token in tokens:
        is_digit = token.isdigit() or token in _SPOKEN_DIGITS or token in _EN_DIGITS
        # A digit next to 十/百/千 is a number ("二十四度"), not a digit sequence.
        if token in ("十", "百", "千", "万", "点", "hundred", "thousand"):
            digit_run = 0
            continue
        digit_run = digit_run + 1 if is_digit and token not in ("to", "too", "for", "o") else 0
        longest = max(longest, digit_run)
    if longest >= MIN_PIN_LENGTH:
        return True
    has_digit = any(t.isdigit() or t in _SPOKEN_DIGITS for t in tokens)
    return bool(_PIN_WORDS.search(text)) and has_digit

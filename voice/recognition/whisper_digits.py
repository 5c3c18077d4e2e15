"""Digit strings (PINs) in what Whisper wrote: numerals, Han digits, or characters that sound
like digits.

Whisper base does not write espeak-ng's 幺 (yao, "one" in digits said one by one) as a digit:
it writes 要/遥/幼, and often other characters that sound like the digits ("遙散武器" for
幺三五七). Read by toneless pinyin, a reading whose every character sounds like one digit and
only one (in all its readings: 把 is ba whatever its tone; 都 is dou or du, no digit) gives
the digits. One such reading is not enough: the decoder drops and repeats syllables, and
"散散武器" (for 三三五五七) gave 3357. At least MIN_AGREEING of the n best readings must give
the same digits.

Whisper also miscounts a digit said several times in a row ("七七七七" read as "七七七七七七",
"幺幺幺幺" as "夭夭夭夭夭" in every reading): a string with a digit more than LONGEST_RUN times
running is asked again, whichever way it was read. A wrong PIN is a failed attempt toward the
alarm's lockout; a PIN asked again is only one more try.

Measured on 32 PINs of 3-6 digits x 3 espeak-ng voices (96, the test's among them) and 12
replies that are no PIN: numerals and Han digits alone (as before) 14 right, 1 wrong (7777 as
777777); with the sounded digits of the first reading, 19 right, 2 wrong (33557 as 3357, and
7777); agreed by 2 readings, 17 right, 2 wrong (1111 as 11111, and 7777); with the run rule
as well, 15 right (幺三五七 in 2 voices gained, 七七七七 lost) and none wrong. No reply was
taken for a PIN.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from pypinyin import Style, pinyin

from .phrases import normalise, parse_digits

MIN_AGREEING = 2  # readings that must give the same sounded digits
LONGEST_RUN = 2  # the same digit more times in a row than this is not trusted
MIN_LENGTH = 4
MAX_LENGTH = 8

# toneless syllable -> digit (幺/要 yao and 一 yi are 1, 两 liang is 2)
_SYLLABLES = {
    "ling": "0",
    "yao": "1",
    "yi": "1",
    "er": "2",
    "liang": "2",
    "san": "3",
    "si": "4",
    "wu": "5",
    "liu": "6",
    "qi": "7",
    "ba": "8",
    "jiu": "9",
}
_HAN_DIGITS = "零一二三四五六七八九"
_ARABIC_TO_HAN = str.maketrans("0123456789", _HAN_DIGITS)
_HAN_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def digits_as_words(text: str) -> str:
    """Whisper writes digits said one by one as numerals ("1234"): the digit words again."""
    return normalise(text, "zh").translate(_ARABIC_TO_HAN).replace(" ", "")


def as_words(digits: str) -> str:
    """The digit words of `digits` ("1357" -> "一三五七"), as the recogniser parses them."""
    return digits.translate(_ARABIC_TO_HAN)


def trusted(digits: str) -> bool:
    """No digit repeated more than LONGEST_RUN times in a row (Whisper miscounts those)."""
    return re.search(rf"(\d)\1{{{LONGEST_RUN}}}", digits) is None


def sounded_digits(text: str) -> str | None:
    """The digits that every character of `text` sounds like ("遙散武器" -> "1357"), or None
    when a character is no digit, or sounds like more than one, or the count is not 4-8."""
    found = []
    for char in normalise(text, "zh").replace(" ", ""):
        if "0" <= char <= "9":
            found.append(char)
            continue
        if not _HAN_CHAR.fullmatch(char):
            return None
        digits = {_SYLLABLES.get(s) for s in pinyin(char, style=Style.NORMAL, heteronym=True)[0]}
        if len(digits) != 1 or None in digits:
            return None
        found.extend(d for d in digits if d is not None)
    if not MIN_LENGTH <= len(found) <= MAX_LENGTH:
        return None
    return "".join(found)


def written_digits(readings: Iterable[str]) -> str | None:
    """The digit words ("一二三四") of the first reading written as digits (numerals or Han),
    or "" when that one is not to be trusted; None when no reading is digits."""
    for text in readings:
        spoken = digits_as_words(text)
        digits = parse_digits(spoken, "zh")
        if digits is not None:
            return spoken if trusted(digits) else ""
    return None


def agreed_sounded_digits(readings: Iterable[str]) -> str | None:
    """Digits that at least MIN_AGREEING of `readings` sound like, the first such reading's
    (trusted ones only), or None."""
    sounded = [d for d in (sounded_digits(text) for text in readings) if d is not None]
    if not sounded:
        return None
    first = sounded[0]
    if Counter(sounded)[first] < MIN_AGREEING or not trusted(first):
        return None
    return first

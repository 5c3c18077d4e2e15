"""Test speech: real audio synthesised with the espeak-ng program (not the code under test)."""

from __future__ import annotations

import functools
import subprocess

from voice.audio import read_wav, resample
from voice.recognition.recognizer import Recognizer, Result


@functools.lru_cache(maxsize=512)
def synth(text: str, voice: str = "en-us", rate: int = 16000, speed: int = 150) -> bytes:
    """16-bit mono PCM of `text` spoken by espeak-ng with `voice`, resampled to `rate` Hz."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    pcm = read_wav(wav, name=f"espeak-ng {voice}")
    return resample(pcm.data, pcm.rate, rate)


def silence(seconds: float, rate: int = 16000) -> bytes:
    return b"\x00\x00" * int(seconds * rate)


def home_commands(count: int) -> list[str]:
    """Up to 5,000 distinct English home commands ("turn on the kitchen light", ...)."""
    actions = [
        "turn on",
        "turn off",
        "dim",
        "brighten",
        "check",
        "open",
        "close",
        "reset",
        "lock",
        "unlock",
    ]
    rooms = [
        "kitchen",
        "bedroom",
        "living room",
        "bathroom",
        "hallway",
        "garage",
        "office",
        "dining room",
        "guest room",
        "basement",
        "attic",
        "porch",
        "study",
        "nursery",
        "laundry room",
        "balcony",
        "cellar",
        "library",
        "gym",
        "pantry",
    ]
    things = [
        "light",
        "lamp",
        "fan",
        "heater",
        "curtains",
        "blinds",
        "speaker",
        "television",
        "radio",
        "air conditioner",
        "window",
        "door",
        "camera",
        "plug",
        "purifier",
        "humidifier",
        "vacuum",
        "kettle",
        "oven",
        "fridge",
        "washer",
        "dryer",
        "sensor",
        "alarm",
        "clock",
    ]
    out = [f"{a} the {r} {t}" for a in actions for r in rooms for t in things]
    return out[:count]


def stream_in_chunks(recognizer: Recognizer, pcm: bytes, rate: int, ms: int = 100) -> Result:
    """`pcm` decoded as a microphone would deliver it: `ms` at a time, then the end."""
    stream = recognizer.stream(rate)
    step = rate * 2 * ms // 1000
    for start in range(0, len(pcm), step):
        stream.feed(pcm[start : start + step])
    return stream.finish()


def pinyin_similarity(expected: str, heard: str) -> float:
    """1 - the edit distance of the toneless pinyin of `heard` to that of `expected`, per letter
    of `expected` (1.0: the same sounds; 0.0 or less: nothing in common), floored at 0."""
    from voice.recognition.phrases import levenshtein  # noqa: PLC0415 - Mandarin tests only
    from voice.recognition.whisper_engine import pinyin_key  # noqa: PLC0415

    want, got = pinyin_key(expected), pinyin_key(heard)
    return max(0.0, 1.0 - levenshtein(want, got) / max(len(want), 1))


def heard_back(recognizer: Recognizer, wav: bytes) -> str:
    """What `recognizer` writes for the speech in `wav` with no phrase list (a free reading).

    Leaves `recognizer` in free mode: call it once the station is done listening. Half a
    second of quiet either side, as in a room: without it Whisper wrote digit strings
    ("2 5 3 3 3 3") for espeak-ng's "已打开客厅的灯" at 160-175 words per minute."""
    pcm = read_wav(wav, name="spoken answer")
    speech = resample(pcm.data, pcm.rate, 16000)
    recognizer.set_phrases(None)
    return recognizer.transcribe(silence(0.5) + speech + silence(0.5), 16000).text

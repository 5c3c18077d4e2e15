"""The installer's microphone check: a few seconds from the room's input, its level and what
the recogniser hears in it without the phrase list, said aloud in the station's language.

Only a room station has a microphone: `python -m voice room` gives the station its listener
(`Station.microphone`); a plain `serve` station answers `not_listening`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..errors import VoiceError
from ..speech.announce import Announcement, Priority

if TYPE_CHECKING:
    from ..station.station import Station

MIN_SECONDS = 1.0
MAX_SECONDS = 10.0
DEFAULT_SECONDS = 3.0
# Full scale is 0 dBFS. Speech at arm's length peaks around -20 to -6 dBFS on a room
# microphone; below SILENT_PEAK nothing reached it (unplugged, muted).
SILENT_PEAK_DBFS = -60.0
QUIET_PEAK_DBFS = -30.0
FLOOR_DBFS = -120.0  # what digital silence is reported as (log of zero)


class NotListening(VoiceError):
    code = "not_listening"
    en = (
        "This station has no microphone in use: it runs as `serve`. Start it with "
        "`python -m voice room` to use its microphone."
    )
    zh = (
        "此语音站没有在使用麦克风：它以 `serve` 方式运行。"
        "请用 `python -m voice room` 启动以使用麦克风。"
    )


class NothingRecorded(VoiceError):
    code = "nothing_recorded"
    en = "The room's audio input gave no sound to check (its input has ended)."
    zh = "房间的音频输入没有给出可检查的声音（输入已结束）。"


class CheckInProgress(VoiceError):
    code = "microphone_busy"
    en = "A microphone check is already running on this station; wait for its result."
    zh = "此语音站正在检查麦克风，请等待结果。"


class Microphone(Protocol):
    """What the station records a check from (room mode's listener)."""

    language: str  # what is heard is transcribed in this language

    async def record(self, seconds: float) -> tuple[bytes, int]:
        """About `seconds` of 16-bit mono PCM from the room's input, and its rate."""
        ...


@dataclass(frozen=True, slots=True)
class MicrophoneCheck:
    """How loud the recording was and what was heard in it."""

    seconds: float
    peak_dbfs: float
    rms_dbfs: float
    heard: str  # free transcription; "" when no words were made out
    language: str  # of `heard`

    @property
    def verdict(self) -> str:
        """`silent` (nothing reached the microphone), `quiet` (too low to be heard well),
        `no_words` (loud enough, nothing made out) or `ok`."""
        if self.peak_dbfs < SILENT_PEAK_DBFS:
            return "silent"
        if self.peak_dbfs < QUIET_PEAK_DBFS:
            return "quiet"
        return "ok" if self.heard else "no_words"

    def sentence(self, language: str) -> str:
        """What the station says about the check, in `language` (others: English)."""
        table = SENTENCES[self.verdict]
        return table.get(language, table["en"]).format(heard=self.heard)

    def as_dict(self) -> dict[str, object]:
        return {
            "seconds": round(self.seconds, 2),
            "peak_dbfs": round(self.peak_dbfs, 1),
            "rms_dbfs": round(self.rms_dbfs, 1),
            "heard": self.heard,
            "language": self.language,
            "verdict": self.verdict,
        }


SENTENCES = {
    "ok": {
        "zh": "麦克风正常，听到了：{heard}",
        "en": "The microphone works. I heard: {heard}",
    },
    "no_words": {
        "zh": "麦克风正常，但是没有听清说了什么。请离麦克风近一点，再试一次。",
        "en": "The microphone works, but I could not make out any words. "
        "Please speak closer to it and try again.",
    },
    "quiet": {
        "zh": "麦克风的声音太小了。请靠近麦克风大声说话，或者调高麦克风的音量，再试一次。",
        "en": "The microphone is too quiet. Please speak up, closer to it, "
        "or turn up its volume, and try again.",
    },
    "silent": {
        "zh": "麦克风没有声音。请检查麦克风有没有接好、有没有静音。",
        "en": "The microphone gives no sound. Please check that it is plugged in and not muted.",
    },
}


def levels(pcm: bytes) -> tuple[float, float]:
    """Peak and RMS level of 16-bit PCM in dBFS (full scale: 0 dBFS)."""
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)
    if not samples.size:
        return FLOOR_DBFS, FLOOR_DBFS
    peak = float(np.max(np.abs(samples))) / 32768.0
    rms = math.sqrt(float(np.mean(samples**2))) / 32768.0
    return _dbfs(peak), _dbfs(rms)


def _dbfs(value: float) -> float:
    return max(FLOOR_DBFS, 20.0 * math.log10(value)) if value > 0 else FLOOR_DBFS


async def check_microphone(station: Station, seconds: float) -> MicrophoneCheck:
    """Record `seconds` from the station's microphone, after the `listening` earcon, measure
    it, transcribe it freely and say the outcome on the station's speaker (queued: the
    check is answered at once)."""
    microphone = station.microphone
    if microphone is None:
        raise NotListening
    language = station.settings.language  # the household's, as Home Assistant set it
    await station.announcer.submit(
        Announcement(
            id="mic-check-start",
            text="",
            language=language,
            priority=Priority.HIGH,
            chime="listening",
        )
    ).done
    pcm, rate = await microphone.record(seconds)
    if not pcm:
        raise NothingRecorded
    peak, rms = levels(pcm)
    heard = ""
    if peak >= SILENT_PEAK_DBFS:
        recognizer = station.recognizers[microphone.language]
        heard = await station.run_blocking(recognizer.transcribe_freely, pcm, rate)
    check = MicrophoneCheck(len(pcm) / (2 * rate), peak, rms, heard, microphone.language)
    station.announcer.submit(
        Announcement(
            id="mic-check",
            text=check.sentence(language),
            language=language,
            priority=Priority.HIGH,
        )
    )
    return check

"""The station's voice changed by voice: "slower", "louder", within limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

RATE_STEP: Final = 30  # words per minute per "slower"/"faster"
VOLUME_STEP: Final = 15  # percent per "louder"/"quieter"
MIN_VOLUME: Final = 10
MAX_VOLUME: Final = 100
# The accessibility intents that change the voice, and by how much.
VOICE_STEPS: Final = {
    "SpeakSlower": (-RATE_STEP, 0),
    "SpeakFaster": (RATE_STEP, 0),
    "SpeakLouder": (0, VOLUME_STEP),
    "SpeakQuieter": (0, -VOLUME_STEP),
}


@dataclass(frozen=True, slots=True)
class VoiceChange:
    """The new rate and volume, and the answer key ("slower", or "slowest" at the limit)."""

    key: str
    rate: int
    volume: int
    changed: bool


def change_voice(
    rate: int,
    volume: int,
    *,
    rate_step: int = 0,
    volume_step: int = 0,
    min_rate: int,
    max_rate: int,
) -> VoiceChange:
    """Step the rate or the volume; at a limit nothing changes and the answer says so."""
    new_rate = min(max_rate, max(min_rate, rate + rate_step))
    new_volume = min(MAX_VOLUME, max(MIN_VOLUME, volume + volume_step))
    if rate_step and new_rate == rate:
        return VoiceChange("slowest" if rate_step < 0 else "fastest", rate, volume, False)
    if volume_step and new_volume == volume:
        return VoiceChange("quietest" if volume_step < 0 else "loudest", rate, volume, False)
    if rate_step:
        key = "slower" if rate_step < 0 else "faster"
    else:
        key = "quieter" if volume_step < 0 else "louder"
    return VoiceChange(key, new_rate, new_volume, True)

"""The voice detector: utterances found by energy, clicks and hum ignored, shorter pauses
after a whole command."""

from __future__ import annotations

import numpy as np

from tests.speech import silence, synth
from voice.recognition.phrases import Said
from voice.room.vad import EnergyVad


def _noise(seconds: float, level: float, seed: int = 1, rate: int = 16000) -> bytes:
    rng = np.random.default_rng(seed)
    samples = rng.normal(0, level, int(seconds * rate))
    return bytes(np.clip(samples, -32768, 32767).astype("<i2").tobytes())


def _mix(a: bytes, b: bytes) -> bytes:
    x = np.frombuffer(a, dtype="<i2").astype(np.int32)
    y = np.frombuffer(b, dtype="<i2").astype(np.int32)[: len(x)]
    x[: len(y)] += y
    return bytes(np.clip(x, -32768, 32767).astype("<i2").tobytes())


def _utterances(pcm: bytes, chunk: int = 3000) -> list[tuple[float, float]]:
    vad = EnergyVad(16000, max_seconds=30.0)
    found = []
    for start in range(0, len(pcm), chunk):
        found += vad.process(pcm[start : start + chunk])
    if (last := vad.flush()) is not None:
        found.append(last)
    return [(u.start, len(u.pcm) / 32000) for u in found]


def test_vad_finds_each_utterance() -> None:
    first, second = synth("turn on the kitchen light"), synth("what time is it")
    pcm = silence(1.0) + first + silence(1.5) + second + silence(1.0)
    found = _utterances(pcm)
    assert len(found) == 2
    (start1, length1), (start2, _) = found
    assert 0.6 <= start1 <= 1.0  # pre-roll keeps the first syllable
    assert length1 >= len(first) / 32000
    assert 1.0 + len(first) / 32000 + 1.0 <= start2 + 0.5


def test_vad_ignores_silence_clicks_and_steady_noise() -> None:
    assert _utterances(silence(3.0)) == []
    click = silence(1.0) + _noise(0.06, 8000) + silence(1.0)
    assert _utterances(click) == []
    hum = _noise(4.0, 250, seed=2)  # a fan: below the floor
    assert _utterances(hum) == []
    speech_in_hum = _mix(hum, silence(1.0) + synth("close the curtains"))
    assert len(_utterances(speech_in_hum)) == 1


def test_vad_events_carry_the_whole_utterance_as_it_comes() -> None:
    """The room decodes speech while it comes: start + audio pieces = the utterance, in order;
    a click starts and ends with no utterance (its decode is dropped)."""
    pcm = silence(0.8) + synth("close the curtains") + silence(1.0)
    pcm += _noise(0.12, 8000) + silence(1.0) + synth("what time is it")  # no quiet at the end
    vad = EnergyVad(16000, max_seconds=30.0)
    events = []
    for start in range(0, len(pcm), 4096):
        events += vad.feed(pcm[start : start + 4096])
    events += vad.finish()
    assert vad.finish() == []
    kinds = [e.kind for e in events]
    assert kinds[0] == "start"
    ends = [i for i, kind in enumerate(kinds) if kind == "end"]
    assert len(ends) == 3
    pieces: list[bytes] = []
    utterances = []
    for event in events:
        if event.kind == "start":
            pieces = [event.pcm]
        elif event.kind == "audio":
            pieces.append(event.pcm)
        elif event.utterance is not None:
            assert b"".join(pieces) == event.utterance.pcm
            utterances.append(event.utterance)
    assert len(utterances) == 2  # the click was not speech
    assert [e.utterance for e in events if e.kind == "end"][1] is None


def _quiet_before_cut(pcm: bytes, said: Said) -> float:
    """Seconds of quiet the detector waited after the speech in `pcm` before ending it,
    told (as the room's decoder tells it) how complete a command what was said is."""
    vad = EnergyVad(16000, max_seconds=30.0)
    for start in range(0, len(pcm), 960):
        for event in vad.feed(pcm[start : start + 960]):
            if event.kind == "start":
                vad.said = said
            if event.utterance is not None:
                cut = event.utterance.pcm
                frames = np.frombuffer(cut, dtype="<i2").astype(np.float64).reshape(-1, 480)
                loud = np.flatnonzero(np.sqrt(np.mean(frames**2, axis=1)) > 300)
                return (len(frames) - 1 - int(loud[-1])) * 0.03
    raise AssertionError("no utterance ended")


def test_vad_ends_a_whole_command_after_a_shorter_pause() -> None:
    pcm = silence(0.5) + synth("turn on the kitchen light") + silence(1.5)
    assert 0.55 <= _quiet_before_cut(pcm, Said.PART) <= 0.7
    assert 0.4 <= _quiet_before_cut(pcm, Said.PHRASE) <= 0.55
    assert 0.25 <= _quiet_before_cut(pcm, Said.WHOLE) <= 0.4


def test_vad_cuts_endless_speech() -> None:
    vad = EnergyVad(16000, max_seconds=2.0)
    found = vad.process(_noise(5.0, 6000))
    assert len(found) >= 2
    assert all(len(u.pcm) <= 2.0 * 32000 for u in found)

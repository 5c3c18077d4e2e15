"""How reliably the station hears the guided tour's sentences: `python -m bench.tour_sentences`.

Against a running showroom (`script/run`, or `--state` its folder), each sentence is spoken by
espeak-ng as the tour speaks it, in several voices (speeds x pitches, a stand-in for the small
differences between machines and recordings), streamed through Home Assistant's real Assist
pipeline up to the transcript only (`end_stage: stt`: nothing is done in the home), and the
transcript judged as the tour judges it: right when the station's agent understands it as it
understands the sentence (`barrier_free/meaning`), and for a sentence out of domain when nothing
was heard. Prints a markdown table per language. No assertions: numbers for people to read.

    python -m bench.tour_sentences --language zh 门锁好了吗 现在几度
    python -m bench.tour_sentences --language en     (the tour's own sentences)
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
SPEEDS = (130, 150, 170)  # words a minute; the tour speaks at 150
PITCHES = (35, 50, 65)  # espeak-ng's 0-99; the tour uses 50


def _tour() -> ModuleType:
    spec = importlib.util.spec_from_file_location("showroom_tour", ROOT / "script/showroom/tour.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["showroom_tour"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


async def _heard(tour: ModuleType, assist: Any, pipeline: str, audio: bytes) -> str | None:
    """The transcript of one spoken sentence; None when the station heard nothing it knows."""
    events = await assist.run(pipeline, None, audio=audio, text="", end_stage="stt")
    for event in events:
        if event["type"] == "stt-end":
            text = str(event["data"]["stt_output"]["text"])
            return text if tour.has_words(text) else None
    return None


async def _meaning(assist: Any, agent_id: str, text: str, language: str) -> Any:
    reply = await assist.call(
        {"type": "barrier_free/meaning", "agent_id": agent_id, "text": text, "language": language}
    )
    return reply["meaning"]


async def _measure(info: dict[str, Any], language: str, sentences: list[tuple[str, bool]]) -> str:
    tour = _tour()
    url = str(info["url"])
    rows = ["| sentence | heard right | heard otherwise (at speed/pitch) |", "|---|---|---|"]
    async with aiohttp.ClientSession() as session:
        token = await tour.login(session, url, info["login"]["username"], info["login"]["password"])
        assist = await tour.Assist.connect(session, url, token)
        try:
            pipeline_id = info["pipelines"][language]
            pipelines = await assist.call({"type": "assist_pipeline/pipeline/list"})
            pipeline = next(p for p in pipelines["pipelines"] if p["id"] == pipeline_id)
            agent_id = str(pipeline["conversation_engine"])
            for sentence, in_domain in sentences:
                wanted = await _meaning(assist, agent_id, sentence, language) if in_domain else None
                right, tries, misses = 0, 0, []
                for speed in SPEEDS:
                    for pitch in PITCHES:
                        audio = await asyncio.to_thread(
                            tour.speech, sentence, language, speed=speed, pitch=pitch
                        )
                        heard = await _heard(tour, assist, pipeline_id, audio)
                        tries += 1
                        if not in_domain:
                            ok = heard is None
                        else:
                            ok = heard is not None and (
                                heard == sentence
                                or (
                                    wanted is not None
                                    and await _meaning(assist, agent_id, heard, language) == wanted
                                )
                            )
                        right += ok
                        if not ok:
                            misses.append(f"{heard or '(nothing)'} at {speed}/{pitch}")
                label = sentence if in_domain else f"{sentence} (out of domain)"
                rows.append(f"| {label} | {right}/{tries} | {', '.join(misses) or '-'} |")
                print(rows[-1], flush=True)
        finally:
            await assist.close()
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", default=str(ROOT / ".cache" / "showroom"))
    parser.add_argument("--language", choices=["zh", "en"], default="zh")
    parser.add_argument(
        "--out-of-domain", action="append", default=[], help="a sentence nothing should match"
    )
    parser.add_argument("sentences", nargs="*", help="default: the tour's own sentences")
    args = parser.parse_args()
    info = json.loads((Path(args.state) / "running.json").read_text(encoding="utf-8"))
    tour = _tour()
    chosen = [(text, True) for text in args.sentences] + [
        (text, False) for text in args.out_of_domain
    ]
    if not chosen:
        chosen = [(step.said, step.in_domain) for step in tour.TOURS[args.language]]
    print(f"espeak-ng speeds {SPEEDS} x pitches {PITCHES}, {args.language}:")
    print(asyncio.run(_measure(info, args.language, chosen)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the agent (issue 5): `.venv/bin/python bench/agent.py [--quick]`.

1. Phrase lists: build time (p50 of a few runs), phrases and characters for generated homes of
   20, 100 and 300 entities (bench/agent_home.py: lights, switches, covers, locks, climate,
   sensors over rooms with English and Mandarin names), in `en` and `zh`; and the station's
   time to put the list in force (`bf-set-phrases` → `bf-phrases` over a paired socket, the
   pocketsphinx English recogniser; no Mandarin model is installed here).
2. End to end at 100 entities, English, through the path the product uses in a room: a real
   station (voice.station.station.Station on 127.0.0.1) in room mode (room.listener.RoomListener)
   and a real Home Assistant test instance (the pytest-homeassistant-custom-component harness,
   temporary config folder) with barrier_free set up against it and its phrase list pushed by
   the integration itself. Commands ("turn on the <name>" for every light and switch) are
   synthesised with espeak-ng and handed to the room listener as a microphone would, in
   4096-byte reads at real-time pace (the room decodes speech while it comes): the energy
   detector cuts each utterance after 600 ms of quiet, or 300/450 ms once the decoder's
   partial result is a command (see voice.room.VadSettings), and that cut is the "end of
   audio" here (a resident also waits that quiet after the last word: measured, shown too).
   Stages: recognition (cut → transcript), agent (transcript → `bf-room-transcript` → room
   flow → conversation agent → state change → `bf-answer` back at the station), synthesis
   (`bf-answer` → the station's first audio byte handed to the speaker). The speaker is a stub
   that records the time and plays nothing, so commands follow each other without waiting.
3. Understanding on the same commands: the intended entity reached the intended state, the
   transcript was exactly the spoken sentence, and how many were rejected.

Prints tables with the goals beside them (no assertions): numbers to read. The runs are in
bench/agent_driver.py, the tables in bench/agent_report.py, the generated homes in
bench/agent_home.py; this module is the command line.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # custom_components/ and voice/ of this checkout

from bench.agent_driver import E2E_ENTITIES, end_to_end, phrase_lists  # noqa: E402
from bench.agent_report import report_end_to_end, report_lists  # noqa: E402
from voice.recognition.recognizer import load_recognizer  # noqa: E402
from voice.speech.tts import Synthesizer  # noqa: E402


async def main(quick: bool) -> None:
    began = time.perf_counter()
    runs = 3 if quick else 5
    recognizer = load_recognizer("en")
    synthesizer = Synthesizer()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows, templates_ms, zh_note = await phrase_lists(
                runs, recognizer, synthesizer, Path(tmp)
            )
            report_lists(rows, templates_ms, zh_note, runs)
            result = await end_to_end(
                E2E_ENTITIES, recognizer, synthesizer, Path(tmp), turn_off=not quick
            )
            report_end_to_end(result)
    finally:
        synthesizer.close()
        recognizer.close()
    print(
        f"\nMode {'quick' if quick else 'full'}; total {time.perf_counter() - began:.0f} s on "
        f"this machine. Speech: espeak-ng en-us, 16 kHz; recogniser pocketsphinx en-us."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="3 runs per list, 'turn on' commands only (~6 min)"
    )
    asyncio.run(main(parser.parse_args().quick))

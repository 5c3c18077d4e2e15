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

Prints tables with the goals beside them (no assertions): numbers to read.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # custom_components/ and voice/ of this checkout

from homeassistant.const import EVENT_STATE_CHANGED  # noqa: E402
from homeassistant.core import Event as HaEvent  # noqa: E402
from homeassistant.core import HomeAssistant, callback  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    async_test_home_assistant,
)

from bench._hass import async_add_station, async_prepare  # noqa: E402
from bench.agent_home import async_setup_home, generate, plain_home  # noqa: E402
from custom_components.barrier_free.client import StationSession, set_phrases_event  # noqa: E402
from custom_components.barrier_free.logic.phrase_list import (  # noqa: E402
    PhraseList,
    build_phrase_list,
)
from custom_components.barrier_free.logic.templates import load_templates  # noqa: E402
from tests.speech import silence, synth  # noqa: E402
from voice.errors import VoiceError  # noqa: E402
from voice.recognition.recognizer import Recognizer, Result, load_recognizer  # noqa: E402
from voice.room.audio_input import AudioInput  # noqa: E402
from voice.room.listener import RoomConfig, RoomListener  # noqa: E402
from voice.room.vad import Utterance  # noqa: E402
from voice.speech.announce import Segment  # noqa: E402
from voice.speech.tts import Synthesizer  # noqa: E402
from voice.station.station import Station, StationConfig  # noqa: E402

SIZES = (20, 100, 300)
LANGUAGES = ("en", "zh")
E2E_ENTITIES = 100
GOAL_MS = 300.0
GOAL_ACCURACY = 95.0
RATE = 16000
CHUNK = 4096  # bytes per "microphone" read, as voice.room reads files
LEAD_S = 0.3  # silence before each command
TAIL_S = 0.8  # after it: the energy detector ends an utterance after 0.6 s of quiet
LOUD_RMS = 300.0  # voice.room.VadSettings.floor: a 30 ms frame above it is speech
TRIAL_LIMIT = 30.0  # seconds: only so that a broken run ends


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _station(tmp: Path, name: str, recognizer: Recognizer, synthesizer: Synthesizer) -> Station:
    return TimedStation(
        StationConfig(
            host="127.0.0.1",
            port=0,
            name=name,
            languages=("en",),
            state_dir=tmp / name.replace(" ", "-"),
            zeroconf=False,
            output=tmp / f"{name.replace(' ', '-')}-spoken",
            output_pace=0.0,
        ),
        recognizers={"en": recognizer},
        synthesizer=synthesizer,
    )


# --- 1. phrase lists ------------------------------------------------------------------


@dataclass
class ListRow:
    entities: int
    language: str
    phrases: int
    characters: int
    build_ms: float
    build_min_ms: float
    build_max_ms: float
    load_ms: float | None = None
    first_stream_ms: float | None = None
    in_force: int | None = None
    unusable_words: int | None = None


async def phrase_lists(
    runs: int, recognizer: Recognizer, synthesizer: Synthesizer, tmp: Path
) -> tuple[list[ListRow], dict[str, float], str]:
    templates_ms: dict[str, float] = {}
    for language in LANGUAGES:
        started = time.perf_counter()
        load_templates(language)
        templates_ms[language] = _ms(time.perf_counter() - started)
    try:
        load_recognizer("zh").close()
        zh_note = "a Mandarin model is installed but this benchmark only loads English lists"
    except VoiceError as err:
        zh_note = f"no Mandarin recogniser here ({err.code})"
    rows: list[ListRow] = []
    station = _station(tmp, "phrase bench", recognizer, synthesizer)
    await station.start()
    version = 0
    try:
        async with await StationSession.open(
            "127.0.0.1", station.port, station.token, time_limit=10
        ) as session:
            for count in SIZES:
                specs = generate(count)
                for language in LANGUAGES:
                    home = plain_home(specs, language)
                    built: list[float] = []
                    phrase_list: PhraseList | None = None
                    for _ in range(runs):
                        gc.collect()  # a collection left over from the last run is not ours
                        started = time.perf_counter()
                        phrase_list = build_phrase_list(home, language)
                        built.append(time.perf_counter() - started)
                    assert phrase_list is not None
                    row = ListRow(
                        count,
                        language,
                        len(phrase_list),
                        sum(len(p) for p in phrase_list),
                        _ms(statistics.median(built)),
                        _ms(min(built)),
                        _ms(max(built)),
                    )
                    if language == "en":
                        loads: list[float] = []
                        streams: list[float] = []
                        for _ in range(runs):
                            version += 1
                            event = set_phrases_event("en", phrase_list.phrases, version)
                            started = time.perf_counter()
                            answer = await session.request(event, "bf-phrases", time_limit=300)
                            loads.append(time.perf_counter() - started)
                            # the first stream after a swap pays grammar work left to it
                            started = time.perf_counter()
                            await asyncio.to_thread(lambda: recognizer.stream(RATE).cancel())
                            streams.append(time.perf_counter() - started)
                        row.load_ms = _ms(statistics.median(loads))
                        row.first_stream_ms = _ms(statistics.median(streams))
                        row.in_force = int(answer.data.get("count", 0))
                        unusable = answer.data.get("unusable") or []
                        row.unusable_words = len({u.get("word") for u in unusable})
                    rows.append(row)
    finally:
        await station.stop()
    return rows, templates_ms, zh_note


# --- 2./3. end to end through room mode -------------------------------------------------


@dataclass
class Trial:
    """One spoken command and what happened to it (perf_counter times; 0: did not happen)."""

    spoken: str
    entity_id: str
    target: str  # the state the command should bring ("on", "off")
    kind: str  # "natural": "turn on the <name>"; "listed": the list's own phrase for it
    in_list: bool
    cut: float = 0.0
    recognised: float = 0.0
    answered: float = 0.0
    first_audio: float = 0.0
    state: float = 0.0
    transcript: str = ""
    rejected: bool = False
    utterances: int = 0
    audio_s: float = 0.0  # length of the utterance the detector cut (what is decoded)
    quiet_s: float = 0.0  # quiet the detector waited after the last loud frame before the cut
    changed: list[str] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def complete(self) -> bool:
        return bool(self.cut and self.recognised and self.answered and self.first_audio)


class Recorder:
    """The trial in progress, shared by the station, the room, the speaker and the home."""

    def __init__(self) -> None:
        self.trial: Trial | None = None


RECORDER = Recorder()


class TimedStation(Station):
    """The product's station; only notes when Home Assistant's answer arrives."""

    def deliver_answer(self, utterance_id: str, item: Any) -> None:
        trial = RECORDER.trial
        if trial is not None and not trial.answered:
            trial.answered = time.perf_counter()
        super().deliver_answer(utterance_id, item)


class StubSpeaker:
    """A speaker that notes when the answer's first audio arrives, and plays nothing."""

    description = "bench stub speaker"

    async def play(self, segment: Segment) -> None:
        trial = RECORDER.trial
        if (
            trial is not None
            and segment.kind == "speech"
            and not segment.label.startswith("room-")  # the station's own sayings
            and not trial.first_audio
            and segment.pcm
        ):
            trial.first_audio = time.perf_counter()

    async def close(self) -> None:
        return None


class FedInput(AudioInput):
    """A microphone fed by the benchmark: 16 kHz PCM chunks from a queue (None ends it)."""

    def __init__(self, feed: asyncio.Queue[bytes | None]) -> None:
        super().__init__("-")
        self.rate = RATE
        self.live = False
        self.real_time = True  # paced as spoken: the detector may end whole commands early
        self._feed = feed

    async def chunks(self) -> AsyncIterator[bytes]:
        while (chunk := await self._feed.get()) is not None:
            yield chunk

    async def close(self) -> None:
        return None


def _quiet_at_end(utterance: Utterance) -> float:
    """Seconds from the end of the last loud 30 ms frame to the end of `utterance`."""
    frame = utterance.rate * 30 // 1000
    samples = np.frombuffer(utterance.pcm, dtype="<i2").astype(np.float64)
    count = len(samples) // frame
    rms = np.sqrt(np.mean(samples[: count * frame].reshape(count, frame) ** 2, axis=1))
    loud = np.flatnonzero(rms > LOUD_RMS)
    last = int(loud[-1]) + 1 if len(loud) else 0
    return (len(samples) - last * frame) / utterance.rate


class StageClock:
    """Told by the room listener of each stage of an utterance; notes the times."""

    def cut(self, utterance: Utterance) -> None:
        trial = RECORDER.trial
        if trial is not None and not trial.cut:
            trial.cut = time.perf_counter()
            trial.quiet_s = _quiet_at_end(utterance)

    def recognised(self, utterance: Utterance, result: Result) -> None:
        trial = RECORDER.trial
        if trial is not None and not trial.recognised:
            trial.recognised = time.perf_counter()
            trial.audio_s = len(utterance.pcm) / (2 * utterance.rate)
            trial.rejected = result.rejected
            trial.transcript = "" if result.rejected else (result.phrase or result.text)

    def handled(self, utterance: Utterance) -> None:
        trial = RECORDER.trial
        if trial is not None:
            trial.utterances += 1
            trial.done.set()


def bench_room(station: Station, feed: asyncio.Queue[bytes | None]) -> RoomListener:
    """The product's room listener with a fed microphone and time stamps between stages."""
    # A shorter wait for Home Assistant's answer than the room's 15 s: only a failure
    # waits for it, and it would make a broken run last long.
    return RoomListener(
        station,
        RoomConfig(input="-", language="en", answer_timeout=5.0),
        source=FedInput(feed),
        observer=StageClock(),
    )


@dataclass
class EndToEnd:
    trials: list[Trial]
    commands_in_list: int
    phrases: int
    coverage: dict[str, tuple[int, int]]
    setup_s: float
    pushes: int


async def _wait_for(predicate: Callable[[], bool], what: str, limit: float = 120.0) -> None:
    for _ in range(int(limit / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


async def end_to_end(
    count: int, recognizer: Recognizer, synthesizer: Synthesizer, tmp: Path, turn_off: bool
) -> EndToEnd:
    specs = generate(count)
    switchable = [s for s in specs if s.domain in ("light", "switch")]
    station = _station(tmp, "Bench room", recognizer, synthesizer)
    await station.start()
    station.announcer.output = StubSpeaker()
    config_dir = tmp / "ha"
    config_dir.mkdir()
    trials: list[Trial] = []
    try:
        async with async_test_home_assistant(config_dir=str(config_dir)) as hass:
            started = time.perf_counter()
            await async_prepare(hass)
            await async_setup_home(hass, specs, "en")
            entry = await async_add_station(hass, station)
            sync = entry.runtime_data.phrase_sync
            assert sync is not None
            await _wait_for(lambda: sync.pushes >= 1, "the home's phrase list on the station")
            await hass.async_block_till_done()
            setup_s = time.perf_counter() - started
            assert sync.phrases is not None
            phrase_list = sync.phrases
            listed = set(phrase_list.phrases)

            names = [s.en for s in specs]
            plan: list[Trial] = []
            for kind in ("natural", "listed"):
                for target, verb in (("on", "turn on"), ("off", "turn off")):
                    if target == "off" and not turn_off:
                        continue
                    for spec in switchable:
                        spoken: str | None = f"{verb} the {spec.en}"
                        if kind == "listed":
                            spoken = listed_command(phrase_list, verb, spec.en, names)
                        if spoken is None:
                            continue
                        plan.append(Trial(spoken, spec.entity_id, target, kind, spoken in listed))
            audio = {
                t.spoken: silence(LEAD_S) + synth(t.spoken, rate=RATE) + silence(TAIL_S)
                for t in plan
            }
            home_ids = {s.entity_id for s in specs}
            _listen_states(hass, home_ids)

            feed: asyncio.Queue[bytes | None] = asyncio.Queue()
            room = bench_room(station, feed)
            listening = asyncio.create_task(room.run(), name="bench room")
            for trial in plan:
                # the opposite state first, so that the command has something to change
                domain = trial.entity_id.partition(".")[0]
                opposite = "off" if trial.target == "on" else "on"
                await hass.services.async_call(
                    domain, f"turn_{opposite}", {"entity_id": trial.entity_id}, blocking=True
                )
                await hass.async_block_till_done()
                RECORDER.trial = trial
                pcm = audio[trial.spoken]
                began = time.perf_counter()
                for start in range(0, len(pcm), CHUNK):
                    # at the pace a microphone delivers it (the room decodes while it comes)
                    due = began + start / (2 * RATE)
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                    feed.put_nowait(pcm[start : start + CHUNK])
                try:
                    async with asyncio.timeout(TRIAL_LIMIT):
                        await trial.done.wait()
                except TimeoutError:
                    print(f"  (no outcome within {TRIAL_LIMIT:.0f} s: {trial.spoken!r})")
                await hass.async_block_till_done()
                RECORDER.trial = None
                trials.append(trial)
            feed.put_nowait(None)
            await listening
            pushes = sync.pushes
            await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done()
    finally:
        RECORDER.trial = None
        await station.stop()
    coverage = {
        domain: (
            sum(
                1
                for s in switchable
                if s.domain == domain
                and {f"turn on {s.en}", f"turn on the {s.en}"} & set(phrase_list.phrases)
            ),
            sum(1 for s in switchable if s.domain == domain),
        )
        for domain in ("light", "switch")
    }
    return EndToEnd(
        trials, sum(t.in_list for t in trials), len(phrase_list), coverage, setup_s, pushes
    )


def listed_command(phrase_list: PhraseList, verb: str, name: str, names: list[str]) -> str | None:
    """The list's own phrase to switch `name` on/off: "turn on <name>" if there is one."""
    for phrase in (f"{verb} the {name}", f"{verb} {name}"):
        if phrase in phrase_list.intents:
            return phrase
    intent = "HassTurnOn" if verb == "turn on" else "HassTurnOff"
    longer = [n for n in names if name in n and n != name]  # "master bedroom wall light"
    found = [
        p
        for p in phrase_list.phrases
        if phrase_list.intents.get(p) == intent
        and name in p
        and not any(n in p for n in longer)
        and p.startswith(verb)
    ]
    return min(found, key=lambda p: (len(p), p)) if found else None


def _listen_states(hass: HomeAssistant, home_ids: set[str]) -> None:
    @callback
    def changed(event: HaEvent[Any]) -> None:
        trial = RECORDER.trial
        entity_id = event.data["entity_id"]
        if trial is None or entity_id not in home_ids:
            return
        old, new = event.data.get("old_state"), event.data.get("new_state")
        if new is None or (old is not None and old.state == new.state):
            return
        trial.changed.append(entity_id)
        if entity_id == trial.entity_id and new.state == trial.target and not trial.state:
            trial.state = time.perf_counter()

    hass.bus.async_listen(EVENT_STATE_CHANGED, changed)


# --- report -----------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def report_lists(
    rows: list[ListRow], templates_ms: dict[str, float], zh_note: str, runs: int
) -> None:
    print(f"## 1. Phrase lists (p50 of {runs} runs)\n")
    print(
        "| entities | language | phrases | characters | build ms p50 (min–max) | "
        "station load ms (bf-set-phrases round trip, p50) | 1st stream after load ms | "
        "in force | unusable words |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r.entities} | {r.language} | {r.phrases:,} | {r.characters:,} | "
            f"{r.build_ms:.0f} ({r.build_min_ms:.0f}–{r.build_max_ms:.0f}) | "
            f"{_fmt(r.load_ms)} | {_fmt(r.first_stream_ms, 1)} | "
            f"{_fmt(r.in_force)} | {_fmt(r.unusable_words)} |"
        )
    print(
        f"\nTemplates loaded once per language before the runs: en {templates_ms['en']:.0f} ms, "
        f"zh {templates_ms['zh']:.0f} ms. Station load: pocketsphinx en-us; zh: {zh_note}."
    )


def report_end_to_end(result: EndToEnd) -> None:
    trials = result.trials
    done = [t for t in trials if t.complete and not t.rejected]
    acted = [t for t in done if t.state and set(t.changed) == {t.entity_id}]
    print(f"\n## 2. End to end, {E2E_ENTITIES} entities, English, room mode\n")
    print(
        f"{len(trials)} spoken commands ({len({t.spoken for t in trials})} distinct; "
        f"{result.commands_in_list} of them are phrases of the home's list of "
        f"{result.phrases:,}); Home Assistant + integration ready in {result.setup_s:.1f} s; "
        f"timed: {len(done)} answered, {len(acted)} with the intended state change only.\n"
    )

    def stats(values: list[float]) -> tuple[float, float]:
        if not values:
            return float("nan"), float("nan")
        return _ms(statistics.median(values)), _ms(_percentile(values, 0.95))

    to_state = stats([t.state - t.cut for t in acted])
    to_audio = stats([t.first_audio - t.cut for t in acted])
    print("| measure (from the end of the utterance) | p50 ms | p95 ms | goal | met (p50) |")
    print("|---|---:|---:|---:|---|")
    for name, (p50, p95) in (
        ("(a) → state change in Home Assistant", to_state),
        ("(b) → first byte of the spoken answer", to_audio),
    ):
        met = "yes" if p50 <= GOAL_MS else "no"
        print(f"| {name} | {p50:.0f} | {p95:.0f} | ≤ {GOAL_MS:.0f} | {met} |")
    after_word = stats([t.quiet_s + t.first_audio - t.cut for t in acted])
    print(
        f"| (b) from the last spoken word (with the quiet the room's detector waits) | "
        f"{after_word[0]:.0f} | {after_word[1]:.0f} | ≤ {GOAL_MS:.0f} | "
        f"{'yes' if after_word[0] <= GOAL_MS else 'no'} |"
    )
    quiet = stats([t.quiet_s for t in acted])
    print(
        f"| the detector's wait alone (300 ms after a whole command, 450 after one a longer "
        f"command goes on from, else 600) | "
        f"{quiet[0]:.0f} | {quiet[1]:.0f} | | |"
    )

    stages = {
        "recognition (cut → transcript)": [t.recognised - t.cut for t in acted],
        "agent (transcript → bf-answer at the station)": [t.answered - t.recognised for t in acted],
        "  of which transcript → state change": [t.state - t.recognised for t in acted],
        "synthesis (bf-answer → first audio byte)": [t.first_audio - t.answered for t in acted],
    }
    total = sum(statistics.fmean(v) for k, v in stages.items() if v and not k.startswith(" "))
    print("\n| stage | p50 ms | p95 ms | share of the mean total |")
    print("|---|---:|---:|---:|")
    for name, values in stages.items():
        p50, p95 = stats(values)
        share = statistics.fmean(values) / total * 100 if values and total else float("nan")
        print(f"| {name} | {p50:.0f} | {p95:.0f} | {share:.0f} % |")
    if acted:
        audio = statistics.median(t.audio_s for t in acted)
        print(
            f"\nTimed: the {len(acted)} commands that changed their entity and nothing else. "
            f"The room decodes each utterance while it is spoken ({audio:.2f} s of audio, p50, "
            "with 0.3 s before and the detector's wait after the speech); after the cut only the "
            "last read and the end of the decode remain."
        )

    print(f"\n## 3. Understanding, {E2E_ENTITIES} entities, English\n")
    print(
        'natural: "turn on/off the <name>" as a resident says it; listed: the phrase list\'s '
        "own on/off phrase for the entity (what the recogniser can return)\n"
    )
    print(
        "| commands | n | in the list | intended entity changed (only it) | "
        "transcript = spoken | rejected | understood, nothing changed | other entity changed |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind in ("natural", "listed", "all"):
        group = [t for t in trials if kind in ("all", t.kind)]
        n = len(group) or 1
        right = sum(1 for t in group if t.state and set(t.changed) == {t.entity_id})
        exact = sum(1 for t in group if t.transcript == t.spoken)
        rejected = sum(1 for t in group if t.rejected)
        silent = sum(1 for t in group if not t.rejected and not t.changed)
        wrong = sum(1 for t in group if set(t.changed) - {t.entity_id})
        print(
            f"| {kind} | {len(group)} | {sum(t.in_list for t in group)} | "
            f"{right} = {right / n * 100:.1f} % | {exact} = {exact / n * 100:.1f} % | "
            f"{rejected} | {silent} | {wrong} |"
        )
    print(f"\nGoal: intended entity changed ≥ {GOAL_ACCURACY:.0f} %.")
    plural = {"light": "lights", "switch": "switches"}
    covered = ", ".join(
        f"{plural[domain]} {have}/{of}" for domain, (have, of) in result.coverage.items()
    )
    print(f'Entities with "turn on <name>" or "turn on the <name>" in the list: {covered}.')
    examples = [
        next((t.spoken for t in trials if t.kind == "listed" and domain in t.entity_id), "")
        for domain in ("light.", "switch.")
    ]
    print("Listed phrases used, e.g.: " + "; ".join(repr(e) for e in examples if e) + ".")
    misses = [t for t in trials if not (t.state and set(t.changed) == {t.entity_id})]
    plain = [t for t in misses if t.rejected and not t.changed]
    shown = [t for t in misses if t not in plain]
    if misses:
        listed_rejects = [repr(t.spoken) for t in plain if t.kind == "listed"]
        natural_rejects = len(plain) - len(listed_rejects)
        print(
            f"\nMisses: {len(plain)} rejected with nothing changed ({natural_rejects} natural, "
            f"{len(listed_rejects)} listed{': ' if listed_rejects else ''}"
            f"{', '.join(listed_rejects)}); the others (spoken → transcript; changed):"
        )
        for t in shown:
            heard = "REJECTED" if t.rejected else repr(t.transcript)
            listed = "" if t.in_list else " [not in the list]"
            changed = ", ".join(t.changed) if t.changed else "nothing"
            print(f"- {t.kind}: {t.spoken!r}{listed} → {heard}; changed {changed}")
    odd = [t for t in trials if t.utterances > 1]
    if odd:
        print(f"\n{len(odd)} commands were cut into more than one utterance by the detector.")


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

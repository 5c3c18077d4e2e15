"""The measured runs of bench/agent.py: the phrase-list builds and loads, and the spoken
commands end to end through a real station in room mode and a real Home Assistant.

`phrase_lists` builds each generated home's list (bench/agent_home.py) a few times and puts the
English one in force on a station over a paired socket; `end_to_end` speaks every command into
the room listener at real-time pace and notes, per `Trial`, when each stage happened (the
station, the speaker stub, the room's stage observer and Home Assistant's state machine write
into the trial in progress). Numbers only: `bench/agent_report.py` turns them into tables.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event as HaEvent
from homeassistant.core import HomeAssistant, callback
from pytest_homeassistant_custom_component.common import async_test_home_assistant

from bench._hass import async_add_station, async_prepare
from bench.agent_home import async_setup_home, generate, plain_home
from custom_components.barrier_free.client import StationSession, set_phrases_event
from custom_components.barrier_free.logic.phrase_list import PhraseList, build_phrase_list
from custom_components.barrier_free.logic.templates import load_templates
from tests.speech import silence, synth
from voice.errors import VoiceError
from voice.recognition.recognizer import Recognizer, Result, load_recognizer
from voice.room.audio_input import AudioInput
from voice.room.listener import RoomConfig, RoomListener
from voice.room.vad import Utterance
from voice.speech.announce import Segment
from voice.speech.tts import Synthesizer
from voice.station.station import Station, StationConfig

SIZES = (20, 100, 300)
LANGUAGES = ("en", "zh")
E2E_ENTITIES = 100
RATE = 16000
CHUNK = 4096  # bytes per "microphone" read, as voice.room reads files
LEAD_S = 0.3  # silence before each command
TAIL_S = 0.8  # after it: the energy detector ends an utterance after 0.6 s of quiet
LOUD_RMS = 300.0  # voice.room.VadSettings.floor: a 30 ms frame above it is speech
TRIAL_LIMIT = 30.0  # seconds: only so that a broken run ends


def ms(seconds: float) -> float:
    return seconds * 1000.0


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
        templates_ms[language] = ms(time.perf_counter() - started)
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
                        ms(statistics.median(built)),
                        ms(min(built)),
                        ms(max(built)),
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
                        row.load_ms = ms(statistics.median(loads))
                        row.first_stream_ms = ms(statistics.median(streams))
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

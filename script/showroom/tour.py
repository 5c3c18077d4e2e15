"""The guided tour: spoken commands through Home Assistant's real Assist path, checked.

Each command is synthesised with espeak-ng and streamed into `assist_pipeline/run` over the
websocket API, on the showroom's pipeline for the language (the station's speech-to-text,
its agent and its text-to-speech). A language the station cannot hear yet is typed into the
same pipeline from its intent stage, so the rest of the loop is still proven. The tour prints
what was said, heard, changed and answered, saves each answer as a WAV file, and fails when
a command that should act did not, or an answer is missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

SAMPLE_RATE = 16000
CHUNK = 2048  # bytes: 64 ms of 16-bit mono audio
# espeak-ng voices; Mandarin needs the pinyin voice (`cmn` reads pinyin as English).
VOICES = {"en": "en-us", "zh": "cmn-latn-pinyin"}
DEMO_DOMAINS = ("light", "cover", "lock", "alarm_control_panel", "climate", "switch", "fan")
# Where the tour starts from: simulated inputs behind the demo devices (never sensitive).
START = [
    ("input_boolean", "turn_off", "input_boolean.living_room_light"),
    ("input_boolean", "turn_off", "input_boolean.garage_open"),
    ("input_boolean", "turn_on", "input_boolean.front_door_locked"),
]


@dataclass(frozen=True)
class Step:
    """One command of the tour and what it must do."""

    said: str
    kind: str
    changes: dict[str, str] = field(default_factory=dict)  # entity id -> state it must reach
    in_domain: bool = True  # the station should hear it (this or words that mean the same)
    repeats: bool = False  # the answer must be the previous step's answer, said again
    short: bool = False  # in the short tour (`--short`): a command and a confirmed one


# The order a guide shows things in: "say that again" right after the long status answer
# (so it has something worth repeating), the confirmation finished before anything else.
# Sentences the built-in recognisers hear in every voice `bench.tour_sentences` tries (the
# confirmation is what the prompt asks for).
TOURS: dict[str, list[Step]] = {
    "en": [
        Step(
            "can you switch on the living room light please",
            "control",
            {"light.living_room_light": "on"},
            short=True,
        ),
        Step("are the doors locked", "question"),
        Step("is everything okay at home", "status summary"),
        Step("what did you say", "repeat", repeats=True),
        Step("speak slower", "slower"),
        Step("open the garage door", "sensitive (asks first)", short=True),
        Step("yes go ahead", "confirmation", {"cover.garage_door": "open"}, short=True),
        Step("what is the capital of france", "out of domain", in_domain=False),
    ],
    "zh": [
        Step("帮我打开客厅灯", "control", {"light.living_room_light": "on"}, short=True),
        Step("客厅温度是多少", "question"),
        Step("家里一切正常吗", "status summary"),
        Step("再说一遍", "repeat", repeats=True),
        Step("讲慢一点", "slower"),
        Step("打开车库门", "sensitive (asks first)", short=True),
        Step("对的", "confirmation", {"cover.garage_door": "open"}, short=True),
        Step("法国的首都是哪里", "out of domain", in_domain=False),
    ],
}


@dataclass
class Result:
    step: Step
    heard: str = ""
    typed: bool = False
    changed: list[str] = field(default_factory=list)
    answer: str = ""
    wav: Path | None = None
    error: str = ""
    tries: int = 1
    same_meaning: bool = False
    """The station's agent understands what was heard as what was said (other words)."""
    previous_answer: str | None = None

    @property
    def refused(self) -> bool:
        """The station heard nothing the home understands (its speech-to-text says "…"), or
        Home Assistant ended the run before the agent."""
        if self.typed:
            return False
        return self.error.startswith("stt-no-text-recognized") or (
            not self.error and not has_words(self.heard)
        )

    @property
    def heard_right(self) -> bool:
        """Heard as meant: the words said, or words the station's agent understands as the
        same request; out of domain, nothing the home understands."""
        if self.typed:
            return False
        if not self.step.in_domain:
            return self.refused
        return not self.refused and (
            _normal(self.heard) == _normal(self.step.said) or self.same_meaning
        )

    @property
    def acted(self) -> bool:
        return bool(self.step.changes) and all(
            f"{entity}→{state}" in self.changed for entity, state in self.step.changes.items()
        )

    @property
    def broken(self) -> bool:
        if self.step.changes and not self.acted:
            return True
        if not self.step.changes and self.changed:
            return True  # a question or a sentence out of domain must not move anything
        if not self.typed and not self.heard_right:
            return True
        if self.error:
            # out of domain, Home Assistant may end the run unanswered: nothing was heard
            return not (self.refused and not self.step.in_domain)
        if not self.answer or self.wav is None:
            return True
        return self.step.repeats and self.answer != self.previous_answer  # said again?


def has_words(text: str) -> bool:
    """Whether a transcript holds a word: the station's speech-to-text hands Home Assistant
    "…" when what it heard matched nothing the home understands."""
    return any(c.isalnum() for c in text)


def _normal(text: str) -> str:
    """The words of `text`, without case or punctuation (other wordings: `same_meaning`)."""
    return " ".join(re.sub(r"[,.!?，。！？、]", " ", text.lower()).split())


def speech(text: str, language: str, *, speed: int = 150, pitch: int = 50) -> bytes:
    """16 kHz 16-bit mono PCM of `text` spoken by espeak-ng (words a minute, pitch 0-99), with
    a second of quiet after."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "said.wav"
        subprocess.run(
            [
                *("espeak-ng", "-v", VOICES[language], "-s", str(speed), "-p", str(pitch)),
                *("-w", str(wav), text),
            ],
            check=True,
        )
        raw = subprocess.run(
            [
                *("sox", str(wav), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16"),
                # little quiet before (more makes the grammar hear words in it), some after
                *("-e", "signed-integer", "-t", "raw", "-", "pad", "0.1", "1.2"),
            ],
            check=True,
            capture_output=True,
        ).stdout
    return raw


async def login(session: aiohttp.ClientSession, url: str, username: str, password: str) -> str:
    """An access token from Home Assistant's login flow, as the web interface gets one."""
    client_id = f"{url}/"
    async with session.post(
        f"{url}/auth/login_flow",
        json={
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": f"{url}/?auth_callback=1",
        },
    ) as response:
        flow = await response.json()
    async with session.post(
        f"{url}/auth/login_flow/{flow['flow_id']}",
        json={"client_id": client_id, "username": username, "password": password},
    ) as response:
        done = await response.json()
    if done.get("type") != "create_entry":
        raise RuntimeError(f"login refused: {done.get('errors')}")
    async with session.post(
        f"{url}/auth/token",
        data={"grant_type": "authorization_code", "code": done["result"], "client_id": client_id},
    ) as response:
        tokens = await response.json()
    return str(tokens["access_token"])


class Assist:
    """A websocket connection to Home Assistant: commands, pipeline runs, state changes."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._next_id = 0
        self._queues: dict[int, asyncio.Queue[dict[str, Any]]] = {}
        self.changes: list[str] = []
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    @classmethod
    async def connect(cls, session: aiohttp.ClientSession, url: str, token: str) -> Assist:
        ws = await session.ws_connect(f"{url.replace('http', 'ws', 1)}/api/websocket")
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": token})
        reply = await ws.receive_json()
        if reply.get("type") != "auth_ok":
            raise RuntimeError(f"websocket login refused: {reply}")
        assist = cls(ws)
        assist._reader = asyncio.create_task(assist._read())
        await assist.call({"type": "subscribe_events", "event_type": "state_changed"}, events=True)
        return assist

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._ws.close()

    async def _read(self) -> None:
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = message.json()
            event = data.get("event", {})
            if data.get("type") == "event" and event.get("event_type") == "state_changed":
                await self._note_change(event["data"])
            elif (queue := self._queues.get(data.get("id", -1))) is not None:
                await queue.put(data)

    async def _note_change(self, data: dict[str, Any]) -> None:
        entity_id: str = data["entity_id"]
        old, new = data.get("old_state") or {}, data.get("new_state") or {}
        if entity_id.split(".", 1)[0] in DEMO_DOMAINS and old.get("state") != new.get("state"):
            async with self._changed:
                self.changes.append(f"{entity_id}→{new.get('state')}")
                self._changed.notify_all()

    async def wait_for_changes(self, since: int, wanted: dict[str, str], seconds: float) -> None:
        """Wait (event-driven, bounded) until the wanted states were reached after `since`."""
        targets = {f"{entity}→{state}" for entity, state in wanted.items()}

        def reached() -> bool:
            return targets <= set(self.changes[since:])

        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(reached), seconds)

    def _open(self, msg: dict[str, Any]) -> tuple[int, asyncio.Queue[dict[str, Any]]]:
        self._next_id += 1
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._queues[self._next_id] = queue
        return self._next_id, queue

    async def call(self, msg: dict[str, Any], *, events: bool = False) -> Any:
        msg_id, queue = self._open(msg)
        await self._ws.send_json({**msg, "id": msg_id})
        reply = await asyncio.wait_for(queue.get(), 60)
        if not events:
            del self._queues[msg_id]
        if not reply.get("success"):
            raise RuntimeError(f"{msg['type']} failed: {reply.get('error')}")
        return reply.get("result")

    async def run(
        self,
        pipeline: str,
        conversation_id: str | None,
        *,
        audio: bytes | None,
        text: str,
        end_stage: str = "tts",
    ) -> list[dict[str, Any]]:
        """One pipeline run, from speech (or typed text) to the spoken answer (or only to the
        transcript: `end_stage="stt"`); its events."""
        msg: dict[str, Any] = {
            "type": "assist_pipeline/run",
            "pipeline": pipeline,
            "conversation_id": conversation_id,
            "end_stage": end_stage,
        }
        if audio is None:
            msg |= {"start_stage": "intent", "input": {"text": text}}
        else:
            msg |= {"start_stage": "stt", "input": {"sample_rate": SAMPLE_RATE}}
        msg_id, queue = self._open(msg)
        await self._ws.send_json({**msg, "id": msg_id})
        seen: list[dict[str, Any]] = []
        streaming: asyncio.Task[None] | None = None
        try:
            while True:
                reply = await asyncio.wait_for(queue.get(), 60)
                if reply.get("type") == "result":
                    if not reply.get("success"):
                        raise RuntimeError(f"pipeline refused the run: {reply.get('error')}")
                    continue
                event = reply["event"]
                seen.append(event)
                if event["type"] == "run-start" and audio is not None:
                    handler = event["data"]["runner_data"]["stt_binary_handler_id"]
                    streaming = asyncio.create_task(self._stream(bytes([handler]), audio))
                if event["type"] in ("stt-vad-end", "stt-end", "error") and streaming:
                    # Home Assistant heard the end of speech: more audio would go nowhere.
                    streaming.cancel()
                if event["type"] in ("run-end", "error"):
                    return seen
        finally:
            if streaming is not None:
                streaming.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await streaming
            del self._queues[msg_id]

    async def _stream(self, prefix: bytes, audio: bytes) -> None:
        for start in range(0, len(audio), CHUNK):
            await self._ws.send_bytes(prefix + audio[start : start + CHUNK])
            # as fast as a microphone: the end of speech is timed in real time
            await asyncio.sleep(CHUNK / 2 / SAMPLE_RATE)
        await self._ws.send_bytes(prefix)  # end of audio


async def _save_answer(
    session: aiohttp.ClientSession, url: str, tts_url: str, path: Path
) -> Path | None:
    async with session.get(f"{url}{tts_url}") as response:
        if response.status != 200:
            return None
        data = await response.read()
    if data[:4] == b"RIFF":
        await asyncio.to_thread(path.write_bytes, data)
    else:
        # not WAV (the engine's own format): keep the answer as WAV anyway
        await asyncio.to_thread(
            subprocess.run,
            ["ffmpeg", "-loglevel", "error", "-y", "-i", "-", str(path)],
            input=data,
            check=True,
        )
    return path


@dataclass
class _Visit:
    """One tour in progress: where it speaks, and the conversation it is in."""

    session: aiohttp.ClientSession
    assist: Assist
    url: str
    pipeline_id: str
    language: str
    out_dir: Path
    agent_id: str
    conversation_id: str | None = None

    async def means_the_same(self, heard: str, said: str) -> bool:
        """Whether the station's agent understands `heard` as it understands `said`."""
        meanings = []
        for text in (heard, said):
            reply = await self.assist.call(
                {
                    "type": "barrier_free/meaning",
                    "agent_id": self.agent_id,
                    "text": text,
                    "language": self.language,
                }
            )
            meanings.append(reply["meaning"])
        return meanings[0] is not None and meanings[0] == meanings[1]

    async def say(self, result: Result, number: int) -> None:
        """Say the step's command once and fill `result` with what came back."""
        said = result.step.said
        audio = None if result.typed else await asyncio.to_thread(speech, said, self.language)
        events = await self.assist.run(
            self.pipeline_id, self.conversation_id, audio=audio, text=said
        )
        for event in events:
            data = event.get("data") or {}
            if event["type"] == "stt-end":
                result.heard = data["stt_output"]["text"]
            elif event["type"] == "intent-end":
                output = data["intent_output"]
                self.conversation_id = output.get("conversation_id") or self.conversation_id
                plain = output["response"].get("speech", {}).get("plain", {})
                result.answer = plain.get("speech", "")
            elif event["type"] == "tts-end":
                wav = self.out_dir / f"{number:02d}-{self.language}.wav"
                result.wav = await _save_answer(
                    self.session, self.url, data["tts_output"]["url"], wav
                )
            if event["type"] == "error":
                result.error = f"{data.get('code')}: {data.get('message')}"
        if result.typed:
            result.heard = said


async def _tour(
    info: dict[str, Any], language: str, out_dir: Path, steps: list[Step]
) -> list[Result]:
    url: str = info["url"]
    async with aiohttp.ClientSession() as session:
        token = await login(session, url, info["login"]["username"], info["login"]["password"])
        assist = await Assist.connect(session, url, token)
        try:
            pipelines = await assist.call({"type": "assist_pipeline/pipeline/list"})
            pipeline_id = info["pipelines"][language]
            pipeline = next(p for p in pipelines["pipelines"] if p["id"] == pipeline_id)
            spoken = pipeline.get("stt_engine") is not None
            for domain, service, entity_id in START:
                await assist.call(
                    {
                        "type": "call_service",
                        "domain": domain,
                        "service": service,
                        "target": {"entity_id": entity_id},
                    }
                )
            agent_id = str(pipeline["conversation_engine"])
            visit = _Visit(session, assist, url, pipeline_id, language, out_dir, agent_id)
            results: list[Result] = []
            for number, step in enumerate(steps, 1):
                result = Result(step, typed=not spoken)
                since = len(assist.changes)
                await visit.say(result, number)
                if result.refused and step.in_domain and spoken:
                    # A guide says it again when the station did not catch it; the table
                    # shows it, so a station that often needs two tries is noticed.
                    result = Result(step, tries=2)
                    await visit.say(result, number)
                await assist.wait_for_changes(since, step.changes, 5 if step.changes else 0.5)
                result.changed = list(assist.changes[since:])
                if has_words(result.heard) and not result.typed and step.in_domain:
                    result.same_meaning = await visit.means_the_same(result.heard, step.said)
                if results:
                    result.previous_answer = results[-1].answer
                results.append(result)
            return results
        finally:
            await assist.close()


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(text: str, width: int) -> str:
    while _width(text) > width:
        text = text[:-1]
    return text + " " * (width - _width(text))


def _table(results: list[Result], language: str) -> str:
    rows = [("#", "said", "heard", "what changed", "check", "answer")]
    for number, r in enumerate(results, 1):
        heard = f"(typed) {r.heard}" if r.typed else (r.heard or "-")
        if r.same_meaning and _normal(r.heard) != _normal(r.step.said):
            heard += " (same meaning)"
        if r.tries > 1:
            heard = f"(2nd try) {heard}"
        answer = r.answer or ("(not understood: no answer)" if r.refused else r.error or "-")
        rows.append(
            (
                str(number),
                f"{r.step.said} [{r.step.kind}]",
                heard,
                ", ".join(r.changed) or "-",
                "BROKEN" if r.broken else "ok",
                answer,  # last and whole: it is what the visitor hears
            )
        )
    widths = [min(max(_width(row[i]) for row in rows), 48) for i in range(5)]
    lines = [
        "  ".join(_cell(cell, widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5]
        for row in rows
    ]
    return f"Showroom tour ({language})\n" + "\n".join(lines)


def play(info: dict[str, Any], language: str, out_dir: Path, *, short: bool = False) -> int:
    """Play the tour (or its short part) against a running showroom; 0 when the whole loop
    works, 1 otherwise."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(f"*-{language}.wav"):
        old.unlink()  # only this tour's answers in the folder
    steps = [step for step in TOURS[language] if step.short or not short]
    results = asyncio.run(_tour(info, language, out_dir, steps))
    print(_table(results, language))
    typed = " (typed: the station cannot hear this language yet)" if results[0].typed else ""
    if twice := sum(r.tries > 1 for r in results):
        typed += f" ({twice} said twice)"
    print(
        f"tour: {len(results)} commands, {sum(r.heard_right for r in results)} heard right"
        f"{typed}, {sum(r.acted for r in results)} acted on,"
        f" {sum(bool(r.answer and r.wav) for r in results)} answered"
    )
    print(f"answers saved in {out_dir}")
    return 1 if any(r.broken for r in results) else 0

"""The station over a real socket: Wyoming clients, real decoding, real speech, every bad input."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event, async_read_event

from tests.speech import silence, synth
from tests.voice.station import (
    StationClient,
    connected_client,
    gather_all,
    paired_client,
    running_station,
    wait_until,
)
from voice.errors import ModelFolderMissing
from voice.recognition.recognizer import RecognitionStream, Recognizer
from voice.speech.announce import MAX_QUEUED
from voice.speech.tts import Synthesizer
from voice.station.connection import OUTBOX_EVENTS
from voice.station.errors import PortInUse
from voice.station.pairing import TokenFileError, client_proof, new_nonce
from voice.station.station import Station

pytestmark = pytest.mark.usefixtures("socket_enabled")

PHRASES = [
    "turn on the kitchen light",
    "turn off the kitchen light",
    "what time is it",
    "close the curtains",
    "lock the front door",
]
KOREAN = ["오늘 날씨 어때", "지금 몇 시야", "문 열어 줘", "음악 꺼 줘", "온도 내려 줘"]


def spoken(text: str, voice: str = "en-us") -> bytes:
    """Speech with a little silence around it, as a microphone would hear it."""
    return silence(0.3) + synth(text, voice=voice) + silence(0.3)


@pytest.fixture
async def station(tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer) -> Any:
    async with running_station(tmp_path, {"en": english_recognizer}, synthesizer) as running:
        yield running


async def _raw(station: Station) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", station.port)


async def _raw_pair(
    station: Station, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Send the handshake (the answer to bf-pair is left for the caller to read)."""
    nonce = new_nonce()
    writer.write(_line({"type": "bf-hello", "data": {"nonce": nonce}}))
    challenge = await _read(reader)
    assert challenge is not None and challenge.type == "bf-challenge", challenge
    proof = client_proof(station.token, station.station_id, challenge.data["nonce"], nonce)
    writer.write(_line({"type": "bf-pair", "data": {"proof": proof}}))


async def _raw_paired(station: Station) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await _raw(station)
    await _raw_pair(station, reader, writer)
    paired = await _read(reader)
    assert paired is not None and paired.type == "bf-paired"
    return reader, writer


def _line(header: dict[str, Any]) -> bytes:
    return json.dumps(header).encode() + b"\n"


async def _read(reader: asyncio.StreamReader) -> Event | None:
    async with asyncio.timeout(60):
        return await async_read_event(reader)


async def _error_then_closed(reader: asyncio.StreamReader, code: str) -> None:
    event = await _read(reader)
    assert event is not None and event.type == "error", event
    assert event.data["code"] == code
    assert event.data["text"] and event.data["text_zh"]
    assert await _read(reader) is None  # connection closed


# --- describe, transcribe, synthesize --------------------------------------------------


async def test_describe_lists_programs_and_station(station: Station) -> None:
    async with paired_client(station) as client:
        await client.send(Event("describe"))
        info = await client.expect("info")
    assert info.type == "info"
    asr = info.data["asr"][0]
    assert [m["languages"] for m in asr["models"]] == [["en"]]
    voices = {v["name"]: v["languages"] for v in info.data["tts"][0]["voices"]}
    assert voices == {"zh": ["zh"], "en": ["en"]}
    assert info.data["barrier_free"] == {
        "station_id": station.station_id,
        "name": station.name,
        "version": "0.1.0",
        "protocol": 2,
        "models": [
            {
                "language": "en",
                "engine": "pocketsphinx",
                "name": "pocketsphinx-en",
                "verified": None,
            }
        ],
    }


async def test_paired_event_identifies_the_station(station: Station) -> None:
    async with connected_client(station) as client:
        paired = await client.pair(station.token)
    assert paired.data["station_id"] == station.station_id
    assert paired.data["languages"] == ["en"]
    assert paired.data["protocol"] == 2


async def test_transcribe_english_with_phrase_list(station: Station) -> None:
    async with paired_client(station) as client:
        phrases = await client.set_phrases("en", PHRASES, version=1)
        assert phrases.data["version"] == 1
        assert phrases.data["count"] == len(PHRASES)
        transcript = await client.transcribe(spoken("turn on the kitchen light"), language="en")
    assert transcript.type == "transcript", transcript.data
    assert transcript.data["text"] == "turn on the kitchen light"
    assert transcript.data["language"] == "en"
    extra = transcript.data["barrier_free"]
    assert extra["phrase"] == "turn on the kitchen light"
    assert extra["rejected"] is False
    assert 0.0 <= extra["score"] <= 1.0
    assert station.active_streams == 0


async def test_transcribe_at_another_sample_rate(station: Station) -> None:
    async with paired_client(station) as client:
        await client.set_phrases("en", PHRASES)
        pcm = silence(0.3, 22050) + synth("what time is it", rate=22050) + silence(0.3, 22050)
        transcript = await client.transcribe(pcm, rate=22050, language="en-US")
    assert transcript.data["text"] == "what time is it"


async def test_transcribe_korean_with_vosk(
    tmp_path: Path, korean_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    async with (
        running_station(tmp_path, {"ko": korean_recognizer}, synthesizer) as station,
        paired_client(station) as client,
    ):
        phrases = await client.set_phrases("ko", KOREAN)
        assert phrases.data["unusable"] == []
        transcript = await client.transcribe(spoken("문 열어 줘", voice="ko"), language="ko")
    assert transcript.type == "transcript", transcript.data
    assert transcript.data["text"] == "문 열어 줘"
    assert transcript.data["barrier_free"]["rejected"] is False


@pytest.mark.parametrize(("text", "language"), [("打开客厅的灯", "zh"), ("The door is open", "en")])
async def test_synthesize_returns_speech(station: Station, text: str, language: str) -> None:
    async with paired_client(station) as client:
        pcm, rate = await client.synthesize(text, language=language)
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    seconds = len(samples) / rate
    assert len(pcm) % 2 == 0
    assert 8000 <= rate <= 48000
    assert 0.5 < seconds < 10
    assert np.sqrt(np.mean(samples**2)) > 300  # speech, not silence


async def test_synthesize_is_recognised_back(station: Station) -> None:
    """The station's English speech is understood by its own recogniser (round trip)."""
    async with paired_client(station) as client:
        await client.set_phrases("en", PHRASES)
        pcm, rate = await client.synthesize("close the curtains", language="en")
        transcript = await client.transcribe(silence(0.3, rate) + pcm + silence(0.3, rate), rate)
    assert transcript.data["text"] == "close the curtains"


async def test_slower_speech_is_longer(station: Station) -> None:
    async with paired_client(station) as client:
        normal, _ = await client.synthesize("the front door is locked", language="en")
        slow, _ = await client.synthesize("the front door is locked", language="en", rate=100)
    assert len(slow) > 1.3 * len(normal)


# --- phrase lists ----------------------------------------------------------------------


async def test_phrase_update_without_restart_and_after_restart(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    audio = spoken("lock the front door")
    without = [p for p in PHRASES if p != "lock the front door"]
    async with (
        running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station,
        paired_client(station) as client,
    ):
        await client.set_phrases("en", without, version=1)
        before = await client.transcribe(audio, language="en")
        assert before.data["text"] != "lock the front door"
        answer = await client.set_phrases("en", [*without, "lock the front door"], version=2)
        assert answer.data["version"] == 2
        after = await client.transcribe(audio, language="en")
        assert after.data["text"] == "lock the front door"
    saved = json.loads((tmp_path / "state" / "phrases" / "en.json").read_text())
    assert saved["version"] == 2
    # A new process would start with a fresh recogniser: forget the list in memory.
    english_recognizer.set_phrases(None)
    async with (
        running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station,
        paired_client(station) as client,
    ):
        await client.send(Event("bf-get-phrases", {"language": "en"}))
        in_force = await client.expect("bf-phrases")
        assert in_force.data["version"] == 2
        assert in_force.data["count"] == len(PHRASES)
        restarted = await client.transcribe(audio, language="en")
    assert restarted.data["text"] == "lock the front door"


async def test_phrase_list_with_thousands_of_duplicates_and_empties(station: Station) -> None:
    phrases = ["what time is it"] * 3000 + [""] * 1500 + ["   "] * 500 + ["close the curtains"]
    async with paired_client(station) as client:
        answer = await client.set_phrases("en", phrases)
        assert answer.type == "bf-phrases", answer.data
        assert answer.data["count"] == 2
        assert answer.data["duplicates"] >= 2999
        assert answer.data["empty"] >= 1500
        transcript = await client.transcribe(spoken("close the curtains"), language="en")
    assert transcript.data["text"] == "close the curtains"


async def test_phrase_list_limits_and_types(station: Station) -> None:
    async with paired_client(station) as client:
        too_many = await client.set_phrases("en", [f"light {i}" for i in range(10_001)])
        assert too_many.type == "error"
        assert too_many.data["code"] == "too_many_phrases"
        await client.send(Event("bf-set-phrases", {"language": "en", "phrases": ["ok", 3]}))
        wrong = await client.expect("bf-phrases")
        assert wrong.data["code"] == "bad_request"
        unknown = await client.set_phrases("fr", ["bonjour"])
        assert unknown.data["code"] == "unknown_language"
        await client.send(Event("bf-get-phrases", {"language": "en"}))
        assert (await client.expect("bf-phrases")).data["version"] == 0  # nothing was applied


async def test_a_phrase_list_that_cannot_be_saved_is_not_put_in_force(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    state = tmp_path / "state"
    old = [p for p in PHRASES if p != "lock the front door"]
    async with (
        running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station,
        paired_client(station) as client,
    ):
        assert (await client.set_phrases("en", old, version=1)).type == "bf-phrases"
        # The phrases folder replaced by a file: nothing can be written there (as root too).
        (state / "phrases").rename(state / "phrases-kept")
        (state / "phrases").write_text("not a folder")
        refused = await client.set_phrases("en", PHRASES, version=2)
        assert refused.type == "error"
        assert refused.data["code"] == "state_dir_unusable"
        await client.send(Event("bf-get-phrases", {"language": "en"}))
        in_force = await client.expect("bf-phrases")
        assert (in_force.data["version"], in_force.data["count"]) == (1, len(old))
        heard = await client.transcribe(spoken("lock the front door"), language="en")
        assert heard.data["text"] != "lock the front door"  # the refused list is not heard
    (state / "phrases").unlink()
    (state / "phrases-kept").rename(state / "phrases")
    english_recognizer.set_phrases(None)  # a new process starts with a fresh recogniser
    async with (
        running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station,
        paired_client(station) as client,
    ):
        await client.send(Event("bf-get-phrases", {"language": "en"}))
        after_restart = await client.expect("bf-phrases")
    assert (after_restart.data["version"], after_restart.data["count"]) == (1, len(old))


class _RefusesLists:
    """The real recogniser, except that it fails on any list with "explode" in it."""

    def __init__(self, real: Recognizer) -> None:
        self.real = real
        self.language = real.language
        self.model_path = real.model_path
        self.engine = real.engine

    def set_phrases(self, phrases: Any, digits: bool = False) -> Any:
        if phrases and "explode" in phrases:
            raise RuntimeError("grammar exploded")
        return self.real.set_phrases(phrases, digits)

    def stream(self, sample_rate: int) -> RecognitionStream:
        return self.real.stream(sample_rate)


async def test_a_phrase_list_the_recogniser_refuses_is_not_kept(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    refusing: Any = _RefusesLists(english_recognizer)
    async with (
        running_station(tmp_path, {"en": refusing}, synthesizer) as station,
        paired_client(station) as client,
    ):
        assert (await client.set_phrases("en", PHRASES, version=1)).type == "bf-phrases"
        failed = await client.set_phrases("en", [*PHRASES, "explode"], version=2)
        assert failed.type == "error"
        assert failed.data["code"] == "recognition_failed"
        await client.send(Event("bf-get-phrases", {"language": "en"}))
        assert (await client.expect("bf-phrases")).data["version"] == 1
    saved = json.loads((tmp_path / "state" / "phrases" / "en.json").read_text())
    assert (saved["version"], saved["phrases"]) == (1, PHRASES)  # a restart brings v1 back


@pytest.mark.parametrize(
    ("saved", "logged"),
    [
        (None, "is missing"),
        ({"version": 3, "phrases": "what time is it"}, "not an object"),
        ([1, 2, 3], "not an object"),
        ({"version": 4, "phrases": [f"light {i}" for i in range(20_000)]}, "20000 different"),
    ],
)
async def test_a_saved_phrase_list_that_cannot_be_used_is_logged(
    tmp_path: Path,
    english_recognizer: Recognizer,
    synthesizer: Synthesizer,
    caplog: pytest.LogCaptureFixture,
    saved: Any,
    logged: str,
) -> None:
    folder = tmp_path / "state" / "phrases"
    folder.mkdir(parents=True)
    if saved is not None:
        (folder / "en.json").write_text(json.dumps(saved))
    english_recognizer.set_phrases(PHRASES)  # what the last test left must not count
    caplog.set_level(logging.WARNING, logger="voice.state")
    async with (
        running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station,
        paired_client(station) as client,
    ):
        await client.send(Event("bf-get-phrases", {"language": "en"}))
        in_force = await client.expect("bf-phrases")
    assert (in_force.data["version"], in_force.data["count"]) == (0, 0)
    assert english_recognizer.phrases is None  # free recognition, as the log says
    [line] = [r.getMessage() for r in caplog.records if str(folder / "en.json") in r.getMessage()]
    assert logged in line
    assert "free recognition" in line


async def test_a_lost_station_id_is_logged_loudly(
    tmp_path: Path,
    english_recognizer: Recognizer,
    synthesizer: Synthesizer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station:
        first = station.station_id
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # a first start
    (tmp_path / "state" / "station_id").write_text("garbage")
    async with running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station:
        second = station.station_id
    assert second != first
    [error] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert "station_id.bad-" in error
    assert second in error


# --- pairing ---------------------------------------------------------------------------


async def test_wrong_token_is_refused_and_closed(
    station: Station, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with connected_client(station) as client:
        refused = await client.pair("not-the-token-at-all-0123456789", check_station=False)
        assert refused.type == "error"
        assert refused.data["code"] == "bad_token"
        assert "令牌" in refused.data["text_zh"]
        assert await client.closed()
    async with paired_client(station):
        pass
    assert station.token not in caplog.text


async def test_missing_token_is_refused_and_closed(station: Station) -> None:
    async with connected_client(station) as client:
        await client.send(Event("bf-set-phrases", {"language": "en", "phrases": ["x"]}))
        refused = await client.expect("bf-phrases")
        assert refused.data["code"] == "pairing_required"
        assert await client.closed()
    async with connected_client(station) as client:
        await client.hello()
        await client.send(Event("bf-pair", {}))
        assert (await client.expect("bf-paired")).data["code"] == "bad_token"


async def test_unreadable_token_file_stops_start(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    (tmp_path / "token").mkdir()
    with pytest.raises(TokenFileError) as info:
        async with running_station(
            tmp_path, {"en": english_recognizer}, synthesizer, token_file=tmp_path / "token"
        ):
            pass
    assert str(tmp_path / "token") in info.value.message("en")


async def test_failed_start_leaves_no_unseen_token(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    """Issue 14: a start that fails (here: a missing model) shows no token, so it must not
    leave one behind that the next, successful start would take as already shown."""
    with pytest.raises(ModelFolderMissing):
        async with running_station(
            tmp_path,
            {"en": english_recognizer},
            synthesizer,
            languages=("en", "ko"),
            models={"ko": tmp_path / "no-such-model"},
        ):
            pass
    assert not (tmp_path / "state" / "token").exists()
    async with running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station:
        assert station.token_created  # so the banner shows it
        assert (tmp_path / "state" / "token").read_text().strip() == station.token


async def test_port_in_use_is_named(
    station: Station, tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    with pytest.raises(PortInUse) as info:
        async with running_station(
            tmp_path / "second", {"en": english_recognizer}, synthesizer, port=station.port
        ):
            pass
    assert str(station.port) in info.value.message("en")
    assert str(station.port) in info.value.message("zh")


# --- many clients ----------------------------------------------------------------------


async def _stalled_client(station: Station) -> asyncio.StreamWriter:
    """A paired, subscribed client that asks for a lot of speech and never reads."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", station.port))
    reader, writer = await asyncio.open_connection(sock=sock)
    await _raw_pair(station, reader, writer)
    writer.write(_line({"type": "bf-subscribe"}))
    long_text = "The washing machine has finished and the door is open. " * 17
    for _ in range(6):
        writer.write(_line({"type": "synthesize", "data": {"text": long_text[:1000]}}))
    await writer.drain()
    return writer


def _stalled(station: Station) -> bool:
    """A client's socket takes no more (the kernel's buffers are full: its bytes wait in the
    station) and a full outbox of replies waits behind them. A full outbox alone is passing:
    the station may have queued a burst the kernel has yet to take."""
    return any(
        c.queued_events >= OUTBOX_EVENTS and c.write_buffer > 0 for c in station.connection_info()
    )


async def test_ten_clients_transcribe_while_one_stalls(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    async with running_station(
        tmp_path, {"en": english_recognizer}, synthesizer, max_streams=10
    ) as station:
        await _ten_clients_while_one_stalls(station)


async def _ten_clients_while_one_stalls(station: Station) -> None:
    async with paired_client(station) as setup:
        await setup.set_phrases("en", PHRASES)
    stalled = await _stalled_client(station)
    try:
        await wait_until(lambda: _stalled(station), "the stalled client's queue is full")

        async def one(text: str) -> str:
            async with paired_client(station) as client:
                transcript = await client.transcribe(spoken(text), language="en")
                return str(transcript.data.get("text"))

        # Acoustically distinct commands: this checks that no request gets another's answer.
        # (turn on/turn off is the recogniser's own discrimination, tested one at a time.)
        distinct = ["what time is it", "close the curtains", "lock the front door"]
        wanted = [distinct[i % len(distinct)] for i in range(10)]
        heard = await gather_all(*(one(text) for text in wanted))
        assert heard == wanted
        assert _stalled(station)  # it was stalled the whole time
    finally:
        stalled.transport.abort()
    await wait_until(lambda: len(station.connection_info()) == 0, "all connections closed")


async def test_broadcast_is_not_blocked_by_a_stalled_client(station: Station) -> None:
    stalled = await _stalled_client(station)
    try:
        await wait_until(lambda: _stalled(station), "the stalled client's queue is full")
        async with paired_client(station) as client:
            await client.subscribe()
            for n in range(2 * OUTBOX_EVENTS):
                event = Event("bf-button", {"button": "talk", "action": "press", "n": n})
                assert station.broadcast(event) >= 1
                received = await client.expect("bf-button")
                assert received.data["n"] == n
            # The stalled one was dropped instead of holding everybody up.
            await wait_until(lambda: len(station.connection_info()) == 1, "stalled one dropped")
    finally:
        stalled.transport.abort()


async def test_client_killed_mid_stream_frees_its_stream(station: Station) -> None:
    async with paired_client(station) as client:
        await client.send(Event("transcribe", {"language": "en"}))
        await client.send_audio(synth("turn on the kitchen light")[:16000])
        await wait_until(lambda: station.active_streams == 1, "the stream is open")
        writer = client.wyoming._writer
        assert writer is not None
        writer.transport.abort()  # killed: no audio-stop, no goodbye
    await wait_until(lambda: station.active_streams == 0, "the stream was freed")
    await wait_until(lambda: len(station.connection_info()) == 0, "the connection is gone")
    async with paired_client(station) as client:  # and the station still serves
        await client.set_phrases("en", PHRASES)
        transcript = await client.transcribe(spoken("what time is it"))
    assert transcript.data["text"] == "what time is it"


# --- bad input -------------------------------------------------------------------------


async def test_header_line_too_long(station: Station) -> None:
    reader, writer = await _raw(station)
    writer.write(b'{"type": "' + b"x" * (70 * 1024))
    await _error_then_closed(reader, "too_large")
    writer.close()


@pytest.mark.parametrize(
    ("key", "size"), [("data_length", 2 * 1024 * 1024), ("payload_length", 300 * 1024)]
)
async def test_data_or_payload_too_large(station: Station, key: str, size: int) -> None:
    reader, writer = await _raw_paired(station)
    writer.write(_line({"type": "audio-chunk", key: size}))
    await _error_then_closed(reader, "too_large")
    writer.close()


@pytest.mark.parametrize(
    "line", [b"\xff\xfe not utf-8\n", b"{not json\n", b'["a list"]\n', b'{"no": "type"}\n']
)
async def test_bad_header_line(station: Station, line: bytes) -> None:
    reader, writer = await _raw(station)
    writer.write(line)
    await _error_then_closed(reader, "bad_json")
    writer.close()


async def test_bad_json_data_keeps_the_connection(station: Station) -> None:
    reader, writer = await _raw_paired(station)
    body = b"{broken"
    writer.write(_line({"type": "ping", "data_length": len(body)}) + body)
    error = await _read(reader)
    assert error is not None and error.data["code"] == "bad_json"
    writer.write(_line({"type": "ping", "data": {"text": "still here"}}))
    pong = await _read(reader)
    assert pong is not None and pong.type == "pong" and pong.data["text"] == "still here"
    writer.close()


async def _request_errors(client: StationClient, *events: Event) -> list[str]:
    """Send `events`, then a ping; the codes of the errors that came before the pong."""
    for event in events:
        await client.send(event)
    await client.send(Event("ping", {"text": "after"}))
    codes = []
    while (event := await client.read()).type != "pong":
        assert event.type == "error", event
        codes.append(event.data["code"])
    return codes


CHUNK = AudioChunk(rate=16000, width=2, channels=1, audio=b"\x01\x00" * 800).event()


@pytest.mark.parametrize(
    ("events", "codes"),
    [
        ([CHUNK, CHUNK, AudioStop().event()], ["unexpected_event"]),
        ([AudioStop().event()], ["unexpected_event"]),
        ([Event("bf-teleport", {})], ["unknown_event"]),
        ([AudioStart(16000, 4, 1).event(), CHUNK, AudioStop().event()], ["not_pcm16"]),
        ([AudioStart(16000, 2, 2).event(), CHUNK, AudioStop().event()], ["not_mono"]),
        ([AudioStart(1000, 2, 1).event(), CHUNK, AudioStop().event()], ["bad_sample_rate"]),
        ([AudioStart(16000, 2, 1).event(), AudioStop().event()], ["empty_audio"]),
        ([Event("audio-start", {"rate": "fast", "width": 2, "channels": 1})], ["bad_request"]),
        (
            [Event("transcribe", {"language": "fr"}), AudioStart(16000, 2, 1).event(), CHUNK],
            ["unknown_language"],
        ),
        ([Event("synthesize", {"text": ""})], ["empty_text"]),
        ([Event("synthesize", {"text": "x" * 1001})], ["text_too_long"]),
        ([Event("synthesize", {"text": "hi", "voice": {"language": "fr"}})], ["unknown_language"]),
        ([Event("bf-announce", {"text": "hi", "priority": "urgent"})], ["bad_request"]),
        ([Event("bf-announce", {"chime": "trumpet"})], ["bad_request"]),
        ([Event("bf-settings", {"rate": 5})], ["bad_request"]),
        ([Event("bf-answer", {"utterance_id": "x"})], ["bad_request"]),
        # The limits table of PROTOCOL.md: 1,000 characters for whatever is to be spoken.
        ([Event("bf-announce", {"text": "x" * 1001})], ["text_too_long"]),
        ([Event("bf-answer", {"utterance_id": "x", "text": "x" * 1001})], ["text_too_long"]),
        ([Event("bf-answer", {"utterance_id": "x", "text": "  "})], ["empty_text"]),
    ],
)
async def test_bad_requests_get_one_error_each(
    station: Station, events: list[Event], codes: list[str]
) -> None:
    async with paired_client(station) as client:
        assert await _request_errors(client, *events) == codes
        # ...and the connection still works for a good request.
        await client.set_phrases("en", PHRASES)
        transcript = await client.transcribe(spoken("what time is it"), language="en")
        assert transcript.data["text"] == "what time is it"


async def test_audio_longer_than_the_limit(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    async with (
        running_station(
            tmp_path, {"en": english_recognizer}, synthesizer, max_seconds=1.0
        ) as station,
        paired_client(station) as client,
    ):
        await client.send(Event("transcribe", {"language": "en"}))
        await client.send_audio(silence(2.5))
        await client.send(AudioStop().event())
        error = await client.expect("transcript")
        assert error.data["code"] == "audio_too_long"
        assert "1" in error.data["text"]
        assert await _request_errors(client) == []  # one error only
        assert station.active_streams == 0


class _Exploding:
    """A recognition stream whose decoder fails (as a corrupt model would, mid-request)."""

    def feed(self, pcm: bytes) -> str | None:
        raise RuntimeError("decoder exploded")

    def finish(self, last: bytes = b"") -> Any:
        self.feed(last)  # audio not decoded yet comes with the end, as in RecognitionStream
        raise AssertionError("not reached")

    def cancel(self) -> None:
        return None


class _FailsAt8k:
    """The real recogniser, except that a stream at 8 kHz fails (failure injection)."""

    def __init__(self, real: Recognizer) -> None:
        self.real = real
        self.language = real.language
        self.model_path = real.model_path
        self.engine = real.engine

    def set_phrases(self, phrases: Any, digits: bool = False) -> Any:
        return self.real.set_phrases(phrases, digits)

    def stream(self, sample_rate: int) -> RecognitionStream | _Exploding:
        return _Exploding() if sample_rate == 8000 else self.real.stream(sample_rate)


class _Recorded:
    """The real recogniser; its streams note what they are fed, and the first feed of each
    stream waits for `gate` (the station is busy while the client keeps sending)."""

    def __init__(self, real: Recognizer) -> None:
        self.real = real
        self.language = real.language
        self.model_path = real.model_path
        self.engine = real.engine
        self.gate = threading.Event()
        self.at_gate = threading.Event()  # the first feed waits at the gate
        self.first = 0  # bytes of that first feed
        self.fed: list[int] = []  # bytes per feed() call
        self.last: list[int] = []  # bytes handed to finish()

    def set_phrases(self, phrases: Any, digits: bool = False) -> Any:
        return self.real.set_phrases(phrases, digits)

    def stream(self, sample_rate: int) -> Any:
        real, owner = self.real.stream(sample_rate), self

        class Stream:
            sample_rate = real.sample_rate

            def feed(self, pcm: bytes) -> str | None:
                if not owner.fed:
                    owner.first = len(pcm)
                    owner.at_gate.set()
                    assert owner.gate.wait(30)
                owner.fed.append(len(pcm))
                return real.feed(pcm)

            def finish(self, last: bytes = b"") -> Any:
                owner.last.append(len(last))
                return real.finish(last)

            def cancel(self) -> None:
                real.cancel()

        return Stream()


async def test_audio_that_queues_up_is_decoded_in_one_go(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    recorded = _Recorded(english_recognizer)
    pcm = spoken("lock the front door")
    chunks = -(-len(pcm) // 2048)
    async with (
        running_station(tmp_path, {"en": cast(Recognizer, recorded)}, synthesizer) as station,
        paired_client(station) as client,
    ):
        await client.set_phrases("en", PHRASES)
        await client.send(Event("transcribe", {"language": "en"}))
        await client.send_audio(pcm)  # 2 KB chunks; the first decode is held at the gate
        await client.send(Event("ping", {}))
        await wait_until(recorded.at_gate.is_set, "the first decode began")
        await wait_until(
            lambda: (
                [c.pending_audio for c in station.connection_info()] == [len(pcm) - recorded.first]
            ),
            "the rest of the audio waits",
        )
        recorded.gate.set()
        assert (await client.expect("pong")).type == "pong"
        # the pong comes once everything sent before it is decoded
        assert sum(recorded.fed) == len(pcm)
        await client.send(AudioStop().event())
        transcript = await client.expect("transcript")
    assert transcript.data["text"] == "lock the front door"
    assert len(recorded.fed) < chunks / 4, (chunks, recorded.fed)
    assert recorded.last == [0]


async def test_audio_stop_hands_the_undecoded_rest_to_the_end_of_the_utterance(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    recorded = _Recorded(english_recognizer)
    pcm = spoken("close the curtains")
    async with (
        running_station(tmp_path, {"en": cast(Recognizer, recorded)}, synthesizer) as station,
        paired_client(station) as client,
    ):
        await client.set_phrases("en", PHRASES)
        await client.send(Event("transcribe", {"language": "en"}))
        await client.send_audio(pcm)
        await client.send(AudioStop().event())
        # audio-stop came: the end waits for the decode held at the gate (or, when no decode
        # had begun yet, all the audio already went with the end)
        await wait_until(
            lambda: bool(recorded.last) or [c.ending for c in station.connection_info()] == [True],
            "audio-stop came",
        )
        recorded.gate.set()
        transcript = await client.expect("transcript")
        assert station.active_streams == 0
    assert transcript.data["text"] == "close the curtains"
    # at most one decode was under way when audio-stop came; what had queued up behind it
    # went with the end of the utterance, in one decode; nothing was decoded twice or lost
    assert len(recorded.fed) <= 1
    assert len(recorded.last) == 1
    assert recorded.last[0] > 0
    assert sum(recorded.fed) + sum(recorded.last) == len(pcm)


async def test_client_gone_while_a_decode_runs_leaves_no_stream(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    recorded = _Recorded(english_recognizer)
    async with running_station(
        tmp_path, {"en": cast(Recognizer, recorded)}, synthesizer
    ) as station:
        async with paired_client(station) as client:
            await client.send(Event("transcribe", {"language": "en"}))
            await client.send_audio(spoken("open the garage"))
            await wait_until(recorded.at_gate.is_set, "a decode runs")
        recorded.gate.set()
        await wait_until(
            lambda: station.active_streams == 0 and not station.connection_info(),
            "the request and the connection are gone",
        )
        assert recorded.last == []  # cancelled, never finished


async def test_recogniser_failure_on_one_request(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    failing: Any = _FailsAt8k(english_recognizer)
    async with (
        running_station(tmp_path, {"en": failing}, synthesizer) as station,
        paired_client(station) as client,
    ):
        await client.set_phrases("en", PHRASES)
        failed = await client.transcribe(silence(0.5, 8000), rate=8000)
        assert failed.type == "error"
        assert failed.data["code"] == "recognition_failed"
        assert "decoder exploded" in failed.data["text"]
        assert station.active_streams == 0
        transcript = await client.transcribe(spoken("lock the front door"))
        assert transcript.data["text"] == "lock the front door"


async def test_settings_are_kept(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    async with (
        running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station,
        paired_client(station) as client,
    ):
        await client.send(Event("bf-settings", {"rate": 120, "language": "zh"}))
        answer = await client.expect("bf-settings")
        assert answer.data == {"rate": 120, "volume": None, "language": "zh"}
    async with running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station:
        assert station.settings.rate == 120
        assert station.settings.language == "zh"


# --- announcements ---------------------------------------------------------------------


async def _statuses(client: StationClient, count: int) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    while len(seen) < count:
        event = await client.expect("bf-announced")
        assert event.type == "bf-announced", event.data
        seen.append((event.data["id"], event.data["status"]))
    return seen


async def test_alarm_interrupts_and_nothing_is_lost(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    long_text = "The washing machine in the bathroom has finished its program. " * 3
    async with (
        running_station(
            tmp_path, {"en": english_recognizer}, synthesizer, output_pace=0.5
        ) as station,
        paired_client(station) as client,
    ):
        await client.send(
            Event(
                "bf-announce",
                {"id": "wash", "text": long_text, "priority": "low", "language": "en"},
            )
        )
        assert await _statuses(client, 2) == [("wash", "queued"), ("wash", "playing")]
        await client.send(
            Event(
                "bf-announce",
                {"id": "note", "text": "Dinner is ready", "priority": "normal", "language": "en"},
            )
        )
        await client.send(
            Event(
                "bf-announce",
                {
                    "id": "smoke",
                    "text": "Smoke in the kitchen",
                    "priority": "alarm",
                    "chime": "alarm",
                    "language": "en",
                },
            )
        )
        statuses = await _statuses(client, 9)
        await station.announcer.wait_idle()
    assert statuses == [
        ("note", "queued"),
        ("smoke", "queued"),
        ("wash", "interrupted"),
        ("smoke", "playing"),
        ("smoke", "done"),
        ("note", "playing"),  # normal before low
        ("note", "done"),
        ("wash", "playing"),  # played again from the start: nothing lost
        ("wash", "done"),
    ]
    files = sorted(p.name for p in (tmp_path / "spoken").iterdir())
    assert files == [
        "0001-speech-wash.interrupted.wav",
        "0002-earcon-alarm.wav",
        "0003-speech-smoke.wav",
        "0004-speech-note.wav",
        "0005-speech-wash.wav",
    ]


async def test_alarm_is_accepted_on_a_full_queue_and_the_dropped_sender_told(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    def low(ident: str) -> Event:
        return Event("bf-announce", {"id": ident, "chime": "doorbell", "priority": "low"})

    async with (
        # slow "speaker": the first announcement is still playing while the queue fills
        running_station(
            tmp_path, {"en": english_recognizer}, synthesizer, output_pace=30.0
        ) as station,
        paired_client(station) as sender,
        paired_client(station) as alarm_client,
    ):
        await sender.send(low("first"))
        assert await _statuses(sender, 2) == [("first", "queued"), ("first", "playing")]
        for n in range(MAX_QUEUED):
            await sender.send(low(f"low-{n}"))
        queued = await _statuses(sender, MAX_QUEUED)
        assert queued == [(f"low-{n}", "queued") for n in range(MAX_QUEUED)]
        assert station.announcer.queued == MAX_QUEUED
        await alarm_client.send(
            Event("bf-announce", {"id": "smoke", "chime": "alarm", "priority": "alarm"})
        )
        assert await _statuses(alarm_client, 2) == [("smoke", "queued"), ("smoke", "playing")]
        dropped = await sender.expect("bf-announced")
        assert dropped.data["id"] == f"low-{MAX_QUEUED - 1}"  # the newest of the least urgent
        assert dropped.data["status"] == "dropped"
        assert dropped.data["error"]["code"] == "queue_full"
        assert "更紧急" in dropped.data["error"]["text_zh"]
        assert await _statuses(sender, 1) == [("first", "interrupted")]


async def test_a_burst_to_a_reading_client_gets_every_answer(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    burst = 200
    async with running_station(tmp_path, {"en": english_recognizer}, synthesizer) as station:
        reader, writer = await _raw_paired(station)
        try:
            # All written at once: the station reads them faster than any answer goes out.
            writer.write(
                b"".join(
                    _line({"type": "bf-announce", "data": {"id": f"a{n}", "chime": "info"}})
                    for n in range(burst)
                )
            )
            await writer.drain()
            queued: list[str] = []
            refused = 0
            done: set[str] = set()
            while len(queued) + refused < burst or done != set(queued):
                event = await _read(reader)
                assert event is not None, "the station disconnected a client that reads"
                if event.type == "error":
                    assert event.data["code"] == "queue_full", event.data
                    refused += 1
                elif event.data["status"] == "queued":
                    queued.append(event.data["id"])
                elif event.data["status"] == "done":
                    done.add(event.data["id"])
            assert len(queued) >= MAX_QUEUED
            assert queued == sorted(queued, key=lambda ident: int(ident[1:]))
            writer.write(_line({"type": "ping", "data": {"text": "still here"}}))
            pong = await _read(reader)
            assert pong is not None and pong.type == "pong"
        finally:
            writer.close()


async def test_streams_beyond_the_cap_are_busy_and_a_killed_client_frees_its_slot(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    audio = spoken("what time is it")
    async with (
        running_station(
            tmp_path, {"en": english_recognizer}, synthesizer, max_streams=2
        ) as station,
        paired_client(station) as first,
        paired_client(station) as second,
        paired_client(station) as third,
    ):
        await first.set_phrases("en", PHRASES)
        for client in (first, second):
            await client.send(Event("transcribe", {"language": "en"}))
            await client.send_audio(audio[:16000])
        await wait_until(lambda: station.active_streams == 2, "two streams are open")
        busy = await third.transcribe(audio, language="en")
        assert busy.type == "error"
        assert busy.data["code"] == "busy"
        assert "2" in busy.data["text"] and "2" in busy.data["text_zh"]
        # the connection stays, and a request after one has ended is served
        await first.send_audio(audio[16000:])
        await first.send(AudioStop().event())
        assert (await first.expect("transcript")).data["text"] == "what time is it"
        assert (await third.transcribe(audio, language="en")).data["text"] == "what time is it"
        # a client killed mid-audio gives its slot back
        await third.send(Event("transcribe", {"language": "en"}))
        await third.send_audio(audio[:16000])
        await wait_until(lambda: station.active_streams == 2, "two streams are open again")
        writer = second.wyoming._writer
        assert writer is not None
        writer.transport.abort()
        await wait_until(lambda: station.active_streams == 1, "the killed client's stream freed")
        async with paired_client(station) as fourth:
            transcript = await fourth.transcribe(audio, language="en")
        assert transcript.data["text"] == "what time is it"

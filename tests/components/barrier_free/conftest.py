"""Fixtures: a real Home Assistant (the harness's `hass`) and a real voice station on loopback.

The station is this project's own (`voice.station.station.Station`), started in the test's event
loop on 127.0.0.1 with a fresh state directory; the recogniser and the synthesiser are loaded
once per session because loading them is the slow part.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components import conversation
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import Context, HomeAssistant, State, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.barrier_free import const
from custom_components.barrier_free.const import (
    CONF_AREAS,
    CONF_LANGUAGE,
    CONF_RATE,
    CONF_SENSITIVE_ENTITIES,
    CONF_TOKEN,
    CONF_VOLUME,
    DOMAIN,
)
from voice.recognition.recognizer import load_recognizer
from voice.speech.tts import Synthesizer
from voice.station.station import Station, StationConfig

from .home import SENSITIVE, async_setup_test_home

STATION_NAME = "Living room"
SAFETY_LIMIT = 60.0  # seconds: only so that a broken test fails instead of hanging


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/barrier_free."""


@pytest.fixture(autouse=True)
async def core_integrations(hass: HomeAssistant) -> None:
    """What a real Home Assistant always has set up (the conversation agent needs it)."""
    assert await async_setup_component(hass, "homeassistant", {})


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots as Home Assistant core writes them (ids and times left out, in snapshots/):
    the harness's own fixture of that name loses to syrupy's."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture(autouse=True)
def fast_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short backoff so that a restarted station is found again quickly."""
    monkeypatch.setattr(const, "RECONNECT_MIN_DELAY", 0.05)
    monkeypatch.setattr(const, "RECONNECT_MAX_DELAY", 0.2)


@pytest.fixture(scope="session")
def recognizer() -> Any:
    """The pocketsphinx English recogniser, loaded once (0.4 s)."""
    return load_recognizer("en")


@pytest.fixture(scope="session")
def synthesizer() -> Iterator[Any]:
    """One warm speech worker for the whole session."""
    synth = Synthesizer()
    try:
        yield synth
    finally:
        close = getattr(synth, "close", None)
        if close is not None:
            close()


@pytest.fixture
def station_factory(
    tmp_path: Path, recognizer: Any, synthesizer: Any, socket_enabled: None
) -> Iterator[Callable[..., Any]]:
    """Start real stations; all are stopped when the test ends.

    `socket_enabled` lets the station create its listening socket; the harness still only
    allows connections to 127.0.0.1.
    """
    started: list[Station] = []

    async def start(
        *,
        name: str = STATION_NAME,
        port: int = 0,
        state_dir: Path | None = None,
        languages: tuple[str, ...] = ("en",),
        recognizers: dict[str, Any] | None = None,
    ) -> Station:
        config = StationConfig(
            host="127.0.0.1",
            port=port,
            name=name,
            languages=languages,
            state_dir=state_dir or tmp_path / f"station-{len(started)}",
            zeroconf=False,
        )
        station = Station(
            config, recognizers=recognizers or {"en": recognizer}, synthesizer=synthesizer
        )
        await station.start()
        started.append(station)
        return station

    start.started = started  # type: ignore[attr-defined]
    yield start


@pytest.fixture
async def station(station_factory: Callable[..., Any]) -> AsyncIterator[Station]:
    """A running station named 'Living room': English recognition, Mandarin and English speech."""
    station: Station = await station_factory()
    try:
        yield station
    finally:
        for each in station_factory.started:  # type: ignore[attr-defined]
            with contextlib.suppress(Exception):
                await each.stop()


def entry_for(station: Station, **options: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=STATION_NAME,
        unique_id=station.station_id,
        data={CONF_HOST: "127.0.0.1", CONF_PORT: station.port, CONF_TOKEN: station.token},
        options={
            CONF_LANGUAGE: "en",
            CONF_RATE: 160,
            CONF_VOLUME: 90,
            CONF_AREAS: [],
            **options,
        },
    )


@pytest.fixture
def config_entry(station: Station) -> MockConfigEntry:
    return entry_for(station)


@pytest.fixture
async def loaded_entry(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


async def wait_for_state(
    hass: HomeAssistant, entity_id: str, predicate: Callable[[State | None], bool]
) -> State | None:
    """Wait until the state of `entity_id` satisfies `predicate` (no timing is asserted)."""
    reached = asyncio.Event()

    @callback
    def check(*_: Any) -> None:
        if predicate(hass.states.get(entity_id)):
            reached.set()

    unsubscribe = async_track_state_change_event(hass, entity_id, check)
    try:
        check()
        async with asyncio.timeout(SAFETY_LIMIT):
            await reached.wait()
    finally:
        unsubscribe()
    return hass.states.get(entity_id)


def entity_id(hass: HomeAssistant, platform: str, station: Station, key: str) -> str:
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{station.station_id}-{key}")
    assert found is not None, f"no {platform} entity {key}"
    return found


# --- a resident talking to the station's agent, in the test home ---------------------


class Resident:
    """Talks to the station's agent as a pipeline or the room flow would."""

    def __init__(self, hass: HomeAssistant, agent_id: str, language: str) -> None:
        self.hass = hass
        self.agent_id = agent_id
        self.language = "zh-Hans" if language == "zh" else "en"
        self.conversation_id: str | None = None

    async def say(self, text: str, device_id: str | None = "station") -> str:
        result = await conversation.async_converse(
            self.hass,
            text,
            self.conversation_id,
            Context(),
            language=self.language,
            agent_id=self.agent_id,
            device_id=device_id,
        )
        self.conversation_id = result.conversation_id
        return str(result.response.speech["plain"]["speech"])


async def async_setup_resident(
    hass: HomeAssistant, station: Station, language: str, **options: Any
) -> tuple[Resident, dict[str, Any], MockConfigEntry]:
    """The test home, the station's entry loaded for it, and a resident talking to its agent."""
    entities = await async_setup_test_home(hass, language)
    agent_id, entry = await async_setup_agent(hass, station, language, **options)
    return Resident(hass, agent_id, language), entities, entry


async def async_setup_agent(
    hass: HomeAssistant, station: Station, language: str, **options: Any
) -> tuple[str, MockConfigEntry]:
    """The station's entry (in `language`) loaded for the home already set up; its agent's id."""
    entry = entry_for(
        station,
        language=language,
        **{CONF_SENSITIVE_ENTITIES: SENSITIVE, CONF_AREAS: [], **options},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    agent_id = er.async_get(hass).async_get_entity_id(
        "conversation", DOMAIN, f"{station.station_id}-conversation"
    )
    assert agent_id is not None
    return agent_id, entry


def said_by(station: Station, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """What the station is asked to say (text, language); the real announcer still says it."""
    said: list[tuple[str, str]] = []
    submit = station.announcer.submit

    def recording(item: Any) -> Any:
        said.append((item.text, item.language))
        return submit(item)

    monkeypatch.setattr(station.announcer, "submit", recording)
    return said


@pytest.fixture
def setup(hass: HomeAssistant, station: Station) -> Callable[..., Any]:
    async def make(language: str, **options: Any) -> tuple[Resident, dict[str, Any], Any]:
        return await async_setup_resident(hass, station, language, **options)

    return make

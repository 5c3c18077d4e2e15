"""Setup, the Assist pipeline, station loss and return, repairs, and a clean unload."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components.assist_pipeline import async_get_pipelines
from homeassistant.components.assist_pipeline.pipeline import async_get_pipeline
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PORT, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.barrier_free import const
from custom_components.barrier_free.const import (
    CONF_LANGUAGE,
    CONF_PIPELINE_ID,
    DOMAIN,
)

from .conftest import STATION_NAME, entity_id, entry_for, wait_for_state
from .test_config_flow import closed_port


def client_sockets_to(port: int) -> int:
    """Established TCP connections from this machine to `port` on loopback (client side)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:  # pragma: no cover - not Linux
            continue
        for line in lines:
            fields = line.split()
            remote_port = int(fields[2].split(":")[1], 16)
            if remote_port == port and fields[3] == "01":  # 01 = ESTABLISHED
                count += 1
    return count


async def test_setup_creates_device_entities_and_pipeline(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any
) -> None:
    assert loaded_entry.state is ConfigEntryState.LOADED
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, station.station_id), loaded_entry.entry_id
    )
    assert device is not None
    assert device.name == STATION_NAME

    connectivity = entity_id(hass, "binary_sensor", station, "connectivity")
    assert hass.states.get(connectivity).state == STATE_ON
    stt_id = entity_id(hass, "stt", station, "stt")
    tts_id = entity_id(hass, "tts", station, "tts")
    assert hass.states.get(stt_id).state != STATE_UNAVAILABLE
    assert hass.states.get(tts_id).state != STATE_UNAVAILABLE
    assert hass.states.get(entity_id(hass, "sensor", station, "last_utterance")) is not None

    pipeline = async_get_pipeline(hass, loaded_entry.data[CONF_PIPELINE_ID])
    assert pipeline.name == f"{STATION_NAME} (English)"
    assert pipeline.stt_engine == stt_id
    assert pipeline.tts_engine == tts_id
    assert pipeline.stt_language == "en"
    assert pipeline.tts_language == "en"
    # The station's own agent (confirmation of sensitive actions, full spoken answers).
    assert pipeline.conversation_engine == entity_id(hass, "conversation", station, "conversation")
    assert pipeline.conversation_language == "en"
    # A fresh Home Assistant has no voice pipeline yet, so the station's becomes preferred.
    assert async_get_pipeline(hass).id == pipeline.id
    await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_pipeline_not_duplicated_and_follows_language(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any
) -> None:
    pipeline_id = loaded_entry.data[CONF_PIPELINE_ID]
    count = len(async_get_pipelines(hass))

    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert len(async_get_pipelines(hass)) == count
    assert loaded_entry.data[CONF_PIPELINE_ID] == pipeline_id

    # Switching to Mandarin updates the same pipeline.
    hass.config_entries.async_update_entry(
        loaded_entry, options={**loaded_entry.options, CONF_LANGUAGE: "zh"}
    )
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert len(async_get_pipelines(hass)) == count
    pipeline = async_get_pipeline(hass, pipeline_id)
    assert pipeline.name == f"{STATION_NAME} (中文)"
    assert pipeline.language == "zh-Hans"
    assert pipeline.conversation_language.lower() == "zh-cn"
    assert pipeline.tts_language == "zh"
    assert pipeline.tts_voice is not None

    # A lost id (e.g. an entry restored from an old backup) finds the pipeline by its name.
    hass.config_entries.async_update_entry(
        loaded_entry, data={**loaded_entry.data, CONF_PIPELINE_ID: "gone"}
    )
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert len(async_get_pipelines(hass)) == count
    assert loaded_entry.data[CONF_PIPELINE_ID] == pipeline_id
    await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_removing_the_entry_removes_its_pipeline(
    hass: HomeAssistant, station: Any, station_factory: Any
) -> None:
    first = entry_for(station)
    first.add_to_hass(hass)
    assert await hass.config_entries.async_setup(first.entry_id)
    other = await station_factory(name="Bedroom")
    second = entry_for(other)
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    ids = {p.id for p in async_get_pipelines(hass)}
    second_pipeline = second.data[CONF_PIPELINE_ID]
    assert {first.data[CONF_PIPELINE_ID], second_pipeline} <= ids
    # Only the first became preferred; the second is an ordinary pipeline.
    assert async_get_pipeline(hass).id == first.data[CONF_PIPELINE_ID]

    await hass.config_entries.async_remove(second.entry_id)
    await hass.async_block_till_done()
    assert second_pipeline not in {p.id for p in async_get_pipelines(hass)}

    # The preferred pipeline is kept (Home Assistant refuses to delete it).
    await hass.config_entries.async_remove(first.entry_id)
    await hass.async_block_till_done()
    assert first.data[CONF_PIPELINE_ID] in {p.id for p in async_get_pipelines(hass)}


async def test_station_down_at_startup_is_retried(hass: HomeAssistant, station: Any) -> None:
    entry = entry_for(station)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PORT: closed_port()})
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_station_lost_and_back(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    station: Any,
    station_factory: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stopping the station makes entities unavailable (logged once), a restart brings them back
    (logged once); a long absence raises a repair issue that goes away on return."""
    monkeypatch.setattr(const, "UNREACHABLE_ISSUE_AFTER", timedelta(seconds=0))
    connectivity = entity_id(hass, "binary_sensor", station, "connectivity")
    stt_id = entity_id(hass, "stt", station, "stt")
    tts_id = entity_id(hass, "tts", station, "tts")
    sensor_id = entity_id(hass, "sensor", station, "last_utterance")
    connection = loaded_entry.runtime_data.connection
    issue_id = connection.issue_id
    port, state_dir = station.port, station.config.state_dir
    caplog.set_level(logging.INFO, logger="custom_components.barrier_free")

    await station.stop()
    await wait_for_state(hass, connectivity, lambda s: s is not None and s.state == STATE_OFF)
    for entity in (stt_id, tts_id, sensor_id):
        assert hass.states.get(entity).state == STATE_UNAVAILABLE

    # Let it stay away long enough to retry several times and raise the repair issue.
    retries = connection.reconnects
    issue_raised = asyncio.Event()

    @callback
    def issue_check(*_: Any) -> None:
        if ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None:
            issue_raised.set()

    unsubscribe = hass.bus.async_listen(ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, issue_check)
    issue_check()
    async with asyncio.timeout(30):
        await issue_raised.wait()
    unsubscribe()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue.translation_key == "station_unreachable"
    assert issue.translation_placeholders["name"] == STATION_NAME

    restarted = await station_factory(port=port, state_dir=state_dir)
    assert restarted.station_id == station.station_id
    await wait_for_state(hass, connectivity, lambda s: s is not None and s.state == STATE_ON)
    for entity in (stt_id, tts_id, sensor_id):
        assert hass.states.get(entity).state != STATE_UNAVAILABLE
    assert connection.reconnects == retries + 1
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None

    lost = [r for r in caplog.records if "is unreachable" in r.getMessage()]
    back = [r for r in caplog.records if "is back" in r.getMessage()]
    assert len(lost) == 1
    assert lost[0].levelno == logging.WARNING
    assert len(back) == 1
    await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_unload_leaves_nothing_running(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any
) -> None:
    assert client_sockets_to(station.port) >= 1
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert client_sockets_to(station.port) == 0
    names = [task.get_name() for task in asyncio.all_tasks()]
    assert not [name for name in names if DOMAIN in name]
    # The entities are gone from the state machine (they would otherwise show unavailable).
    connectivity = entity_id(hass, "binary_sensor", station, "connectivity")
    assert hass.states.get(connectivity).state == STATE_UNAVAILABLE


async def test_station_re_paired_while_running_starts_reauth(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any, station_factory: Any
) -> None:
    """The station comes back with a new token (its state was wiped): reauth is started."""
    connectivity = entity_id(hass, "binary_sensor", station, "connectivity")
    port = station.port
    await station.stop()
    await wait_for_state(hass, connectivity, lambda s: s is not None and s.state == STATE_OFF)
    reauth_started = asyncio.Event()
    unsubscribe = hass.config_entries.flow.async_subscribe_flow(
        lambda change, _flow_id: reauth_started.set() if change == "added" else None
    )
    await station_factory(port=port)  # fresh state dir: new id and token
    async with asyncio.timeout(30):  # safety net only
        await reauth_started.wait()
    unsubscribe()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flows[0]["context"]["source"] == "reauth"
    await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_removing_an_entry_that_never_loaded(hass: HomeAssistant, station: Any) -> None:
    entry = entry_for(station)
    entry.add_to_hass(hass)
    count = len(async_get_pipelines(hass)) if "assist_pipeline" in hass.config.components else 0
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert not hass.config_entries.async_entries(DOMAIN)
    assert count == 0

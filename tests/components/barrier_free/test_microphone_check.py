"""The installer's "test microphone" button against a real station: a room station fed from a
WAV file reports its level and what it heard on the device page and says it aloud in the
household's language; a plain `serve` station gives a clear, translated error."""

from __future__ import annotations

from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from tests.speech import silence, synth
from voice.audio import write_wav
from voice.room.listener import RoomConfig, RoomListener
from voice.station.station import Station

from .conftest import async_setup_resident, entity_id, said_by


@pytest.mark.parametrize(
    ("language", "opening"),
    [("zh", "麦克风正常，听到了："), ("en", "The microphone works. I heard: ")],
)
async def test_microphone_check_on_a_room_station(
    hass: HomeAssistant,
    station: Station,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    opening: str,
) -> None:
    await async_setup_resident(hass, station, language)
    sensor = entity_id(hass, "sensor", station, "microphone_check")
    state = hass.states.get(sensor)
    assert state is not None and state.state == "unknown"  # never checked yet
    wav = tmp_path / "room.wav"
    write_wav(wav, silence(0.5) + synth("hello this is the microphone test") + silence(2.0), 16000)
    await RoomListener(station, RoomConfig(input=str(wav), language="en")).run()
    said = said_by(station, monkeypatch)

    button = entity_id(hass, "button", station, "test_microphone")
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    await hass.async_block_till_done()

    state = hass.states.get(sensor)
    assert state is not None
    assert state.state == "ok", state.attributes
    heard = state.attributes["heard"]
    assert "microphone" in heard
    assert -20.0 < state.attributes["peak_dbfs"] <= 0.0
    assert state.attributes["rms_dbfs"] < state.attributes["peak_dbfs"]
    assert state.attributes["seconds"] == pytest.approx(4.0, abs=0.01)
    assert state.attributes["checked_at"]
    # said aloud in the household's language, in full
    assert (opening + heard, language) in said
    await station.announcer.wait_idle()


async def test_microphone_check_without_a_microphone(hass: HomeAssistant, station: Station) -> None:
    """A `serve` station has no microphone: a clear error in the installer's language."""
    await async_setup_resident(hass, station, "en")
    button = entity_id(hass, "button", station, "test_microphone")
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    assert raised.value.translation_key == "no_microphone"
    assert "Living room" in str(raised.value)
    assert "python -m voice room" in str(raised.value)
    state = hass.states.get(entity_id(hass, "sensor", station, "microphone_check"))
    assert state is not None and state.state == "unknown"

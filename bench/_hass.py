"""A real Home Assistant for the benchmarks (the test harness's instance, outside pytest) with
the barrier_free integration set up against a real station. Shared by bench/integration.py and
bench/agent.py."""

from __future__ import annotations

import socket

from homeassistant import loader
from homeassistant.components.http.config import async_get_and_load_store
from homeassistant.core import HomeAssistant
from homeassistant.helpers import frame
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.barrier_free.const import DOMAIN
from voice.station.station import Station


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def async_prepare(hass: HomeAssistant) -> None:
    """What every Home Assistant has, on a free port (a showroom may hold 8123)."""
    frame.async_setup(hass)  # as the test harness does: deprecated calls are reported
    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)  # find this checkout's integration
    assert await async_setup_component(hass, "homeassistant", {})
    http_conf = {"server_host": ["127.0.0.1"], "server_port": _free_port()}
    assert await async_setup_component(hass, "http", {"http": http_conf})
    # settings given as YAML are a trial Home Assistant reverts after 5 minutes (a restart)
    # unless confirmed, and a bench runs longer than that
    store = await async_get_and_load_store(hass)
    if store.pending is not None:
        await store.async_promote_pending()


async def async_add_station(hass: HomeAssistant, station: Station) -> MockConfigEntry:
    """The station's config entry, set up (English, the showroom's speech settings)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Bench room",
        unique_id=station.station_id,
        data={"host": "127.0.0.1", "port": station.port, "token": station.token},
        options={"language": "en", "rate": 160, "volume": 90, "areas": []},
    )
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise SystemExit(f"the integration did not set up: {entry.state}")
    await hass.async_block_till_done()
    return entry

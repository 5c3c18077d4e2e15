"""The installer's path: discovered station → confirm → token → working entry, and every error."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import probatio
import pytest
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    SOURCE_ZEROCONF,
    ConfigEntryState,
)
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.barrier_free import config_flow
from custom_components.barrier_free.const import (
    CONF_AREAS,
    CONF_LANGUAGE,
    CONF_PIN,
    CONF_PIPELINE_ID,
    CONF_RATE,
    CONF_SENSITIVE_ENTITIES,
    CONF_SHOWROOM_IDLE_MINUTES,
    CONF_TOKEN,
    CONF_VOLUME,
    DOMAIN,
    ZEROCONF_TYPE,
)
from custom_components.barrier_free.logic.pin import PinHash

from .conftest import STATION_NAME, entity_id, entry_for, wait_for_state

WRONG_TOKEN = "x" * 32


def zeroconf_record(port: int | None, properties: dict[str, Any]) -> ZeroconfServiceInfo:
    """What Home Assistant's zeroconf integration hands to the flow for a station."""
    return ZeroconfServiceInfo(
        ip_address=ip_address("127.0.0.1"),
        ip_addresses=[ip_address("127.0.0.1")],
        port=port,
        hostname="bf-station.local.",
        type=ZEROCONF_TYPE,
        name=f"{STATION_NAME}._barrierfree._tcp.local.",
        properties=properties,
    )


def closed_port() -> int:
    """A loopback port that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def other_server(
    socket_enabled: None,
) -> AsyncIterator[Callable[[bytes | None], Awaitable[int]]]:
    """Loopback TCP servers that are not stations (they answer with `reply`, or stay silent)."""
    servers: list[asyncio.Server] = []
    writers: list[asyncio.StreamWriter] = []

    async def start(reply: bytes | None) -> int:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.append(writer)
            await reader.readline()
            if reply is None:
                return  # silent: keeps the connection open, says nothing
            writer.write(reply)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    yield start
    for writer in writers:
        writer.close()
    for server in servers:
        server.close()
        await server.wait_closed()


async def test_zeroconf_discovery_to_loaded_entry(hass: HomeAssistant, station: Any) -> None:
    """Discovered → confirm (station name shown) → token → entry loaded with its pipeline."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=zeroconf_record(
            station.port, {"id": station.station_id, "name": STATION_NAME, "protocol": "1"}
        ),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "zeroconf_confirm"
    assert result["description_placeholders"] == {"name": STATION_NAME, "host": "127.0.0.1"}
    flows = hass.config_entries.flow.async_progress()
    assert flows[0]["context"]["title_placeholders"] == {"name": STATION_NAME}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "pair"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN: WRONG_TOKEN}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN: station.token}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == STATION_NAME
    entry = result["result"]
    assert entry.unique_id == station.station_id
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_PORT] == station.port
    # The station recognises English only, so English is the household's language for now.
    assert entry.options == {CONF_LANGUAGE: "en", CONF_RATE: 160, CONF_VOLUME: 90, CONF_AREAS: []}
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data[CONF_PIPELINE_ID]
    await hass.config_entries.async_unload(entry.entry_id)


@dataclass
class ForgedStation:
    """A server that claims to be a station: it answers bf-hello with a made-up challenge."""

    station_id: str
    port: int = 0
    received: bytearray = field(default_factory=bytearray)  # every byte, from every client
    done: asyncio.Event = field(default_factory=asyncio.Event)  # a client hung up

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while chunk := await reader.read(65536):
            if not self.received:  # the first bytes: answer as a station would
                challenge = {
                    "station_id": self.station_id,
                    "nonce": secrets.token_hex(16),
                    "proof": secrets.token_hex(32),  # made up: it does not hold the token
                    "protocol": 2,
                }
                writer.write(json.dumps({"type": "bf-challenge", "data": challenge}).encode())
                writer.write(b"\n")
            self.received += chunk
        self.done.set()
        writer.close()

    def events(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """What was received, as (header, data) pairs; fails on any byte left over."""
        found: list[tuple[dict[str, Any], dict[str, Any]]] = []
        rest = bytes(self.received)
        while rest:
            line, _, rest = rest.partition(b"\n")
            header = json.loads(line)
            length = int(header.get("data_length") or 0)
            found.append((header, json.loads(rest[:length]) if length else {}))
            rest = rest[length:]
        return found


@pytest.fixture
async def forged_station(socket_enabled: None, station: Any) -> AsyncIterator[ForgedStation]:
    """A forged station on another loopback port, using the real station's (public) id."""
    forged = ForgedStation(station.station_id)
    server = await asyncio.start_server(forged.handle, "127.0.0.1", 0)
    forged.port = int(server.sockets[0].getsockname()[1])
    yield forged
    server.close()
    await server.wait_closed()


async def test_zeroconf_forged_record_never_gets_the_token(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any, forged_station: ForgedStation
) -> None:
    """A record with the real station's id at another address: probed, found unproven, the
    entry keeps its address, the installer is told; the forged station got only a nonce.
    The attacker's moment: the real station is away (switched off, or knocked off the LAN)."""
    await station.stop()
    connectivity = entity_id(hass, "binary_sensor", station, "connectivity")
    await wait_for_state(hass, connectivity, lambda s: s is not None and s.state == "off")
    assert not loaded_entry.runtime_data.connection.connected
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=zeroconf_record(forged_station.port, {"id": station.station_id, "name": STATION_NAME}),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unproven_station"
    async with asyncio.timeout(60):
        await forged_station.done.wait()

    assert station.token.encode() not in forged_station.received
    [(header, data)] = forged_station.events()  # one event, and nothing after it
    assert header["type"] == "bf-hello"
    assert set(data) == {"nonce", "client", "protocol"}
    assert len(data["nonce"]) == 32

    assert loaded_entry.data[CONF_PORT] == station.port
    assert loaded_entry.state is ConfigEntryState.LOADED
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"unproven_station_{loaded_entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "unproven_station"
    assert issue.translation_placeholders == {
        "name": STATION_NAME,
        "host": "127.0.0.1",
        "port": str(forged_station.port),
        "known_host": "127.0.0.1",
        "known_port": str(station.port),
    }
    await hass.config_entries.async_unload(loaded_entry.entry_id)


@dataclass
class Relay:
    """A host that forwards everything to the real station: it would pass the handshake."""

    target_port: int
    port: int = 0
    connections: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while chunk := await src.read(65536):
                dst.write(chunk)
                await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_zeroconf_relay_is_not_adopted_while_the_station_answers(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, station: Any, socket_enabled: None
) -> None:
    """A relay to the real station proves itself, so the proof alone cannot tell it from a
    move; while the station is connected at its known address the record is ignored and
    the relay is never even contacted."""
    relay = Relay(station.port)
    server = await asyncio.start_server(relay.handle, "127.0.0.1", 0)
    relay.port = int(server.sockets[0].getsockname()[1])
    try:
        assert loaded_entry.runtime_data.connection.connected
        result = await hass.config_entries.flow.async_init(
            DOMAIN,
            context={"source": SOURCE_ZEROCONF},
            data=zeroconf_record(relay.port, {"id": station.station_id, "name": STATION_NAME}),
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "already_configured"
        assert loaded_entry.data[CONF_PORT] == station.port
        assert relay.connections == 0
        # Once the station is gone from its known address, a relay would be probed instead
        # (and adopted only if it proves the token: a forged one never is, see above).
    finally:
        server.close()
        await server.wait_closed()
        await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_zeroconf_genuine_move_is_adopted(
    hass: HomeAssistant, station: Any, station_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """The real station restarted on another port (same state folder: same id and token):
    it proves itself, the entry follows it and is loaded again."""
    state_dir = tmp_path / "moving-station"
    first = await station_factory(state_dir=state_dir)
    entry = entry_for(first)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await first.stop()
    moved = await station_factory(state_dir=state_dir)
    assert moved.station_id == first.station_id
    assert moved.port != first.port

    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=zeroconf_record(moved.port, {"id": moved.station_id, "name": STATION_NAME}),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    await hass.async_block_till_done()
    assert entry.data[CONF_PORT] == moved.port
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.connection.port == moved.port
    issue_id = f"unproven_station_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    await hass.config_entries.async_unload(entry.entry_id)


async def test_zeroconf_known_station_at_new_address(hass: HomeAssistant, station: Any) -> None:
    """A configured station announcing a new port updates the entry; no second entry."""
    entry = entry_for(station)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PORT: closed_port()})

    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=zeroconf_record(station.port, {"id": station.station_id, "name": STATION_NAME}),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_PORT] == station.port
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_zeroconf_without_port_or_id(hass: HomeAssistant, station: Any) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_record(None, {})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_port"

    # No id in the TXT record: the station is identified once paired; the name comes from
    # the service name.
    entry = entry_for(station)
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_record(station.port, {})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_zeroconf_pairs_with_station_already_configured_elsewhere(
    hass: HomeAssistant, station: Any
) -> None:
    """Without an id in TXT, the duplicate is caught after pairing and the address updated."""
    entry = entry_for(station)
    entry.add_to_hass(hass)
    old_port = closed_port()
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PORT: old_port})
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=zeroconf_record(station.port, {})
    )
    assert result["step_id"] == "zeroconf_confirm"
    assert result["description_placeholders"]["name"] == STATION_NAME
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN: station.token}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_PORT] == station.port


async def test_manual_flow(hass: HomeAssistant, station: Any) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: " 127.0.0.1 ", CONF_PORT: station.port, CONF_TOKEN: station.token},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == STATION_NAME
    assert result["data"] == {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: station.port,
        CONF_TOKEN: station.token,
    }
    assert result["result"].unique_id == station.station_id
    assert result["result"].state is ConfigEntryState.LOADED
    await hass.config_entries.async_unload(result["result"].entry_id)


async def test_manual_flow_errors(
    hass: HomeAssistant,
    station: Any,
    other_server: Callable[[bytes | None], Awaitable[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each error is shown in the form, and the installer can correct it and go on."""
    forged = ForgedStation(station.station_id)
    forged_server = await asyncio.start_server(forged.handle, "127.0.0.1", 0)
    http_port = await other_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    json_port = await other_server(b'{"type": "info", "data": {}}\n')
    silent_port = await other_server(None)
    monkeypatch.setattr(config_flow, "CONNECT_TIMEOUT", 0.5)

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    cases = [
        (closed_port(), station.token, "cannot_connect"),
        (station.port, WRONG_TOKEN, "invalid_auth"),
        # A station that cannot prove the token: the same error, it never received it.
        (forged_server.sockets[0].getsockname()[1], station.token, "invalid_auth"),
        (http_port, station.token, "not_a_station"),
        (json_port, station.token, "not_a_station"),
        (silent_port, station.token, "not_a_station"),
    ]
    for port, token, error in cases:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: port, CONF_TOKEN: token}
        )
        assert result["type"] is FlowResultType.FORM, error
        assert result["errors"] == {"base": error}
    forged_server.close()
    await forged_server.wait_closed()
    assert station.token.encode() not in forged.received

    monkeypatch.setattr(config_flow, "CONNECT_TIMEOUT", 10.0)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: station.port, CONF_TOKEN: station.token},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.config_entries.async_unload(result["result"].entry_id)


async def test_manual_flow_known_station_new_address(hass: HomeAssistant, station: Any) -> None:
    """Typing a configured station's new address updates it instead of adding a duplicate."""
    entry = entry_for(station)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_HOST: "localhost", CONF_PORT: closed_port()}
    )
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: station.port, CONF_TOKEN: station.token},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_PORT] == station.port
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_reauth(hass: HomeAssistant, station: Any) -> None:
    """A stored token the station refuses: setup fails, reauth asks for the new one."""
    entry = entry_for(station)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_TOKEN: WRONG_TOKEN})
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    flow_id = flows[0]["flow_id"]
    result = await hass.config_entries.flow.async_configure(flow_id)
    assert result["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_TOKEN: "y" * 32})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_TOKEN: station.token})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_TOKEN] == station.token
    assert entry.state is ConfigEntryState.LOADED
    await hass.config_entries.async_unload(entry.entry_id)


async def test_reauth_with_another_station(
    hass: HomeAssistant, station: Any, station_factory: Callable[..., Any]
) -> None:
    other = await station_factory(name="Bedroom")
    entry = entry_for(station)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PORT: other.port, CONF_TOKEN: WRONG_TOKEN}
    )
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN: other.token}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_station"


async def test_reconfigure(
    hass: HomeAssistant, station: Any, station_factory: Callable[..., Any]
) -> None:
    """The station moved: the new address is tested, then saved; another station is refused."""
    entry = entry_for(station)
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: closed_port()}
    )
    assert result["errors"] == {"base": "cannot_connect"}

    other = await station_factory(name="Bedroom")
    # The other station does not know this entry's token.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: other.port}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: station.port}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.state is ConfigEntryState.LOADED
    await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_to_another_station(
    hass: HomeAssistant, station: Any, station_factory: Callable[..., Any]
) -> None:
    other = await station_factory(name="Bedroom")
    entry = entry_for(station)
    entry.add_to_hass(hass)
    # Same token on both ends so that only the station id differs.
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_TOKEN: other.token})
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: other.port}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_station"


async def open_station_options(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    """The options menu, then this station's own settings."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [
        "station",
        "quiet_hours",
        "extra_phrases",
        "profiles",
        "roles",
        "export",
        "import",
    ]
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "station"}
    )


async def test_options(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Language, rate, volume and areas are saved; the entry reloads with them."""
    kitchen = ar.async_get(hass).async_create("Kitchen")
    result = await open_station_options(hass, loaded_entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "station"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_LANGUAGE: "en",
            CONF_RATE: 120.0,
            CONF_VOLUME: 70.0,
            CONF_AREAS: [kitchen.id],
            CONF_SHOWROOM_IDLE_MINUTES: 10.0,
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options == {
        CONF_LANGUAGE: "en",
        CONF_RATE: 120,
        CONF_VOLUME: 70,
        CONF_AREAS: [kitchen.id],
        CONF_SENSITIVE_ENTITIES: [],
        CONF_SHOWROOM_IDLE_MINUTES: 10,
    }
    assert loaded_entry.state is ConfigEntryState.LOADED
    await loaded_entry.runtime_data.connection.async_apply_settings()
    settings = loaded_entry.runtime_data.connection.settings_in_force
    assert settings is not None
    assert settings["rate"] == 120
    assert settings["volume"] == pytest.approx(0.7)
    assert settings["language"] == "en"
    await hass.config_entries.async_unload(loaded_entry.entry_id)


# --- PIN and sensitive devices in the options ---------------------------------------------------

PIN = "73915284"  # 8 digits: no chance of showing up by accident in a base64 salt or digest
OTHER_PIN = "2468"
# What the installer leaves as it is on the options form.
UNCHANGED = {CONF_LANGUAGE: "en", CONF_RATE: 160.0, CONF_VOLUME: 90.0, CONF_AREAS: []}


def form_fields(result: Any) -> list[dict[str, Any]]:
    """The form as the frontend receives it (the same serialisation as the flow's HTTP view)."""
    fields: list[dict[str, Any]] = probatio.to_field_list(
        result["data_schema"], custom_serializer=cv.custom_serializer
    )
    return fields


def suggested(result: Any) -> dict[str, Any]:
    """Suggested value of each field that has one."""
    return {
        field["name"]: field["description"]["suggested_value"]
        for field in form_fields(result)
        if "suggested_value" in (field.get("description") or {})
    }


async def with_pin(hass: HomeAssistant, entry: MockConfigEntry, pin: str) -> str:
    """Store a PIN as the options flow would; its stored (hashed) form."""
    stored = PinHash.create(pin).to_string()
    hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_PIN: stored})
    return stored


async def test_options_set_pin(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """A new PIN typed twice is stored only as a hash that verifies it; never shown back."""
    result = await open_station_options(hass, loaded_entry)
    names = [field["name"] for field in form_fields(result)]
    assert config_flow.FIELD_NEW_PIN in names
    assert config_flow.FIELD_PIN_CONFIRM in names
    assert config_flow.FIELD_CLEAR_PIN not in names  # nothing to clear yet

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**UNCHANGED, config_flow.FIELD_NEW_PIN: PIN, config_flow.FIELD_PIN_CONFIRM: PIN},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    stored = loaded_entry.options[CONF_PIN]
    assert PinHash.from_string(stored).matches(PIN)
    assert not PinHash.from_string(stored).matches(OTHER_PIN)
    assert PIN not in json.dumps(dict(loaded_entry.options))
    assert PIN not in json.dumps(result["data"])
    assert loaded_entry.state is ConfigEntryState.LOADED

    # The next form offers to clear the PIN but shows neither the PIN nor its hash.
    result = await open_station_options(hass, loaded_entry)
    fields = form_fields(result)
    assert config_flow.FIELD_CLEAR_PIN in [field["name"] for field in fields]
    shown = json.dumps(fields, default=str)
    assert PIN not in shown
    assert stored not in shown
    assert config_flow.FIELD_NEW_PIN not in suggested(result)
    assert config_flow.FIELD_PIN_CONFIRM not in suggested(result)
    hass.config_entries.options.async_abort(result["flow_id"])
    await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_options_pin_full_width_digits(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Digits typed with a Chinese input method (full width, with spaces) are the same PIN."""
    result = await open_station_options(hass, loaded_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            **UNCHANGED,
            config_flow.FIELD_NEW_PIN: " ２４６８",
            config_flow.FIELD_PIN_CONFIRM: "2468 ",
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert PinHash.from_string(loaded_entry.options[CONF_PIN]).matches(OTHER_PIN)
    await hass.config_entries.async_unload(loaded_entry.entry_id)


@pytest.mark.parametrize(
    "pin_fields",
    [
        {},
        {config_flow.FIELD_NEW_PIN: "", config_flow.FIELD_PIN_CONFIRM: ""},
        {config_flow.FIELD_CLEAR_PIN: False},
    ],
    ids=["fields_absent", "fields_empty", "clear_unchecked"],
)
async def test_options_empty_pin_keeps_current(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pin_fields: dict[str, Any]
) -> None:
    """Changing other options with the PIN fields left empty keeps the stored PIN."""
    stored = await with_pin(hass, loaded_entry, PIN)
    result = await open_station_options(hass, loaded_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**UNCHANGED, CONF_VOLUME: 60.0, **pin_fields}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options[CONF_PIN] == stored
    assert loaded_entry.options[CONF_VOLUME] == 60
    await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_options_change_pin(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """A new PIN replaces the stored one; the old PIN no longer verifies."""
    await with_pin(hass, loaded_entry, PIN)
    result = await open_station_options(hass, loaded_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            **UNCHANGED,
            config_flow.FIELD_NEW_PIN: OTHER_PIN,
            config_flow.FIELD_PIN_CONFIRM: OTHER_PIN,
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    pin_hash = PinHash.from_string(loaded_entry.options[CONF_PIN])
    assert pin_hash.matches(OTHER_PIN)
    assert not pin_hash.matches(PIN)
    await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_options_clear_pin(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """ "Clear PIN" removes the stored PIN and keeps the other options."""
    await with_pin(hass, loaded_entry, PIN)
    result = await open_station_options(hass, loaded_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**UNCHANGED, config_flow.FIELD_CLEAR_PIN: True}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_PIN not in loaded_entry.options
    assert loaded_entry.options[CONF_LANGUAGE] == "en"
    assert loaded_entry.state is ConfigEntryState.LOADED
    await hass.config_entries.async_unload(loaded_entry.entry_id)


@pytest.mark.parametrize(
    ("pin", "confirm", "clear", "errors"),
    [
        ("12a4", "12a4", False, {config_flow.FIELD_NEW_PIN: "pin_not_digits"}),
        ("12 34", "12 34", False, {config_flow.FIELD_NEW_PIN: "pin_not_digits"}),
        ("-1234", "-1234", False, {config_flow.FIELD_NEW_PIN: "pin_not_digits"}),
        ("123", "123", False, {config_flow.FIELD_NEW_PIN: "pin_length"}),
        ("123456789", "123456789", False, {config_flow.FIELD_NEW_PIN: "pin_length"}),
        ("1234", "4321", False, {config_flow.FIELD_PIN_CONFIRM: "pin_mismatch"}),
        ("1234", "", False, {config_flow.FIELD_PIN_CONFIRM: "pin_mismatch"}),
        ("", "1234", False, {config_flow.FIELD_PIN_CONFIRM: "pin_mismatch"}),
        ("1234", "1234", True, {config_flow.FIELD_CLEAR_PIN: "pin_clear_conflict"}),
    ],
    ids=[
        "letter",
        "space_inside",
        "sign",
        "too_short",
        "too_long",
        "entries_differ",
        "not_repeated",
        "only_repeated",
        "new_and_clear",
    ],
)
async def test_options_pin_errors(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pin: str,
    confirm: str,
    clear: bool,
    errors: dict[str, str],
) -> None:
    """Each mistake is shown on the form, nothing is saved, the PIN is not shown back."""
    stored = await with_pin(hass, loaded_entry, PIN)
    before = dict(loaded_entry.options)
    result = await open_station_options(hass, loaded_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            **UNCHANGED,
            CONF_VOLUME: 50.0,
            config_flow.FIELD_NEW_PIN: pin,
            config_flow.FIELD_PIN_CONFIRM: confirm,
            config_flow.FIELD_CLEAR_PIN: clear,
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "station"
    assert result["errors"] == errors
    assert dict(loaded_entry.options) == before
    # The other choices are kept on the form; what was typed as PIN is not.
    shown = suggested(result)
    assert shown[CONF_VOLUME] == 50.0
    assert config_flow.FIELD_NEW_PIN not in shown
    assert config_flow.FIELD_PIN_CONFIRM not in shown
    assert stored not in json.dumps(form_fields(result), default=str)

    # Corrected, the same form goes through.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**UNCHANGED, config_flow.FIELD_NEW_PIN: "5555", config_flow.FIELD_PIN_CONFIRM: "5555"},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert PinHash.from_string(loaded_entry.options[CONF_PIN]).matches("5555")
    await hass.config_entries.async_unload(loaded_entry.entry_id)


async def test_options_sensitive_entities(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Extra sensitive devices are chosen from the domains that can open the home."""
    result = await open_station_options(hass, loaded_entry)
    entity_field = next(
        field for field in form_fields(result) if field["name"] == CONF_SENSITIVE_ENTITIES
    )
    entity_selector = entity_field["selector"]["entity"]
    assert entity_selector["multiple"] is True
    domains = set(entity_selector["domain"])
    assert {"lock", "alarm_control_panel", "cover", "switch", "button", "valve"} <= domains
    assert not {"light", "sensor", "media_player"} & domains

    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {**UNCHANGED, CONF_SENSITIVE_ENTITIES: ["light.kitchen"]}
        )

    chosen = ["switch.garden_gate", "button.door_opener", "valve.water_main"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**UNCHANGED, CONF_SENSITIVE_ENTITIES: chosen}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options[CONF_SENSITIVE_ENTITIES] == chosen
    assert CONF_PIN not in loaded_entry.options
    assert loaded_entry.state is ConfigEntryState.LOADED

    # Shown again next time, and removable.
    result = await open_station_options(hass, loaded_entry)
    assert suggested(result)[CONF_SENSITIVE_ENTITIES] == chosen
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**UNCHANGED, CONF_SENSITIVE_ENTITIES: []}
    )
    await hass.async_block_till_done()
    assert loaded_entry.options[CONF_SENSITIVE_ENTITIES] == []
    await hass.config_entries.async_unload(loaded_entry.entry_id)


def test_auth_error_says_the_token_does_not_match_this_station() -> None:
    """A wrong token and a station that cannot prove it look the same: the text says both."""
    folder = Path(config_flow.__file__).parent
    texts = {
        name: json.loads((folder / name).read_text(encoding="utf-8"))
        for name in ("strings.json", "translations/en.json", "translations/zh-Hans.json")
    }
    for name, text in texts.items():
        assert "unproven_station" in text["issues"], name
        assert "unproven_station" in text["config"]["abort"], name
    assert (
        "does not match this voice station"
        in texts["strings.json"]["config"]["error"]["invalid_auth"]
    )
    assert texts["translations/en.json"] == texts["strings.json"]
    assert "不匹配" in texts["translations/zh-Hans.json"]["config"]["error"]["invalid_auth"]

"""Zeroconf: a browser on loopback finds the station, sees renames, and sees it leave."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import replace
from pathlib import Path

import pytest
from wyoming.event import Event
from zeroconf import ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from tests.voice.station import (
    DEADLINE,
    connected_client,
    running_station,
)
from voice.recognition.recognizer import Recognizer
from voice.speech.tts import Synthesizer
from voice.station.discovery import (
    SERVICE_TYPE,
    WYOMING_SERVICE_TYPE,
    Advert,
    StationAdvertiser,
)

pytestmark = pytest.mark.usefixtures("socket_enabled")


class Browser:
    """A second Zeroconf instance on loopback, collecting what it sees."""

    def __init__(self, service_type: str) -> None:
        self.service_type = service_type
        self.zeroconf = AsyncZeroconf(interfaces=["127.0.0.1"])
        self.changes: asyncio.Queue[tuple[str, ServiceStateChange]] = asyncio.Queue()
        self.browser = AsyncServiceBrowser(
            self.zeroconf.zeroconf, service_type, handlers=[self._on_change]
        )

    def _on_change(
        self,
        zeroconf: Zeroconf,
        service_type: str,
        name: str,
        state_change: ServiceStateChange,
    ) -> None:
        self.changes.put_nowait((name, state_change))

    async def next(self, state: ServiceStateChange, station_id: str) -> str:
        """The next change of `state` to a record of the station `station_id` (other stations
        of other test runs on this machine may be advertised on loopback too)."""
        async with asyncio.timeout(DEADLINE):
            while True:
                name, change = await self.changes.get()
                if change is state and f"({station_id})" in name:
                    return name

    async def info(self, name: str) -> AsyncServiceInfo:
        info = AsyncServiceInfo(self.service_type, name)
        assert await info.async_request(self.zeroconf.zeroconf, 5000)
        return info

    async def close(self) -> None:
        await self.browser.async_cancel()
        await self.zeroconf.async_close()


def test_instance_name_fits_a_dns_label() -> None:
    advert = Advert("0123456789ab", "客厅" * 40, 10800, ("zh", "en"), 1, "0.1.0")
    label = advert.instance()
    assert len(label.encode()) <= 63
    assert label.endswith("(0123456789ab)")
    assert label.startswith("客厅")


async def test_advertised_and_withdrawn(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    browser = Browser(SERVICE_TYPE)
    try:
        async with running_station(
            tmp_path, {"en": english_recognizer}, synthesizer, zeroconf=True, name="客厅 station"
        ) as station:
            name = await browser.next(ServiceStateChange.Added, station.station_id)
            info = await browser.info(name)
            assert info.port == station.port
            assert info.parsed_addresses() == ["127.0.0.1"]
            props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
            assert props["id"] == station.station_id
            assert props["name"] == "客厅 station"
            assert props["protocol"] == "2"
            assert props["languages"] == "en"
        removed = await browser.next(ServiceStateChange.Removed, station.station_id)
        assert removed == name
    finally:
        await browser.close()


async def test_advert_updated_under_a_new_name() -> None:
    browser = Browser(SERVICE_TYPE)
    advertiser = StationAdvertiser("127.0.0.1")
    advert = Advert(secrets.token_hex(6), "Living room", 10800, ("en",), 1, "0.1.0")
    try:
        await advertiser.start(advert)
        name = await browser.next(ServiceStateChange.Added, advert.station_id)
        assert name.startswith("Living room")
        await advertiser.update(replace(advert, name="Bedroom"))
        renamed = await browser.next(ServiceStateChange.Added, advert.station_id)
        assert renamed.startswith("Bedroom")
        new_props = (await browser.info(renamed)).properties
        assert new_props[b"name"] == b"Bedroom"
        assert new_props[b"id"] == advert.station_id.encode()
        await advertiser.stop()
        removed = await browser.next(ServiceStateChange.Removed, advert.station_id)
        assert removed in (name, renamed)
    finally:
        await advertiser.stop()
        await browser.close()


async def test_wyoming_advertisement_serves_only_speech_unpaired(
    tmp_path: Path,
    english_recognizer: Recognizer,
    synthesizer: Synthesizer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    browser = Browser(WYOMING_SERVICE_TYPE)
    try:
        async with running_station(
            tmp_path,
            {"en": english_recognizer},
            synthesizer,
            zeroconf=True,
            wyoming_zeroconf=True,
        ) as station:
            assert "without pairing" in caplog.text
            name = await browser.next(ServiceStateChange.Added, station.station_id)
            assert (await browser.info(name)).port == station.port
            async with connected_client(station) as client:
                await client.send(Event("describe"))
                info = await client.expect("info")
                assert info.type == "info"
                pcm, rate = await client.synthesize("hello", language="en")
                assert rate > 0
                assert len(pcm) > rate  # at least half a second of speech
                await client.send(Event("bf-set-phrases", {"language": "en", "phrases": ["x"]}))
                refused = await client.expect("bf-phrases")
                assert refused.type == "error"
                assert refused.data["code"] == "pairing_required"
                assert await client.closed()
    finally:
        await browser.close()


async def test_not_advertised_for_wyoming_by_default(
    tmp_path: Path, english_recognizer: Recognizer, synthesizer: Synthesizer
) -> None:
    async with (
        running_station(
            tmp_path, {"en": english_recognizer}, synthesizer, zeroconf=True
        ) as station,
        connected_client(station) as client,
    ):
        await client.send(Event("describe"))
        refused = await client.expect("info")
        assert refused.type == "error"
        assert refused.data["code"] == "pairing_required"

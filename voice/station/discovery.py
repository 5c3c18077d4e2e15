"""Zeroconf advertisement, so that Home Assistant finds a station without typing an address.

The station is always advertised as `_barrierfree._tcp.local.` (the integration's own
discovery; TXT: station id, name, protocol version, languages). With `--wyoming-zeroconf`
it is also advertised as `_wyoming._tcp.local.`, which Home Assistant's built-in Wyoming
integration discovers; that one cannot send a pairing token.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable
from dataclasses import dataclass

import ifaddr
from zeroconf import InterfaceChoice, NonUniqueNameException
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from ..errors import VoiceError

_LOGGER = logging.getLogger(__name__)

SERVICE_TYPE = "_barrierfree._tcp.local."
WYOMING_SERVICE_TYPE = "_wyoming._tcp.local."
MAX_LABEL_BYTES = 63  # DNS label limit for the instance name


class AdvertiseError(VoiceError):
    code = "zeroconf_failed"
    en = "The station could not announce itself on the network (zeroconf): {detail}"
    zh = "语音站无法在网络上发布自己（zeroconf）：{detail}"


@dataclass(frozen=True, slots=True)
class Advert:
    """What the station tells the LAN about itself."""

    station_id: str
    name: str
    port: int
    languages: tuple[str, ...]
    protocol: int
    version: str

    def properties(self) -> dict[str, str]:
        return {
            "id": self.station_id,
            "name": self.name,
            "protocol": str(self.protocol),
            "languages": ",".join(self.languages),
            "version": self.version,
        }

    def instance(self) -> str:
        """A unique instance label: the name, shortened to fit, plus the station id."""
        suffix = f" ({self.station_id})"
        room = MAX_LABEL_BYTES - len(suffix.encode("utf-8"))
        name = self.name.replace(".", " ").strip() or "station"
        while len(name.encode("utf-8")) > room:
            name = name[:-1]
        return name + suffix


def interface_addresses(host: str) -> list[str]:
    """The IPv4 addresses to advertise for a server bound to `host`."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None and not ip.is_unspecified:
        return [str(ip)]
    found: list[str] = []
    for adapter in ifaddr.get_adapters():
        for addr in adapter.ips:
            if isinstance(addr.ip, str) and not ipaddress.ip_address(addr.ip).is_loopback:
                found.append(addr.ip)
    return found or ["127.0.0.1"]


class StationAdvertiser:
    """Registers, updates and withdraws the station's zeroconf records."""

    def __init__(self, host: str, wyoming: bool = False) -> None:
        self._addresses = interface_addresses(host)
        # Bound to one address (tests bind 127.0.0.1): answer on that interface only.
        wildcard = host in ("", "0.0.0.0", "::")  # noqa: S104 - detecting it, not binding
        self._interfaces: list[str] | InterfaceChoice = (
            InterfaceChoice.All if wildcard else self._addresses
        )
        self._wyoming = wyoming
        self._zeroconf: AsyncZeroconf | None = None
        self._infos: list[AsyncServiceInfo] = []
        self._advert: Advert | None = None
        # Announcements are re-sent over a second or so in the background; kept so that
        # stop() can end them (nothing of ours may outlive the station).
        self._broadcasts: set[asyncio.Future[object]] = set()

    def _track(self, broadcast: Awaitable[object]) -> None:
        future = asyncio.ensure_future(broadcast)
        self._broadcasts.add(future)
        future.add_done_callback(self._broadcasts.discard)

    def _build(self, advert: Advert) -> list[AsyncServiceInfo]:
        server = f"bf-{advert.station_id}.local."
        addresses = [socket.inet_aton(a) for a in self._addresses]
        types = [SERVICE_TYPE] + ([WYOMING_SERVICE_TYPE] if self._wyoming else [])
        return [
            AsyncServiceInfo(
                kind,
                f"{advert.instance()}.{kind}",
                addresses=addresses,
                port=advert.port,
                properties=advert.properties(),
                server=server,
            )
            for kind in types
        ]

    async def start(self, advert: Advert) -> None:
        try:
            self._zeroconf = AsyncZeroconf(interfaces=self._interfaces)
            await self._register(advert)
        except (OSError, NonUniqueNameException) as err:
            await self.stop()
            raise AdvertiseError(detail=str(err)) from err

    async def _register(self, advert: Advert) -> None:
        assert self._zeroconf is not None
        self._infos = self._build(advert)
        self._advert = advert
        for info in self._infos:
            self._track(await self._zeroconf.async_register_service(info, allow_name_change=True))

    async def update(self, advert: Advert) -> None:
        """Publish changed details; a new name means a new instance, so re-register."""
        if self._zeroconf is None or advert == self._advert:
            return
        old = self._advert
        if old is not None and old.instance() == advert.instance():
            self._infos = self._build(advert)
            self._advert = advert
            for info in self._infos:
                self._track(await self._zeroconf.async_update_service(info))
            return
        for info in self._infos:
            self._track(await self._zeroconf.async_unregister_service(info))
        await self._register(advert)

    async def stop(self) -> None:
        """Withdraw the records (goodbye packets) and close the sockets."""
        zc, self._zeroconf = self._zeroconf, None
        if zc is None:
            return
        for broadcast in list(self._broadcasts):
            broadcast.cancel()
        if self._broadcasts:
            await asyncio.wait(list(self._broadcasts))
        try:
            if self._infos:
                await zc.async_unregister_all_services()
        except OSError as err:  # the network went away: nothing left to withdraw from
            _LOGGER.debug("zeroconf unregister failed: %s", err)
        finally:
            self._infos = []
            await zc.async_close()

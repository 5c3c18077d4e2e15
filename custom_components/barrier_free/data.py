"""What a loaded config entry holds (`entry.runtime_data`), typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .client import StationInfo

if TYPE_CHECKING:
    from .activity import StationActivity
    from .connection import StationConnection
    from .conversation import BarrierFreeAgent
    from .lockout import HouseholdLockout
    from .phrase_sync import PhraseSync
    from .room_flow import RoomFlow
    from .showroom import Showroom


@dataclass(slots=True)
class BarrierFreeData:
    """What a loaded entry holds: the station's connection and what it said about itself."""

    connection: StationConnection
    info: StationInfo
    lockout: HouseholdLockout
    """The household's PIN lockout, the same object for every station."""
    phrase_sync: PhraseSync | None = None
    room_flow: RoomFlow | None = None
    activity: StationActivity | None = None
    showroom: Showroom | None = None
    agent: BarrierFreeAgent | None = None
    """The station's conversation agent, once its platform is set up."""


type BarrierFreeConfigEntry = ConfigEntry[BarrierFreeData]

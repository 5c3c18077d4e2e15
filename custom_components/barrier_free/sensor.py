"""The last thing a resident said at the station, with what became of it."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import BarrierFreeConfigEntry
from .entity import BarrierFreeEntity

PARALLEL_UPDATES = 0  # pushed by the connection, never polled
MAX_STATE_LENGTH = 255  # Home Assistant's limit for a state

OUTCOME_RECOGNISED = "recognised"
OUTCOME_REJECTED = "rejected"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BarrierFreeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_entities([BarrierFreeLastUtterance(entry)])


class BarrierFreeLastUtterance(BarrierFreeEntity, SensorEntity):
    """Text of the last room-mode utterance; the outcome and details are attributes."""

    _attr_translation_key = "last_utterance"

    def __init__(self, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "last_utterance")

    @property
    def native_value(self) -> str | None:
        utterance = self.connection.last_utterance
        if utterance is None:
            return None
        return utterance.transcript.text[:MAX_STATE_LENGTH] or None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        utterance = self.connection.last_utterance
        if utterance is None:
            return None
        transcript = utterance.transcript
        at = self.connection.last_utterance_at
        return {
            "outcome": OUTCOME_REJECTED if transcript.rejected else OUTCOME_RECOGNISED,
            "phrase": transcript.phrase,
            "score": transcript.score,
            "language": transcript.language,
            "utterance_id": utterance.utterance_id,
            "heard_at": at.isoformat() if at else None,
        }

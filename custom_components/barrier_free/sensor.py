"""The last thing a resident said at the station, with what became of it."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .client import StationInfo
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
    async_add_entities([BarrierFreeLastUtterance(entry), BarrierFreeSpeechModels(entry)])


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


class BarrierFreeSpeechModels(BarrierFreeEntity, SensorEntity):
    """The languages the station can recognise (the state) and its voices, as the station's
    `info` tells them: what an installer checks before leaving the home."""

    _attr_translation_key = "speech_models"
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "speech_models")
        self._entry_info = entry.runtime_data.info

    @property
    def _info(self) -> StationInfo:
        return self.connection.info or self._entry_info

    @property
    def native_value(self) -> str:
        return ", ".join(self._info.asr_languages) or "-"

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        info = self._info
        return {
            "recognisers": [
                {
                    "name": model.name,
                    "engine": model.name.rpartition("-")[0] or model.name,
                    "languages": list(model.languages),
                    "description": model.description,
                }
                for model in info.asr_models
            ],
            "voices": [{"name": v.name, "language": v.language} for v in info.voices],
        }

"""The last thing a resident said at the station and its answer; the day's command counters;
the station's speech models and the last microphone check (for the installer)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .client import StationInfo
from .data import BarrierFreeConfigEntry
from .entity import BarrierFreeEntity

PARALLEL_UPDATES = 0  # pushed by the connection, never polled
MAX_STATE_LENGTH = 255  # Home Assistant's limit for a state

OUTCOME_RECOGNISED = "recognised"
OUTCOME_REJECTED = "rejected"
COUNTERS = ("tried", "understood", "acted", "rejected")
MICROPHONE_VERDICTS = ("ok", "no_words", "quiet", "silent")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BarrierFreeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_entities(
        [
            BarrierFreeLastUtterance(entry),
            BarrierFreeLastAnswer(entry),
            BarrierFreeSpeechModels(entry),
            BarrierFreeMicrophoneCheck(entry),
            *(BarrierFreeCommandCount(entry, key) for key in COUNTERS),
        ]
    )


class _ActivityEntity(BarrierFreeEntity, SensorEntity):
    """A sensor that also changes with the station's activity (turns, counters)."""

    def __init__(self, entry: BarrierFreeConfigEntry, key: str) -> None:
        super().__init__(entry, key)
        activity = entry.runtime_data.activity
        assert activity is not None
        self.activity = activity

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(self.activity.async_add_listener(self.async_write_ha_state))

    def _turn_is_newer(self) -> bool:
        """The agent's last turn came after the last room utterance (or there is none), and
        is not that utterance answered (whose room details say more)."""
        turn, heard_at = self.activity.last_turn, self.connection.last_utterance_at
        utterance = self.connection.last_utterance
        if turn is None:
            return False
        if utterance is None or heard_at is None:
            return True
        return turn.at >= heard_at and turn.heard != utterance.transcript.text


class BarrierFreeLastUtterance(_ActivityEntity):
    """Text of the last utterance, from room mode or any pipeline; details are attributes."""

    _attr_translation_key = "last_utterance"

    def __init__(self, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "last_utterance")

    @property
    def native_value(self) -> str | None:
        if self._turn_is_newer():
            assert self.activity.last_turn is not None
            return self.activity.last_turn.heard[:MAX_STATE_LENGTH] or None
        utterance = self.connection.last_utterance
        if utterance is None:
            return None
        return utterance.transcript.text[:MAX_STATE_LENGTH] or None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        turn = self.activity.last_turn
        if self._turn_is_newer() and turn is not None:
            # Typed or from a pipeline: the station's phrase is what was heard, when the agent
            # understood it at all.
            return {
                "outcome": OUTCOME_RECOGNISED if turn.understood else OUTCOME_REJECTED,
                "phrase": turn.heard if turn.understood else None,
                "language": turn.language,
                "heard_at": turn.at.isoformat(),
            }
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
                    "verified": model.verified,
                }
                for model in info.asr_models
            ],
            "voices": [{"name": v.name, "language": v.language} for v in info.voices],
        }


class BarrierFreeMicrophoneCheck(BarrierFreeEntity, SensorEntity):
    """The verdict of the last "test microphone" (the state), its level and what the station
    heard (attributes); unknown until the first check."""

    _attr_translation_key = "microphone_check"
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_device_class = SensorDeviceClass.ENUM

    def __init__(self, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "microphone_check")
        self._attr_options = list(MICROPHONE_VERDICTS)

    @property
    def native_value(self) -> str | None:
        check = self.connection.microphone_check
        return check.verdict if check is not None and check.verdict in MICROPHONE_VERDICTS else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        check, at = self.connection.microphone_check, self.connection.microphone_checked_at
        if check is None:
            return None
        return {
            "peak_dbfs": check.peak_dbfs,
            "rms_dbfs": check.rms_dbfs,
            "heard": check.heard[:MAX_STATE_LENGTH],
            "language": check.language,
            "seconds": check.seconds,
            "checked_at": at.isoformat() if at else None,
        }


class BarrierFreeLastAnswer(_ActivityEntity):
    """What the station's agent answered last."""

    _attr_translation_key = "last_answer"

    def __init__(self, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "last_answer")

    @property
    def native_value(self) -> str | None:
        turn = self.activity.last_turn
        return turn.answer[:MAX_STATE_LENGTH] or None if turn is not None else None


class BarrierFreeCommandCount(_ActivityEntity):
    """Commands of the day: tried, understood, acted on or rejected; 0 again at midnight."""

    # Increasing through the day; the drop to 0 at midnight is the reset, as for a meter.
    _attr_state_class = SensorStateClass.TOTAL_INCREASING

    def __init__(self, entry: BarrierFreeConfigEntry, key: str) -> None:
        super().__init__(entry, f"commands_{key}")
        self._key = key
        self._attr_translation_key = f"commands_{key}"

    @property
    def available(self) -> bool:
        return True  # counted in Home Assistant: known while the station is away too

    @property
    def native_value(self) -> int:
        counters = self.activity.counters.on(dt_util.now().date())
        return int(getattr(counters, self._key))

"""Room mode: what a resident says at the station goes to its agent; the answer is spoken there.

The station recognises locally and sends `bf-room-transcript` over the persistent connection.
Each understood utterance is given to this station's conversation agent, in one conversation per
station (so "对的" answers the question asked in the same room), and the answer goes back with
`bf-answer` for that utterance. Rejected utterances were already answered by the station
("没听清，请再说一遍") and are only counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .client import EV_ANNOUNCED, RoomUtterance, StationError, answer_event
from .const import CONF_LANGUAGE, DEFAULT_LANGUAGE, DOMAIN, LOGGER, PIPELINE_LANGUAGE
from .data import BarrierFreeConfigEntry
from .entity import async_station_device_id
from .logic.spoken import say

if TYPE_CHECKING:
    from collections.abc import Callable


class RoomFlow:
    """Answers one station's room utterances."""

    def __init__(self, hass: HomeAssistant, entry: BarrierFreeConfigEntry) -> None:
        self._hass = hass
        self._entry = entry
        self.conversation_id: str | None = None
        self.handled = 0
        self.rejected = 0
        self._unsubscribe: Callable[[], None] | None = None

    @callback
    def async_start(self) -> None:
        connection = self._entry.runtime_data.connection
        self._unsubscribe = connection.async_add_utterance_listener(self._async_heard)

    async def async_stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @callback
    def _async_heard(self, utterance: RoomUtterance) -> None:
        if utterance.transcript.rejected or not utterance.transcript.text.strip():
            self.rejected += 1
            if (activity := self._entry.runtime_data.activity) is not None:
                activity.async_count(understood=False)
            return
        self._entry.async_create_background_task(
            self._hass, self.async_answer(utterance), f"{DOMAIN} room answer"
        )

    async def async_answer(self, utterance: RoomUtterance) -> str:
        """Run the utterance through the agent and have the station speak the answer."""
        language = str(self._entry.options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE))
        station_id = self._entry.runtime_data.info.station_id
        agent_id = er.async_get(self._hass).async_get_entity_id(
            "conversation", DOMAIN, f"{station_id}-conversation"
        )
        result = await conversation.async_converse(
            self._hass,
            utterance.transcript.text,
            self.conversation_id,
            Context(),
            language=PIPELINE_LANGUAGE[language],
            agent_id=agent_id,
            device_id=async_station_device_id(self._hass, self._entry.entry_id, station_id),
        )
        self.conversation_id = result.conversation_id
        speech = result.response.speech.get("plain", {}).get("speech") or say(
            "not_understood", language
        )
        event = answer_event(utterance.utterance_id, str(speech), language)
        try:
            await self._entry.runtime_data.connection.async_request(event, EV_ANNOUNCED)
        except StationError as err:
            LOGGER.warning("Could not answer on the station: %s", err)
        self.handled += 1
        return str(speech)

"""Light-flash alerts for deaf and hard-of-hearing residents (issue 17 item 3).

Placeholder with the agreed interface until helper J2's flash.py lands on this branch: the
alerts glue calls these two functions and nothing else. It only logs what would flash.
"""

from __future__ import annotations

from collections.abc import Sequence

from homeassistant.core import HomeAssistant

from .const import LOGGER


async def async_flash_alert(
    hass: HomeAssistant, alert_id: str, kind: str, priority: str, entity_ids: Sequence[str]
) -> None:
    """Flash `entity_ids` in the pattern of `kind`, then restore them."""
    LOGGER.debug("Alert %s (%s, %s) would flash %s", alert_id, kind, priority, list(entity_ids))


async def async_stop_flash(hass: HomeAssistant, alert_id: str) -> None:
    """Stop the pattern of `alert_id` and restore the lights."""
    LOGGER.debug("Alert %s would stop flashing", alert_id)

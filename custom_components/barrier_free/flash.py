"""Light-flash alerts for deaf and hard-of-hearing residents (issue 17 item 3).

The Home Assistant side only: which pattern a kind flashes lives in `logic.flash_patterns`.
"""

from __future__ import annotations

from collections.abc import Sequence

from homeassistant.core import HomeAssistant


async def async_flash_alert(
    hass: HomeAssistant, alert_id: str, kind: str, priority: str, entity_ids: Sequence[str]
) -> None:
    """Flash `entity_ids` in the pattern of `kind`, repeated as `priority` asks, then restore them.

    Returns once the pattern has started; it runs as a task. kind: doorbell, door_open,
    window_open, leak, smoke, gas, low_battery, appliance_done, help, alarm, announcement;
    priority: alarm | warning | info. A second alert over the same lights: the higher priority
    flashes, one restore at the end.
    """
    raise NotImplementedError


async def async_stop_flash(hass: HomeAssistant, alert_id: str) -> None:
    """Stop alert `alert_id` (acknowledged or expired); its lights are restored. Unknown ids: no-op."""
    raise NotImplementedError

"""The alert actions for automations: `barrier_free.announce` and `.acknowledge` (the
scene actions are in services.py)."""

from __future__ import annotations

from typing import Any

import probatio as vol
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .alerts import DATA, AlertManager
from .const import DOMAIN
from .logic.alert_kinds import FLASH_KIND, STATION_PRIORITY
from .logic.flash_patterns import KINDS as FLASH_PATTERNS

SERVICE_ANNOUNCE = "announce"
SERVICE_ACKNOWLEDGE = "acknowledge"
NO_FLASH = "none"

ANNOUNCE_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Optional("message"): cv.string,
            vol.Optional("message_zh"): cv.string,
            vol.Optional("message_en"): cv.string,
            vol.Optional("priority", default="info"): vol.In(tuple(STATION_PRIORITY)),
            vol.Optional("stations", default=list): vol.All(cv.ensure_list, [cv.string]),
            vol.Optional("areas", default=list): vol.All(cv.ensure_list, [cv.string]),
            vol.Optional("visual", default=NO_FLASH): vol.In((NO_FLASH, *FLASH_PATTERNS)),
            vol.Optional("chime", default="info"): vol.In(
                ("none", "doorbell", "alarm", "info", "listening", "not_understood")
            ),
            vol.Optional("expiry"): vol.All(vol.Coerce(float), vol.Range(min=1)),
            vol.Optional("requires_acknowledgement", default=False): cv.boolean,
        }
    ),
    cv.has_at_least_one_key("message", "message_zh", "message_en"),
)
ACKNOWLEDGE_SCHEMA = vol.Schema(
    {vol.Optional("alert_id"): cv.string, vol.Optional("by"): cv.string}
)
assert set(FLASH_KIND.values()) <= set(FLASH_PATTERNS)  # every alert kind has its pattern


def _manager(hass: HomeAssistant) -> AlertManager:
    manager = hass.data.get(DATA)
    if manager is None:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_station")
    return manager


async def _announce(call: ServiceCall) -> ServiceResponse:
    manager = _manager(call.hass)
    data: dict[str, Any] = call.data
    plain = data.get("message")
    texts = {
        "zh": data.get("message_zh") or plain or data.get("message_en") or "",
        "en": data.get("message_en") or plain or data.get("message_zh") or "",
    }
    visual = data["visual"]
    alert = manager.announce(
        texts,
        priority=data["priority"],
        chime=None if data["chime"] == "none" else data["chime"],
        expires_in=data.get("expiry"),
        requires_ack=data["requires_acknowledgement"],
        visual=None if visual == NO_FLASH else visual,
        rooms=data["areas"],
        stations=data["stations"],
    )
    return {"alert_id": alert.id}


async def _acknowledge(call: ServiceCall) -> ServiceResponse:
    manager = _manager(call.hass)
    by = call.data.get("by")
    if by is None and call.context.user_id is not None:
        user = await call.hass.auth.async_get_user(call.context.user_id)
        by = user.name if user is not None else None
    done = manager.acknowledge(by or "automation", call.data.get("alert_id"))
    return {"acknowledged": [alert.id for alert in done]}


def async_register_alert_services(hass: HomeAssistant) -> None:
    """Register the actions (once, in async_setup: they exist even with no station loaded)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_ANNOUNCE,
        _announce,
        schema=ANNOUNCE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_ACKNOWLEDGE,
        _acknowledge,
        schema=ACKNOWLEDGE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )

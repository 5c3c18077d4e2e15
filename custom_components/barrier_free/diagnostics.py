"""Diagnostics for an installer's support request; the pairing token and the PIN's hash never
leave (a 4-digit PIN is found from its hash in moments, however slow the hash)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_PIN, CONF_TOKEN
from .data import BarrierFreeConfigEntry
from .household_setup import async_get_household

TO_REDACT = {CONF_TOKEN, CONF_PIN}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: BarrierFreeConfigEntry
) -> dict[str, Any]:
    connection = entry.runtime_data.connection
    return {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "station": entry.runtime_data.info.as_dict(),
        # The household's profiles and bindings (entity ids): what scenes will do in this home.
        "household": (await async_get_household(hass)).setup.as_dict(),
        "connection": {
            "host": connection.host,
            "port": connection.port,
            "connected": connection.connected,
            "connected_since": _iso(connection.connected_since),
            "disconnected_since": _iso(connection.disconnected_since),
            "reconnects": connection.reconnects,
            "last_error": connection.last_error,
            "settings_in_force": connection.settings_in_force,
        },
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None

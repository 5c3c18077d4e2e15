"""Diagnostics for an installer's support request; the pairing token never leaves."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_TOKEN
from .data import BarrierFreeConfigEntry

TO_REDACT = {CONF_TOKEN}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: BarrierFreeConfigEntry
) -> dict[str, Any]:
    connection = entry.runtime_data.connection
    return {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": dict(entry.options),
        },
        "station": entry.runtime_data.info.as_dict(),
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

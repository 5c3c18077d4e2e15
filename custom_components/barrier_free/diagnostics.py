"""Diagnostics for an installer's support request: nothing secret ever leaves.

Secrets are the pairing token and the PIN (stored as a salted PBKDF2 hash; a 4–8 digit PIN is
found from its hash offline in seconds, so the hash is as secret as the PIN). Entry data and
options are shown by allowlist: a field added later is redacted until someone decides it is
safe. As a second net, any text anywhere that contains a secret is redacted too.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from homeassistant.components.diagnostics import REDACTED
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant

from .const import (
    CONF_AREAS,
    CONF_EXTRA_PHRASES,
    CONF_LANGUAGE,
    CONF_PIN,
    CONF_PIPELINE_ID,
    CONF_RATE,
    CONF_SENSITIVE_ENTITIES,
    CONF_TOKEN,
    CONF_VOLUME,
)
from .data import BarrierFreeConfigEntry
from .household_setup import async_get_household
from .logic.pin import PinHash

SAFE_DATA: Final = frozenset({CONF_HOST, CONF_PORT, CONF_PIPELINE_ID})
SAFE_OPTIONS: Final = frozenset(
    {CONF_LANGUAGE, CONF_RATE, CONF_VOLUME, CONF_AREAS, CONF_SENSITIVE_ENTITIES, CONF_EXTRA_PHRASES}
)


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: BarrierFreeConfigEntry
) -> dict[str, Any]:
    connection = entry.runtime_data.connection
    lockout = entry.runtime_data.lockout.record
    diagnostics = {
        "entry": {
            "data": _allowed(entry.data, SAFE_DATA),
            "options": _allowed(entry.options, SAFE_OPTIONS),
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
            "announcements_waiting": len(connection.announcements),
        },
        "pin_lockout": {
            "locked_out": lockout.locked_out,
            "wrong_pins": lockout.wrong_pins,
            "level": lockout.level,
            "locked_until": None
            if lockout.locked_until is None
            else datetime.fromtimestamp(lockout.locked_until, UTC).isoformat(),
        },
    }
    scrubbed: dict[str, Any] = _scrub(diagnostics, _secrets(entry))
    return scrubbed


def _allowed(values: Mapping[str, Any], safe: frozenset[str]) -> dict[str, Any]:
    return {key: value if key in safe else REDACTED for key, value in values.items()}


def _secrets(entry: BarrierFreeConfigEntry) -> set[str]:
    """The secret strings of the entry, and the parts of the PIN hash on their own."""
    found = {str(entry.data.get(CONF_TOKEN) or "")}
    stored_pin = entry.options.get(CONF_PIN)
    if stored_pin:
        found.add(str(stored_pin))
        try:
            pin = PinHash.from_string(str(stored_pin))
        except ValueError:
            pass
        else:
            found |= {base64.b64encode(part).decode() for part in (pin.salt, pin.digest)}
            found |= {pin.salt.hex(), pin.digest.hex()}
    return {secret for secret in found if len(secret) >= 8}


def _scrub(value: Any, secrets: Iterable[str]) -> Any:
    secrets = tuple(secrets)
    if isinstance(value, str):
        return REDACTED if any(secret in value for secret in secrets) else value
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item, secrets) for item in value]
    return value


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None

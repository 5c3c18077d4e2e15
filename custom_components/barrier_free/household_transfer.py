"""Moving a household to the next home: its setup as YAML, and reading one back.

The export describes each bound entity by name, aliases, domain, device class and area
(logic/household.py), with the speech settings of a station and the home's phrase-list
extras; never the PIN, its hash or the pairing token (the format has no field for them). An
import is read and re-bound against this home's entities; the installer sees what matched
before anything is saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .const import CONF_EXTRA_PHRASES, CONF_LANGUAGE, CONF_RATE, CONF_VOLUME, DEFAULT_LANGUAGE
from .household_setup import async_get_household
from .logic.extra_phrases import extras_from_options
from .logic.household import Household, export_household, household_roles, read_household
from .logic.pack_errors import PackError
from .logic.role_bindings import Rebinding, rebind
from .scene_runner import async_entity_infos, async_get_library


async def async_export(hass: HomeAssistant, entry: ConfigEntry | None) -> str:
    """The household as YAML, with the speech settings of `entry`'s station if given."""
    setup = (await async_get_household(hass)).setup
    options = entry.options if entry is not None else {}
    rate, volume = options.get(CONF_RATE), options.get(CONF_VOLUME)
    household = Household(
        language=str(options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE)),
        profiles=setup.profiles,
        roles=household_roles(setup.bindings, async_entity_infos(hass)),
        rate=int(rate) if rate is not None else None,
        volume=int(volume) if volume is not None else None,
        phrases=extras_from_options(options.get(CONF_EXTRA_PHRASES)),
    )
    return export_household(household)


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """A household read from YAML and what its roles found in this home."""

    household: Household
    rebinding: Rebinding


async def async_read_import(
    hass: HomeAssistant, text: str
) -> tuple[ImportPreview | None, list[PackError]]:
    """Read pasted YAML and re-bind it here; None and the problems if it cannot be used."""
    library = await async_get_library(hass)
    # The hardened reader is pure CPU on at most a bounded text: fine in an executor.
    household, errors = await hass.async_add_executor_job(
        lambda: read_household(text.encode(), "household.yaml", profiles=list(library.profiles))
    )
    if household is None:
        return None, errors
    return ImportPreview(household, rebind(household.roles, async_entity_infos(hass).values())), []

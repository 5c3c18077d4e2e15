"""The household's accessibility setup: its profiles and role bindings, shared by all stations.

A home has one household however many stations it has, so this is one record per Home
Assistant (a `Store`), not per config entry. The options flow edits it; scenes, alerts and the
showroom read it, and hear of changes through listeners. Roles name what a device is for the
resident (`front_door_lock`, `path_lights`: logic/scene_roles.py); bindings map each role to
the home's entity ids.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, LOGGER

STORAGE_VERSION: Final = 1
STORAGE_KEY: Final = f"{DOMAIN}.household"
_DATA: HassKey[HouseholdStore] = HassKey(f"{DOMAIN}_household")
_LOADING: HassKey[asyncio.Lock] = HassKey(f"{DOMAIN}_household_loading")


@dataclass(frozen=True, slots=True)
class HouseholdSetup:
    """Profiles chosen for the household and the entities bound to each role."""

    profiles: tuple[str, ...] = ()
    bindings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "profiles": list(self.profiles),
            "bindings": {role: list(ids) for role, ids in self.bindings.items()},
        }

    @classmethod
    def from_dict(cls, data: object) -> HouseholdSetup:
        """The stored record; raises ValueError for anything not of the stored shape."""
        if not isinstance(data, dict):
            raise ValueError("not a mapping")  # noqa: TRY004 - one error for every bad shape
        profiles = data.get("profiles", [])
        bindings = data.get("bindings", {})
        if not isinstance(profiles, list) or not all(isinstance(p, str) for p in profiles):
            raise ValueError("profiles is not a list of names")
        if not isinstance(bindings, dict) or not all(
            isinstance(role, str) and isinstance(ids, list) and all(isinstance(i, str) for i in ids)
            for role, ids in bindings.items()
        ):
            raise ValueError("bindings is not a mapping of roles to entity ids")
        return cls(tuple(profiles), {role: tuple(ids) for role, ids in bindings.items()})


class HouseholdStore:
    """The household's setup, loaded once and saved on every change."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
        self.setup = HouseholdSetup()
        self._listeners: list[Callable[[HouseholdSetup], None]] = []

    async def async_load(self) -> None:
        stored = await self._store.async_load()
        if stored is None:
            return
        try:
            self.setup = HouseholdSetup.from_dict(stored)
        except ValueError as err:
            # Kept on disk as it is (an installer may repair it); nothing is bound meanwhile.
            LOGGER.error("The stored household setup cannot be used (%s); none is in force", err)

    async def async_update(self, setup: HouseholdSetup) -> None:
        """Put `setup` in force and save it; listeners hear of it."""
        self.setup = setup
        await self._store.async_save(setup.as_dict())
        for listener in list(self._listeners):
            listener(setup)

    @callback
    def async_add_listener(self, listener: Callable[[HouseholdSetup], None]) -> Callable[[], None]:
        """Call `listener` after each change; returns the function that removes it."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove


async def async_get_household(hass: HomeAssistant) -> HouseholdStore:
    """The household's store, loaded on first use (one per Home Assistant)."""
    if (found := hass.data.get(_DATA)) is not None:
        return found
    lock = hass.data.setdefault(_LOADING, asyncio.Lock())
    async with lock:
        if (found := hass.data.get(_DATA)) is None:
            found = HouseholdStore(hass)
            await found.async_load()
            hass.data[_DATA] = found
    return found

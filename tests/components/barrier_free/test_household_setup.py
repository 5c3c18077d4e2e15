"""The household setup is one record for the whole home, kept across restarts."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from homeassistant.core import HomeAssistant

from custom_components.barrier_free.household_setup import (
    STORAGE_KEY,
    HouseholdSetup,
    HouseholdStore,
    async_get_household,
)


async def test_saved_setup_is_read_back_by_a_new_start(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    store = await async_get_household(hass)
    assert store is await async_get_household(hass)  # one per Home Assistant
    assert store.setup == HouseholdSetup()
    heard: list[HouseholdSetup] = []
    remove = store.async_add_listener(heard.append)
    setup = HouseholdSetup(("blind", "elderly"), {"front_door_lock": ("lock.front_door",)})
    await store.async_update(setup)
    remove()
    await store.async_update(HouseholdSetup(("blind",)))
    assert heard == [setup]
    assert hass_storage[STORAGE_KEY]["data"] == {"profiles": ["blind"], "bindings": {}}

    hass_storage[STORAGE_KEY]["data"] = setup.as_dict()
    restarted = HouseholdStore(hass)  # what a restart of Home Assistant reads
    await restarted.async_load()
    assert restarted.setup == setup


@pytest.mark.parametrize(
    "stored",
    [
        ["blind"],
        {"profiles": "blind"},
        {"profiles": [1]},
        {"bindings": {"front_door_lock": "lock.front_door"}},
        {"bindings": {"front_door_lock": [3]}},
    ],
)
async def test_a_damaged_record_binds_nothing_and_says_so(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    stored: object,
) -> None:
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": STORAGE_KEY,
        "data": stored,
    }
    caplog.set_level(logging.ERROR)
    store = await async_get_household(hass)
    assert store.setup == HouseholdSetup()
    assert "household setup cannot be used" in caplog.text

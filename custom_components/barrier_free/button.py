"""Buttons of a station: one per household scene, "acknowledge alerts" and the installer's
"test speaker" and "test microphone".

Scene buttons follow the household record: choosing another profile adds and removes them
without a reload; a scene whose needed roles are unbound is unavailable (only that scene; the
options flow and the spoken answer say which roles it waits for). Pressing one runs the scene
and the station says what was done; the help scene (one that notifies the caregiver) is the
call for help of alert_stations.py instead, so that one press sends one caregiver message.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.button import ButtonEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .alert_stations import acknowledge_here, async_call_for_help
from .alerts import DATA as ALERTS
from .client import StationError, StationRequestError
from .const import CONF_LANGUAGE, DEFAULT_LANGUAGE, DOMAIN, MICROPHONE_CHECK_SECONDS
from .data import BarrierFreeConfigEntry
from .entity import BarrierFreeEntity
from .household_setup import HouseholdSetup, async_get_household
from .logic.alert_words import is_help_scene
from .logic.languages import station_language
from .logic.scene_packs import Scene
from .logic.scene_run import unbound_roles
from .logic.spoken import say
from .scene_runner import async_get_library, async_run_scene, chosen_scenes

PARALLEL_UPDATES = 1  # one scene or test at a time per station


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BarrierFreeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    household = await async_get_household(hass)
    library = await async_get_library(hass)
    async_add_entities(
        [AcknowledgeButton(entry), TestSpeakerButton(entry), TestMicrophoneButton(entry)]
    )
    shown: dict[str, SceneButton] = {}

    @callback
    def follow(setup: HouseholdSetup) -> None:
        scenes = {scene.id: scene for scene in chosen_scenes(library, setup)}
        registry = er.async_get(hass)
        for scene_id in [s for s in shown if s not in scenes]:
            button = shown.pop(scene_id)
            if button.registry_entry is not None:
                registry.async_remove(button.registry_entry.entity_id)
        new = [
            SceneButton(entry, scene, setup) for sid, scene in scenes.items() if sid not in shown
        ]
        for button in shown.values():
            button.async_set_setup(setup)
        shown.update({button.scene.id: button for button in new})
        async_add_entities(new)

    follow(household.setup)
    entry.async_on_unload(household.async_add_listener(follow))


def _language(entry: BarrierFreeConfigEntry) -> str:
    return str(entry.options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE))


class SceneButton(BarrierFreeEntity, ButtonEntity):
    """Runs one household scene; available while every role it needs is bound."""

    _attr_translation_key = "scene"

    def __init__(self, entry: BarrierFreeConfigEntry, scene: Scene, setup: HouseholdSetup) -> None:
        super().__init__(entry, f"scene-{scene.id}")
        self._entry = entry
        self.scene = scene
        self._setup = setup
        self._attr_translation_placeholders = {
            "scene": scene.name.in_language(station_language(_language(entry)))
        }

    @callback
    def async_set_setup(self, setup: HouseholdSetup) -> None:
        self._setup = setup
        if self.hass is not None and self.entity_id:
            self.async_write_ha_state()

    async def async_added_to_hass(self) -> None:
        # Not the connection's listener: a scene runs in Home Assistant whether or not the
        # station is there to say what was done.
        await ButtonEntity.async_added_to_hass(self)

    @property
    def available(self) -> bool:
        return not unbound_roles(self.scene, self._setup.bindings)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        language = station_language(_language(self._entry))
        return {
            "scene_id": self.scene.id,
            "description": self.scene.description.in_language(language),
        }

    async def async_press(self) -> None:
        language = _language(self._entry)
        if is_help_scene(self.scene) and async_call_for_help(self.hass, self._entry):
            return  # the call for help is announced on every station, this one too
        run = await async_run_scene(self.hass, self.scene, language, self._context)
        await _say(self, run.summary(language), language)


async def _say(button: BarrierFreeEntity, text: str, language: str) -> None:
    try:
        await button.connection.async_announce(text, language)
    except StationError:
        # Done in the home all the same (a station that is away gets the answer when it is
        # back); only a station that refuses the sentence loses it.
        return


class AcknowledgeButton(BarrierFreeEntity, ButtonEntity):
    """The station's "知道了" / "got it" as a button: acknowledges the open alerts (a call for
    help still waits for the caregiver) and the station says how many."""

    _attr_translation_key = "acknowledge"

    def __init__(self, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "acknowledge")
        self._entry = entry

    @property
    def available(self) -> bool:
        # Acknowledging needs Home Assistant only; the answer waits if the station is away.
        return True

    async def async_press(self) -> None:
        alerts = self.hass.data.get(ALERTS)
        if alerts is None:
            raise HomeAssistantError(translation_domain=DOMAIN, translation_key="no_station")
        language = _language(self._entry)
        answer = acknowledge_here(alerts, self._entry.runtime_data.info.name, language)
        await _say(self, answer, language)


class TestSpeakerButton(BarrierFreeEntity, ButtonEntity):
    """Speaks a short sentence at the station: the installer hears rate, volume and language."""

    _attr_translation_key = "test_speaker"
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "test_speaker")
        self._entry = entry

    async def async_press(self) -> None:
        language = _language(self._entry)
        text = say("speaker_test", language)
        try:
            await self.connection.async_say_now(text, language)
        except StationError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={
                    "host": self.connection.host,
                    "port": str(self.connection.port),
                },
            ) from err


class TestMicrophoneButton(BarrierFreeEntity, ButtonEntity):
    """Records a few seconds at the station: its level and what it heard are shown on the
    device page (the microphone check sensor) and said aloud by the station."""

    _attr_translation_key = "test_microphone"
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, entry: BarrierFreeConfigEntry) -> None:
        super().__init__(entry, "test_microphone")

    async def async_press(self) -> None:
        connection = self.connection
        try:
            await connection.async_test_microphone(MICROPHONE_CHECK_SECONDS)
        except StationRequestError as err:
            if err.code in ("not_listening", "no_microphone", "nothing_recorded"):
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="no_microphone",
                    translation_placeholders={"station": connection.info.name}
                    if connection.info
                    else {"station": connection.host},
                ) from err
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="microphone_check_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        except StationError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"host": connection.host, "port": str(connection.port)},
            ) from err

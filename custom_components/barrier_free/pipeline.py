"""The station's Assist pipeline: created once, kept up to date, never duplicated.

The pipeline is found again by the id stored in the config entry, or failing that by its
name, so a reload, a restart or a lost id never produces a second one.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components import conversation
from homeassistant.components.assist_pipeline import (
    Pipeline,
    async_get_pipelines,
    async_update_pipeline,
)
from homeassistant.components.assist_pipeline.pipeline import async_setup_pipeline_store
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.collection import CollectionError
from homeassistant.util import language as language_util

from .const import (
    CONF_LANGUAGE,
    CONF_PIPELINE_ID,
    DEFAULT_LANGUAGE,
    DOMAIN,
    LOGGER,
    PIPELINE_LANGUAGE,
)
from .data import BarrierFreeConfigEntry

# How the pipeline's name says its language, in that language.
LANGUAGE_LABEL = {"zh": "中文", "en": "English"}


def pipeline_name(station_name: str, language: str) -> str:
    return f"{station_name} ({LANGUAGE_LABEL.get(language, language)})"


def _conversation_language(hass: HomeAssistant, tag: str) -> str:
    """The built-in agent's own code for `tag` (its Mandarin is 'zh-cn', not 'zh-Hans')."""
    supported = conversation.async_get_conversation_languages(
        hass, conversation.HOME_ASSISTANT_AGENT
    )
    if supported == "*":
        return tag
    matches = language_util.matches(tag, list(supported), country=hass.config.country)
    return matches[0] if matches else tag


async def async_ensure_pipeline(hass: HomeAssistant, entry: BarrierFreeConfigEntry) -> str | None:
    """Create or update the pipeline using this station's stt and tts; return its id."""
    info = entry.runtime_data.info
    registry = er.async_get(hass)
    stt_entity = registry.async_get_entity_id(Platform.STT, DOMAIN, f"{info.station_id}-stt")
    tts_entity = registry.async_get_entity_id(Platform.TTS, DOMAIN, f"{info.station_id}-tts")
    if stt_entity is None or tts_entity is None:  # pragma: no cover - set up just before
        LOGGER.warning("No speech entities for %s: no Assist pipeline", entry.title)
        return None

    language = str(entry.options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE))
    voice = next((v.name for v in info.voices if v.language == language), None)
    tag = PIPELINE_LANGUAGE[language]
    name = pipeline_name(info.name, language)
    has_stt = language in info.asr_languages
    if not has_stt:
        # No recogniser for this language on the station (no model installed yet): the
        # pipeline still answers typed text and speaks, and gains speech once a model is there.
        LOGGER.warning("Station %s cannot recognise %s speech yet", info.name, language)
    settings: dict[str, Any] = {
        # The station's own agent (accessibility layer, confirmation of sensitive actions).
        "conversation_engine": registry.async_get_entity_id(
            Platform.CONVERSATION, DOMAIN, f"{info.station_id}-conversation"
        )
        or conversation.HOME_ASSISTANT_AGENT,
        "conversation_language": _conversation_language(hass, tag),
        "language": tag,
        "name": name,
        "stt_engine": stt_entity if has_stt else None,
        "stt_language": language if has_stt else None,
        "tts_engine": tts_entity,
        "tts_language": language,
        "tts_voice": voice,
        "wake_word_entity": None,
        "wake_word_id": None,
    }

    pipeline_data = await async_setup_pipeline_store(hass)
    store = pipeline_data.pipeline_store
    existing = _find(hass, entry.data.get(CONF_PIPELINE_ID), name)
    if existing is None:
        created: Pipeline = await store.async_create_item(settings)
        LOGGER.info("Created Assist pipeline %r", name)
        # An installer who has not set up voice yet gets this one as the default.
        preferred = store.data.get(store.async_get_preferred_item())
        if preferred is None or preferred.stt_engine is None:
            store.async_set_preferred_item(created.id)
        return created.id
    current = existing.to_json()
    if any(current.get(key) != value for key, value in settings.items()):
        await async_update_pipeline(hass, existing, **settings)
    return existing.id


def _find(hass: HomeAssistant, pipeline_id: str | None, name: str) -> Pipeline | None:
    pipelines = async_get_pipelines(hass)
    by_id = next((p for p in pipelines if pipeline_id and p.id == pipeline_id), None)
    return by_id or next((p for p in pipelines if p.name == name), None)


async def async_remove_pipeline(hass: HomeAssistant, pipeline_id: str | None) -> None:
    """Delete the station's pipeline; the preferred one is left for the user to change."""
    if pipeline_id is None:
        return
    store = (await async_setup_pipeline_store(hass)).pipeline_store
    try:
        await store.async_delete_item(pipeline_id)
    except CollectionError as err:
        LOGGER.debug("Assist pipeline %s kept: %s", pipeline_id, err)

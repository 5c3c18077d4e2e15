"""Repair issues: a sensitive entity exposed to Home Assistant's own agent; a role bound to an
entity that no longer exists; a station language without a recogniser.

Home Assistant's built-in agent unlocks "把大门打开" at once; the confirmation and PIN of this
integration only protect what reaches the station's agent. The installer is told which entities
to stop exposing to Assist (and to list as sensitive entities of the station instead).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.const import ATTR_DEVICE_CLASS
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir

from .const import (
    DOMAIN,
    ISSUE_BOUND_ENTITY_MISSING,
    ISSUE_NO_RECOGNISER,
    ISSUE_SENSITIVE_EXPOSED,
    MODEL_INSTALL_COMMAND,
)
from .home_snapshot import ASSIST
from .logic.confirm_sensitive import SensitivePolicy
from .logic.languages import station_language
from .logic.scene_roles import ROLES


@callback
def async_check_sensitive_exposure(
    hass: HomeAssistant, entry_id: str, extra: Iterable[str] = ()
) -> list[str]:
    """Raise (or clear) the issue; returns the sensitive entities exposed to Assist."""
    policy = SensitivePolicy(extra_entities=frozenset(extra))
    exposed = [
        (state.entity_id, state.attributes.get(ATTR_DEVICE_CLASS))
        for state in hass.states.async_all()
        if async_should_expose(hass, ASSIST, state.entity_id)
    ]
    found = policy.sensitive_entities(exposed)
    issue_id = f"{ISSUE_SENSITIVE_EXPOSED}_{entry_id}"
    if found:
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_SENSITIVE_EXPOSED,
            translation_placeholders={"entities": ", ".join(sorted(found))},
        )
    else:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
    return found


@callback
def async_check_bindings(hass: HomeAssistant, bindings: Mapping[str, Sequence[str]]) -> list[str]:
    """Raise one issue per role bound to an entity that is gone (clear the others); returns
    those roles. Only that role's scenes wait; the rest of the household keeps working."""
    registry = er.async_get(hass)
    language = station_language(hass.config.language or "en")
    missing: list[str] = []
    for role_id, role in ROLES.items():
        gone = [
            entity_id
            for entity_id in bindings.get(role_id, ())
            if registry.async_get(entity_id) is None and hass.states.get(entity_id) is None
        ]
        issue_id = f"{ISSUE_BOUND_ENTITY_MISSING}_{role_id}"
        if gone:
            missing.append(role_id)
            ir.async_create_issue(
                hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_BOUND_ENTITY_MISSING,
                translation_placeholders={
                    "role": role.name(language),
                    "entities": ", ".join(gone),
                },
            )
        else:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    return missing


@callback
def async_check_recogniser(
    hass: HomeAssistant, entry_id: str, name: str, language: str, asr_languages: Sequence[str]
) -> bool:
    """Raise (or clear) the issue of a station whose chosen language it cannot recognise;
    True if it can."""
    issue_id = f"{ISSUE_NO_RECOGNISER}_{entry_id}"
    if language in asr_languages:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return True
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=ISSUE_NO_RECOGNISER,
        translation_placeholders={
            "name": name,
            "language": language,
            "command": MODEL_INSTALL_COMMAND.format(language=language),
        },
    )
    return False

"""Repair issue: a sensitive entity exposed to Home Assistant's own agent.

Home Assistant's built-in agent unlocks "把大门打开" at once; the confirmation and PIN of this
integration only protect what reaches the station's agent. The installer is told which entities
to stop exposing to Assist (and to list as sensitive entities of the station instead).
"""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.const import ATTR_DEVICE_CLASS
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN, ISSUE_SENSITIVE_EXPOSED
from .home_snapshot import ASSIST
from .logic.confirm_sensitive import SensitivePolicy


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

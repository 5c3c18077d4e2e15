"""The household's quiet hours in the options flow (issue 17): info and warnings wait until
they end, alarms never. One setting for the home, kept alike in every station's options (the
alerts are the household's, `alerts.py` reads them from any loaded station); a station added
later gets them too (`household_options`, used by the config flow).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import probatio
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers import selector

from .const import CONF_QUIET_END, CONF_QUIET_START, DOMAIN
from .logic.alerts import QuietHours


def household_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The household's settings among a station's options (the quiet hours, when set)."""
    if QuietHours.parse(options.get(CONF_QUIET_START), options.get(CONF_QUIET_END)) is None:
        return {}
    return {key: options[key] for key in (CONF_QUIET_START, CONF_QUIET_END)}


def quiet_hours_errors(start: str | None, end: str | None) -> dict[str, str]:
    """Both times or neither (none: no quiet hours); a start equal to the end is no time."""
    if bool(start) != bool(end):
        return {"base": "quiet_hours_incomplete"}
    if start and end:
        hours = QuietHours.parse(start, end)  # the time selectors gave valid times
        if hours is not None and hours.start == hours.end:
            return {CONF_QUIET_END: "quiet_hours_empty"}
    return {}


class QuietHoursOptionsMixin(OptionsFlow):
    """The options flow's `quiet_hours` step."""

    async def async_step_quiet_hours(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The household's quiet hours: info and warnings wait until they end, alarms never.

        One setting for the home, kept alike in every station's options (alerts are the
        household's); saving changes no station, so nothing reloads.
        """
        options = self.config_entry.options
        errors: dict[str, str] = {}
        if user_input is not None:
            start = user_input.get(CONF_QUIET_START) or None
            end = user_input.get(CONF_QUIET_END) or None
            errors = quiet_hours_errors(start, end)
            if not errors:
                for entry in self.hass.config_entries.async_entries(DOMAIN):
                    kept = {
                        key: value
                        for key, value in entry.options.items()
                        if key not in (CONF_QUIET_START, CONF_QUIET_END)
                    }
                    if start and end:
                        kept.update({CONF_QUIET_START: start, CONF_QUIET_END: end})
                    self.hass.config_entries.async_update_entry(entry, options=kept)
                return self.async_create_entry(data=dict(self.config_entry.options))
            suggested = dict(user_input)
        else:
            suggested = {
                key: options[key] for key in (CONF_QUIET_START, CONF_QUIET_END) if key in options
            }
        schema = probatio.Schema(
            {
                probatio.Optional(CONF_QUIET_START): selector.TimeSelector(),
                probatio.Optional(CONF_QUIET_END): selector.TimeSelector(),
            }
        )
        return self.async_show_form(
            step_id="quiet_hours",
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
        )

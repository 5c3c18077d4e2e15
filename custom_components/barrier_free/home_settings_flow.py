"""Options-flow steps for the home's own settings, kept alike in every station's options:
quiet hours and the phrase-list extras.

Saving one writes it into every station's entry and changes nothing a station was started
with, so nothing reloads: alerts read the quiet hours when they need them, the agents read the
extras on every utterance, and each station's phrase list is rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import probatio
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector

from .const import CONF_EXTRA_PHRASES, CONF_QUIET_END, CONF_QUIET_START, DOMAIN
from .data import BarrierFreeConfigEntry
from .logic.alerts import QuietHours
from .logic.extra_phrases import (
    Extra,
    ExtraProblem,
    as_lines,
    check_extras,
    check_meanings,
    extras_from_options,
    parse_lines,
)
from .logic.languages import LANGUAGES

FIELD_EXTRAS: Final = {language: f"extras_{language}" for language in LANGUAGES}
HOME_OPTIONS: Final = (CONF_QUIET_START, CONF_QUIET_END, CONF_EXTRA_PHRASES)
_MULTILINE: Final = selector.TextSelector(selector.TextSelectorConfig(multiline=True))


def quiet_hours_errors(start: str | None, end: str | None) -> dict[str, str]:
    """Both times or neither (none: no quiet hours); a start equal to the end is no time."""
    if bool(start) != bool(end):
        return {"base": "quiet_hours_incomplete"}
    if start and end:
        hours = QuietHours.parse(start, end)  # the time selectors gave valid times
        if hours is not None and hours.start == hours.end:
            return {CONF_QUIET_END: "quiet_hours_empty"}
    return {}


@callback
def async_home_options(hass: HomeAssistant) -> dict[str, Any]:
    """The home's settings as the stations already have them, for a station added now."""
    for entry in hass.config_entries.async_entries(DOMAIN, include_ignore=False):
        return {key: entry.options[key] for key in HOME_OPTIONS if key in entry.options}
    return {}


@callback
def async_save_home_options(
    hass: HomeAssistant, keys: tuple[str, ...], values: Mapping[str, Any]
) -> None:
    """Replace `keys` in every station's options with `values` (a key left out is removed);
    the stations' phrase lists follow."""
    for entry in hass.config_entries.async_entries(DOMAIN, include_ignore=False):
        kept = {key: value for key, value in entry.options.items() if key not in keys}
        kept.update({key: value for key, value in values.items() if key in keys})
        hass.config_entries.async_update_entry(entry, options=kept)
        runtime = getattr(entry, "runtime_data", None)
        if runtime is not None and runtime.phrase_sync is not None:
            runtime.phrase_sync.async_schedule()


async def async_extra_problems(
    entry: BarrierFreeConfigEntry, language: str, pairs: Iterable[Extra]
) -> list[ExtraProblem]:
    """What is wrong with the extras of `language`, their meanings checked by the agent of
    `entry`'s station (its home, its rooms)."""
    extras = list(pairs)
    problems = check_extras(extras, language)
    bad = {problem.line for problem in problems}
    agent = entry.runtime_data.agent
    checked = [extra for extra in extras if extra.line not in bad]
    phrases = [phrase for extra in checked for phrase in (extra.said, extra.means)]
    # Without its agent (the station still starting) nothing counts as understood.
    known = await agent.async_understood(phrases, language) if agent is not None else frozenset()
    problems += check_meanings(checked, known.__contains__)
    return sorted(problems, key=lambda problem: problem.line)


class HomeSettingsMixin(OptionsFlow):
    """Steps whose settings are the home's, not this station's."""

    def _saved(self) -> ConfigFlowResult:
        # Already saved in every entry: the options as they now are, so nothing reloads.
        return self.async_create_entry(data=dict(self.config_entry.options))

    async def async_step_quiet_hours(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The household's quiet hours: info and warnings wait until they end, alarms never."""
        options = self.config_entry.options
        errors: dict[str, str] = {}
        if user_input is not None:
            start = user_input.get(CONF_QUIET_START) or None
            end = user_input.get(CONF_QUIET_END) or None
            errors = quiet_hours_errors(start, end)
            if not errors:
                hours = {CONF_QUIET_START: start, CONF_QUIET_END: end} if start and end else {}
                async_save_home_options(self.hass, (CONF_QUIET_START, CONF_QUIET_END), hours)
                return self._saved()
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

    async def async_step_extra_phrases(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The installer's own phrases, `extra phrase = phrase it stands for`, per language.

        The first problem is shown on its field with its line and phrase, the lines of the
        others in the description; the form keeps what was typed.
        """
        errors: dict[str, str] = {}
        placeholders = {"line": "-", "phrase": "-", "more": "-"}
        more: list[str] = []
        if user_input is not None:
            extras: dict[str, dict[str, str]] = {}
            for language, field in FIELD_EXTRAS.items():
                typed, problems = parse_lines(str(user_input.get(field) or ""))
                problems = sorted(
                    problems + await async_extra_problems(self.config_entry, language, typed),
                    key=lambda problem: problem.line,
                )
                if problems and not errors:
                    errors[field] = problems[0].code
                    placeholders.update(line=str(problems[0].line), phrase=problems[0].phrase)
                    problems = problems[1:]
                # The other lines to fix, so that a long paste is not corrected one at a time.
                more += [f"{language} {problem.line}" for problem in problems]
                if typed:
                    extras[language] = {extra.said: extra.means for extra in typed}
            placeholders["more"] = ", ".join(more) or "-"
            if not errors:
                saved = {CONF_EXTRA_PHRASES: extras} if extras else {}
                async_save_home_options(self.hass, (CONF_EXTRA_PHRASES,), saved)
                return self._saved()
            suggested = dict(user_input)
        else:
            stored = extras_from_options(self.config_entry.options.get(CONF_EXTRA_PHRASES))
            suggested = {
                field: as_lines(stored[language])
                for language, field in FIELD_EXTRAS.items()
                if language in stored
            }
        schema = probatio.Schema(
            {probatio.Optional(field): _MULTILINE for field in FIELD_EXTRAS.values()}
        )
        return self.async_show_form(
            step_id="extra_phrases",
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )

"""The household's steps of the options flow: profiles, roles, export and import.

The household record is one per home (household_setup.py): whichever station's options the
installer opens, these steps edit the same record. Binding suggestions come from
logic/role_bindings (by domain, device class, name and area); refused bindings are form errors;
roles left unbound disable only the scenes that need them, and the flow says which.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import probatio
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers import selector

from .const import (
    CONF_EXTRA_PHRASES,
    CONF_LANGUAGE,
    CONF_RATE,
    CONF_SENSITIVE_ENTITIES,
    CONF_VOLUME,
    DOMAIN,
)
from .home_settings_flow import async_extra_problems, async_save_home_options
from .household_setup import HouseholdSetup, async_get_household
from .household_transfer import ImportPreview, async_export, async_read_import
from .logic.extra_phrases import Extra
from .logic.languages import station_language
from .logic.role_bindings import binding_problems, suggest_bindings
from .logic.scene_model import Library, Scene
from .logic.scene_roles import ROLES, Role
from .logic.scene_run import unbound_roles
from .scene_runner import async_entity_infos, async_get_library

OPTIONS_MENU: Final = [
    "station",
    "quiet_hours",
    "extra_phrases",
    "profiles",
    "roles",
    "export",
    "import",
]
FIELD_PROFILES: Final = "profiles"
FIELD_HOUSEHOLD: Final = "household"
FIELD_APPLY_SPEECH: Final = "apply_speech"
MAX_IMPORT_CHARS: Final = 200_000  # the hardened reader refuses bigger files too


def role_selector(role: Role) -> selector.EntitySelector:
    """An entity picker showing only what the role accepts (domains and device classes)."""
    filters: list[selector.EntityWithDeviceFilterSelectorConfig] = []
    for domain, classes in role.accepts.items():
        if classes is None or None in classes:
            # "No device class" cannot be filtered for: the domain alone; the check refuses
            # an entity of a class the role does not accept.
            filters.append(selector.EntityWithDeviceFilterSelectorConfig(domain=domain))
        else:
            filters.append(
                selector.EntityWithDeviceFilterSelectorConfig(
                    domain=domain, device_class=sorted(c for c in classes if c is not None)
                )
            )
    return selector.EntitySelector(
        selector.EntitySelectorConfig(filter=filters, multiple=role.multiple)
    )


def scene_roles(scenes: Iterable[Scene]) -> list[str]:
    """Every role the scenes use, in the order they first appear."""
    return list(dict.fromkeys(role for scene in scenes for role in scene.roles if role in ROLES))


def waiting_lines(scenes: Iterable[Scene], bindings: Mapping[str, Sequence[str]], lang: str) -> str:
    """One line per scene that cannot run yet, naming the roles it waits for."""
    lines = [
        f"- {scene.name.in_language(lang)}: "
        + ", ".join(ROLES[role].name(lang) for role in missing)
        for scene in scenes
        if (missing := unbound_roles(scene, bindings))
    ]
    return "\n".join(lines) or "-"


class HouseholdOptionsMixin(OptionsFlow):
    """Steps that edit the household record rather than this station's options."""

    _preview: ImportPreview | None = None

    @property
    def _lang(self) -> str:
        # The installer reads the flow in Home Assistant's language; names follow it.
        return station_language(self.hass.config.language or "en")

    def _finish(self) -> ConfigFlowResult:
        # The same options: nothing of the station changed, so nothing reloads.
        return self.async_create_entry(data=dict(self.config_entry.options))

    async def _library(self) -> Library:
        return await async_get_library(self.hass)

    # -- profiles

    async def async_step_profiles(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the household's profiles; then bind their roles."""
        library = await self._library()
        store = await async_get_household(self.hass)
        if user_input is not None:
            chosen = tuple(p for p in user_input.get(FIELD_PROFILES, []) if p in library.profiles)
            await store.async_update(HouseholdSetup(chosen, dict(store.setup.bindings)))
            return await self.async_step_roles()
        options = [
            selector.SelectOptionDict(value=pid, label=profile.name.in_language(self._lang))
            for pid, profile in sorted(library.profiles.items())
        ]
        schema = probatio.Schema(
            {
                probatio.Optional(FIELD_PROFILES): selector.SelectSelector(
                    selector.SelectSelectorConfig(options=options, multiple=True)
                )
            }
        )
        return self.async_show_form(
            step_id="profiles",
            data_schema=self.add_suggested_values_to_schema(
                schema, {FIELD_PROFILES: list(store.setup.profiles)}
            ),
        )

    # -- roles

    def _sensitive(self) -> frozenset[str]:
        return frozenset(
            entity_id
            for entry in self.hass.config_entries.async_entries(DOMAIN)
            for entity_id in entry.options.get(CONF_SENSITIVE_ENTITIES, [])
        )

    async def async_step_roles(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Bind each role of the chosen scenes; suggestions preselected for a new role."""
        library = await self._library()
        store = await async_get_household(self.hass)
        scenes = library.scenes_of(store.setup.profiles)
        roles = scene_roles(scenes)
        entities = async_entity_infos(self.hass)
        errors: dict[str, str] = {}
        if user_input is not None:
            chosen = _bindings_from_form(user_input, roles)
            problems = binding_problems(chosen, entities, sensitive=self._sensitive())
            errors = {role: "binding_refused" for role, _ in problems}
            if not errors:
                # Roles of profiles no longer chosen keep their binding for when they return.
                kept = {r: ids for r, ids in store.setup.bindings.items() if r not in roles}
                bindings = {**kept, **{r: ids for r, ids in chosen.items() if ids}}
                await store.async_update(HouseholdSetup(store.setup.profiles, bindings))
                if any(unbound_roles(scene, bindings) for scene in scenes):
                    return await self.async_step_roles_saved()
                return self._finish()
            current: dict[str, Any] = dict(user_input)
        else:
            # What binding_problems would refuse is never preselected.
            sensitive = self._sensitive()
            suggestions = suggest_bindings(entities.values())
            current = {}
            for role in roles:
                ids = store.setup.bindings.get(role)
                if ids is None and role in suggestions:
                    ids = tuple(
                        entity_id
                        for entity_id in suggestions[role].choice
                        if not binding_problems({role: [entity_id]}, entities, sensitive=sensitive)
                    )
                if ids:
                    current[role] = list(ids) if ROLES[role].multiple else ids[0]
        schema = probatio.Schema(
            {probatio.Optional(role): role_selector(ROLES[role]) for role in roles}
        )
        preview = _bindings_from_form(current, roles)
        return self.async_show_form(
            step_id="roles",
            data_schema=self.add_suggested_values_to_schema(schema, current),
            errors=errors,
            description_placeholders={
                "roles": "\n".join(f"- {role}: {ROLES[role].name(self._lang)}" for role in roles)
                or "-",
                "waiting": waiting_lines(scenes, preview, self._lang),
                "problems": ", ".join(
                    f"{role} → {entity_id}"
                    for role, entity_id in binding_problems(
                        preview, entities, sensitive=self._sensitive()
                    )
                )
                or "-",
            },
        )

    async def async_step_roles_saved(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Saved; these scenes wait for a device (the others work now)."""
        if user_input is not None:
            return self._finish()
        library = await self._library()
        setup = (await async_get_household(self.hass)).setup
        return self.async_show_form(
            step_id="roles_saved",
            description_placeholders={
                "waiting": waiting_lines(
                    library.scenes_of(setup.profiles), setup.bindings, self._lang
                )
            },
        )

    # -- export and import

    async def async_step_export(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The household as YAML to copy (no PIN, no token)."""
        if user_input is not None:
            return self._finish()
        text = await async_export(self.hass, self.config_entry)
        schema = probatio.Schema(
            {
                probatio.Optional(FIELD_HOUSEHOLD): selector.TextSelector(
                    selector.TextSelectorConfig(multiline=True)
                )
            }
        )
        return self.async_show_form(
            step_id="export",
            data_schema=self.add_suggested_values_to_schema(schema, {FIELD_HOUSEHOLD: text}),
        )

    async def async_step_import(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Paste a household exported in another home; it is re-bound here and shown first."""
        errors: dict[str, str] = {}
        problems = "-"
        if user_input is not None:
            text = str(user_input.get(FIELD_HOUSEHOLD) or "")
            if len(text) > MAX_IMPORT_CHARS:
                errors[FIELD_HOUSEHOLD] = "import_too_big"
            else:
                preview, found = await async_read_import(self.hass, text)
                if preview is not None:
                    self._preview = preview
                    return await self.async_step_import_confirm()
                errors[FIELD_HOUSEHOLD] = "import_invalid"
                problems = "\n".join(
                    f"- {error.where}: {error.message(self._lang)}" for error in found
                )
        schema = probatio.Schema(
            {
                probatio.Required(FIELD_HOUSEHOLD): selector.TextSelector(
                    selector.TextSelectorConfig(multiline=True)
                )
            }
        )
        return self.async_show_form(
            step_id="import",
            data_schema=schema,
            errors=errors,
            description_placeholders={"problems": problems},
        )

    async def async_step_import_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """What the import matched in this home, and what not, before it is saved."""
        preview = self._preview
        if preview is None:  # pragma: no cover - only reached from the import step
            return await self.async_step_import()
        entities = async_entity_infos(self.hass)
        # What the roles step would refuse (a sensitive device) is not saved by an import either.
        refused = binding_problems(preview.rebinding.matched, entities, sensitive=self._sensitive())
        setup = HouseholdSetup(
            preview.household.profiles,
            {
                role: kept
                for role, ids in preview.rebinding.matched.items()
                if (kept := tuple(e for e in ids if (role, e) not in refused))
            },
        )
        extras, extras_refused = await self._imported_extras(preview)
        if user_input is not None:
            await (await async_get_household(self.hass)).async_update(setup)
            if preview.household.phrases:
                # The file's extras replace the home's: those understood here.
                saved = {CONF_EXTRA_PHRASES: extras} if extras else {}
                async_save_home_options(self.hass, (CONF_EXTRA_PHRASES,), saved)
            if not user_input.get(FIELD_APPLY_SPEECH):
                return self._finish()
            household = preview.household
            options = dict(self.config_entry.options)
            if household.language in self.config_entry.runtime_data.info.languages:
                options[CONF_LANGUAGE] = household.language
            if household.rate is not None:
                options[CONF_RATE] = household.rate
            if household.volume is not None:
                options[CONF_VOLUME] = household.volume
            return self.async_create_entry(data=options)
        names = {entity_id: info.name for entity_id, info in entities.items()}
        lang = self._lang
        rebinding = preview.rebinding
        matched = [
            f"- {ROLES[role].name(lang)}: " + ", ".join(f"{names[e]} ({e})" for e in ids)
            for role, ids in setup.bindings.items()
        ]
        refused_lines = [
            f"- {ROLES[role].name(lang)}: {names.get(e, e)} ({e})"
            for role, e in refused
            if role in ROLES
        ]
        ambiguous = [
            f"- {ROLES[role].name(lang)}: {wanted.name} → " + ", ".join(candidates)
            for role, items in rebinding.ambiguous.items()
            for wanted, candidates in items
        ]
        not_found = [
            f"- {ROLES[role].name(lang)}: {wanted.name}"
            + (f" ({wanted.area})" if wanted.area else "")
            for role, items in rebinding.not_found.items()
            for wanted in items
        ]
        schema = probatio.Schema(
            {probatio.Optional(FIELD_APPLY_SPEECH, default=False): selector.BooleanSelector()}
        )
        return self.async_show_form(
            step_id="import_confirm",
            data_schema=schema,
            description_placeholders={
                "profiles": ", ".join(preview.household.profiles) or "-",
                "matched": "\n".join(matched) or "-",
                "ambiguous": "\n".join(ambiguous) or "-",
                "not_found": "\n".join(not_found) or "-",
                "refused": "\n".join(refused_lines) or "-",
                "extras_count": str(sum(len(p) for p in preview.household.phrases.values())),
                "extras_kept": str(sum(len(p) for p in extras.values())),
                "extras_refused": "\n".join(extras_refused) or "-",
            },
        )

    async def _imported_extras(
        self, preview: ImportPreview
    ) -> tuple[dict[str, dict[str, str]], list[str]]:
        """The file's extras this station's agent understands, and a line for each other."""
        kept: dict[str, dict[str, str]] = {}
        refused: list[str] = []
        for language, pairs in preview.household.phrases.items():
            extras = [Extra(s, m, n) for n, (s, m) in enumerate(pairs.items(), start=1)]
            bad = {p.line for p in await async_extra_problems(self.config_entry, language, extras)}
            refused += [f"- {e.said} = {e.means}" for e in extras if e.line in bad]
            if good := {e.said: e.means for e in extras if e.line not in bad}:
                kept[language] = good
        return kept, refused


def _bindings_from_form(
    values: Mapping[str, Any], roles: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    bindings: dict[str, tuple[str, ...]] = {}
    for role in roles:
        value = values.get(role)
        if isinstance(value, str):
            bindings[role] = (value,) if value else ()
        elif isinstance(value, list):
            bindings[role] = tuple(str(v) for v in value if v)
    return bindings

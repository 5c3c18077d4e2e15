"""Config flow: discovered or typed-in station, pairing token, reauth, reconfigure, options."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any, Final

import probatio
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers import selector
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from .client import CannotConnect, InvalidAuth, NotAStation, StationInfo, async_probe
from .const import (
    CONF_AREAS,
    CONF_LANGUAGE,
    CONF_PIN,
    CONF_RATE,
    CONF_SENSITIVE_ENTITIES,
    CONF_SHOWROOM_IDLE_MINUTES,
    CONF_TOKEN,
    CONF_VOLUME,
    CONNECT_TIMEOUT,
    DEFAULT_LANGUAGE,
    DEFAULT_PORT,
    DEFAULT_RATE,
    DEFAULT_SHOWROOM_IDLE_MINUTES,
    DEFAULT_VOLUME,
    DOMAIN,
    ISSUE_UNPROVEN_STATION,
    LOGGER,
    MAX_RATE,
    MIN_RATE,
)
from .household_flow import OPTIONS_MENU, HouseholdOptionsMixin
from .logic.languages import LANGUAGES
from .logic.pin import PinHash
from .logic.replies import MAX_PIN_LENGTH, MIN_PIN_LENGTH
from .quiet_hours_flow import QuietHoursOptionsMixin, household_options

# TXT record keys the station advertises (voice/PROTOCOL.md, zeroconf section of issue 3).
TXT_STATION_ID = ("station_id", "id")
TXT_NAME = "name"

TOKEN_SELECTOR = selector.TextSelector(
    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
)
PORT_SELECTOR = selector.NumberSelector(
    selector.NumberSelectorConfig(min=1, max=65535, step=1, mode=selector.NumberSelectorMode.BOX)
)

# Options-form fields that are not stored as such: the new PIN (stored as `CONF_PIN`, a
# `PinHash` string), its repetition, and the request to remove the stored PIN.
FIELD_NEW_PIN: Final = CONF_PIN
FIELD_PIN_CONFIRM: Final = "pin_confirm"
FIELD_CLEAR_PIN: Final = "clear_pin"
PIN_SELECTOR = selector.TextSelector(
    selector.TextSelectorConfig(
        type=selector.TextSelectorType.PASSWORD, autocomplete="new-password"
    )
)
# Domains an installer may add to the sensitive entities: things that can open the home
# (a gate on a relay switch, a door opener button or script, a water valve).
SENSITIVE_DOMAINS: Final = (
    "lock",
    "alarm_control_panel",
    "cover",
    "valve",
    "switch",
    "button",
    "input_boolean",
    "input_button",
    "script",
)


async def _probe(host: str, port: int, token: str) -> tuple[StationInfo | None, dict[str, str]]:
    """Pair with the station once; the error key for the form if that fails."""
    try:
        return await async_probe(host, port, token, time_limit=CONNECT_TIMEOUT), {}
    except InvalidAuth:
        return None, {"base": "invalid_auth"}
    except NotAStation as err:
        LOGGER.debug("%s:%s is not a station: %s", host, port, err)
        return None, {"base": "not_a_station"}
    except CannotConnect as err:
        LOGGER.debug("Cannot connect to %s:%s: %s", host, port, err)
        return None, {"base": "cannot_connect"}


def _unproven_issue_id(entry: ConfigEntry) -> str:
    return f"{ISSUE_UNPROVEN_STATION}_{entry.entry_id}"


@callback
def _async_report_unproven(hass: HomeAssistant, entry: ConfigEntry, host: str, port: int) -> None:
    """Tell the installer that a record claimed this station at an address that is not it."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        _unproven_issue_id(entry),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_UNPROVEN_STATION,
        translation_placeholders={
            "name": entry.title,
            "host": host,
            "port": str(port),
            "known_host": str(entry.data[CONF_HOST]),
            "known_port": str(entry.data[CONF_PORT]),
        },
    )


def default_options(
    info: StationInfo, household: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Options of a new entry: Mandarin if the station has it, the usual rate and volume, and
    the household's settings kept in every station's options (`household`: another
    station's options; today the quiet hours)."""
    languages = [lang for lang in LANGUAGES if lang in info.languages] or [DEFAULT_LANGUAGE]
    options: dict[str, Any] = {
        CONF_LANGUAGE: languages[0],
        CONF_RATE: DEFAULT_RATE,
        CONF_VOLUME: DEFAULT_VOLUME,
        CONF_AREAS: [],
    }
    if household is not None:
        options.update(household_options(household))
    return options


class BarrierFreeConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a voice station: found by zeroconf or typed in, then paired with its token."""

    VERSION = 1
    MINOR_VERSION = 1

    _host: str
    _port: int
    _name: str

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> BarrierFreeOptionsFlow:
        return BarrierFreeOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """An installer types the station's address and token."""
        errors: dict[str, str] = {}
        if user_input is not None:
            host = user_input[CONF_HOST].strip()
            port = int(user_input[CONF_PORT])
            info, errors = await _probe(host, port, user_input[CONF_TOKEN])
            if info is not None:
                return await self._async_finish(info, host, port, user_input[CONF_TOKEN])
        schema = probatio.Schema(
            {
                probatio.Required(CONF_HOST): str,
                probatio.Required(CONF_PORT, default=DEFAULT_PORT): PORT_SELECTOR,
                probatio.Required(CONF_TOKEN): TOKEN_SELECTOR,
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """A station announced itself on the network."""
        if discovery_info.port is None:
            return self.async_abort(reason="no_port")
        self._host = discovery_info.host
        self._port = discovery_info.port
        properties = discovery_info.properties
        self._name = str(properties.get(TXT_NAME) or discovery_info.name.split(".")[0])
        station_id = next((properties[key] for key in TXT_STATION_ID if properties.get(key)), None)
        if station_id:
            await self.async_set_unique_id(str(station_id))
            entry = self.hass.config_entries.async_entry_for_domain_unique_id(
                DOMAIN, str(station_id)
            )
            if (
                entry is not None
                and entry.source != SOURCE_IGNORE
                and (entry.data.get(CONF_HOST), entry.data.get(CONF_PORT))
                != (self._host, self._port)
            ):
                return await self._async_station_moved(entry)
            self._abort_if_unique_id_configured()
        self._async_abort_entries_match({CONF_HOST: self._host, CONF_PORT: self._port})
        self.context["title_placeholders"] = {"name": self._name}
        return await self.async_step_zeroconf_confirm()

    async def _async_station_moved(self, entry: ConfigEntry) -> ConfigFlowResult:
        """A known station's id at a new address: adopt it only if it proves the token.

        The id is public (it is in every record), so anyone on the LAN can announce it. The
        handshake makes the new address prove the token before anything secret is sent.
        A relay that forwards to the real station would pass that proof, so while the
        station still answers at the address we know, another address is not adopted.
        """
        if entry.state is ConfigEntryState.LOADED and entry.runtime_data.connection.connected:
            LOGGER.warning(
                "A record names station %s at %s:%s, but it is connected at %s:%s; ignored",
                entry.title,
                self._host,
                self._port,
                entry.data.get(CONF_HOST),
                entry.data.get(CONF_PORT),
            )
            return self.async_abort(reason="already_configured")
        try:
            info = await async_probe(
                self._host, self._port, entry.data[CONF_TOKEN], time_limit=CONNECT_TIMEOUT
            )
        except (CannotConnect, InvalidAuth, NotAStation) as err:
            LOGGER.warning(
                "A record names station %s at %s:%s, which did not prove it: %s",
                entry.title,
                self._host,
                self._port,
                err,
            )
            info = None
        if info is None or info.station_id != entry.unique_id:
            _async_report_unproven(self.hass, entry, self._host, self._port)
            return self.async_abort(reason="unproven_station")
        ir.async_delete_issue(self.hass, DOMAIN, _unproven_issue_id(entry))
        # Home Assistant's usual update of a moved device: new address, reload, abort.
        self._abort_if_unique_id_configured(updates={CONF_HOST: self._host, CONF_PORT: self._port})
        # Only reached if the entry was removed during the probe: nothing is left to update.
        return self.async_abort(reason="already_configured")

    async def async_step_zeroconf_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The installer confirms that this is the station to add."""
        if user_input is not None:
            return await self.async_step_pair()
        return self.async_show_form(
            step_id="zeroconf_confirm",
            description_placeholders={"name": self._name, "host": self._host},
        )

    async def async_step_pair(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The token the discovered station printed when it first started."""
        errors: dict[str, str] = {}
        if user_input is not None:
            info, errors = await _probe(self._host, self._port, user_input[CONF_TOKEN])
            if info is not None:
                return await self._async_finish(
                    info, self._host, self._port, user_input[CONF_TOKEN]
                )
        return self.async_show_form(
            step_id="pair",
            data_schema=probatio.Schema({probatio.Required(CONF_TOKEN): TOKEN_SELECTOR}),
            description_placeholders={"name": self._name},
            errors=errors,
        )

    async def _async_finish(
        self, info: StationInfo, host: str, port: int, token: str
    ) -> ConfigFlowResult:
        await self.async_set_unique_id(info.station_id, raise_on_progress=False)
        self._abort_if_unique_id_configured(
            updates={CONF_HOST: host, CONF_PORT: port, CONF_TOKEN: token}
        )
        # A station added later gets the household's quiet hours like the others have.
        others = self.hass.config_entries.async_entries(DOMAIN, include_ignore=False)
        household = next((e.options for e in others if household_options(e.options)), None)
        return self.async_create_entry(
            title=info.name,
            data={CONF_HOST: host, CONF_PORT: port, CONF_TOKEN: token},
            options=default_options(info, household),
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The station refused the stored token (it was reset or re-paired)."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            info, errors = await _probe(
                entry.data[CONF_HOST], entry.data[CONF_PORT], user_input[CONF_TOKEN]
            )
            if info is not None:
                await self.async_set_unique_id(info.station_id)
                self._abort_if_unique_id_mismatch(reason="wrong_station")
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_TOKEN: user_input[CONF_TOKEN]}
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=probatio.Schema({probatio.Required(CONF_TOKEN): TOKEN_SELECTOR}),
            description_placeholders={"name": entry.title},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The station moved to another address or port."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            host = user_input[CONF_HOST].strip()
            port = int(user_input[CONF_PORT])
            info, errors = await _probe(host, port, entry.data[CONF_TOKEN])
            if info is not None:
                await self.async_set_unique_id(info.station_id)
                self._abort_if_unique_id_mismatch(reason="wrong_station")
                ir.async_delete_issue(self.hass, DOMAIN, _unproven_issue_id(entry))
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_HOST: host, CONF_PORT: port}
                )
        schema = probatio.Schema(
            {
                probatio.Required(CONF_HOST): str,
                probatio.Required(CONF_PORT): PORT_SELECTOR,
            }
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                schema,
                user_input or {CONF_HOST: entry.data[CONF_HOST], CONF_PORT: entry.data[CONF_PORT]},
            ),
            description_placeholders={"name": entry.title},
            errors=errors,
        )


def _normalise_pin(text: str | None) -> str:
    """The PIN as typed, without surrounding spaces; full-width digits (IME) made ASCII."""
    return unicodedata.normalize("NFKC", text or "").strip()


def pin_errors(pin: str, confirm: str, clear: bool) -> dict[str, str]:
    """Form errors for the PIN fields (already normalised); empty if they are acceptable."""
    if clear:
        return {FIELD_CLEAR_PIN: "pin_clear_conflict"} if pin or confirm else {}
    if not pin:
        return {FIELD_PIN_CONFIRM: "pin_mismatch"} if confirm else {}
    if not (pin.isascii() and pin.isdigit()):
        return {FIELD_NEW_PIN: "pin_not_digits"}
    if not MIN_PIN_LENGTH <= len(pin) <= MAX_PIN_LENGTH:
        return {FIELD_NEW_PIN: "pin_length"}
    if confirm != pin:
        return {FIELD_PIN_CONFIRM: "pin_mismatch"}
    return {}


class BarrierFreeOptionsFlow(QuietHoursOptionsMixin, HouseholdOptionsMixin, OptionsFlowWithReload):
    """A menu: this station's settings, and the household's profiles, roles, export and import.

    Station settings are language, speech rate and volume, the areas the station serves, and
    sensitive actions. The PIN is never shown: an empty PIN field keeps the stored one, a new
    PIN (typed twice) is stored only as a `PinHash` string, and "clear PIN" (offered when one
    is set) removes it. The household steps save into the household record (one per home, not
    this entry's options), so finishing them reloads nothing.
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self.async_show_menu(step_id="init", menu_options=OPTIONS_MENU)

    async def async_step_station(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        options = self.config_entry.options
        errors: dict[str, str] = {}
        if user_input is not None:
            pin = _normalise_pin(user_input.get(FIELD_NEW_PIN))
            clear = bool(user_input.get(FIELD_CLEAR_PIN, False))
            errors = pin_errors(pin, _normalise_pin(user_input.get(FIELD_PIN_CONFIRM)), clear)
            if not errors:
                new_options: dict[str, Any] = {
                    **options,
                    CONF_LANGUAGE: user_input[CONF_LANGUAGE],
                    CONF_RATE: int(user_input[CONF_RATE]),
                    CONF_VOLUME: int(user_input[CONF_VOLUME]),
                    CONF_AREAS: list(user_input.get(CONF_AREAS, [])),
                    CONF_SENSITIVE_ENTITIES: list(user_input.get(CONF_SENSITIVE_ENTITIES, [])),
                    CONF_SHOWROOM_IDLE_MINUTES: int(
                        user_input.get(CONF_SHOWROOM_IDLE_MINUTES, DEFAULT_SHOWROOM_IDLE_MINUTES)
                    ),
                }
                if clear:
                    new_options.pop(CONF_PIN, None)
                elif pin:
                    # PBKDF2 takes a noticeable moment: keep it off the event loop.
                    pin_hash = await self.hass.async_add_executor_job(PinHash.create, pin)
                    new_options[CONF_PIN] = pin_hash.to_string()
                return self.async_create_entry(data=new_options)
        languages = [
            lang for lang in LANGUAGES if lang in self.config_entry.runtime_data.info.languages
        ]
        current = options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE)
        if current not in languages:
            languages.append(current)
        sensitive: list[str] = list(options.get(CONF_SENSITIVE_ENTITIES, []))
        # Entities chosen earlier from another domain stay selectable instead of blocking the form.
        domains = list(SENSITIVE_DOMAINS)
        for entity_id in sensitive:
            domain = entity_id.partition(".")[0]
            if domain not in domains:
                domains.append(domain)
        fields: dict[Any, Any] = {
            probatio.Required(CONF_LANGUAGE): selector.SelectSelector(
                selector.SelectSelectorConfig(options=languages, translation_key=CONF_LANGUAGE)
            ),
            probatio.Required(CONF_RATE): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=MIN_RATE,
                    max=MAX_RATE,
                    step=10,
                    mode=selector.NumberSelectorMode.SLIDER,
                )
            ),
            probatio.Required(CONF_VOLUME): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=10,
                    max=100,
                    step=5,
                    unit_of_measurement="%",
                    mode=selector.NumberSelectorMode.SLIDER,
                )
            ),
            probatio.Optional(CONF_AREAS): selector.AreaSelector(
                selector.AreaSelectorConfig(multiple=True)
            ),
            probatio.Optional(CONF_SENSITIVE_ENTITIES): selector.EntitySelector(
                selector.EntitySelectorConfig(domain=domains, multiple=True)
            ),
            probatio.Optional(CONF_SHOWROOM_IDLE_MINUTES): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=0,
                    max=120,
                    step=1,
                    unit_of_measurement="min",
                    mode=selector.NumberSelectorMode.BOX,
                )
            ),
            probatio.Optional(FIELD_NEW_PIN): PIN_SELECTOR,
            probatio.Optional(FIELD_PIN_CONFIRM): PIN_SELECTOR,
        }
        if options.get(CONF_PIN):
            fields[probatio.Optional(FIELD_CLEAR_PIN, default=False)] = selector.BooleanSelector()
        if user_input is not None:
            # Shown again after an error: keep the choices, never the PIN typed.
            suggested = {
                key: value
                for key, value in user_input.items()
                if key not in (FIELD_NEW_PIN, FIELD_PIN_CONFIRM)
            }
        else:
            suggested = {
                CONF_LANGUAGE: current,
                CONF_RATE: options.get(CONF_RATE, DEFAULT_RATE),
                CONF_VOLUME: options.get(CONF_VOLUME, DEFAULT_VOLUME),
                CONF_AREAS: options.get(CONF_AREAS, []),
                CONF_SENSITIVE_ENTITIES: sensitive,
                CONF_SHOWROOM_IDLE_MINUTES: options.get(
                    CONF_SHOWROOM_IDLE_MINUTES, DEFAULT_SHOWROOM_IDLE_MINUTES
                ),
            }
        return self.async_show_form(
            step_id="station",
            data_schema=self.add_suggested_values_to_schema(probatio.Schema(fields), suggested),
            errors=errors,
        )

"""Config flow: discovered or typed-in station, pairing token, reauth, reconfigure, options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import probatio
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import callback
from homeassistant.helpers import selector
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from .api import CannotConnect, InvalidAuth, NotAStation, StationInfo, async_probe
from .const import (
    CONF_AREAS,
    CONF_LANGUAGE,
    CONF_RATE,
    CONF_TOKEN,
    CONF_VOLUME,
    CONNECT_TIMEOUT,
    DEFAULT_LANGUAGE,
    DEFAULT_PORT,
    DEFAULT_RATE,
    DEFAULT_VOLUME,
    DOMAIN,
    LANGUAGES,
    LOGGER,
    MAX_RATE,
    MIN_RATE,
)

# TXT record keys the station advertises (voice/PROTOCOL.md, zeroconf section of issue 3).
TXT_STATION_ID = ("station_id", "id")
TXT_NAME = "name"

TOKEN_SELECTOR = selector.TextSelector(
    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
)
PORT_SELECTOR = selector.NumberSelector(
    selector.NumberSelectorConfig(min=1, max=65535, step=1, mode=selector.NumberSelectorMode.BOX)
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


def default_options(info: StationInfo) -> dict[str, Any]:
    """Options of a new entry: Mandarin if the station has it, the usual rate and volume."""
    languages = [lang for lang in LANGUAGES if lang in info.languages] or [DEFAULT_LANGUAGE]
    return {
        CONF_LANGUAGE: languages[0],
        CONF_RATE: DEFAULT_RATE,
        CONF_VOLUME: DEFAULT_VOLUME,
        CONF_AREAS: [],
    }


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
            # A known station at a new address is updated (and reloaded), not added again.
            await self.async_set_unique_id(str(station_id))
            self._abort_if_unique_id_configured(
                updates={CONF_HOST: self._host, CONF_PORT: self._port}
            )
        self._async_abort_entries_match({CONF_HOST: self._host, CONF_PORT: self._port})
        self.context["title_placeholders"] = {"name": self._name}
        return await self.async_step_zeroconf_confirm()

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
        return self.async_create_entry(
            title=info.name,
            data={CONF_HOST: host, CONF_PORT: port, CONF_TOKEN: token},
            options=default_options(info),
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


class BarrierFreeOptionsFlow(OptionsFlowWithReload):
    """Language, speech rate and volume, and the areas the station serves."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if user_input is not None:
            return self.async_create_entry(
                data={
                    CONF_LANGUAGE: user_input[CONF_LANGUAGE],
                    CONF_RATE: int(user_input[CONF_RATE]),
                    CONF_VOLUME: int(user_input[CONF_VOLUME]),
                    CONF_AREAS: list(user_input.get(CONF_AREAS, [])),
                }
            )
        options = self.config_entry.options
        languages = [
            lang for lang in LANGUAGES if lang in self.config_entry.runtime_data.info.languages
        ]
        current = options.get(CONF_LANGUAGE, DEFAULT_LANGUAGE)
        if current not in languages:
            languages.append(current)
        schema = probatio.Schema(
            {
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
            }
        )
        suggested = {
            CONF_LANGUAGE: current,
            CONF_RATE: options.get(CONF_RATE, DEFAULT_RATE),
            CONF_VOLUME: options.get(CONF_VOLUME, DEFAULT_VOLUME),
            CONF_AREAS: options.get(CONF_AREAS, []),
        }
        return self.async_show_form(
            step_id="init", data_schema=self.add_suggested_values_to_schema(schema, suggested)
        )

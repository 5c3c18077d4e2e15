"""Constants of the Barrier-Free Home integration."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "barrier_free"
LOGGER = logging.getLogger(__package__)

MANUFACTURER: Final = "Barrier-Free Home"
MODEL: Final = "Voice station"
DEFAULT_PORT: Final = 10800
ZEROCONF_TYPE: Final = "_barrierfree._tcp.local."

CONF_TOKEN: Final = "token"  # noqa: S105 - the config key, not a secret
CONF_PIPELINE_ID: Final = "pipeline_id"

# Options (installer choices, changed through the options flow).
CONF_LANGUAGE: Final = "language"
CONF_RATE: Final = "rate"
CONF_VOLUME: Final = "volume"
CONF_AREAS: Final = "areas"
# Showroom mode (on while the household has the showroom profile): minutes without a command
# after which the showroom is reset for the next visitor (0: never).
CONF_SHOWROOM_IDLE_MINUTES: Final = "showroom_idle_minutes"
# The household's quiet hours ("HH:MM:SS"), kept alike in every station's options.
CONF_QUIET_START: Final = "quiet_start"
CONF_QUIET_END: Final = "quiet_end"
# The household's phrase-list extras ({"zh": {extra phrase: the phrase it stands for}, "en": …}),
# kept alike in every station's options (logic/extra_phrases.py).
CONF_EXTRA_PHRASES: Final = "extra_phrases"
DEFAULT_SHOWROOM_IDLE_MINUTES: Final = 5

DEFAULT_LANGUAGE: Final = "zh"
DEFAULT_RATE: Final = 160  # words per minute, espeak-ng's natural pace
MIN_RATE: Final = 80
MAX_RATE: Final = 300
DEFAULT_VOLUME: Final = 90  # percent
TTS_OPTION_RATE: Final = "rate"
TTS_OPTION_VOLUME: Final = "volume"

# Home Assistant language tags that mean each station language. Pipelines and
# other integrations use tags like "zh-Hans" or "en-US"; the station knows "zh"/"en".
LANGUAGE_TAGS: Final[dict[str, tuple[str, ...]]] = {
    "zh": ("zh", "zh-CN", "zh-Hans", "zh-cn", "zh-hans"),
    "en": ("en", "en-US", "en-GB"),
}
# Language of the Assist pipeline (and of the built-in conversation agent) per station language.
PIPELINE_LANGUAGE: Final[dict[str, str]] = {"zh": "zh-Hans", "en": "en"}

# Connection timing. The persistent connection pings when the station has been quiet
# for PING_INTERVAL and gives up on it when no answer comes within REPLY_TIMEOUT.
CONNECT_TIMEOUT: Final = 10.0
REPLY_TIMEOUT: Final = 10.0
PING_INTERVAL: Final = 30.0
RECONNECT_MIN_DELAY: Final = 1.0
RECONNECT_MAX_DELAY: Final = 60.0
# Longest speech work a single request may take on the station (audio is bounded to 30 s there).
SPEECH_TIMEOUT: Final = 60.0
MICROPHONE_CHECK_SECONDS: Final = 4.0  # long enough for a short sentence
# A station unreachable for this long gets a repair issue.
UNREACHABLE_ISSUE_AFTER: Final = timedelta(minutes=10)
ISSUE_UNREACHABLE: Final = "station_unreachable"

# Voice agent (issue 5): PIN hash (`confirm_sensitive.PinHash.to_string()`, never the PIN) and
# entities whose every action needs confirmation; debounce of phrase-list rebuilds.
CONF_PIN: Final = "pin"
CONF_SENSITIVE_ENTITIES: Final = "sensitive_entities"
PHRASE_SYNC_COOLDOWN: Final = 1.0  # seconds
ISSUE_SENSITIVE_EXPOSED: Final = "sensitive_exposed"
# A discovery record with a known station's id at an address that could not prove the token.
ISSUE_UNPROVEN_STATION: Final = "unproven_station"

# Scenes and the household (issue 16).
ISSUE_BOUND_ENTITY_MISSING: Final = "bound_entity_missing"
ISSUE_NO_RECOGNISER: Final = "no_recogniser"
# What the installer runs on the station to add a recogniser (voice/cli.py `models install`).
MODEL_INSTALL_COMMAND: Final = "python -m voice models install MODEL_ARCHIVE --lang {language}"
SERVICE_RUN_SCENE: Final = "run_scene"
SERVICE_EXPORT_HOUSEHOLD: Final = "export_household"
ATTR_SCENE: Final = "scene"
ATTR_STATION: Final = "station"
# What speech-to-text hands Home Assistant's pipeline when the station matched no phrase: an
# empty text stops the pipeline before the agent, and the resident heard nothing. The agent
# answers this (no word in it) with its spoken "not understood".
NOT_HEARD: Final = "…"

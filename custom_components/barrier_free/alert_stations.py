"""Alerts at a station (issue 17): what its resident says about them ("知道了" / "got it",
"有什么提醒" / "any alerts", "救命" and the help scene's phrases), its help key, its
"acknowledge alerts" button, and the announcements' statuses it reports.

A call for help is one thing however it is asked for: the help key, the help scene's button,
its phrases, `barrier_free.run_scene` on the help scene, or a bound help button. Each raises
the one `help_pressed` alert (an open call is not raised twice), which turns the lights on and
notifies the caregiver once per round until someone acknowledges: the help scene's own steps
are never run as well, so the caregiver never gets a second series of messages.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import area_registry as ar

from .alerts import DATA, AlertManager
from .const import CONF_AREAS
from .data import BarrierFreeConfigEntry
from .logic.alert_kinds import zh_count
from .logic.alert_words import command_of, is_help_scene, summary
from .logic.languages import table_language
from .logic.scene_run import scene_for_text

_REPLIES = {
    "zh": {
        "acknowledged": "好的，{count}条提醒已确认。",
        "nothing": "现在没有需要确认的提醒。",
        "help": "已经发出求助，正在通知看护人。",
        "help_waits": "求助要等看护人确认。",
    },
    "en": {
        "acknowledged": "OK, {count} acknowledged.",  # "1 alert", "2 alerts"
        "nothing": "There is no alert to acknowledge.",
        "help": "I have called for help; the caregiver is being notified.",
        "help_waits": " The call for help stays until the caregiver acknowledges it.",
    },
}


def _alerts_count(count: int, lang: str) -> str:
    """ "两" / "2 alerts": how many alerts, said as each language counts them."""
    if lang == "zh":
        return zh_count(count)
    return f"{count} alert" if count == 1 else f"{count} alerts"


def help_reply(language: str) -> str:
    """What the resident hears when help is called: "已经发出求助，正在通知看护人。"."""
    return _REPLIES[table_language(language)]["help"]


@callback
def reply(
    manager: AlertManager, text: str, language: str, station: str, room: str | None
) -> str | None:
    """The answer to an alert sentence said at a station, or None for any other sentence."""
    command = command_of(text, language)
    lang = table_language(language)
    if command is None and _asks_help_scene(manager, text, language):
        # The help scene's phrases ("救命", "我需要帮助") are one call for help, not the
        # call plus the scene: the call turns the lights on and notifies the caregiver
        # (once, then at each repeat), so the scene's own steps would do both twice.
        command = "help"
    if command is None:
        return None
    if command == "summary":
        return summary(manager.book.unacknowledged(), lang)
    if command == "help":
        manager.raise_event("help_pressed", None, room=room)
        return help_reply(lang)
    return acknowledge_here(manager, station, lang)


@callback
def acknowledge_here(manager: AlertManager, station: str, language: str) -> str:
    """The resident's "got it" at `station` (said, or its acknowledge button): every open
    alert but a call for help, which waits for the caregiver (a confused "got it" must not
    cancel it). Returns what the station answers."""
    lang = table_language(language)
    done = manager.acknowledge(station, keep=("help_pressed",))
    waiting = any(a.kind == "help_pressed" for a in manager.book.unacknowledged())
    answer = (
        _REPLIES[lang]["acknowledged"].format(count=_alerts_count(len(done), lang))
        if done
        else _REPLIES[lang]["nothing"]
    )
    return f"{answer}{_REPLIES[lang]['help_waits']}" if waiting else answer


def _asks_help_scene(manager: AlertManager, text: str, language: str) -> bool:
    scene = scene_for_text(text, manager.scenes(), language)
    return scene is not None and is_help_scene(scene)


@callback
def async_alert_reply(
    hass: HomeAssistant,
    text: str,
    language: str,
    entry: BarrierFreeConfigEntry,
    area_id: str | None,
) -> str | None:
    """The answer to an alert sentence said at the station of `entry`; None for others."""
    manager = hass.data.get(DATA)
    if manager is None:
        return None
    area = ar.async_get(hass).async_get_area(area_id) if area_id else None
    return reply(manager, text, language, entry.runtime_data.info.name, area.name if area else None)


@callback
def async_call_for_help(hass: HomeAssistant, entry: BarrierFreeConfigEntry | None) -> bool:
    """Help called at the station of `entry` (its help key, the help scene's button or
    action), from the station's room; without a station, from the home. False when alerts
    are not running (no station is loaded)."""
    manager = hass.data.get(DATA)
    if manager is None:
        return False
    room = station = None
    if entry is not None:
        areas = entry.options.get(CONF_AREAS) or []
        area = ar.async_get(hass).async_get_area(str(areas[0])) if areas else None
        room = area.name if area else None
        station = entry.runtime_data.info.name
    manager.raise_event("help_pressed", None, room=room, station=station)
    return True


@callback
def async_watch_station(hass: HomeAssistant, entry: BarrierFreeConfigEntry) -> None:
    """The station's help key calls for help from its room; the statuses of its
    announcements tell when paused media may play again; a station loaded (again) says
    what is due."""
    connection = entry.runtime_data.connection

    @callback
    def pressed(data: dict[str, Any]) -> None:
        if data.get("button") == "help" and data.get("action") == "press":
            async_call_for_help(hass, entry)

    entry.async_on_unload(connection.async_add_button_listener(pressed))

    @callback
    def announced(announcement_id: str, status: str) -> None:
        if (manager := hass.data.get(DATA)) is not None:
            manager.media.status(announcement_id, status)

    entry.async_on_unload(connection.async_add_announced_listener(announced))

    @callback
    def state_changed() -> None:
        manager = hass.data.get(DATA)
        if manager is not None and entry.state is ConfigEntryState.LOADED:
            manager.station_loaded()

    entry.async_on_unload(entry.async_on_state_change(state_changed))

"""Commands for the devices of the home, understood end to end: the entities, the service and
its data, from everyday speech in Mandarin and English.

Home Assistant's sentence templates miss how residents speak (device first, "开一下", "开开",
"关脱", numbers in characters, polite openers, particles) and, handed a rewritten sentence, split
the name wrongly. `parse_command` accepts a sentence only when every part of it is known: a name
of the home, a word for a kind of device, a verb, a number, or a filler ("帮我", "一下", "please");
anything else ("我昨天把灯打碎了") is not a command of ours, so hard negatives stay out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from . import command_words as vocab
from .home import Area, Entity, Home
from .languages import station_language
from .numbers import chinese_to_number, english_to_number
from .questions import Said, mentions, spoken_name
from .spoken import device_noun, say

BRIGHTNESS_STEP: Final = 20  # percent per "brighter"/"dimmer"
CONTROLLABLE: Final = ("light", "switch", "fan", "media_player", "climate")
"""What "everything in the room" means."""


@dataclass(frozen=True, slots=True)
class Call:
    """One service call of a command."""

    domain: str
    service: str
    entities: tuple[Entity, ...]
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Command:
    """What a sentence asks the home to do, and how the answer names it."""

    action: str
    calls: tuple[Call, ...]
    target: str
    """The devices as the answer says them ("客厅的灯", "the bedside lamp")."""
    value: Any = None


def parse_command(
    text: str, home: Home, language: str, station_area_id: str | None
) -> Command | None:
    """The command in `text`, or None when it is not (entirely) one of the home's commands."""
    language = station_language(language)
    said = mentions(_plain(text, language), home, language)
    rest = said.text
    action = next((a for a, p in vocab.VERBS[language] if re.search(p, rest)), None)
    if action is None and language == "zh":
        # "帮我把门锁好": the verb was heard inside the name 门锁
        action = next((a for a, p in vocab.VERBS["zh"] if re.search(p, _plain(text, "zh"))), None)
    scenes = [e for e in said.entities if e.domain == "scene"]
    if action is None and scenes and len(scenes) == len(said.entities):
        action = "on"  # "it's movie time", "晚安模式"
    number = _number(rest, language)
    if (
        action is None
        and number is not None
        and re.search(r"度|%|百分之|音量|亮度|位置|一半|成", rest)
    ):
        action = "set"  # "空调，二十四度", "厨房音箱音量30"
    if action is None:
        return None
    nouns = [(d, c) for p, d, c in vocab.NOUNS[language] if re.search(p, rest)]
    if not _only_known(rest, language):
        return None
    every = re.search(vocab.ALL[language], rest) is not None
    station = home.area(station_area_id)
    entities = [e for e in said.entities if e.domain not in ("sensor", "binary_sensor")]
    if not entities:
        entities = _generic(
            home,
            said,
            nouns,
            action=action,
            every=every,
            station=station,
            language=language,
            rest=rest,
        )
    if not entities:
        return None
    calls = _calls(action, entities, number, rest, language)
    if not calls:
        return None
    acted = tuple(e for c in calls for e in c.entities)
    return Command(action, calls, _target(acted, said, every, home, language), number)


def _plain(text: str, language: str) -> str:
    plain = re.sub(r"[\s,，。!！?？、;；:：\"“”‘’…~]+", " ", text.lower()).strip()
    plain = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", plain).strip()
    return plain.replace(" ", "") if language == "zh" else " ".join(plain.split())


def _only_known(rest: str, language: str) -> bool:
    """Whether what is left after the names is made only of verbs, nouns, numbers, fillers."""
    if language == "en":
        words = vocab.EN_NUMBER.sub(" ", rest).replace("%", " ").split()
        pattern = (
            "|".join(p for _, p in vocab.VERBS["en"])
            + "|"
            + "|".join(p for p, _, _ in vocab.NOUNS["en"])
        )
        return all(w in vocab.FILLERS_EN or re.fullmatch(pattern, w) for w in words)
    # kinds first: "空调调低一度" is 空调 + 调低, never 空 + 调低
    pieces = [p for p, _, _ in vocab.NOUNS["zh"]] + [p for _, p in vocab.VERBS["zh"]]
    left = rest.replace(" ", "")
    fillers = sorted(vocab.FILLERS_ZH, key=len, reverse=True)
    for filler in (f for f in fillers if len(f) > 1 and not vocab.ZH_NUMBER.fullmatch(f)):
        left = left.replace(filler, "")  # "开始" before the verb 开 is taken out of it
    for pattern in pieces:
        left = re.sub(pattern.replace("^", ""), "", left)
    left = re.sub(r"[一二三四五]楼", "", left)  # floors by name, before numbers
    left = vocab.ZH_NUMBER.sub("", left.replace("百分之", ""))
    for filler in fillers:
        left = left.replace(filler, "")
    return not left


def _generic(
    home: Home,
    said: Said,
    nouns: list[tuple[str, str | None]],
    *,
    action: str,
    every: bool,
    station: Area | None,
    language: str,
    rest: str,
) -> list[Entity]:
    """The devices a kind word means in the rooms said (else the station's room)."""
    if not nouns and said.areas and "都" in rest:
        nouns = [("*", None)]  # "厨房那边都关一下": everything there
    if not nouns:
        nouns = _implied(action)
    if not nouns:
        return []
    domain, device_class = nouns[0]
    kind = [
        e
        for e in home.entities
        if (e.domain in CONTROLLABLE if domain == "*" else e.domain == domain)
        and (device_class is None or e.device_class == device_class)
    ]
    if domain == "cover" and device_class is None:
        kind = [e for e in kind if e.device_class not in ("garage", "gate", "door")]
    areas = list(said.areas) or _floor_areas(home, rest, language)
    if not areas and (every or said.indoors) and domain != "*":
        return kind  # "全屋的灯", "把家里的灯都关了", "屋里厢的灯统统关脱"
    if not areas and said.here and station is not None:
        areas = [station]
    if areas:
        ids = {a.area_id for a in areas}
        return [e for e in kind if e.area_id in ids]
    if every and domain != "*":
        return kind
    all_here = "都" in rest
    here = [e for e in kind if station is not None and e.area_id == station.area_id]
    if here:
        if domain == "media_player" and len(here) > 1:
            return here[:1]
        return here
    if all_here:
        return kind  # "把门都锁上" where the room has none: all of them
    if domain == "lock":
        front = [
            e
            for e in kind
            if any(
                w in n.lower()
                for n in (e.name, *e.aliases)
                for w in ("front", "main", "大门", "入户", "家门")
            )
        ]
        return front[:1] or (kind if len(kind) == 1 else [])
    return kind if len(kind) == 1 else []


def _implied(action: str) -> list[tuple[str, str | None]]:
    """The kind of device a verb alone means ("解锁", "撤防", "brighter")."""
    implied: dict[str, list[tuple[str, str | None]]] = {
        "unlock": [("lock", None)],
        "lock": [("lock", None)],
        "arm": [("alarm_control_panel", None)],
        "disarm": [("alarm_control_panel", None)],
        "brighter": [("light", None)],
        "dimmer": [("light", None)],
        "volume_up": [("media_player", None)],
        "volume_down": [("media_player", None)],
        "mute": [("media_player", None)],
        "next": [("media_player", None)],
        "previous": [("media_player", None)],
        "warmer": [("climate", None)],
        "cooler": [("climate", None)],
        "clean": [("vacuum", None)],
        "pause": [("media_player", None)],
        "play": [("media_player", None)],
        "dock": [("vacuum", None)],
    }
    return implied.get(action, [])


def _floor_areas(home: Home, rest: str, language: str) -> list[Area]:
    """ "一楼的灯", "楼下", "upstairs": the rooms of a floor (楼下/楼上: the first and last floor
    Home Assistant lists)."""
    for floor in home.floors:
        if any(name and name.lower() in rest for name in (floor.name, *floor.aliases)):
            return [a for a in home.areas if a.floor_id == floor.floor_id]
    if len(home.floors) < 2:
        return []
    words = {"zh": (("楼下", 0), ("楼上", -1)), "en": (("downstairs", 0), ("upstairs", -1))}
    for word, index in words[language]:
        if word in rest:
            floor = home.floors[index]
            return [a for a in home.areas if a.floor_id == floor.floor_id]
    return []


def _number(rest: str, language: str) -> float | None:
    if "一半" in rest or "half" in rest:
        return 50
    if "最大" in rest or "最亮" in rest or re.search(r"\b(max|maximum|full)\b", rest):
        return 100
    if language == "zh":
        # "开一下", "亮一点", "换一首": 一 there is no number
        rest = re.sub(r"一[下点些首开关个扫]|(.)一\1", "", rest)
        for floor in ("一楼", "二楼", "三楼"):
            rest = rest.replace(floor, "")
        if "百分之百" in rest:
            return 100
        rest = rest.replace("百分之", "")
    match = (vocab.ZH_NUMBER if language == "zh" else vocab.EN_NUMBER).search(rest)
    if match is None:
        return None
    if language == "zh" and rest[match.end() : match.end() + 1] == "成":
        tenths = chinese_to_number(match.group(0))  # "八成亮": 80 percent
        return None if tenths is None else float(tenths) * 10
    if language == "zh" and rest[match.end() : match.end() + 2] == "度半":
        value = _number(match.group(0), language)
        return None if value is None else value + 0.5
    said = match.group(0).strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", said):
        return float(said)
    value = chinese_to_number(said) if language == "zh" else english_to_number(said)
    if value is None and language == "zh" and said.startswith("两"):
        value = chinese_to_number("二" + said[1:])
    return None if value is None else float(value)


def _value(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


def _calls(
    action: str, entities: list[Entity], number: float | None, rest: str, language: str
) -> tuple[Call, ...]:
    by_domain: dict[str, list[Entity]] = {}
    for entity in entities:
        by_domain.setdefault(entity.domain, []).append(entity)
    calls = []
    for domain, members in by_domain.items():
        call = _call(action, domain, tuple(members), number=number, rest=rest, language=language)
        if call is not None:
            calls.append(call)
    return tuple(calls)


def _call(
    action: str,
    domain: str,
    members: tuple[Entity, ...],
    *,
    number: float | None,
    rest: str,
    language: str,
) -> Call | None:
    on = action in ("on", "unlock", "arm", "play", "clean", "volume_up", "brighter", "warmer")
    off = action in ("off", "lock", "disarm", "pause", "dock")
    if action == "set" and number is None and domain != "alarm_control_panel":
        return None  # "set the alarm" arms it; anything else set needs a value
    if domain == "light":
        if action == "set" or (number is not None and action in ("on", "brighter", "dimmer")):
            return Call("light", "turn_on", members, {"brightness_pct": _value(number or 0)})
        if action in ("brighter", "dimmer", "volume_up", "volume_down"):
            up = action in ("brighter", "volume_up")
            step = BRIGHTNESS_STEP if up else -BRIGHTNESS_STEP
            return Call("light", "turn_on", members, {"brightness_step_pct": step})
        if action == "color":
            color = next((v for k, v in vocab.COLORS.items() if k in rest), None)
            if color is None:
                return None
            return Call("light", "turn_on", members, {"color_name": color})
        return Call("light", "turn_on" if on else "turn_off", members) if on or off else None
    if domain in ("switch", "fan"):
        if domain == "fan" and action == "volume_up" and re.search(r"all the way|full|max", rest):
            number = 100
        if domain == "fan" and number is not None and action in ("set", "on", "volume_up"):
            return Call("fan", "set_percentage", members, {"percentage": _value(number)})
        return Call(domain, "turn_on" if on else "turn_off", members) if on or off else None
    if domain == "cover":
        if action == "set" or (number is not None and action in ("on", "off")):
            # "窗帘关一半", "窗帘拉一半": half open
            return Call("cover", "set_cover_position", members, {"position": _value(number or 0)})
        if action == "pause":
            return Call("cover", "stop_cover", members)
        if action in ("volume_up", "volume_down"):
            return Call("cover", "open_cover" if action == "volume_up" else "close_cover", members)
        if on or off:
            return Call("cover", "open_cover" if on else "close_cover", members)
        return None
    if domain == "lock":
        if action in ("on", "unlock"):
            return Call("lock", "unlock", members)
        if action in ("off", "lock"):
            return Call("lock", "lock", members)
        return None
    if domain == "alarm_control_panel":
        if action in ("disarm", "off"):
            return Call(domain, "alarm_disarm", members)
        if action in ("arm", "on", "set"):
            return Call(domain, "alarm_arm_away", members)
        return None
    if domain == "climate":
        if action == "mode":
            mode = next((v for k, v in vocab.MODES.items() if k in rest), None)
            if mode is None:
                return None
            return Call("climate", "set_hvac_mode", members, {"hvac_mode": mode})
        if number is not None and action in ("set", "on"):
            return Call("climate", "set_temperature", members, {"temperature": _value(number)})
        if action in ("warmer", "cooler", "volume_up", "volume_down"):
            up = action in ("warmer", "volume_up")
            return Call(
                "climate",
                "set_temperature",
                members,
                {"step": (number or 1) * (1 if up else -1)},
            )
        return Call("climate", "turn_on" if on else "turn_off", members) if on or off else None
    if domain == "media_player":
        simple = {
            "volume_up": "volume_up",
            "volume_down": "volume_down",
            "pause": "media_pause",
            "play": "media_play",
            "next": "media_next_track",
            "previous": "media_previous_track",
        }
        if action == "mute":
            return Call(domain, "volume_mute", members, {"is_volume_muted": True})
        if number is not None and action in ("set", "on", "volume_up", "volume_down"):
            return Call(domain, "volume_set", members, {"volume_level": round(number / 100, 2)})
        if action in simple:
            return Call(domain, simple[action], members)
        return Call(domain, "turn_on" if on else "turn_off", members) if on or off else None
    if domain == "vacuum":
        if action in ("clean", "on"):
            return Call(domain, "start", members)
        if action in ("dock", "off"):
            return Call(domain, "return_to_base", members)
        if action == "pause":
            return Call(domain, "pause", members)
        return None
    if domain == "scene" and on:
        return Call("scene", "turn_on", members)
    return None


def _target(
    entities: tuple[Entity, ...], said: Said, every: bool, home: Home, language: str
) -> str:
    """How the answer names what was acted on."""
    if len(entities) == 1:
        return spoken_name(entities[0], home, language)
    areas = {e.area_id for e in entities}
    domains = {e.domain for e in entities}
    first = entities[0]
    noun = (
        device_noun(first.domain, first.device_class, language)
        if len(domains) == 1
        else ("电器" if language == "zh" else "device")
    )
    if len(areas) == 1 and (area := home.area(first.area_id)) is not None:
        if language == "zh":
            return f"{area.name}的{noun}"
        return f"the {area.name} {noun}s" if len(domains) == 1 else f"everything in the {area.name}"
    if language == "zh":
        return f"所有的{noun}"
    return f"all the {noun}s"


def done_answer(command: Command, language: str) -> str:
    """What the resident hears when it is done."""
    language = station_language(language)
    call = command.calls[0]
    data = call.data
    key = {
        ("light", "turn_on"): "turned_on",
        ("light", "turn_off"): "turned_off",
        ("cover", "open_cover"): "opened",
        ("cover", "close_cover"): "closed",
        ("cover", "stop_cover"): "stopped",
        ("lock", "lock"): "locked",
        ("lock", "unlock"): "unlocked",
        ("alarm_control_panel", "alarm_disarm"): "disarmed",
        ("alarm_control_panel", "alarm_arm_away"): "armed",
        ("climate", "set_hvac_mode"): "set_mode",
        ("media_player", "volume_up"): "volume_up",
        ("media_player", "volume_down"): "volume_down",
        ("media_player", "volume_mute"): "muted",
        ("media_player", "media_pause"): "media_paused",
        ("media_player", "media_play"): "media_resumed",
        ("media_player", "media_next_track"): "next_track",
        ("media_player", "media_previous_track"): "previous_track",
        ("vacuum", "start"): "vacuum_started",
        ("vacuum", "return_to_base"): "vacuum_docked",
        ("vacuum", "pause"): "media_paused",
    }.get((call.domain, call.service))
    target = command.target
    params: dict[str, Any] = {"target": target}
    if "brightness_pct" in data:
        key, params["percent"] = "set_brightness", data["brightness_pct"]
    elif "brightness_step_pct" in data:
        key = "brighter" if data["brightness_step_pct"] > 0 else "dimmer"
    elif "color_name" in data:
        key, params["color"] = "set_color", _color_word(str(data["color_name"]), language)
    elif "position" in data:
        key, params["percent"] = "set_position", data["position"]
    elif "temperature" in data:
        key, params["temperature"] = "set_temperature", data["temperature"]
    elif "volume_level" in data:
        key, params["percent"] = "set_volume", round(float(data["volume_level"]) * 100)
    elif "percentage" in data:
        key, params["percent"] = "set_speed", data["percentage"]
    elif "hvac_mode" in data:
        params["mode"] = _mode_word(str(data["hvac_mode"]), language)
    if key is None:
        key = "turned_on" if call.service == "turn_on" else "turned_off"
    sentence = say(key, language, **params)
    return sentence[:1].upper() + sentence[1:]


def _color_word(color: str, language: str) -> str:
    if language == "en":
        return color
    return next((k for k, v in vocab.COLORS.items() if v == color and len(k) == 1), color) + "色"


def _mode_word(mode: str, language: str) -> str:
    if language == "en":
        return {"cool": "cooling", "heat": "heating", "fan_only": "fan"}.get(mode, mode)
    return next((k for k, v in vocab.MODES.items() if v == mode and not k.isascii()), mode)


def resolve_steps(command: Command, states: Mapping[str, tuple[str, Mapping[str, Any]]]) -> Command:
    """What depends on the states now: "空调再高两度" from the set temperature, "亮一点" for the
    lights that are on."""
    calls = []
    for call in command.calls:
        if "brightness_step_pct" in call.data:
            # brighter/dimmer: the lights that are on (all of them when none is)
            lit = tuple(e for e in call.entities if states.get(e.entity_id, ("",))[0] == "on")
            calls.append(Call(call.domain, call.service, lit or call.entities, call.data))
            continue
        step = call.data.get("step")
        if step is None:
            calls.append(call)
            continue
        for entity in call.entities:
            now = states.get(entity.entity_id, ("", {}))[1].get("temperature")
            target = float(now if now is not None else 20) + float(step)
            calls.append(
                Call(call.domain, call.service, (entity,), {"temperature": _value(target)})
            )
    return Command(command.action, tuple(calls), command.target, command.value)

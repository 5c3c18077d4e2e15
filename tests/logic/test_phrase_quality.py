"""No junk in the phrase list: every phrase is something a resident says.

The list constrains the recogniser (it snaps speech to the nearest phrase) and is capped at
5,000, so a sentence nobody says both misleads recognition and takes a real sentence's place.
The checker reads the finished list of each test home (the logic test home, the corpus home and
the showroom's demo home) in both languages and names every offending phrase:

- a doubled device noun: 灯灯, 灯的灯光, 二楼楼, 窗帘窗帘, "light light", "lamp light";
- a kind of light the home has none of, in a sentence about a room's lights ("卫生间的射灯");
- a battery question about something without a battery (a battery sensor, or a lock with one
  in its room, has one; a light or a temperature sensor has not);
- numbers nobody says: colour temperature in Kelvin ("四千", "four thousand": residents say
  暖光 / "warm white"), brightness for a light that only switches on and off;
- a broken particle: 的 before a verb or at the end ("把大门的上锁", "关掉客厅灯的").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Final

import pytest

from custom_components.barrier_free.logic.home import Entity, Home, names_of
from custom_components.barrier_free.logic.phrase_list import PhraseList, build_phrase_list

from .corpus_home import corpus_home
from .home import HOMES
from .showroom_home import showroom_home

HOME_MAKERS: Final[dict[str, Callable[[str], Home]]] = {
    "test home": lambda language: HOMES[language],
    "corpus home": corpus_home,
    "showroom": showroom_home,
}
STATION_AREA: Final = "living_room"

_ZH_DOUBLED: Final = re.compile(
    r"灯的?灯|电(量|池)的?电(量|池)|楼[楼层]|窗帘的?窗帘|开关的?开关|插座的?插座|空调的?空调"
    r"|风扇的?风扇|音箱的?音箱"
)
_EN_DOUBLED: Final = re.compile(r"\b(\w+?)s? \1s?\b|\b(light|lamp)s? (light|lamp)s?\b")
_ZH_BROKEN_DE: Final = re.compile(
    r"的(上锁|锁上|关上|关掉|关闭|关着|打开|开启|开着|开(?!关)|调|设置|设为|开始|取消|恢复|别|停|有|什么)"
    # a command never ends in 的 ("关掉客厅灯的"); a question or answer may ("都是打开的", "对的")
    r"|^(把|将|让|给|开|关|打开|关掉|关闭|开启|锁上|解锁|上锁|调).*的$"
    r"|^(把|将|让|给|打开|关掉|关闭|开启)的"
)
_LIGHT_KINDS: Final = ("吸顶灯", "筒灯", "射灯", "台灯", "床头灯")
_BATTERY: Final = re.compile(r"电量|电池|多少电|没电|\bbatter")
_KELVIN: Final = re.compile(r"千|thousand|kelvin")
_BRIGHTNESS_INTENTS: Final = frozenset({"HassLightSet", "BarrierFreeBrightnessStep"})


@cache
def phrase_list(home_name: str, language: str) -> tuple[Home, PhraseList]:
    home = HOME_MAKERS[home_name](language)
    return home, build_phrase_list(home, language, station_area_id=STATION_AREA)


def mentioned(phrase: str, home: Home) -> Entity | None:
    """The entity whose longest name the phrase says, if any."""
    best: tuple[int, Entity] | None = None
    for entity in home.entities:
        for name in names_of(entity.name, entity.aliases):
            said = name.lower() if re.search(r"[a-z]", name.lower()) else name.replace(" ", "")
            if said and said in phrase and (best is None or len(said) > best[0]):
                best = (len(said), entity)
    return best[1] if best else None


def has_battery(entity: Entity, home: Home) -> bool:
    if entity.domain == "sensor" and entity.device_class == "battery":
        return True
    return entity.domain in {"lock", "vacuum"} and any(
        e.domain == "sensor" and e.device_class == "battery" and e.area_id == entity.area_id
        for e in home.entities
    )


def junk(home: Home, phrases: PhraseList) -> dict[str, list[str]]:
    """Every offending phrase, by what is wrong with it."""
    zh = phrases.language == "zh"
    found: dict[str, list[str]] = {
        "doubled noun": [],
        "absent kind": [],
        "battery": [],
        "number": [],
        "particle": [],
    }
    light_names = [
        n for e in home.entities if e.domain == "light" for n in names_of(e.name, e.aliases)
    ]
    for phrase in phrases:
        intent = phrases.intents[phrase]
        entity = mentioned(phrase, home)
        if (_ZH_DOUBLED if zh else _EN_DOUBLED).search(phrase):
            found["doubled noun"].append(phrase)
        if entity is None and any(
            kind in phrase and not any(kind in n for n in light_names) for kind in _LIGHT_KINDS
        ):
            found["absent kind"].append(phrase)
        if _BATTERY.search(phrase) and entity is not None and not has_battery(entity, home):
            found["battery"].append(phrase)
        kelvin = intent == "HassLightSet" and _KELVIN.search(phrase) is not None
        on_off_only = entity is not None and set(entity.color_modes or ("?",)) <= {"onoff"}
        if kelvin or (intent in _BRIGHTNESS_INTENTS and on_off_only):
            found["number"].append(phrase)
        if zh and _ZH_BROKEN_DE.search(phrase):
            found["particle"].append(phrase)
    return {kind: offending for kind, offending in found.items() if offending}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("home_name", list(HOME_MAKERS))
def test_no_junk_phrases(home_name: str, language: str) -> None:
    home, phrases = phrase_list(home_name, language)
    offending = junk(home, phrases)
    for kind, listed in offending.items():
        print(f"{home_name} {language} {kind}: {len(listed)} of {len(phrases)}")
        for phrase in listed:
            print("   ", phrase)
    assert not offending, {kind: len(listed) for kind, listed in offending.items()}


def test_checker_finds_each_kind() -> None:
    """The checker itself: each kind of junk is caught, natural sentences pass."""
    home = HOMES["zh"]
    light = Entity("light.x", "客厅灯", area_id="living_room", color_modes=("onoff",))
    onoff_home = Home((*home.entities, light), home.areas, home.floors)
    bad = {
        "关掉客厅主灯灯": "HassTurnOff",
        "客厅温度还剩多少电量": "HassGetState",
        "把客厅主灯调到四千": "HassLightSet",
        "把客厅灯调到百分之五十": "HassLightSet",
        "把大门的上锁": "HassTurnOn",
        "关掉客厅主灯的": "HassTurnOff",
        "打开一楼楼的灯": "HassTurnOn",
        "开启的床头灯": "HassTurnOn",
        "关掉卫生间的射灯": "HassTurnOff",
    }
    good = {
        "关掉客厅主灯": "HassTurnOff",
        "门锁电量还剩多少": "HassGetState",
        "把大门锁上": "HassTurnOn",
        "对的": "BarrierFreeConfirm",
        "全部灯都是打开的": "HassGetState",
    }
    both = {**bad, **good}
    found = junk(onoff_home, PhraseList("zh", tuple(both), both))
    assert sorted(p for listed in found.values() for p in listed) == sorted(bad)
    english = {
        "activate living room ceiling light light": "HassTurnOn",
        "turn on the floor lamp": "HassTurnOn",
    }
    found = junk(HOMES["en"], PhraseList("en", tuple(english), english))
    assert found == {"doubled noun": ["activate living room ceiling light light"]}

"""Questions about the home, answered from its states: temperatures, humidity, leaks, smoke,
lights, doors, windows, presence, batteries, a device's state or level.

Home Assistant's own agent answers few of these in everyday words (a room's temperature comes
only from a thermostat, "门锁了吗" is not understood) and words what it does answer with technical
strings. `answer_question` parses the question itself and says the answer in the station's
language: a yes/no question starts with yes or no and says the state in words; "indoors" never
counts an outdoor (balcony) sensor; English answers never speak a Chinese name.

The words (what is asked about, state words, everything a question may say besides names) are
in `question_words.py`. About 600 lines still: `_Asker` gives one answer per kind of question,
all from the same parsed question, states and language; split, they would pass those around.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from . import question_words as vocab
from .home import Area, Entity, Home
from .home_status import DeviceState, battery_level_low, summarize
from .languages import station_language
from .spoken import device_noun, join_names, say

type States = Mapping[str, tuple[str, Mapping[str, Any]]]
"""entity_id → (state, attributes), as Home Assistant has them now."""


_CJK: Final = re.compile(r"[\u3400-\u9fff]")
_FRONT: Final = ("front", "main door", "大门", "入户", "家门")
_BATTERY_WORDS: Final = re.compile(r"(的)?(电量|电池)$|\s*battery$")


@dataclass
class Said:
    """What a sentence mentions."""

    text: str
    """The question without the names found in it."""
    entities: list[Entity] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    here: bool = False
    outside: bool = False
    indoors: bool = False


def spoken_name(entity: Entity, home: Home, language: str) -> str:
    """How an answer calls a device: its name in the station's language, with its room when
    the name does not say it ("卫生间的热水器", "the bathroom water heater"); a Chinese name in an
    English answer becomes its kind and room ("the light in the dining room")."""
    area = home.area(entity.area_id)
    if language == "en" and _CJK.search(entity.name):
        noun = device_noun(entity.domain, entity.device_class, "en")
        noun = {
            "window": "window",
            "door": "door",
            "temperature": "thermometer",
            "humidity": "humidity sensor",
            "battery": "battery",
        }.get(str(entity.device_class), noun)
        return f"the {noun} in the {area.name}" if area else f"the {noun}"
    said_room = area is None or any(n in entity.name.lower() for n in _names(area))
    plain = entity.domain in ("lock", "alarm_control_panel", "scene", "sensor", "binary_sensor")
    if language == "zh":
        if not said_room and area is not None and not plain:
            return f"{area.name}的{entity.name}"
        return entity.name
    if area is not None and not said_room and not plain:
        return f"the {area.name} {entity.name}"
    return f"the {entity.name}"


def is_outdoor(area: Area) -> bool:
    """A balcony, a terrace, a garden: never part of the indoor temperature."""
    return area.outdoor or any(
        word in name.lower() for name in (area.name, *area.aliases) for word in vocab.OUTDOOR_WORDS
    )


def is_question(text: str, language: str) -> bool:
    """Whether `text` asks something rather than commands it."""
    plain = _plain(text, language)
    if language == "zh":
        if not vocab.ZH_QUESTION.search(plain):
            return False
        return not vocab.ZH_COMMAND.search(plain) or bool(vocab.ZH_STATE_ASKED.search(plain))
    return (
        bool(vocab.EN_QUESTION.search(plain))
        or text.strip().endswith("?")
        or bool(re.search(r"(temperature|humidity|battery)$", plain))
    )


def answer_question(
    text: str, home: Home, states: States, language: str, station_area_id: str | None
) -> str | None:
    """The spoken answer to a question about the home; None if `text` is none of these."""
    language = station_language(language)
    if not is_question(text, language):
        return None
    said = mentions(_plain(text, language), home, language)
    if not _only_known(said.text, language):
        return None  # "上海明天多少度", "how much does a new kettle cost": not about the home
    kind = next((k for k, p in vocab.KINDS[language] if re.search(p, said.text)), None)
    if kind is None:
        # "客厅温度多少": the kind is in the sensor's name
        kind = next(
            (
                str(e.device_class)
                for e in said.entities
                if e.domain == "sensor" and e.device_class in ("temperature", "humidity", "battery")
            ),
            None,
        )
    asker = _Asker(home, states, language, station_area_id, said)
    if kind is not None:
        return asker.by_kind(kind)
    return asker.state_question()


def _only_known(rest: str, language: str) -> bool:
    if language == "en":
        words = re.sub(r"[-]", " ", rest).split()
        return all(w in vocab.KNOWN_EN or w.isdigit() for w in words)
    left = rest.replace(" ", "")
    for word in vocab.KNOWN_ZH:
        left = left.replace(word, "")
    return not left


def _plain(text: str, language: str) -> str:
    plain = re.sub(r"[\s,，。.!！?？、;；:：\"“”‘’…]+", " ", text.lower()).strip()
    if language == "zh":
        return plain.replace(" ", "")
    return re.sub(r"^(please |hey |so |and |ok |okay )", "", plain)


def _names(item: Entity | Area) -> list[str]:
    return [n.lower() for n in (item.name, *item.aliases) if n]


def _find(text: str, name: str, language: str) -> int:
    if language == "zh":
        return text.find(name)
    match = re.search(rf"\b{re.escape(name)}s?\b", text)
    return match.start() if match else -1


def mentions(text: str, home: Home, language: str) -> Said:
    """The devices and rooms named in `text`, longest names first."""
    found: list[tuple[str, Entity | Area]] = [
        (name, entity) for entity in home.entities for name in _names(entity)
    ]
    found += [(name, area) for area in home.areas for name in _names(area)]
    # longest first; of equally long ones the one said first ("后门锁了吗": 后门, not 门锁)
    found = [(name, item) for name, item in found if _find(text, name, language) >= 0]
    found.sort(key=lambda pair: (-len(pair[0]), _find(text, pair[0], language)))
    said = Said(text)
    rest = text
    gap = "" if language == "zh" else " "
    for name, item in found:
        if _find(rest, name, language) < 0:
            continue
        rest = rest.replace(name, gap, 1)
        if isinstance(item, Entity) and item not in said.entities:
            said.entities.append(item)
        elif isinstance(item, Area) and item not in said.areas:
            said.areas.append(item)
    for words, flag in (
        (vocab.HERE, "here"),
        (vocab.OUTSIDE, "outside"),
        (vocab.INDOORS, "indoors"),
    ):
        for word in words[language]:
            if _find(rest, word, language) >= 0:
                setattr(said, flag, True)
                rest = rest.replace(word, gap, 1)
                break
    said.text = " ".join(rest.split())
    return said


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except TypeError, ValueError:
        return None


def _tidy(value: float) -> int | float:
    rounded = round(value, 1)
    return int(rounded) if float(rounded).is_integer() else rounded


class _Asker:
    """One question's answer."""

    def __init__(
        self,
        home: Home,
        states: States,
        language: str,
        station_area_id: str | None,
        said: Said,
    ) -> None:
        self.home = home
        self.states = states
        self.language = language
        self.station = home.area(station_area_id)
        self.said = said

    # -- what and where

    def state(self, entity: Entity) -> str:
        return self.states.get(entity.entity_id, ("unknown", {}))[0]

    def attributes(self, entity: Entity) -> Mapping[str, Any]:
        return self.states.get(entity.entity_id, ("unknown", {}))[1]

    def places(self) -> list[Area] | None:
        """The rooms asked about; None: the whole home (indoors)."""
        said = self.said
        if said.areas:
            return said.areas
        if said.outside:
            return [a for a in self.home.areas if is_outdoor(a)]
        if said.here and self.station is not None:
            return [self.station]
        return None

    def in_places(self, entities: Iterable[Entity], places: list[Area] | None) -> list[Entity]:
        if places is None:
            return list(entities)
        ids = {a.area_id for a in places}
        return [e for e in entities if e.area_id in ids]

    def of_kind(self, domain: str, device_class: str | None = None) -> list[Entity]:
        return [
            e
            for e in self.home.entities
            if e.domain == domain and (device_class is None or e.device_class == device_class)
        ]

    def area_words(self, area: Area | None) -> str:
        """ "厨房" / "in the kitchen"; no room: the whole home."""
        if area is None:
            return "家里" if self.language == "zh" else "at home"
        return area.name if self.language == "zh" else f"in the {area.name}"

    def name(self, entity: Entity) -> str:
        return spoken_name(entity, self.home, self.language)

    def names(self, entities: Iterable[Entity]) -> str:
        return join_names((self.name(e) for e in entities), self.language)

    def yes_no(self, yes: bool, fact: str) -> str:
        return _capital(say("q_yes" if yes else "q_no", self.language, fact=fact))

    def fact(self, key: str, **params: Any) -> str:
        return say(key, self.language, **params)

    # -- by kind

    def by_kind(self, kind: str) -> str | None:
        match kind:
            case "status":
                return summarize(self.device_states(), self.language)
            case "temperature" | "humidity":
                return self.measure(kind)
            case "battery":
                return self.battery()
            case "leak" | "smoke":
                return self.alarm_sensor(kind)
            case "presence":
                return self.presence()
            case "mode":
                return self.climate_mode()
            case _:
                return self.level(kind)

    def device_states(self) -> list[DeviceState]:
        states = []
        for entity in self.home.entities:
            state, attributes = self.states.get(entity.entity_id, ("unknown", {}))
            area = self.home.area(entity.area_id)
            states.append(
                DeviceState(
                    entity.entity_id,
                    entity.name,
                    state,
                    area=area.name if area else None,
                    device_class=entity.device_class,
                    attributes=dict(attributes),
                )
            )
        return states

    def measure(self, kind: str) -> str | None:
        """A room's (or indoor) temperature or humidity, from its sensors, else a thermostat."""
        sensors = [e for e in self.said.entities if e.domain == "sensor" and e.device_class == kind]
        climates = [e for e in self.said.entities if e.domain == "climate"]
        if climates and kind == "temperature" and not sensors:
            return self.climate(climates[0])
        places = self.places()
        if not sensors:
            if places is None and not self.said.indoors and self.station is not None:
                here = self.in_places(self.of_kind("sensor", kind), [self.station])
                places = [self.station] if here else None
            candidates = self.of_kind("sensor", kind)
            if places is None:
                candidates = [
                    e
                    for e in candidates
                    if not ((area := self.home.area(e.area_id)) and is_outdoor(area))
                ]
            sensors = self.in_places(candidates, places)
        readings = [v for e in sensors if (v := _number(self.state(e))) is not None]
        if not readings and kind == "temperature":
            readings = [
                v
                for e in self.in_places(self.of_kind("climate"), places)
                if (v := _number(self.attributes(e).get("current_temperature"))) is not None
            ]
        area = self.place_of(sensors, places)
        place = self.area_words(area)
        if not readings:
            noun = (
                {"temperature": "温度", "humidity": "湿度"}[kind] if self.language == "zh" else kind
            )
            return _capital(say("q_no_sensor", self.language, place=place, kind=noun))
        value = _tidy(sum(readings) / len(readings))
        if kind == "humidity":
            return _capital(say("q_humidity", self.language, place=place, percent=value))
        if area is None:
            return _capital(say("q_temperature_indoor", self.language, temperature=value))
        return _capital(say("q_temperature", self.language, place=place, temperature=value))

    def place_of(self, sensors: list[Entity], places: list[Area] | None) -> Area | None:
        """The one room a reading is from; None: several rooms (the home, indoors)."""
        if places is not None and len(places) == 1:
            return places[0]
        areas = {e.area_id for e in sensors}
        if len(areas) == 1 and (places is not None or not self.said.indoors):
            return self.home.area(next(iter(areas)))
        return None

    def climate(self, entity: Entity) -> str:
        attributes = self.attributes(entity)
        return _capital(
            say(
                "q_climate",
                self.language,
                target=self.name(entity),
                temperature=_tidy(_number(attributes.get("temperature")) or 0),
                current=_tidy(_number(attributes.get("current_temperature")) or 0),
                mode=vocab.MODES[self.language].get(self.state(entity), self.state(entity)),
            )
        )

    def climate_mode(self) -> str | None:
        climates = [e for e in self.said.entities if e.domain == "climate"]
        if not climates:
            climates = self.in_places(
                self.of_kind("climate"), self.places() or ([self.station] if self.station else None)
            )
        return self.climate(climates[0]) if climates else None

    def battery(self) -> str | None:
        batteries = [
            e for e in self.home.entities if e.domain == "sensor" and e.device_class == "battery"
        ]
        named = [e for e in self.said.entities if e in batteries]
        others = [e for e in self.said.entities if e not in batteries]
        if named:
            percent = _tidy(_number(self.state(named[0])) or 0)
            return _capital(
                say("q_battery_sensor", self.language, target=self.name(named[0]), percent=percent)
            )
        devices = others or self.generic()
        if devices:
            # "大门的电池", "how much battery does the vacuum have": the battery beside it
            device = devices[0]
            level = _number(self.attributes(device).get("battery_level"))
            beside = [e for e in batteries if e.area_id == device.area_id]
            if level is None and beside:
                level = _number(self.state(beside[0]))
            if level is not None:
                target = self.name(device)
                if self.language == "en" and _CJK.search(device.name):
                    target = "the " + device_noun(device.domain, device.device_class, "en")
                return _capital(
                    say("q_battery", self.language, target=target, percent=_tidy(level))
                )
        low = [e for e in batteries if battery_level_low(_number(self.state(e)))]
        if low:
            owners = (_BATTERY_WORDS.sub("", self.name(e)) or self.name(e) for e in low)
            return _capital(
                say("q_low_batteries", self.language, names=join_names(owners, self.language))
            )
        return _capital(say("q_batteries_ok", self.language))

    def alarm_sensor(self, kind: str) -> str:
        device_class = "moisture" if kind == "leak" else "smoke"
        places = self.places()
        sensors = self.in_places(self.of_kind("binary_sensor", device_class), places)
        sensors += [e for e in self.said.entities if e.device_class == device_class]
        on = [e for e in sensors if self.state(e) == "on"]
        if on:
            where = join_names(
                dict.fromkeys(self.area_words(self.home.area(e.area_id)) for e in on),
                self.language,
            )
            return self.yes_no(True, self.fact(f"fact_{kind}", place=where))
        place = self.area_words(places[0] if places and len(places) == 1 else None)
        return self.yes_no(False, self.fact(f"fact_no_{kind}", place=place))

    def presence(self) -> str:
        places = self.places()
        sensors = [
            e
            for e in self.home.entities
            if e.domain == "binary_sensor" and e.device_class in ("motion", "occupancy", "presence")
        ]
        sensors = self.in_places(sensors, places)
        place = self.area_words(places[0] if places and len(places) == 1 else None)
        if not sensors:
            return _capital(
                say(
                    "q_no_sensor",
                    self.language,
                    place=place,
                    kind="人体" if self.language == "zh" else "presence",
                )
            )
        on = [e for e in sensors if self.state(e) == "on"]
        if on:
            where = join_names(
                dict.fromkeys(self.area_words(self.home.area(e.area_id)) for e in on),
                self.language,
            )
            return self.yes_no(True, self.fact("fact_someone", place=where))
        return self.yes_no(False, self.fact("fact_nobody", place=place))

    def level(self, kind: str) -> str | None:
        """How bright a light is, how far a cover is open, how loud a player is."""
        domain = {"brightness": "light", "position": "cover", "volume": "media_player"}[kind]
        entities = [e for e in self.said.entities if e.domain == domain]
        if not entities:
            entities = self.in_places(
                self.of_kind(domain), self.places() or ([self.station] if self.station else None)
            )
        if not entities:
            entities = self.of_kind(domain)
        if not entities:
            return None
        entity = entities[0]
        attributes = self.attributes(entity)
        raw = {
            "brightness": (_number(attributes.get("brightness")) or 0) / 2.55,
            "position": _number(attributes.get("current_position")) or 0,
            "volume": (_number(attributes.get("volume_level")) or 0) * 100,
        }[kind]
        return _capital(
            say(f"q_{kind}", self.language, target=self.name(entity), percent=round(raw))
        )

    # -- yes/no and which

    def generic(self) -> list[Entity]:
        """Devices meant by a kind word ("窗帘", "the door") in the rooms asked about."""
        for word, domain, device_class in vocab.NOUN_WORDS[self.language]:
            if _find(self.said.text, word, self.language) < 0:
                continue
            if word == "it" and "lock" not in self.said.text:
                continue  # "is it locked?" at the door; never "what time is it"
            kind = self.of_kind(domain, device_class)
            places = self.places()
            if (
                places is None
                and self.station is not None
                and not re.search(vocab.ALL[self.language], self.said.text)
                and not self.said.indoors
                and domain not in ("light", "binary_sensor")
            ):
                here = self.in_places(kind, [self.station])
                if here:
                    return here
            found = self.in_places(kind, places)
            if (
                domain == "lock"
                and places is None
                and len(found) > 1
                and not re.search(vocab.ALL[self.language], self.said.text)
            ):
                # "is the door locked": the front door, unless all doors are asked about
                front = [e for e in found if any(w in n for n in _names(e) for w in _FRONT)]
                return front[:1] or found
            return found
        return []

    def state_question(self) -> str | None:
        said = self.said
        entities = [e for e in said.entities if e.domain != "sensor"]
        which = re.search(vocab.WHICH[self.language], said.text) is not None
        every = re.search(vocab.ALL[self.language], said.text) is not None
        if not entities:
            entities = self.generic()
            if not entities:
                return None
            if len(entities) > 1 or which or every:
                return self.group(entities, which=which)
        return self.one(entities[0])

    def is_true(self, entity: Entity, asked: str) -> bool:
        state = self.state(entity)
        attributes = self.attributes(entity)
        on = state not in (
            "off",
            "unavailable",
            "unknown",
            "standby",
            "closed",
            "locked",
            "disarmed",
            "docked",
            "idle",
        )
        if entity.domain == "cover":
            on = (
                state in ("open", "opening")
                or (_number(attributes.get("current_position")) or 0) > 0
            )
        if entity.domain == "lock":
            locked = state == "locked"
            return {"locked": locked, "off": locked, "unlocked": not locked, "on": not locked}.get(
                asked, locked
            )
        if entity.domain == "alarm_control_panel":
            armed = state.startswith("armed") or state == "triggered"
            return armed if asked in ("armed", "on", "locked") else not armed
        return on if asked in ("on", "unlocked") else not on

    def default_asked(self, entity: Entity) -> str:
        return {"lock": "locked", "alarm_control_panel": "armed"}.get(entity.domain, "on")

    def asked(self, entity: Entity) -> str:
        for asked, pattern in vocab.ASKED[self.language]:
            if re.search(pattern, self.said.text):
                return asked
        return self.default_asked(entity)

    def state_words(self, entity: Entity) -> str:
        truth_key = {
            "lock": ("locked", "unlocked"),
            "alarm_control_panel": ("armed", "disarmed"),
            "cover": ("open", "closed"),
        }.get(entity.domain, ("on", "off"))
        if entity.device_class in ("window", "door", "garage"):
            truth_key = ("open", "closed")
        first = self.is_true(entity, self.default_asked(entity))
        return vocab.STATE_WORDS[self.language][truth_key[0] if first else truth_key[1]]

    def one(self, entity: Entity) -> str:
        if entity.domain == "climate" and re.search(
            r"度|多少|temperature|degrees|set", self.said.text
        ):
            return self.climate(entity)
        target = self.name(entity)
        if self.state(entity) in ("unavailable", "unknown"):
            # never "yes, it is closed" about a garage door nobody can see
            return _capital(say("unavailable", self.language, target=target))
        yes = self.is_true(entity, self.asked(entity))
        fact = self.fact(_state_key(target), target=target, state=self.state_words(entity))
        return self.yes_no(yes, fact)

    def group(self, entities: list[Entity], *, which: bool) -> str:
        first = entities[0]
        on = [e for e in entities if self.is_true(e, self.default_asked(first))]
        asked = self.asked(first)
        wants_on = asked not in ("off", "locked")
        if first.domain == "lock":
            wants_on = asked in ("unlocked",)
            on = [e for e in entities if not self.is_true(e, "locked")]
        noun = device_noun(first.domain, first.device_class, self.language)
        if first.domain == "binary_sensor":
            noun = "窗户" if self.language == "zh" else "window"
        if which:
            if not on:
                state = vocab.STATE_WORDS[self.language][
                    "off" if first.domain == "light" else "closed"
                ]
                return _capital(say("q_none_on", self.language, noun=noun, state=state))
            state = self.state_words(on[0])
            if len(on) == 1:
                target = self.name(on[0])
                fact = self.fact(_state_key(target), target=target, state=state)
                return _capital(fact) + ("。" if self.language == "zh" else ".")
            return _capital(say("q_these_on", self.language, names=self.names(on), state=state))
        if on:
            state = self.state_words(on[0])
            target = self.names(on)
            key = "fact_states" if len(on) > 1 else _state_key(target)
            fact = self.fact(key, target=target, state=state)
            return self.yes_no(wants_on, fact)
        state = self.state_words(first)
        fact = self.fact("fact_all", noun=noun, state=state)
        return self.yes_no(not wants_on, fact)


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _state_key(target: str) -> str:
    """ "the bedroom curtains are closed": a name whose last English word is a plural takes
    "are" (curtains, blinds, lights; not glass, status). Mandarin has no agreement."""
    last = target.rsplit(" ", 1)[-1].casefold()
    plural = last.isascii() and last.endswith("s") and not last.endswith(("ss", "us", "is"))
    return "fact_states" if plural else "fact_state"

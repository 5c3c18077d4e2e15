"""What a command acts on: the entities it means, or the spoken reason there are none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .confirm_sensitive import SensitiveAction, service_for_intent
from .home import Entity, Home
from .spoken import device_noun, say
from .understanding import Understood


@dataclass(frozen=True, slots=True)
class Targets:
    """What a command acts on, or the answer explaining why it cannot."""

    entities: tuple[Entity, ...] = ()
    problem: str | None = None


def targeted(understood: Understood) -> Understood | None:
    """The command with the kind of device it acts on made explicit; None if it names none."""
    if "name" in understood.slots or "domain" in understood.slots:
        return understood
    if understood.intent == "HassClimateSetTemperature":
        # "把卧室空调调到二十二度": the room's thermostat (named for the answer)
        climate = {**understood.slots, "domain": "climate"}
        return Understood(understood.intent, climate, understood.text)
    return None


def find_targets(
    understood: Understood, home: Home, language: str, station_area_id: str | None
) -> Targets:
    """The entities a command means, or the spoken reason there are none."""
    slots = understood.slots
    area_name = slots.get("area")
    area_ids: set[str] | None = None
    if area_name is not None:
        area_ids = {a.area_id for a in home.areas if area_name in (a.name, *a.aliases)}
        if not area_ids:
            return Targets(problem=say("no_area", language, area=area_name))
    if "name" in slots:
        named = [e for e in home.entities if slots["name"] in (e.name, *e.aliases)]
        if area_ids is not None:
            named = [e for e in named if e.area_id in area_ids]
        if not named:
            return Targets(problem=say("no_device", language, name=slots["name"]))
        if len(named) > 1:
            here = [e for e in named if e.area_id == station_area_id]
            if len(here) == 1:
                return Targets((here[0],))
            noun = device_noun(named[0].domain, named[0].device_class, language)
            return Targets(problem=say("ambiguous", language, count=len(named), device=noun))
        return Targets((named[0],))
    domain = slots.get("domain")
    if domain is None and understood.intent.endswith("BrightnessStep"):
        domain = "light"  # "make the bedroom lights brighter" names no domain slot
    device_class = slots.get("device_class")
    domains = domain if isinstance(domain, list) else [domain]
    members = [
        e
        for e in home.entities
        if e.domain in domains
        and (area_ids is None or e.area_id in area_ids)
        and (device_class is None or e.device_class == device_class)
    ]
    if not members:
        noun = device_noun(str(domains[0]), device_class, language)
        if area_name is not None:
            area = home.area(next(iter(area_ids or ()), None))
            return Targets(
                problem=say(
                    "no_device_in_area",
                    language,
                    area=area.name if area else area_name,
                    device=noun,
                ).capitalize()
                if language == "en"
                else say("no_device_in_area", language, area=area_name, device=noun)
            )
        return Targets(problem=say("no_device", language, name=noun))
    return Targets(tuple(members))


def sensitive_action(understood: Understood, entity: Entity) -> SensitiveAction:
    """The service call a command makes on `entity`, as the confirmation policy sees it."""
    service = service_for_intent(understood.intent, entity.domain)
    if service is None:
        service = "turn_on" if understood.intent == "HassTurnOn" else "turn_off"
    data: dict[str, Any] = {}
    if understood.intent == "HassSetPosition":
        data["position"] = understood.slots.get("position", 100)
    return SensitiveAction(
        entity.domain,
        service,
        entity.entity_id,
        entity.name,  # the name the resident knows it by ("大门")
        entity.device_class,
        data,
    )

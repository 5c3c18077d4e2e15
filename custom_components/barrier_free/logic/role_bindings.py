"""Binding roles to a home's entities: suggestions for the options flow, checks on what the
installer chose, and re-binding a household exported from another home.

Entities are described plainly (`EntityInfo`: what the glue reads from Home Assistant's
registries). A suggestion needs evidence beyond the domain: a device class the role asks for,
a word of the role in the entity's name or aliases, or the role's room; so an installer can
accept most suggestions as they are, and a role with no evidence stays unbound rather than
guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from .scene_roles import ROLES, Role

__all__ = [
    "EntityDescription",
    "EntityInfo",
    "Rebinding",
    "RoleSuggestion",
    "binding_problems",
    "describe",
    "rebind",
    "suggest_bindings",
]


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """An entity of the home, as the binding logic needs to know it."""

    entity_id: str
    name: str
    device_class: str | None = None
    area: str | None = None  # the area's name, as the home calls it
    aliases: tuple[str, ...] = ()

    @property
    def domain(self) -> str:
        """The entity's domain ("light")."""
        return self.entity_id.partition(".")[0]


@dataclass(frozen=True, slots=True)
class RoleSuggestion:
    """What to propose for one role."""

    choice: tuple[str, ...]  # entity ids to preselect (empty: leave unbound)
    candidates: tuple[str, ...]  # every acceptable entity, best first


_WORD: Final = re.compile(r"[a-z0-9]+")
_CJK: Final = re.compile(r"[\u3400-\u9fff]")
_MIN_EVIDENCE: Final = 2


def _mentions(texts: Iterable[str], words: Iterable[str]) -> bool:
    """True if a word appears: Mandarin as a substring, other languages as whole words."""
    folded = [text.casefold() for text in texts if text]
    tokens = {token for text in folded for token in _WORD.findall(text)}
    return any(
        any(word in text for text in folded) if _CJK.search(word) else word.casefold() in tokens
        for word in words
    )


def _evidence(role: Role, entity: EntityInfo) -> int:
    """How strongly `entity` looks like `role` (0: only the domain fits)."""
    score = 0
    # A device class tells only on the role's main domain: a smart plug ("outlet") may carry
    # a lamp, but is no sign of one; an occupancy sensor may serve as a doorbell, but is no sign.
    main_domain = next(iter(role.accepts))
    classes = role.accepts[main_domain]
    if (
        entity.domain == main_domain
        and classes is not None
        and entity.device_class is not None
        and entity.device_class in classes
    ):
        score += 3
    if _mentions((entity.name, *entity.aliases), role.words):
        score += 4
    if entity.area and role.areas and _mentions((entity.area,), role.areas):
        score += 2
    return score


def suggest_bindings(entities: Iterable[EntityInfo]) -> dict[str, RoleSuggestion]:
    """Per role: acceptable entities ranked, and the ones to preselect.

    A single-entity role gets the best entity with evidence, never one already preselected for
    another single-entity role; a multiple role (path lights, leak sensors) gets every entity
    with evidence.
    """
    home = list(entities)
    ranked: dict[str, list[tuple[int, int, str]]] = {}
    for role_id, role in ROLES.items():
        domains = list(role.accepts)
        ranked[role_id] = sorted(
            (
                (-_evidence(role, entity), domains.index(entity.domain), entity.entity_id)
                for entity in home
                if role.accepts_entity(entity.domain, entity.device_class)
            ),
        )
    choices: dict[str, tuple[str, ...]] = {}
    for role_id, role in ROLES.items():
        if role.multiple:
            choices[role_id] = tuple(
                e for score, _, e in ranked[role_id] if -score >= _MIN_EVIDENCE
            )
    # Single roles: strongest evidence first over all roles, each entity used once.
    taken: set[str] = set()
    offers = sorted(
        (score, rank, entity_id, role_id)
        for role_id, items in ranked.items()
        if not ROLES[role_id].multiple
        for score, rank, entity_id in items
        if -score >= _MIN_EVIDENCE
    )
    for _, _, entity_id, role_id in offers:
        if role_id not in choices and entity_id not in taken:
            choices[role_id] = (entity_id,)
            taken.add(entity_id)
    return {
        role_id: RoleSuggestion(choices.get(role_id, ()), tuple(e for _, _, e in items))
        for role_id, items in ranked.items()
    }


def binding_problems(
    bindings: Mapping[str, Sequence[str]],
    entities: Mapping[str, EntityInfo],
    sensitive: frozenset[str] = frozenset(),
) -> list[tuple[str, str]]:
    """(role, entity id) pairs that must not be saved: unknown role, missing entity, an entity
    the role does not accept (a garage door as curtains would let a scene open it), an entity
    the installer marked sensitive (a gate on a switch) in a role whose scenes could open it,
    or a second entity for a single role. A sensitive lock may still be the front door lock:
    scenes can only lock it."""
    problems: list[tuple[str, str]] = []
    for role_id, entity_ids in bindings.items():
        role = ROLES.get(role_id)
        for entity_id in entity_ids:
            entity = entities.get(entity_id)
            if (
                role is None
                or entity is None
                or (entity_id in sensitive and not role.only_secures)
                or not role.accepts_entity(entity.domain, entity.device_class)
            ):
                problems.append((role_id, entity_id))
        if role is not None and not role.multiple and len(entity_ids) > 1:
            problems.extend((role_id, entity_id) for entity_id in entity_ids[1:])
    return problems


# --- Moving a household to another home -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntityDescription:
    """A bound entity described so that it can be found again in another home."""

    name: str
    domain: str
    device_class: str | None = None
    area: str | None = None
    aliases: tuple[str, ...] = ()


def describe(entity: EntityInfo) -> EntityDescription:
    """How an exported household describes a bound entity (never its id: homes differ)."""
    return EntityDescription(
        entity.name, entity.domain, entity.device_class, entity.area, entity.aliases
    )


@dataclass(frozen=True, slots=True)
class Rebinding:
    """What re-binding a household found in this home."""

    matched: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> entity ids
    # role -> (description, equally good candidates): the installer picks
    ambiguous: dict[str, list[tuple[EntityDescription, tuple[str, ...]]]] = field(
        default_factory=dict
    )
    not_found: dict[str, list[EntityDescription]] = field(default_factory=dict)


def _key(text: str) -> str:
    return "".join(text.casefold().split())


def _likeness(wanted: EntityDescription, entity: EntityInfo) -> int:
    score = 0
    wanted_names = {_key(n) for n in (wanted.name, *wanted.aliases) if n}
    if wanted_names & {_key(n) for n in (entity.name, *entity.aliases) if n}:
        score += 4
    if wanted.area and entity.area and _key(wanted.area) == _key(entity.area):
        score += 2
    if wanted.device_class is not None and wanted.device_class == entity.device_class:
        score += 2
    return score


def rebind(
    roles: Mapping[str, Sequence[EntityDescription]], entities: Iterable[EntityInfo]
) -> Rebinding:
    """Find each described entity in this home by name, alias, area and device class.

    Only entities of the same domain that the role accepts are considered; a match needs at
    least the same area, the same device class or a shared name. A single best match binds;
    a tie is left to the installer; no match is reported.
    """
    home = list(entities)
    result = Rebinding()
    for role_id, wanted_list in roles.items():
        role = ROLES.get(role_id)
        if role is None:
            continue
        used: set[str] = set()
        for wanted in wanted_list:
            scored = sorted(
                (
                    (-_likeness(wanted, entity), entity.entity_id)
                    for entity in home
                    if entity.domain == wanted.domain
                    and role.accepts_entity(entity.domain, entity.device_class)
                    and entity.entity_id not in used
                ),
            )
            scored = [(score, e) for score, e in scored if -score >= _MIN_EVIDENCE]
            if not scored:
                result.not_found.setdefault(role_id, []).append(wanted)
                continue
            best = [e for score, e in scored if score == scored[0][0]]
            if len(best) > 1:
                result.ambiguous.setdefault(role_id, []).append((wanted, tuple(best)))
                continue
            used.add(best[0])
            result.matched[role_id] = (*result.matched.get(role_id, ()), best[0])
    return result

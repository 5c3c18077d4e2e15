"""A household's setup as one YAML file, to reuse in the next home.

It holds what an installer chose: language, profiles, role bindings (each entity described by
name, aliases, domain, device class and area, never by id, so that it re-binds in another home),
speech rate and volume, and the phrase-list extras (per language, each extra phrase with the
phrase it stands for: logic/extra_phrases.py). It never holds a secret: the PIN,
its hash and the pairing token have no field here, and reading refuses any key it does not know,
so a hand-edited file cannot smuggle one in (or anything else) either.

Reading uses the same hardened YAML reader as the scene packs and reports problems the same
way (file, line, both languages). `rebind` (role_bindings) then finds the entities in the new
home; the installer sees its report before anything is saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import yaml  # type: ignore[import-untyped]  # ships with Home Assistant; no stubs here

from .extra_phrases import MAX_EXTRA_CHARS, MAX_EXTRAS
from .pack_errors import PackError
from .pack_shapes import LANGUAGES, ShapeCheck
from .pack_yaml import Located, parse_yaml
from .role_bindings import EntityDescription, EntityInfo, describe
from .scene_roles import ROLES

__all__ = ["VERSION", "Household", "export_household", "household_roles", "read_household"]

VERSION: Final = 1
_TOP: Final = ("barrier_free_household", "language", "profiles", "speech", "phrases", "roles")
_ENTITY_KEYS: Final = ("name", "domain", "device_class", "area", "aliases")


@dataclass(frozen=True, slots=True)
class Household:
    """What moves from one home to the next."""

    language: str
    profiles: tuple[str, ...]
    roles: Mapping[str, tuple[EntityDescription, ...]]
    rate: int | None = None  # words per minute
    volume: int | None = None  # percent
    phrases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Per language: extra phrase → the phrase it stands for."""


def household_roles(
    bindings: Mapping[str, Sequence[str]], entities: Mapping[str, EntityInfo]
) -> dict[str, tuple[EntityDescription, ...]]:
    """The bound entities described for export (entities no longer in the home are left out)."""
    return {
        role: described
        for role, entity_ids in bindings.items()
        if (described := tuple(describe(entities[e]) for e in entity_ids if e in entities))
    }


def export_household(household: Household) -> str:
    """The household as YAML text."""
    document: dict[str, object] = {
        "barrier_free_household": VERSION,
        "language": household.language,
        "profiles": list(household.profiles),
    }
    speech = {"rate": household.rate, "volume": household.volume}
    if any(value is not None for value in speech.values()):
        document["speech"] = {key: value for key, value in speech.items() if value is not None}
    if household.phrases:
        document["phrases"] = {lang: dict(pairs) for lang, pairs in household.phrases.items()}
    document["roles"] = {
        role: [_entity_document(entity) for entity in described]
        for role, described in household.roles.items()
    }
    text: str = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    return text


def _entity_document(entity: EntityDescription) -> dict[str, object]:
    document: dict[str, object] = {"name": entity.name, "domain": entity.domain}
    if entity.device_class is not None:
        document["device_class"] = entity.device_class
    if entity.area is not None:
        document["area"] = entity.area
    if entity.aliases:
        document["aliases"] = list(entity.aliases)
    return document


def read_household(
    data: bytes, file: str = "household.yaml", profiles: Sequence[str] | None = None
) -> tuple[Household | None, list[PackError]]:
    """The household in `data`, or None and every problem found.

    `profiles`: the profile ids this installation knows; a household naming another is refused.
    """
    tree, problem = parse_yaml(data, file)
    if problem is not None or tree is None:
        return None, [problem or PackError(file, None, "empty")]
    check = ShapeCheck(file)
    household = _read(check, tree, profiles)
    errors = check.sorted_errors()
    return (household if not errors else None), errors


def _read(
    check: ShapeCheck, tree: Located, known_profiles: Sequence[str] | None
) -> Household | None:
    top = check.mapping(tree, "", _TOP, ("barrier_free_household", "language", "profiles", "roles"))
    if top is None:
        return None
    if "barrier_free_household" in top:
        version = top["barrier_free_household"]
        if version.value != VERSION or isinstance(version.value, bool):
            check.error(version.line, "wrong_version", version=version.value, expected=VERSION)
    language = check.text(top["language"], "language") if "language" in top else None
    if language is not None and language not in LANGUAGES:
        check.error(top["language"].line, "unknown_language", language=language)
    profiles: list[str] = []
    # No profile chosen yet is a household too (its speech settings and extras still travel).
    has_profiles = "profiles" in top and top["profiles"].value != []
    for item in check.items(top["profiles"], "profiles") if has_profiles else []:
        profile = check.text(item, "profiles")
        if profile is not None and known_profiles is not None and profile not in known_profiles:
            check.error(item.line, "unknown_profile", profile=profile)
        elif profile is not None:
            profiles.append(profile)
    rate = volume = None
    if "speech" in top:
        speech = check.mapping(top["speech"], "speech", ("rate", "volume")) or {}
        rate = _whole(check, speech.get("rate"), "speech.rate", 0, 1000)
        volume = _whole(check, speech.get("volume"), "speech.volume", 0, 100)
    phrases = _extras(check, top["phrases"]) if "phrases" in top else {}
    roles: dict[str, tuple[EntityDescription, ...]] = {}
    if "roles" in top:
        node = top["roles"]
        listed = check.mapping(
            node, "roles", tuple(node.value) if isinstance(node.value, dict) else ()
        )
        for role, entities in (listed or {}).items():
            if role not in ROLES:
                check.error((node.key_lines or {}).get(role, node.line), "unknown_role", role=role)
                continue
            described = [
                found
                for item in check.items(entities, f"roles.{role}")
                if (found := _entity(check, item, f"roles.{role}")) is not None
            ]
            roles[role] = tuple(described)
    if language is None:
        return None
    return Household(language, tuple(profiles), roles, rate, volume, phrases)


def _entity(check: ShapeCheck, node: Located, where: str) -> EntityDescription | None:
    fields = check.mapping(node, where, _ENTITY_KEYS, ("name", "domain"))
    if fields is None or "name" not in fields or "domain" not in fields:
        return None
    name = check.text(fields["name"], f"{where}.name")
    domain = check.text(fields["domain"], f"{where}.domain")
    optional = {
        key: check.text(fields[key], f"{where}.{key}")
        for key in ("device_class", "area")
        if key in fields and fields[key].value is not None
    }
    aliases: list[str] = []
    if "aliases" in fields and fields["aliases"].value != []:
        aliases = [
            alias
            for item in check.items(fields["aliases"], f"{where}.aliases")
            if (alias := check.text(item, f"{where}.aliases")) is not None
        ]
    if name is None or domain is None:
        return None
    return EntityDescription(
        name, domain, optional.get("device_class"), optional.get("area"), tuple(aliases)
    )


def _extras(check: ShapeCheck, node: Located) -> dict[str, dict[str, str]]:
    """`phrases:` per language, a mapping of extra phrase to the phrase it stands for."""
    found: dict[str, dict[str, str]] = {}
    for language, pairs in (check.mapping(node, "phrases", LANGUAGES) or {}).items():
        where = f"phrases.{language}"
        listed = check.mapping(
            pairs, where, tuple(pairs.value) if isinstance(pairs.value, dict) else ()
        )
        if listed is None:
            continue
        if len(listed) > MAX_EXTRAS:
            check.error(pairs.line, "too_many", key=where, count=len(listed), limit=MAX_EXTRAS)
            continue
        lines = pairs.key_lines or {}
        kept: dict[str, str] = {}
        for said, means in listed.items():
            if len(said.strip()) > MAX_EXTRA_CHARS:
                check.error(
                    lines.get(said, pairs.line),
                    "too_long",
                    key=where,
                    length=len(said.strip()),
                    limit=MAX_EXTRA_CHARS,
                )
                continue
            target = check.text(means, f"{where}.{said}", MAX_EXTRA_CHARS)
            if target is not None and said.strip():
                kept[said.strip()] = target
        if kept:
            found[language] = kept
    return found


def _whole(check: ShapeCheck, node: Located | None, where: str, low: int, high: int) -> int | None:
    if node is None:
        return None
    value = check.number(node, where)
    if value is None:
        return None
    if not isinstance(value, int) or not low <= value <= high:
        check.error(node.line, "out_of_range", option=where, low=low, high=high, value=value)
        return None
    return value

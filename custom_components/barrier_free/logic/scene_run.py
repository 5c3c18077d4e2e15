"""Running a scene, without Home Assistant: which service calls to make, which roles are not
bound, and what to say afterwards.

The glue binds roles to entity ids (`Bindings`), asks `scene_availability` which scenes can run
(a scene is disabled only when a role it needs is unbound; optional steps are skipped), makes the
calls of `plan_scene`, reads the states of `plan.report` afterwards, and speaks `summarize_run`:
what was done, what could not be done and why, and what is still on or open, named as the home
names its devices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from .scene_packs import Scene, Step, phrase_key
from .scene_roles import ACTIONS, ROLES

__all__ = [
    "Bindings",
    "Outcome",
    "RunResult",
    "ScenePlan",
    "ServiceCall",
    "plan_scene",
    "scene_availability",
    "scene_for_text",
    "scene_phrases",
    "still_on_or_open",
    "summarize_run",
    "unbound_roles",
]

type Bindings = Mapping[str, Sequence[str]]  # role -> entity ids


@dataclass(frozen=True, slots=True)
class ServiceCall:
    """One Home Assistant service call of a scene."""

    domain: str
    service: str
    entity_ids: tuple[str, ...]
    data: Mapping[str, object]
    role: str
    step: Step


@dataclass(frozen=True, slots=True)
class ScenePlan:
    """What running a scene means in this home."""

    scene: Scene
    calls: tuple[ServiceCall, ...]
    missing: tuple[str, ...]  # needed roles left unbound: the scene should not run
    skipped: tuple[str, ...]  # optional roles left unbound: their steps are left out
    report: Mapping[str, tuple[str, ...]]  # role -> entities to name if still on or open

    @property
    def runnable(self) -> bool:
        """True if every role the scene needs is bound."""
        return not self.missing


class Outcome(StrEnum):
    """What happened to one entity of one call."""

    DONE = "done"
    UNAVAILABLE = "unavailable"  # the entity was unavailable: not called
    FAILED = "failed"  # the call raised


@dataclass(frozen=True, slots=True)
class RunResult:
    """The outcome of one call on one entity."""

    call: ServiceCall
    entity_id: str
    outcome: Outcome


def scene_phrases(scenes: Iterable[Scene], language: str) -> tuple[str, ...]:
    """What the recogniser's phrase list and the agent learn for `scenes` in `language`:
    each scene's name and its natural ways to say it."""
    lang = "zh" if language.lower().startswith("zh") else "en"
    said = [p for s in scenes for p in (s.name.in_language(lang), *s.phrases.get(lang, ()))]
    return tuple(dict.fromkeys(said))


def scene_for_text(text: str, scenes: Iterable[Scene], language: str) -> Scene | None:
    """The scene `text` asks for (its name or one of its phrases, in either language: a
    bilingual household mixes them), or None. The checker keeps phrases unique across scenes."""
    wanted = phrase_key(text)
    for scene in scenes:
        if any(phrase_key(phrase) == wanted for phrase in scene.said):
            return scene
    return None


def unbound_roles(scene: Scene, bindings: Bindings) -> tuple[str, ...]:
    """The roles `scene` needs that have no entity: the scene is disabled until they do."""
    return tuple(role for role in scene.needs if not bindings.get(role))


def scene_availability(scenes: Iterable[Scene], bindings: Bindings) -> dict[str, tuple[str, ...]]:
    """Scene id -> the needed roles still unbound (empty: the scene can run)."""
    return {scene.id: unbound_roles(scene, bindings) for scene in scenes}


def plan_scene(scene: Scene, bindings: Bindings, language: str) -> ScenePlan:
    """The calls of `scene` for the bound roles; notifications worded in `language`."""
    calls: list[ServiceCall] = []
    skipped: list[str] = []
    for step in scene.steps:
        entity_ids = tuple(dict.fromkeys(bindings.get(step.role, ())))
        if not entity_ids:
            if step.optional:
                skipped.append(step.role)
            continue
        by_domain: dict[str, list[str]] = {}
        for entity_id in entity_ids:
            by_domain.setdefault(entity_id.partition(".")[0], []).append(entity_id)
        for domain, ids in by_domain.items():
            call = _call_for(step, domain, tuple(ids), language)
            if call is not None:
                calls.append(call)
    report = {
        role: tuple(dict.fromkeys(bindings[role])) for role in scene.report if bindings.get(role)
    }
    return ScenePlan(
        scene,
        tuple(calls),
        unbound_roles(scene, bindings),
        tuple(dict.fromkeys(skipped)),
        report,
    )


def _call_for(
    step: Step, domain: str, entity_ids: tuple[str, ...], language: str
) -> ServiceCall | None:
    data: dict[str, object] = dict(step.data)
    if step.message is not None:
        data["message"] = step.message.in_language(language)
    if domain == step.domain:
        return ServiceCall(domain, step.service, entity_ids, data, step.role, step)
    # A light role bound to a switch: the same on/off, without the light's options.
    action = ACTIONS.get(f"{domain}.{step.service}")
    if action is None or step.service not in ("turn_on", "turn_off"):
        return None
    kept = {key: value for key, value in data.items() if key in action.options}
    return ServiceCall(domain, step.service, entity_ids, kept, step.role, step)


# States that mean "still on or open" when leaving home, per domain.
_OFF_STATES: Final = frozenset({"off", "standby", "unavailable", "unknown"})
_OPEN_COVER: Final = frozenset({"open", "opening"})
_NOT_LOCKED: Final = frozenset({"unlocked", "unlocking", "open", "opening", "jammed"})


def still_on_or_open(plan: ScenePlan, states: Mapping[str, str]) -> tuple[str, ...]:
    """The report entities that are on, open or unlocked, given entity id -> state."""
    found: list[str] = []
    for entity_ids in plan.report.values():
        for entity_id in entity_ids:
            state = states.get(entity_id)
            if state is not None and _is_on_or_open(entity_id.partition(".")[0], state):
                found.append(entity_id)
    return tuple(dict.fromkeys(found))


def _is_on_or_open(domain: str, state: str) -> bool:
    if domain == "cover":
        return state in _OPEN_COVER
    if domain == "lock":
        return state in _NOT_LOCKED
    if domain == "media_player":
        return state not in _OFF_STATES
    return state == "on"


# --- What the station says afterwards -----------------------------------------------------------

_SAY: Final[Mapping[str, Mapping[str, str]]] = {
    "zh": {
        "turn_on": "已打开{names}",
        "dim": "已把{names}调暗",
        "turn_off": "已关闭{names}",
        "open_cover": "已拉开{names}",
        "close_cover": "已关上{names}",
        "stop_cover": "已停下{names}",
        "set_cover_position": "已调好{names}的位置",
        "media_pause": "已暂停{names}",
        "media_stop": "已停止播放{names}",
        "volume_set": "已调好{names}的音量",
        "lock": "已锁上{names}",
        "alarm_arm_away": "已给{names}布防",
        "alarm_arm_home": "已给{names}设为在家布防",
        "send_message": "已通知{names}",
        "unavailable": "{names}现在连不上",
        "failed": "{names}没有响应",
        "missing": "还没有给{names}设置设备",
        "still_on": "还开着：{names}",
        "all_closed": "门窗和设备都关好了",
        "nothing": "没有可以做的操作",
        "scene": "{name}：",
        "and": "和",
        "comma": "、",
    },
    "en": {
        "turn_on": "Turned on {names}",
        "dim": "Dimmed {names}",
        "turn_off": "Turned off {names}",
        "open_cover": "Opened {names}",
        "close_cover": "Closed {names}",
        "stop_cover": "Stopped {names}",
        "set_cover_position": "Moved {names}",
        "media_pause": "Paused {names}",
        "media_stop": "Stopped {names}",
        "volume_set": "Set the volume of {names}",
        "lock": "Locked {names}",
        "alarm_arm_away": "Armed {names}",
        "alarm_arm_home": "Armed {names} in home mode",
        "send_message": "Notified {names}",
        "unavailable": "Could not reach {names}",
        "failed": "{names} did not respond",
        "missing": "No device is set up for {names}",
        "still_on": "Still on or open: {names}",
        "all_closed": "Doors, windows and devices are all closed and off",
        "nothing": "There was nothing to do",
        "scene": "{name}. ",
        "and": " and ",
        "comma": ", ",
    },
}


def summarize_run(
    plan: ScenePlan,
    results: Iterable[RunResult],
    still_on: Sequence[str],
    names: Mapping[str, str],
    language: str,
) -> str:
    """What the station says after a scene ran, in `language`.

    `names` maps entity ids to the names the home gives them (friendly names in the household's
    language); an entity without one is called by its role's name.
    """
    lang = "zh" if language.lower().startswith("zh") else "en"
    table = _SAY[lang]

    def name_of(entity_id: str, role: str) -> str:
        return names.get(entity_id) or _role_name(role, lang)

    done: dict[str, list[str]] = {}
    failed: dict[str, list[str]] = {}
    for result in results:
        name = name_of(result.entity_id, result.call.role)
        if result.outcome is Outcome.DONE:
            done.setdefault(_verb(result.call), []).append(name)
        else:
            failed.setdefault(result.outcome.value, []).append(name)

    # Done first (one clause per kind of action), then what failed, then what is still open.
    done_parts = [table[verb].format(names=_join(items, lang)) for verb, items in done.items()]
    other_parts = [table[why].format(names=_join(items, lang)) for why, items in failed.items()]
    if plan.missing:
        roles = [_role_name(role, lang) for role in plan.missing]
        other_parts.append(table["missing"].format(names=_join(roles, lang)))
    if plan.report:
        open_names = [
            name_of(entity_id, role)
            for role, ids in plan.report.items()
            for entity_id in ids
            if entity_id in still_on
        ]
        other_parts.append(
            table["still_on"].format(names=_join(open_names, lang))
            if open_names
            else table["all_closed"]
        )
    if not done_parts and not other_parts:
        done_parts.append(table["nothing"])
    head = table["scene"].format(name=_capitalised(plan.scene.name.in_language(lang)))
    if lang == "zh":
        sentences = ["，".join(done_parts)] if done_parts else []
        sentences += other_parts
        return head + "".join(f"{sentence}。" for sentence in sentences)
    return head + " ".join(f"{_capitalised(sentence)}." for sentence in [*done_parts, *other_parts])


def _role_name(role: str, language: str) -> str:
    # Role names are common nouns ("front door lock"); the home's own names are proper names.
    name = ROLES[role].name(language)
    return name if language == "zh" else f"the {name}"


def _verb(call: ServiceCall) -> str:
    if call.service == "turn_on" and float(str(call.data.get("brightness_pct", 100))) < 50:
        return "dim"
    return call.service if call.service in _SAY["en"] else "turn_on"


def _join(items: Iterable[str], language: str) -> str:
    # The same rule as spoken.join_names, which logic/ cannot import until it moves here.
    names = list(dict.fromkeys(items))
    if len(names) <= 1:
        return "".join(names)
    table = _SAY[language]
    return table["comma"].join(names[:-1]) + table["and"] + names[-1]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]

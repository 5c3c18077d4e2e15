"""Scene packs and accessibility profiles: the schema, the checker and the loader.

Two kinds of YAML file live in `scenes/` (documented for installers in scenes/README.md):
a *pack* (`pack: <id>`) defines scenes written against roles; a *profile*
(`profile: <id>`) picks scenes and says which events are announced, and how. Every file is
checked on its own; a file with any problem is left out whole and its problems are reported
with file, line and both languages, while every other file still loads. Profiles are checked
after packs, so a profile naming a scene of a broken pack says so.

`load_library(folder)` reads files (blocking: the glue runs it in an executor);
`read_library(files)` does the same from bytes already read. `python -m` this module (or
`script/check-packs DIR`) prints every problem and exits 1 if there is any.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from .pack_errors import PackError
from .pack_shapes import ID, LANGUAGES, ShapeCheck, Text
from .pack_yaml import MAX_BYTES, Located, parse_yaml
from .scene_roles import ACTIONS, EVENTS, OPENING_COVER_ACTIONS, ROLES, SENSITIVE_ACTIONS

__all__ = [
    "BUNDLED_FOLDER",
    "HOW",
    "LANGUAGES",
    "Announcement",
    "Library",
    "Pack",
    "Profile",
    "Scene",
    "Step",
    "Text",
    "load_library",
    "main",
    "phrase_key",
    "read_library",
]

HOW: Final = ("speech", "flash", "both")
# Domains with an on/open state worth saying when leaving home.
# The integration's own copy of scenes/ (made by script/bundle-packs): what it loads at run time.
BUNDLED_FOLDER: Final = Path(__file__).resolve().parent.parent / "scenes"
REPORTABLE_DOMAINS: Final = frozenset(
    {"light", "switch", "fan", "cover", "media_player", "lock", "binary_sensor"}
)


@dataclass(frozen=True, slots=True)
class Step:
    """One action of a scene on one role."""

    action: str  # "light.turn_on"
    role: str
    data: Mapping[str, float] = field(default_factory=dict)
    message: Text | None = None  # notifications only
    optional: bool = False  # an unbound optional role is skipped, not disabling the scene
    line: int = 0

    @property
    def domain(self) -> str:
        """The action's domain ("light")."""
        return self.action.partition(".")[0]

    @property
    def service(self) -> str:
        """The action's service ("turn_on")."""
        return self.action.partition(".")[2]


@dataclass(frozen=True, slots=True)
class Scene:
    """A scene: names and ways to say it in both languages, its steps and what it reports."""

    id: str
    pack: str
    file: str
    line: int
    name: Text
    phrases: Mapping[str, tuple[str, ...]]  # language -> natural ways to say it
    description: Text
    steps: tuple[Step, ...]
    report: tuple[str, ...] = ()  # roles whose entities are named if still on or open

    @property
    def needs(self) -> tuple[str, ...]:
        """The roles the scene cannot run without (those of its non-optional steps)."""
        return tuple(dict.fromkeys(step.role for step in self.steps if not step.optional))

    @property
    def said(self) -> tuple[str, ...]:
        """Every way to ask for the scene: its names and phrases in both languages."""
        return (self.name.zh, self.name.en, *(p for ps in self.phrases.values() for p in ps))

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role the scene uses."""
        return tuple(dict.fromkeys([*(step.role for step in self.steps), *self.report]))


@dataclass(frozen=True, slots=True)
class Pack:
    """The scenes of one pack file."""

    id: str
    file: str
    scenes: tuple[Scene, ...]


@dataclass(frozen=True, slots=True)
class Announcement:
    """How a profile announces one event."""

    how: str  # speech, flash or both
    after_minutes: int | None = None  # for "left open" events


@dataclass(frozen=True, slots=True)
class Profile:
    """An accessibility profile: its scenes and its announcements."""

    id: str
    file: str
    name: Text
    description: Text
    scenes: tuple[str, ...]
    announce: Mapping[str, Announcement]


@dataclass(frozen=True, slots=True)
class Library:
    """The good packs and profiles, and every problem found in the others."""

    packs: tuple[Pack, ...]
    profiles: Mapping[str, Profile]
    errors: tuple[PackError, ...]

    @property
    def scenes(self) -> Mapping[str, Scene]:
        """Every scene of the good packs, by id."""
        return {scene.id: scene for pack in self.packs for scene in pack.scenes}

    def scenes_of(self, profile_ids: Iterable[str]) -> tuple[Scene, ...]:
        """The scenes of the chosen profiles, each once, in profile order."""
        scenes = self.scenes
        ids = [
            sid for pid in profile_ids if pid in self.profiles for sid in self.profiles[pid].scenes
        ]
        return tuple(scenes[sid] for sid in dict.fromkeys(ids) if sid in scenes)

    def announcements(self, profile_ids: Iterable[str]) -> dict[str, Announcement]:
        """How each event is announced for a household with these profiles.

        Profiles add up: speech from one and flash from another make both (a blind resident
        living with a deaf one), and a "left open" event is announced at the earliest minute.
        """
        merged: dict[str, Announcement] = {}
        for profile_id in profile_ids:
            profile = self.profiles.get(profile_id)
            for event, wanted in (profile.announce if profile else {}).items():
                have = merged.get(event)
                if have is None:
                    merged[event] = wanted
                    continue
                how = have.how if have.how == wanted.how else "both"
                minutes = [m for m in (have.after_minutes, wanted.after_minutes) if m is not None]
                merged[event] = Announcement(how, min(minutes) if minutes else None)
        return merged


# --- Loading ------------------------------------------------------------------------------------


def load_library(folder: Path) -> Library:
    """Check and load every *.yaml file under `folder` (blocking file reads)."""
    if not folder.is_dir():
        return Library(
            (), {}, (PackError(str(folder), None, "not_a_folder", {"path": str(folder)}),)
        )
    files: dict[str, bytes] = {}
    unreadable: list[PackError] = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml")):
        if not path.is_file():  # a folder or a pipe named *.yaml: never open it
            unreadable.append(PackError(str(path), None, "unreadable", {"detail": "not a file"}))
            continue
        try:
            with path.open("rb") as handle:
                # One byte more than allowed is enough to refuse a huge file.
                files[str(path)] = handle.read(MAX_BYTES + 1)
        except OSError as error:
            unreadable.append(PackError(str(path), None, "unreadable", {"detail": str(error)}))
    library = read_library(files)
    return Library(library.packs, library.profiles, (*unreadable, *library.errors))


def read_library(files: Mapping[str, bytes]) -> Library:
    """Check and load packs and profiles given as file name -> content."""
    errors: list[PackError] = []
    pack_trees: list[tuple[str, Located]] = []
    profile_trees: list[tuple[str, Located]] = []
    for name in sorted(files):
        tree, problem = parse_yaml(files[name], name)
        if problem is not None or tree is None:
            errors.append(problem or PackError(name, None, "empty"))
        elif isinstance(tree.value, dict) and "pack" in tree.value:
            pack_trees.append((name, tree))
        elif isinstance(tree.value, dict) and "profile" in tree.value:
            profile_trees.append((name, tree))
        else:
            errors.append(PackError(name, tree.line, "wrong_kind"))

    packs: list[Pack] = []
    scene_files: dict[str, str] = {}
    phrase_owner: dict[str, str] = {}
    for name, tree in pack_trees:
        check = _Check(name)
        pack = check.pack(tree, scene_files, phrase_owner)
        if pack is None or check.errors:
            errors.extend(check.sorted_errors())
            continue
        packs.append(pack)
        for scene in pack.scenes:
            scene_files[scene.id] = name
            for phrase in scene.said:
                phrase_owner[phrase_key(phrase)] = scene.id

    profiles: dict[str, Profile] = {}
    for name, tree in profile_trees:
        check = _Check(name)
        profile = check.profile(tree, scene_files, profiles)
        if profile is None or check.errors:
            errors.extend(check.sorted_errors())
            continue
        profiles[profile.id] = profile
    return Library(tuple(packs), profiles, tuple(errors))


_END_PUNCTUATION: Final = "。！？!?.,，、…~～"


def phrase_key(phrase: str) -> str:
    """The form in which two ways of writing a phrase compare equal: recognised Mandarin has
    spaces between words, and case and end punctuation do not matter."""
    return "".join(phrase.casefold().split()).strip(_END_PUNCTUATION)


# --- Checking -----------------------------------------------------------------------------------


class _Check(ShapeCheck):
    """The checks of one pack or profile file."""

    # Packs.

    def pack(
        self, tree: Located, scene_files: Mapping[str, str], phrase_owner: Mapping[str, str]
    ) -> Pack | None:
        top = self.mapping(tree, "", ("pack", "scenes"), ("pack", "scenes"))
        if top is None:
            return None
        pack_id = self.ident(top["pack"], "pack") if "pack" in top else None
        scenes: list[Scene] = []
        seen: dict[str, str] = {}
        if "scenes" in top:
            node = top["scenes"]
            fields = self.mapping(
                node, "scenes", tuple(node.value) if isinstance(node.value, dict) else ()
            )
            if fields is not None and not fields:
                self.error(node.line, "empty_list", key="scenes")
            for scene_id, scene_node in (fields or {}).items():
                line = (node.key_lines or {}).get(scene_id, scene_node.line)
                if not ID.fullmatch(scene_id):
                    self.error(line, "invalid_id", value=scene_id)
                    continue
                if scene_id in scene_files:
                    self.error(line, "duplicate_scene", scene=scene_id, other=scene_files[scene_id])
                scene = self.scene(scene_id, pack_id or "?", line, scene_node)
                if scene is None:
                    continue
                for phrase in scene.said:
                    key = phrase_key(phrase)
                    owner = phrase_owner.get(key) or seen.get(key)
                    if owner is not None and owner != scene.id:
                        self.error(line, "duplicate_phrase", phrase=phrase, scene=owner)
                    seen[key] = scene.id
                scenes.append(scene)
        if pack_id is None:
            return None
        return Pack(pack_id, self.file, tuple(scenes))

    def scene(self, scene_id: str, pack_id: str, line: int, node: Located) -> Scene | None:
        where = f"scenes.{scene_id}"
        fields = self.mapping(
            node,
            where,
            ("name", "say", "description", "steps", "report"),
            ("name", "say", "description", "steps"),
            line,
        )
        if fields is None:
            return None
        name = self.both(fields["name"], f"{where}.name") if "name" in fields else None
        description = (
            self.both(fields["description"], f"{where}.description")
            if "description" in fields
            else None
        )
        phrases = self.phrases(fields["say"], f"{where}.say") if "say" in fields else {}
        steps = tuple(
            step
            for item in (self.items(fields["steps"], f"{where}.steps") if "steps" in fields else [])
            if (step := self.step(item, f"{where}.steps")) is not None
        )
        report: list[str] = []
        for item in self.items(fields["report"], f"{where}.report") if "report" in fields else []:
            role = self.role(item, f"{where}.report")
            if role is None:
                continue
            if not REPORTABLE_DOMAINS & set(ROLES[role].accepts):
                self.error(item.line, "not_reportable", role=role)
                continue
            report.append(role)
        if name is None or description is None or not steps:
            return None
        return Scene(
            scene_id, pack_id, self.file, line, name, phrases, description, steps, tuple(report)
        )

    def role(self, node: Located, where: str) -> str | None:
        role = self.text(node, where)
        if role is not None and role not in ROLES:
            self.error(node.line, "unknown_role", role=role)
            return None
        return role

    def step(self, node: Located, where: str) -> Step | None:
        fields = self.mapping(
            node, where, ("action", "role", "data", "message", "optional"), ("action", "role")
        )
        if fields is None or "action" not in fields or "role" not in fields:
            return None
        action = self.text(fields["action"], f"{where}.action")
        role = self.role(fields["role"], f"{where}.role")
        if action is None:
            return None
        line = fields["action"].line
        if action in SENSITIVE_ACTIONS or (
            action in OPENING_COVER_ACTIONS and role is not None and ROLES[role].opens_the_home
        ):
            self.error(line, "sensitive_action", action=action, role=role or "?")
            return None
        if action not in ACTIONS:
            domain = action.partition(".")[0]
            same_domain = [known for known in ACTIONS if known.startswith(f"{domain}.")]
            self.error(
                line, "unknown_action", action=action, allowed=", ".join(same_domain or ACTIONS)
            )
            return None
        if role is None:
            return None
        domain = action.partition(".")[0]
        if domain not in ROLES[role].accepts:
            self.error(
                line,
                "action_not_for_role",
                action=action,
                role=role,
                domains="/".join(ROLES[role].accepts),
            )
            return None
        spec = ACTIONS[action]
        data: dict[str, float] = {}
        if "data" in fields:
            options = self.mapping(fields["data"], f"{where}.data", tuple(spec.options)) or {}
            for option, value_node in options.items():
                value = self.number(value_node, f"{where}.data.{option}")
                limits = spec.options[option]
                if value is None:
                    continue
                if (
                    limits.integer and not isinstance(value, int)
                ) or not limits.low <= value <= limits.high:
                    self.error(
                        value_node.line,
                        "out_of_range",
                        option=option,
                        low=_num(limits.low),
                        high=_num(limits.high),
                        value=value,
                    )
                    continue
                data[option] = value
        for option, limits in spec.options.items():
            if (
                limits.required
                and option not in data
                and not any(
                    e.code == "out_of_range" and e.params.get("option") == option
                    for e in self.errors
                )
            ):
                self.error(node.line, "missing_option", action=action, option=option)
        message: Text | None = None
        if spec.message:
            if "message" in fields:
                message = self.both(fields["message"], f"{where}.message")
            else:
                self.error(node.line, "missing_option", action=action, option="message")
        elif "message" in fields:
            self.error(
                fields["message"].line,
                "unknown_option",
                action=action,
                option="message",
                allowed=", ".join(spec.options) or "-",
            )
        optional = False
        if "optional" in fields:
            if isinstance(fields["optional"].value, bool):
                optional = fields["optional"].value
            else:
                self.error(fields["optional"].line, "expected_yes_no", key=f"{where}.optional")
        return Step(action, role, data, message, optional, line)

    # Profiles.

    def profile(
        self, tree: Located, scene_files: Mapping[str, str], profiles: Mapping[str, Profile]
    ) -> Profile | None:
        keys = ("profile", "name", "description", "scenes", "announce")
        top = self.mapping(tree, "", keys, keys)
        if top is None or set(keys) - set(top):
            return None
        profile_id = self.ident(top["profile"], "profile")
        if profile_id is not None and profile_id in profiles:
            self.error(
                top["profile"].line,
                "duplicate_profile",
                profile=profile_id,
                other=profiles[profile_id].file,
            )
        name = self.both(top["name"], "name")
        description = self.both(top["description"], "description")
        scenes: list[str] = []
        for item in self.items(top["scenes"], "scenes"):
            scene = self.text(item, "scenes")
            if scene is not None and scene not in scene_files:
                self.error(item.line, "unknown_scene", scene=scene)
            elif scene is not None:
                scenes.append(scene)
        announce: dict[str, Announcement] = {}
        node = top["announce"]
        events = (
            self.mapping(
                node, "announce", tuple(node.value) if isinstance(node.value, dict) else ()
            )
            or {}
        )
        for event, how_node in events.items():
            line = (node.key_lines or {}).get(event, how_node.line)
            if event not in EVENTS:
                self.error(line, "unknown_event", event=event, known=", ".join(EVENTS))
                continue
            found = self.announcement(event, how_node)
            if found is not None:
                announce[event] = found
        if profile_id is None or name is None or description is None:
            return None
        return Profile(profile_id, self.file, name, description, tuple(scenes), announce)

    def announcement(self, event: str, node: Located) -> Announcement | None:
        where = f"announce.{event}"
        if isinstance(node.value, dict):
            fields = self.mapping(node, where, ("how", "after_minutes"), ("how",)) or {}
        else:
            fields = {"how": node}
        if "how" not in fields:
            return None
        how = self.text(fields["how"], f"{where}.how")
        if how is not None and how not in HOW:
            self.error(fields["how"].line, "unknown_how", value=how)
            how = None
        minutes: int | None = None
        if "after_minutes" in fields:
            value_node = fields["after_minutes"]
            value = self.number(value_node, f"{where}.after_minutes")
            if not EVENTS[event].lasting:
                self.error(value_node.line, "minutes_not_allowed", event=event)
            elif value is not None and (not isinstance(value, int) or not 1 <= value <= 240):
                self.error(
                    value_node.line,
                    "out_of_range",
                    option="after_minutes",
                    low=1,
                    high=240,
                    value=value,
                )
            elif value is not None:
                minutes = int(value)
        elif EVENTS[event].lasting:
            self.error(node.line, "minutes_required", event=event)
        return Announcement(how, minutes) if how is not None else None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --- Command line ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Check a folder of packs and profiles; print every problem; 1 if there is any."""
    args = list(sys.argv[1:] if argv is None else argv)
    folder = Path(args[0] if args else "scenes")
    library = load_library(folder)
    for error in library.errors:
        print(error, file=sys.stderr)
    scenes = sum(len(pack.scenes) for pack in library.packs)
    print(
        f"{folder}: {len(library.packs)} packs ({scenes} scenes), {len(library.profiles)} profiles,"
        f" {len(library.errors)} problems / {len(library.packs)} 个场景包（{scenes} 个场景），"
        f"{len(library.profiles)} 个用户配置，{len(library.errors)} 个问题"
    )
    return 1 if library.errors else 0


if __name__ == "__main__":
    sys.exit(main())

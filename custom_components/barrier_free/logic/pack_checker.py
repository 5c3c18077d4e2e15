"""The checks of one pack or profile file: known roles, allowed actions and their options per
domain, sensitive actions refused, both languages present, profiles' scenes and events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .pack_shapes import ID, ShapeCheck
from .pack_yaml import Located
from .scene_model import HOW, Announcement, Exhibit, Pack, Profile, Scene, Step, Text, phrase_key
from .scene_roles import ACTIONS, EVENTS, OPENING_COVER_ACTIONS, ROLES, SENSITIVE_ACTIONS

__all__ = ["PackCheck"]

# Domains with an on/open state worth saying when leaving home.
REPORTABLE_DOMAINS: Final = frozenset(
    {"light", "switch", "fan", "cover", "media_player", "lock", "binary_sensor"}
)


class PackCheck(ShapeCheck):
    """The checks of one pack or profile file; problems pile up in `errors`."""

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
        top = self.mapping(tree, "", (*keys, "exhibits"), keys)
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
        exhibits = self.exhibits(top["exhibits"]) if "exhibits" in top else {}
        if profile_id is None or name is None or description is None:
            return None
        return Profile(profile_id, self.file, name, description, tuple(scenes), announce, exhibits)

    def exhibits(self, node: Located) -> dict[str, Exhibit]:
        """`exhibits:` role -> {name, description}: what a showroom visitor may ask about."""
        roles = tuple(node.value) if isinstance(node.value, dict) else ()
        fields = self.mapping(node, "exhibits", roles) or {}
        found: dict[str, Exhibit] = {}
        for role, exhibit_node in fields.items():
            line = (node.key_lines or {}).get(role, exhibit_node.line)
            if role not in ROLES:
                self.error(line, "unknown_role", role=role)
                continue
            where = f"exhibits.{role}"
            keys = ("name", "description")
            parts = self.mapping(exhibit_node, where, keys, keys, line)
            if parts is None or set(keys) - set(parts):
                continue
            name = self.both(parts["name"], f"{where}.name")
            description = self.both(parts["description"], f"{where}.description")
            if name is not None and description is not None:
                found[role] = Exhibit(role, name, description)
        return found

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

"""What scene packs and profiles hold, once checked: scenes, their steps, profiles and the
library of everything that loaded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from .pack_errors import PackError
from .pack_shapes import Text

__all__ = [
    "HOW",
    "Announcement",
    "Exhibit",
    "Library",
    "Pack",
    "Profile",
    "Scene",
    "Step",
    "Text",
    "phrase_key",
]

HOW: Final = ("speech", "flash", "both")


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
class Exhibit:
    """A device a showroom visitor can ask about: the role it is bound to, what visitors call
    it, and what it is for (spoken when asked)."""

    role: str
    name: Text
    description: Text


@dataclass(frozen=True, slots=True)
class Profile:
    """An accessibility profile: its scenes and its announcements."""

    id: str
    file: str
    name: Text
    description: Text
    scenes: tuple[str, ...]
    announce: Mapping[str, Announcement]
    exhibits: Mapping[str, Exhibit] = field(default_factory=dict)  # by role (showroom)


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


_END_PUNCTUATION: Final = "。！？!?.,，、…~～"


def phrase_key(phrase: str) -> str:
    """The form in which two ways of writing a phrase compare equal: recognised Mandarin has
    spaces between words, and case and end punctuation do not matter."""
    return "".join(phrase.casefold().split()).strip(_END_PUNCTUATION)

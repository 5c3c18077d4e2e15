"""Scene packs and accessibility profiles: loading and checking a folder of them.

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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from .pack_checker import PackCheck
from .pack_errors import PackError
from .pack_shapes import LANGUAGES, Text
from .pack_yaml import MAX_BYTES, Located, parse_yaml
from .scene_model import HOW, Announcement, Library, Pack, Profile, Scene, Step, phrase_key

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

# The integration's own copy of scenes/ (made by script/bundle-packs): what it loads at run time.
BUNDLED_FOLDER: Final = Path(__file__).resolve().parent.parent / "scenes"


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
        check = PackCheck(name)
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
        check = PackCheck(name)
        profile = check.profile(tree, scene_files, profiles)
        if profile is None or check.errors:
            errors.extend(check.sorted_errors())
            continue
        profiles[profile.id] = profile
    return Library(tuple(packs), profiles, tuple(errors))


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

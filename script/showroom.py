"""Start the barrier-free showroom: a voice station and a real Home Assistant with demo devices.

Run through `script/run`. Everything lives in .cache/showroom (delete it to start afresh).
`script/run --tour [zh|en]` plays the guided tour against the running showroom (or starts one).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "script" / "showroom"
DASHBOARD_PATH = "showroom-dash/home"
STAFF_USER = "staff"
# Shown in the banner: what a visitor can say, in each language.
TRY = {
    "中文": [
        "帮我打开客厅灯",
        "把卧室窗帘打开",
        "家里一切正常吗",
        "客厅温度是多少",
        "打开车库门（会先确认）",
    ],
    "English": [
        "can you switch on the living room light please",
        "open the bedroom curtains",
        "is everything okay at home",
        "are the doors locked",
        "open the garage door (asks first)",
    ],
}


class ShowroomError(Exception):
    """A problem the staff can fix; the message says how."""


def _prepare_config(config: Path, showroom: dict[str, Any], ha_port: int) -> None:
    (config / ".storage").mkdir(parents=True, exist_ok=True)
    text = (SOURCE / "configuration.yaml").read_text(encoding="utf-8")
    if _stored_http_port(config) != ha_port:
        # Home Assistant takes YAML http settings once, as a trial it reverts (restarting on
        # the old port) unless confirmed within 5 minutes: showroom_setup confirms it. Later
        # starts use the stored settings; YAML left in place would only raise a repair.
        (config / ".storage" / "http").unlink(missing_ok=True)
        text += f"\nhttp:\n  server_port: {ha_port}\n"
    (config / "configuration.yaml").write_text(text, encoding="utf-8")
    onboarding = config / ".storage" / "onboarding"
    if not onboarding.exists():
        # Every step done: no wizard. The owner account, location, language and units come
        # from showroom_setup and configuration.yaml instead, and the wizard's last step
        # (which adds integrations that need the internet) never runs.
        steps = ["user", "core_config", "analytics", "integration"]
        store = {"version": 4, "minor_version": 1, "key": "onboarding", "data": {"done": steps}}
        onboarding.write_text(json.dumps(store), encoding="utf-8")
    components = config / "custom_components"
    components.mkdir(exist_ok=True)
    for name, target in (
        ("barrier_free", ROOT / "custom_components" / "barrier_free"),
        ("showroom_setup", SOURCE / "custom_components" / "showroom_setup"),
    ):
        link = components / name
        if link.is_symlink() or link.exists():
            if link.is_symlink() or link.is_file():
                link.unlink()
            else:
                shutil.rmtree(link)
        link.symlink_to(target, target_is_directory=True)
    _write_private(config / "showroom.json", json.dumps(showroom))
    (config / "showroom-ready.json").unlink(missing_ok=True)


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it holds a password or a token)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)


def _stored_http_port(config: Path) -> int | None:
    """The port in Home Assistant's stored (confirmed) http settings, if any."""
    try:
        stored = json.loads((config / ".storage" / "http").read_text(encoding="utf-8"))
        port = stored["data"]["stable"]["server_port"]
    except OSError, ValueError, KeyError, TypeError:
        return None
    return port if isinstance(port, int) and stored["data"].get("pending") is None else None


def staff_login(state: Path) -> dict[str, str]:
    """The staff account's login: made once, then read from the state folder."""
    path = state / "staff-login.json"
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return data
    login = {"name": "展厅工作人员", "username": STAFF_USER, "password": secrets.token_urlsafe(9)}
    _write_private(path, json.dumps(login, ensure_ascii=False))
    return login


def _check_port_free(port: int, what: str, flag: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # as the servers do: connections of a showroom just stopped do not count
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise ShowroomError(
                f"port {port} ({what}) is taken by another program: stop it, "
                f"or choose another port with {flag} N"
            ) from None


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_token(token_file: Path, proc: subprocess.Popen[bytes], log: Path, port: int) -> str:
    """The pairing token, once the station listens (it writes the token before its models)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ShowroomError(
                f"the voice station stopped (exit {proc.returncode}); "
                f"last lines of {log}:\n{_tail(log)}"
            )
        if (
            token_file.exists()
            and token_file.read_text(encoding="utf-8").strip()
            and _listening(port)
        ):
            return token_file.read_text(encoding="utf-8").strip()
        time.sleep(0.2)
    raise ShowroomError(f"the voice station did not write its token to {token_file} in 120 s")


def _wait_for_ready(
    ready_file: Path, procs: dict[str, subprocess.Popen[bytes]], logs: dict[str, Path]
) -> dict[str, Any]:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        for what, proc in procs.items():
            if proc.poll() is not None:
                raise ShowroomError(
                    f"{what} stopped (exit {proc.returncode}); last lines of {logs[what]}:\n"
                    f"{_tail(logs[what])}"
                )
        if ready_file.exists():
            ready: dict[str, Any] = json.loads(ready_file.read_text(encoding="utf-8"))
            return ready
        time.sleep(0.3)
    raise ShowroomError(
        f"Home Assistant was not ready in 10 minutes; last lines of its log:\n"
        f"{_tail(logs['Home Assistant'])}"
    )


def running_showroom(state: Path) -> dict[str, Any] | None:
    """What a showroom started from this state folder says about itself, if it answers."""
    try:
        info: dict[str, Any] = json.loads((state / "running.json").read_text(encoding="utf-8"))
        os.kill(info["pid"], 0)
    except OSError, ValueError, KeyError:
        return None
    return info if _listening(info["ha_port"]) else None


def _banner(info: dict[str, Any], ready: dict[str, Any], logs: dict[str, Path]) -> str:
    login = info["login"]
    station = ready.get("station") or {}
    lines = [
        "",
        "无障碍智能家居展厅 · Barrier-Free Home showroom — ready",
        f"  Open       {info['url']}/{DASHBOARD_PATH}",
        f"  Login      {login['username']} / {login['password']}"
        f"   (kept in {info['state']}/staff-login.json)",
        "  Assist     the speech-bubble button at the top right, or press A; pipelines "
        + ", ".join(f"展厅 ({label})" for label in ("中文", "English"))
        + ("" if station else "   (no station: see its log)"),
    ]
    for language, phrases in TRY.items():
        lines.append(f"  Try ({language}) " + " · ".join(phrases))
    if info["mandarin_hearing"]:
        reason = info["mandarin_hearing"].removeprefix("错误: ").removeprefix("Error: ")
        lines.append("  Mandarin   typed only (no Mandarin recogniser yet): " + reason)
    lines += [
        "  Alerts     dashboard card 演示：触发事件 → "
        "按门铃 (doorbell), 厨房漏水 (leak), 烟雾 (smoke)",
        "  Tour       script/run --tour en   (or --tour zh), in a second terminal",
        "  Logs       " + ", ".join(f"{what}: {path}" for what, path in logs.items()),
        "  Stop       Ctrl-C",
        "",
    ]
    return "\n".join(lines)


def _start(
    args: argparse.Namespace, state: Path, procs: dict[str, subprocess.Popen[bytes]]
) -> tuple[dict[str, Any], dict[str, Path]]:
    """Start the station and Home Assistant; what the banner and the tour need."""
    _check_port_free(args.station_port, "the voice station", "--station-port")
    _check_port_free(args.ha_port, "Home Assistant", "--ha-port")
    log_dir = state / "logs"
    log_dir.mkdir(exist_ok=True)
    logs = {"Home Assistant": log_dir / "homeassistant.log", "station": log_dir / "station.log"}
    for log in logs.values():
        # this start's lines only (the last ones are shown on a failure); one start kept
        if log.exists():
            log.replace(log.with_suffix(".log.1"))
    if args.setup_log:
        logs = {"setup": Path(args.setup_log), **logs}
    languages = args.lang or "zh,en"
    note = ""
    try:
        token = _start_station(args, languages, state, procs, logs["station"])
    except ShowroomError:
        if args.lang or "zh" not in _tail(logs["station"], 3):
            raise
        # No Mandarin recogniser installed yet: English speech, Mandarin typed (the station
        # said what to install; the banner repeats it).
        note = _tail(logs["station"], 1)
        languages = "en"
        token = _start_station(args, languages, state, procs, logs["station"])
    login = staff_login(state)
    config = state / "config"
    showroom = {
        "station": {
            "host": "127.0.0.1",
            "port": args.station_port,
            "token": token,
            "asr_languages": languages.split(","),
        },
        "staff": login,
    }
    _prepare_config(config, showroom, args.ha_port)
    with logs["Home Assistant"].open("ab") as out:
        procs["Home Assistant"] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "homeassistant",
                "-c",
                str(config),
                "--skip-pip",
                "--log-no-color",
            ],
            # not the repository: its custom_components/ would shadow the config's
            cwd=config,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
    ha_logs = {"Home Assistant": logs["Home Assistant"], "the voice station": logs["station"]}
    ready = _wait_for_ready(config / "showroom-ready.json", procs, ha_logs)
    info = {
        "mandarin_hearing": note,
        "url": f"http://127.0.0.1:{args.ha_port}",
        "ha_port": args.ha_port,
        "state": str(state),
        "login": login,
        "pid": os.getpid(),
        "pipelines": (ready.get("station") or {}).get("pipelines", {}),
        "station": ready.get("station"),
    }
    (state / "running.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    return info | {"ready": ready}, logs


def _start_station(
    args: argparse.Namespace,
    languages: str,
    state: Path,
    procs: dict[str, subprocess.Popen[bytes]],
    log: Path,
) -> str:
    """Start the station for these recognition languages; its pairing token."""
    station_dir = state / "station"
    station_dir.mkdir(parents=True, exist_ok=True)
    token_file = station_dir / "token"
    with log.open("ab") as out:  # appended: a retry without Mandarin follows the first try
        procs["the voice station"] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voice",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(args.station_port),
                "--name",
                "展厅",
                "--lang",
                languages,
                "--no-zeroconf",
                "--state-dir",
                str(station_dir),
                "--token-file",
                str(token_file),
            ],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Own process groups: Ctrl-C or a service manager's group signal reaches only
            # this script, which stops each child with exactly one signal (Home Assistant
            # takes a second signal during its shutdown as an interrupt).
            start_new_session=True,
        )
    return _wait_for_token(token_file, procs["the voice station"], log, args.station_port)


def _stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in reversed(procs.values()):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in reversed(procs.values()):
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _load_tour() -> ModuleType:
    spec = importlib.util.spec_from_file_location("showroom_tour", SOURCE / "tour.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["showroom_tour"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _port(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (1-65535)")
    return port


def _serve(args: argparse.Namespace, state: Path, procs: dict[str, subprocess.Popen[bytes]]) -> int:
    """Start the showroom; play the tour, or serve until Ctrl-C or a part stops."""
    info, logs = _start(args, state, procs)
    if args.tour:
        return int(_load_tour().play(info, args.tour, state / "tour", short=args.short))
    print(_banner(info, info["ready"], logs), flush=True)
    while all(p.poll() is None for p in procs.values()):
        time.sleep(0.5)
    part_logs = {"Home Assistant": logs["Home Assistant"], "the voice station": logs["station"]}
    for what, proc in procs.items():
        if proc.returncode is not None:
            print(
                f"showroom: {what} stopped (exit {proc.returncode}); "
                f"last lines of {part_logs[what]}:\n{_tail(part_logs[what])}",
                file=sys.stderr,
            )
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", default=str(ROOT / ".cache" / "showroom"), help="state folder")
    parser.add_argument("--station-port", type=_port, default=10800)
    parser.add_argument("--ha-port", type=_port, default=8123)
    parser.add_argument(
        "--lang", help="station recognition languages (default zh,en; en if no Mandarin model)"
    )
    parser.add_argument(
        "--tour",
        nargs="?",
        const="zh",
        choices=["zh", "en"],
        help="play the guided tour in this language (against the running showroom, or start one)",
    )
    parser.add_argument(
        "--short",
        action="store_true",
        help="with --tour: only a command and a confirmed sensitive one (3 steps)",
    )
    parser.add_argument("--setup-log", help=argparse.SUPPRESS)  # named in the banner
    args = parser.parse_args()
    state = Path(args.state).resolve()
    state.mkdir(parents=True, exist_ok=True)

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C, or SIGTERM (a service manager, `timeout`)

    signal.signal(signal.SIGTERM, stop)
    # Also when started in the background, where a shell makes the process ignore Ctrl-C.
    signal.signal(signal.SIGINT, stop)
    if args.tour and (info := running_showroom(state)) is not None:
        return int(_load_tour().play(info, args.tour, state / "tour", short=args.short))
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        return _serve(args, state, procs)
    except ShowroomError as err:
        print(f"showroom: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    finally:
        # One stop at a time: a second Ctrl-C must not cut the children's shutdown short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if procs:  # this run started a showroom (not one that found its port taken)
            with contextlib.suppress(OSError):
                (state / "running.json").unlink()
        _stop(procs)


if __name__ == "__main__":
    sys.exit(main())

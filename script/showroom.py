"""Start the barrier-free showroom: a voice station and a real Home Assistant with demo devices.

Run through `script/run`. Everything lives in .cache/showroom (delete it to start afresh).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "script" / "showroom"


def _prepare_config(config: Path, station: dict[str, object], ha_port: int) -> None:
    config.mkdir(parents=True, exist_ok=True)
    text = (SOURCE / "configuration.yaml").read_text(encoding="utf-8")
    if _stored_http_port(config) != ha_port:
        # Home Assistant takes YAML http settings once, as a trial it reverts (restarting on
        # the old port) unless confirmed within 5 minutes: showroom_setup confirms it. Later
        # starts use the stored settings; YAML left in place would only raise a repair.
        (config / ".storage" / "http").unlink(missing_ok=True)
        text += f"\nhttp:\n  server_port: {ha_port}\n"
    (config / "configuration.yaml").write_text(text, encoding="utf-8")
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
    (config / "showroom-station.json").write_text(json.dumps(station), encoding="utf-8")


def _stored_http_port(config: Path) -> int | None:
    """The port in Home Assistant's stored (confirmed) http settings, if any."""
    try:
        stored = json.loads((config / ".storage" / "http").read_text(encoding="utf-8"))
        port = stored["data"]["stable"]["server_port"]
    except OSError, ValueError, KeyError, TypeError:
        return None
    return port if isinstance(port, int) and stored["data"].get("pending") is None else None


def _wait_for_token(token_file: Path, proc: subprocess.Popen[bytes], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the voice station stopped (exit {proc.returncode}); see the messages above")
        if token_file.exists() and token_file.read_text(encoding="utf-8").strip():
            return token_file.read_text(encoding="utf-8").strip()
        time.sleep(0.2)
    sys.exit(f"the voice station did not write its token to {token_file} in {seconds:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", default=str(ROOT / ".cache" / "showroom"), help="state folder")
    parser.add_argument("--station-port", type=int, default=10800)
    parser.add_argument("--ha-port", type=int, default=8123)
    parser.add_argument(
        "--lang", default="en", help="station recognition languages, e.g. en or zh,en"
    )
    args = parser.parse_args()
    state = Path(args.state)
    station_dir = state / "station"
    token_file = station_dir / "token"
    station_dir.mkdir(parents=True, exist_ok=True)

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM (a service manager, `timeout`): stop both children

    signal.signal(signal.SIGTERM, stop)
    python = sys.executable
    station = subprocess.Popen(
        [
            python,
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
            args.lang,
            "--state-dir",
            str(station_dir),
            "--token-file",
            str(token_file),
        ],
        cwd=ROOT,
        # Own process groups: Ctrl-C or a service manager's group signal reaches only this
        # script, which stops each child with exactly one signal (Home Assistant takes a
        # second signal during its shutdown as an interrupt and prints tracebacks).
        start_new_session=True,
    )
    procs = [station]
    try:
        token = _wait_for_token(token_file, station, 120)
        config = state / "config"
        _prepare_config(
            config, {"host": "127.0.0.1", "port": args.station_port, "token": token}, args.ha_port
        )
        print(
            f"Showroom: Home Assistant on http://127.0.0.1:{args.ha_port}"
            " (first visit: create the staff account)"
        )
        hass = subprocess.Popen(
            [python, "-m", "homeassistant", "-c", str(config), "--skip-pip"],
            # not the repository: its custom_components/ would shadow the config's
            cwd=config,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        procs.append(hass)
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    return max((p.returncode or 0) for p in procs)


if __name__ == "__main__":
    sys.exit(main())

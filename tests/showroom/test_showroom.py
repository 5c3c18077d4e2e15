"""The main command, as staff use it: start, log in, take the tour, check the home, stop.

Runs the real `script/run` in a temporary state folder on free ports: a real voice station and
a real Home Assistant with the integration and the demo devices. Needs the showroom set-up
(`script/setup showroom`: Home Assistant's web interface) in the repository's .venv.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# `socket_enabled`: the harness blocks sockets; these tests only talk to 127.0.0.1.
pytestmark = [pytest.mark.showroom, pytest.mark.usefixtures("socket_enabled")]

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "script" / "run"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
START_SECONDS = 300  # a first start in a fresh folder; later ones take seconds


@dataclass
class Showroom:
    proc: subprocess.Popen[bytes]
    state: Path
    url: str
    ports: tuple[int, int]
    banner: str
    username: str
    password: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _read_banner(proc: subprocess.Popen[bytes]) -> str:
    """What the command printed up to the banner's last line (or until it stopped)."""
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    out = b""
    deadline = time.monotonic() + START_SECONDS
    while b"Stop       Ctrl-C" not in out and time.monotonic() < deadline:
        if not selector.select(timeout=deadline - time.monotonic()):
            break
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        out += chunk
    selector.close()
    return out.decode("utf-8", errors="replace")


@pytest.fixture
def showroom(tmp_path: Path) -> Iterator[Showroom]:
    probe = subprocess.run([str(VENV_PYTHON), "-c", "import hass_frontend"], check=False)
    if probe.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail("CI must run the showroom: script/test sets it up (script/setup showroom)")
        pytest.skip("the showroom is not set up here (script/setup showroom)")
    state = tmp_path / "state"
    ha_port, station_port = _free_port(), _free_port()
    proc = subprocess.Popen(
        [
            str(RUN),
            "--state",
            str(state),
            "--ha-port",
            str(ha_port),
            "--station-port",
            str(station_port),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        banner = _read_banner(proc)
        login = re.search(r"Login\s+(\S+) / (\S+)", banner)
        assert login is not None, banner
        yield Showroom(
            proc,
            state,
            f"http://127.0.0.1:{ha_port}",
            (ha_port, station_port),
            banner,
            login[1],
            login[2],
        )
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _post(url: str, body: dict[str, Any], token: str | None = None, form: bool = False) -> Any:
    data = urllib.parse.urlencode(body).encode() if form else json.dumps(body).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded" if form else "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def _get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _log_in(url: str, username: str, password: str) -> str:
    """Log in as the web interface does: login flow, authorisation code, access token."""
    client = f"{url}/"
    flow = _post(
        f"{url}/auth/login_flow",
        {"client_id": client, "handler": ["homeassistant", None], "redirect_uri": client},
    )
    done = _post(
        f"{url}/auth/login_flow/{flow['flow_id']}",
        {"client_id": client, "username": username, "password": password},
    )
    assert done["type"] == "create_entry", done
    tokens = _post(
        f"{url}/auth/token",
        {"grant_type": "authorization_code", "code": done["result"], "client_id": client},
        form=True,
    )
    return str(tokens["access_token"])


def _state(showroom: Showroom, token: str, entity_id: str) -> str:
    return str(_get(f"{showroom.url}/api/states/{entity_id}", token)["state"])


def _service(showroom: Showroom, token: str, service: str, entity_id: str) -> None:
    domain, name = service.split(".")
    _post(f"{showroom.url}/api/services/{domain}/{name}", {"entity_id": entity_id}, token)


def _built_in_agent(showroom: Showroom, token: str, text: str, language: str) -> str:
    reply = _post(
        f"{showroom.url}/api/conversation/process",
        {"text": text, "language": language, "agent_id": "conversation.home_assistant"},
        token,
    )
    return str(reply["response"]["speech"]["plain"]["speech"])


def _processes_using(path: Path) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(path) in cmdline:
            found.append(f"{proc.name}: {cmdline}")
    return found


def test_showroom_start_tour_and_stop(showroom: Showroom) -> None:
    banner = showroom.banner
    assert "first visit" not in banner and "[setup]" not in banner, banner
    assert f"{showroom.url}/showroom-dash/home" in banner
    login_file = showroom.state / "staff-login.json"
    assert login_file.stat().st_mode & 0o077 == 0, "the staff login is for its owner only"
    assert json.loads(login_file.read_text(encoding="utf-8"))["password"] == showroom.password

    # Home Assistant answers, without its onboarding wizard, to the printed login.
    with urllib.request.urlopen(f"{showroom.url}/manifest.json", timeout=30) as response:
        assert response.status == 200
    token = _log_in(showroom.url, showroom.username, showroom.password)
    # Home Assistant serves /api/onboarding only while its wizard has steps left (the web
    # interface shows the wizard when it answers).
    with pytest.raises(urllib.error.HTTPError) as no_wizard:
        urllib.request.urlopen(f"{showroom.url}/api/onboarding", timeout=30)
    assert no_wizard.value.code == 404
    config = _get(f"{showroom.url}/api/config", token)
    assert (config["language"], config["time_zone"]) == ("zh-Hans", "Asia/Shanghai")
    # Nothing that needs the internet.
    assert not {"google_translate", "met", "radio_browser"} & set(config["components"])

    # The Mandarin and the English tour, spoken through Home Assistant's Assist pipelines to
    # the one station: each language heard, understood and answered in itself. In CI the
    # English tour is its short part (a command, a sensitive one confirmed): the rest is the
    # loop the Mandarin tour has just proven, and CI's time is counted.
    for language, short in (("zh", False), ("en", bool(os.environ.get("CI")))):
        tour = subprocess.run(
            [
                *(str(RUN), "--state", str(showroom.state), "--tour", language),
                *(["--short"] if short else []),
            ],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert tour.returncode == 0, tour.stdout + tour.stderr
        summary = re.search(
            r"tour: (\d+) commands, (\d+) heard right.*, (\d+) acted on, (\d+) answered",
            tour.stdout,
        )
        assert summary is not None, tour.stdout
        commands, heard, acted, answered = (int(n) for n in summary.groups())
        # every step heard as meant (out of domain: heard as nothing), acted on, answered
        assert commands == (3 if short else 8), tour.stdout
        assert heard == answered == commands and acted == 2, tour.stdout
        assert "(typed" not in tour.stdout, tour.stdout
        answers = sorted((showroom.state / "tour").glob(f"*-{language}.wav"))
        assert len(answers) == commands
        assert all(p.read_bytes()[:4] == b"RIFF" and p.stat().st_size > 4000 for p in answers)
    # The devices really changed: the light by command, the garage after confirmation.
    assert _state(showroom, token, "light.living_room_light") == "on"
    assert _state(showroom, token, "cover.garage_door") == "open"

    # Home Assistant's own agent (the other pipeline in the same Assist dialog) controls
    # ordinary devices, but cannot reach the sensitive ones.
    _service(showroom, token, "input_boolean.turn_off", "input_boolean.kitchen_light")
    _service(showroom, token, "input_boolean.turn_off", "input_boolean.garage_open")
    assert _state(showroom, token, "cover.garage_door") == "closed"
    _built_in_agent(showroom, token, "turn on the kitchen light", "en")
    assert _state(showroom, token, "light.kitchen_light") == "on"
    for text, language in (
        ("open the garage door", "en"),
        ("unlock the front door", "en"),
        ("打开车库门", "zh-cn"),
        ("把大门打开", "zh-cn"),
        ("disarm the home alarm", "en"),
    ):
        _built_in_agent(showroom, token, text, language)
    assert _state(showroom, token, "cover.garage_door") == "closed"
    assert _state(showroom, token, "lock.front_door") == "locked"
    assert _state(showroom, token, "alarm_control_panel.home_alarm") == "armed_home"

    # No error about the integration (or the showroom's set-up) in Home Assistant's log.
    log = (showroom.state / "logs" / "homeassistant.log").read_text(encoding="utf-8")
    bad = [
        line
        for line in log.splitlines()
        if re.search(r" (ERROR|CRITICAL) .*(barrier_free|showroom_setup)", line)
        or ("Detected blocking call" in line and "barrier_free" in line)
    ]
    assert not bad, "\n".join(bad)

    # Ctrl-C stops everything, and nothing is left running.
    showroom.proc.send_signal(signal.SIGINT)
    assert showroom.proc.wait(timeout=90) == 0
    assert not any(_listening(port) for port in showroom.ports)
    assert not _processes_using(showroom.state), _processes_using(showroom.state)


def test_port_taken_says_which_and_the_flag(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [
                sys.executable,
                str(ROOT / "script" / "showroom.py"),
                "--state",
                str(tmp_path),
                "--ha-port",
                str(port),
                "--station-port",
                str(_free_port()),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert proc.returncode == 2
    assert f"port {port} (Home Assistant) is taken" in proc.stderr
    assert "--ha-port" in proc.stderr


def test_home_assistant_failing_shows_its_log(tmp_path: Path) -> None:
    """When Home Assistant stops during start-up, the last lines of its log are shown."""
    # A stand-in that fails the way a broken installation does; it comes first on the path
    # of the command's Python, for Home Assistant only (the real station still starts).
    fake = tmp_path / "fake" / "homeassistant"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text(
        "import sys\nprint('Home Assistant cannot start: broken installation')\nsys.exit(3)\n"
    )
    proc = subprocess.run(
        [
            str(RUN),
            "--state",
            str(tmp_path / "state"),
            "--ha-port",
            str(_free_port()),
            "--station-port",
            str(_free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "PYTHONPATH": str(fake.parent)},
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Home Assistant stopped (exit 3)" in proc.stderr
    assert "broken installation" in proc.stderr
    assert not _processes_using(tmp_path / "state")

"""Screenshot the showroom dashboard with headless Chromium (kept in docs/).

    .venv/bin/python script/showroom/screenshot.py [--state .cache/showroom] [--out PNG]

Logs in as the staff account the way the web interface does (an authorisation code handed
to the page in its address), so the picture is what staff see after logging in.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]


async def _auth_code(url: str, username: str, password: str) -> str:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{url}/auth/login_flow",
            json={
                "client_id": f"{url}/",
                "handler": ["homeassistant", None],
                "redirect_uri": f"{url}/?auth_callback=1",
            },
        ) as response:
            flow = await response.json()
        async with session.post(
            f"{url}/auth/login_flow/{flow['flow_id']}",
            json={"client_id": f"{url}/", "username": username, "password": password},
        ) as response:
            done = await response.json()
    return str(done["result"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", default=str(ROOT / ".cache" / "showroom"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "showroom-dashboard.png"))
    parser.add_argument("--size", default="1280,1960")  # down to the demo card
    args = parser.parse_args()
    info = json.loads((Path(args.state) / "running.json").read_text(encoding="utf-8"))
    url = info["url"]
    code = asyncio.run(_auth_code(url, info["login"]["username"], info["login"]["password"]))
    state = base64.b64encode(json.dumps({"hassUrl": url, "clientId": f"{url}/"}).encode())
    page = f"{url}/showroom-dash/home?auth_callback=1&code={code}&state={state.decode()}"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    out = Path(args.out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--hide-scrollbars",
                "--lang=zh-CN",
                "--accept-lang=zh-CN,zh",
                f"--user-data-dir={profile}",
                f"--window-size={args.size}",
                # time for the login, the websocket and the cards to render
                "--virtual-time-budget=60000",
                "--run-all-compositor-stages-before-draw",
                f"--screenshot={out}",
                page,
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Finding (or getting) a Chromium for the browser tests, and launching it the way this
kind of machine needs: headless, no sandbox (root), no background networking (the
network is closed) and a fresh profile each time.

`python3 dev.py test` calls `ensure()` first: an installed Chromium is used as is; else
it is installed (`apt-get install -y chromium` as root on Debian/Ubuntu, else
`python -m playwright install chromium`). If none can be had, the browser tests fail
with one line saying so; they are never skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
MISSING = (
    "no Chromium for the browser tests: install one (Debian/Ubuntu: apt-get install -y "
    "chromium) or run `python -m playwright install chromium`, or set CHROMIUM=/path/to/it"
)


def find() -> str | None:
    """A Chromium executable: $CHROMIUM, one on PATH, else Playwright's own download."""
    given = os.environ.get("CHROMIUM")
    if given and Path(given).is_file():
        return given
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return _playwright_chromium()


def _playwright_chromium() -> str | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:
        return None
    return path if path and Path(path).is_file() else None


def ensure() -> str | None:
    """Find a Chromium, installing one if none is found; None (and a line on stderr) when
    none can be had."""
    found = find()
    if found:
        return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing Chromium for the browser tests (apt-get) …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        quiet = {"stdout": subprocess.DEVNULL, "env": env, "check": False}
        subprocess.run(["apt-get", "update", "-qq"], **quiet)  # type: ignore[call-overload]
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], **quiet)  # type: ignore[call-overload]
        found = find()
    if not found:
        print("installing Chromium for the browser tests (playwright) …", flush=True)
        subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=False)
        found = find()
    if not found:
        print(f"error: {MISSING}", file=sys.stderr)
    return found

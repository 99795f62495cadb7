#!/usr/bin/env python3
"""Set-up and everyday commands, with nothing but Python 3.11+ installed.

    python3 dev.py run        run the bot on Discord if DISCORD_TOKEN is set (in the
                              environment or .env), else the playground in your browser
    python3 dev.py playground [--fresh] [--port N]   the playground, explicitly
    python3 dev.py test       run the whole test suite, browser tests included (creates
                              .venv and installs on first use; gets Chromium and PostgreSQL if
                              missing)
    python3 dev.py lint       ruff check, ruff format --check and mypy (the type checker)
    python3 dev.py bench      run every benchmark and print one table
    python3 dev.py screenshot regenerate docs/playground.png (the README's screenshot)
    python3 dev.py bot ARGS   python -m bot ARGS inside the venv (migrate, backup PATH)

The venv is reinstalled whenever pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def ensure_venv(extras: str) -> None:
    """Create .venv and install the project (with `extras`) when missing or out of date."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be run by an older python3
        major, minor = sys.version_info[:2]
        sys.exit(f"error: Python 3.11 or newer is needed (this is {major}.{minor}).")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest and PY.exists():
        return
    if not PY.exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    target = f".[{extras}]" if extras else "."
    print(f"installing {target} into .venv …", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-qq"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True, cwd=ROOT)
    subprocess.run([*pip, "-e", target], check=True, cwd=ROOT)
    stamp.write_text(digest)


def run(*args: str) -> int:
    """Run the venv's python and let it stop cleanly by itself (the bot closes its
    database, the playground saves its world): Ctrl-C reaches it from the terminal, so
    here it is ignored rather than killing the child; SIGTERM is passed on."""
    child = subprocess.Popen([str(PY), *args], cwd=ROOT)
    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN),
        signal.SIGTERM: signal.signal(signal.SIGTERM, lambda *_: child.terminate()),
    }
    try:
        return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def has_token() -> bool:
    """DISCORD_TOKEN set in the environment or in .env (the bot reads both)."""
    if os.environ.get("DISCORD_TOKEN", "").strip():
        return True
    env_file = ROOT / ".env"
    if not env_file.exists():
        return False
    for line in env_file.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "DISCORD_TOKEN" and value.strip().strip("'\"").strip():
            return True
    return False


def ensure_browser() -> None:
    """The browser tests need Chromium: find it, else install it (or say why not)."""
    run("-c", "from bot.testing import browser; browser.ensure()")


def ensure_postgres() -> None:
    """The tests run on PostgreSQL too (a server they start themselves): find its
    programs, else install them (or say why not)."""
    if "postgresql" in os.environ.get("STORES", "sqlite,postgresql"):
        run(
            "-c",
            "import sys; from bot.testing import postgres; sys.exit(0 if postgres.ensure() else 1)",
        )


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("run", [])
    if command == "run":
        ensure_venv("")
        if has_token():
            return run("-m", "bot", *rest)
        # No token: show what the bot does instead of failing (python -m bot still fails
        # fast without one, so a deployment never runs a playground by mistake).
        return run("-m", "bot.testing.playground", *rest)
    if command == "playground":
        ensure_venv("")
        return run("-m", "bot.testing.playground", *rest)
    if command == "bot":
        ensure_venv("")
        return run("-m", "bot", *rest)
    ensure_venv("test")
    if command == "test":
        ensure_browser()
        ensure_postgres()
        return run("-m", "pytest", *rest)
    if command == "screenshot":
        ensure_browser()
        os.environ["UPDATE_SCREENSHOT"] = "1"  # the test writes docs/playground.png
        return run("-m", "pytest", "tests/browser", "-k", "screenshot", "-q", *rest)
    if command == "lint":
        # --no-cache: a cache left by an older ruff run can pass what a fresh CI run fails.
        return (
            run("-m", "ruff", "check", "--no-cache", ".")
            or run("-m", "ruff", "format", "--no-cache", "--check", ".")
            or run("-m", "mypy")  # the files and settings are in pyproject.toml
        )
    if command == "bench":
        return run("-m", "bench", *rest)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The package as operators install it: a wheel (not an editable install) in a fresh venv,
run from outside the source tree, brings its migrations and creates every table.

The fresh venv borrows the project's dependencies from the running venv through a .pth
line (offline and fast); a path added by a .pth line is not itself scanned for .pth files,
so the running venv's editable install of this project is not picked up there — checked
below by where `bot` is imported from.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from bot.db import MIGRATIONS_ROOT, find_migrations

ROOT = Path(__file__).resolve().parents[1]


def run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Without PYTHONPATH (the source tree must not be importable) or Discord settings."""
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and k[:8] != "DISCORD_"}
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(the wheel, the build's output). Built from a copy of the sources, so the shared
    work tree gets no build/ or egg-info, with the build backend of the running venv."""
    work = tmp_path_factory.mktemp("build")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for package in ("bot", "cogs"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    res = run(
        sys.executable,
        *("-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", work / "out", src),
        cwd=work,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    (wheel,) = (work / "out").glob("*.whl")
    return wheel, res.stdout + res.stderr


def test_wheel_ships_every_migration_and_an_spdx_license(built: tuple[Path, str]) -> None:
    wheel, output = built
    names = zipfile.ZipFile(wheel).namelist()
    for store in ("sqlite", "postgres"):  # each store's migrations, every one of them
        folder = f"bot/migrations/{store}/"
        shipped = sorted(n.removeprefix(folder) for n in names if n.startswith(folder))
        assert shipped == [m.name for m in find_migrations(MIGRATIONS_ROOT / store)], store
    assert "bot/resources/starter.json" in names
    assert "bot/locale/ur/LC_MESSAGES/messages.po" in names  # an installed bot speaks Urdu
    (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    assert "License-Expression: MIT" in zipfile.ZipFile(wheel).read(metadata).decode()
    # no warning wall on every install (the license table was deprecated)
    assert "deprecated" not in output.lower() and "BuildBackendWarning" not in output, output


def test_installed_wheel_migrates_a_new_database(built: tuple[Path, str], tmp_path: Path) -> None:
    wheel, _ = built
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)  # pip of the running venv installs into it
    python = env_dir / "bin" / "python"
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path)
    Path(site.stdout.strip(), "borrowed-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    res = run(
        sys.executable,
        *("-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel),
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stdout + res.stderr

    outside = tmp_path / "elsewhere"  # not the source tree, so only the wheel is importable
    outside.mkdir()
    where = run(python, "-c", "import bot; print(bot.__file__)", cwd=outside)
    assert where.stdout.strip().startswith(str(env_dir)), where.stdout + where.stderr

    db = outside / "data" / "bot.sqlite3"
    res = run(python, "-m", "bot", "migrate", cwd=outside, env={"DATABASE_PATH": str(db)})
    assert res.returncode == 0, res.stdout + res.stderr
    conn = sqlite3.connect(db)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    finally:
        conn.close()
    assert {"guilds", "outbox", "events", "rsvps", "resources", "schema_migrations"} <= tables
    assert sorted(versions) == [m.version for m in find_migrations()]

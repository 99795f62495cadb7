"""`python -m bot migrate` on an existing database: it says where it copied the database
before changing it, the copy is owner-only, and a refused migration is one clear line."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import stat
from pathlib import Path

from bot.db import Database, find_migrations
from tests.e2e.test_cli import run_cli


def older_database(path: Path, tmp_path: Path) -> str:
    """A database of the previous release: every migration but the newest applied.
    Returns the name of the one left to apply."""
    *old, newest = find_migrations()
    folder = tmp_path / "old-migrations"
    folder.mkdir()
    for mig in old:
        shutil.copy(mig.path, folder / mig.name)

    async def build() -> None:
        db = await Database.open(path)
        try:
            await db.migrate(folder)
            await db.execute("INSERT INTO guilds(guild_id) VALUES (42)")
        finally:
            await db.close()

    asyncio.run(build())
    return newest.name


def test_migrate_backs_up_an_existing_database_and_says_where(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    newest = older_database(db, tmp_path)
    res = run_cli("migrate", env={"DATABASE_PATH": str(db)}, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    copy = tmp_path / f"bot.sqlite3.before-{newest[:4]}.bak"
    assert str(copy) in res.stdout and "1 migration(s) applied" in res.stdout
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT guild_id FROM guilds").fetchall() == [(42,)]
        assert (newest,) not in conn.execute("SELECT name FROM schema_migrations").fetchall()
    finally:
        conn.close()
    again = run_cli("migrate", env={"DATABASE_PATH": str(db)}, cwd=tmp_path)
    assert again.returncode == 0 and "backup" not in again.stdout.lower()


def test_a_new_database_gets_no_backup(tmp_path: Path) -> None:
    res = run_cli("migrate", env={"DATABASE_PATH": str(tmp_path / "new.sqlite3")}, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert list(tmp_path.glob("*.bak")) == []


def test_a_skipped_migration_is_refused_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    conn = sqlite3.connect(db)
    # as if a newer migration than any we ship had been applied, and ours never
    conn.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at INTEGER NOT NULL)"
    )
    conn.execute("INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 0)")
    conn.commit()
    conn.close()
    res = run_cli("migrate", env={"DATABASE_PATH": str(db)}, cwd=tmp_path)
    assert res.returncode == 1
    (line,) = res.stderr.strip().splitlines()[-1:]
    assert line.startswith("error: 0001_") and "9999_future.sql" in line
    assert "Traceback" not in res.stderr

"""The store: pragmas, migrations (order, idempotence, failure), transactions, backup."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db import Database, MigrationError, find_migrations
from bot.sqlite_db import backup


@pytest.fixture
async def store(tmp_path: Path):
    db = await Database.open(tmp_path / "nested" / "bot.sqlite3")
    yield db
    await db.close()


def write(dir_: Path, name: str, sql: str) -> None:
    dir_.mkdir(exist_ok=True)
    (dir_ / name).write_text(sql)


async def test_open_creates_folder_and_sets_pragmas(store: Database) -> None:
    assert store.path.parent.is_dir()
    assert await store.fetchval("PRAGMA journal_mode") == "wal"
    assert await store.fetchval("PRAGMA foreign_keys") == 1
    assert await store.fetchval("PRAGMA busy_timeout") == 5000


async def test_project_migrations_apply_in_order_and_twice_is_a_noop(store: Database) -> None:
    applied = await store.migrate()
    names = [m.name for m in find_migrations()]
    assert applied == names and names[0].startswith("0001_")
    assert await store.schema_version() == find_migrations()[-1].version
    assert await store.migrate() == []
    rows = await store.fetchall("SELECT version FROM schema_migrations ORDER BY version")
    assert [r[0] for r in rows] == [m.version for m in find_migrations()]


async def test_failing_migration_rolls_back_whole_file_and_names_it(
    store: Database, tmp_path: Path
) -> None:
    mig = tmp_path / "migs"
    write(mig, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    write(mig, "0002_b.sql", "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);")
    with pytest.raises(MigrationError, match="0002_b.sql"):
        await store.migrate(mig)
    assert await store.schema_version() == 1
    # table b was created by the failing file before its error: it must be gone
    tables = {r[0] for r in await store.fetchall("SELECT name FROM sqlite_master")}
    assert "a" in tables and "b" not in tables
    # fixing the file lets start-up go on from where it stopped
    write(mig, "0002_b.sql", "CREATE TABLE b (x INTEGER);")
    assert await store.migrate(mig) == ["0002_b.sql"]


async def test_misnamed_migration_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "m", "1_bad.sql", "SELECT 1;")
    with pytest.raises(MigrationError, match="1_bad.sql"):
        find_migrations(tmp_path / "m")


async def test_transaction_commits_or_rolls_back(store: Database) -> None:
    await store.execute("CREATE TABLE t (x INTEGER)")
    async with store.transaction():
        await store.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(RuntimeError):
        async with store.transaction():
            await store.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("boom")
    assert [r[0] for r in await store.fetchall("SELECT x FROM t")] == [1]


async def test_nested_transaction_joins_the_outer_one(store: Database) -> None:
    await store.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(ValueError):
        async with store.transaction():
            await store.execute("INSERT INTO t VALUES (1)")
            async with store.transaction():
                await store.execute("INSERT INTO t VALUES (2)")
            raise ValueError
    assert await store.fetchval("SELECT COUNT(*) FROM t") == 0


async def test_concurrent_transactions_are_serialised(store: Database) -> None:
    """Read-then-write inside transactions from many tasks never loses an update."""
    import asyncio

    await store.execute("CREATE TABLE c (n INTEGER)")
    await store.execute("INSERT INTO c VALUES (0)")

    async def bump() -> None:
        async with store.transaction():
            n = await store.fetchval("SELECT n FROM c")
            await asyncio.sleep(0)
            await store.execute("UPDATE c SET n = ?", (n + 1,))

    await asyncio.gather(*(bump() for _ in range(50)))
    assert await store.fetchval("SELECT n FROM c") == 50


async def test_backup_of_live_database_is_consistent(store: Database, tmp_path: Path) -> None:
    await store.migrate()
    await store.execute("INSERT INTO guilds(guild_id) VALUES (42)")
    target = tmp_path / "copies" / "copy.sqlite3"
    assert backup(store.path, target) == "ok"
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT guild_id FROM guilds").fetchall() == [(42,)]
    copy.close()


def test_backup_of_missing_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no database"):
        backup(tmp_path / "absent.sqlite3", tmp_path / "copy.sqlite3")


async def test_run_in_transaction_commits_or_rolls_back(store: Database) -> None:
    await store.execute("CREATE TABLE t (x INTEGER)")

    def insert(conn: sqlite3.Connection) -> int:
        conn.execute("INSERT INTO t VALUES (1)")
        return conn.execute("SELECT COUNT(*) FROM t").fetchone()[0]

    assert await store.run_in_transaction(insert) == 1

    def fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t VALUES (2)")
        raise LookupError("refused")

    with pytest.raises(LookupError, match="refused"):
        await store.run_in_transaction(fail)
    assert await store.fetchval("SELECT COUNT(*) FROM t") == 1
    assert await store.fetchval("SELECT x FROM t") == 1


# --- a failed COMMIT (item 7) -------------------------------------------------------------
# A deferred foreign key is checked only at COMMIT, so COMMIT itself fails, as it would on
# a full disk, and SQLite then leaves the transaction open.
DEFERRED_FK = [
    "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
    "CREATE TABLE child (pid INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)",
    "CREATE TABLE t (x INTEGER)",
]


def committed(path: Path, sql: str) -> list[tuple]:
    """What another connection sees: only committed rows."""
    other = sqlite3.connect(path)
    try:
        return other.execute(sql).fetchall()
    finally:
        other.close()


async def test_failed_commit_rolls_back_and_the_store_goes_on(store: Database) -> None:
    for sql in DEFERRED_FK:
        await store.execute(sql)
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction():
            await store.execute("INSERT INTO t VALUES (1)")
            await store.execute("INSERT INTO child VALUES (99)")  # no parent 99
    async with store.transaction():
        await store.execute("INSERT INTO t VALUES (2)")
    await store.execute("INSERT INTO t VALUES (3)")  # a single write outside transaction()
    assert committed(store.path, "SELECT x FROM t ORDER BY x") == [(2,), (3,)]
    assert committed(store.path, "SELECT COUNT(*) FROM child") == [(0,)]


async def test_failed_commit_in_run_in_transaction_rolls_back(store: Database) -> None:
    for sql in DEFERRED_FK:
        await store.execute(sql)

    def orphan(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t VALUES (1)")
        conn.execute("INSERT INTO child VALUES (99)")

    with pytest.raises(sqlite3.IntegrityError):
        await store.run_in_transaction(orphan)
    assert await store.run_in_transaction(
        lambda conn: conn.execute("INSERT INTO t VALUES (2)").rowcount
    )
    await store.execute("INSERT INTO t VALUES (3)")
    assert committed(store.path, "SELECT x FROM t ORDER BY x") == [(2,), (3,)]
    assert committed(store.path, "SELECT COUNT(*) FROM child") == [(0,)]


# --- owner-only files (item 8) -------------------------------------------------------------
@pytest.fixture
def open_umask() -> Iterator[None]:
    """The loosest umask: the modes must not depend on the operator's."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_database_its_wal_and_new_folders_are_owner_only(
    tmp_path: Path, open_umask: None
) -> None:
    db = await Database.open(tmp_path / "data" / "deeper" / "bot.sqlite3")
    try:
        await db.execute("CREATE TABLE t (x INTEGER)")
        await db.execute("INSERT INTO t VALUES (1)")
        assert mode(tmp_path / "data") == 0o700
        assert mode(tmp_path / "data" / "deeper") == 0o700
        for suffix in ("", "-wal", "-shm"):
            assert mode(Path(f"{db.path}{suffix}")) == 0o600, suffix
    finally:
        await db.close()


async def test_an_existing_folder_is_left_alone_and_an_old_database_tightened(
    tmp_path: Path, open_umask: None
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    old = shared / "bot.sqlite3"
    sqlite3.connect(old).close()  # made by an older version: world-readable
    assert mode(old) & 0o044
    db = await Database.open(old)
    await db.close()
    assert mode(shared) == 0o755  # not ours to change
    assert mode(old) == 0o600


def test_backup_and_its_new_folder_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    source = tmp_path / "live.sqlite3"
    conn = sqlite3.connect(source)
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.commit()
    conn.close()
    target = tmp_path / "copies" / "copy.sqlite3"
    assert backup(source, target) == "ok"
    assert mode(target) == 0o600
    assert mode(tmp_path / "copies") == 0o700


# --- migrations: names, order, backup, none found (items 16, 17) ---------------------------
async def test_applied_migrations_are_recorded_by_number_and_name(store: Database) -> None:
    await store.migrate()
    rows = await store.fetchall("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [tuple(r) for r in rows] == [(m.version, m.name) for m in find_migrations()]


async def test_an_older_unapplied_migration_is_refused(store: Database, tmp_path: Path) -> None:
    mig = tmp_path / "migs"
    write(mig, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    write(mig, "0003_c.sql", "CREATE TABLE c (x INTEGER);")
    await store.migrate(mig)
    write(mig, "0002_b.sql", "CREATE TABLE b (x INTEGER);")  # e.g. merged late from a branch
    with pytest.raises(MigrationError, match=r"0002_b\.sql.*0003_c\.sql"):
        await store.migrate(mig)
    tables = {r[0] for r in await store.fetchall("SELECT name FROM sqlite_master")}
    assert "b" not in tables


async def test_a_renamed_applied_migration_is_refused(store: Database, tmp_path: Path) -> None:
    mig = tmp_path / "migs"
    write(mig, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    await store.migrate(mig)
    (mig / "0001_a.sql").rename(mig / "0001_other.sql")
    with pytest.raises(MigrationError, match=r"0001_other\.sql.*0001_a\.sql"):
        await store.migrate(mig)


async def test_no_migration_files_is_an_error_not_an_empty_database(
    store: Database, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(MigrationError, match="no migration files"):
        await store.migrate(tmp_path / "empty")
    with pytest.raises(MigrationError, match="no migration files"):
        find_migrations(tmp_path / "absent")


async def test_a_database_with_data_is_backed_up_before_migrating(
    store: Database, tmp_path: Path, open_umask: None
) -> None:
    mig = tmp_path / "migs"
    write(mig, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    await store.migrate(mig)  # a new database: nothing worth a copy yet
    assert store.migration_backup is None
    assert list(store.path.parent.glob("*.bak")) == []
    await store.execute("INSERT INTO a VALUES (7)")
    write(mig, "0002_b.sql", "DROP TABLE a;")
    assert await store.migrate(mig) == ["0002_b.sql"]
    copy = store.path.with_name("bot.sqlite3.before-0002.bak")
    assert store.migration_backup == copy
    assert mode(copy) == 0o600
    assert committed(copy, "SELECT x FROM a") == [(7,)]
    assert committed(copy, "SELECT MAX(version) FROM schema_migrations") == [(1,)]
    assert await store.migrate(mig) == [] and store.migration_backup is None

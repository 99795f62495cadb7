"""The store: pragmas, migrations (order, idempotence, failure), transactions, backup.

What both stores promise runs on both (`any_store`: an empty SQLite file or an empty
PostgreSQL database, `STORES`); the SQLite file's own matters (pragmas, owner-only
files, backups) on SQLite.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot import i18n, postgres_db
from bot.db import MIGRATIONS_DIR, Database, MigrationError, SyncConnection, find_migrations
from bot.sqlite_db import SqliteDatabase, backup
from tests.conftest import STORES
from tests.unit.conftest import connect_again

# A failed statement or COMMIT, as each store's driver raises it.
IntegrityError = (sqlite3.IntegrityError, psycopg.IntegrityError)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    db = await SqliteDatabase.open(tmp_path / "nested" / "bot.sqlite3")
    yield db
    await db.close()


@pytest.fixture(params=STORES)
async def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty store, nothing migrated: an SQLite file or a PostgreSQL database."""
    if request.param == "sqlite":
        db: Database = await Database.open(tmp_path / "nested" / "bot.sqlite3")
        yield db
        await db.close()
        return
    server = request.getfixturevalue("postgres")
    url = server.empty_database()
    db = await Database.connect(url)
    try:
        yield db
    finally:
        await db.close()
        server.drop(url)


def shipped(db: Database) -> Path:
    """The folder of the migrations this store applies."""
    return MIGRATIONS_DIR if db.dialect == "sqlite" else postgres_db.MIGRATIONS_DIR


async def committed(db: Database, sql: str) -> list[tuple[Any, ...]]:
    """What another connection (another process) sees: only committed rows."""
    other = await connect_again(db)
    try:
        return [tuple(r) for r in await other.fetchall(sql)]
    finally:
        await other.close()


def write(dir_: Path, name: str, sql: str) -> None:
    dir_.mkdir(exist_ok=True)
    (dir_ / name).write_text(sql)


async def test_open_creates_folder_and_sets_pragmas(store: SqliteDatabase) -> None:
    assert store.path.parent.is_dir()
    assert await store.fetchval("PRAGMA journal_mode") == "wal"
    assert await store.fetchval("PRAGMA foreign_keys") == 1
    assert await store.fetchval("PRAGMA busy_timeout") == 5000


async def test_project_migrations_apply_in_order_and_twice_is_a_noop(
    any_store: Database,
) -> None:
    applied = await any_store.migrate()
    migrations = find_migrations(shipped(any_store))
    names = [m.name for m in migrations]
    assert applied == names
    assert names[0].startswith("0001_" if any_store.dialect == "sqlite" else "0012_")
    assert await any_store.schema_version() == migrations[-1].version
    assert await any_store.migrate() == []
    rows = await any_store.fetchall("SELECT version FROM schema_migrations ORDER BY version")
    assert [r[0] for r in rows] == [m.version for m in migrations]


async def test_both_stores_ship_the_same_newest_migrations() -> None:
    """PostgreSQL starts at SQLite's 0012 in one file; every later one is in both folders
    under one number and name."""
    sqlite_names = {m.version: m.name for m in find_migrations(MIGRATIONS_DIR)}
    postgres_names = {m.version: m.name for m in find_migrations(postgres_db.MIGRATIONS_DIR)}
    assert min(postgres_names) == 12
    for version in range(13, max(sqlite_names) + 1):
        if version in sqlite_names:
            assert postgres_names.get(version) == sqlite_names[version], version


async def test_failing_migration_rolls_back_whole_file_and_names_it(
    any_store: Database, tmp_path: Path
) -> None:
    mig = tmp_path / "migs"
    write(mig, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    write(mig, "0002_b.sql", "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);")
    with pytest.raises(MigrationError, match="0002_b.sql"):
        await any_store.migrate(mig)
    assert await any_store.schema_version() == 1
    # table b was created by the failing file before its error: it must be gone
    tables = set(await any_store.tables())
    assert "a" in tables and "b" not in tables
    # fixing the file lets start-up go on from where it stopped
    write(mig, "0002_b.sql", "CREATE TABLE b (x INTEGER);")
    assert await any_store.migrate(mig) == ["0002_b.sql"]


async def test_misnamed_migration_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "m", "1_bad.sql", "SELECT 1;")
    with pytest.raises(MigrationError, match="1_bad.sql"):
        find_migrations(tmp_path / "m")


async def test_transaction_commits_or_rolls_back(any_store: Database) -> None:
    await any_store.execute("CREATE TABLE t (x INTEGER)")
    async with any_store.transaction():
        await any_store.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(RuntimeError):
        async with any_store.transaction():
            await any_store.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("boom")
    assert [r[0] for r in await any_store.fetchall("SELECT x FROM t")] == [1]


async def test_nested_transaction_joins_the_outer_one(any_store: Database) -> None:
    await any_store.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(ValueError):
        async with any_store.transaction():
            await any_store.execute("INSERT INTO t VALUES (1)")
            async with any_store.transaction():
                await any_store.execute("INSERT INTO t VALUES (2)")
            assert await committed(any_store, "SELECT COUNT(*) FROM t") == [(0,)]
            raise ValueError
    assert await any_store.fetchval("SELECT COUNT(*) FROM t") == 0


async def test_run_in_transaction_joins_an_outer_transaction(any_store: Database) -> None:
    await any_store.execute("CREATE TABLE t (x INTEGER)")

    def second(conn: SyncConnection) -> int:
        conn.execute("INSERT INTO t VALUES (2)")
        return int(conn.execute("SELECT COUNT(*) FROM t").fetchone()[0])

    with pytest.raises(LookupError):
        async with any_store.transaction():
            await any_store.execute("INSERT INTO t VALUES (1)")
            assert await any_store.run_in_transaction(second) == 2  # sees the outer's row
            assert await committed(any_store, "SELECT COUNT(*) FROM t") == [(0,)]
            raise LookupError
    assert await any_store.fetchval("SELECT COUNT(*) FROM t") == 0  # both rolled back
    async with any_store.transaction():
        await any_store.execute("INSERT INTO t VALUES (1)")
        await any_store.run_in_transaction(second)
    assert await committed(any_store, "SELECT x FROM t ORDER BY x") == [(1,), (2,)]


async def test_concurrent_decisions_are_serialised(any_store: Database) -> None:
    """Read-then-write inside transactions from many tasks never loses an update, when the
    read locks what it decides on (`db.lock()`: SQLite's one writer already does)."""
    await any_store.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER)")
    await any_store.execute("INSERT INTO c VALUES (1, 0)")

    async def bump() -> None:
        async with any_store.transaction():
            n = await any_store.fetchval(f"SELECT n FROM c WHERE id = 1{any_store.lock()}")
            await asyncio.sleep(0)
            await any_store.execute("UPDATE c SET n = ? WHERE id = 1", (n + 1,))

    # More tasks than the PostgreSQL store has connections, or threads: the ones waiting
    # for the lock must not keep the holder from reaching its COMMIT.
    await asyncio.wait_for(asyncio.gather(*(bump() for _ in range(100))), timeout=60)
    assert await any_store.fetchval("SELECT n FROM c") == 100


async def test_a_cancelled_transaction_leaves_the_store_usable(any_store: Database) -> None:
    await any_store.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER)")
    await any_store.execute("CREATE TABLE log (task INTEGER PRIMARY KEY)")
    await any_store.execute("INSERT INTO c VALUES (1, 0)")

    async def bump(task: int) -> None:
        async with any_store.transaction():
            await any_store.fetchval(f"SELECT n FROM c WHERE id = 1{any_store.lock()}")
            await asyncio.sleep(0.001)
            await any_store.execute("UPDATE c SET n = n + 1 WHERE id = 1")
            await any_store.execute("INSERT INTO log VALUES (?)", (task,))

    tasks = [asyncio.create_task(bump(i)) for i in range(40)]
    await asyncio.sleep(0.01)
    for task in tasks[::2]:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    finished = {i for i, r in enumerate(results) if r is None}
    assert any(isinstance(r, asyncio.CancelledError) for r in results)
    await asyncio.wait_for(asyncio.gather(*(bump(100 + i) for i in range(20))), timeout=60)
    # Each transaction wholly or not at all: every increment has its log row. Every one
    # that finished committed; a cancelled one may have too only if the cancel raced its
    # COMMIT (the outcome is then already decided), never half of it.
    logged = {row[0] for row in await any_store.fetchall("SELECT task FROM log")}
    assert await any_store.fetchval("SELECT n FROM c") == len(logged)
    assert finished | set(range(100, 120)) <= logged
    assert len(logged - finished - set(range(100, 120))) <= 1


async def test_backup_of_live_database_is_consistent(store: SqliteDatabase, tmp_path: Path) -> None:
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


async def test_run_in_transaction_commits_or_rolls_back(any_store: Database) -> None:
    await any_store.execute("CREATE TABLE t (x INTEGER)")

    def insert(conn: SyncConnection) -> int:
        conn.execute("INSERT INTO t VALUES (1)")
        return int(conn.execute("SELECT COUNT(*) FROM t").fetchone()[0])

    assert await any_store.run_in_transaction(insert) == 1

    def fail(conn: SyncConnection) -> None:
        conn.execute("INSERT INTO t VALUES (2)")
        raise LookupError("refused")

    with pytest.raises(LookupError, match="refused"):
        await any_store.run_in_transaction(fail)
    assert await any_store.fetchval("SELECT COUNT(*) FROM t") == 1
    assert await any_store.fetchval("SELECT x FROM t") == 1


# --- a failed COMMIT (item 7) -------------------------------------------------------------
# A deferred foreign key is checked only at COMMIT, so COMMIT itself fails, as it would on
# a full disk; SQLite then leaves the transaction open, PostgreSQL ends it.
DEFERRED_FK = [
    "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
    "CREATE TABLE child (pid INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)",
    "CREATE TABLE t (x INTEGER)",
]


async def test_failed_commit_rolls_back_and_the_store_goes_on(any_store: Database) -> None:
    for sql in DEFERRED_FK:
        await any_store.execute(sql)
    with pytest.raises(IntegrityError):
        async with any_store.transaction():
            await any_store.execute("INSERT INTO t VALUES (1)")
            await any_store.execute("INSERT INTO child VALUES (99)")  # no parent 99
    async with any_store.transaction():
        await any_store.execute("INSERT INTO t VALUES (2)")
    await any_store.execute("INSERT INTO t VALUES (3)")  # a single write outside transaction()
    assert await committed(any_store, "SELECT x FROM t ORDER BY x") == [(2,), (3,)]
    assert await committed(any_store, "SELECT COUNT(*) FROM child") == [(0,)]


async def test_failed_commit_in_run_in_transaction_rolls_back(any_store: Database) -> None:
    for sql in DEFERRED_FK:
        await any_store.execute(sql)

    def orphan(conn: SyncConnection) -> None:
        conn.execute("INSERT INTO t VALUES (1)")
        conn.execute("INSERT INTO child VALUES (99)")

    with pytest.raises(IntegrityError):
        await any_store.run_in_transaction(orphan)
    assert await any_store.run_in_transaction(
        lambda conn: conn.execute("INSERT INTO t VALUES (2)").rowcount
    )
    await any_store.execute("INSERT INTO t VALUES (3)")
    assert await committed(any_store, "SELECT x FROM t ORDER BY x") == [(2,), (3,)]
    assert await committed(any_store, "SELECT COUNT(*) FROM child") == [(0,)]


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
    db = await SqliteDatabase.open(tmp_path / "data" / "deeper" / "bot.sqlite3")
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
async def test_applied_migrations_are_recorded_by_number_and_name(any_store: Database) -> None:
    await any_store.migrate()
    rows = await any_store.fetchall("SELECT version, name FROM schema_migrations ORDER BY version")
    expected = [(m.version, m.name) for m in find_migrations(shipped(any_store))]
    assert [tuple(r) for r in rows] == expected


async def test_an_older_unapplied_migration_is_refused(any_store: Database, tmp_path: Path) -> None:
    mig = tmp_path / "migs"
    write(mig, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    write(mig, "0003_c.sql", "CREATE TABLE c (x INTEGER);")
    await any_store.migrate(mig)
    write(mig, "0002_b.sql", "CREATE TABLE b (x INTEGER);")  # e.g. merged late from a branch
    with pytest.raises(MigrationError, match=r"0002_b\.sql.*0003_c\.sql"):
        await any_store.migrate(mig)
    assert "b" not in await any_store.tables()


async def test_a_renamed_applied_migration_is_refused(any_store: Database, tmp_path: Path) -> None:
    mig = tmp_path / "migs"
    write(mig, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    await any_store.migrate(mig)
    (mig / "0001_a.sql").rename(mig / "0001_other.sql")
    with pytest.raises(MigrationError, match=r"0001_other\.sql.*0001_a\.sql"):
        await any_store.migrate(mig)


async def test_no_migration_files_is_an_error_not_an_empty_database(
    any_store: Database, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(MigrationError, match="no migration files"):
        await any_store.migrate(tmp_path / "empty")
    with pytest.raises(MigrationError, match="no migration files"):
        find_migrations(tmp_path / "absent")
    assert "schema_migrations" not in await any_store.tables() or (
        await any_store.schema_version() == 0
    )


async def test_processes_starting_at_once_migrate_in_turn(any_store: Database) -> None:
    """Two processes (two pools) migrating one PostgreSQL database at the same moment: one
    applies every file, the other finds nothing left (an advisory lock)."""
    if any_store.dialect == "sqlite":
        pytest.skip("one process per SQLite file")
    other = await connect_again(any_store)
    try:
        results = await asyncio.gather(any_store.migrate(), other.migrate())
    finally:
        await other.close()
    names = [m.name for m in find_migrations(shipped(any_store))]
    assert sorted(results, key=len) == [[], names]


def file_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def test_a_database_with_data_is_backed_up_before_migrating(
    store: SqliteDatabase, tmp_path: Path, open_umask: None
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
    assert file_rows(copy, "SELECT x FROM a") == [(7,)]
    assert file_rows(copy, "SELECT MAX(version) FROM schema_migrations") == [(1,)]
    assert await store.migrate(mig) == [] and store.migration_backup is None


async def test_run_in_transaction_speaks_the_callers_language(any_store: Database) -> None:
    """The work runs in the store's thread but sees the calling task's language, so a
    refusal raised there (a full event, a used ticket) reaches the member in theirs."""

    def spoken(conn: SyncConnection) -> str:
        return i18n.current()

    with i18n.speaking("ur"):
        assert await any_store.run_in_transaction(spoken) == "ur"
        async with any_store.transaction():
            assert await any_store.run_in_transaction(spoken) == "ur"
    assert await any_store.run_in_transaction(spoken) == "en"

"""The SQLite store (the default): one aiosqlite connection, WAL, foreign keys,
numbered migrations (bot/migrations/sqlite).

Every statement runs under one asyncio lock, because a single SQLite connection
has a single transaction: a read by one coroutine must never see another
coroutine's uncommitted writes. `transaction()` holds the lock for the whole
`BEGIN IMMEDIATE … COMMIT`; statements issued inside it (in the same task)
join it instead of waiting for the lock. Any failure, COMMIT's own included (a full
disk, a deferred constraint), rolls back: SQLite leaves a transaction open after a
failed COMMIT, and every later BEGIN would fail until a restart.

The database file, its -wal/-shm and backups are owner-only (0600; folders the bot
creates 0700), whatever the umask: they hold members' answers and ticket codes.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import aiosqlite

from bot.db import (
    MIGRATIONS_DIR,
    Column,
    Database,
    ForeignKey,
    Migration,
    MigrationError,
    SyncConnection,
    commit_through,
    find_migrations,
    in_callers_context,
    pending_migrations,
)
from bot.sql import Params, Row

log = logging.getLogger(__name__)

# The stores whose transaction this task is in (by store: a task may use two files, and
# one's transaction is not the other's).
_in_transaction: contextvars.ContextVar[frozenset[SqliteDatabase]] = contextvars.ContextVar(
    "in_tx", default=frozenset()
)

T = TypeVar("T")


FILE_MODE = 0o600
DIR_MODE = 0o700


def make_private_dirs(folder: Path) -> None:
    """Create `folder` and its missing parents as 0700; existing folders are not ours to change."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(path, DIR_MODE)  # mkdir's mode is cut by the umask


def make_private_file(path: Path) -> None:
    """Create `path` empty as 0600 (before SQLite opens it with its 0644), or take group and
    other bits away from an existing one (made by an older version)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        current = os.stat(path).st_mode & 0o777
        if current & 0o077:
            try:
                os.chmod(path, current & 0o700)
                log.info("%s was readable by others: now owner-only", path)
            except PermissionError:
                log.warning("%s is readable by others and not ours to chmod", path)
        return
    try:
        os.fchmod(fd, FILE_MODE)  # os.open's mode is cut by the umask
    finally:
        os.close(fd)


def _rollback_quietly(conn: sqlite3.Connection) -> None:
    """ROLLBACK if a transaction is still open (a failed COMMIT leaves it open). A failing
    ROLLBACK is logged rather than raised, so the caller sees the error that caused it."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        log.exception("ROLLBACK failed: the connection may still be inside a transaction")


class SqliteDatabase(Database):
    """One connection to the SQLite file, shared by the whole bot."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        # Where the last migrate() copied the database before changing it (None: no copy).
        self.migration_backup: Path | None = None

    @classmethod
    async def open(cls, path: str | Path) -> SqliteDatabase:
        """Open (creating the folder and file if needed) with WAL and foreign keys on."""
        path = Path(path)
        on_disk = str(path) != ":memory:"
        if on_disk:
            make_private_dirs(path.parent)
            make_private_file(path)
        # isolation_level=None: no implicit transactions; we issue BEGIN ourselves.
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a crash of the process (not of the OS) with
        # every committed transaction intact, at a fraction of FULL's fsyncs.
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        if on_disk:  # SQLite gives these the database's mode; an older install's may be loose
            for suffix in ("-wal", "-shm"):
                side = path.with_name(path.name + suffix)
                if side.exists():
                    make_private_file(side)
        return cls(conn, path)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    # --- statements -------------------------------------------------------
    @asynccontextmanager
    async def _locked(self) -> AsyncIterator[None]:
        if self in _in_transaction.get():
            yield
        else:
            async with self._lock:
                yield

    # Each helper is one hop to aiosqlite's thread: cursors of finished statements
    # need no explicit close, and rowcount/lastrowid are read without another hop.
    async def execute(self, sql: str, params: Params = ()) -> None:
        async with self._locked():
            await self._conn.execute(sql, params)

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns how many rows it changed."""
        async with self._locked():
            cur = await self._conn.execute(sql, params)
            return cur.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self._locked():
            await self._conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._locked():
            return list(await self._conn.execute_fetchall(sql, params))  # type: ignore

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        """`async with db.transaction():` — BEGIN IMMEDIATE, COMMIT, or ROLLBACK on error.

        Nested use inside the same task joins the outer transaction.
        """
        if self in _in_transaction.get():
            yield self
            return
        async with self._lock:
            token = _in_transaction.set(_in_transaction.get() | {self})
            started = time.perf_counter()
            try:
                try:
                    # Inside the try: a cancel while BEGIN is queued still rolls it back.
                    await self._conn.execute("BEGIN IMMEDIATE")
                    yield self
                    await commit_through(self._conn.execute("COMMIT"))
                except BaseException:
                    # In the connection's thread, after anything still queued there (a
                    # cancelled COMMIT still runs); shielded so a cancel can't skip it.
                    await asyncio.shield(self._conn._execute(_rollback_quietly, self._conn._conn))
                    raise
            finally:
                _in_transaction.reset(token)
                self._timed(started)

    async def run_in_transaction(self, work: Callable[[SyncConnection], T]) -> T:
        """Run `work(conn)` as one BEGIN IMMEDIATE … COMMIT inside the connection's thread.

        For hot paths (an RSVP click): one hop to the database thread instead of one
        per statement. `work` is plain synchronous sqlite3 code; raising rolls back and
        the exception reaches the caller.

        Inside `transaction()` (same task) it joins the outer transaction, like a nested
        `transaction()`: `work` runs in the connection's thread, the outer one commits.
        """
        # The caller's context variables (the member's language, bot/i18n.py) go along to
        # the database's thread, so a refusal raised there is in the member's language.
        work = in_callers_context(work)
        if self in _in_transaction.get():
            return await self._conn._execute(work, self._conn._conn)
        async with self._lock:
            # aiosqlite runs functions in its thread through _execute; pinned < 0.23 and
            # covered by tests/unit/test_db.py.
            started = time.perf_counter()
            try:
                return await self._conn._execute(self._run_sync, work)
            finally:
                self._timed(started)

    def _run_sync(self, work: Callable[[SyncConnection], T]) -> T:
        conn = self._conn._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn)
            conn.execute("COMMIT")
        except BaseException:
            _rollback_quietly(conn)
            raise
        return result

    # --- schema -----------------------------------------------------------
    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT name FROM pragma_table_list"
            " WHERE schema = 'main' AND type = 'table' AND substr(name, 1, 7) <> 'sqlite_'"
        )
        return sorted(str(r["name"]) for r in rows)

    async def columns(self, table: str) -> list[Column]:
        rows = await self.fetchall("SELECT name, type, pk FROM pragma_table_info(?)", (table,))
        return [Column(str(r["name"]), str(r["type"] or ""), int(r["pk"])) for r in rows]

    async def foreign_keys(self, table: str) -> list[ForeignKey]:
        rows = await self.fetchall(
            'SELECT "from", "table", "to", seq FROM pragma_foreign_key_list(?) ORDER BY id, seq',
            (table,),
        )
        found = []
        for r in rows:
            to = r["to"]
            if to is None:  # REFERENCES parent without columns: the parent's primary key
                cols = await self.columns(r["table"])
                keys = sorted((c for c in cols if c.primary_key), key=lambda c: c.primary_key)
                to = keys[r["seq"]].name if r["seq"] < len(keys) else "rowid"
            found.append(ForeignKey(str(r["from"]), str(r["table"]), str(to)))
        return found

    async def migrate(self, directory: Path | None = None) -> list[str]:
        """Apply pending migrations in order, each in its own transaction.

        Returns the names applied. A failing file is rolled back whole and raises
        MigrationError naming it; the files before it stay applied. No files, a renamed
        applied file or a skipped older one raise MigrationError before anything changes
        (see pending_migrations). A database that already has migrations is first copied
        to `<name>.before-NNNN.bak` beside it (`migration_backup` says where).
        """
        migrations = find_migrations(directory or MIGRATIONS_DIR)
        done = await self._applied()
        pending = pending_migrations(migrations, done)
        self.migration_backup = None
        if done and pending and str(self.path) != ":memory:":
            self.migration_backup = await self._backup_before(pending[0])
        applied: list[str] = []
        for mig in pending:
            sql = mig.path.read_text(encoding="utf-8")
            # executescript takes no parameters; the name matched _MIGRATION_NAME ([a-z0-9_]).
            record = (
                "INSERT INTO schema_migrations(version, name, applied_at) "
                f"VALUES ({mig.version}, '{mig.name}', {int(time.time())});"
            )
            async with self._lock:
                try:
                    # executescript runs the file statement by statement inside our BEGIN.
                    await self._conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n;\n{record}\nCOMMIT;")
                except sqlite3.Error as exc:
                    if self._conn.in_transaction:
                        await self._conn.execute("ROLLBACK")
                    raise MigrationError(f"migration {mig.name} failed: {exc}") from exc
            log.info("applied migration %s", mig.name)
            applied.append(mig.name)
        return applied

    async def _backup_before(self, first: Migration) -> Path:
        target = self.path.with_name(f"{self.path.name}.before-{first.version:04d}.bak")
        check = await asyncio.to_thread(backup, self.path, target)
        if check != "ok":
            raise MigrationError(
                f"the database failed its integrity check ({check}): not migrating it; "
                f"the copy is at {target}"
            )
        log.info("database backed up to %s before migration %s", target, first.name)
        return target


def backup(source: str | Path, target: str | Path) -> str:
    """Copy a live database consistently with SQLite's online backup API.

    Safe while the bot runs: the copy is one snapshot, owner-only like the
    database. Returns the copy's `PRAGMA integrity_check` result ("ok" when sound).
    """
    source, target = Path(source), Path(target)
    if not source.exists():
        raise FileNotFoundError(f"no database at {source}")
    make_private_dirs(target.parent)
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    make_private_file(tmp)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
        result = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    tmp.replace(target)  # the copy appears whole or not at all
    return str(result)

"""The store: one aiosqlite connection, WAL, foreign keys, numbered migrations.

Every statement runs under one asyncio lock, because a single SQLite connection
has a single transaction: a read by one coroutine must never see another
coroutine's uncommitted writes. `transaction()` holds the lock for the whole
`BEGIN IMMEDIATE … COMMIT`; statements issued inside it (in the same task)
join it instead of waiting for the lock.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_in_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar("in_tx", default=False)

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


class MigrationError(Exception):
    """A migration failed; the database is as it was before that file."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def find_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in order; a misnamed or duplicate number is an error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path.name}: version {version} is used twice")
        found[version] = Migration(version, path.name, path)
    return [found[v] for v in sorted(found)]


class Database:
    """One connection to the SQLite file, shared by the whole bot."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (creating the folder and file if needed) with WAL and foreign keys on."""
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; we issue BEGIN ourselves.
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a crash of the process (not of the OS) with
        # every committed transaction intact, at a fraction of FULL's fsyncs.
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        return cls(conn, path)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    # --- statements -------------------------------------------------------
    @asynccontextmanager
    async def _locked(self) -> AsyncIterator[None]:
        if _in_transaction.get():
            yield
        else:
            async with self._lock:
                yield

    # Each helper is one hop to aiosqlite's thread: cursors of finished statements
    # need no explicit close, and rowcount/lastrowid are read without another hop.
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the last row id (for INSERT) or 0."""
        async with self._locked():
            cur = await self._conn.execute(sql, params)
            return cur.lastrowid or 0

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns how many rows it changed."""
        async with self._locked():
            cur = await self._conn.execute(sql, params)
            return cur.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self._locked():
            await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row (the query should select one: all rows are fetched)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._locked():
            return list(await self._conn.execute_fetchall(sql, params))

    async def fetch_dicts(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Rows as plain dicts (for exports and reports)."""
        return [dict(r) for r in await self.fetchall(sql, params)]

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        """`async with db.transaction():` — BEGIN IMMEDIATE, COMMIT, or ROLLBACK on error.

        Nested use inside the same task joins the outer transaction.
        """
        if _in_transaction.get():
            yield self
            return
        async with self._lock:
            token = _in_transaction.set(True)
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self
                except BaseException:
                    await self._conn.execute("ROLLBACK")
                    raise
                await self._conn.execute("COMMIT")
            finally:
                _in_transaction.reset(token)

    async def run_in_transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(conn)` as one BEGIN IMMEDIATE … COMMIT inside the connection's thread.

        For hot paths (an RSVP click): one hop to the database thread instead of one
        per statement. `work` is plain synchronous sqlite3 code; raising rolls back and
        the exception reaches the caller.
        """
        if _in_transaction.get():
            raise RuntimeError("run_in_transaction cannot nest inside transaction()")
        async with self._lock:
            # aiosqlite runs functions in its thread through _execute; pinned < 0.23 and
            # covered by tests/unit/test_db.py.
            return await self._conn._execute(self._run_sync, work)

    def _run_sync(self, work: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    # --- schema -----------------------------------------------------------
    async def schema_version(self) -> int:
        await self._ensure_migrations_table()
        return int(await self.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))

    async def _ensure_migrations_table(self) -> None:
        await self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
        )

    async def migrate(self, directory: Path = MIGRATIONS_DIR) -> list[str]:
        """Apply pending migrations in order, each in its own transaction.

        Returns the names applied. A failing file is rolled back whole and raises
        MigrationError naming it; the files before it stay applied.
        """
        migrations = find_migrations(directory)
        current = await self.schema_version()
        applied: list[str] = []
        for mig in migrations:
            if mig.version <= current:
                continue
            sql = mig.path.read_text(encoding="utf-8")
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


def backup(source: str | Path, target: str | Path) -> str:
    """Copy a live database consistently with SQLite's online backup API.

    Safe while the bot runs: the copy is one snapshot. Returns the copy's
    `PRAGMA integrity_check` result ("ok" when sound).
    """
    source, target = Path(source), Path(target)
    if not source.exists():
        raise FileNotFoundError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
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

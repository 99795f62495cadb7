"""The store: one interface, two implementations, numbered migrations for each.

SQLite (bot/sqlite_db.py, one file, the default) or PostgreSQL (bot/postgres_db.py, when
`DATABASE_URL` is set). Features see only `Database`: statements with SQLite-style
placeholders in the SQL both understand (bot/sql.py), rows read by name or position,
`transaction()` for a unit of work and `run_in_transaction(work)` for a hot path that
runs plain synchronous code in one hop. The few differences a feature must not know
about — where the migrations are, how a row is locked for a decision — are here.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from bot.sql import Params, Row

log = logging.getLogger(__name__)

MIGRATIONS_ROOT = Path(__file__).resolve().parent / "migrations"
MIGRATIONS_DIR = MIGRATIONS_ROOT / "sqlite"  # the default store's
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
T = TypeVar("T")
C = TypeVar("C")


def in_callers_context(work: Callable[[C], T]) -> Callable[[C], T]:
    """`work` run with the calling task's context variables (the member's language,
    bot/i18n.py) in the database's thread, which doesn't see them otherwise: a refusal
    raised there reaches the member in their language."""
    context = contextvars.copy_context()

    def run(conn: C) -> T:
        return context.run(work, conn)

    return run


__all__ = [
    "Column",
    "Database",
    "ForeignKey",
    "MigrationError",
    "Params",
    "Row",
    "SyncConnection",
    "find_migrations",
    "pending_migrations",
]


async def commit_through(commit: Awaitable[T]) -> T:
    """Await a COMMIT to its end even if the task is cancelled meanwhile, so the connection
    is never handed on mid-commit; the cancel is raised once the outcome is known. (A
    cancel that races a COMMIT may find it committed, as with any database.)"""
    future = asyncio.ensure_future(commit)
    cancelled = False
    while not future.done():
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            if future.cancelled():
                raise
            cancelled = True
    result = future.result()
    if cancelled:
        raise asyncio.CancelledError
    return result


class MigrationError(Exception):
    """Migrations can't be applied (a file failed: the database is as it was before it;
    files are missing, out of order or renamed: nothing was applied)."""


@dataclass(frozen=True)
class Column:
    """A column of a table, as the store's catalog describes it."""

    name: str
    type: str  # as declared (SQLite: "INTEGER"), or PostgreSQL's data type ("bigint")
    primary_key: int  # its place in the primary key (1, 2, …), 0 when not part of it


@dataclass(frozen=True)
class ForeignKey:
    """One column of a table referring to a column of another (`parent`)."""

    column: str
    parent: str
    parent_column: str


class SyncCursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class SyncConnection(Protocol):
    """What `run_in_transaction` hands its work: sqlite3's connection, or PostgreSQL's
    through an adapter that takes the same SQL."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...


class Database(ABC):
    """A store the features can't tell apart from the other one."""

    dialect: ClassVar[str]  # "sqlite" | "postgresql"
    # Appended to a SELECT that decides something (a seat, a claim): PostgreSQL locks the
    # rows until the transaction ends; SQLite has one writer at a time already.
    for_update: ClassVar[str] = ""
    migration_backup: Path | None = None
    # Called with each outermost transaction's seconds (the metrics, cogs/web); the store
    # stays free of any metrics library.
    on_transaction: Callable[[float], None] | None = None

    def _timed(self, started: float) -> None:
        if self.on_transaction is not None:
            try:
                self.on_transaction(time.perf_counter() - started)
            except Exception:  # a metric must never fail a unit of work
                log.exception("transaction observer failed")

    @staticmethod
    async def open(path: str | Path) -> Database:
        """The SQLite store at `path` (created with its folder if missing)."""
        from bot.sqlite_db import SqliteDatabase

        return await SqliteDatabase.open(path)

    @staticmethod
    async def connect(target: str | Path) -> Database:
        """`postgresql://…` → the PostgreSQL store; anything else is an SQLite file path."""
        text = str(target)
        if text.startswith(("postgresql://", "postgres://")):
            from bot.postgres_db import PostgresDatabase

            return await PostgresDatabase.open(text)
        return await Database.open(target)

    def lock(self, *aliases: str) -> str:
        """The clause ending a SELECT that decides something (a seat, a claim), locking
        its rows (of these table aliases: the nullable side of an outer join can't be
        locked) until the transaction ends: `FOR UPDATE [OF e]` on PostgreSQL, nothing on
        SQLite, whose one writer at a time already serializes every decision."""
        return ""

    def skip_locked(self, *aliases: str) -> str:
        """The clause ending a SELECT that claims due work (`outbox.claim`): on PostgreSQL
        `FOR UPDATE [OF o] SKIP LOCKED`, so processes claiming at once each get other
        rows instead of waiting for one another; nothing on SQLite (one writer at a time)."""
        return ""

    # --- statements ------------------------------------------------------------------------
    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> None:
        """Run one statement (use `insert` for the new row's id)."""

    @abstractmethod
    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns how many rows it changed."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def insert(self, sql: str, params: Params = ()) -> int:
        """An INSERT into a table with an `id` column; returns the new row's id."""
        return int(await self.fetchval(f"{sql} RETURNING id", params))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row (the query should select one: all rows are fetched)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def fetch_dicts(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Rows as plain dicts (for exports and reports)."""
        return [dict(r) for r in await self.fetchall(sql, params)]

    # --- units of work ---------------------------------------------------------------------
    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Database]:
        """`async with db.transaction():` — all or nothing; a nested use (same task)
        joins the outer one. Any failure, COMMIT's own included, rolls back."""

    @abstractmethod
    async def run_in_transaction(self, work: Callable[[SyncConnection], T]) -> T:
        """Run synchronous `work(conn)` as one transaction in one hop (hot paths). Inside
        `transaction()` it joins the outer one."""

    # --- schema ----------------------------------------------------------------------------
    @abstractmethod
    async def tables(self) -> list[str]:
        """The ordinary tables of the schema (not views, nor the store's own), sorted."""

    @abstractmethod
    async def columns(self, table: str) -> list[Column]:
        """The columns of `table` in their order ([] when there is no such table)."""

    @abstractmethod
    async def foreign_keys(self, table: str) -> list[ForeignKey]:
        """The columns of `table` that refer to another table's, one per column."""

    @abstractmethod
    async def migrate(self, directory: Path | None = None) -> list[str]:
        """Apply pending migrations in order, each in its own transaction; the names."""

    async def schema_version(self) -> int:
        await self._ensure_migrations_table()
        return int(await self.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))

    async def _ensure_migrations_table(self) -> None:
        await self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        )

    async def _applied(self) -> dict[int, str]:
        await self._ensure_migrations_table()
        rows = await self.fetchall("SELECT version, name FROM schema_migrations")
        return {int(r[0]): str(r[1]) for r in rows}


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def find_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in order; a misnamed or duplicate number, or none, is an error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path.name}: version {version} is used twice")
        found[version] = Migration(version, path.name, path)
    if not found:
        # An install without its .sql files would otherwise start on an empty database.
        raise MigrationError(
            f"no migration files (NNNN_name.sql) in {directory}: the installed package is "
            "incomplete; reinstall it"
        )
    return [found[v] for v in sorted(found)]


def pending_migrations(migrations: Sequence[Migration], applied: dict[int, str]) -> list[Migration]:
    """The files still to apply, given the applied {version: name}; refuses (MigrationError)
    a renamed applied file and an unapplied file older than the newest applied one, which
    would otherwise be skipped for ever."""
    files = {m.version: m for m in migrations}
    for version, name in sorted(applied.items()):
        mig = files.get(version)
        if mig is not None and mig.name != name:
            raise MigrationError(
                f"{mig.name}: migration {version} was applied as {name}. Either the file was "
                "renamed (give it its old name back) or two migrations share a number (give "
                "the new one the next free number)."
            )
    unknown = [name for version, name in sorted(applied.items()) if version not in files]
    if unknown:
        log.warning(
            "the database has migrations this code does not ship (%s): is this an older "
            "version of the bot?",
            ", ".join(unknown),
        )
    newest = max(applied, default=0)
    pending = [m for m in migrations if m.version not in applied]
    for mig in pending:
        if mig.version < newest:
            raise MigrationError(
                f"{mig.name} is not applied but the newer {applied[newest]} is, so it would "
                f"never run: renumber it above {newest:04d}."
            )
    return pending

"""The PostgreSQL store: for a bot that outgrows one machine (`DATABASE_URL`).

psycopg 3, used the way aiosqlite uses sqlite3: blocking calls in worker threads over a
pool of connections. That keeps one design for both stores — above all the hot path,
`run_in_transaction(work)`, runs the same synchronous `work(conn)` in one hop on either
(here `conn` adapts psycopg to sqlite3's `execute(sql, params)`), where an async-only
driver would have needed a second version of every such function.

Connections are in autocommit; a transaction is `BEGIN … COMMIT` on one connection held
by the task that opened it (nested use joins it). Statements outside a transaction run
on any free connection. Isolation is READ COMMITTED: decisions that must not race across
processes lock their rows (`db.for_update`), and due work is claimed with
`FOR UPDATE SKIP LOCKED`. Client-side parameter binding (`ClientCursor`) keeps values as
loosely typed as SQLite's, so the same SQL runs on both.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg import ClientCursor
from psycopg.rows import RowMaker
from psycopg_pool import ConnectionPool

from bot.db import MIGRATIONS_ROOT, Database, MigrationError, find_migrations, pending_migrations
from bot.sql import Params, Row, bind

log = logging.getLogger(__name__)
T = TypeVar("T")
MIGRATIONS_DIR = MIGRATIONS_ROOT / "postgres"
POOL_SIZE = 8
_held: contextvars.ContextVar[psycopg.Connection[Row] | None] = contextvars.ContextVar(
    "pg_tx", default=None
)


def row_factory(cursor: psycopg.Cursor[Any]) -> RowMaker[Row]:
    index = {col.name: i for i, col in enumerate(cursor.description or ())}
    return lambda values: Row(index, values)


class SyncAdapter:
    """psycopg's connection as `run_in_transaction` work expects one: sqlite3's
    `execute(sql, params)` with the same SQL, returning a cursor (fetchone, fetchall,
    rowcount)."""

    def __init__(self, conn: psycopg.Connection[Row]) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Params = ()) -> psycopg.Cursor[Row]:
        text, values = bind(sql, parameters)
        return self.conn.execute(text, values or None)


class PostgresDatabase(Database):
    dialect = "postgresql"
    for_update = " FOR UPDATE"

    def lock(self, *aliases: str) -> str:
        return f" FOR UPDATE OF {', '.join(aliases)}" if aliases else " FOR UPDATE"

    def __init__(self, pool: ConnectionPool[psycopg.Connection[Row]], url: str) -> None:
        self._pool = pool
        self.url = url

    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:  # type: ignore[override]
        def connect() -> ConnectionPool[psycopg.Connection[Row]]:
            pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
                url,
                min_size=1,
                max_size=POOL_SIZE,
                kwargs={
                    "autocommit": True,
                    "cursor_factory": ClientCursor,
                    "row_factory": row_factory,
                },
                open=False,
            )
            pool.open(wait=True, timeout=15)
            return pool

        return cls(await asyncio.to_thread(connect), url)

    async def close(self) -> None:
        await asyncio.to_thread(self._pool.close)

    # --- statements ------------------------------------------------------------------------
    async def _run(self, fn: Callable[[psycopg.Connection[Row]], T]) -> T:
        held = _held.get()
        if held is not None:
            return await asyncio.to_thread(fn, held)

        def pooled() -> T:
            with self._pool.connection() as conn:
                return fn(conn)

        return await asyncio.to_thread(pooled)

    async def execute(self, sql: str, params: Params = ()) -> None:
        text, values = bind(sql, params)
        await self._run(lambda c: c.execute(text, values or None))

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        text, values = bind(sql, params)

        def run(conn: psycopg.Connection[Row]) -> int:
            return conn.execute(text, values or None).rowcount

        return await self._run(run)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        bound = [bind(sql, r) for r in rows]
        if not bound:
            return
        text = bound[0][0]

        def run(conn: psycopg.Connection[Row]) -> None:
            with conn.cursor() as cur:
                cur.executemany(text, [values for _, values in bound])

        await self._run(run)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        text, values = bind(sql, params)

        def run(conn: psycopg.Connection[Row]) -> list[Row]:
            return conn.execute(text, values or None).fetchall()

        return await self._run(run)

    # --- units of work ---------------------------------------------------------------------
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        if _held.get() is not None:
            yield self
            return
        conn = await asyncio.to_thread(self._pool.getconn)
        token = _held.set(conn)
        try:
            await asyncio.to_thread(conn.execute, "BEGIN")
            try:
                yield self
                await asyncio.to_thread(conn.execute, "COMMIT")
            except BaseException:
                await asyncio.shield(asyncio.to_thread(_rollback_quietly, conn))
                raise
        finally:
            _held.reset(token)
            await asyncio.to_thread(self._pool.putconn, conn)

    async def run_in_transaction(self, work: Callable[[Any], T]) -> T:
        held = _held.get()
        if held is not None:
            return await asyncio.to_thread(work, SyncAdapter(held))

        def run() -> T:
            with self._pool.connection() as conn:
                conn.execute("BEGIN")
                try:
                    result = work(SyncAdapter(conn))
                    conn.execute("COMMIT")
                except BaseException:
                    _rollback_quietly(conn)
                    raise
                return result

        return await asyncio.to_thread(run)

    # --- schema ----------------------------------------------------------------------------
    async def migrate(self, directory: Path | None = None) -> list[str]:
        """Apply pending migrations (bot/migrations/postgres), each in its own transaction.
        Nothing is copied first: back PostgreSQL up with pg_dump."""
        migrations = find_migrations(directory or MIGRATIONS_DIR)
        pending = pending_migrations(migrations, await self._applied())
        applied: list[str] = []
        for mig in pending:
            script = mig.path.read_text(encoding="utf-8")

            def run(conn: psycopg.Connection[Row], script: str = script, name: str = mig.name,
                    version: int = mig.version) -> None:  # fmt: skip
                conn.execute("BEGIN")
                try:
                    # No parameters: psycopg sends the file as one simple query.
                    conn.execute(script.encode("utf-8"))
                    conn.execute(
                        "INSERT INTO schema_migrations(version, name, applied_at)"
                        " VALUES (%s, %s, %s)",
                        (version, name, int(time.time())),
                    )
                    conn.execute("COMMIT")
                except psycopg.Error as exc:
                    _rollback_quietly(conn)
                    raise MigrationError(f"migration {name} failed: {exc}") from exc

            await self._run(run)
            log.info("applied migration %s", mig.name)
            applied.append(mig.name)
        return applied


def _rollback_quietly(conn: psycopg.Connection[Any]) -> None:
    try:
        conn.execute("ROLLBACK")
    except psycopg.Error:
        log.exception("ROLLBACK failed: the connection is dropped from the pool")

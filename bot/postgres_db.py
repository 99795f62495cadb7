"""The PostgreSQL store: for a bot that outgrows one machine (`DATABASE_URL`).

psycopg 3, used the way aiosqlite uses sqlite3: blocking calls in worker threads over a
pool of connections. That keeps one design for both stores — above all the hot path,
`run_in_transaction(work)`, runs the same synchronous `work(conn)` in one hop on either
(here `conn` adapts psycopg to sqlite3's `execute(sql, params)`), where an async-only
driver would have needed a second version of every such function.

Connections are in autocommit; a transaction is `BEGIN … COMMIT` on one connection held
by the task that opened it (nested use joins it). Statements outside a transaction run
on any free connection. Isolation is READ COMMITTED: decisions that must not race across
processes lock their rows (`db.lock()`), and due work is claimed with
`FOR UPDATE SKIP LOCKED` (`db.skip_locked()`). Client-side parameter binding
(`ClientCursor`) keeps values as loosely typed as SQLite's, so the same SQL runs on both.

Threads. A task waits for a free connection in asyncio (`_slots`), never in a thread, and
the threads are the store's own, more of them than connections. Otherwise tasks waiting
for a connection, or for a row another transaction has locked, could fill every worker
thread while the transactions they wait for need one to go on to their COMMIT: every
task stuck (a burst of clicks on one event did exactly that with asyncio's shared pool).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import psycopg
from psycopg import ClientCursor
from psycopg.rows import RowMaker
from psycopg_pool import ConnectionPool

from bot.db import (
    MIGRATIONS_ROOT,
    Column,
    Database,
    ForeignKey,
    MigrationError,
    commit_through,
    find_migrations,
    in_callers_context,
    pending_migrations,
)
from bot.sql import Params, Row, bind

log = logging.getLogger(__name__)
T = TypeVar("T")
Conn = psycopg.Connection[Row]
MIGRATIONS_DIR = MIGRATIONS_ROOT / "postgres"
POOL_SIZE = 8
# pg_advisory_lock key held while migrating: processes starting at once migrate in turn.
MIGRATION_LOCK = 0x0B07_5C4E_3A
# The connection each store's transaction holds in this task (by store: a task may use two
# stores, e.g. two databases, and one's transaction is not the other's).
_held: contextvars.ContextVar[Mapping[PostgresDatabase, Conn]] = contextvars.ContextVar(
    "pg_tx", default=MappingProxyType({})
)


def row_factory(cursor: psycopg.Cursor[Any]) -> RowMaker[Row]:
    index = {col.name: i for i, col in enumerate(cursor.description or ())}
    return lambda values: Row(index, values)


class SyncAdapter:
    """psycopg's connection as `run_in_transaction` work expects one: sqlite3's
    `execute(sql, params)` with the same SQL, returning a cursor (fetchone, fetchall,
    rowcount)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Params = ()) -> psycopg.Cursor[Row]:
        text, values = bind(sql, parameters)
        return self.conn.execute(text, values or None)


class PostgresDatabase(Database):
    dialect = "postgresql"
    for_update = " FOR UPDATE"

    def lock(self, *aliases: str) -> str:
        return f" FOR UPDATE OF {', '.join(aliases)}" if aliases else " FOR UPDATE"

    def skip_locked(self, *aliases: str) -> str:
        return f"{self.lock(*aliases)} SKIP LOCKED"

    def __init__(self, pool: ConnectionPool[Conn], url: str) -> None:
        self._pool = pool
        self.url = url
        # One slot per connection: a task takes one before it takes a connection.
        self._slots = asyncio.Semaphore(POOL_SIZE)
        # A slot's holder runs one call at a time, plus at most one ROLLBACK or return of
        # its connection queued behind a cancelled call: twice as many threads always do.
        self._threads = concurrent.futures.ThreadPoolExecutor(
            2 * POOL_SIZE, thread_name_prefix="postgres"
        )

    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:  # type: ignore[override]
        def connect() -> ConnectionPool[Conn]:
            pool: ConnectionPool[Conn] = ConnectionPool(
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
        self._threads.shutdown(wait=False)

    # --- threads and connections -----------------------------------------------------------
    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in one of the store's threads."""
        return await asyncio.wrap_future(self._threads.submit(fn, *args))

    def _release_when_done(self, future: concurrent.futures.Future[Any]) -> None:
        """Give the slot back once `future`'s thread has finished with its connection (not
        when a cancelled task stops waiting for it)."""
        loop = asyncio.get_running_loop()

        def release(_: concurrent.futures.Future[Any]) -> None:
            try:
                loop.call_soon_threadsafe(self._slots.release)
            except RuntimeError:  # the loop is closed: nothing waits for a slot any more
                pass

        future.add_done_callback(release)

    async def _pooled(self, fn: Callable[[Conn], T]) -> T:
        """`fn(conn)` on a free connection (waiting for one in asyncio)."""
        await self._slots.acquire()

        def run() -> T:
            with self._pool.connection() as conn:
                return fn(conn)

        future = self._threads.submit(run)
        self._release_when_done(future)
        return await asyncio.wrap_future(future)

    async def _checkout(self) -> Conn:
        """A connection for this task alone until `_checkin` (a transaction's)."""
        await self._slots.acquire()
        future = self._threads.submit(self._pool.getconn)
        try:
            return await asyncio.wrap_future(future)
        except BaseException:
            # Cancelled while waiting: the connection it still gets goes back to the pool.
            def give_back(done: concurrent.futures.Future[Conn]) -> None:
                if not done.cancelled() and done.exception() is None:
                    self._pool.putconn(done.result())

            future.add_done_callback(give_back)
            self._release_when_done(future)
            raise

    def _checkin(self, conn: Conn) -> None:
        """Give the connection back, without an await: a transaction that committed
        while its task was being cancelled still returns normally (see commit_through)."""
        future = self._threads.submit(self._pool.putconn, conn)
        self._release_when_done(future)

    def _hold(self, conn: Conn) -> contextvars.Token[Mapping[PostgresDatabase, Conn]]:
        return _held.set(MappingProxyType({**_held.get(), self: conn}))

    async def _run(self, fn: Callable[[Conn], T]) -> T:
        held = _held.get().get(self)
        if held is not None:
            return await self._call(fn, held)
        return await self._pooled(fn)

    # --- statements ------------------------------------------------------------------------
    async def execute(self, sql: str, params: Params = ()) -> None:
        text, values = bind(sql, params)
        await self._run(lambda c: c.execute(text, values or None))

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        text, values = bind(sql, params)

        def run(conn: Conn) -> int:
            return conn.execute(text, values or None).rowcount

        return await self._run(run)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        bound = [bind(sql, r) for r in rows]
        if not bound:
            return
        text = bound[0][0]

        def run(conn: Conn) -> None:
            with conn.cursor() as cur:
                cur.executemany(text, [values for _, values in bound])

        await self._run(run)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        text, values = bind(sql, params)

        def run(conn: Conn) -> list[Row]:
            return conn.execute(text, values or None).fetchall()

        return await self._run(run)

    # --- units of work ---------------------------------------------------------------------
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        if self in _held.get():
            yield self
            return
        conn = await self._checkout()
        token = self._hold(conn)
        started = time.perf_counter()
        try:
            try:
                await self._call(conn.execute, "BEGIN")  # inside: a cancel here still rolls back
                yield self
                await commit_through(self._call(conn.execute, "COMMIT"))
            except BaseException:
                # Queued behind a statement still running (a cancelled one): psycopg runs
                # one at a time per connection. Shielded so a cancel can't skip it.
                await asyncio.shield(self._call(_rollback_quietly, conn))
                raise
        finally:
            _held.reset(token)
            self._checkin(conn)
            self._timed(started)

    async def run_in_transaction(self, work: Callable[[Any], T]) -> T:
        # The caller's context variables (the member's language) go along to the thread.
        work = in_callers_context(work)
        held = _held.get().get(self)
        if held is not None:
            return await self._call(work, SyncAdapter(held))

        def run(conn: Conn) -> T:
            conn.execute("BEGIN")
            try:
                result = work(SyncAdapter(conn))
                conn.execute("COMMIT")
            except BaseException:
                _rollback_quietly(conn)
                raise
            return result

        started = time.perf_counter()
        try:
            return await self._pooled(run)
        finally:
            self._timed(started)

    # --- schema ----------------------------------------------------------------------------
    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT table_name AS name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        return sorted(str(r["name"]) for r in rows)

    async def columns(self, table: str) -> list[Column]:
        rows = await self.fetchall(
            "SELECT c.column_name AS name, c.data_type AS type,"
            " COALESCE(k.ordinal_position, 0) AS pk"
            " FROM information_schema.columns c"
            " LEFT JOIN information_schema.table_constraints t"
            "  ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
            "  AND t.constraint_type = 'PRIMARY KEY'"
            " LEFT JOIN information_schema.key_column_usage k"
            "  ON k.constraint_schema = t.constraint_schema"
            "  AND k.constraint_name = t.constraint_name"
            "  AND k.table_name = c.table_name AND k.column_name = c.column_name"
            " WHERE c.table_schema = current_schema() AND c.table_name = ?"
            " ORDER BY c.ordinal_position",
            (table,),
        )
        return [Column(str(r["name"]), str(r["type"]), int(r["pk"])) for r in rows]

    async def foreign_keys(self, table: str) -> list[ForeignKey]:
        # From the catalog: information_schema pairs a key's columns through constraint
        # names, which PostgreSQL makes unique per table only.
        rows = await self.fetchall(
            "SELECT a.attname AS col, p.relname AS parent, pa.attname AS parent_col"
            " FROM pg_constraint f"
            " JOIN pg_class t ON t.oid = f.conrelid"
            " JOIN pg_class p ON p.oid = f.confrelid"
            " CROSS JOIN LATERAL unnest(f.conkey, f.confkey) WITH ORDINALITY"
            "  AS k(attnum, parent_attnum, n)"
            " JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum"
            " JOIN pg_attribute pa ON pa.attrelid = f.confrelid AND pa.attnum = k.parent_attnum"
            " WHERE f.contype = 'f' AND t.relname = ?"
            " AND t.relnamespace = to_regnamespace(current_schema())"
            " ORDER BY f.conname, k.n",
            (table,),
        )
        return [ForeignKey(str(r["col"]), str(r["parent"]), str(r["parent_col"])) for r in rows]

    async def migrate(self, directory: Path | None = None) -> list[str]:
        """Apply pending migrations (bot/migrations/postgres), each in its own transaction.
        Processes starting at once take turns (an advisory lock): the first applies them,
        the others find nothing left to do. Nothing is copied first: back PostgreSQL up
        with pg_dump."""
        migrations = find_migrations(directory or MIGRATIONS_DIR)
        conn = await self._checkout()
        token = self._hold(conn)  # every statement below on this session, the lock's
        try:
            await self._call(conn.execute, "SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                pending = pending_migrations(migrations, await self._applied())
                applied: list[str] = []
                for mig in pending:
                    script = mig.path.read_text(encoding="utf-8")
                    await self._call(_apply, conn, script, mig.name, mig.version)
                    log.info("applied migration %s", mig.name)
                    applied.append(mig.name)
                return applied
            finally:
                await asyncio.shield(self._call(_unlock_quietly, conn))
        finally:
            _held.reset(token)
            self._checkin(conn)


def _apply(conn: Conn, script: str, name: str, version: int) -> None:
    conn.execute("BEGIN")
    try:
        # No parameters: psycopg sends the file as one simple query.
        conn.execute(script.encode("utf-8"))
        conn.execute(
            "INSERT INTO schema_migrations(version, name, applied_at) VALUES (%s, %s, %s)",
            (version, name, int(time.time())),
        )
        conn.execute("COMMIT")
    except psycopg.Error as exc:
        _rollback_quietly(conn)
        raise MigrationError(f"migration {name} failed: {exc}") from exc


def _unlock_quietly(conn: Conn) -> None:
    try:
        conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    except psycopg.Error:  # a broken connection: the server let go of the lock with it
        log.warning("could not release the migration lock", exc_info=True)


def _rollback_quietly(conn: psycopg.Connection[Any]) -> None:
    try:
        conn.execute("ROLLBACK")
    except psycopg.Error:
        log.exception("ROLLBACK failed: the connection is dropped from the pool")

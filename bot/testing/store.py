"""StoreHandle: a test's (or a benchmark's) own handle on the store a bot process runs on.

The bot runs as a child process (BotProcess) on an SQLite file or, with `DATABASE_URL`, on
a PostgreSQL database; tests look at that store from outside — count rows, move an event
into the past while the bot is stopped, prove a refused command changed nothing — through
this handle, with the same SQLite-style SQL the features write (`?`, `?N`, `:name`;
translated for psycopg by `bot.sql.bind`). Calls are synchronous, like the sqlite3 calls
they replace: the bot is another process, so a short blocking read never stalls it.

    store = StoreHandle.sqlite(tmp / "bot.sqlite3")        # or .postgresql(url, tmp)
    BotProcess(fake, store.path, extra_env=store.env())
    store.fetchval("SELECT COUNT(*) FROM rsvps WHERE event_id = ?", (eid,))
    before = store.dump(); ...; assert store.dump() == before
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg import ClientCursor

from bot.sql import Params, bind

Kind = Literal["sqlite", "postgresql"]


class StoreHandle:
    """The SQLite file at `path`, or the PostgreSQL database at `url` (then `path` is a file
    name nobody opens: BotProcess still wants one)."""

    def __init__(self, kind: Kind, path: str | Path, url: str | None = None) -> None:
        if (kind == "postgresql") != (url is not None):
            raise ValueError("a PostgreSQL store has a URL, an SQLite one has none")
        self.kind: Kind = kind
        self.path = Path(path)
        self.url = url
        self._pg: psycopg.Connection[tuple[Any, ...]] | None = None

    @classmethod
    def sqlite(cls, path: str | Path) -> StoreHandle:
        return cls("sqlite", path)

    @classmethod
    def postgresql(cls, url: str, folder: str | Path) -> StoreHandle:
        return cls("postgresql", Path(folder) / "unused.sqlite3", url)

    def __repr__(self) -> str:
        return f"StoreHandle({self.kind}, {self.url or self.path})"

    def env(self) -> dict[str, str]:
        """The settings that point `python -m bot` (the bot or a command) at this store. For
        SQLite `DATABASE_URL` is blanked, so a URL in the caller's environment or `.env`
        can't send the bot elsewhere."""
        return {"DATABASE_PATH": str(self.path), "DATABASE_URL": self.url or ""}

    # --- statements --------------------------------------------------------------------------
    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement (committed at once); how many rows it changed."""
        if self.url is None:
            conn = self._sqlite()
            try:
                with conn:
                    return conn.execute(sql, params).rowcount
            finally:
                conn.close()
        text, values = bind(sql, params)
        return self._postgres().execute(text, values or None).rowcount

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """One statement for each parameter set, all committed together."""
        if self.url is None:
            conn = self._sqlite()
            try:
                with conn:
                    conn.executemany(sql, rows)
            finally:
                conn.close()
            return
        conn_pg = self._postgres()
        with conn_pg.transaction():
            for params in rows:
                text, values = bind(sql, params)
                conn_pg.execute(text, values or None)

    def fetchall(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        if self.url is None:
            conn = self._sqlite()
            try:
                return conn.execute(sql, params).fetchall()
            finally:
                conn.close()
        text, values = bind(sql, params)
        return self._postgres().execute(text, values or None).fetchall()

    def fetchone(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        rows = self.fetchall(sql, params)
        return rows[0] if rows else None

    def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = self.fetchone(sql, params)
        return None if row is None else row[0]

    # --- schema ------------------------------------------------------------------------------
    def tables(self) -> list[str]:
        """The ordinary tables, by name (no SQLite internals or full-text shadow tables, no
        views; on PostgreSQL those of the current schema)."""
        if self.url is None:
            sql = (
                "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
                " AND substr(name, 1, 7) <> 'sqlite_' ORDER BY name"
            )
        else:
            sql = (
                "SELECT table_name::text FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                " ORDER BY table_name"
            )
        return [name for (name,) in self.fetchall(sql)]

    def columns(self, table: str) -> list[tuple[str, str]]:
        """(name, declared type) of each column of `table`, in order."""
        if self.url is None:
            rows = self.fetchall("SELECT name, type FROM pragma_table_info(?)", (table,))
        else:
            rows = self.fetchall(
                "SELECT column_name::text, data_type::text FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = ?"
                " ORDER BY ordinal_position",
                (table,),
            )
        return [(str(name), str(kind or "")) for name, kind in rows]

    def dump(self) -> list[str]:
        """Every row of every table as text, tables by name and rows sorted: equal dumps
        mean equal data (a refused command changed nothing). Sequences and the schema are
        left out; they are not what a command changes."""
        lines: list[str] = []
        for table in self.tables():
            rows = self.fetchall(f'SELECT * FROM "{table}"')
            lines.extend(sorted(f"{table}: ({', '.join(map(_text, row))})" for row in rows))
        return lines

    # --- connections -------------------------------------------------------------------------
    def _sqlite(self) -> sqlite3.Connection:
        # A connection per call, as the tests always did: no read snapshot or lock is held
        # between calls while the bot writes (WAL is read through a normal connection).
        return sqlite3.connect(self.path, timeout=10)

    def _postgres(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._pg is None or self._pg.closed:
            assert self.url is not None
            # Autocommit, and client-side binding like the bot's own connections
            # (bot/postgres_db.py). A write that waits on a row the bot holds fails after
            # 10 s instead of hanging the test (the fake Discord runs in its event loop).
            self._pg = psycopg.connect(
                self.url,
                autocommit=True,
                cursor_factory=ClientCursor,
                options="-c lock_timeout=10000",
            )
        return self._pg

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
            self._pg = None


def _text(value: Any) -> str:
    if isinstance(value, memoryview | bytes | bytearray):
        return f"x'{bytes(value).hex()}'"
    return repr(value)

"""The stores a benchmark runs the bot on: SQLite files, or databases on a throwaway
PostgreSQL server (bot/testing/postgres.py's TempPostgres, started on first use and
stopped at the end; with TEST_DATABASE_URL set, that server instead).

    with BenchStores(folder) as stores:
        store = stores.new("postgresql", "burst")   # a StoreHandle on an empty database
        BotProcess(fake, store.path, extra_env={**store.env(), ...})
        stores.target(store)                         # what Database.connect() takes
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
from pathlib import Path
from types import TracebackType
from typing import Literal

import psycopg

from bot.testing.postgres import TempPostgres
from bot.testing.store import StoreHandle

Kind = Literal["sqlite", "postgresql"]
KINDS: tuple[Kind, ...] = ("sqlite", "postgresql")


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        choices=[*KINDS, "both"],
        default="both",
        help="the store(s) the bot runs on; both: PostgreSQL's figures beside SQLite's",
    )


def chosen(store: str) -> list[Kind]:
    """The kinds `--store` names, SQLite first."""
    return list(KINDS) if store == "both" else [k for k in KINDS if k == store]


class BenchStores:
    """New, empty stores for a benchmark's runs; every PostgreSQL database it made is
    dropped, and the server it started stopped, at `close()`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._server: TempPostgres | None = None
        self._names = itertools.count(1)
        self._handles: list[StoreHandle] = []

    def new(self, kind: Kind, name: str) -> StoreHandle:
        """An empty store (the bot migrates it when it starts)."""
        label = re.sub(r"[^a-z0-9_]", "_", name.lower())
        n = next(self._names)
        if kind == "sqlite":
            handle = StoreHandle.sqlite(self.folder / f"{label}-{n}.sqlite3")
        else:
            server = self._postgres()
            database = f"bench_{os.getpid()}_{n}_{label}"[:63]
            self._admin(f"CREATE DATABASE {database}")
            handle = StoreHandle.postgresql(server.url(database), self.folder)
        self._handles.append(handle)
        return handle

    @staticmethod
    def target(store: StoreHandle) -> str:
        """The path or URL `Database.connect` opens for this store."""
        return store.url or str(store.path)

    def _postgres(self) -> TempPostgres:
        if self._server is None:
            server = TempPostgres().start()
            self._server = server  # stopped by close() even if it never becomes ready
            server.wait_ready()
        return self._server

    def _admin(self, sql: str) -> None:
        assert self._server is not None
        with psycopg.connect(self._server.url(), autocommit=True) as conn:
            conn.execute(sql)  # our own names and numbers, not input

    def close(self) -> None:
        for handle in self._handles:
            handle.close()
            if handle.url is not None and self._server is not None and self._server.external:
                # A shared server (TEST_DATABASE_URL) keeps no leftovers; ours is removed.
                self._admin(f"DROP DATABASE IF EXISTS {handle.url.rsplit('/', 1)[1]} WITH (FORCE)")
        self._handles.clear()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> BenchStores:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

"""Fixtures for every test folder: a real PostgreSQL server (started once per test
session from what the machine has; bot/testing/postgres.py), and the stores the unit
tests run on.

`STORES` says which stores the store-backed tests run on: `sqlite,postgresql` (the
default) or one of them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
from collections.abc import Iterator

import psycopg
import pytest

from bot.db import Database
from bot.testing.postgres import TempPostgres

STORES = [s.strip() for s in os.environ.get("STORES", "sqlite,postgresql").split(",") if s]


class PostgresServer:
    """The session's server, with a migrated template each test's database copies."""

    def __init__(self, server: TempPostgres) -> None:
        self.server = server
        self._names = itertools.count(1)
        # Per test process: pytest-xdist's workers may share one TEST_DATABASE_URL server.
        self.template = f"bot_template_{os.getpid()}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.server.url(), autocommit=True) as conn:
            conn.execute(sql)

    def prepare_template(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {self.template}")
        self._admin(f"CREATE DATABASE {self.template}")

        async def migrate() -> None:
            db = await Database.connect(self.server.url(self.template))
            try:
                await db.migrate()
            finally:
                await db.close()

        # Its own loop, in a thread: a test's event loop may already be running here.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, migrate()).result()

    def new_database(self) -> str:
        """A fresh, migrated database (a copy of the template); its URL."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return self.server.url(name)

    def empty_database(self) -> str:
        """A fresh database without any migration (for the migration tests); its URL."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name}")
        return self.server.url(name)

    def drop(self, url: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = TempPostgres().start()
    try:
        server.wait_ready()
        ready = PostgresServer(server)
        ready.prepare_template()
        yield ready
        ready.drop(ready.server.url(ready.template))  # a shared server keeps no leftovers
    finally:
        server.stop()

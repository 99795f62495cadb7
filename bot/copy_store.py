"""Moving a chapter's data from the SQLite file to PostgreSQL (`python -m bot copy-to URL`).

The way an organizer who outgrows one machine moves without losing anything: both
stores are brought to the same schema version, the target must be empty, and every
table is copied whole — ids kept, in an order that satisfies the foreign keys — in one
PostgreSQL transaction (all or nothing). Identity columns and the click-order sequence
are then set past the copied values, and every table's row count is compared.
Generated columns (SQLite's full-text helpers, PostgreSQL's `search`) are left to each
store to compute.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bot.db import Database

# Tables the stores keep for themselves, never copied.
SKIP = {"schema_migrations"}
BATCH = 1000


class CopyError(Exception):
    """The copy can't be made (or didn't match); the target is left as it was."""


@dataclass(frozen=True)
class CopyReport:
    tables: dict[str, int]  # rows copied per table, in copy order
    schema_version: int

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _tables_in_order(src: sqlite3.Connection) -> list[str]:
    """Every user table, parents before children (foreign keys)."""
    names = [
        r[0]
        for r in src.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        )
        if r[0] not in SKIP and not r[0].startswith("resources_fts")
    ]
    parents = {
        name: {r[2] for r in src.execute(f'PRAGMA foreign_key_list("{name}")')} - {name}
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:
            raise CopyError("the tables' foreign keys form a cycle")
        ordered += ready
    return ordered


def _plain_columns(src: sqlite3.Connection, table: str) -> list[str]:
    # table_xinfo's `hidden` is 2 or 3 for generated columns: the target computes its own.
    return [r[1] for r in src.execute(f'PRAGMA table_xinfo("{table}")') if r[6] == 0]


async def copy_sqlite_to_postgres(sqlite_path: str | Path, url: str) -> CopyReport:
    """Copy the SQLite store at `sqlite_path` into the empty PostgreSQL database `url`."""
    path = Path(sqlite_path)
    if not await asyncio.to_thread(path.exists):
        raise CopyError(f"no SQLite database at {path} (check DATABASE_PATH)")
    await asyncio.to_thread(_refuse_unless_empty, url)  # before migrating it: untouched
    for target in (str(path), url):  # the same schema on both sides
        db = await Database.connect(target)
        try:
            await db.migrate()
            version = await db.schema_version()
        finally:
            await db.close()
    return await asyncio.to_thread(_copy_file, path, url, version)


def _refuse_unless_empty(url: str) -> None:
    """CopyError if a table of the PostgreSQL database holds a row (migrations' bookkeeping
    and the RSVP counter's seed excepted)."""
    with psycopg.connect(url) as dst:
        tables = [
            r[0]
            for r in dst.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        ]
        for table in sorted(tables):
            if table in ("schema_migrations", "rsvp_seq"):
                continue
            if dst.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                raise CopyError(
                    f"the PostgreSQL database is not empty ({table} has rows): copy into a "
                    "new, empty database"
                )


def _copy_file(path: Path, url: str, version: int) -> CopyReport:
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _copy(src, url, version)
    finally:
        src.close()


def _copy(src: sqlite3.Connection, url: str, version: int) -> CopyReport:
    tables = _tables_in_order(src)
    copied: dict[str, int] = {}
    with psycopg.connect(url) as dst:  # one transaction: committed at the end, or nothing
        targets = {
            r[0]: r[1]
            for r in dst.execute(
                "SELECT table_name, array_agg(column_name::text) FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND is_generated = 'NEVER'"
                " GROUP BY table_name"
            )
        }
        for table in tables:
            if table not in targets:
                raise CopyError(f"PostgreSQL has no table {table}: are both at one version?")
            if table != "rsvp_seq" and dst.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                raise CopyError(
                    f"the PostgreSQL database is not empty ({table} has rows): copy into a "
                    "new, empty database"
                )
        for table in tables:
            columns = [c for c in _plain_columns(src, table) if c in targets[table]]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            if table == "rsvp_seq":  # the one-row counter exists on both sides
                dst.execute("DELETE FROM rsvp_seq")
            insert = f'INSERT INTO "{table}" ({names}) OVERRIDING SYSTEM VALUE VALUES ({marks})'
            cursor = src.execute(f'SELECT {names} FROM "{table}"')
            count = 0
            with dst.cursor() as cur:
                while rows := cursor.fetchmany(BATCH):
                    cur.executemany(insert, rows)
                    count += len(rows)
            copied[table] = count
        _set_sequences(dst, targets)
        for table, count in copied.items():
            row = dst.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
            if row is None or row[0] != count:
                raise CopyError(f"{table}: copied {count} row(s) but PostgreSQL holds {row}")
    return CopyReport(copied, version)


def _set_sequences(
    dst: psycopg.Connection[tuple[object, ...]], targets: dict[str, list[str]]
) -> None:
    """Identity columns and the click order continue after the copied values."""
    for table, columns in targets.items():
        if "id" not in columns:
            continue
        sequence = dst.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()
        if sequence and sequence[0]:
            dst.execute(
                f'SELECT setval(%s, COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)',
                (sequence[0],),
            )
    dst.execute(
        "SELECT setval('rsvp_click_order', COALESCE((SELECT MAX(seq) FROM rsvps), 0) + 1, false)"
    )

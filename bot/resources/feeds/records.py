"""A feed subscription as a value (`Feed`), and reading its row back."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.db import Database

COLUMNS = (
    "id, guild_id, url, channel_id, topic, title, status, failures, failing_since, last_error,"
    " next_poll_at, last_polled_at, last_ok_at, created_by, created_at"
)


@dataclass(frozen=True)
class Feed:
    id: int
    guild_id: int
    url: str
    channel_id: int
    topic: str | None
    title: str | None
    status: str  # 'ok' | 'failing' | 'disabled'
    failures: int  # failed polls in a row
    failing_since: int | None
    last_error: str | None
    next_poll_at: int
    last_polled_at: int | None
    last_ok_at: int | None
    created_by: int | None
    created_at: int


def feed_of(row: sqlite3.Row) -> Feed:
    return Feed(**{k: row[k] for k in Feed.__dataclass_fields__})


async def feed_row(db: Database, feed_id: int) -> sqlite3.Row | None:
    """The feed's row with its validators (etag, last_modified), whatever its guild."""
    return await db.fetchone(
        f"SELECT {COLUMNS}, etag, last_modified FROM resource_feeds WHERE id = ?", (feed_id,)
    )

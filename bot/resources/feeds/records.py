"""A feed subscription as a value (`Feed`), and reading its row back."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import Database, Row

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


def feed_of(row: Row) -> Feed:
    return Feed(**{k: row[k] for k in Feed.__dataclass_fields__})


async def feed_row(db: Database, feed_id: int, *, lock: bool = False) -> Row | None:
    """The feed's row with its validators (etag, last_modified), whatever its guild;
    `lock` (inside a poll's transaction) holds it until the commit."""
    return await db.fetchone(
        f"SELECT {COLUMNS}, etag, last_modified FROM resource_feeds WHERE id = ?"
        + (db.lock() if lock else ""),
        (feed_id,),
    )

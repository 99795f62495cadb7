"""Notices for organizers (bot/organizer_notices.py): they wait until the organizer
channel is set, then go to it — also when the channel is set at the very moment a
notice is written (in another process sharing the store)."""

from __future__ import annotations

import asyncio

from bot import organizer_notices
from bot.db import Database
from bot.guilds import GuildSettings

G = 1000
ORGANIZERS = 1290


async def owed_to(db: Database, channel_id: int) -> list[str]:
    rows = await db.fetchall(
        "SELECT payload FROM outbox WHERE channel_id = ? ORDER BY id", (channel_id,)
    )
    return [r["payload"] for r in rows]


async def test_a_notice_waits_for_the_channel_then_goes_to_it(db: Database) -> None:
    await GuildSettings(db).ensure(G)
    assert await organizer_notices.notify(db, G, "the feed is off", dedupe_key="feed:1")
    assert not await organizer_notices.notify(db, G, "the feed is off", dedupe_key="feed:1")
    assert await organizer_notices.waiting(db, G) == 1
    assert await organizer_notices.set_channel(db, G, ORGANIZERS) == 1
    assert await organizer_notices.waiting(db, G) == 0
    assert await organizer_notices.notify(db, G, "a role was deleted")
    assert len(await owed_to(db, ORGANIZERS)) == 2


async def test_a_notice_written_while_the_channel_is_being_set_is_not_stranded(
    db: Database, db2: Database
) -> None:
    """The notice waits for the guild's row: it goes to the channel just set, instead of
    waiting in organizer_notices for a channel that is already there."""
    await GuildSettings(db).ensure(G)
    async with db.transaction():
        await organizer_notices.set_channel(db, G, ORGANIZERS)
        notice = asyncio.ensure_future(organizer_notices.notify(db2, G, "#general was deleted"))
        await asyncio.sleep(0.3)
        assert not notice.done()
    assert await notice
    assert await organizer_notices.waiting(db, G) == 0
    assert len(await owed_to(db, ORGANIZERS)) == 1

"""Notices meant for organizers only: a struggling mentorship, a disabled feed, a
failed announcement, a deleted channel or role.

They go to the organizer-only channel (`/settings organizer-channel`), never to a
public one. Until that channel is set they wait in `organizer_notices`; setting it
moves them to the outbox in one transaction, so none is lost or sent twice. Write a
notice inside the transaction of its cause, like any outbox message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot import outbox
from bot.db import Database
from bot.i18n import ENGLISH, in_language
from bot.kinds import Kind, Payload, payload

KIND = Kind.ORGANIZER_NOTICE
MAX_TEXT = 1900  # a Discord message holds 2,000 characters; room for a prefix


@payload(Kind.ORGANIZER_NOTICE)
@dataclass(frozen=True)
class OrganizerNotice(Payload):
    text: str


async def notify(
    db: Database,
    guild_id: int,
    text: str,
    *,
    params: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    now: int | None = None,
) -> bool:
    """Owe the organizers a notice. False when one with this dedupe key already exists.

    `text` is a catalogue message (marked with N_) and `params` fill its placeholders:
    the notice is written in the server's language, whoever's action caused it."""
    when = int(now if now is not None else time.time())
    # The guild's row locked: a channel being set meanwhile (`set_channel`) either comes
    # first (the notice goes to it) or waits and then takes this one along with the rest.
    async with db.transaction():
        row = await db.fetchone(
            f"SELECT organizer_channel_id, language FROM guilds WHERE guild_id = ?{db.lock()}",
            (guild_id,),
        )
        channel_id = row["organizer_channel_id"] if row is not None else None
        text = in_language(str(row["language"]) if row else ENGLISH, text, **(params or {}))
        text = text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
        if channel_id is not None:
            return await outbox.enqueue(
                db,
                OrganizerNotice(text),
                guild_id=guild_id,
                channel_id=int(channel_id),
                due_at=when,
                dedupe_key=dedupe_key and f"organizers:{dedupe_key}",
            )
        count = await db.execute_rowcount(
            "INSERT INTO organizer_notices(guild_id, text, dedupe_key, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (guild_id, text, dedupe_key and f"organizers:{dedupe_key}", when),
        )
    return count > 0


async def waiting(db: Database, guild_id: int) -> int:
    """How many notices wait for an organizer channel."""
    return int(
        await db.fetchval("SELECT COUNT(*) FROM organizer_notices WHERE guild_id = ?", (guild_id,))
    )


async def set_channel(db: Database, guild_id: int, channel_id: int, now: int | None = None) -> int:
    """Set the organizer channel and owe it every waiting notice, oldest first.
    Returns how many were waiting."""
    when = int(now if now is not None else time.time())
    async with db.transaction():
        await db.execute(
            "UPDATE guilds SET organizer_channel_id = ? WHERE guild_id = ?", (channel_id, guild_id)
        )
        rows = await db.fetchall(
            "DELETE FROM organizer_notices WHERE guild_id = ? RETURNING id, text, dedupe_key",
            (guild_id,),
        )
        for row in sorted(rows, key=lambda r: r["id"]):
            await outbox.enqueue(
                db,
                OrganizerNotice(row["text"]),
                guild_id=guild_id,
                channel_id=channel_id,
                due_at=when,
                dedupe_key=row["dedupe_key"],
            )
    return len(rows)

"""The review queue: members' suggestions waiting, oldest first, and the organizers'
decision on each.

Approving picks the topic and level (a suggestion has neither until then); declining
keeps the row, so the same link is not suggested again. Either way the suggester is owed
a DM (bot/resources/messages.py), written in the same transaction as the decision; a
second decision on the same suggestion is refused, so a double click never DMs twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot import outbox
from bot.db import Database
from bot.errors import AlreadyExists, NotFound
from bot.i18n import _
from bot.resources.library import Library
from bot.resources.messages import SuggestionApproved, SuggestionRejected
from bot.resources.records import (
    COLUMNS,
    DESCRIPTION_TOO_LONG,
    MAX_DESCRIPTION,
    MAX_NOTE,
    MAX_TITLE,
    REASON_TOO_LONG,
    TITLE_TOO_LONG,
    Resource,
    clean_text,
    named,
    resource_of,
)
from bot.taxonomy import Taxonomy, resolve_level


class ReviewQueue:
    def __init__(
        self,
        db: Database,
        library: Library,
        taxonomy: Taxonomy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.library = library
        self.taxonomy = taxonomy
        self.clock = clock

    async def pending_count(self, guild_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM resources WHERE guild_id = ? AND status = 'pending'",
                (guild_id,),
            )
        )

    async def next_pending(self, guild_id: int, after_id: int | None = None) -> Resource | None:
        """The oldest suggestion waiting (after `after_id`, for Skip), or None."""
        row = await self.db.fetchone(
            f"SELECT {COLUMNS} FROM resources WHERE guild_id = ? AND status = 'pending'"
            " AND id > ? ORDER BY id LIMIT 1",
            (guild_id, after_id or 0),
        )
        return None if row is None else resource_of(row)

    async def _waiting(self, guild_id: int, resource_id: int) -> Resource:
        """The suggestion, still waiting; else why it can't be decided (any more)."""
        # Locked until the decision commits: two organizers deciding at once (in two
        # processes) are served one after the other, and the second is refused.
        row = await self.db.fetchone(
            f"SELECT {COLUMNS} FROM resources WHERE id = ? AND guild_id = ?{self.db.lock()}",
            (resource_id, guild_id),
        )
        if row is None:
            raise NotFound(_("Suggestion #{id} no longer exists.", id=resource_id))
        found = resource_of(row)
        if found.status != "pending":
            raise AlreadyExists(_already_decided(found))
        return found

    async def approve(
        self,
        guild_id: int,
        resource_id: int,
        reviewer_id: int,
        topic: str,
        level: str,
        title: str | None = None,
        description: str | None = None,
    ) -> Resource:
        """Approve a suggestion into the library; the suggester's DM is owed in the same step."""
        topic_name = await self.taxonomy.resolve_topic(guild_id, topic)
        level_name = resolve_level(level)
        # A blank title keeps the suggested one (never stores an empty title).
        new_title = (clean_text(title, MAX_TITLE, TITLE_TOO_LONG) or None) if title else None
        new_desc = (
            clean_text(description, MAX_DESCRIPTION, DESCRIPTION_TOO_LONG) if description else None
        )
        now = int(self.clock())
        async with self.db.transaction():
            found = await self._waiting(guild_id, resource_id)
            await self.db.execute(
                "UPDATE resources SET status = 'approved', topic = ?, level = ?,"
                " title = COALESCE(?, title), description = COALESCE(?, description),"
                " reviewed_by = ?, reviewed_at = ?, approved_at = ? WHERE id = ?",
                (topic_name, level_name, new_title, new_desc, reviewer_id, now, now, resource_id),
            )
            if found.suggested_by is not None:
                await outbox.enqueue(
                    self.db,
                    SuggestionApproved(
                        resource_id=resource_id,
                        title=new_title or found.title,
                        url=found.url,
                        topic=topic_name,
                        level=level_name,
                    ),
                    guild_id=guild_id,
                    user_id=found.suggested_by,
                    dedupe_key=f"resource:{resource_id}:reviewed",
                )
        return await self.library.get(guild_id, resource_id)

    async def reject(
        self, guild_id: int, resource_id: int, reviewer_id: int, reason: str | None = None
    ) -> Resource:
        """Decline a suggestion (kept, so the link is not suggested again); DM owed."""
        clean_reason = clean_text(reason, MAX_NOTE, REASON_TOO_LONG) or None
        now = int(self.clock())
        async with self.db.transaction():
            found = await self._waiting(guild_id, resource_id)
            await self.db.execute(
                "UPDATE resources SET status = 'rejected', reviewed_by = ?, reviewed_at = ?"
                " WHERE id = ?",
                (reviewer_id, now, resource_id),
            )
            if found.suggested_by is not None:
                await outbox.enqueue(
                    self.db,
                    SuggestionRejected(
                        resource_id=resource_id,
                        title=found.title,
                        url=found.url,
                        reason=clean_reason,
                    ),
                    guild_id=guild_id,
                    user_id=found.suggested_by,
                    dedupe_key=f"resource:{resource_id}:reviewed",
                )
        return await self.library.get(guild_id, resource_id, approved_only=False)


def _already_decided(found: Resource) -> str:
    """Why a suggestion no longer waiting can't be decided: a whole sentence per status."""
    if found.status == "approved":
        return _("{resource} was already approved.", resource=named(found))
    if found.status == "rejected":
        return _("{resource} was already rejected.", resource=named(found))
    return _("{resource} was already {status}.", resource=named(found), status=found.status)

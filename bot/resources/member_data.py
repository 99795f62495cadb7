"""A member's resources data in one guild: what `/privacy export` shows and
`/privacy delete` forgets (bot/privacy.py gathers every feature's).

Export: each section is named after its table and each row carries that table's key
(tests/unit/test_privacy_schema.py proves no row holding the member is missed). Delete:
the member's progress and their suggestions still waiting or declined go; what they
added, reviewed or created stays for the community, without their name.
"""

from __future__ import annotations

from typing import Any

from bot.db import Database

# Tables whose `created_by` names the member; the column names come from here, never input.
_CREATED_BY = ("resource_autoposts", "resource_feeds", "resource_topics")
_AUTHORSHIP = ("suggested_by", "added_by", "reviewed_by")


async def export_member_data(db: Database, guild_id: int, user_id: int) -> dict[str, Any]:
    """Everything the resources feature stores about a member in this guild, by table:
    resources they suggested (with their note), added or reviewed, their progress, and
    the topics, autoposts and feeds they created."""
    rows = db.fetch_dicts  # every query below returns its rows as dicts
    args = (guild_id, user_id)
    return {
        "resources": await rows(
            "SELECT id, url, title, status, created_at,"
            " CASE WHEN suggested_by = ?2 THEN 1 ELSE 0 END AS you_suggested,"
            " CASE WHEN added_by = ?2 THEN 1 ELSE 0 END AS you_added,"
            " CASE WHEN reviewed_by = ?2 THEN 1 ELSE 0 END AS you_reviewed,"
            " CASE WHEN suggested_by = ?2 THEN note END AS note FROM resources"
            " WHERE guild_id = ?1 AND ?2 IN (suggested_by, added_by, reviewed_by) ORDER BY id",
            args,
        ),
        "resource_progress": await rows(
            "SELECT p.guild_id, p.user_id, p.resource_id, r.title, p.done_at"
            " FROM resource_progress p JOIN resources r ON r.id = p.resource_id"
            " WHERE p.guild_id = ? AND p.user_id = ? ORDER BY p.done_at",
            args,
        ),
        "resource_topics": await rows(
            "SELECT id, name, created_at FROM resource_topics"
            " WHERE guild_id = ? AND created_by = ?",
            args,
        ),
        "resource_autoposts": await rows(
            "SELECT id, channel_id, schedule, topic, created_at FROM resource_autoposts"
            " WHERE guild_id = ? AND created_by = ?",
            args,
        ),
        "resource_feeds": await rows(
            "SELECT id, url, channel_id, topic, created_at FROM resource_feeds"
            " WHERE guild_id = ? AND created_by = ?",
            args,
        ),
    }


async def delete_member_data(db: Database, guild_id: int, user_id: int) -> dict[str, int]:
    """Forget a member: progress, open and declined suggestions; unlink authorship.
    Joins the caller's transaction if there is one (bot/privacy.py deletes every feature's
    data in one). Returns counts: `progress`, `suggestions`, `unlinked`."""
    counts: dict[str, int] = {}
    async with db.transaction():
        counts["progress"] = await db.execute_rowcount(
            "DELETE FROM resource_progress WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        counts["suggestions"] = await db.execute_rowcount(
            "DELETE FROM resources WHERE guild_id = ? AND suggested_by = ?"
            " AND status IN ('pending', 'rejected')",
            (guild_id, user_id),
        )
        unlinked = 0
        for column in _AUTHORSHIP:
            unlinked += await db.execute_rowcount(
                f"UPDATE resources SET {column} = NULL"
                + (", note = NULL" if column == "suggested_by" else "")
                + f" WHERE guild_id = ? AND {column} = ?",
                (guild_id, user_id),
            )
        for table in _CREATED_BY:
            unlinked += await db.execute_rowcount(
                f"UPDATE {table} SET created_by = NULL WHERE guild_id = ? AND created_by = ?",
                (guild_id, user_id),
            )
        counts["unlinked"] = unlinked
    return counts

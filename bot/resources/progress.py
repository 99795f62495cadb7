"""Members' own learning: what each has worked through (done marks), their progress per
topic, the level their done resources show, and `next`, the next resource for them.

Only the member sees any of this (cogs reply ephemerally); it is theirs to export and
delete (bot/resources/member_data.py).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence

from bot.db import Database, Row
from bot.resources.library import Library
from bot.resources.records import R_COLUMNS, NextPick, TopicProgress, resource_of
from bot.taxonomy import LEVELS, Taxonomy, level_rank


class Progress:
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

    async def mark_done(self, guild_id: int, user_id: int, resource_id: int) -> bool:
        """Record that the member worked through it; False if it was already recorded."""
        async with self.db.transaction():  # the resource can't vanish between check and insert
            await self.library.get(guild_id, resource_id)
            changed = await self.db.execute_rowcount(
                "INSERT INTO resource_progress(guild_id, user_id, resource_id, done_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (guild_id, user_id, resource_id, int(self.clock())),
            )
        return changed > 0

    async def unmark_done(self, guild_id: int, user_id: int, resource_id: int) -> bool:
        """Forget a done mark; False if there was none."""
        changed = await self.db.execute_rowcount(
            "DELETE FROM resource_progress WHERE guild_id = ? AND user_id = ? AND resource_id = ?",
            (guild_id, user_id, resource_id),
        )
        return changed > 0

    async def is_done(self, guild_id: int, user_id: int, resource_id: int) -> bool:
        return bool(
            await self.db.fetchone(
                "SELECT 1 FROM resource_progress WHERE guild_id = ? AND user_id = ?"
                " AND resource_id = ?",
                (guild_id, user_id, resource_id),
            )
        )

    async def per_topic(self, guild_id: int, user_id: int) -> list[TopicProgress]:
        """Done / total per topic that has resources, in the taxonomy's order."""
        rows = await self.db.fetchall(
            "SELECT r.topic, COUNT(*) AS total, COUNT(p.resource_id) AS done"
            " FROM resources r LEFT JOIN resource_progress p"
            "   ON p.resource_id = r.id AND p.guild_id = r.guild_id AND p.user_id = ?"
            " WHERE r.guild_id = ? AND r.status = 'approved' GROUP BY r.topic",
            (user_id, guild_id),
        )
        by_topic = {r["topic"]: TopicProgress(r["topic"], r["done"], r["total"]) for r in rows}
        order = await self.taxonomy.topics(guild_id)
        ordered = [by_topic.pop(t) for t in order if t in by_topic]
        return ordered + sorted(by_topic.values(), key=lambda p: p.topic.casefold())

    async def level_of(self, guild_id: int, user_id: int) -> str:
        """The level most of the member's done resources have (ties: the higher); else beginner."""
        return _level_from(await self._done(guild_id, user_id))

    async def _done(self, guild_id: int, user_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT r.topic, r.level, p.done_at FROM resource_progress p"
            " JOIN resources r ON r.id = p.resource_id"
            " WHERE p.guild_id = ? AND p.user_id = ? AND r.status = 'approved'",
            (guild_id, user_id),
        )

    async def next_for(self, guild_id: int, user_id: int, topic: str | None = None) -> NextPick:
        """The next resource not yet done, at the member's level or one above.

        Level: the one most done resources have (ties go to the higher; beginner when
        nothing is done). Topic: the one named, else the one with most done (ties go to
        the most recently active), else any. Within that: the member's level first,
        then the oldest in the library.
        """
        done = await self._done(guild_id, user_id)
        level = _level_from(done)
        levels = LEVELS[level_rank(level) : level_rank(level) + 2]
        if topic:
            chosen: str | None = await self.taxonomy.resolve_topic(guild_id, topic)
        elif done:
            counts = Counter(r["topic"] for r in done)
            latest: dict[str, int] = {}
            for r in done:
                latest[r["topic"]] = max(latest.get(r["topic"], 0), r["done_at"])
            chosen = max(counts, key=lambda t: (counts[t], latest[t]))
        else:
            chosen = None
        marks = ",".join("?" * len(levels))
        topic_sql = " AND r.topic = ?" if chosen else ""
        row = await self.db.fetchone(
            f"SELECT {R_COLUMNS} FROM resources r"
            f" WHERE r.guild_id = ? AND r.status = 'approved' AND r.level IN ({marks}){topic_sql}"
            " AND NOT EXISTS (SELECT 1 FROM resource_progress p WHERE p.resource_id = r.id"
            "   AND p.guild_id = r.guild_id AND p.user_id = ?)"
            " ORDER BY CASE r.level WHEN ? THEN 0 ELSE 1 END, r.approved_at, r.id LIMIT 1",
            (guild_id, *levels, *([chosen] if chosen else []), user_id, level),
        )
        return NextPick(None if row is None else resource_of(row), chosen, level, tuple(levels))


def _level_from(done: Sequence[Row]) -> str:
    if not done:
        return LEVELS[0]
    counts = Counter(r["level"] for r in done)
    return max(counts, key=lambda lv: (counts[lv], level_rank(lv)))

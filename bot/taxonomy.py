"""Topics (per guild, seeded from the default taxonomy) and the three fixed levels.

Shared vocabulary: resources file their library under these topics and levels, and
mentorship matches mentors and mentees on them. A guild's `resource_settings` row marks
that its default topics were seeded (`ensure_guild`); the feed interval kept in that row
belongs to feeds (bot/resources/feeds/interval.py).
"""

from __future__ import annotations

import difflib
import time
import weakref
from collections.abc import Callable

from bot import completion
from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput
from bot.i18n import N_, _

# Seeded once as the guild's topic names: stored, and typed by members as they are, so
# they stay English in every language (not in the catalogue).
DEFAULT_TOPICS = (
    "Machine Learning",
    "Deep Learning",
    "Generative AI",
    "NLP",
    "Computer Vision",
    "Data Science",
    "MLOps",
    "Responsible AI",
    "Math for ML",  # i18n: not translated
    "Python for AI",  # i18n: not translated
)
# Stored and typed in English; shown translated: `level_name(level)`.
LEVELS = (N_("beginner"), N_("intermediate"), N_("advanced"))
MAX_TOPIC_NAME = 50
# A select menu (used to pick a topic at review) holds at most 25 options.
MAX_TOPICS = 25


# Topic lists per database and guild, kept in memory: search with a topic filter and
# every autocomplete ask for them. Only add_topic changes them (and refreshes this).
_topics_cache: weakref.WeakKeyDictionary[Database, dict[int, tuple[str, ...]]] = (
    weakref.WeakKeyDictionary()
)


def topic_key(name: str) -> str:
    return " ".join(name.replace("\x00", "").split()).casefold()  # stored without NUL


def resolve_level(text: str) -> str:
    """The level named (any case, or its first letters), or InvalidInput listing the three."""
    key = (text or "").strip().casefold()
    if key in LEVELS:
        return key
    starts = [lv for lv in LEVELS if key and lv.startswith(key)]
    if len(starts) == 1:
        return starts[0]
    close = difflib.get_close_matches(key, LEVELS, n=1, cutoff=0.6)
    shown = (text or "").strip()[:30]
    if close:
        raise InvalidInput(
            _(
                "“{shown}” is not a level. Did you mean {close}? Levels are beginner,"
                " intermediate and advanced.",
                shown=shown,
                close=close[0],
            )
        )
    raise InvalidInput(
        _("“{shown}” is not a level. Levels are beginner, intermediate and advanced.", shown=shown)
    )


def level_name(level: str) -> str:
    """A stored level in the reader's language (any other text as it is)."""
    return _(level) if level in LEVELS else level


def level_rank(level: str) -> int:
    return LEVELS.index(level)


async def ensure_guild(db: Database, guild_id: int, clock: Callable[[], float] = time.time) -> None:
    """Create the guild's resource settings and seed the default topics, the first time only."""
    if await db.fetchone("SELECT 1 FROM resource_settings WHERE guild_id = ?", (guild_id,)):
        return
    async with db.transaction():
        created = await db.execute_rowcount(
            "INSERT INTO resource_settings(guild_id) VALUES (?) ON CONFLICT DO NOTHING", (guild_id,)
        )
        if created:
            now = int(clock())
            await db.executemany(
                "INSERT INTO resource_topics(guild_id, name, name_key, is_default,"
                " created_at) VALUES (?, ?, ?, 1, ?) ON CONFLICT DO NOTHING",
                [(guild_id, t, topic_key(t), now) for t in DEFAULT_TOPICS],
            )


class Taxonomy:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    async def topics(self, guild_id: int) -> list[str]:
        """The guild's topics: the defaults in their order, then added ones by name."""
        cached = _topics_cache.get(self.db, {}).get(guild_id)
        if cached is not None:
            return list(cached)
        await ensure_guild(self.db, guild_id, self.clock)
        rows = await self.db.fetchall(
            "SELECT name FROM resource_topics WHERE guild_id = ?"
            " ORDER BY is_default DESC, CASE WHEN is_default = 1 THEN id END, name_key",
            (guild_id,),
        )
        names = tuple(r["name"] for r in rows)
        _topics_cache.setdefault(self.db, {})[guild_id] = names
        return list(names)

    async def add_topic(self, guild_id: int, name: str, created_by: int | None = None) -> str:
        """Add a topic; AlreadyExists if it is there (any case). Returns the name stored."""
        cleaned = " ".join((name or "").replace("\x00", "").split())  # PostgreSQL: no NUL
        if not cleaned:
            raise InvalidInput(_("A topic needs a name."))
        if len(cleaned) > MAX_TOPIC_NAME:
            raise InvalidInput(_("A topic name can be at most {n} characters.", n=MAX_TOPIC_NAME))
        if "," in cleaned:  # mentors and mentees name their topics in a comma-separated list
            raise InvalidInput(
                _("A topic name can't contain a comma: topics are listed with commas.")
            )
        await ensure_guild(self.db, guild_id, self.clock)
        async with self.db.transaction():
            existing = await self.db.fetchval(
                "SELECT name FROM resource_topics WHERE guild_id = ? AND name_key = ?",
                (guild_id, topic_key(cleaned)),
            )
            if existing:
                raise AlreadyExists(_("{name} is already a topic here.", name=existing))
            count = await self.db.fetchval(
                "SELECT COUNT(*) FROM resource_topics WHERE guild_id = ?", (guild_id,)
            )
            if count >= MAX_TOPICS:
                raise InvalidInput(
                    _(
                        "This server already has {n} topics, the most a menu can show.",
                        n=MAX_TOPICS,
                    )
                )
            await self.db.execute(
                "INSERT INTO resource_topics(guild_id, name, name_key, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (guild_id, cleaned, topic_key(cleaned), created_by, int(self.clock())),
            )
        _topics_cache.get(self.db, {}).pop(guild_id, None)
        return cleaned

    async def resolve_topic(self, guild_id: int, text: str) -> str:
        """The topic named (any case), or InvalidInput with the nearest name and the list."""
        key = topic_key(text or "")
        names = await self.topics(guild_id)
        by_key = {topic_key(n): n for n in names}
        if key in by_key:
            return by_key[key]
        close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.5)
        shown = (text or "").strip()[:MAX_TOPIC_NAME]
        if close:
            raise InvalidInput(
                _(
                    "“{shown}” is not a topic here. Did you mean {close}? Topics: {topics}.",
                    shown=shown,
                    close=by_key[close[0]],
                    topics=", ".join(names),
                )
            )
        raise InvalidInput(
            _(
                "“{shown}” is not a topic here. Topics: {topics}.",
                shown=shown,
                topics=", ".join(names),
            )
        )

    async def search_topics(self, guild_id: int, text: str, limit: int = 25) -> list[str]:
        """Topic names for autocomplete: names starting with the text first, then containing it."""
        return completion.matches(text or "", await self.topics(guild_id))[:limit]

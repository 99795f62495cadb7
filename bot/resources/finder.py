"""Finding resources in the library: full-text search, browsing newest first, the
resource option's autocomplete, and `resolve`, which turns what a member typed (an id,
a title, a link, some words) into one resource or a refusal naming the candidates.

Only approved resources are found. How member words become full-text queries (FTS5 on
SQLite, tsquery on PostgreSQL), and how results are ranked, is in bot/resources/search.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.db import Database
from bot.errors import InvalidInput, NotFound
from bot.i18n import _
from bot.resources import search as fts
from bot.resources.library import Library
from bot.resources.records import (
    COLUMNS,
    R_COLUMNS,
    Resource,
    check_page,
    is_id,
    named,
    resource_of,
)
from bot.taxonomy import Taxonomy, resolve_level


class Finder:
    def __init__(self, db: Database, library: Library, taxonomy: Taxonomy) -> None:
        self.db = db
        self.library = library
        self.taxonomy = taxonomy
        self.searcher = fts.searcher(db)

    async def resolve(self, guild_id: int, text: str) -> Resource:
        """An approved resource from what a member typed: an id (`12`, `#12`), a title or a link.

        Falls back to search; NotFound names up to three candidates when it is ambiguous.
        """
        cleaned = (text or "").strip()
        if not cleaned:
            raise InvalidInput(_("Name a resource: pick one from the list as you type."))
        digits = cleaned.removeprefix("#")
        if is_id(digits):
            return await self.library.get(guild_id, int(digits))
        row = await self.db.fetchone(
            f"SELECT {COLUMNS} FROM resources WHERE guild_id = ? AND status = 'approved'"
            " AND lower(title) = lower(?) ORDER BY id LIMIT 1",
            (guild_id, " ".join(cleaned.replace("\x00", "").split())),  # titles hold no NUL
        )
        if row is not None:
            return resource_of(row)
        if "://" in cleaned and (by_url := await self.library.find_by_url(guild_id, cleaned)):
            return by_url
        found, total = await self.search(guild_id, cleaned, per_page=3)
        if total == 1:
            return found[0]
        shown = cleaned[:60]
        if not found:
            raise NotFound(_("No resource here matches “{query}”.", query=shown))
        names = named(found[0])
        for other in found[1:]:
            names = _("{first} or {second}", first=names, second=named(other))
        raise NotFound(
            _(
                "“{query}” matches several resources: did you mean {names}?",
                query=shown,
                names=names,
            )
        )

    async def autocomplete(
        self, guild_id: int, text: str, limit: int = 25
    ) -> list[tuple[int, str]]:
        """(id, title) pairs for a resource option: id match, then best title/text matches."""
        limit = max(1, min(limit, 25))
        cleaned = (text or "").strip()
        out: list[tuple[int, str]] = []
        digits = cleaned.removeprefix("#")
        if is_id(digits):
            row = await self.db.fetchone(
                "SELECT id, title FROM resources WHERE id = ? AND guild_id = ?"
                " AND status = 'approved'",
                (int(digits), guild_id),
            )
            if row:
                out.append((row["id"], row["title"]))
        if not fts.terms(cleaned):
            rows = await self.db.fetchall(
                "SELECT id, title FROM resources WHERE guild_id = ? AND status = 'approved'"
                " ORDER BY approved_at DESC, id DESC LIMIT ?",
                (guild_id, limit),
            )
            pairs = [(int(r["id"]), str(r["title"])) for r in rows]
        else:
            found, _total = await self.search(guild_id, cleaned, per_page=limit)
            pairs = [(r.id, r.title) for r in found]
        out += [pair for pair in pairs if all(pair[0] != i for i, _title in out)]
        return out[:limit]

    # --- search -------------------------------------------------------------
    async def search(
        self,
        guild_id: int,
        query: str,
        topic: str | None = None,
        level: str | None = None,
        page: int = 0,
        per_page: int = 5,
    ) -> tuple[list[Resource], int]:
        """Ranked full-text search; (page of results, total). See bot/resources/search.py.

        Every word matches as a prefix and all must match; when that finds nothing and
        there are several words, any word may match. Resources whose title holds the
        words come first, each tier ordered by bm25 (title 10, topic 4, description 1).
        """
        check_page(page, per_page)
        words = fts.terms(query)
        if not words:
            return [], 0
        topic_name = await self.taxonomy.resolve_topic(guild_id, topic) if topic else None
        level_name = resolve_level(level) if level else None
        for any_term in (False, True):
            if any_term and len(words) < 2:
                break
            ids, total = await self.searcher.page(
                guild_id,
                words,
                topic_name,
                level_name,
                any_term=any_term,
                offset=page * per_page,
                limit=per_page,
            )
            if total:
                return await self._by_ids(guild_id, ids), total
        return [], 0

    async def _by_ids(self, guild_id: int, ids: Sequence[int]) -> list[Resource]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        # The guild and status are checked again: cheap here, and the index is not trusted.
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM resources WHERE id IN ({marks}) AND guild_id = ?"
            " AND status = 'approved'",
            (*ids, guild_id),
        )
        by_id = {r["id"]: resource_of(r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    # --- browsing -----------------------------------------------------------
    async def list_resources(
        self,
        guild_id: int,
        topic: str | None = None,
        level: str | None = None,
        page: int = 0,
        per_page: int = 5,
    ) -> tuple[list[Resource], int]:
        """The library newest first, optionally filtered; (page of results, total)."""
        check_page(page, per_page)
        extra, params = await self._filters(guild_id, topic, level)
        rows = await self.db.fetchall(
            f"SELECT {R_COLUMNS}, COUNT(*) OVER () AS total FROM resources r"
            f" WHERE r.guild_id = ? AND r.status = 'approved'{extra}"
            " ORDER BY r.approved_at DESC, r.id DESC LIMIT ? OFFSET ?",
            (guild_id, *params, per_page, page * per_page),
        )
        if rows:
            return [resource_of(r) for r in rows], int(rows[0]["total"])
        total = await self.db.fetchval(
            "SELECT COUNT(*) FROM resources r"
            f" WHERE r.guild_id = ? AND r.status = 'approved'{extra}",
            (guild_id, *params),
        )
        return [], int(total)

    async def _filters(
        self, guild_id: int, topic: str | None, level: str | None
    ) -> tuple[str, list[Any]]:
        sql, params = "", []
        if topic:
            sql += " AND r.topic = ?"
            params.append(await self.taxonomy.resolve_topic(guild_id, topic))
        if level:
            sql += " AND r.level = ?"
            params.append(resolve_level(level))
        return sql, params

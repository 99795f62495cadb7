"""The curated library: add, suggest and review, search, browse, progress and `next`."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot import outbox
from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput, NotAllowed, NotFound
from bot.resources import search as fts
from bot.resources.starter import load_starter
from bot.resources.urls import check_url
from bot.taxonomy import LEVELS, Taxonomy, ensure_guild, level_rank, resolve_level

MAX_TITLE = 200
MAX_DESCRIPTION = 1000
MAX_NOTE = 500
MAX_PER_PAGE = 25
# Open suggestions one member may have waiting at a time (keeps the queue reviewable).
MAX_PENDING_PER_MEMBER = 10

_COLUMNS = (
    "id, guild_id, url, url_canonical, title, description, topic, level, status, suggested_by,"
    " added_by, note, created_at, reviewed_by, reviewed_at, approved_at"
)
_R_COLUMNS = ", ".join(f"r.{c.strip()}" for c in _COLUMNS.split(","))


@dataclass(frozen=True)
class Resource:
    id: int
    guild_id: int
    url: str
    url_canonical: str
    title: str
    description: str
    topic: str | None  # None only while pending
    level: str | None  # None only while pending
    status: str  # 'approved' | 'pending' | 'rejected'
    suggested_by: int | None
    added_by: int | None
    note: str | None
    created_at: int
    reviewed_by: int | None
    reviewed_at: int | None
    approved_at: int | None


@dataclass(frozen=True)
class TopicProgress:
    topic: str
    done: int
    total: int


@dataclass(frozen=True)
class NextPick:
    resource: Resource | None  # None: nothing left at these levels in this topic
    topic: str | None  # the topic looked in (None = every topic: nothing done yet)
    level: str  # the member's level
    levels: tuple[str, ...]  # the levels looked at: the member's and one above


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: int  # already in the library (or suggested, or declined before)
    total: int


def _resource(row: sqlite3.Row) -> Resource:
    return Resource(**{k: row[k] for k in Resource.__dataclass_fields__})


def _clean_text(value: str | None, limit: int, what: str) -> str:
    cleaned = " ".join((value or "").split())
    if len(cleaned) > limit:
        raise InvalidInput(f"The {what} can be at most {limit} characters (it has {len(cleaned)}).")
    return cleaned


def _check_page(page: int, per_page: int) -> None:
    if page < 0:
        raise InvalidInput("Pages are counted from 0.")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"A page shows 1 to {MAX_PER_PAGE} resources.")


def _title_from_url(url: str) -> str:
    rest = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return rest.removeprefix("www.")[:MAX_TITLE] or url[:MAX_TITLE]


def _named(r: Resource) -> str:
    return f"“{r.title}” (#{r.id})"


class ResourceService:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        self.taxonomy = Taxonomy(db, clock)

    def _now(self) -> int:
        return int(self.clock())

    # --- lookups ------------------------------------------------------------
    async def get(self, guild_id: int, resource_id: int, *, approved_only: bool = True) -> Resource:
        """The resource with this id in this guild, or NotFound."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM resources WHERE id = ? AND guild_id = ?",
            (resource_id, guild_id),
        )
        if row is None or (approved_only and row["status"] != "approved"):
            raise NotFound(f"There is no resource #{resource_id} in this server's library.")
        return _resource(row)

    async def _by_canonical(self, guild_id: int, canonical: str) -> Resource | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM resources WHERE guild_id = ? AND url_canonical = ?",
            (guild_id, canonical),
        )
        return None if row is None else _resource(row)

    async def find_by_url(self, guild_id: int, url: str) -> Resource | None:
        """The approved resource at this link (compared in canonical form), if any."""
        try:
            canonical = check_url(url).canonical
        except InvalidInput:
            return None
        found = await self._by_canonical(guild_id, canonical)
        return found if found and found.status == "approved" else None

    async def resolve(self, guild_id: int, text: str) -> Resource:
        """An approved resource from what a member typed: an id (`12`, `#12`), a title or a link.

        Falls back to search; NotFound names up to three candidates when it is ambiguous.
        """
        cleaned = (text or "").strip()
        if not cleaned:
            raise InvalidInput("Name a resource: pick one from the list as you type.")
        digits = cleaned.removeprefix("#")
        if digits.isdecimal() and len(digits) <= 18:  # an id (a longer one fits no column)
            return await self.get(guild_id, int(digits))
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM resources WHERE guild_id = ? AND status = 'approved'"
            " AND title = ? COLLATE NOCASE ORDER BY id LIMIT 1",
            (guild_id, " ".join(cleaned.split())),
        )
        if row is not None:
            return _resource(row)
        if "://" in cleaned and (by_url := await self.find_by_url(guild_id, cleaned)):
            return by_url
        found, total = await self.search(guild_id, cleaned, per_page=3)
        if total == 1:
            return found[0]
        shown = cleaned[:60]
        if not found:
            raise NotFound(f"No resource here matches “{shown}”.")
        names = " or ".join(_named(r) for r in found)
        raise NotFound(f"“{shown}” matches several resources: did you mean {names}?")

    async def autocomplete(
        self, guild_id: int, text: str, limit: int = 25
    ) -> list[tuple[int, str]]:
        """(id, title) pairs for a resource option: id match, then best title/text matches."""
        limit = max(1, min(limit, 25))
        cleaned = (text or "").strip()
        out: list[tuple[int, str]] = []
        digits = cleaned.removeprefix("#")
        if digits.isdecimal() and len(digits) <= 18:
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
        else:
            found, _ = await self.search(guild_id, cleaned, per_page=limit)
            rows = [{"id": r.id, "title": r.title} for r in found]
        for r in rows:
            if all(r["id"] != i for i, _ in out):
                out.append((r["id"], r["title"]))
        return out[:limit]

    # --- adding -------------------------------------------------------------
    async def add(
        self,
        guild_id: int,
        url: str,
        title: str,
        topic: str,
        level: str,
        added_by: int | None,
        description: str | None = None,
        *,
        may_overrule_decline: bool = True,
    ) -> Resource:
        """Add an approved resource. AlreadyExists names the entry already at that link.

        A link the organizers declined comes back only through an organizer: a curator
        passes `may_overrule_decline=False` and is refused (NotAllowed) for such a link.
        """
        checked = check_url(url)
        clean_title = _clean_text(title, MAX_TITLE, "title")
        if not clean_title:
            raise InvalidInput("A resource needs a title.")
        clean_desc = _clean_text(description, MAX_DESCRIPTION, "description")
        topic_name = await self.taxonomy.resolve_topic(guild_id, topic)
        level_name = resolve_level(level)
        now = self._now()
        async with self.db.transaction():
            existing = await self._by_canonical(guild_id, checked.canonical)
            if existing is not None and existing.status == "approved":
                raise AlreadyExists(f"That link is already in the library as {_named(existing)}.")
            if existing is not None and existing.status == "pending":
                raise AlreadyExists(
                    f"That link is waiting for review as {_named(existing)}; "
                    "approve it with /resource review."
                )
            if existing is not None and not may_overrule_decline:
                raise NotAllowed(
                    f"The organizers declined that link before (as {_named(existing)}), so "
                    "only an organizer can add it to the library now."
                )
            if existing is not None:  # declined before: an organizer's add overrides that
                await self.db.execute(
                    "UPDATE resources SET url = ?, title = ?, description = ?, topic = ?,"
                    " level = ?, status = 'approved', added_by = ?, reviewed_by = ?,"
                    " reviewed_at = ?, approved_at = ? WHERE id = ?",
                    (
                        checked.url,
                        clean_title,
                        clean_desc,
                        topic_name,
                        level_name,
                        added_by,
                        added_by,
                        now,
                        now,
                        existing.id,
                    ),
                )
                resource_id = existing.id
            else:
                resource_id = await self.db.execute(
                    "INSERT INTO resources(guild_id, url, url_canonical, title, description,"
                    " topic, level, status, added_by, created_at, approved_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, 'approved', ?, ?, ?)",
                    (
                        guild_id,
                        checked.url,
                        checked.canonical,
                        clean_title,
                        clean_desc,
                        topic_name,
                        level_name,
                        added_by,
                        now,
                        now,
                    ),
                )
        return await self.get(guild_id, resource_id)

    async def suggest(
        self,
        guild_id: int,
        user_id: int,
        url: str,
        title: str | None = None,
        note: str | None = None,
    ) -> Resource:
        """Put a suggestion in the review queue (status 'pending')."""
        checked = check_url(url)
        clean_title = _clean_text(title, MAX_TITLE, "title") or _title_from_url(checked.url)
        clean_note = _clean_text(note, MAX_NOTE, "note") or None
        await ensure_guild(self.db, guild_id, self.clock)
        async with self.db.transaction():
            existing = await self._by_canonical(guild_id, checked.canonical)
            if existing is not None:
                if existing.status == "approved":
                    raise AlreadyExists(
                        f"That link is already in the library as {_named(existing)}."
                    )
                if existing.status == "pending":
                    raise AlreadyExists(
                        f"That link was already suggested as {_named(existing)} "
                        "and is waiting for review."
                    )
                raise AlreadyExists(
                    "That link was suggested before and the organizers decided not to add it."
                )
            waiting = await self.db.fetchval(
                "SELECT COUNT(*) FROM resources WHERE guild_id = ? AND suggested_by = ?"
                " AND status = 'pending'",
                (guild_id, user_id),
            )
            if waiting >= MAX_PENDING_PER_MEMBER:
                raise InvalidInput(
                    f"You already have {waiting} suggestions waiting for review; "
                    "please wait until the organizers have looked at them."
                )
            resource_id = await self.db.execute(
                "INSERT INTO resources(guild_id, url, url_canonical, title, status,"
                " suggested_by, note, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
                (
                    guild_id,
                    checked.url,
                    checked.canonical,
                    clean_title,
                    user_id,
                    clean_note,
                    self._now(),
                ),
            )
        return await self.get(guild_id, resource_id, approved_only=False)

    # --- review -------------------------------------------------------------
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
            f"SELECT {_COLUMNS} FROM resources WHERE guild_id = ? AND status = 'pending'"
            " AND id > ? ORDER BY id LIMIT 1",
            (guild_id, after_id or 0),
        )
        return None if row is None else _resource(row)

    async def _pending_for_review(self, guild_id: int, resource_id: int) -> Resource:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM resources WHERE id = ? AND guild_id = ?",
            (resource_id, guild_id),
        )
        if row is None:
            raise NotFound(f"Suggestion #{resource_id} no longer exists.")
        found = _resource(row)
        if found.status != "pending":
            raise AlreadyExists(f"{_named(found)} was already {found.status}.")
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
        new_title = (_clean_text(title, MAX_TITLE, "title") or None) if title else None
        new_desc = _clean_text(description, MAX_DESCRIPTION, "description") if description else None
        now = self._now()
        async with self.db.transaction():
            found = await self._pending_for_review(guild_id, resource_id)
            await self.db.execute(
                "UPDATE resources SET status = 'approved', topic = ?, level = ?,"
                " title = COALESCE(?, title), description = COALESCE(?, description),"
                " reviewed_by = ?, reviewed_at = ?, approved_at = ? WHERE id = ?",
                (topic_name, level_name, new_title, new_desc, reviewer_id, now, now, resource_id),
            )
            if found.suggested_by is not None:
                await outbox.enqueue(
                    self.db,
                    guild_id=guild_id,
                    kind="resource.suggestion_approved",
                    user_id=found.suggested_by,
                    payload={
                        "resource_id": resource_id,
                        "title": new_title or found.title,
                        "url": found.url,
                        "topic": topic_name,
                        "level": level_name,
                    },
                    dedupe_key=f"resource:{resource_id}:reviewed",
                )
        return await self.get(guild_id, resource_id)

    async def reject(
        self, guild_id: int, resource_id: int, reviewer_id: int, reason: str | None = None
    ) -> Resource:
        """Decline a suggestion (kept, so the link is not suggested again); DM owed."""
        clean_reason = _clean_text(reason, MAX_NOTE, "reason") or None
        now = self._now()
        async with self.db.transaction():
            found = await self._pending_for_review(guild_id, resource_id)
            await self.db.execute(
                "UPDATE resources SET status = 'rejected', reviewed_by = ?, reviewed_at = ?"
                " WHERE id = ?",
                (reviewer_id, now, resource_id),
            )
            if found.suggested_by is not None:
                await outbox.enqueue(
                    self.db,
                    guild_id=guild_id,
                    kind="resource.suggestion_rejected",
                    user_id=found.suggested_by,
                    payload={
                        "resource_id": resource_id,
                        "title": found.title,
                        "url": found.url,
                        "reason": clean_reason,
                    },
                    dedupe_key=f"resource:{resource_id}:reviewed",
                )
        return await self.get(guild_id, resource_id, approved_only=False)

    # --- browsing -----------------------------------------------------------
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
        _check_page(page, per_page)
        words = fts.terms(query)
        if not words:
            return [], 0
        scope = fts.scope_expression(
            guild_id,
            await self.taxonomy.resolve_topic(guild_id, topic) if topic else None,
            resolve_level(level) if level else None,
        )
        for any_term in (False, True):
            if any_term and len(words) < 2:
                break
            expressions = fts.search_expressions(scope, words, any_term=any_term)
            ids, total = await self._search_ids(expressions, page * per_page, per_page)
            if total:
                return await self._by_ids(guild_id, ids), total
        return [], 0

    async def _search_ids(
        self, expressions: tuple[str, str, str], offset: int, limit: int
    ) -> tuple[list[int], int]:
        """Ids for one page (title tier, then the rest) and the total."""
        everything, in_title, rest = expressions
        counts = await self.db.fetchone(
            "SELECT (SELECT COUNT(*) FROM resources_fts WHERE resources_fts MATCH ?1),"
            " (SELECT COUNT(*) FROM resources_fts WHERE resources_fts MATCH ?2)",
            (everything, in_title),
        )
        assert counts is not None
        total, title_count = int(counts[0]), int(counts[1])
        if total == 0:
            return [], 0
        if total <= fts.RANK_CAP:
            # One bm25 pass over every match: bm25 reads each word's whole doclist once
            # (for its IDF), the dominant cost when a word is common.
            scored = await self.db.fetchall(
                f"SELECT rowid, {fts.RANK_SQL}, rowid IN (SELECT rowid FROM resources_fts"
                " WHERE resources_fts MATCH ?2) FROM resources_fts WHERE resources_fts MATCH ?1",
                (everything, in_title),
            )
            ranked = sorted(scored, key=lambda r: (not r[2], r[1], -r[0]))
            return [r[0] for r in ranked[offset : offset + limit]], total
        ids: list[int] = []
        if offset < title_count:
            ids = await self._page(in_title, title_count, offset, limit)
        if len(ids) < limit and offset + len(ids) < total:
            ids += await self._page(
                rest, total - title_count, max(0, offset - title_count), limit - len(ids)
            )
        return ids, total

    async def _page(self, expr: str, count: int, offset: int, limit: int) -> list[int]:
        # Past RANK_CAP rows bm25 would cost too much: newest first instead.
        order = f"{fts.RANK_SQL}, rowid DESC" if count <= fts.RANK_CAP else "rowid DESC"
        rows = await self.db.fetchall(
            f"SELECT rowid FROM resources_fts WHERE resources_fts MATCH ? ORDER BY {order}"
            " LIMIT ? OFFSET ?",
            (expr, limit, offset),
        )
        return [r[0] for r in rows]

    async def _by_ids(self, guild_id: int, ids: Sequence[int]) -> list[Resource]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        # The guild and status are checked again: cheap here, and the index is not trusted.
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM resources WHERE id IN ({marks}) AND guild_id = ?"
            " AND status = 'approved'",
            (*ids, guild_id),
        )
        by_id = {r["id"]: _resource(r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    async def list_resources(
        self,
        guild_id: int,
        topic: str | None = None,
        level: str | None = None,
        page: int = 0,
        per_page: int = 5,
    ) -> tuple[list[Resource], int]:
        """The library newest first, optionally filtered; (page of results, total)."""
        _check_page(page, per_page)
        extra, params = await self._filters(guild_id, topic, level)
        rows = await self.db.fetchall(
            f"SELECT {_R_COLUMNS}, COUNT(*) OVER () AS total FROM resources r"
            f" WHERE r.guild_id = ? AND r.status = 'approved'{extra}"
            " ORDER BY r.approved_at DESC, r.id DESC LIMIT ? OFFSET ?",
            (guild_id, *params, per_page, page * per_page),
        )
        if rows:
            return [_resource(r) for r in rows], int(rows[0]["total"])
        total = await self.db.fetchval(
            "SELECT COUNT(*) FROM resources r"
            f" WHERE r.guild_id = ? AND r.status = 'approved'{extra}",
            (guild_id, *params),
        )
        return [], int(total)

    async def remove(self, guild_id: int, resource_id: int) -> Resource:
        """Delete a resource (progress and autopost history go with it); returns what it was."""
        async with self.db.transaction():
            found = await self.get(guild_id, resource_id, approved_only=False)
            await self.db.execute("DELETE FROM resources WHERE id = ?", (resource_id,))
        return found

    # --- progress -----------------------------------------------------------
    async def mark_done(self, guild_id: int, user_id: int, resource_id: int) -> bool:
        """Record that the member worked through it; False if it was already recorded."""
        async with self.db.transaction():  # the resource can't vanish between check and insert
            await self.get(guild_id, resource_id)
            changed = await self.db.execute_rowcount(
                "INSERT OR IGNORE INTO resource_progress(guild_id, user_id, resource_id, done_at)"
                " VALUES (?, ?, ?, ?)",
                (guild_id, user_id, resource_id, self._now()),
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

    async def progress(self, guild_id: int, user_id: int) -> list[TopicProgress]:
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
        rows = await self._done(guild_id, user_id)
        return _level_from(rows)

    async def _done(self, guild_id: int, user_id: int) -> list[sqlite3.Row]:
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
            f"SELECT {_R_COLUMNS} FROM resources r"
            f" WHERE r.guild_id = ? AND r.status = 'approved' AND r.level IN ({marks}){topic_sql}"
            " AND NOT EXISTS (SELECT 1 FROM resource_progress p WHERE p.resource_id = r.id"
            "   AND p.guild_id = r.guild_id AND p.user_id = ?)"
            " ORDER BY CASE r.level WHEN ? THEN 0 ELSE 1 END, r.approved_at, r.id LIMIT 1",
            (guild_id, *levels, *([chosen] if chosen else []), user_id, level),
        )
        return NextPick(None if row is None else _resource(row), chosen, level, tuple(levels))

    # --- starter catalogue ----------------------------------------------------
    async def import_starter(self, guild_id: int, added_by: int | None = None) -> ImportResult:
        """Add the starter catalogue; entries whose link is already here are skipped."""
        entries = load_starter()
        topics = {t.casefold(): t for t in await self.taxonomy.topics(guild_id)}
        now = self._now()
        added = 0
        async with self.db.transaction():
            for e in entries:
                topic = topics.get(e.topic.casefold())
                if topic is None:  # a guild can't lose default topics; guard anyway
                    continue
                added += await self.db.execute_rowcount(
                    "INSERT OR IGNORE INTO resources(guild_id, url, url_canonical, title,"
                    " description, topic, level, status, added_by, created_at, approved_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, 'approved', ?, ?, ?)",
                    (
                        guild_id,
                        e.url,
                        check_url(e.url).canonical,
                        e.title,
                        e.description,
                        topic,
                        e.level,
                        added_by,
                        now,
                        now,
                    ),
                )
        return ImportResult(added=added, skipped=len(entries) - added, total=len(entries))

    # --- privacy ------------------------------------------------------------
    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything the resources feature stores about a member in this guild, by table
        (see bot/privacy.py), each row with its key: resources they suggested (with their
        note), added or reviewed, their progress, and the topics, autoposts and feeds they
        created."""
        q = self.db.fetch_dicts
        args = (guild_id, user_id)
        return {
            "resources": await q(
                "SELECT id, url, title, status, created_at,"
                " IFNULL(suggested_by = ?2, 0) AS you_suggested,"
                " IFNULL(added_by = ?2, 0) AS you_added,"
                " IFNULL(reviewed_by = ?2, 0) AS you_reviewed,"
                " CASE WHEN suggested_by = ?2 THEN note END AS note FROM resources"
                " WHERE guild_id = ?1 AND ?2 IN (suggested_by, added_by, reviewed_by) ORDER BY id",
                args,
            ),
            "resource_progress": await q(
                "SELECT p.guild_id, p.user_id, p.resource_id, r.title, p.done_at"
                " FROM resource_progress p JOIN resources r ON r.id = p.resource_id"
                " WHERE p.guild_id = ? AND p.user_id = ? ORDER BY p.done_at",
                args,
            ),
            "resource_topics": await q(
                "SELECT id, name, created_at FROM resource_topics"
                " WHERE guild_id = ? AND created_by = ?",
                args,
            ),
            "resource_autoposts": await q(
                "SELECT id, channel_id, schedule, topic, created_at FROM resource_autoposts"
                " WHERE guild_id = ? AND created_by = ?",
                args,
            ),
            "resource_feeds": await q(
                "SELECT id, url, channel_id, topic, created_at FROM resource_feeds"
                " WHERE guild_id = ? AND created_by = ?",
                args,
            ),
        }

    async def delete_member_data(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Forget a member: progress, open and declined suggestions; unlink authorship."""
        counts: dict[str, int] = {}
        async with self.db.transaction():
            counts["progress"] = await self.db.execute_rowcount(
                "DELETE FROM resource_progress WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            counts["suggestions"] = await self.db.execute_rowcount(
                "DELETE FROM resources WHERE guild_id = ? AND suggested_by = ?"
                " AND status IN ('pending', 'rejected')",
                (guild_id, user_id),
            )
            unlinked = 0
            for column in ("suggested_by", "added_by", "reviewed_by"):
                # Column names come from the tuple above, never from input.
                unlinked += await self.db.execute_rowcount(
                    f"UPDATE resources SET {column} = NULL"
                    + (", note = NULL" if column == "suggested_by" else "")
                    + f" WHERE guild_id = ? AND {column} = ?",
                    (guild_id, user_id),
                )
            for table in ("resource_autoposts", "resource_feeds", "resource_topics"):
                unlinked += await self.db.execute_rowcount(
                    f"UPDATE {table} SET created_by = NULL WHERE guild_id = ? AND created_by = ?",
                    (guild_id, user_id),
                )
            counts["unlinked"] = unlinked
        return counts


def _level_from(done: Sequence[sqlite3.Row]) -> str:
    if not done:
        return LEVELS[0]
    counts = Counter(r["level"] for r in done)
    return max(counts, key=lambda lv: (counts[lv], level_rank(lv)))

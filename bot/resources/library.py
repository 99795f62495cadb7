"""What goes into the library and out of it: organizers' and curators' adds, members'
suggestions (into the review queue), removal, the starter catalogue, and reading one
resource back by id or link.

Links are compared in canonical form (bot/resources/urls.py), so one page is in a guild's
library once whatever tracking parameters it came with. A declined link stays as a
'rejected' row: it is not suggested again, and only an organizer can add it after all.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput, NotAllowed, NotFound
from bot.i18n import _
from bot.resources.records import (
    COLUMNS,
    DESCRIPTION_TOO_LONG,
    MAX_DESCRIPTION,
    MAX_NOTE,
    MAX_PENDING_PER_MEMBER,
    MAX_TITLE,
    NOTE_TOO_LONG,
    TITLE_TOO_LONG,
    ImportResult,
    Resource,
    clean_text,
    named,
    resource_of,
    title_from_url,
)
from bot.resources.starter import load_starter
from bot.resources.urls import check_url
from bot.taxonomy import Taxonomy, ensure_guild, resolve_level


class Library:
    def __init__(
        self, db: Database, taxonomy: Taxonomy, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.taxonomy = taxonomy
        self.clock = clock

    def _now(self) -> int:
        return int(self.clock())

    # --- reading one back -------------------------------------------------------
    async def get(self, guild_id: int, resource_id: int, *, approved_only: bool = True) -> Resource:
        """The resource with this id in this guild, or NotFound."""
        row = await self.db.fetchone(
            f"SELECT {COLUMNS} FROM resources WHERE id = ? AND guild_id = ?",
            (resource_id, guild_id),
        )
        if row is None or (approved_only and row["status"] != "approved"):
            raise NotFound(
                _("There is no resource #{id} in this server's library.", id=resource_id)
            )
        return resource_of(row)

    async def by_canonical(self, guild_id: int, canonical: str) -> Resource | None:
        """The row at this canonical link, whatever its status."""
        row = await self.db.fetchone(
            f"SELECT {COLUMNS} FROM resources WHERE guild_id = ? AND url_canonical = ?",
            (guild_id, canonical),
        )
        return None if row is None else resource_of(row)

    async def find_by_url(self, guild_id: int, url: str) -> Resource | None:
        """The approved resource at this link (compared in canonical form), if any."""
        try:
            canonical = check_url(url).canonical
        except InvalidInput:
            return None
        found = await self.by_canonical(guild_id, canonical)
        return found if found and found.status == "approved" else None

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
        clean_title = clean_text(title, MAX_TITLE, TITLE_TOO_LONG)
        if not clean_title:
            raise InvalidInput(_("A resource needs a title."))
        clean_desc = clean_text(description, MAX_DESCRIPTION, DESCRIPTION_TOO_LONG)
        topic_name = await self.taxonomy.resolve_topic(guild_id, topic)
        level_name = resolve_level(level)
        now = self._now()
        async with self.db.transaction():
            existing = await self.by_canonical(guild_id, checked.canonical)
            if existing is not None and existing.status == "approved":
                raise AlreadyExists(
                    _(
                        "That link is already in the library as {resource}.",
                        resource=named(existing),
                    )
                )
            if existing is not None and existing.status == "pending":
                raise AlreadyExists(
                    _(
                        "That link is waiting for review as {resource};"
                        " approve it with /resource review.",
                        resource=named(existing),
                    )
                )
            if existing is not None and not may_overrule_decline:
                raise NotAllowed(
                    _(
                        "The organizers declined that link before (as {resource}), so"
                        " only an organizer can add it to the library now.",
                        resource=named(existing),
                    )
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
                resource_id = await self.db.insert(
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
        clean_title = clean_text(title, MAX_TITLE, TITLE_TOO_LONG) or title_from_url(checked.url)
        clean_note = clean_text(note, MAX_NOTE, NOTE_TOO_LONG) or None
        await ensure_guild(self.db, guild_id, self.clock)
        async with self.db.transaction():
            existing = await self.by_canonical(guild_id, checked.canonical)
            if existing is not None:
                if existing.status == "approved":
                    raise AlreadyExists(
                        _(
                            "That link is already in the library as {resource}.",
                            resource=named(existing),
                        )
                    )
                if existing.status == "pending":
                    raise AlreadyExists(
                        _(
                            "That link was already suggested as {resource}"
                            " and is waiting for review.",
                            resource=named(existing),
                        )
                    )
                raise AlreadyExists(
                    _("That link was suggested before and the organizers decided not to add it.")
                )
            waiting = await self.db.fetchval(
                "SELECT COUNT(*) FROM resources WHERE guild_id = ? AND suggested_by = ?"
                " AND status = 'pending'",
                (guild_id, user_id),
            )
            if waiting >= MAX_PENDING_PER_MEMBER:
                raise InvalidInput(
                    _(
                        "You already have {count} suggestions waiting for review;"
                        " please wait until the organizers have looked at them.",
                        count=waiting,
                    )
                )
            resource_id = await self.db.insert(
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

    # --- removing -------------------------------------------------------------
    async def remove(self, guild_id: int, resource_id: int) -> Resource:
        """Delete a resource (progress and autopost history go with it); returns what it was."""
        async with self.db.transaction():
            found = await self.get(guild_id, resource_id, approved_only=False)
            await self.db.execute("DELETE FROM resources WHERE id = ?", (resource_id,))
        return found

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
                    "INSERT INTO resources(guild_id, url, url_canonical, title,"
                    " description, topic, level, status, added_by, created_at, approved_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, 'approved', ?, ?, ?) ON CONFLICT DO NOTHING",
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

"""Mentee requests: asking for a mentor, updating the ask, cancelling it.

One open request per member per guild; asking again updates it and keeps its place in
the queue (its waiting time counts from the first ask). A request's goal is private:
only the member, the proposed or matched mentor and organizers see it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.db import Database
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.guilds import GuildSettings
from bot.i18n import _
from bot.mentorship import inputs, store
from bot.mentorship.config import MentorshipConfig
from bot.mentorship.matching import city_name
from bot.mentorship.models import Clock, MenteeRequest, RequestUpdate
from bot.mentorship.proposals import Proposals
from bot.taxonomy import Taxonomy, level_name, resolve_level


def request_changes(before: MenteeRequest, after: MenteeRequest) -> tuple[str, ...]:
    """What an update changed, in words (the reader's language): `topics NLP → NLP, MLOps`,
    `city any → Lahore`, `goal changed` (the goal itself is not repeated). Empty when
    nothing did."""
    changes: list[str] = []
    if before.topics != after.topics:
        changes.append(
            _(
                "topics {old} → {new}",
                old=", ".join(before.topics),
                new=", ".join(after.topics),
            )
        )
    if before.goal != after.goal:
        if before.goal is None:
            changes.append(_("goal added"))
        elif after.goal is None:
            changes.append(_("goal removed"))
        else:
            changes.append(_("goal changed"))
    any_value = _("any")
    if before.city != after.city:
        changes.append(
            _(
                "city {old} → {new}",
                old=city_name(before.city) if before.city else any_value,
                new=city_name(after.city) if after.city else any_value,
            )
        )
    if before.language != after.language:
        changes.append(
            _(
                "language {old} → {new}",
                old=before.language or any_value,
                new=after.language or any_value,
            )
        )
    if before.level != after.level:
        changes.append(
            _(
                "level {old} → {new}",
                old=level_name(before.level) if before.level else any_value,
                new=level_name(after.level) if after.level else any_value,
            )
        )
    return tuple(changes)


class MenteeRequests:
    def __init__(
        self,
        db: Database,
        guilds: GuildSettings,
        taxonomy: Taxonomy,
        config: MentorshipConfig,
        proposals: Proposals,
        clock: Clock,
    ) -> None:
        self.db = db
        self.guilds = guilds
        self.taxonomy = taxonomy
        self.config = config
        self.proposals = proposals
        self.clock = clock

    async def open_request(self, guild_id: int, user_id: int) -> MenteeRequest | None:
        """The member's request still waiting for a mentor, if any."""
        return await store.open_request(self.db, guild_id, user_id)

    async def ask(
        self,
        guild_id: int,
        user_id: int,
        *,
        topics: str,
        goal: str | None = None,
        city: str | None = None,
        language: str | None = None,
        level: str | None = None,
    ) -> RequestUpdate:
        """Ask for a mentor (a second call updates the open request, keeping its place in
        the queue, and says what changed). None keeps a field, an empty string clears it.

        Refused: while a proposal for it awaits answers (answer or cancel first), and for a
        topic of one of the member's active matches (a member may have mentors for
        different topics, never two at once for the same one).
        """
        await self.config.ensure(guild_id)
        # Every input is checked before anything is written.
        topic_names = await inputs.parse_topics(self.taxonomy, guild_id, topics)
        goal_text = None if goal is None else (inputs.clean_goal(goal) or "")
        city_name = await inputs.parse_optional_city(self.guilds, guild_id, city)
        lang = await self.config.parse_language(guild_id, language)
        level_name = None if level is None else (resolve_level(level) if level.strip() else "")
        now = int(self.clock())
        async with self.db.transaction():
            await store.lock_guild(self.db, guild_id)  # a round may be proposing for it
            old = await store.open_request(self.db, guild_id, user_id)
            if old is not None and old.status == "proposed":
                raise NotAllowed(
                    _(
                        "A mentor has been proposed for your request: accept or decline that "
                        "proposal first, or use /mentee cancel."
                    )
                )
            await self._check_topics_free(guild_id, user_id, topic_names)
            values = (
                json.dumps(list(topic_names)),
                inputs.keep_or_set(goal_text, old.goal if old else None),
                inputs.keep_or_set(city_name, old.city if old else None),
                inputs.keep_or_set(lang, old.language if old else None),
                inputs.keep_or_set(level_name, old.level if old else None),
                now,
            )
            if old is None:
                request_id = await self.db.insert(
                    "INSERT INTO mentee_requests(topics, goal, city, language, level, updated_at,"
                    " guild_id, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, guild_id, user_id, now),
                )
            else:
                request_id = old.id
                await self.db.execute(
                    "UPDATE mentee_requests SET topics = ?, goal = ?, city = ?, language = ?,"
                    " level = ?, updated_at = ? WHERE id = ?",
                    (*values, request_id),
                )
            request = await store.load_request(self.db, request_id)
        assert request is not None
        return RequestUpdate(request, old, request_changes(old, request) if old else ())

    async def _check_topics_free(self, guild_id: int, user_id: int, topics: Sequence[str]) -> None:
        rows = await self.db.fetchall(
            "SELECT id, topics FROM mentorship_matches WHERE guild_id = ? AND mentee_id = ?"
            " AND status = 'active' ORDER BY id",
            (guild_id, user_id),
        )
        for row in rows:
            taken = store.shared_topics(topics, json.loads(row["topics"]))
            if taken:
                raise InvalidInput(
                    _(
                        "You already have a mentor for {topics} (mentorship #{id}). Ask for "
                        "other topics, or end that mentorship first.",
                        topics=", ".join(taken),
                        id=row["id"],
                    )
                )

    async def cancel(self, guild_id: int, user_id: int) -> MenteeRequest:
        """Withdraw the open request and any proposal for it (its mentor is told)."""
        now = int(self.clock())
        async with self.db.transaction():
            await store.lock_guild(self.db, guild_id)  # its proposal may be being answered
            request = await store.open_request(self.db, guild_id, user_id)
            if request is None:
                raise NotFound(_("You have no open mentorship request to cancel."))
            await self.proposals.withdraw_for_request(request.id, "cancelled", now)
            await self.close(request.id, "cancelled", now)
            fresh = await store.load_request(self.db, request.id)
        assert fresh is not None
        return fresh

    async def close(self, request_id: int, status: str, now: int) -> None:
        """Mark a request cancelled or closed (inside the caller's transaction)."""
        await self.db.execute(
            "UPDATE mentee_requests SET status = ?, updated_at = ?, closed_at = ? WHERE id = ?",
            (status, now, now, request_id),
        )

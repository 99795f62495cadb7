"""The mentor directory: joining (or updating a profile), pausing, resuming, stepping
down, and finding mentors with free places.

A mentor's free places are capacity − active matches − pending proposals (never below
0: a lowered capacity keeps the mentees already there). Paused mentors keep their
mentees and pending proposals but get no new ones; a mentor who leaves has their
pending proposals re-routed at once and their mentorships ended (bot/mentorship/
proposals.py and matches.py do that part).
"""

from __future__ import annotations

from typing import Any

from bot.db import Database
from bot.errors import NotFound
from bot.guilds import GuildSettings
from bot.i18n import _
from bot.mentorship import inputs, store
from bot.mentorship.config import MentorshipConfig
from bot.mentorship.matches import Matches
from bot.mentorship.models import Clock, LeaveOutcome, MentorProfile, ProfileStatus
from bot.mentorship.proposals import Proposals
from bot.taxonomy import LEVELS, Taxonomy

MAX_PER_PAGE = 25


class MentorDirectory:
    def __init__(
        self,
        db: Database,
        guilds: GuildSettings,
        taxonomy: Taxonomy,
        config: MentorshipConfig,
        proposals: Proposals,
        matches: Matches,
        clock: Clock,
    ) -> None:
        self.db = db
        self.guilds = guilds
        self.taxonomy = taxonomy
        self.config = config
        self.proposals = proposals
        self.matches = matches
        self.clock = clock

    async def join(
        self,
        guild_id: int,
        user_id: int,
        *,
        topics: str,
        capacity: int,
        city: str | None = None,
        languages: str | None = None,
        levels: str | None = None,
        bio: str | None = None,
    ) -> MentorProfile:
        """Create or update the member's mentor profile.

        Optional fields given as None keep their current value (on creation: no city,
        the guild's first language, all levels, no bio); an empty city or bio clears
        it. Every input is checked before anything is written. Joining again after
        leaving re-activates the profile; a paused profile stays paused.
        """
        await self.config.ensure(guild_id)
        topic_names = await inputs.parse_topics(self.taxonomy, guild_id, topics)
        places = inputs.check_capacity(capacity)
        city_name = await inputs.parse_optional_city(self.guilds, guild_id, city)
        langs = (
            None
            if languages is None or not languages.strip()
            else await self.config.parse_languages(guild_id, languages)
        )
        level_names = None if levels is None else inputs.parse_levels(levels)
        bio_text = None if bio is None else (inputs.clean_bio(bio) or "")
        now = int(self.clock())
        async with self.db.transaction():
            await store.lock_guild(self.db, guild_id)  # places change: not during a round
            old = await store.load_profile(self.db, guild_id, user_id)
            if langs is None:
                langs = old.languages if old else tuple((await self.config.languages(guild_id))[:1])
            await store.save_profile(
                self.db,
                guild_id,
                user_id,
                topics=topic_names,
                capacity=places,
                city=inputs.keep_or_set(city_name, old.city if old else None),
                languages=langs,
                levels=(old.levels if old else LEVELS) if level_names is None else level_names,
                bio=inputs.keep_or_set(bio_text, old.bio if old else None),
                status="paused" if old and old.status == "paused" else "active",
                now=now,
            )
            profile = await store.load_profile(self.db, guild_id, user_id)
        assert profile is not None
        return profile

    async def _own_profile(self, guild_id: int, user_id: int) -> MentorProfile:
        profile = await store.load_profile(self.db, guild_id, user_id)
        if profile is None:
            raise NotFound(
                _("You don't have a mentor profile here; use /mentor join to create one.")
            )
        if profile.status == "left":
            raise NotFound(_("You left mentoring here; use /mentor join to come back."))
        return profile

    async def _set_status(
        self, guild_id: int, user_id: int, status: ProfileStatus
    ) -> MentorProfile:
        async with self.db.transaction():
            await store.lock_guild(self.db, guild_id)
            profile = await self._own_profile(guild_id, user_id)
            if profile.status != status:
                await self.db.execute(
                    "UPDATE mentor_profiles SET status = ?, updated_at = ?"
                    " WHERE guild_id = ? AND user_id = ?",
                    (status, int(self.clock()), guild_id, user_id),
                )
            fresh = await store.load_profile(self.db, guild_id, user_id)
        assert fresh is not None
        return fresh

    async def pause(self, guild_id: int, user_id: int) -> MentorProfile:
        """No new proposals; pending proposals stay open and current mentees are kept."""
        return await self._set_status(guild_id, user_id, "paused")

    async def resume(self, guild_id: int, user_id: int) -> MentorProfile:
        return await self._set_status(guild_id, user_id, "active")

    async def leave(self, guild_id: int, user_id: int) -> LeaveOutcome:
        """Stop mentoring: pending proposals are withdrawn and their requests re-routed at
        once; active matches end and each mentee is told. Leaving twice changes nothing."""
        now = int(self.clock())
        async with self.db.transaction():
            # No round may propose to them while they go, nor a decline re-route to them.
            await store.lock_guild(self.db, guild_id)
            profile = await store.load_profile(self.db, guild_id, user_id)
            if profile is None:
                raise NotFound(_("You don't have a mentor profile here."))
            await self.db.execute(
                "UPDATE mentor_profiles SET status = 'left', updated_at = ?"
                " WHERE guild_id = ? AND user_id = ? AND status != 'left'",
                (now, guild_id, user_id),
            )
            withdrawn, reroutes = await self.proposals.withdraw_as_mentor(guild_id, user_id, now)
            ended = await self.matches.close_all_of(
                guild_id, user_id, "mentor_left", now, as_mentor=True
            )
            fresh = await store.load_profile(self.db, guild_id, user_id)
        assert fresh is not None
        changed = profile.status != "left" or bool(withdrawn or ended)
        return LeaveOutcome(fresh, withdrawn, reroutes, ended, changed)

    # --- reading -----------------------------------------------------------------------------
    async def profile(self, guild_id: int, user_id: int) -> MentorProfile:
        """A mentor's public profile; NotFound if they are not (or no longer) a mentor."""
        profile = await store.load_profile(self.db, guild_id, user_id)
        if profile is None or profile.status == "left":
            raise NotFound(_("That member isn't a mentor here."))
        return profile

    async def lookup(self, guild_id: int, user_id: int) -> MentorProfile | None:
        """The member's mentor profile, whatever its status (a left one only to say they
        left: its details are not shown); None if they never offered to mentor here."""
        return await store.load_profile(self.db, guild_id, user_id)

    async def is_active_mentor(self, guild_id: int, user_id: int) -> bool:
        """An active (not paused, not left) mentor."""
        profile = await store.load_profile(self.db, guild_id, user_id)
        return profile is not None and profile.status == "active"

    async def free_places(self, guild_id: int, user_id: int) -> int:
        """capacity − active matches − pending proposals (0 for a non-mentor; a paused
        mentor keeps the number but gets no proposals)."""
        profile = await store.load_profile(self.db, guild_id, user_id)
        return 0 if profile is None or profile.status == "left" else profile.free_places

    async def with_free_places(
        self, guild_id: int, topic: str | None = None, page: int = 0, per_page: int = 10
    ) -> tuple[list[MentorProfile], int]:
        """Active mentors with free places (most free places first), one page, and the total."""
        where = "p.status = 'active'"
        params: list[Any] = []
        if topic is not None and topic.strip():
            name = await self.taxonomy.resolve_topic(guild_id, topic)
            where += (
                " AND EXISTS (SELECT 1 FROM mentor_topics x WHERE x.guild_id = p.guild_id"
                " AND x.user_id = p.user_id AND x.topic = ?)"
            )
            params.append(name)
        found = [
            p for p in await store.load_profiles(self.db, guild_id, where, params) if p.available
        ]
        found.sort(key=lambda p: (-p.free_places, p.created_at, p.user_id))
        per_page = max(1, min(MAX_PER_PAGE, per_page))
        start = max(0, page) * per_page
        return found[start : start + per_page], len(found)

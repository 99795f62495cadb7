"""What mentorship stores about a member, exported and deleted on request (/privacy;
bot/privacy.py gathers every feature's).

Deleting withdraws the member's proposals (requests they were proposed to mentor are
re-routed), ends their matches (the other side is told), then deletes their profile,
requests, check-ins and exclusions and takes their name and comment off their
feedback. Proposals and matches stay with the member's id blanked, so the guild's
counts and average rating do not change. It runs in the caller's transaction when
there is one (bot/privacy.py deletes every feature's data in one).
"""

from __future__ import annotations

from typing import Any

from bot import outbox
from bot.db import Database
from bot.mentorship import store
from bot.mentorship.matches import Matches
from bot.mentorship.messages import key
from bot.mentorship.models import Clock, DeletedMentorshipData
from bot.mentorship.proposals import Proposals


class MentorshipMemberData:
    def __init__(self, db: Database, proposals: Proposals, matches: Matches, clock: Clock) -> None:
        self.db = db
        self.proposals = proposals
        self.matches = matches
        self.clock = clock

    async def export(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything stored about the member in this guild, by table (see bot/privacy.py),
        each row with its key: profile and topics, requests, proposals and matches on
        either side, exclusions either way, check-ins and the feedback they gave."""
        rows = self.db.fetch_dicts
        args = (guild_id, user_id)
        either = "guild_id = ?1 AND (mentor_id = ?2 OR mentee_id = ?2)"
        return {
            "mentor_profiles": await rows(
                "SELECT guild_id, user_id, capacity, city, languages, levels, bio, status,"
                " created_at, updated_at FROM mentor_profiles WHERE guild_id = ? AND user_id = ?",
                args,
            ),
            "mentor_topics": await rows(
                "SELECT guild_id, user_id, topic, position FROM mentor_topics"
                " WHERE guild_id = ? AND user_id = ? ORDER BY position",
                args,
            ),
            "mentee_requests": await rows(
                "SELECT id, status, topics, goal, city, language, level, created_at, closed_at"
                " FROM mentee_requests WHERE guild_id = ? AND user_id = ? ORDER BY id",
                args,
            ),
            "mentorship_proposals": await rows(
                "SELECT id, mentor_id, mentee_id, status, mentor_answer, mentee_answer, reasons,"
                f" created_at, decided_at FROM mentorship_proposals WHERE {either} ORDER BY id",
                args,
            ),
            "mentorship_matches": await rows(
                "SELECT id, mentor_id, mentee_id, topics, status, started_at, ended_at,"
                " ended_by, end_reason FROM mentorship_matches"
                " WHERE guild_id = ?1 AND ?2 IN (mentor_id, mentee_id, ended_by) ORDER BY id",
                args,
            ),
            "mentorship_exclusions": await rows(
                "SELECT guild_id, mentee_id, mentor_id, reason, created_at"
                f" FROM mentorship_exclusions WHERE {either}",
                args,
            ),
            "mentorship_checkins": await rows(
                "SELECT c.match_id, c.user_id, c.answer, c.answered_at FROM mentorship_checkins c"
                " JOIN mentorship_matches m ON m.id = c.match_id"
                " WHERE m.guild_id = ? AND c.user_id = ?",
                args,
            ),
            "mentorship_feedback": await rows(
                "SELECT id, match_id, from_role, rating, comment, created_at"
                " FROM mentorship_feedback WHERE guild_id = ? AND from_id = ?",
                args,
            ),
        }

    async def delete(self, guild_id: int, user_id: int) -> DeletedMentorshipData:
        """Forget the member here (see the module doc)."""
        now = int(self.clock())
        async with self.db.transaction():
            await store.lock_guild(self.db, guild_id)
            # Out of the running first, so no request is re-routed back to them.
            profile_removed = await self.db.execute_rowcount(
                "UPDATE mentor_profiles SET status = 'left' WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            withdrawn = 0
            request = await store.open_request(self.db, guild_id, user_id)
            if request is not None:
                withdrawn += await self.proposals.withdraw_for_request(
                    request.id, "data_deleted", now
                )
            as_mentor, reroutes = await self.proposals.withdraw_as_mentor(guild_id, user_id, now)
            withdrawn += len(as_mentor)
            ended = await self.matches.close_all_of(guild_id, user_id, "data_deleted", now)
            # Messages still owed to them are moot now.
            theirs = await self.db.fetchall(
                "SELECT id FROM mentorship_proposals WHERE guild_id = ?1"
                " AND (mentor_id = ?2 OR mentee_id = ?2)",
                (guild_id, user_id),
            )
            for p in theirs:
                await outbox.drop(self.db, dedupe_prefix=key("proposal", p["id"], ""))
            requests_removed = await self.db.execute_rowcount(
                "DELETE FROM mentee_requests WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            await self._blank("mentorship_proposals", ("mentor_id", "mentee_id"), guild_id, user_id)
            await self._blank(
                "mentorship_matches", ("mentor_id", "mentee_id", "ended_by"), guild_id, user_id
            )
            checkins = await self.db.execute_rowcount(
                "DELETE FROM mentorship_checkins WHERE user_id = ? AND match_id IN"
                " (SELECT id FROM mentorship_matches WHERE guild_id = ?)",
                (user_id, guild_id),
            )
            feedback = await self.db.execute_rowcount(
                "UPDATE mentorship_feedback SET from_id = NULL, comment = NULL"
                " WHERE guild_id = ? AND from_id = ?",
                (guild_id, user_id),
            )
            exclusions = await self.db.execute_rowcount(
                "DELETE FROM mentorship_exclusions WHERE guild_id = ?1"
                " AND (mentee_id = ?2 OR mentor_id = ?2)",
                (guild_id, user_id),
            )
            await self.db.execute(
                "DELETE FROM mentor_profiles WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        return DeletedMentorshipData(
            profile_removed=profile_removed > 0,
            requests_removed=requests_removed,
            proposals_withdrawn=withdrawn,
            reroutes=reroutes,
            matches_ended=len(ended),
            feedback_anonymised=feedback,
            checkins_removed=checkins,
            exclusions_removed=exclusions,
        )

    async def _blank(
        self, table: str, columns: tuple[str, ...], guild_id: int, user_id: int
    ) -> None:
        # Fixed table and column names, never member input.
        for column in columns:
            await self.db.execute(
                f"UPDATE {table} SET {column} = NULL WHERE guild_id = ? AND {column} = ?",
                (guild_id, user_id),
            )

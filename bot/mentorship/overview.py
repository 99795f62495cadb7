"""What members and organizers read about mentorship as a whole: a member's own
profile, requests, proposals and matches (`status`, an ephemeral reply), and the
guild's numbers for organizers (`stats`, which names no member).
"""

from __future__ import annotations

import statistics

from bot.db import Database
from bot.mentorship import store
from bot.mentorship.models import Clock, MemberStatus, MentorshipStats

STATUS_LIMIT = 10  # of each kind, newest first


class Overview:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def status(self, guild_id: int, user_id: int) -> MemberStatus:
        """The member's own profile, requests, proposals and matches."""
        profile = await store.load_profile(self.db, guild_id, user_id)
        requests = await self.db.fetchall(
            f"SELECT {store.REQUEST_COLUMNS} FROM mentee_requests WHERE guild_id = ?"
            " AND user_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, user_id, STATUS_LIMIT),
        )
        proposals = await self.db.fetchall(
            f"SELECT {store.PROPOSAL_COLUMNS} FROM mentorship_proposals WHERE guild_id = ?1"
            " AND (mentor_id = ?2 OR mentee_id = ?2) ORDER BY status = 'pending' DESC, id DESC"
            " LIMIT ?3",
            (guild_id, user_id, STATUS_LIMIT),
        )
        matches = await self.db.fetchall(
            f"SELECT {store.MATCH_COLUMNS} FROM mentorship_matches WHERE guild_id = ?1"
            " AND (mentor_id = ?2 OR mentee_id = ?2) ORDER BY status = 'active' DESC, id DESC"
            " LIMIT ?3",
            (guild_id, user_id, STATUS_LIMIT),
        )
        return MemberStatus(
            profile,
            tuple(store.request_of(r) for r in requests),
            tuple(store.proposal_of(r) for r in proposals),
            tuple(store.match_of(r) for r in matches),
        )

    async def stats(self, guild_id: int) -> MentorshipStats:
        """Organizers: the guild's numbers (no member is named)."""
        now = int(self.clock())
        mentors = await store.load_profiles(self.db, guild_id, "p.status IN ('active', 'paused')")
        active = [p for p in mentors if p.status == "active"]
        waits = [
            (now - r["created_at"]) / 86400
            for r in await self.db.fetchall(
                "SELECT created_at FROM mentee_requests WHERE guild_id = ?"
                f" AND status IN {store.OPEN}",
                (guild_id,),
            )
        ]
        proposals = await self._count_by_status("mentorship_proposals", guild_id)
        matches = await self._count_by_status("mentorship_matches", guild_id)
        feedback = await self.db.fetchone(
            "SELECT COUNT(*) AS n, AVG(rating) AS avg FROM mentorship_feedback WHERE guild_id = ?",
            (guild_id,),
        )
        assert feedback is not None
        return MentorshipStats(
            active_mentors=len(active),
            paused_mentors=len(mentors) - len(active),
            places_total=sum(p.capacity for p in active),
            places_used=sum(p.active_mentees for p in active),
            places_held=sum(p.pending_proposals for p in active),
            places_free=sum(p.free_places for p in active),
            open_requests=len(waits),
            median_wait_days=max(0.0, statistics.median(waits)) if waits else None,
            proposals_pending=proposals.get("pending", 0),
            proposals_accepted=proposals.get("accepted", 0),
            proposals_declined=proposals.get("declined", 0),
            proposals_expired=proposals.get("expired", 0),
            proposals_withdrawn=proposals.get("withdrawn", 0),
            active_matches=matches.get("active", 0),
            ended_matches=matches.get("ended", 0),
            feedback_count=feedback["n"],
            average_rating=None if feedback["avg"] is None else float(feedback["avg"]),
        )

    async def _count_by_status(self, table: str, guild_id: int) -> dict[str, int]:
        # `table` is one of two fixed names, never member input.
        rows = await self.db.fetchall(
            f"SELECT status, COUNT(*) AS n FROM {table} WHERE guild_id = ? GROUP BY status",
            (guild_id,),
        )
        return {r["status"]: r["n"] for r in rows}

"""Feedback on an ended match: each side rates it 1–5 once, with an optional comment.

Comments are private: organizers see only the count and the average rating
(bot/mentorship/overview.py); deleting a member's data keeps their rating, without
their name or comment, so the guild's numbers do not change.
"""

from __future__ import annotations

from bot.db import Database
from bot.errors import AlreadyExists, NotAllowed, NotFound
from bot.i18n import _
from bot.mentorship import inputs, store
from bot.mentorship.matches import NOT_YOURS
from bot.mentorship.models import Clock, Feedback


class MatchFeedback:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def give(
        self, match_id: int, user_id: int, rating: int, comment: str | None = None
    ) -> Feedback:
        """A side rates an ended match 1–5 (optional comment ≤ 1000), once per side."""
        inputs.check_rating(rating)
        text = inputs.clean_comment(comment)
        now = int(self.clock())
        async with self.db.transaction():
            match = await store.load_match(self.db, match_id, lock=True)  # once per side
            if match is None:
                raise NotFound(_("That mentorship no longer exists."))
            role = match.role_of(user_id)
            if role is None:
                raise NotAllowed(_(NOT_YOURS))
            if match.active:
                raise NotAllowed(
                    _("Feedback is for a mentorship that has ended; use /mentorship end first.")
                )
            if await self._given_by(match_id, role):
                raise AlreadyExists(_("You have already given feedback on this mentorship."))
            feedback_id = await self.db.insert(
                "INSERT INTO mentorship_feedback(guild_id, match_id, from_id, from_role, rating,"
                " comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (match.guild_id, match_id, user_id, role, rating, text, now),
            )
        return Feedback(feedback_id, match_id, role, rating, text, now)

    async def given(self, match_id: int, user_id: int) -> bool:
        """Whether this side has rated the match (the cog skips the form if so)."""
        match = await store.load_match(self.db, match_id)
        role = None if match is None else match.role_of(user_id)
        return role is not None and await self._given_by(match_id, role)

    async def _given_by(self, match_id: int, role: str) -> bool:
        return bool(
            await self.db.fetchone(
                "SELECT 1 FROM mentorship_feedback WHERE match_id = ? AND from_role = ?",
                (match_id, role),
            )
        )

"""The 14-day check-in of a match: both sides are asked how it is going, and their
answers are recorded.

The check-in is a timer: `owed()` lists every active match whose check-in is still to
be sent, with its time, one job each (cogs/mentorship/_timers.py), and `send(id)` is
what that job calls. A "not met" or "need help" answer owes the organizers a notice in
their own channel (bot/organizer_notices.py), never a public one: the match id and the
answer only.
"""

from __future__ import annotations

from bot import organizer_notices
from bot.db import Database
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_, _
from bot.mentorship import store
from bot.mentorship.matches import NOT_YOURS, sides
from bot.mentorship.messages import CheckinMessage, key, owe_dm
from bot.mentorship.models import CHECKIN_ANSWERS, CheckinAnswer, CheckinOutcome, Clock, Due

# The organizers' notice for an answer that needs them (rendered in the server's language).
ALERT = {
    "not_met": N_(
        "A member of mentorship #{match_id} says they haven't met yet (check-in). "
        "`/mentorship stats` has the overview."
    ),
    "need_help": N_(
        "A member of mentorship #{match_id} says they'd like some help (check-in). "
        "`/mentorship stats` has the overview."
    ),
}


class Checkins:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def owed(self, guild_id: int | None = None) -> list[Due]:
        """Every active match whose check-in is not sent yet (all guilds, or one)."""
        scope = "" if guild_id is None else " AND guild_id = ?"
        rows = await self.db.fetchall(
            "SELECT id, guild_id, checkin_due_at FROM mentorship_matches WHERE status = 'active'"
            f" AND checkin_sent_at IS NULL{scope} ORDER BY checkin_due_at, id",
            () if guild_id is None else (guild_id,),
        )
        return [Due(r["id"], r["guild_id"], r["checkin_due_at"]) for r in rows]

    async def send(self, match_id: int, now: float | None = None) -> bool | Due:
        """The check-in job of a match. True: the check-in DM is owed to both sides now
        (and recorded). A Due: not due yet (fire again then). False: nothing to do (sent
        already, or the match ended), so a job that fires twice changes nothing."""
        at = int(self.clock() if now is None else now)
        async with self.db.transaction():
            # Locked: two processes' jobs for one match send it once.
            match = await store.load_match(self.db, match_id, lock=True)
            if match is None or not match.active or match.checkin_sent_at is not None:
                return False
            if match.checkin_due_at > at:
                return Due(match.id, match.guild_id, match.checkin_due_at)
            await self.db.execute(
                "UPDATE mentorship_matches SET checkin_sent_at = ? WHERE id = ?", (at, match_id)
            )
            for role, user in sides(match):
                await owe_dm(
                    self.db,
                    CheckinMessage(match_id, role),
                    guild_id=match.guild_id,
                    user_id=user,
                    dedupe_key=key("checkin", match_id, user),
                    now=at,
                )
        return True

    async def record(self, match_id: int, user_id: int, answer: str) -> CheckinOutcome:
        """A side's check-in answer: going_well, not_met or need_help. The last two owe the
        organizers a notice in their own channel (match id and answer only)."""
        value = answer.strip().casefold().replace(" ", "_").replace("-", "_")
        if value not in CHECKIN_ANSWERS:
            raise InvalidInput(_("A check-in answer is going_well, not_met or need_help."))
        checked: CheckinAnswer = value  # narrowed by the check above
        now = int(self.clock())
        async with self.db.transaction():
            match = await store.load_match(self.db, match_id)
            if match is None:
                raise NotFound(_("That mentorship no longer exists."))
            if match.role_of(user_id) is None:
                raise NotAllowed(_(NOT_YOURS))
            if not match.active:
                raise NotAllowed(
                    _("This mentorship has ended, so there is nothing to check in on.")
                )
            old = await self.db.fetchval(
                "SELECT answer FROM mentorship_checkins WHERE match_id = ? AND user_id = ?",
                (match_id, user_id),
            )
            if old == checked:
                return CheckinOutcome(match, checked, False, False)
            await self.db.execute(
                "INSERT INTO mentorship_checkins(match_id, user_id, answer, answered_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(match_id, user_id) DO UPDATE SET"
                " answer = excluded.answer, answered_at = excluded.answered_at",
                (match_id, user_id, checked, now),
            )
            alerted = False
            if checked in ALERT:
                alerted = await organizer_notices.notify(
                    self.db,
                    match.guild_id,
                    ALERT[checked],
                    params={"match_id": match_id},
                    dedupe_key=key("checkin_alert", match_id, checked),
                    now=now,
                )
        return CheckinOutcome(match, checked, True, alerted)

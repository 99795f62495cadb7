"""A member left the server: take them out of mentorship at once.

Without this a mentor who left kept getting proposals that could only expire after 72
hours, holding the mentee in the queue meanwhile, and a mentee who left kept a mentor's
place. Now, in one transaction:

- as a mentor, their profile leaves matching (status 'left'; `/mentor join` brings it
  back), each pending proposal to them is withdrawn and its request re-routed to the
  next-best mentor now (a withdrawal excludes nobody), and their mentorships end, each
  mentee told;
- as a mentee, their open request is cancelled, a pending proposal for it withdrawn
  (the mentor told, if they had seen it), and their mentorships end, each mentor told.

Their data stays (leaving is not deleting: `/privacy delete` from a DM does that). A
second call finds nothing to do, so a repeated gateway event changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import Database
from bot.mentorship import store
from bot.mentorship.matches import Matches
from bot.mentorship.models import Clock, EndReason, Match, Reroute
from bot.mentorship.proposals import Proposals
from bot.mentorship.requests import MenteeRequests

NOTICE = "member_left"  # the reason the other side is told


@dataclass(frozen=True)
class Departure:
    left_matching: bool  # an active or paused mentor profile went to 'left'
    withdrawn: tuple[int, ...]  # pending proposal ids withdrawn (either side)
    reroutes: tuple[Reroute, ...]  # requests that waited on the mentor, sent on at once
    request_cancelled: int | None  # their open request, if they had one
    ended: tuple[Match, ...]  # their active mentorships, now ended

    @property
    def changed(self) -> bool:
        return bool(self.left_matching or self.withdrawn or self.request_cancelled or self.ended)


class Departures:
    def __init__(
        self,
        db: Database,
        requests: MenteeRequests,
        proposals: Proposals,
        matches: Matches,
        clock: Clock,
    ) -> None:
        self.db = db
        self.requests = requests
        self.proposals = proposals
        self.matches = matches
        self.clock = clock

    async def member_left(self, guild_id: int, user_id: int) -> Departure:
        """Take a member who left the server out of mentorship (see the module doc)."""
        db = self.db
        now = int(self.clock())
        async with db.transaction():
            await store.lock_guild(db, guild_id)
            # Out of matching first, so no request is re-routed back to them.
            left = await db.execute_rowcount(
                "UPDATE mentor_profiles SET status = 'left', updated_at = ?"
                " WHERE guild_id = ? AND user_id = ? AND status != 'left'",
                (now, guild_id, user_id),
            )
            as_mentor, reroutes = await self.proposals.withdraw_as_mentor(guild_id, user_id, now)
            withdrawn = list(as_mentor)
            request = await store.open_request(db, guild_id, user_id)
            if request is not None:
                pending = await store.proposals(
                    db, "request_id = ? AND status = 'pending'", (request.id,)
                )
                await self.proposals.withdraw_for_request(request.id, NOTICE, now)
                withdrawn.extend(p.id for p in pending)
                await self.requests.close(request.id, "cancelled", now)
            ended = []
            for match in await store.active_matches_of(db, guild_id, user_id):
                reason: EndReason = "mentor_left" if match.mentor_id == user_id else "ended"
                ended.append(await self.matches.close(match, user_id, reason, now, notice=NOTICE))
        return Departure(
            left_matching=left > 0,
            withdrawn=tuple(withdrawn),
            reroutes=reroutes,
            request_cancelled=None if request is None else request.id,
            ended=tuple(ended),
        )

"""What mentorship owes members by DM, one typed payload per outbox kind (bot/kinds.py).

Payloads carry ids, roles and reasons only: the renderer (cogs/mentorship/_notify.py)
reads the rest for the member the DM is for, so a request's goal never sits in the
outbox. Field names are the JSON keys rows were written with before payloads were
typed, so a row queued by an older version still decodes.

Every message is owed inside the transaction of its cause, with a dedupe key
`mentorship:<what>:<id>[:<side>]` (`key`), so a repeated decision owes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import outbox
from bot.db import Database
from bot.kinds import Kind, Payload, payload
from bot.mentorship.models import Role


@payload(Kind.MENTORSHIP_PROPOSAL)
@dataclass(frozen=True)
class ProposalMessage(Payload):
    """To each side of a new proposal: Accept or Decline (`role`: who it is for)."""

    proposal_id: int
    role: Role


@payload(Kind.MENTORSHIP_REROUTED)
@dataclass(frozen=True)
class ReroutedMessage(Payload):
    """To the mentee: their proposal closed (`reason`) and went to the next-best mentor."""

    request_id: int
    previous_proposal_id: int
    reason: str  # declined | expired | withdrawn
    proposal_id: int


@payload(Kind.MENTORSHIP_NO_MENTOR)
@dataclass(frozen=True)
class NoMentorMessage(Payload):
    """To the mentee: their proposal closed and nobody else fits; back to waiting."""

    request_id: int
    previous_proposal_id: int
    reason: str


@payload(Kind.MENTORSHIP_DECLINED)
@dataclass(frozen=True)
class DeclinedMessage(Payload):
    """To the mentor: the mentee declined (their place is free again)."""

    proposal_id: int


@payload(Kind.MENTORSHIP_EXPIRED)
@dataclass(frozen=True)
class ExpiredMessage(Payload):
    """To the mentor: 72 hours passed without both answers."""

    proposal_id: int


@payload(Kind.MENTORSHIP_WITHDRAWN)
@dataclass(frozen=True)
class WithdrawnMessage(Payload):
    """To the mentor who saw a proposal: it was withdrawn (`reason`: cancelled,
    member_left, data_deleted)."""

    proposal_id: int
    reason: str


@payload(Kind.MENTORSHIP_MATCHED)
@dataclass(frozen=True)
class MatchedMessage(Payload):
    """To each side: the introduction, when there is no private thread for it."""

    match_id: int
    role: Role


@payload(Kind.MENTORSHIP_ENDED)
@dataclass(frozen=True)
class EndedMessage(Payload):
    """To the side that did not end the match (`reason`: ended, mentor_left,
    data_deleted, member_left)."""

    match_id: int
    role: Role
    reason: str


@payload(Kind.MENTORSHIP_CHECKIN)
@dataclass(frozen=True)
class CheckinMessage(Payload):
    """To each side, 14 days into a match: how is it going?"""

    match_id: int
    role: Role


def key(*parts: object) -> str:
    """The dedupe key of a mentorship message: `mentorship:proposal:12:mentor`."""
    return ":".join(["mentorship", *map(str, parts)])


async def owe_dm(
    db: Database,
    message: Payload,
    *,
    guild_id: int,
    user_id: int | None,
    dedupe_key: str,
    now: int,
) -> bool:
    """Owe `message` to a member now (inside the caller's transaction). False if it was
    owed already, or the member's data was deleted (`user_id` None)."""
    if user_id is None:
        return False
    return await outbox.enqueue(
        db, message, guild_id=guild_id, user_id=user_id, due_at=now, dedupe_key=dedupe_key
    )

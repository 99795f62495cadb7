"""A member who leaves the server is taken out of mentorship at once: a mentor's pending
proposals are re-routed now (not after 72 hours), a mentee's request closes and the
mentor is told; mentorships end with the other side told."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from bot.db import Database
from bot.guilds import GuildSettings
from bot.mentorship import MentorshipService
from bot.taxonomy import Taxonomy

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 610
A, B = 1, 2  # mentors: A fits M1 best, B is next
M1, M2 = 11, 12


@pytest.fixture
def ms(db: Database, guilds: GuildSettings, clock: FakeClock) -> MentorshipService:
    return MentorshipService(db, guilds, Taxonomy(db, clock), clock=clock)


async def owed(db: Database, kind: str) -> list[dict[str, Any]]:
    rows = await db.fetchall(
        "SELECT user_id, payload FROM outbox WHERE kind = ? AND status = 'pending' ORDER BY id",
        (kind,),
    )
    return [{"user_id": r["user_id"], **json.loads(r["payload"])} for r in rows]


async def next_timer_at(ms: MentorshipService) -> int | None:
    """The earliest time a timer job fires: a pending expiry or an owed check-in."""
    rows = [*await ms.proposals.expiries(), *await ms.checkins.owed()]
    return min((due.at for due in rows), default=None)


async def setup_pair(ms: MentorshipService) -> int:
    """A and B mentor NLP; M1 asks; the round proposes A. Returns the proposal id."""
    await ms.mentors.join(G, A, topics="NLP", capacity=1, city="Islamabad", languages="Urdu")
    await ms.mentors.join(G, B, topics="NLP", capacity=1)
    await ms.requests.ask(
        G, M1, topics="NLP", city="Islamabad", language="Urdu", goal="Secret goal"
    )
    summary = await ms.rounds.run(G)
    (pid,) = summary.proposal_ids
    assert (await ms.proposals.get(pid)).mentor_id == A
    return pid


async def test_a_mentor_who_leaves_is_rerouted_at_once_not_after_72_hours(
    ms: MentorshipService, db: Database
) -> None:
    pid = await setup_pair(ms)
    gone = await ms.departures.member_left(G, A)
    assert gone.changed and gone.left_matching and gone.withdrawn == (pid,)
    (reroute,) = gone.reroutes
    assert reroute.reason == "withdrawn" and reroute.proposal is not None
    assert reroute.proposal.mentor_id == B and reroute.proposal.status == "pending"
    assert (await ms.proposals.get(pid)).status == "withdrawn"
    assert [d["user_id"] for d in await owed(db, "mentorship.rerouted")] == [M1]
    # the proposal DMs to A not yet sent are dropped; nothing is owed to A
    assert (
        await db.fetchval(
            "SELECT COUNT(*) FROM outbox WHERE user_id = ? AND status = 'pending'", (A,)
        )
        == 0
    )
    # out of matching: no proposal for A in the next round, and no exclusion was made
    await ms.requests.ask(G, M2, topics="NLP")
    assert (await ms.rounds.run(G)).matched == 0  # B is taken, A is gone
    assert await db.fetchval("SELECT COUNT(*) FROM mentorship_exclusions") == 0
    assert (await ms.overview.status(G, A)).profile.status == "left"  # type: ignore[union-attr]
    again = await ms.departures.member_left(G, A)
    assert not again.changed


async def test_a_mentor_who_leaves_ends_their_mentorships_and_the_mentee_is_told(
    ms: MentorshipService, db: Database
) -> None:
    pid = await setup_pair(ms)
    await ms.proposals.answer(pid, A, True)
    match = (await ms.proposals.answer(pid, M1, True)).match
    assert match is not None
    gone = await ms.departures.member_left(G, A)
    (ended,) = gone.ended
    assert (ended.id, ended.status, ended.end_reason) == (match.id, "ended", "mentor_left")
    told = await owed(db, "mentorship.ended")
    assert [(d["user_id"], d["reason"]) for d in told] == [(M1, "member_left")]
    # M1 may ask again for the same topic at once
    assert (await ms.requests.ask(G, M1, topics="NLP")).request.status == "open"


async def test_a_mentee_who_leaves_has_the_request_closed_and_the_mentor_told(
    ms: MentorshipService, db: Database
) -> None:
    pid = await setup_pair(ms)
    await db.execute("UPDATE outbox SET status = 'sent'")  # A saw the proposal
    gone = await ms.departures.member_left(G, M1)
    assert gone.changed and not gone.left_matching and gone.reroutes == ()
    assert gone.withdrawn == (pid,) and gone.request_cancelled is not None
    assert await ms.requests.open_request(G, M1) is None
    assert (await ms.proposals.get(pid)).status == "withdrawn"
    told = await owed(db, "mentorship.withdrawn")
    assert [(d["user_id"], d["proposal_id"], d["reason"]) for d in told] == [
        (A, pid, "member_left")
    ]
    assert (await ms.mentors.profile(G, A)).free_places == 1  # A's place is free again
    assert await next_timer_at(ms) is None  # no expiry left to wait for


async def test_a_mentee_who_leaves_ends_their_mentorships_and_frees_the_place(
    ms: MentorshipService, db: Database
) -> None:
    pid = await setup_pair(ms)
    await ms.proposals.answer(pid, A, True)
    match = (await ms.proposals.answer(pid, M1, True)).match
    assert match is not None and (await ms.mentors.profile(G, A)).free_places == 0
    gone = await ms.departures.member_left(G, M1)
    assert [m.id for m in gone.ended] == [match.id]
    assert (await ms.matches.get(match.id)).status == "ended"
    told = await owed(db, "mentorship.ended")
    assert [(d["user_id"], d["reason"]) for d in told] == [(A, "member_left")]
    assert (await ms.mentors.profile(G, A)).free_places == 1


async def test_someone_with_nothing_in_mentorship_leaves(ms: MentorshipService) -> None:
    await setup_pair(ms)
    before = await ms.overview.stats(G)
    assert not (await ms.departures.member_left(G, 999)).changed
    assert await ms.overview.stats(G) == before

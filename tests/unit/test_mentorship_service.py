"""The flow after profiles: rounds, answers, re-routing, expiry, capacity, leave,
check-ins, ending and feedback, stats, timers and schedules, and deleting a member."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from bot import organizer_notices
from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput, NotAllowed, NotFound
from bot.guilds import GuildSettings
from bot.mentorship import MentorshipService, matching
from bot.mentorship.models import CHECKIN_AFTER, PROPOSAL_TTL, Due, ExpiryOutcome
from bot.taxonomy import Taxonomy

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 600
ANNOUNCE = 6999
ORGANIZERS = 6997
THREADS = 6998
A, B, C = 1, 2, 3  # mentors
M1, M2, M3, M4 = 11, 12, 13, 14  # mentees
GOAL = "Ship a private Urdu chatbot for my startup"
HOUR = 3600
DAY = 86400


@pytest.fixture
def ms(db: Database, guilds: GuildSettings, clock: FakeClock) -> MentorshipService:
    return MentorshipService(db, guilds, Taxonomy(db, clock), clock=clock)


async def owed(db: Database, kind: str | None = None) -> list[dict[str, Any]]:
    rows = await db.fetchall(
        "SELECT kind, user_id, channel_id, payload, dedupe_key, status FROM outbox"
        + (" WHERE kind = ?" if kind else "")
        + " ORDER BY id",
        (kind,) if kind else (),
    )
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]


async def mentors_ab(ms: MentorshipService) -> None:
    """A fits an Urdu-speaking Islamabad NLP mentee best; B is next-best; C knows MLOps."""
    await ms.mentors.join(
        G, A, topics="NLP", capacity=1, city="Islamabad", languages="Urdu, English"
    )
    await ms.mentors.join(G, B, topics="NLP", capacity=1, city="Lahore", languages="English")
    await ms.mentors.join(G, C, topics="MLOps", capacity=2)


async def ask(ms: MentorshipService, user: int = M1, topics: str = "NLP") -> int:
    asked = await ms.requests.ask(
        G, user, topics=topics, goal=GOAL, city="Islamabad", language="Urdu", level="beginner"
    )
    return asked.request.id


# The timers (cogs/mentorship/_timers.py) arm one job per row that waits for a time (a
# pending proposal's expiry, a match's check-in) and fire it then; these helpers do what
# those jobs do once the clock has reached them.
async def next_timer_at(ms: MentorshipService, guild_id: int | None = None) -> int | None:
    """The earliest time a timer job fires (None: nothing waits)."""
    rows = [*await ms.proposals.expiries(guild_id), *await ms.checkins.owed(guild_id)]
    return min((due.at for due in rows), default=None)


async def due_now(ms: MentorshipService, rows: list[Due]) -> list[Due]:
    return [due for due in rows if due.at <= ms.clock()]


async def expire_due(ms: MentorshipService) -> list[ExpiryOutcome]:
    """Fire the expiry jobs whose time has come; what they expired."""
    expired = []
    for due in await due_now(ms, await ms.proposals.expiries()):
        outcome = await ms.proposals.expire(due.id)
        if isinstance(outcome, ExpiryOutcome):
            expired.append(outcome)
    return expired


async def due_checkins(ms: MentorshipService) -> list[Due]:
    return await due_now(ms, await ms.checkins.owed())


@dataclass(frozen=True)
class TimerRun:
    expired: tuple[ExpiryOutcome, ...]
    checkins: tuple[int, ...]  # match ids whose check-in DMs were owed now
    next_at: int | None  # when the next job fires


async def run_timers(ms: MentorshipService) -> TimerRun:
    """Fire every job whose time has come, expiries then check-ins."""
    expired = await expire_due(ms)
    sent = [due.id for due in await due_checkins(ms) if await ms.checkins.send(due.id) is True]
    return TimerRun(tuple(expired), tuple(sent), await next_timer_at(ms))


async def only_proposal(ms: MentorshipService) -> int:
    summary = await ms.rounds.run(G)
    assert summary.matched == 1, summary
    return summary.proposal_ids[0]


# --- rounds --------------------------------------------------------------------------------


async def test_round_proposes_best_pairs_and_owes_dms_to_both(
    ms: MentorshipService, db: Database, clock: FakeClock
) -> None:
    await mentors_ab(ms)
    request_id = await ask(ms)
    summary = await ms.rounds.run(G)
    assert (summary.matched, summary.requests, summary.mentors) == (1, 1, 3)
    assert summary.trigger == "manual" and summary.unmatched == ()
    proposal = await ms.proposals.get(summary.proposal_ids[0])
    assert (proposal.mentor_id, proposal.mentee_id, proposal.request_id) == (A, M1, request_id)
    assert proposal.status == "pending" and proposal.origin == "round"
    assert proposal.expires_at == int(clock.now) + PROPOSAL_TTL
    assert proposal.reasons[0] == "shared topic: NLP"
    assert "same city: Islamabad" in proposal.reasons
    expected = matching.score(
        matching.Mentor(A, frozenset({"NLP"}), 1, "Islamabad", frozenset({"Urdu", "English"})),
        matching.Request(request_id, M1, frozenset({"NLP"}), "Islamabad", "Urdu", "beginner"),
    )
    assert expected is not None and proposal.score == expected[0]
    assert (await ms.requests.open_request(G, M1)).status == "proposed"  # type: ignore[union-attr]
    dms = await owed(db, "mentorship.proposal")
    assert [(d["user_id"], d["payload"], d["dedupe_key"]) for d in dms] == [
        (
            A,
            {"proposal_id": proposal.id, "role": "mentor"},
            f"mentorship:proposal:{proposal.id}:mentor",
        ),
        (
            M1,
            {"proposal_id": proposal.id, "role": "mentee"},
            f"mentorship:proposal:{proposal.id}:mentee",
        ),
    ]
    assert (await ms.config.settings(G)).last_round_at == int(clock.now)
    # A proposed request is not proposed again by the next round.
    again = await ms.rounds.run(G)
    assert (again.matched, again.requests) == (0, 0)


async def test_round_respects_capacity_and_pending_holds_a_place(
    ms: MentorshipService,
) -> None:
    await ms.mentors.join(G, A, topics="NLP", capacity=2)
    for user in (M1, M2, M3):
        await ask(ms, user)
    first = await ms.rounds.run(G)
    assert first.matched == 2
    assert first.reasons == {matching.NO_FREE_PLACES: 1}
    assert (await ms.mentors.profile(G, A)).free_places == 0  # two pending proposals hold both
    assert await ms.mentors.free_places(G, A) == 0
    second = await ms.rounds.run(G)
    assert second.matched == 0 and second.reasons == {matching.NO_FREE_PLACES: 1}
    stats = await ms.overview.stats(G)
    assert (stats.places_total, stats.places_held, stats.places_free) == (2, 2, 0)


async def test_round_reasons_and_self_is_never_matched(ms: MentorshipService) -> None:
    await ms.mentors.join(G, A, topics="NLP", capacity=3)
    await ms.requests.ask(G, A, topics="NLP")  # a mentor asking in their own topic
    await ms.requests.ask(G, M1, topics="MLOps")  # nobody knows MLOps
    summary = await ms.rounds.run(G)
    assert summary.matched == 0
    assert {u.user_id: u.reason for u in summary.unmatched} == {
        A: matching.ONLY_EXCLUDED,
        M1: matching.NO_SHARED_TOPIC,
    }
    assert summary.reasons == {matching.ONLY_EXCLUDED: 1, matching.NO_SHARED_TOPIC: 1}
    # A second NLP mentor can take A's request.
    await ms.mentors.join(G, B, topics="NLP", capacity=1)
    again = await ms.rounds.run(G)
    assert again.matched == 1
    assert (await ms.proposals.get(again.proposal_ids[0])).mentor_id == B


async def test_paused_and_left_mentors_get_no_proposals(ms: MentorshipService) -> None:
    await ms.mentors.join(G, A, topics="NLP", capacity=1)
    await ms.mentors.join(G, B, topics="NLP", capacity=1)
    await ms.mentors.pause(G, A)
    await ms.mentors.leave(G, B)
    await ask(ms)
    summary = await ms.rounds.run(G)
    assert summary.matched == 0 and summary.mentors == 0
    assert summary.reasons == {matching.NO_SHARED_TOPIC: 1}
    await ms.mentors.resume(G, A)
    assert (await ms.rounds.run(G)).matched == 1


# --- answers -------------------------------------------------------------------------------


async def test_accept_by_both_makes_the_match(
    ms: MentorshipService, db: Database, clock: FakeClock
) -> None:
    await mentors_ab(ms)
    request_id = await ask(ms)
    pid = await only_proposal(ms)
    clock.advance(HOUR)
    first = await ms.proposals.answer(pid, A, True)
    assert (first.result, first.role, first.match) == ("accepted", "mentor", None)
    assert first.proposal.mentor_answer == "accepted" and first.proposal.status == "pending"
    clock.advance(HOUR)
    second = await ms.proposals.answer(pid, M1, True)
    assert second.result == "matched" and second.changed
    match = second.match
    assert match is not None
    assert (match.mentor_id, match.mentee_id, match.request_id, match.proposal_id) == (
        A,
        M1,
        request_id,
        pid,
    )
    assert match.topics == ("NLP",) and match.status == "active"
    assert match.started_at == int(clock.now)
    assert match.checkin_due_at == int(clock.now) + CHECKIN_AFTER
    assert second.proposal.status == "accepted"
    assert (await ms.requests.open_request(G, M1)) is None
    assert (await ms.overview.status(G, M1)).requests[0].status == "matched"
    # No thread channel: the intro goes to both by DM, once.
    intro = await owed(db, "mentorship.matched")
    assert [(d["user_id"], d["payload"]) for d in intro] == [
        (A, {"match_id": match.id, "role": "mentor"}),
        (M1, {"match_id": match.id, "role": "mentee"}),
    ]
    assert await ms.matches.missing_intro(G) == []
    # The place stays used by the match.
    assert (await ms.mentors.profile(G, A)).free_places == 0
    assert [m.id for m in await ms.matches.active(G, A)] == [match.id]
    assert [m.id for m in await ms.matches.active(G, M1)] == [match.id]
    view = await ms.matches.view(match.id, viewer_id=M1)
    assert view.request is not None and view.request.goal == GOAL
    assert "NLP" in view.first_step
    with pytest.raises(NotAllowed):
        await ms.matches.view(match.id, viewer_id=B)


async def test_with_a_thread_channel_the_cog_makes_the_thread(
    ms: MentorshipService, db: Database
) -> None:
    await ms.config.set_channel(G, THREADS)
    await mentors_ab(ms)
    await ask(ms)
    pid = await only_proposal(ms)
    await ms.proposals.answer(pid, M1, True)
    outcome = await ms.proposals.answer(pid, A, True)
    assert outcome.match is not None
    assert await owed(db, "mentorship.matched") == []
    assert [m.id for m in await ms.matches.missing_intro()] == [outcome.match.id]
    await ms.threads.record_thread(outcome.match.id, 424242)
    await ms.threads.record_intro(outcome.match.id)
    threaded = await ms.matches.get(outcome.match.id)
    assert threaded.thread_id == 424242 and threaded.intro_sent_at is not None
    assert await ms.matches.missing_intro() == []
    # The fallback when the thread cannot be made: DMs, owed once.
    assert await ms.matches.intro_by_dm(outcome.match.id) is True
    assert await ms.matches.intro_by_dm(outcome.match.id) is False
    assert len(await owed(db, "mentorship.matched")) == 2


async def test_answers_are_idempotent(ms: MentorshipService, db: Database) -> None:
    await mentors_ab(ms)
    await ask(ms)
    pid = await only_proposal(ms)
    await ms.proposals.answer(pid, A, True)
    before = await owed(db)
    repeat = await ms.proposals.answer(pid, A, True)
    assert repeat.result == "unchanged" and not repeat.changed
    matched = await ms.proposals.answer(pid, M1, True)
    again = await ms.proposals.answer(pid, M1, True)
    assert again.result == "unchanged" and again.match == matched.match
    assert len(await owed(db)) == len(before) + 2  # the two intro DMs, once
    with pytest.raises(NotAllowed, match="/mentorship end"):
        await ms.proposals.answer(pid, A, False)


async def test_mentor_decline_excludes_and_reroutes_at_once(
    ms: MentorshipService, db: Database
) -> None:
    await mentors_ab(ms)
    request_id = await ask(ms)
    pid = await only_proposal(ms)
    outcome = await ms.proposals.answer(pid, A, False)
    assert outcome.result == "declined" and outcome.proposal.status == "declined"
    assert outcome.proposal.mentor_answer == "declined"
    reroute = outcome.reroute
    assert reroute is not None and reroute.reason == "declined"
    assert reroute.proposal is not None
    new = reroute.proposal
    assert (new.mentor_id, new.mentee_id, new.request_id) == (B, M1, request_id)
    assert new.origin == "reroute" and new.status == "pending"
    assert (await ms.mentors.profile(G, A)).free_places == 1  # the declined place is free again
    rerouted = await owed(db, "mentorship.rerouted")
    assert [(d["user_id"], d["payload"]) for d in rerouted] == [
        (
            M1,
            {
                "request_id": request_id,
                "previous_proposal_id": pid,
                "reason": "declined",
                "proposal_id": new.id,
            },
        )
    ]
    assert [d["user_id"] for d in await owed(db, "mentorship.proposal")][-2:] == [B, M1]
    # The mentor declined: the mentee hears it through the re-route, not a second DM.
    assert await owed(db, "mentorship.declined") == []
    # Declining twice changes nothing; the other side can no longer answer.
    assert (await ms.proposals.answer(pid, A, False)).result == "unchanged"
    with pytest.raises(NotAllowed, match="declined"):
        await ms.proposals.answer(pid, M1, True)
    with pytest.raises(NotAllowed, match="declined"):
        await ms.proposals.answer(pid, A, True)


async def test_mentee_decline_tells_the_mentor_and_reroutes(
    ms: MentorshipService, db: Database
) -> None:
    await mentors_ab(ms)
    await ask(ms)
    pid = await only_proposal(ms)
    outcome = await ms.proposals.answer(pid, M1, False)
    assert outcome.reroute is not None and outcome.reroute.proposal is not None
    assert outcome.reroute.proposal.mentor_id == B
    declined = await owed(db, "mentorship.declined")
    assert [(d["user_id"], d["payload"], d["dedupe_key"]) for d in declined] == [
        (A, {"proposal_id": pid}, f"mentorship:declined:{pid}")
    ]


async def test_nobody_left_back_to_waiting_and_excluded_never_reproposed(
    ms: MentorshipService, db: Database
) -> None:
    await mentors_ab(ms)
    request_id = await ask(ms)
    pid = await only_proposal(ms)
    second = (await ms.proposals.answer(pid, A, False)).reroute
    assert second is not None and second.proposal is not None
    last = await ms.proposals.answer(second.proposal.id, B, False)
    assert last.reroute is not None and last.reroute.proposal is None
    request = await ms.requests.open_request(G, M1)
    assert request is not None and request.status == "open" and request.id == request_id
    assert [(d["user_id"], d["payload"]) for d in await owed(db, "mentorship.no_mentor")] == [
        (
            M1,
            {
                "request_id": request_id,
                "previous_proposal_id": second.proposal.id,
                "reason": "declined",
            },
        )
    ]
    summary = await ms.rounds.run(G)
    assert summary.matched == 0
    assert summary.reasons == {matching.ONLY_EXCLUDED: 1}
    # Exclusions are per member: cancelling and asking again does not bring A or B back.
    await ms.requests.cancel(G, M1)
    await ask(ms)
    assert (await ms.rounds.run(G)).reasons == {matching.ONLY_EXCLUDED: 1}
    # A new mentor with a free place gets it.
    await ms.mentors.join(G, 4, topics="NLP", capacity=1)
    assert (await ms.rounds.run(G)).matched == 1


async def test_answer_refusals(ms: MentorshipService, db: Database) -> None:
    await mentors_ab(ms)
    await ask(ms)
    pid = await only_proposal(ms)
    await db.execute("UPDATE outbox SET status = 'sent'")  # the proposal DMs went out
    with pytest.raises(NotAllowed, match="This proposal isn't yours."):
        await ms.proposals.answer(pid, B, True)
    with pytest.raises(NotFound):
        await ms.proposals.answer(pid + 1000, A, True)
    await ms.proposals.answer(pid, A, True)
    await ms.requests.cancel(G, M1)
    assert (await ms.proposals.get(pid)).status == "withdrawn"
    with pytest.raises(NotAllowed, match="withdrawn"):
        await ms.proposals.answer(pid, M1, True)
    with pytest.raises(NotAllowed, match="withdrawn"):
        await ms.proposals.answer(pid, A, False)
    # The mentor, who saw the proposal, is told it was withdrawn.
    withdrawn = await owed(db, "mentorship.withdrawn")
    assert [(d["user_id"], d["payload"]) for d in withdrawn] == [
        (A, {"proposal_id": pid, "reason": "cancelled"})
    ]
    assert (await ms.mentors.profile(G, A)).free_places == 1


async def test_withdrawal_before_delivery_drops_the_proposal_dms(
    ms: MentorshipService, db: Database
) -> None:
    await mentors_ab(ms)
    await ask(ms)
    pid = await only_proposal(ms)
    await ms.requests.cancel(G, M1)  # the deliverer has not sent anything yet
    assert {d["status"] for d in await owed(db, "mentorship.proposal")} == {"dropped"}
    assert await owed(db, "mentorship.withdrawn") == []  # A never saw it
    assert (await ms.proposals.get(pid)).status == "withdrawn"


# --- expiry --------------------------------------------------------------------------------


async def test_expiry_after_72_hours_excludes_and_reroutes(
    ms: MentorshipService, db: Database, clock: FakeClock
) -> None:
    await mentors_ab(ms)
    request_id = await ask(ms)
    pid = await only_proposal(ms)
    assert await next_timer_at(ms) == int(clock.now) + PROPOSAL_TTL
    await ms.proposals.answer(pid, A, True)  # only one side answers
    clock.advance(PROPOSAL_TTL - 1)
    assert await expire_due(ms) == []
    clock.advance(1)
    expired = await expire_due(ms)
    assert len(expired) == 1
    assert expired[0].proposal.status == "expired"
    reroute = expired[0].reroute
    assert reroute is not None and reroute.reason == "expired" and reroute.proposal is not None
    assert reroute.proposal.mentor_id == B and reroute.proposal.request_id == request_id
    assert [(d["user_id"], d["payload"]) for d in await owed(db, "mentorship.expired")] == [
        (A, {"proposal_id": pid})
    ]
    assert (await owed(db, "mentorship.rerouted"))[0]["payload"]["reason"] == "expired"
    # Idempotent: nothing more to expire, nothing owed twice.
    count = len(await owed(db))
    assert await expire_due(ms) == []
    assert len(await owed(db)) == count
    with pytest.raises(NotAllowed, match="expired"):
        await ms.proposals.answer(pid, M1, True)
    # The next expiry is the new proposal's.
    assert await next_timer_at(ms) == reroute.proposal.expires_at
    # A expired for M1: never proposed again.
    await ms.proposals.answer(reroute.proposal.id, B, False)
    assert (await ms.rounds.run(G)).reasons == {matching.ONLY_EXCLUDED: 1}


async def test_answering_a_lapsed_proposal_expires_it_then_refuses(
    ms: MentorshipService, clock: FakeClock
) -> None:
    await mentors_ab(ms)
    await ask(ms)
    pid = await only_proposal(ms)
    clock.advance(PROPOSAL_TTL + 5)  # the timer job has not run (e.g. during a restart)
    with pytest.raises(NotAllowed, match="expired"):
        await ms.proposals.answer(pid, M1, True)
    assert (await ms.proposals.get(pid)).status == "expired"
    status = await ms.overview.status(G, M1)
    assert status.proposals[0].mentor_id == B and status.proposals[0].status == "pending"
    assert await expire_due(ms) == []


async def test_run_timers_serves_expiries_and_checkins(
    ms: MentorshipService, db: Database, clock: FakeClock
) -> None:
    assert await next_timer_at(ms) is None
    await ms.mentors.join(G, A, topics="NLP", capacity=2)
    await ask(ms, M1)
    pid = await only_proposal(ms)
    await ms.proposals.answer(pid, A, True)
    match = (await ms.proposals.answer(pid, M1, True)).match
    assert match is not None
    await ask(ms, M2)
    pid2 = await only_proposal(ms)
    proposal2 = await ms.proposals.get(pid2)
    assert await next_timer_at(ms, G) == proposal2.expires_at
    assert await next_timer_at(ms, G + 1) is None
    clock.set(proposal2.expires_at)
    run = await run_timers(ms)
    assert [e.proposal.id for e in run.expired] == [pid2] and run.checkins == ()
    assert run.next_at == match.checkin_due_at
    clock.set(match.checkin_due_at)
    run = await run_timers(ms)
    assert run.checkins == (match.id,) and run.next_at is None
    assert (await run_timers(ms)).checkins == ()


# --- capacity across accept, end and leave -------------------------------------------------


async def test_capacity_accounting_across_accept_end_and_leave(
    ms: MentorshipService, db: Database
) -> None:
    await ms.mentors.join(G, A, topics="NLP", capacity=1)
    await ask(ms, M1)
    await ask(ms, M2)
    summary = await ms.rounds.run(G)
    assert summary.matched == 1 and summary.reasons == {matching.NO_FREE_PLACES: 1}
    pid = summary.proposal_ids[0]
    assert (await ms.mentors.profile(G, A)).free_places == 0
    first = (await ms.proposals.get(pid)).mentee_id
    assert first in (M1, M2)
    waiting = M2 if first == M1 else M1
    await ms.proposals.answer(pid, A, True)
    match = (await ms.proposals.answer(pid, first, True)).match  # type: ignore[arg-type]
    assert match is not None
    profile = await ms.mentors.profile(G, A)
    assert (profile.active_mentees, profile.pending_proposals, profile.free_places) == (1, 0, 0)
    assert (await ms.rounds.run(G)).matched == 0
    await ms.matches.end(G, match.id, first)  # type: ignore[arg-type]
    assert (await ms.mentors.profile(G, A)).free_places == 1
    pid2 = (await ms.rounds.run(G)).proposal_ids[0]
    assert (await ms.proposals.get(pid2)).mentee_id == waiting
    # Raising capacity while a proposal is pending frees exactly the new place.
    await ms.mentors.join(G, A, topics="NLP", capacity=2)
    assert (await ms.mentors.profile(G, A)).free_places == 1
    # Leaving withdraws the pending proposal; with nobody else, the request waits again.
    outcome = await ms.mentors.leave(G, A)
    assert outcome.withdrawn == (pid2,)
    assert outcome.reroutes[0].proposal is None
    assert (await ms.requests.open_request(G, waiting)).status == "open"  # type: ignore[union-attr]
    assert await ms.mentors.free_places(G, A) == 0
    # Lowering capacity below the current load keeps everyone and frees nothing.
    await ms.mentors.join(G, A, topics="NLP", capacity=1)
    await ask(ms, M3)
    first = await ms.rounds.run(G)
    assert first.matched == 1


async def test_leave_reroutes_pending_and_ends_active_matches(
    ms: MentorshipService, db: Database
) -> None:
    await ms.mentors.join(G, A, topics="NLP", capacity=2, city="Islamabad", languages="Urdu")
    await ms.mentors.join(G, B, topics="NLP", capacity=2, languages="English")
    await ask(ms, M1)
    pid = await only_proposal(ms)
    await ms.proposals.answer(pid, A, True)
    match = (await ms.proposals.answer(pid, M1, True)).match
    assert match is not None
    await ask(ms, M2, "NLP")
    pid2 = await only_proposal(ms)
    assert (await ms.proposals.get(pid2)).mentor_id == A
    outcome = await ms.mentors.leave(G, A)
    assert outcome.profile.status == "left" and outcome.changed
    assert outcome.withdrawn == (pid2,)
    assert len(outcome.reroutes) == 1
    new = outcome.reroutes[0].proposal
    assert new is not None and new.mentor_id == B and new.mentee_id == M2
    assert outcome.reroutes[0].reason == "withdrawn"
    assert [m.id for m in outcome.ended] == [match.id]
    ended = outcome.ended[0]
    assert (ended.status, ended.end_reason, ended.ended_by) == ("ended", "mentor_left", A)
    assert [(d["user_id"], d["payload"]) for d in await owed(db, "mentorship.ended")] == [
        (M1, {"match_id": match.id, "role": "mentee", "reason": "mentor_left"})
    ]
    assert (await ms.overview.status(G, M1)).requests[0].status == "closed"
    # A withdrawal is no exclusion: A may be proposed to M2 again after re-joining.
    again = await ms.mentors.leave(G, A)
    assert not again.changed
    with pytest.raises(NotFound):
        await ms.mentors.leave(G, 999)


# --- a mentee with a mentor already ----------------------------------------------------------


async def test_a_matched_mentee_may_ask_for_other_topics_only(ms: MentorshipService) -> None:
    await ms.mentors.join(G, A, topics="NLP, MLOps", capacity=3)
    await ms.mentors.join(G, B, topics="MLOps", capacity=1)
    await ask(ms, M1, "NLP")
    pid = await only_proposal(ms)
    await ms.proposals.answer(pid, A, True)
    match = (await ms.proposals.answer(pid, M1, True)).match
    assert match is not None
    with pytest.raises(
        InvalidInput, match=f"already have a mentor for NLP \\(mentorship #{match.id}"
    ):
        await ms.requests.ask(G, M1, topics="MLOps, nlp")
    await ms.requests.ask(G, M1, topics="MLOps")
    # A already mentors M1: the other MLOps mentor is proposed, even though A has room.
    pid2 = await only_proposal(ms)
    assert (await ms.proposals.get(pid2)).mentor_id == B


# --- check-ins -------------------------------------------------------------------------------


async def matched(ms: MentorshipService) -> int:
    await mentors_ab(ms)
    await ask(ms)
    pid = await only_proposal(ms)
    await ms.proposals.answer(pid, A, True)
    match = (await ms.proposals.answer(pid, M1, True)).match
    assert match is not None
    return match.id


async def test_checkins_due_after_14_days_and_alerts_carry_no_private_text(
    ms: MentorshipService, db: Database, guilds: GuildSettings, clock: FakeClock
) -> None:
    await guilds.set_announcements_channel(G, ANNOUNCE)
    match_id = await matched(ms)
    clock.advance(CHECKIN_AFTER - 1)
    assert await due_checkins(ms) == []
    clock.advance(1)
    assert [m.id for m in await due_checkins(ms)] == [match_id]
    assert await ms.checkins.send(match_id) is True
    assert await ms.checkins.send(match_id) is False
    assert await due_checkins(ms) == []
    checkins = await owed(db, "mentorship.checkin")
    assert [(d["user_id"], d["payload"], d["dedupe_key"]) for d in checkins] == [
        (A, {"match_id": match_id, "role": "mentor"}, f"mentorship:checkin:{match_id}:{A}"),
        (M1, {"match_id": match_id, "role": "mentee"}, f"mentorship:checkin:{match_id}:{M1}"),
    ]
    good = await ms.checkins.record(match_id, A, "going_well")
    assert good.changed and not good.alerted
    help_ = await ms.checkins.record(match_id, M1, "Need help")
    assert help_.changed and help_.alerted and help_.answer == "need_help"
    repeat = await ms.checkins.record(match_id, M1, "need_help")
    assert not repeat.changed and not repeat.alerted
    # No organizer channel yet: the notice waits for one, never in the public channel.
    assert [d for d in await owed(db) if d["channel_id"] is not None] == []
    texts = [r["text"] for r in await db.fetchall("SELECT text FROM organizer_notices")]
    assert texts == [
        f"A member of mentorship #{match_id} says they'd like some help (check-in). "
        "`/mentorship stats` has the overview."
    ]
    with pytest.raises(NotAllowed, match="isn't yours"):
        await ms.checkins.record(match_id, B, "not_met")
    with pytest.raises(InvalidInput):
        await ms.checkins.record(match_id, A, "meh")
    # Nothing meant for organizers or any channel carries the goal or other private text.
    assert all(GOAL not in json.dumps(d["payload"]) for d in await owed(db))
    assert all(GOAL not in t for t in texts)


async def test_checkin_alerts_go_to_the_organizer_channel_only(
    ms: MentorshipService, db: Database, guilds: GuildSettings
) -> None:
    await guilds.set_announcements_channel(G, ANNOUNCE)
    match_id = await matched(ms)
    await organizer_notices.set_channel(db, G, ORGANIZERS)
    outcome = await ms.checkins.record(match_id, A, "not_met")
    assert outcome.changed and outcome.alerted
    posts = [d for d in await owed(db) if d["channel_id"] is not None]
    assert [(d["kind"], d["channel_id"]) for d in posts] == [(organizer_notices.KIND, ORGANIZERS)]
    assert "mentorship #" in posts[0]["payload"]["text"]
    assert "haven't met" in posts[0]["payload"]["text"]
    again = await ms.checkins.record(match_id, M1, "not_met")  # the other side says it too
    assert again.changed and not again.alerted  # one notice per match and answer
    assert len([d for d in await owed(db) if d["channel_id"] is not None]) == 1


# --- ending and feedback -------------------------------------------------------------------


async def test_end_and_feedback_once_only(
    ms: MentorshipService, db: Database, clock: FakeClock
) -> None:
    match_id = await matched(ms)
    with pytest.raises(NotAllowed, match="ended"):
        await ms.feedback.give(match_id, M1, 5)
    with pytest.raises(NotAllowed, match="isn't yours"):
        await ms.matches.end(G, match_id, B)
    with pytest.raises(NotFound):
        await ms.matches.end(G + 1, match_id, M1)
    assert (await ms.matches.resolve(G, M1, f"#{match_id}")).id == match_id
    with pytest.raises(NotAllowed):
        await ms.matches.resolve(G, B, str(match_id))
    with pytest.raises(InvalidInput):
        await ms.matches.resolve(G, M1, "the one with A")
    clock.advance(DAY)
    ended = await ms.matches.end(G, match_id, M1)
    assert (ended.status, ended.ended_by, ended.end_reason) == ("ended", M1, "ended")
    assert ended.ended_at == int(clock.now)
    assert [(d["user_id"], d["payload"]) for d in await owed(db, "mentorship.ended")] == [
        (A, {"match_id": match_id, "role": "mentor", "reason": "ended"})
    ]
    assert await ms.matches.end(G, match_id, A) == ended  # twice: no change, no second DM
    assert len(await owed(db, "mentorship.ended")) == 1
    assert await ms.matches.active(G, A) == []
    for rating in (0, 6):
        with pytest.raises(InvalidInput, match="1 to 5"):
            await ms.feedback.give(match_id, M1, rating)
    with pytest.raises(InvalidInput, match="1,000"):
        await ms.feedback.give(match_id, M1, 4, "x" * 1001)
    assert not await ms.feedback.given(match_id, M1)
    feedback = await ms.feedback.give(match_id, M1, 4, "  Very helpful.  ")
    assert (feedback.from_role, feedback.rating, feedback.comment) == ("mentee", 4, "Very helpful.")
    assert await ms.feedback.given(match_id, M1)
    with pytest.raises(AlreadyExists):
        await ms.feedback.give(match_id, M1, 5)
    with pytest.raises(NotAllowed):
        await ms.feedback.give(match_id, B, 5)
    await ms.feedback.give(match_id, A, 5)
    stats = await ms.overview.stats(G)
    assert (stats.feedback_count, stats.average_rating) == (2, 4.5)
    # Check-ins on an ended match are refused; its check-in is no longer owed.
    with pytest.raises(NotAllowed, match="ended"):
        await ms.checkins.record(match_id, A, "going_well")
    assert await next_timer_at(ms) is None


# --- stats -----------------------------------------------------------------------------------


async def test_stats(ms: MentorshipService, clock: FakeClock) -> None:
    await ms.mentors.join(G, A, topics="NLP", capacity=2)
    await ms.mentors.join(G, B, topics="NLP", capacity=1)
    await ms.mentors.join(G, C, topics="MLOps", capacity=3)
    await ms.mentors.pause(G, C)
    await ask(ms, M1)
    clock.advance(2 * DAY)
    await ask(ms, M2)
    clock.advance(2 * DAY)
    await ask(ms, M3)
    await ms.requests.ask(G, M4, topics="Computer Vision")
    clock.advance(DAY)
    summary = await ms.rounds.run(G)
    assert summary.matched == 3
    p1, p2, p3 = summary.proposal_ids
    # One accepted by both, one declined (re-routed nowhere: all places taken), one pending.
    first = await ms.proposals.get(p1)
    await ms.proposals.answer(p1, first.mentor_id, True)  # type: ignore[arg-type]
    await ms.proposals.answer(p1, first.mentee_id, True)  # type: ignore[arg-type]
    second = await ms.proposals.get(p2)
    await ms.proposals.answer(p2, second.mentee_id, False)  # type: ignore[arg-type]
    stats = await ms.overview.stats(G)
    assert (stats.active_mentors, stats.paused_mentors) == (2, 1)
    assert (stats.places_total, stats.places_used, stats.places_held, stats.places_free) == (
        3,
        1,
        1,
        1,
    )
    # Open: M2 (declined, nobody else free: waiting 3 days), M3 (pending, 1 day), M4 (1 day).
    assert stats.open_requests == 3
    assert stats.median_wait_days == 1.0
    assert (
        stats.proposals_pending,
        stats.proposals_accepted,
        stats.proposals_declined,
        stats.proposals_expired,
        stats.proposals_withdrawn,
    ) == (1, 1, 1, 0, 0)
    assert (stats.active_matches, stats.ended_matches) == (1, 0)
    assert (stats.feedback_count, stats.average_rating) == (0, None)
    assert (await ms.proposals.get(p3)).status == "pending"


async def test_stats_median_wait(ms: MentorshipService, clock: FakeClock) -> None:
    empty = await ms.overview.stats(G)
    assert empty.median_wait_days is None and empty.open_requests == 0
    await ask(ms, M1)
    clock.advance(2 * DAY)
    await ask(ms, M2)
    clock.advance(2 * DAY)
    await ask(ms, M3)
    clock.advance(DAY)
    stats = await ms.overview.stats(G)  # waits: 5, 3 and 1 days
    assert stats.open_requests == 3 and stats.median_wait_days == 3.0


# --- schedules -------------------------------------------------------------------------------


async def test_schedule_and_scheduled_rounds(ms: MentorshipService, clock: FakeClock) -> None:
    # The tests start on Wednesday 2026-07-01 05:00 in Karachi; default: Mondays 18:00.
    settings = await ms.config.settings(G)
    assert settings.schedule == "weekly mon 18:00"
    assert settings.schedule_description == "every Monday at 18:00 (Asia/Karachi)"
    monday = settings.next_round_at
    assert monday is not None and (monday - clock.now) == 5 * DAY + 13 * HOUR
    await ms.mentors.join(G, A, topics="NLP", capacity=3)
    await ask(ms)
    assert await ms.rounds.run_scheduled(G) is None  # not due yet
    plan = await ms.rounds.plan(G)
    assert plan.next_at == monday and not plan.overdue
    clock.set(monday - 2)  # the job fires a moment early
    summary = await ms.rounds.run_scheduled(G)
    assert summary is not None and summary.trigger == "scheduled" and summary.matched == 1
    clock.set(monday + 1)
    assert await ms.rounds.run_scheduled(G) is None  # that tick was served
    assert (await ms.rounds.plan(G)).next_at == monday + 7 * DAY
    # Down for three weeks: one overdue round at start-up serves them all.
    clock.set(monday + 21 * DAY + HOUR)
    plan = await ms.rounds.plan(G)
    assert plan.overdue
    assert await ms.rounds.run_scheduled(G) is not None
    assert await ms.rounds.run_scheduled(G) is None
    assert not (await ms.rounds.plan(G)).overdue
    assert [p.guild_id for p in await ms.rounds.plans()] == [G]


async def test_set_schedule_and_channel(ms: MentorshipService, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput, match="not a schedule"):
        await ms.config.set_schedule(G, "sometimes")
    assert (await ms.config.settings(G)).schedule == "weekly mon 18:00"
    settings = await ms.config.set_schedule(G, "daily 10:00")
    assert settings.schedule == "daily 10:00"
    # A new schedule does not count ticks from before it existed as missed.
    assert not (await ms.rounds.plan(G)).overdue
    assert settings.next_round_at == clock.now + 5 * HOUR  # 10:00 Karachi = 05:00 UTC
    assert (await ms.config.set_channel(G, THREADS)).channel_id == THREADS
    assert (await ms.config.set_channel(G, None)).channel_id is None


# --- deleting a member's data ------------------------------------------------------------------


async def test_delete_member_data_of_a_mentor(ms: MentorshipService, db: Database) -> None:
    await ms.mentors.join(G, A, topics="NLP", capacity=2, city="Islamabad", languages="Urdu")
    await ms.mentors.join(G, B, topics="NLP", capacity=2)
    await ask(ms, M1)
    pid = await only_proposal(ms)
    await ms.proposals.answer(pid, A, True)
    match = (await ms.proposals.answer(pid, M1, True)).match
    assert match is not None
    await ask(ms, M2)
    pid2 = await only_proposal(ms)
    assert (await ms.proposals.get(pid2)).mentor_id == A
    before = await ms.overview.stats(G)
    result = await ms.member_data.delete(G, A)
    assert result.profile_removed and result.matches_ended == 1
    assert result.proposals_withdrawn == 1
    assert len(result.reroutes) == 1 and result.reroutes[0].proposal is not None
    assert result.reroutes[0].proposal.mentor_id == B
    with pytest.raises(NotFound):
        await ms.mentors.profile(G, A)
    ended = await ms.matches.get(match.id)
    assert (ended.status, ended.mentor_id, ended.mentee_id, ended.end_reason) == (
        "ended",
        None,
        M1,
        "data_deleted",
    )
    assert [(d["user_id"], d["payload"]["reason"]) for d in await owed(db, "mentorship.ended")] == [
        (M1, "data_deleted")
    ]
    status = await ms.overview.status(G, A)
    assert status == type(status)(None, (), (), ())
    after = await ms.overview.stats(G)
    assert after.ended_matches == before.active_matches  # counts kept, anonymous
    assert (await ms.proposals.get(pid)).mentor_id is None


async def test_delete_member_data_of_a_mentee(ms: MentorshipService, db: Database) -> None:
    match_id = await matched(ms)
    await ms.matches.end(G, match_id, M1)
    await ms.feedback.give(match_id, M1, 2, "Private words")
    await ask(ms, M1)
    pid = await only_proposal(ms)  # B, since A was... still free: any NLP mentor
    mentor = (await ms.proposals.get(pid)).mentor_id
    await ms.proposals.answer(pid, mentor, False)  # type: ignore[arg-type]
    result = await ms.member_data.delete(G, M1)
    assert not result.profile_removed
    assert result.requests_removed == 2
    assert result.feedback_anonymised == 1
    assert result.exclusions_removed == 1
    assert await ms.requests.open_request(G, M1) is None
    rows = await db.fetchall("SELECT from_id, comment, rating FROM mentorship_feedback")
    assert [tuple(r) for r in rows] == [(None, None, 2)]
    stats = await ms.overview.stats(G)
    assert (stats.feedback_count, stats.average_rating, stats.ended_matches) == (1, 2.0, 1)
    assert await ms.overview.status(G, M1) == type(await ms.overview.status(G, M1))(
        None, (), (), ()
    )
    # Nothing in the store still names M1.
    for table, column in (
        ("mentee_requests", "user_id"),
        ("mentorship_proposals", "mentee_id"),
        ("mentorship_matches", "mentee_id"),
        ("mentorship_exclusions", "mentee_id"),
        ("mentorship_checkins", "user_id"),
        ("mentorship_feedback", "from_id"),
    ):
        assert await db.fetchval(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (M1,)) == 0


async def test_delete_member_data_with_a_pending_proposal_tells_the_mentor(
    ms: MentorshipService, db: Database
) -> None:
    await mentors_ab(ms)
    await ask(ms)
    pid = await only_proposal(ms)
    await db.execute("UPDATE outbox SET status = 'sent'")  # the proposal DMs went out
    result = await ms.member_data.delete(G, M1)
    assert result.proposals_withdrawn == 1 and result.reroutes == ()
    assert [(d["user_id"], d["payload"]) for d in await owed(db, "mentorship.withdrawn")] == [
        (A, {"proposal_id": pid, "reason": "data_deleted"})
    ]
    assert (await ms.mentors.profile(G, A)).free_places == 1
    assert await next_timer_at(ms) is None


# --- status ----------------------------------------------------------------------------------


async def test_status_lists_the_members_own_items(ms: MentorshipService) -> None:
    await ms.mentors.join(G, A, topics="NLP", capacity=2)
    await ms.requests.ask(G, A, topics="MLOps")  # A is a mentee too
    await ask(ms, M1)
    pid = await only_proposal(ms)
    status = await ms.overview.status(G, A)
    assert status.profile is not None and status.profile.user_id == A
    assert [r.topics for r in status.requests] == [("MLOps",)]
    assert [p.id for p in status.proposals] == [pid]
    mentee = await ms.overview.status(G, M1)
    assert mentee.profile is None
    assert [p.id for p in mentee.proposals] == [pid]
    view = await ms.proposals.view(pid, viewer_id=A)
    assert view.request is not None and view.request.goal == GOAL
    assert view.mentor is not None and view.mentor.user_id == A
    with pytest.raises(NotAllowed, match="isn't yours"):
        await ms.proposals.view(pid, viewer_id=B)


async def test_leaving_with_nothing_pending_still_counts_as_a_change(
    ms: MentorshipService,
) -> None:
    await ms.mentors.join(G, A, topics="NLP", capacity=1)
    first = await ms.mentors.leave(G, A)
    assert first.changed and first.withdrawn == () and first.ended == ()
    assert not (await ms.mentors.leave(G, A)).changed


# --- concurrency -------------------------------------------------------------------------------


async def test_simultaneous_accepts_make_exactly_one_match(
    ms: MentorshipService, db: Database
) -> None:
    await mentors_ab(ms)
    await ask(ms)
    pid = await only_proposal(ms)
    outcomes = await asyncio.gather(
        ms.proposals.answer(pid, A, True),
        ms.proposals.answer(pid, M1, True),
        ms.proposals.answer(pid, A, True),
    )
    assert sorted(o.result for o in outcomes) == ["accepted", "matched", "unchanged"]
    assert await db.fetchval("SELECT COUNT(*) FROM mentorship_matches") == 1


async def test_a_decline_racing_the_expiry_timer_closes_the_proposal_once(
    ms: MentorshipService, db: Database, clock: FakeClock
) -> None:
    await mentors_ab(ms)
    await ask(ms)
    pid = await only_proposal(ms)
    clock.advance(PROPOSAL_TTL)
    results = await asyncio.gather(
        expire_due(ms), ms.proposals.answer(pid, A, False), return_exceptions=True
    )
    assert (await ms.proposals.get(pid)).status in ("expired", "declined")
    assert any(isinstance(r, NotAllowed) or r == [] for r in results)
    # One re-route, to B, whichever won.
    pending = await db.fetchall(
        "SELECT mentor_id FROM mentorship_proposals WHERE status = 'pending'"
    )
    assert [r["mentor_id"] for r in pending] == [B]


# --- invariants under random operations --------------------------------------------------------


async def check_invariants(db: Database) -> None:
    # Places: active matches + pending proposals never exceed a mentor's capacity.
    over = await db.fetchall(
        "SELECT p.user_id FROM mentor_profiles p WHERE p.guild_id = ?1 AND p.capacity <"
        " (SELECT COUNT(*) FROM mentorship_matches m WHERE m.guild_id = ?1"
        "   AND m.mentor_id = p.user_id AND m.status = 'active')"
        " + (SELECT COUNT(*) FROM mentorship_proposals q WHERE q.guild_id = ?1"
        "   AND q.mentor_id = p.user_id AND q.status = 'pending')",
        (G,),
    )
    assert over == []
    # A proposed request has exactly one pending proposal; an open one has none.
    bad = await db.fetchall(
        "SELECT id, status, n FROM (SELECT r.id, r.status, (SELECT COUNT(*)"
        " FROM mentorship_proposals q WHERE q.request_id = r.id AND q.status = 'pending') AS n"
        " FROM mentee_requests r) counted WHERE (status = 'proposed') != (n = 1) OR n > 1"
    )
    assert [tuple(r) for r in bad] == []
    # A matched request has one active match; a closed one has none.
    bad = await db.fetchall(
        "SELECT r.id FROM mentee_requests r WHERE (r.status = 'matched') !="
        " ((SELECT COUNT(*) FROM mentorship_matches m WHERE m.request_id = r.id"
        "   AND m.status = 'active') = 1)"
    )
    assert bad == []
    # Never self, never an excluded pair, never a mentor who left.
    assert not await db.fetchall(
        "SELECT id FROM mentorship_proposals WHERE mentor_id = mentee_id"
        " UNION SELECT id FROM mentorship_matches WHERE mentor_id = mentee_id"
    )
    assert not await db.fetchall(
        "SELECT q.id FROM mentorship_proposals q JOIN mentorship_exclusions x"
        " ON x.guild_id = q.guild_id AND x.mentor_id = q.mentor_id AND x.mentee_id = q.mentee_id"
        " WHERE q.status = 'pending'"
    )
    assert not await db.fetchall(
        "SELECT p.user_id FROM mentor_profiles p WHERE p.status = 'left' AND EXISTS"
        " (SELECT 1 FROM mentorship_proposals q WHERE q.mentor_id = p.user_id"
        "  AND q.status = 'pending') OR p.status = 'left' AND EXISTS"
        " (SELECT 1 FROM mentorship_matches m WHERE m.mentor_id = p.user_id"
        "  AND m.status = 'active')"
    )
    # Two active matches never pair the same two members.
    assert not await db.fetchall(
        "SELECT mentor_id, mentee_id FROM mentorship_matches WHERE status = 'active'"
        " GROUP BY mentor_id, mentee_id HAVING COUNT(*) > 1"
    )


@pytest.mark.parametrize("seed", range(4))
async def test_random_operations_keep_the_invariants(
    ms: MentorshipService, db: Database, clock: FakeClock, seed: int
) -> None:
    rng = random.Random(seed)
    topics = ["NLP", "MLOps", "Computer Vision", "Data Science"]
    members = list(range(1, 13))  # anyone may be a mentor, a mentee, or both
    capacity = {m: rng.randint(1, 3) for m in members}
    for _ in range(120):
        op = rng.choice(
            ["join", "join", "pause", "resume", "leave", "request", "request", "cancel",
             "round", "answer", "answer", "answer", "time", "end", "delete"]
        )  # fmt: skip
        who = rng.choice(members)
        try:
            if op == "join":
                picked = ", ".join(rng.sample(topics, rng.randint(1, 2)))
                await ms.mentors.join(G, who, topics=picked, capacity=capacity[who])
            elif op == "pause":
                await ms.mentors.pause(G, who)
            elif op == "resume":
                await ms.mentors.resume(G, who)
            elif op == "leave":
                await ms.mentors.leave(G, who)
            elif op == "request":
                await ms.requests.ask(G, who, topics=rng.choice(topics))
            elif op == "cancel":
                await ms.requests.cancel(G, who)
            elif op == "round":
                await ms.rounds.run(G)
            elif op == "answer":
                # Mostly pending proposals (so pairs get matched), sometimes closed ones.
                status = "status = 'pending'" if rng.random() < 0.85 else "1 = 1"
                rows = await db.fetchall(
                    "SELECT id, mentor_id, mentee_id FROM mentorship_proposals"
                    f" WHERE {status} ORDER BY id"
                )
                if rows:
                    row = rng.choice(rows)
                    side = row["mentor_id"] if rng.random() < 0.5 else row["mentee_id"]
                    if side is not None:
                        await ms.proposals.answer(row["id"], side, rng.random() < 0.7)
            elif op == "time":
                clock.advance(rng.randint(1, 40) * HOUR)
                await run_timers(ms)
            elif op == "end":
                rows = await db.fetchall(
                    "SELECT id, mentor_id, mentee_id FROM mentorship_matches ORDER BY id"
                )
                if rows:
                    row = rng.choice(rows)
                    side = row["mentor_id"] if rng.random() < 0.5 else row["mentee_id"]
                    if side is not None:
                        await ms.matches.end(G, row["id"], side)
            elif op == "delete" and rng.random() < 0.3:
                await ms.member_data.delete(G, who)
        except (NotAllowed, NotFound, InvalidInput):
            pass  # refusals are part of the game; they must change nothing
        await check_invariants(db)
    stats = await ms.overview.stats(G)
    assert stats.places_free >= 0 and stats.places_used <= stats.places_total

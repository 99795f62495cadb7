"""Registration questions: parsing and limits, answers stored with the RSVP, the csv."""

from __future__ import annotations

import csv
import io

import pytest

from bot.db import Database
from bot.errors import InvalidInput
from bot.events import AnswersRequired, EventService, attendees_csv, parse_questions

G = 1000
ORG = 1
Q2 = "University or company?; Experience with ML (none/some/a lot)?"


async def make(service: EventService, capacity: int | None = 2, **kw: object) -> int:
    event = await service.catalogue.create(
        G,
        ORG,
        title="I/O Extended",
        city="Lahore",
        starts="2026-07-26 10:00",
        capacity=capacity,
        **kw,  # type: ignore[arg-type]
    )
    return event.id


def test_parse_questions_splits_trims_and_ignores_a_trailing_separator() -> None:
    assert parse_questions(Q2) == (
        "University or company?",
        "Experience with ML (none/some/a lot)?",
    )
    assert parse_questions("  Name   of  your team? ;") == ("Name of your team?",)
    assert parse_questions("a;b;c;d;") == ("a", "b", "c", "d")
    assert parse_questions(None) == ()
    assert parse_questions("   ") == ()
    assert parse_questions("x" * 45) == ("x" * 45,)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a; b; c; d; e", "at most 4 questions (you gave 5)"),
        ("a;;b", "Question 2 is empty"),
        (";a", "Question 1 is empty"),
        ("a;;", "Question 2 is empty"),
        ("a; " + "y" * 46, "Question 2 has 46 characters; each question can have at most 45"),
        ("Team?; team?", "Question 2 repeats question 1"),
    ],
)
def test_parse_questions_refusals_name_the_limit(text: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words.replace("(", r"\(").replace(")", r"\)")):
        parse_questions(text)


async def test_create_and_edit_questions(event_service: EventService) -> None:
    eid = await make(event_service, questions=Q2)
    event = await event_service.catalogue.get(G, eid)
    assert event.questions == parse_questions(Q2)
    assert await event_service.catalogue.questions(eid) == list(parse_questions(Q2))
    with pytest.raises(InvalidInput, match="at most 45"):
        await event_service.catalogue.edit(G, eid, questions="z" * 50)
    assert (await event_service.catalogue.get(G, eid)).questions == parse_questions(Q2)  # unchanged
    edited = await event_service.catalogue.edit(G, eid, questions="Team name?")
    assert edited.changed == ("questions",) and edited.event.questions == ("Team name?",)
    cleared = await event_service.catalogue.edit(G, eid, questions="")
    assert cleared.event.questions == () and await event_service.catalogue.questions(eid) == []
    with pytest.raises(InvalidInput, match="at most 4 questions"):
        await make(event_service, questions="a;b;c;d;e")


async def test_rsvp_needs_every_answer_when_the_event_asks(
    event_service: EventService, db: Database
) -> None:
    eid = await make(event_service, questions=Q2)
    with pytest.raises(AnswersRequired) as refused:
        await event_service.seats.rsvp(G, eid, 10)
    assert refused.value.questions == parse_questions(Q2)
    assert "asks 2 questions" in str(refused.value)
    with pytest.raises(AnswersRequired):
        await event_service.seats.rsvp(G, eid, 10, ["NUST"])
    with pytest.raises(InvalidInput, match="Answer question 2"):
        await event_service.seats.rsvp(G, eid, 10, ["NUST", "   "])
    with pytest.raises(InvalidInput, match="at most 200"):
        await event_service.seats.rsvp(G, eid, 10, ["NUST", "x" * 201])
    with pytest.raises(InvalidInput, match="click Going again"):
        await event_service.seats.rsvp(G, eid, 10, ["a", "b", "c"])
    # Nothing was stored by a refusal.
    assert await db.fetchval("SELECT COUNT(*) FROM rsvps") == 0

    result = await event_service.seats.rsvp(G, eid, 10, ["  NUST ", "some"])
    assert result.outcome == "seated"
    # Already registered: no answers needed, and answers sent again change nothing.
    again = await event_service.seats.rsvp(G, eid, 10)
    assert again.outcome == "already_going"
    assert (
        await event_service.seats.rsvp(G, eid, 10, ["Other", "none"])
    ).outcome == "already_going"
    [row] = await event_service.listings.attendees(G, eid)
    assert row.answers == (
        ("University or company?", "NUST"),
        ("Experience with ML (none/some/a lot)?", "some"),
    )


async def test_rsvp_without_questions_ignores_answers(event_service: EventService) -> None:
    eid = await make(event_service)
    assert (await event_service.seats.rsvp(G, eid, 10)).outcome == "seated"
    # A form submitted after the organizer cleared the questions still registers.
    assert (await event_service.seats.rsvp(G, eid, 11, ["late answer"])).outcome == "seated"
    rows = await event_service.listings.attendees(G, eid)
    assert [r.answers for r in rows] == [(), ()]


async def test_waitlisted_and_promoted_members_keep_their_answers(
    event_service: EventService,
) -> None:
    eid = await make(event_service, capacity=1, questions="Team?")
    await event_service.seats.rsvp(G, eid, 10, ["A"])
    assert (await event_service.seats.rsvp(G, eid, 11, ["B"])).outcome == "waitlisted"
    await event_service.seats.leave(G, eid, 10)
    [row] = await event_service.listings.attendees(G, eid)
    assert (row.user_id, row.status, row.answers) == (11, "going", (("Team?", "B"),))


async def test_csv_has_a_column_per_question_and_keeps_answers_to_old_questions(
    event_service: EventService,
) -> None:
    eid = await make(event_service, capacity=5, questions=Q2)
    await event_service.seats.rsvp(G, eid, 10, ["NUST", "a lot"])
    await event_service.seats.rsvp(G, eid, 11, ["=cmd()", "none"])
    # The organizer changes the questions: earlier answers stay, new members answer anew.
    await event_service.catalogue.edit(G, eid, questions="University or company?; T-shirt size?")
    await event_service.seats.rsvp(G, eid, 12, ["LUMS", "M"])
    rows = await event_service.listings.attendees(G, eid)
    questions = await event_service.catalogue.questions(eid)
    text = attendees_csv(rows, {10: "Ayesha"}, questions)
    parsed = list(csv.DictReader(io.StringIO(text)))
    header = list(parsed[0])
    assert header[-3:] == [
        "University or company?",
        "T-shirt size?",
        "Experience with ML (none/some/a lot)?",
    ]
    assert header[:7] == [
        "member_id",
        "display_name",
        "status",
        "rsvp_time",
        "waitlist_position",
        "standing",
        "checked_in",
    ]
    by_id = {r["member_id"]: r for r in parsed}
    assert by_id["10"]["University or company?"] == "NUST"
    assert by_id["10"]["Experience with ML (none/some/a lot)?"] == "a lot"
    assert by_id["10"]["T-shirt size?"] == ""
    assert by_id["11"]["University or company?"] == "'=cmd()"  # never a formula
    assert by_id["12"]["T-shirt size?"] == "M"
    assert by_id["12"]["Experience with ML (none/some/a lot)?"] == ""
    # Clearing the questions keeps the answers given (and their columns).
    await event_service.catalogue.edit(G, eid, questions="")
    await event_service.seats.rsvp(G, eid, 13)
    rows = await event_service.listings.attendees(G, eid)
    again = list(csv.DictReader(io.StringIO(attendees_csv(rows, {}, []))))
    assert again[0]["University or company?"] == "NUST" and again[3]["T-shirt size?"] == ""


async def test_leaving_drops_the_answers(event_service: EventService, db: Database) -> None:
    eid = await make(event_service, questions="Team?")
    await event_service.seats.rsvp(G, eid, 10, ["A"])
    await event_service.seats.leave(G, eid, 10)
    with pytest.raises(AnswersRequired):
        await event_service.seats.rsvp(G, eid, 10)
    assert await db.fetchval("SELECT COUNT(*) FROM rsvps WHERE answers IS NOT NULL") == 0

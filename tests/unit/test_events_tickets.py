"""Tickets: codes, QR images read back, one per seat, voided on leaving, sent on promotion."""

from __future__ import annotations

import io
import itertools
import json
import re
from collections import Counter

import pytest
import zxingcpp
from PIL import Image

from bot.db import Database
from bot.errors import InvalidInput, NotFound
from bot.events import EventService, normalize_code, ticket_filename, ticket_qr_png
from bot.events.tickets import ALPHABET, new_code

G = 1000
ORG = 1
CODE = re.compile(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$")


async def make(service: EventService, capacity: int | None = 2) -> int:
    event = await service.catalogue.create(
        G, ORG, title="I/O Extended", city="Lahore", starts="2026-07-26 10:00", capacity=capacity
    )
    return event.id


async def promoted_rows(db: Database) -> list[dict]:
    rows = await db.fetchall(
        "SELECT user_id, payload FROM outbox WHERE kind = 'event.promoted' ORDER BY id"
    )
    return [{"user_id": r["user_id"], **json.loads(r["payload"])} for r in rows]


def test_codes_use_the_read_aloud_alphabet() -> None:
    assert len(ALPHABET) == 32 and not set("0O1I") & set(ALPHABET)
    codes = [new_code() for _ in range(2000)]
    assert all(CODE.match(c) for c in codes)
    assert len(set(codes)) == len(codes)
    # Every character of the alphabet turns up, in every position: nothing fixed or counted.
    for position in (0, 3, 5, 8):
        assert set(c[position] for c in codes) == set(ALPHABET)


def test_codes_are_not_sequential() -> None:
    codes = [new_code().replace("-", "") for _ in range(500)]
    values = [sum(ALPHABET.index(ch) * 32**i for i, ch in enumerate(reversed(c))) for c in codes]
    steps = Counter(b - a for a, b in itertools.pairwise(values))
    # A counter would step by a constant; random codes almost never repeat a step.
    assert steps.most_common(1)[0][1] <= 2
    assert values != sorted(values)


def test_normalize_code_accepts_what_volunteers_type() -> None:
    assert normalize_code("k7qm-3xwd") == "K7QM-3XWD"
    assert normalize_code(" K7QM 3XWD ") == "K7QM-3XWD"
    assert normalize_code("K7QM3XWD") == "K7QM-3XWD"
    for bad in ("K7QM-3XW", "K7QM-3XWD9", "K0QM-3XWD", "KIQM-3XWD", "", "<@123>"):
        with pytest.raises(InvalidInput, match="not a ticket code"):
            normalize_code(bad)


def test_qr_png_decodes_back_to_the_code() -> None:
    for code in (new_code() for _ in range(5)):
        png = ticket_qr_png(code)
        assert png.startswith(b"\x89PNG")
        image = Image.open(io.BytesIO(png))
        assert min(image.size) >= 300  # big enough to scan from a phone screen
        [found] = zxingcpp.read_barcodes(image)
        assert found.text == code and found.format == zxingcpp.BarcodeFormat.QRCode
    assert ticket_filename(7, "K7QM-3XWD") == "ticket-7-K7QM-3XWD.png"


async def test_seated_members_get_a_ticket_and_the_waitlist_none(
    event_service: EventService, db: Database
) -> None:
    eid = await make(event_service, capacity=2)
    first = await event_service.seats.rsvp(G, eid, 10)
    second = await event_service.seats.rsvp(G, eid, 11)
    waiting = await event_service.seats.rsvp(G, eid, 12)
    assert first.ticket is not None and second.ticket is not None
    assert CODE.match(first.ticket.code) and first.ticket.code != second.ticket.code
    assert (first.ticket.event_id, first.ticket.user_id, first.ticket.live) == (eid, 10, True)
    assert waiting.ticket is None
    assert await event_service.door.ticket_for(G, eid, 10) == first.ticket
    assert await event_service.door.ticket_for(G, eid, 12) is None
    assert await event_service.door.ticket_for(G, eid, 99) is None
    # A repeated click shows the same ticket again.
    assert (await event_service.seats.rsvp(G, eid, 10)).ticket == first.ticket
    # A seat the member clicked for owes no DM (the cog sends the ticket itself).
    assert await db.fetchval("SELECT COUNT(*) FROM outbox") == 0
    with pytest.raises(NotFound):
        await event_service.door.ticket_for(G + 1, eid, 10)


async def test_codes_are_unique_within_an_event(event_service: EventService, db: Database) -> None:
    eid = await make(event_service, capacity=None)
    for u in range(300):
        await event_service.seats.rsvp(G, eid, u)
    codes = await db.fetchall("SELECT code FROM event_tickets WHERE event_id = ?", (eid,))
    assert len({r[0] for r in codes}) == 300


async def test_leaving_voids_the_ticket_and_coming_back_gives_a_new_one(
    event_service: EventService, db: Database
) -> None:
    eid = await make(event_service, capacity=2)
    ticket = (await event_service.seats.rsvp(G, eid, 10)).ticket
    assert ticket is not None
    left = await event_service.seats.leave(G, eid, 10)
    assert left.voided_ticket == ticket.code
    assert await event_service.door.ticket_for(G, eid, 10) is None
    row = await db.fetchone(
        "SELECT voided_at, void_reason FROM event_tickets WHERE code = ?", (ticket.code,)
    )
    assert row is not None and row["void_reason"] == "left" and row["voided_at"] is not None
    back = await event_service.seats.rsvp(G, eid, 10)
    assert back.ticket is not None and back.ticket.code != ticket.code
    # Leaving the waitlist voids nothing.
    await event_service.seats.rsvp(G, eid, 11)
    await event_service.seats.rsvp(G, eid, 12)
    assert (await event_service.seats.leave(G, eid, 12)).voided_ticket is None


async def test_promotion_issues_a_ticket_and_puts_it_in_the_dm(
    event_service: EventService, db: Database
) -> None:
    eid = await make(event_service, capacity=1)
    for u in (10, 11, 12, 13):
        await event_service.seats.rsvp(G, eid, u)
    await event_service.seats.leave(G, eid, 10)  # promotes 11
    await event_service.catalogue.edit(G, eid, capacity=2)  # promotes 12
    await event_service.delete_member_data(G, 11)  # promotes 13
    rows = await promoted_rows(db)
    assert [r["user_id"] for r in rows] == [11, 12, 13]
    for r in rows[1:]:
        ticket = await event_service.door.ticket_for(G, eid, r["user_id"])
        assert ticket is not None and r["code"] == ticket.code and r["event_id"] == eid
    assert await db.fetchval("SELECT COUNT(*) FROM event_tickets WHERE user_id = 11") == 0


async def test_seats_from_before_tickets_get_one_when_asked(
    event_service: EventService, db: Database
) -> None:
    eid = await make(event_service, capacity=2)
    await event_service.seats.rsvp(G, eid, 10)
    await db.execute("DELETE FROM event_tickets")  # as if seated before migration 0006
    ticket = await event_service.door.ticket_for(G, eid, 10)
    assert ticket is not None and CODE.match(ticket.code)
    assert await event_service.door.ticket_for(G, eid, 10) == ticket

"""The .ics file (parsed back with icalendar) and the attendee CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import icalendar

from bot.events import EventService, attendees_csv, event_ics, event_uid, ics_filename

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 1000


async def create(service: EventService, **kw: object):
    args: dict[str, object] = {
        "title": "Google I/O Extended",
        "city": "Islamabad",
        "starts": "2026-07-26 10:00",
        "ends": "2026-07-26 17:30",
        "venue": "NUST, H-12",
        "description": "Talks, codelabs; and a \\ backslash,\nover two lines.",
    }
    args.update(kw)
    return await service.catalogue.create(G, 1, **args)  # type: ignore[arg-type]


def vevent(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    [event] = cal.walk("VEVENT")
    return cal, event


async def test_ics_round_trips(event_service: EventService) -> None:
    event = await create(event_service)
    url = "https://discord.com/channels/1000/500/600"
    now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    data = event_ics(event, url, now)
    assert isinstance(data, bytes) and b"\r\n" in data
    cal, ve = vevent(data)
    assert cal["VERSION"] == "2.0" and cal["METHOD"] == "PUBLISH" and "PRODID" in cal
    assert str(ve["UID"]) == event_uid(event) == f"event-{event.id}-{G}@gdg-community-bot"
    assert ve.decoded("DTSTART") == datetime(2026, 7, 26, 5, 0, tzinfo=UTC)
    assert ve.decoded("DTEND") == datetime(2026, 7, 26, 12, 30, tzinfo=UTC)
    assert ve.decoded("DTSTAMP") == now
    assert b"DTSTART:20260726T050000Z" in data  # UTC form, no TZID needed
    assert str(ve["SUMMARY"]) == "Google I/O Extended"
    assert str(ve["LOCATION"]) == "NUST, H-12, Islamabad"
    assert str(ve["DESCRIPTION"]).startswith("Talks, codelabs; and a \\ backslash,\nover two")
    assert url in str(ve["DESCRIPTION"])
    assert str(ve["URL"]) == url
    assert str(ve["STATUS"]) == "CONFIRMED"
    assert int(ve["SEQUENCE"]) == 0
    assert ics_filename(event) == f"event-{event.id}.ics"


async def test_ics_uid_is_stable_and_sequence_follows_changes(
    event_service: EventService, clock: FakeClock
) -> None:
    event = await create(event_service)
    first = vevent(event_ics(event, None, clock()))[1]
    edited = (await event_service.catalogue.edit(G, event.id, starts="2026-07-27 10:00")).event
    clock.advance(60)
    second = vevent(event_ics(edited, None, clock()))[1]
    assert first["UID"] == second["UID"]
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert second.decoded("DTSTART") == datetime(2026, 7, 27, 5, 0, tzinfo=UTC)
    assert "URL" not in second

    cancelled = await event_service.catalogue.cancel(G, event.id, "Venue closed")
    third = vevent(event_ics(cancelled, None, clock()))[1]
    assert third["UID"] == first["UID"]
    assert str(third["STATUS"]) == "CANCELLED"
    assert int(third["SEQUENCE"]) > int(second["SEQUENCE"])
    assert "Venue closed" in str(third["DESCRIPTION"])


async def test_ics_without_venue_or_description(event_service: EventService) -> None:
    event = await create(event_service, venue=None, description=None)
    ve = vevent(event_ics(event, None, 1_700_000_000))[1]
    assert str(ve["LOCATION"]) == "Islamabad"
    assert "DESCRIPTION" not in ve


async def test_attendees_and_csv(event_service: EventService, clock: FakeClock) -> None:
    event = await create(event_service, capacity=2)
    for user in (10, 11, 12, 13):
        await event_service.seats.rsvp(G, event.id, user)
        clock.advance(61)
    rows = await event_service.listings.attendees(G, event.id)
    assert [(a.user_id, a.status, a.seat, a.position) for a in rows] == [
        (10, "going", 1, None),
        (11, "going", 2, None),
        (12, "waitlist", None, 1),
        (13, "waitlist", None, 2),
    ]
    assert rows[0].rsvp_time == "2026-07-01T00:00:00Z"
    assert rows[1].rsvp_time == "2026-07-01T00:01:01Z"

    names = {10: "Ayesha", 11: 'Bilal "B" Khan, Jr.', 12: "=HYPERLINK(1)"}
    text = attendees_csv(rows, names)
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == [
        "member_id",
        "display_name",
        "status",
        "rsvp_time",
        "waitlist_position",
        "standing",
        "checked_in",
    ]
    assert parsed[1] == ["10", "Ayesha", "going", "2026-07-01T00:00:00Z", "", "good", ""]
    assert parsed[2][1] == 'Bilal "B" Khan, Jr.'
    assert parsed[3] == [
        "12",
        "'=HYPERLINK(1)",
        "waitlist",
        "2026-07-01T00:02:02Z",
        "1",
        "good",
        "",
    ]
    assert parsed[4] == ["13", "", "waitlist", "2026-07-01T00:03:03Z", "2", "good", ""]
    assert (
        attendees_csv([], {}).strip()
        == "member_id,display_name,status,rsvp_time,waitlist_position,standing,checked_in"
    )

"""Online and hybrid events: the link is checked (https only) and seen only by members
going — never by the waitlisted, the unregistered, the public card or a cancelled event."""

from __future__ import annotations

import json

import icalendar
import pytest

from bot.db import Database
from bot.errors import InvalidInput
from bot.events import EventService, event_ics
from bot.events.fields import clean_online_url

G = 1000
ORG = 1
LINK = "https://meet.google.com/abc-defg-hij"
GOING, WAITING, STRANGER = 10, 11, 12


async def create(service: EventService, **kw: object):
    args: dict[str, object] = {"title": "Flutter Online", "city": "Lahore"}
    args["starts"] = "2026-07-26 10:00"
    args.update(kw)
    return await service.catalogue.create(G, ORG, **args)  # type: ignore[arg-type]


async def changed_dms(db: Database) -> list[dict]:
    rows = await db.fetchall(
        "SELECT user_id, payload FROM outbox WHERE kind = 'event.changed' ORDER BY id"
    )
    return [{"user_id": r["user_id"], "payload": r["payload"]} for r in rows]


# --- the check ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        LINK,
        "  https://zoom.us/j/123456789?pwd=AbC  ",
        "HTTPS://Teams.Microsoft.com/l/meetup-join/19%3ameeting",
        "https://meet.jit.si:8443/GDGLahore#config.startWithAudioMuted=true",
        "https://[2001:db8::1]/room",
        "https://www.youtube.com/@GDGLahore/live",  # an @ in the path is not a login
        "https://x.co/" + "a" * 487,  # 500 characters
    ],
)
def test_https_links_are_kept(url: str) -> None:
    assert clean_online_url(url) == url.strip()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://meet.google.com/abc", "must start with https://"),
        ("javascript:alert(1)", "must start with https://"),
        ("ftp://files.example.com/talk", "must start with https://"),
        ("meet.google.com/abc-defg-hij", "must start with https://"),
        ("https://", "needs a host name"),
        ("https:///path/only", "needs a host name"),
        ("https://.../x", "needs a host name"),
        ("https://meet.google.com:99999/x", "not a valid web address"),
        ("https://meet google.com/x", "can't contain spaces"),
        ("https://meet.google.com/abc\tdef", "can't contain spaces"),
        ("https://meet.google.com/\x00x", "can't contain spaces or invisible characters"),
        ("https://meet.google.com/\u202eevil", "invisible characters"),
        ("https://user:secret@meet.google.com/x", "user name or password"),
        ("https://user@meet.google.com/x", "user name or password"),
        ("https://meet.google.com/<b>", "can't contain <"),
        ("https://x.co/" + "a" * 488, "at most 500 characters"),
    ],
)
def test_bad_links_are_refused_in_one_sentence(url: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words) as refused:
        clean_online_url(url)
    text = str(refused.value)
    assert text.endswith(".") and text.count(". ") == 0, text


def test_empty_means_none() -> None:
    assert clean_online_url(None) is None
    assert clean_online_url("   ") is None


# --- creating and editing -------------------------------------------------------------------
async def test_online_only_event_has_no_venue_nor_capacity(event_service: EventService) -> None:
    event = await create(event_service, online_url=f" {LINK} ")
    assert (event.online_url, event.venue, event.capacity) == (LINK, None, None)
    assert event.location == "Online · Lahore"
    assert await event_service.catalogue.get(G, event.id) == event
    assert LINK not in repr(event)  # logs never carry the link


async def test_hybrid_and_in_person_locations(event_service: EventService) -> None:
    hybrid = await create(event_service, venue="Arfa Tower", online_url=LINK)
    assert hybrid.location == "Arfa Tower, Lahore · also online"
    in_person = await create(event_service, venue="Arfa Tower")
    assert (in_person.location, in_person.online_url) == ("Arfa Tower, Lahore", None)


async def test_bad_link_creates_nothing(event_service: EventService, db: Database) -> None:
    with pytest.raises(InvalidInput, match="https://"):
        await create(event_service, online_url="http://meet.google.com/abc")
    assert await db.fetchval("SELECT COUNT(*) FROM events") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM event_reminders") == 0


async def test_edit_sets_changes_and_clears_the_link(
    event_service: EventService, db: Database
) -> None:
    event = await create(event_service, venue="Arfa Tower")
    added = await event_service.catalogue.edit(G, event.id, online_url=LINK)
    assert added.changed == ("online_url",) and added.event.online_url == LINK
    same = await event_service.catalogue.edit(G, event.id, online_url=LINK)
    assert same.changed == () and same.event.sequence == added.event.sequence
    cleared = await event_service.catalogue.edit(G, event.id, online_url="")
    assert cleared.event.online_url is None and cleared.event.location == "Arfa Tower, Lahore"


async def test_bad_link_on_edit_changes_nothing(event_service: EventService, db: Database) -> None:
    event = await create(event_service, online_url=LINK)
    for bad in ("http://x.example", "https://u:p@x.example", "https://x .example"):
        with pytest.raises(InvalidInput):
            await event_service.catalogue.edit(G, event.id, online_url=bad, title="Renamed")
    assert await event_service.catalogue.get(G, event.id) == event
    assert await changed_dms(db) == []


# --- who sees it ----------------------------------------------------------------------------
async def _with_members(service: EventService, **kw: object):
    event = await create(service, capacity=1, online_url=LINK, **kw)
    await service.seats.rsvp(G, event.id, GOING)
    await service.seats.rsvp(G, event.id, WAITING)  # full: waitlisted
    return await service.catalogue.get(G, event.id)


async def test_only_members_going_get_the_link(event_service: EventService) -> None:
    event = await _with_members(event_service)
    assert event.link_for("going") == LINK
    assert event.link_for("waitlist") is None and event.link_for(None) is None
    links = event_service.listings.online_link
    assert await links(event, GOING) == LINK
    assert await links(event, WAITING) is None
    assert await links(event, STRANGER) is None
    [mine] = await event_service.listings.mine(G, GOING)
    assert mine.online_link == LINK
    [theirs] = await event_service.listings.mine(G, WAITING)
    assert theirs.online_link is None


async def test_a_promoted_member_gets_the_link(event_service: EventService, db: Database) -> None:
    event = await _with_members(event_service)
    await event_service.seats.leave(G, event.id, GOING)
    assert await event_service.listings.online_link(event, WAITING) == LINK
    assert await event_service.listings.online_link(event, GOING) is None  # left: no more
    promoted = await db.fetchval(
        "SELECT payload FROM outbox WHERE kind = 'event.promoted' AND user_id = ?", (WAITING,)
    )
    assert promoted is not None and LINK not in promoted  # read when rendered, for them


async def test_nobody_gets_the_link_of_a_cancelled_event(event_service: EventService) -> None:
    event = await _with_members(event_service)
    cancelled = await event_service.catalogue.cancel(G, event.id, "Speaker ill")
    assert cancelled.link_for("going") is None
    assert await event_service.listings.online_link(cancelled, GOING) is None


async def test_a_new_link_is_told_to_members_going_only(
    event_service: EventService, db: Database
) -> None:
    event = await _with_members(event_service)
    new = "https://meet.google.com/new-link-xyz"
    result = await event_service.catalogue.edit(G, event.id, online_url=new)
    assert result.notified == 1
    [dm] = await changed_dms(db)
    assert dm["user_id"] == GOING
    payload = json.loads(dm["payload"]) if isinstance(dm["payload"], str) else dm["payload"]
    assert payload["changes"] == ["online_url"]
    assert new not in json.dumps(payload) and LINK not in json.dumps(payload)


async def test_calendar_file_has_the_link_only_when_given(event_service: EventService) -> None:
    event = await _with_members(event_service)
    public = event_ics(event, None, event.created_at)
    assert LINK.encode() not in public
    (vevent,) = icalendar.Calendar.from_ical(public).walk("VEVENT")
    assert str(vevent["LOCATION"]) == "Online · Lahore"
    going = event_ics(event, None, event.created_at, LINK)
    (vevent,) = icalendar.Calendar.from_ical(going).walk("VEVENT")
    assert str(vevent["LOCATION"]) == LINK and LINK in str(vevent["DESCRIPTION"])
    hybrid = await create(event_service, venue="Arfa Tower", online_url=LINK)
    (vevent,) = icalendar.Calendar.from_ical(event_ics(hybrid, None, 0, LINK)).walk("VEVENT")
    assert str(vevent["LOCATION"]) == "Arfa Tower, Lahore · also online"
    assert LINK in str(vevent["DESCRIPTION"])


async def test_member_data_export_has_no_link(event_service: EventService) -> None:
    event = await _with_members(event_service)
    for member in (GOING, WAITING, ORG):
        exported = await event_service.export_member_data(G, member)
        assert LINK not in json.dumps(exported, default=str)
    assert event.online_url == LINK

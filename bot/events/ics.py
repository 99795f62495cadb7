"""An event as an iCalendar file (RFC 5545) that Google, Outlook and Apple Calendar import,
and the VEVENT that file and the members' subscribed feed (calendar_feed.py) share."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar

from bot.events.models import Event
from bot.i18n import _

PRODID = "-//GDG Community Bot//Events//EN"  # i18n: not translated
UID_DOMAIN = "gdg-community-bot"


def event_uid(event: Event) -> str:
    """Stable per event, so a re-import updates the calendar entry instead of adding one."""
    return f"event-{event.id}-{event.guild_id}@{UID_DOMAIN}"


def ics_filename(event: Event) -> str:
    return f"event-{event.id}.ics"


def as_utc(moment: datetime | float) -> datetime:
    return (
        moment.astimezone(UTC)
        if isinstance(moment, datetime)
        else datetime.fromtimestamp(moment, UTC)
    )


def new_calendar() -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    return cal


def event_vevent(
    event: Event,
    url: str | None,
    now: datetime | float,
    online_link: str | None = None,
    *,
    status_line: str | None = None,
) -> icalendar.Event:
    """The event's VEVENT; times in UTC; SEQUENCE follows the event's edits. `online_link`:
    only for a member going (Listings.online_link); it goes in the description, and is the
    location of an event with no venue. `status_line` (one member's place, in a feed)
    opens the description."""
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", as_utc(now))
    vevent.add("dtstart", event.starts)
    vevent.add("dtend", event.ends)
    vevent.add("summary", event.title)
    online_only = online_link and not event.venue
    vevent.add("location", online_link if online_only else event.location)
    description = event.description or ""
    if event.cancelled:
        note = (
            _("Cancelled: {reason}", reason=event.cancel_reason)
            if event.cancel_reason
            else _("Cancelled.")
        )
        description = f"{note}\n\n{description}".strip()
    if online_link:
        joining = _("Join online: {link}", link=online_link)
        description = f"{joining}\n\n{description}".strip()
    if status_line:
        description = f"{status_line}\n\n{description}".strip()
    if url:
        # Some calendars hide URL, so the link is in the description too.
        description = f"{description}\n\n{url}".strip()
    if description:
        vevent.add("description", description)
    if url:
        vevent.add("url", url)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    vevent.add("sequence", event.sequence)
    vevent.add("created", as_utc(event.created_at))
    vevent.add("last-modified", as_utc(event.updated_at))
    return vevent


def event_ics(
    event: Event, url: str | None, now: datetime | float, online_link: str | None = None
) -> bytes:
    """One VEVENT in a PUBLISH calendar (see `event_vevent`)."""
    cal = new_calendar()
    cal.add_component(event_vevent(event, url, now, online_link))
    return cal.to_ical()

"""A member's calendar subscription (issue 15): the server's events, or one city's, as
one iCalendar feed a calendar app polls, each entry telling that member's own place.

What is in it: events not cancelled that are ahead or ended within `PAST_DAYS` (an app
keeps what it saw; a month back is enough to look up what one attended), and cancelled
events still ahead, as STATUS:CANCELLED with their bumped SEQUENCE, so an app strikes or
removes the entry it has instead of keeping a stale one. Every entry has the UID of
`event_uid` (the one-off .ics file's too): an app updates a moved event in place.

What is personal: the member's status line (going with their seat, or their waitlist
place) and the online link of events they are going to (`Event.link_for`), nothing else.
Without a member (`user_id=None`) the feed is what anyone in the server may see.
Statuses come in the same query as the events, not one query per event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import icalendar

from bot.events.ics import event_vevent, new_calendar
from bot.events.models import Event, MemberStatus
from bot.events.store import RANK_OF_R, SELECT_EVENT, EventStore, event_from_row
from bot.i18n import _

PAST_DAYS = 30
MAX_ENTRIES = 1000  # a server's month back and year ahead is far below this
REFRESH = timedelta(hours=1)  # how often apps should poll (REFRESH-INTERVAL, X-PUBLISHED-TTL)
NOBODY = MemberStatus(None, None, None)


def announcement_url(event: Event) -> str | None:
    """Where the event's announcement is in Discord (and its Going button)."""
    if event.channel_id and event.message_id:
        return (
            f"https://discord.com/channels/{event.guild_id}/{event.channel_id}/{event.message_id}"
        )
    return None


@dataclass(frozen=True)
class FeedEntry:
    event: Event
    status: MemberStatus  # the member's place (NOBODY without a member or an RSVP)

    @property
    def online_link(self) -> str | None:
        return self.event.link_for(self.status.status)


def status_line(entry: FeedEntry, now: float) -> str | None:
    """The member's place as the entry's description opens with it."""
    event, status = entry.event, entry.status
    if event.cancelled:
        return None  # the description says "Cancelled" already; no place to keep
    over = event.is_over(now)
    if status.status == "going":
        if status.seat:
            if over:
                return _("You went — seat {seat}.", seat=status.seat)
            return _("You're going — seat {seat}.", seat=status.seat)
        return _("You went.") if over else _("You're going.")
    if status.status == "waitlist":
        if over:
            return _("You were on the waitlist.")
        return _("You're on the waitlist — position {position}.", position=status.position)
    return None if over else _("Not registered — RSVP in Discord.")


class CalendarFeed:
    """Reads the entries of a feed; `feed_ics` writes them."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.db = store.db

    async def entries(
        self, guild_id: int, user_id: int | None, city: str | None = None
    ) -> list[FeedEntry]:
        """The guild's (or the city's) events in the feed's window, soonest first, each with
        `user_id`'s place. An unknown city simply has no events."""
        now = self.store.now()
        sql = (
            f"{SELECT_EVENT}, r.status AS my_status, {RANK_OF_R} AS my_rank"
            " FROM events e LEFT JOIN rsvps r ON r.event_id = e.id AND r.user_id = ?"
            " WHERE e.guild_id = ? AND ((e.status = 'scheduled' AND e.ends_at > ?)"
            " OR (e.status = 'cancelled' AND e.ends_at > ?))"
            f"{' AND lower(e.city) = lower(?)' if city is not None else ''}"
            " ORDER BY e.starts_at, e.id LIMIT ?"
        )
        # 0 is no Discord user: without a member, the join finds nobody's RSVP.
        params: list[Any] = [user_id or 0, guild_id, now - PAST_DAYS * 86400, now]
        if city is not None:
            params.append(" ".join(city.split()))
        rows = await self.db.fetchall(sql, [*params, MAX_ENTRIES])
        return [_entry(row) for row in rows]


def _entry(row: Any) -> FeedEntry:
    mine, rank = row["my_status"], row["my_rank"]
    if mine == "going":
        status = MemberStatus("going", rank, None)
    elif mine == "waitlist":
        status = MemberStatus("waitlist", None, rank)
    else:
        status = NOBODY
    return FeedEntry(event_from_row(row), status)


def calendar_name(server: str, city: str | None) -> str:
    if city:
        return _("{server} · {city} events", server=server, city=city)
    return _("{server} events", server=server)


def feed_ics(name: str, entries: list[FeedEntry], now: datetime | float) -> bytes:
    """The feed as a PUBLISH calendar named `name` (X-WR-CALNAME), asking apps to poll it
    every `REFRESH`."""
    cal = new_calendar()
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", _("{name}, with your own RSVPs. Updated as events change.", name=name))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    epoch = now.timestamp() if isinstance(now, datetime) else now
    for entry in entries:
        cal.add_component(
            event_vevent(
                entry.event,
                announcement_url(entry.event),
                now,
                entry.online_link,
                status_line=status_line(entry, epoch),
            )
        )
    return cal.to_ical()

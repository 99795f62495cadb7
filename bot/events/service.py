"""The events feature's front: builds its parts once, over one store, and hands them out.

Each part owns one area and says so in its module's docstring:

    catalogue   create, edit, cancel, find an event              catalogue.py
    series      recurring events: occurrences made ahead, splits  series.py
    listings    upcoming, search, autocomplete, my place, attendees  listings.py
    seats       Going, Can't go, the waitlist, the seat release  seats.py
    reminders   offsets, planning, firing, reminder-DM preference  reminders.py
    door        tickets, check-in, stats, the volunteer role     door.py
    standing    the no-show policy, records, standing            standing.py
    feedback    requests after the event, ratings, the summary   feedback.py
    member_data export and delete a member's data                member_data.py
    posting     intent marks for the announcement and scheduled event  posting.py
    role_ledger who holds event roles because of the bot         roles.py
    threads     the thread under each announcement, its archive  threads.py
    calendar    a member's calendar subscription feed            calendar_feed.py

Callers use the parts directly (`events.seats.rsvp(…)`, `events.door.check_in(…)`);
the front itself answers only the questions asked of every feature from outside
(bot/privacy.py, the cleanup after a deleted channel or role).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.db import Database
from bot.events.calendar_feed import CalendarFeed
from bot.events.catalogue import Catalogue
from bot.events.door import Door
from bot.events.feedback import FeedbackBox
from bot.events.listings import Listings
from bot.events.member_data import MemberData
from bot.events.posting import PostingLedger
from bot.events.reminders import Reminders
from bot.events.results import (
    DeletedMemberData,
)
from bot.events.roles import RoleLedger
from bot.events.seats import Seats
from bot.events.series import Series
from bot.events.standing import Standings
from bot.events.store import EventStore
from bot.events.threads import EventThreads
from bot.guilds import GuildSettings


class EventService:
    """`EventService(db, guilds, clock=time.time)`; `clock` returns epoch seconds (tests
    pass their own, and may change what it returns at any time)."""

    def __init__(
        self, db: Database, guilds: GuildSettings, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = EventStore(db, guilds, clock)
        self.role_ledger = RoleLedger(db)
        self.posting = PostingLedger(db, clock)
        self.standing = Standings(self.store)
        self.seats = Seats(self.store)
        self.reminders = Reminders(self.store)
        self.catalogue = Catalogue(self.store, self.seats, self.reminders, self.role_ledger)
        self.series = Series(self.store, self.catalogue, self.reminders)
        self.listings = Listings(self.store, self.standing)
        self.door = Door(self.store)
        self.feedback = FeedbackBox(self.store)
        self.member_data = MemberData(self.store, self.seats)
        self.threads = EventThreads(self.store)
        self.calendar = CalendarFeed(self.store)

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self.member_data.export(guild_id, user_id)

    async def delete_member_data(self, guild_id: int, user_id: int) -> DeletedMemberData:
        return await self.member_data.delete(guild_id, user_id)

    async def forget_channel(self, guild_id: int, channel_id: int) -> list[str]:
        """A channel was deleted: clear the events' references to it."""
        return await self.catalogue.forget_channel(guild_id, channel_id)

    async def forget_role(self, guild_id: int, role_id: int) -> list[str]:
        """A role was deleted: events stop granting it; volunteers lose check-in."""
        cleared = await self.catalogue.forget_role(guild_id, role_id)
        return cleared + await self.door.forget_volunteer_role(guild_id, role_id)

"""The mentorship feature's front: builds its parts once, each with what it needs, and
hands them out by name. Callers reach the work through the part that owns it:

    config       MentorshipConfig     round schedule, thread channel, languages
    mentors      MentorDirectory      join, pause, resume, leave, profiles, free places
    requests     MenteeRequests       ask for a mentor, update, cancel
    rounds       MatchingRounds       the matching round, by hand or on the schedule
    proposals    Proposals            answers, the 72-hour expiry, withdrawals
    matches      Matches              the match, its intro, ending it
    threads      MatchThreads         the private thread's steps, recorded across crashes
    checkins     Checkins             the 14-day check-in and its answers
    feedback     MatchFeedback        ratings of ended matches
    departures   Departures           a member who left the server
    overview     Overview             a member's status, the guild's numbers
    choices      KnownChoices         the topics, languages, cities, levels to offer
    member_data  MentorshipMemberData export and delete a member's data

Shared by the parts: bot/mentorship/store.py (rows as models), proposing.py (making and
re-routing proposals), inputs.py (reading what members type), messages.py (the DMs
owed, typed) and matching.py (the pure algorithm). `clock` returns epoch seconds;
tests pass their own.
"""

from __future__ import annotations

import time
from typing import Any

from bot.db import Database
from bot.guilds import GuildSettings
from bot.mentorship.checkins import Checkins
from bot.mentorship.choices import KnownChoices
from bot.mentorship.config import MentorshipConfig
from bot.mentorship.departures import Departures
from bot.mentorship.directory import MentorDirectory
from bot.mentorship.feedback import MatchFeedback
from bot.mentorship.matches import Matches
from bot.mentorship.member_data import MentorshipMemberData
from bot.mentorship.models import Clock, DeletedMentorshipData
from bot.mentorship.overview import Overview
from bot.mentorship.proposals import Proposals
from bot.mentorship.proposing import Proposer
from bot.mentorship.requests import MenteeRequests
from bot.mentorship.rounds import MatchingRounds
from bot.mentorship.threads import MatchThreads
from bot.taxonomy import Taxonomy


class MentorshipService:
    def __init__(
        self,
        db: Database,
        guilds: GuildSettings,
        taxonomy: Taxonomy,
        clock: Clock = time.time,
    ) -> None:
        self.db = db
        self.guilds = guilds
        self.taxonomy = taxonomy
        self.clock = clock
        self.config = MentorshipConfig(db, guilds, clock)
        proposer = Proposer(db)
        self.matches = Matches(db, self.config, clock)
        self.proposals = Proposals(db, proposer, self.matches, clock)
        self.mentors = MentorDirectory(
            db, guilds, taxonomy, self.config, self.proposals, self.matches, clock
        )
        self.requests = MenteeRequests(db, guilds, taxonomy, self.config, self.proposals, clock)
        self.rounds = MatchingRounds(db, self.config, proposer, clock)
        self.threads = MatchThreads(db, self.matches, clock)
        self.checkins = Checkins(db, clock)
        self.feedback = MatchFeedback(db, clock)
        self.departures = Departures(db, self.requests, self.proposals, self.matches, clock)
        self.overview = Overview(db, clock)
        self.choices = KnownChoices(guilds, taxonomy, self.config)
        self.member_data = MentorshipMemberData(db, self.proposals, self.matches, clock)

    # What bot/privacy.py asks of each feature's service (`MemberData`); forget_channel is
    # for cogs/cleanup.py until it loops over the features (cogs/mentorship/_feature.py).
    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self.member_data.export(guild_id, user_id)

    async def delete_member_data(self, guild_id: int, user_id: int) -> DeletedMentorshipData:
        return await self.member_data.delete(guild_id, user_id)

    async def forget_channel(self, guild_id: int, channel_id: int) -> list[str]:
        return await self.config.forget_channel(guild_id, channel_id)

"""/mentor, /mentee and /mentorship commands, and the handlers behind their buttons."""

from __future__ import annotations

import logging
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput
from bot.mentorship import MentorshipService, departures
from bot.mentorship.models import REQUEST_COOLDOWN
from cogs._app import CommunityBot
from cogs._common import is_organizer, organizer_only, reply, truncate
from cogs._forms import open_form
from cogs._paging import Pager
from cogs.mentorship._embeds import joined, profile_embed, request_embed, stats_embed
from cogs.mentorship._notify import MentorshipNotices
from cogs.mentorship._views import FeedbackModal

PAGE = 10
log = logging.getLogger(__name__)


class MentorshipCog(commands.Cog, name="Mentorship"):
    feature = "Mentorship"

    mentor = app_commands.Group(name="mentor", description="Mentor others", guild_only=True)
    mentee = app_commands.Group(name="mentee", description="Find a mentor", guild_only=True)
    mentorship = app_commands.Group(
        name="mentorship", description="Mentorship matching", guild_only=True
    )

    def __init__(self, bot: CommunityBot, service: MentorshipService) -> None:
        self.bot = bot
        self.service = service
        self.notices = MentorshipNotices(bot, service)

    async def cog_unload(self) -> None:
        self.notices.stop()

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """A member left: out of matching at once, their proposals re-routed or withdrawn,
        their request closed, their mentorships ended (bot/mentorship/departures.py)."""
        try:
            gone = await departures.member_left(self.service, payload.guild_id, payload.user.id)
        except Exception:
            log.exception("mentorship: handling a member who left guild %s", payload.guild_id)
            return
        if gone.changed:
            await self.notices.after_change()

    async def settings_section(self, guild: discord.Guild) -> tuple[str, list[tuple[str, str]]]:
        settings = await self.service.settings(guild.id)
        channel = f"<#{settings.channel_id}>" if settings.channel_id else "not set (intros by DM)"
        languages = await self.service.languages(guild.id)
        return "Mentorship", [
            ("Matching rounds", settings.schedule_description),
            ("Private threads in", channel),
            ("Languages", joined(languages)),
        ]

    # --- autocomplete -------------------------------------------------------
    async def topic_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Comma-separated topics: complete the last one, keep the ones before it."""
        if interaction.guild_id is None:
            return []
        done, _, last = current.rpartition(",")
        prefix = f"{done}, " if done else ""
        names = await self.service.taxonomy.search_topics(interaction.guild_id, last.strip())
        return [
            app_commands.Choice(name=truncate(prefix + n, 100), value=truncate(prefix + n, 100))
            for n in names
        ]

    async def match_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        matches = await self.service.active_matches(interaction.guild_id, interaction.user.id)
        choices = []
        for m in matches:
            role = "mentee" if m.mentor_id == interaction.user.id else "mentor"
            other = m.other(interaction.user.id)
            member = interaction.guild.get_member(other) if interaction.guild and other else None
            name = member.display_name if member else "a former member"
            label = f"#{m.id} · your {role} {name} · {joined(m.topics)}"
            if current.lower() in label.lower():
                choices.append(app_commands.Choice(name=truncate(label, 100), value=str(m.id)))
        return choices[:25]

    # --- /mentor --------------------------------------------------------------
    @mentor.command(name="join", description="Offer to mentor (or update your profile)")
    @app_commands.describe(
        topics="Comma-separated, e.g. NLP, Deep Learning",
        capacity="How many mentees at a time (1–10)",
        city="One of this server's cities, or Remote",
        languages="Comma-separated, e.g. English, Urdu",
        levels="Mentee levels you serve: beginner, intermediate, advanced (default all)",
        bio="A few words about you (up to 300 characters)",
    )
    @app_commands.autocomplete(topics=topic_choices)
    async def mentor_join(
        self,
        interaction: discord.Interaction,
        topics: str,
        capacity: app_commands.Range[int, 1, 10],
        city: str | None = None,
        languages: str | None = None,
        levels: str | None = None,
        bio: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        profile = await self.service.join(
            interaction.guild_id,
            interaction.user.id,
            topics=topics,
            capacity=capacity,
            city=city,
            languages=languages,
            levels=levels,
            bio=bio,
        )
        await reply(
            interaction,
            "Thank you for mentoring! This is your profile; matching rounds will propose "
            "mentees to you by DM.",
            embed=profile_embed(profile),
        )

    @mentor.command(name="pause", description="Get no new proposals for now")
    async def mentor_pause(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await self.service.pause(interaction.guild_id, interaction.user.id)
        await reply(
            interaction,
            "Paused: no new proposals. Pending ones stay open and your mentees stay with you. "
            "`/mentor resume` when you're ready.",
        )

    @mentor.command(name="resume", description="Get proposals again")
    async def mentor_resume(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        profile = await self.service.resume(interaction.guild_id, interaction.user.id)
        await reply(interaction, f"Welcome back: {profile.free_places} free place(s).")

    @mentor.command(name="leave", description="Stop mentoring (your mentees are told)")
    async def mentor_leave(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        outcome = await self.service.leave(interaction.guild_id, interaction.user.id)
        await self.notices.after_change()
        if not outcome.changed:
            await reply(interaction, "You had already stopped mentoring; nothing changed.")
            return
        await reply(
            interaction,
            f"You've stopped mentoring. {len(outcome.withdrawn)} pending proposal(s) went to "
            f"other mentors and {len(outcome.ended)} mentorship(s) ended; those mentees are told.",
        )

    @mentor.command(name="profile", description="A mentor's profile")
    async def mentor_profile(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        assert interaction.guild_id is not None
        target = member or interaction.user
        profile = await self.service.profile(interaction.guild_id, target.id)
        await reply(interaction, embed=profile_embed(profile))

    @mentor.command(name="list", description="Mentors with free places")
    @app_commands.autocomplete(topic=topic_choices)
    async def mentor_list(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        assert interaction.guild_id is not None
        guild_id = interaction.guild_id

        async def render(page: int) -> tuple[discord.Embed, int]:
            profiles, total = await self.service.list_mentors(
                guild_id, topic, page=page, per_page=PAGE
            )
            lines = [
                f"<@{p.user_id}> · {truncate(joined(p.topics), 120)} · "
                f"{p.city or 'any city'} · {p.free_places} free"
                for p in profiles
            ]
            pages = max(1, -(-total // PAGE))
            embed = discord.Embed(
                title="Mentors with free places" + (f": {topic}" if topic else ""),
                description="\n".join(lines) or "Nobody has a free place right now.",
            )
            embed.set_footer(text=f"Page {page + 1} of {pages} · /mentor profile for more")
            return embed, pages

        await Pager(render, interaction).send()

    # --- /mentee --------------------------------------------------------------
    @mentee.command(name="request", description="Ask for a mentor (a second call updates it)")
    @app_commands.describe(
        topics="Comma-separated, e.g. Machine Learning, NLP",
        goal="What you want to reach (up to 300 characters; only your mentor sees it)",
        city="Your city, if you'd like to meet in person",
        language="The language you'd prefer",
        level="beginner, intermediate or advanced",
    )
    @app_commands.autocomplete(topics=topic_choices)
    async def mentee_request(
        self,
        interaction: discord.Interaction,
        topics: str,
        goal: str | None = None,
        city: str | None = None,
        language: str | None = None,
        level: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        if not await is_organizer(interaction):  # one member can't flood the queue
            self.bot.cooldowns.check(REQUEST_COOLDOWN, interaction.guild_id, interaction.user.id)
        request = await self.service.request(
            interaction.guild_id,
            interaction.user.id,
            topics=topics,
            goal=goal,
            city=city,
            language=language,
            level=level,
        )
        plan = await self.service.round_plan(interaction.guild_id)
        when = f"<t:{plan.next_at}:f>" if plan.next_at else "the next round"
        await reply(
            interaction,
            f"Got it. The next matching round is {when}; I'll DM you a proposal.",
            embed=request_embed(request, title="Your request"),
        )

    @mentee.command(name="cancel", description="Withdraw your open request")
    async def mentee_cancel(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await self.service.cancel_request(interaction.guild_id, interaction.user.id)
        await self.notices.after_change()
        await reply(interaction, "Your request is withdrawn.")

    # --- /mentorship ------------------------------------------------------------
    @mentorship.command(name="match", description="Run a matching round now")
    @organizer_only()
    async def mentorship_match(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        summary = await self.service.run_round(interaction.guild_id)
        await self.notices.after_change()
        lines = [
            f"Round done: {summary.requests} request(s), {summary.mentors} mentor(s); "
            f"**{summary.matched}** proposal(s) sent by DM."
        ]
        for reason, count in sorted(summary.reasons.items()):
            lines.append(f"• {count} request(s) left: {reason}")
        await reply(interaction, "\n".join(lines))

    @mentorship.command(name="status", description="Your requests, proposals and matches")
    async def mentorship_status(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        status = await self.service.status(interaction.guild_id, interaction.user.id)
        me = interaction.user.id
        lines: list[str] = []
        if status.profile:
            p = status.profile
            lines.append(f"**Mentor profile:** {p.status}, {p.free_places} of {p.capacity} free")
        for r in status.requests:
            lines.append(f"**Request #{r.id}** ({joined(r.topics)}): {r.status}")
        for pr in status.proposals:
            role = pr.role_of(me) or "—"
            lines.append(f"**Proposal #{pr.id}** (you as {role}): {pr.status}")
        for m in status.matches:
            role = m.role_of(me) or "—"
            lines.append(f"**Mentorship #{m.id}** (you as {role}, {joined(m.topics)}): {m.status}")
        await reply(
            interaction, "\n".join(lines) or "Nothing yet: `/mentee request` or `/mentor join`."
        )

    @mentorship.command(name="end", description="End a mentorship and give feedback")
    @app_commands.describe(match="The mentorship: pick one, or type its number")
    @app_commands.autocomplete(match=match_choices)
    async def mentorship_end(self, interaction: discord.Interaction, match: str) -> None:
        assert interaction.guild_id is not None
        found = await self.service.resolve_match(interaction.guild_id, interaction.user.id, match)
        ended = await self.service.end_match(interaction.guild_id, found.id, interaction.user.id)
        await self.notices.after_change()
        if await self.service.feedback_given(ended.id, interaction.user.id):
            await reply(interaction, f"Mentorship #{ended.id} has ended. Thank you!")
            return
        await open_form(interaction, FeedbackModal(ended.id, interaction.user.id))

    @mentorship.command(name="stats", description="How mentorship is going in this server")
    @organizer_only()
    async def mentorship_stats(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await reply(interaction, embed=stats_embed(await self.service.stats(interaction.guild_id)))

    # --- buttons and modal ------------------------------------------------------
    async def answer_proposal(
        self, interaction: discord.Interaction, proposal_id: int, accept: bool
    ) -> None:
        outcome = await self.service.answer(proposal_id, interaction.user.id, accept)
        text = {
            "accepted": "Accepted! I'll introduce you as soon as the other side accepts too.",
            "matched": "You're matched! Look for your introduction.",
            "declined": "Declined. Thanks for letting me know; I've found another option.",
            "unchanged": "You already answered this proposal; nothing changed.",
        }[outcome.result]
        await reply(interaction, text)
        if outcome.result == "matched" and outcome.match:
            await self.notices.introduce(outcome.match)
        await self.notices.after_change()

    async def answer_checkin(
        self, interaction: discord.Interaction, match_id: int, answer: str
    ) -> None:
        outcome = await self.service.record_checkin(match_id, interaction.user.id, answer)
        text = {
            "going_well": "Great to hear! Keep going.",
            "not_met": "Thanks for telling me. The organizers will check in to help you start.",
            "need_help": "Thanks: the organizers are told and will reach out.",
        }[outcome.answer]
        await reply(interaction, text if outcome.changed else "Already noted, thank you.")
        if outcome.alerted:
            self.bot.delivery.kick()

    async def submit_feedback(
        self, interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]
    ) -> None:
        """The feedback form was sent (cogs/_forms.py routes it here)."""
        match_id = int(match["match_id"])
        rating, comment = values.get("rating", ""), values.get("comment") or None
        if not rating.strip().isdecimal():  # isdigit() lets ² through, which int() refuses
            raise InvalidInput("The rating is a number from 1 to 5.")
        await self.service.give_feedback(match_id, interaction.user.id, int(rating), comment)
        await reply(interaction, f"Mentorship #{match_id} has ended. Thank you for the feedback!")

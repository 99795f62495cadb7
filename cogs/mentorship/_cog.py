"""/mentor, /mentee and /mentorship commands. The work behind their buttons, forms and
autocomplete is MentorshipFeature's (cogs/mentorship/_feature.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import _
from bot.mentorship import MentorshipService
from bot.mentorship.choices import ChoiceKind
from bot.mentorship.models import REQUEST_COOLDOWN
from cogs._app import CommunityBot
from cogs._common import bot_of, guild_of, is_organizer, organizer_only, reply, truncate
from cogs._forms import open_form
from cogs._paging import Pager
from cogs.mentorship._embeds import (
    at,
    joined,
    profile_answer,
    profile_embed,
    request_embed,
    request_reply,
    someone,
    stats_embed,
    status_text,
)
from cogs.mentorship._feature import MentorshipFeature
from cogs.mentorship._views import FeedbackModal

PAGE = 10
log = logging.getLogger(__name__)


def _mentorship(interaction: discord.Interaction) -> MentorshipFeature:
    return bot_of(interaction).features.get(MentorshipFeature)


Complete = Callable[[discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]


def offer(kind: ChoiceKind) -> Complete:
    """The autocomplete of an option holding `kind` (topics, a city, levels…)."""

    async def complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await _mentorship(interaction).choices(interaction, kind, current)

    return complete


async def match_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return await _mentorship(interaction).match_choices(interaction, current)


class MentorshipCog(commands.Cog, name="Mentorship"):
    feature = "Mentorship"  # /help's heading

    mentor = app_commands.Group(name="mentor", description="Mentor others", guild_only=True)
    mentee = app_commands.Group(name="mentee", description="Find a mentor", guild_only=True)
    mentorship = app_commands.Group(
        name="mentorship", description="Mentorship matching", guild_only=True
    )

    def __init__(self, bot: CommunityBot, work: MentorshipFeature) -> None:
        self.bot = bot
        self.mentorship_feature = work
        self.service: MentorshipService = work.service
        # A context menu can't live in a cog's body: made here, added to the tree on load.
        self.profile_menu = app_commands.ContextMenu(
            name="Mentor profile",
            callback=self.mentor_profile_menu,
            allowed_contexts=app_commands.AppCommandContext(guild=True),
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.profile_menu)
        await self.mentorship_feature.start()

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.profile_menu.name, type=self.profile_menu.type)
        self.mentorship_feature.stop()
        self.bot.features.remove(MentorshipFeature)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """A member left: out of matching at once, their proposals re-routed or withdrawn,
        their request closed, their mentorships ended (bot/mentorship/departures.py)."""
        try:
            gone = await self.service.departures.member_left(payload.guild_id, payload.user.id)
        except Exception:
            log.exception("mentorship: handling a member who left guild %s", payload.guild_id)
            return
        if gone.changed:
            await self.mentorship_feature.after_change(payload.guild_id)

    # --- /mentor --------------------------------------------------------------
    @mentor.command(name="join", description="Offer to mentor (or update your profile)")
    @app_commands.describe(
        topics="Pick one, then type a comma to add more (e.g. NLP, Deep Learning)",
        capacity="How many mentees at a time (1–10)",
        city="One of this server's cities, or Remote",
        languages="Pick one, then type a comma to add more (e.g. English, Urdu)",
        levels="Mentee levels you serve: beginner, intermediate, advanced (default all)",
        bio="A few words about you (up to 300 characters)",
    )
    @app_commands.autocomplete(
        topics=offer("topics"),
        city=offer("city"),
        languages=offer("languages"),
        levels=offer("levels"),
    )
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
        guild_id = guild_of(interaction).id
        profile = await self.service.mentors.join(
            guild_id,
            interaction.user.id,
            topics=topics,
            capacity=capacity,
            city=city,
            languages=languages,
            levels=levels,
            bio=bio,
        )
        # A guild's first mentor: its rounds start.
        await self.mentorship_feature.after_change(guild_id)
        await reply(
            interaction,
            _(
                "Thank you for mentoring! This is your profile; matching rounds will propose "
                "mentees to you by DM."
            ),
            embed=profile_embed(profile),
        )

    @mentor.command(name="pause", description="Get no new proposals for now")
    async def mentor_pause(self, interaction: discord.Interaction) -> None:
        guild_id = guild_of(interaction).id
        await self.service.mentors.pause(guild_id, interaction.user.id)
        await reply(
            interaction,
            _(
                "Paused: no new proposals. Pending ones stay open and your mentees stay with "
                "you. `/mentor resume` when you're ready."
            ),
        )

    @mentor.command(name="resume", description="Get proposals again")
    async def mentor_resume(self, interaction: discord.Interaction) -> None:
        guild_id = guild_of(interaction).id
        profile = await self.service.mentors.resume(guild_id, interaction.user.id)
        await reply(interaction, _("Welcome back: {free} free place(s).", free=profile.free_places))

    @mentor.command(name="leave", description="Stop mentoring (your mentees are told)")
    async def mentor_leave(self, interaction: discord.Interaction) -> None:
        guild_id = guild_of(interaction).id
        outcome = await self.service.mentors.leave(guild_id, interaction.user.id)
        await self.mentorship_feature.after_change(guild_id)
        if not outcome.changed:
            await reply(interaction, _("You had already stopped mentoring; nothing changed."))
            return
        await reply(
            interaction,
            _(
                "You've stopped mentoring. {withdrawn} pending proposal(s) went to other "
                "mentors and {ended} mentorship(s) ended; those mentees are told.",
                withdrawn=len(outcome.withdrawn),
                ended=len(outcome.ended),
            ),
        )

    @mentor.command(name="profile", description="A mentor's profile")
    async def mentor_profile(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        await self.show_profile(interaction, member or interaction.user)

    async def mentor_profile_menu(
        self, interaction: discord.Interaction, member: discord.Member
    ) -> None:
        """Right-click a member → Apps → Mentor profile: what /mentor profile shows."""
        await self.show_profile(interaction, member)

    async def show_profile(
        self, interaction: discord.Interaction, member: discord.Member | discord.User
    ) -> None:
        """A member's public mentor profile (never a request or a goal), or a sentence
        saying they are not, or no longer, a mentor; only the asker sees it."""
        profile = await self.service.mentors.lookup(guild_of(interaction).id, member.id)
        content, embed = profile_answer(profile, member.id, interaction.user.id)
        await reply(interaction, content, embed=embed)  # embed None: the sentence alone

    @mentor.command(name="list", description="Mentors with free places")
    @app_commands.autocomplete(topic=offer("topic"))
    async def mentor_list(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        guild_id = guild_of(interaction).id

        async def render(page: int) -> tuple[discord.Embed, int]:
            profiles, total = await self.service.mentors.with_free_places(
                guild_id, topic, page=page, per_page=PAGE
            )
            lines = [
                _(
                    "{member} · {topics} · {city} · {free} free",
                    member=someone(p.user_id),
                    topics=truncate(joined(p.topics), 120),
                    city=p.city or _("any city"),
                    free=p.free_places,
                )
                for p in profiles
            ]
            pages = max(1, -(-total // PAGE))
            embed = discord.Embed(
                title=_("Mentors with free places: {topic}", topic=topic)
                if topic
                else _("Mentors with free places"),
                description="\n".join(lines) or _("Nobody has a free place right now."),
            )
            embed.set_footer(
                text=_(
                    "Page {page} of {pages} · /mentor profile for more",
                    page=page + 1,
                    pages=pages,
                )
            )
            return embed, pages

        await Pager(render, interaction).send()

    # --- /mentee --------------------------------------------------------------
    @mentee.command(name="request", description="Ask for a mentor (a second call updates it)")
    @app_commands.describe(
        topics="Pick one, then type a comma to add more (e.g. Machine Learning, NLP)",
        goal="What you want to reach (up to 300 characters; only your mentor sees it)",
        city="Your city, if you'd like to meet in person",
        language="The language you'd prefer",
        level="beginner, intermediate or advanced",
    )
    @app_commands.autocomplete(
        topics=offer("topics"),
        city=offer("city"),
        language=offer("language"),
        level=offer("level"),
    )
    async def mentee_request(
        self,
        interaction: discord.Interaction,
        topics: str,
        goal: str | None = None,
        city: str | None = None,
        language: str | None = None,
        level: str | None = None,
    ) -> None:
        guild_id = guild_of(interaction).id
        if not await is_organizer(interaction):  # one member can't flood the queue
            self.bot.cooldowns.check(REQUEST_COOLDOWN, guild_id, interaction.user.id)
        update = await self.service.requests.ask(
            guild_id,
            interaction.user.id,
            topics=topics,
            goal=goal,
            city=city,
            language=language,
            level=level,
        )
        # A guild's first request: its rounds start.
        await self.mentorship_feature.after_change(guild_id)
        plan = await self.service.rounds.plan(guild_id)
        when = at(plan.next_at) if plan.next_at else _("the next round")
        await reply(
            interaction,
            request_reply(update, when),
            embed=request_embed(update.request, title=_("Your request")),
        )

    @mentee.command(name="cancel", description="Withdraw your open request")
    async def mentee_cancel(self, interaction: discord.Interaction) -> None:
        guild_id = guild_of(interaction).id
        await self.service.requests.cancel(guild_id, interaction.user.id)
        await self.mentorship_feature.after_change(guild_id)
        await reply(interaction, _("Your request is withdrawn."))

    # --- /mentorship ------------------------------------------------------------
    @mentorship.command(name="match", description="Run a matching round now")
    @organizer_only()
    async def mentorship_match(self, interaction: discord.Interaction) -> None:
        guild_id = guild_of(interaction).id
        await interaction.response.defer(ephemeral=True, thinking=True)
        summary = await self.service.rounds.run(guild_id)
        await self.mentorship_feature.after_change(guild_id)
        lines = [
            _(
                "Round done: {requests} request(s), {mentors} mentor(s); "
                "**{matched}** proposal(s) sent by DM.",
                requests=summary.requests,
                mentors=summary.mentors,
                matched=summary.matched,
            )
        ]
        for reason, count in sorted(summary.reasons.items()):
            lines.append(_("• {count} request(s) left: {reason}", count=count, reason=_(reason)))
        await reply(interaction, "\n".join(lines))

    @mentorship.command(name="status", description="Your requests, proposals and matches")
    async def mentorship_status(self, interaction: discord.Interaction) -> None:
        guild_id = guild_of(interaction).id
        status = await self.service.overview.status(guild_id, interaction.user.id)
        await reply(interaction, status_text(status, interaction.user.id))

    @mentorship.command(name="end", description="End a mentorship and give feedback")
    @app_commands.describe(match="The mentorship: pick one, or type its number")
    @app_commands.autocomplete(match=match_choices)
    async def mentorship_end(self, interaction: discord.Interaction, match: str) -> None:
        guild_id = guild_of(interaction).id
        found = await self.service.matches.resolve(guild_id, interaction.user.id, match)
        ended = await self.service.matches.end(guild_id, found.id, interaction.user.id)
        await self.mentorship_feature.after_change(guild_id)
        if await self.service.feedback.given(ended.id, interaction.user.id):
            await reply(interaction, _("Mentorship #{id} has ended. Thank you!", id=ended.id))
            return
        await open_form(interaction, FeedbackModal(ended.id, interaction.user.id))

    @mentorship.command(name="stats", description="How mentorship is going in this server")
    @organizer_only()
    async def mentorship_stats(self, interaction: discord.Interaction) -> None:
        guild_id = guild_of(interaction).id
        await reply(interaction, embed=stats_embed(await self.service.overview.stats(guild_id)))

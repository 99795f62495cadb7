"""The mentorship feature as the rest of the bot sees it: the work behind its buttons,
forms and autocomplete, and its answers to the questions every feature answers
(`Feature` in cogs/_features.py: member data, deleted channels and roles, a new time
zone, its part of /settings show).

Built once in `setup()` with every collaborator passed in, registered in
`bot.features`; a button reaches it with `bot_of(interaction).features.get(
MentorshipFeature)`, typed, never by a cog's name.

A proposal answered from a DM arrives on shard 0, whose process may not own the guild
(bot/shards.py): what the answer owes (the pair's introduction in the guild, timers,
messages) is done by the owner, through `signals` (bot/signals.py); in one process at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands

from bot.errors import InvalidInput
from bot.i18n import N_, _
from bot.mentorship import MentorshipService, MentorshipSettings
from bot.mentorship.choices import ChoiceKind
from bot.signals import Signals
from cogs._common import reply, truncate
from cogs._features import SettingsSection
from cogs.mentorship._embeds import joined
from cogs.mentorship._intro import Introductions
from cogs.mentorship._timers import MentorshipTimers

PROPOSAL_ANSWERED = {
    "accepted": N_("Accepted! I'll introduce you as soon as the other side accepts too."),
    "matched": N_("You're matched! Look for your introduction."),
    "declined": N_("Declined. Thanks for letting me know; I've found another option."),
    "unchanged": N_("You already answered this proposal; nothing changed."),
}
TOPIC = "mentorship"  # bot/signals.py: a guild's pairs, timers and messages to look at
CHECKIN_ANSWERED = {
    "going_well": N_("Great to hear! Keep going."),
    "not_met": N_("Thanks for telling me. The organizers will check in to help you start."),
    "need_help": N_("Thanks: the organizers are told and will reach out."),
}
# A mentorship to end, as /mentorship end offers it: by the other side's role.
MATCH_CHOICE = {
    "mentee": N_("#{id} · your mentee {name} · {topics}"),
    "mentor": N_("#{id} · your mentor {name} · {topics}"),
}


class MentorshipFeature:
    name = "Mentorship"

    def __init__(
        self,
        service: MentorshipService,
        introductions: Introductions,
        timers: MentorshipTimers,
        wake: Callable[[], None],
        signals: Signals | None = None,
    ) -> None:
        self.service = service
        self.signals = signals or Signals()  # one process: follow-ups run here
        self.introductions = introductions
        self.timers = timers
        self.wake = wake  # the deliverer: what a decision owes goes out now

    async def start(self) -> None:
        """The cog loaded: timers armed from the database, unfinished intros resumed."""
        await self.timers.start()
        self.introductions.start()
        self.signals.subscribe(TOPIC, self.resync)

    def stop(self) -> None:
        """The cog unloads: no job or task of ours is left running."""
        self.signals.unsubscribe(TOPIC, self.resync)
        self.introductions.stop()
        self.timers.stop()

    async def after_change(self, guild_id: int | None = None) -> None:
        """Something was decided in the guild (None: in any): send what it owes, and arm
        the timers of the proposals and matches it made."""
        await self.timers.changed(guild_id)

    async def resync(self, guild_id: int | None) -> None:
        """In the process owning the guild (None: each of its guilds, after missed
        signals): introduce new pairs, send what is owed, arm the new rows' timers."""
        await self.introductions.introduce_missing(guild_id)
        await self.after_change(guild_id)

    # --- buttons and forms ------------------------------------------------------------------
    async def answer_proposal(
        self, interaction: discord.Interaction, proposal_id: int, accept: bool
    ) -> None:
        outcome = await self.service.proposals.answer(proposal_id, interaction.user.id, accept)
        await reply(interaction, _(PROPOSAL_ANSWERED[outcome.result]))
        guild_id = outcome.proposal.guild_id
        if not self.signals.shards.owns(guild_id):
            # The intro (if matched), the next proposal (if declined), their timers: by the
            # process owning the guild (a DM arrives on shard 0).
            await self.signals.publish(TOPIC, guild_id)
            return
        if outcome.result == "matched" and outcome.match:
            await self.introductions.introduce(outcome.match)
        await self.after_change(guild_id)

    async def answer_checkin(
        self, interaction: discord.Interaction, match_id: int, answer: str
    ) -> None:
        outcome = await self.service.checkins.record(match_id, interaction.user.id, answer)
        text = _(CHECKIN_ANSWERED[outcome.answer])
        await reply(interaction, text if outcome.changed else _("Already noted, thank you."))
        if outcome.alerted:  # the organizers' notice, sent by the guild's process
            await self.signals.publish(TOPIC, outcome.match.guild_id)

    async def submit_feedback(
        self, interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]
    ) -> None:
        """The feedback form was sent (cogs/_forms.py routes it here)."""
        match_id = int(match["match_id"])
        rating, comment = values.get("rating", ""), values.get("comment") or None
        if not rating.strip().isdecimal():  # isdigit() lets ² through, which int() refuses
            raise InvalidInput(_("The rating is a number from 1 to 5."))
        await self.service.feedback.give(match_id, interaction.user.id, int(rating), comment)
        await reply(
            interaction,
            _("Mentorship #{id} has ended. Thank you for the feedback!", id=match_id),
        )

    # --- autocomplete -------------------------------------------------------------------------
    async def choices(
        self, interaction: discord.Interaction, kind: ChoiceKind, current: str
    ) -> list[app_commands.Choice[str]]:
        """The guild's topics, languages, cities or levels for what is typed; for a
        comma-separated option the last item is completed (bot/mentorship/choices.py)."""
        if interaction.guild_id is None:
            return []
        texts = await self.service.choices.complete(interaction.guild_id, kind, current)
        return [app_commands.Choice(name=text, value=text) for text in texts]

    async def match_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The member's active mentorships, with the other side's name."""
        if interaction.guild_id is None:
            return []
        me = interaction.user.id
        choices = []
        for m in await self.service.matches.active(interaction.guild_id, me):
            role = "mentee" if m.mentor_id == me else "mentor"
            other = m.other(me)
            member = interaction.guild.get_member(other) if interaction.guild and other else None
            name = member.display_name if member else _("a former member")
            label = _(MATCH_CHOICE[role], id=m.id, name=name, topics=joined(m.topics))
            if current.lower() in label.lower():
                choices.append(app_commands.Choice(name=truncate(label, 100), value=str(m.id)))
        return choices[:25]

    # --- settings ------------------------------------------------------------------------------
    async def set_schedule(self, guild_id: int, text: str) -> MentorshipSettings:
        """Organizers: when rounds run; the round's job follows at once."""
        settings = await self.service.config.set_schedule(guild_id, text)
        await self.timers.reschedule_round(guild_id)
        return settings

    async def settings_section(self, guild: discord.Guild) -> SettingsSection:
        settings = await self.service.config.settings(guild.id)
        channel = (
            f"<#{settings.channel_id}>" if settings.channel_id else _("not set (intros by DM)")
        )
        languages = await self.service.config.languages(guild.id)
        return _("Mentorship"), [
            (_("Matching rounds"), settings.schedule_description),
            (_("Private threads in"), channel),
            (_("Languages"), joined(languages)),
        ]

    # --- the Feature protocol -------------------------------------------------------------------
    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self.service.member_data.export(guild_id, user_id)

    async def delete_member_data(self, guild_id: int, user_id: int) -> list[str]:
        """Forget the member here (inside the caller's transaction, if any); the line of
        the member's summary."""
        gone = await self.service.member_data.delete(guild_id, user_id)
        counts = {
            "requests": gone.requests_removed,
            "checkins": gone.checkins_removed,
            "exclusions": gone.exclusions_removed,
            "ended": gone.matches_ended,
        }
        if gone.profile_removed:
            return [
                _(
                    "• mentorship: your mentor profile, {requests} request(s), "
                    "{checkins} check-in(s), {exclusions} exclusion(s); "
                    "{ended} mentorship(s) ended (the other side is told)",
                    **counts,
                )
            ]
        return [
            _(
                "• mentorship: {requests} request(s), {checkins} check-in(s), "
                "{exclusions} exclusion(s); {ended} mentorship(s) ended (the other side is told)",
                **counts,
            )
        ]

    async def after_member_deleted(self, guild_id: int) -> None:
        """The other sides are owed their notices; re-routed requests, their expiries
        (where the guild is owned: a delete may come from a DM)."""
        await self.signals.publish(TOPIC, guild_id)

    async def forget_channel(self, guild_id: int, channel_id: int) -> list[str]:
        return await self.service.config.forget_channel(guild_id, channel_id)

    async def forget_role(self, guild_id: int, role_id: int) -> list[str]:
        return []  # mentorship keeps no role

    async def timezone_changed(self, guild_id: int) -> None:
        """Rounds run at wall-clock times in the guild's zone: the round job follows."""
        await self.timers.reschedule_round(guild_id)

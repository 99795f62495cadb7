"""Mentorship matching: profiles, requests, rounds, proposals, matches, feedback."""

from bot.mentorship import MentorshipService
from bot.taxonomy import Taxonomy
from cogs._app import CommunityBot
from cogs.mentorship._cog import MentorshipCog
from cogs.mentorship._views import CheckinButton, FeedbackModal, ProposalButton


async def setup(bot: CommunityBot) -> None:
    service = MentorshipService(bot.db, bot.guild_settings, Taxonomy(bot.db))
    bot.mentorship = service
    bot.persistent_items.extend([ProposalButton, CheckinButton])
    cog = MentorshipCog(bot, service)
    bot.forms.register(FeedbackModal.TEMPLATE, cog.submit_feedback)
    await bot.add_cog(cog)

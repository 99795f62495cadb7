"""Mentorship matching: profiles, requests, rounds, proposals, matches, feedback.

`setup` builds the feature once, each part with its collaborators: the domain front
(bot/mentorship), the renderers of its DMs, its timers, the introductions of new pairs,
and MentorshipFeature, which holds the work behind the buttons, forms and autocomplete
and is found through `bot.features`.
"""

from bot.mentorship import MentorshipService
from bot.taxonomy import Taxonomy
from cogs._app import CommunityBot
from cogs.mentorship._cog import MentorshipCog
from cogs.mentorship._feature import MentorshipFeature
from cogs.mentorship._intro import Introductions
from cogs.mentorship._notify import MentorshipRenderers
from cogs.mentorship._timers import MentorshipTimers
from cogs.mentorship._views import CheckinButton, FeedbackModal, ProposalButton


async def setup(bot: CommunityBot) -> None:
    service = MentorshipService(bot.db, bot.guild_settings, Taxonomy(bot.db))
    wake = bot.delivery.kick
    MentorshipRenderers(service).register(bot.delivery)
    feature = MentorshipFeature(
        service,
        Introductions(bot, service, wake, bot.languages, shards=bot.scope),
        MentorshipTimers(bot.scheduler, service, wake, shards=bot.scope),
        wake,
        bot.signals,
    )
    bot.features.add(feature)
    bot.persistent_items.extend([ProposalButton, CheckinButton])
    bot.forms.register(FeedbackModal.TEMPLATE, feature.submit_feedback)
    await bot.add_cog(MentorshipCog(bot, feature))

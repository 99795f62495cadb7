"""AI-learning resources: the library, review, search, progress, autoposts and feeds.

`setup` builds the feature once, passing every collaborator in: the domain fronts, the
feed session, the timers and the outbox renderers; it registers the feature in
`bot.features` (for privacy, cleanup, settings, autocomplete) and adds the cog.
"""

from bot.resources import AutopostService, FeedService, ResourceService
from cogs._app import CommunityBot
from cogs.resources._cog import ResourcesCog
from cogs.resources._feature import FeedSession, ResourcesFeature
from cogs.resources._notify import ResourceNotices
from cogs.resources._timers import ResourceTimers


async def setup(bot: CommunityBot) -> None:
    resources = ResourceService(bot.db)
    autoposts = AutopostService(bot.db, bot.guild_settings)
    feeds = FeedService(bot.db)
    session = FeedSession(bot.settings.feeds_allow_private_networks)
    wake = bot.delivery.kick
    timers = ResourceTimers(bot.scheduler, autoposts, feeds, session, wake, shards=bot.scope)
    feature = ResourcesFeature(
        resources, autoposts, feeds, bot.guild_settings, timers, session, wake
    )
    ResourceNotices(bot, resources)
    bot.features.add(feature)
    await bot.add_cog(ResourcesCog(bot, feature))


async def teardown(bot: CommunityBot) -> None:
    bot.features.remove(ResourcesFeature)

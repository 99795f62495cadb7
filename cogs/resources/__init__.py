"""AI-learning resources: the library, review, search, progress, autoposts and feeds."""

from bot.resources import AutopostService, FeedService, ResourceService
from cogs._app import CommunityBot
from cogs.resources._cog import ResourcesCog


async def setup(bot: CommunityBot) -> None:
    resources = ResourceService(bot.db)
    autoposts = AutopostService(bot.db, bot.guild_settings)
    feeds = FeedService(bot.db, bot.guild_settings)
    await bot.add_cog(ResourcesCog(bot, resources, autoposts, feeds))

"""Stand-ins for the Resources cog's old internals, for the three cogs that still reach
into it until they loop over `bot.features`. Delete this module, and the attributes
`autoposts`, `feeds`, `jobs` and `settings_section` of ResourcesCog, then:

- cogs/cleanup.py `_forget_resource_channel` (`cog.autoposts.stop`,
  `cog.jobs.cancel_autopost`, `cog.feeds.list_feeds`, `cog.feeds.remove_feed`) becomes
  `ResourcesFeature.forget_channel`;
- cogs/settings.py `timezone` (`resources.jobs.refresh_guild`) becomes
  `ResourcesFeature.timezone_changed`, and `show` reads `ResourcesFeature.settings_section`;
- cogs/privacy.py (`cog.resources`, the ResourceService) becomes
  `ResourcesFeature.export_member_data` / `delete_member_data`.

Each stand-in forwards to the feature, so the timers stay right either way.
"""

from __future__ import annotations

from bot.resources import Autopost, Feed
from cogs.resources._feature import ResourcesFeature


class LegacyAutoposts:
    def __init__(self, feature: ResourcesFeature) -> None:
        self.feature = feature

    async def stop(self, guild_id: int, channel_id: int) -> Autopost:
        return await self.feature.stop_autopost(guild_id, channel_id)


class LegacyFeeds:
    def __init__(self, feature: ResourcesFeature) -> None:
        self.feature = feature

    async def list_feeds(self, guild_id: int) -> list[Feed]:
        return await self.feature.feeds.subscriptions.in_guild(guild_id)

    async def remove_feed(self, guild_id: int, feed: str | int) -> Feed:
        return await self.feature.remove_feed(guild_id, feed)


class LegacyJobs:
    def __init__(self, feature: ResourcesFeature) -> None:
        self.feature = feature

    def cancel_autopost(self, autopost_id: int) -> None:
        self.feature.timers.cancel_autopost(autopost_id)

    async def refresh_guild(self, guild_id: int) -> None:
        await self.feature.timezone_changed(guild_id)

"""`ResourcesFeature`: the one typed object holding the resources' work on the Discord side.

Built once in `cogs/resources/__init__.py` `setup()` with every collaborator passed in,
and registered in `bot.features`. Commands get it through the cog's constructor;
autocomplete and the settings commands (which live on other cogs) reach it with
`bot_of(interaction).features.get(ResourcesFeature)`, which says clearly when the
feature isn't loaded.

It holds what takes more than one service call: changes that must re-arm or cancel a
timer (autoposts, feeds, the feed interval), opening the review queue, paging results.
And it answers for resources what every feature answers (`Feature` in cogs/_features.py):
member data, a deleted channel or role, a time zone change, its /settings section.
`FeedSession`, the feed fetcher's own HTTP session, is one of its collaborators.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord

from bot.errors import DomainError
from bot.guilds import GuildSettings
from bot.i18n import _
from bot.resources import (
    Autopost,
    AutopostService,
    Feed,
    FeedService,
    PollResult,
    Resource,
    ResourceService,
)
from bot.resources.feeds import feed_session
from cogs._common import reply
from cogs._features import SettingsSection
from cogs._paging import Pager
from cogs.resources._embeds import PAGE_SIZE, page_count, results_embed
from cogs.resources._review import ReviewView
from cogs.resources._timers import ResourceTimers

# (page counted from 0, page size) -> (resources on that page, total)
PageFetcher = Callable[[int, int], Awaitable[tuple[list[Resource], int]]]


class FeedSession:
    """The feed fetcher's own aiohttp session: public addresses only, unless the
    self-hoster set FEEDS_ALLOW_PRIVATE_NETWORKS (bot/resources/feeds/netguard.py).
    Opened on first use (again if closed); closed when the feature stops."""

    def __init__(self, allow_private_networks: bool) -> None:
        self.allow_private_networks = allow_private_networks
        self._session: aiohttp.ClientSession | None = None

    def __call__(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = feed_session(allow_private_networks=self.allow_private_networks)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class ResourcesFeature:
    name = "Resources"

    def __init__(
        self,
        resources: ResourceService,
        autoposts: AutopostService,
        feeds: FeedService,
        guild_settings: GuildSettings,
        timers: ResourceTimers,
        session: FeedSession,
        wake: Callable[[], None],
    ) -> None:
        self.resources = resources
        self.autoposts = autoposts
        self.feeds = feeds
        self.guild_settings = guild_settings
        self.timers = timers
        self.session = session
        self.wake = wake  # new messages are owed: the deliverer sends them now

    async def start(self) -> None:
        """When the cog loads: the timers join the scheduler."""
        await self.timers.start()

    async def stop(self) -> None:
        """When the cog unloads: the timers leave, the feed session closes."""
        self.timers.stop()
        await self.session.close()

    # --- library: review and result pages ----------------------------------------
    async def open_review(
        self, guild_id: int, owner_id: int, origin: discord.Interaction
    ) -> ReviewView | None:
        """The review queue's view on its oldest suggestion, or None when none waits."""
        queue = self.resources.review
        current = await queue.next_pending(guild_id)
        if current is None:
            return None
        topics = await self.resources.taxonomy.topics(guild_id)
        return ReviewView(queue, guild_id, owner_id, current, topics, origin, self.wake)

    async def send_pages(
        self, interaction: discord.Interaction, title: str, fetch: PageFetcher, *, empty: str
    ) -> None:
        """Results with Previous/Next buttons (cogs/_paging.py), or `empty` if none."""

        async def render(page: int) -> tuple[discord.Embed, int]:
            resources, total = await fetch(page, PAGE_SIZE)
            hint = _("/resource done marks one")
            embed = results_embed(title, resources, page, total, hint=hint)
            return embed, page_count(total)

        if (await fetch(0, PAGE_SIZE))[1] == 0:
            await reply(interaction, empty)
            return
        await Pager(render, interaction).send()

    # --- autoposts and feeds: stored, then their timers -----------------------------
    async def start_autopost(
        self, guild_id: int, channel_id: int, schedule: str, topic: str | None, by: int
    ) -> Autopost:
        autopost = await self.autoposts.schedules.set(guild_id, channel_id, schedule, topic, by)
        await self.timers.autopost_changed(autopost.id)
        return autopost

    async def stop_autopost(self, guild_id: int, channel_id: int) -> Autopost:
        stopped = await self.autoposts.schedules.stop(guild_id, channel_id)
        self.timers.cancel_autopost(stopped.id)
        return stopped

    async def add_feed(
        self, guild_id: int, url: str, channel_id: int, topic: str | None, by: int
    ) -> Feed:
        """Subscribe (fetches at once: up to 20 s, defer first) and arm its first poll."""
        feed = await self.feeds.subscriptions.add(
            guild_id, url, channel_id, self.session(), topic, by
        )
        self.timers.arm_feed(feed.id, feed.next_poll_at)
        return feed

    async def remove_feed(self, guild_id: int, feed: str | int) -> Feed:
        removed = await self.feeds.subscriptions.remove(guild_id, feed)
        self.timers.cancel_feed(removed.id)
        return removed

    async def check_feed(self, feed_id: int) -> PollResult:
        """Poll now whatever the schedule says (fetches: defer first); re-arms the next."""
        result = await self.feeds.polling.poll(feed_id, self.session())
        self.timers.feed_polled(result)
        self.wake()
        return result

    async def set_feed_interval(self, guild_id: int, minutes: int) -> int:
        done = await self.feeds.interval.set(guild_id, minutes)
        await self.timers.guild_feeds_changed(guild_id)
        return done

    # --- what every feature answers (cogs/_features.py) -----------------------------
    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self.resources.export_member_data(guild_id, user_id)

    async def delete_member_data(self, guild_id: int, user_id: int) -> list[str]:
        """Joins the caller's transaction (bot/privacy.py deletes all features in one)."""
        counts = await self.resources.delete_member_data(guild_id, user_id)
        return [
            _(
                "• resources: progress on {progress} resource(s), {suggestions} suggestion(s); "
                "your name taken off {unlinked} other record(s)",
                progress=counts["progress"],
                suggestions=counts["suggestions"],
                unlinked=counts["unlinked"],
            )
        ]

    async def after_member_deleted(self, guild_id: int) -> None:
        """Nothing to do: forgetting a member owes no one a message in resources."""

    async def forget_channel(self, guild_id: int, channel_id: int) -> list[str]:
        """The channel's autopost schedule stops and its feeds are removed, timers too."""
        cleared: list[str] = []
        try:
            await self.stop_autopost(guild_id, channel_id)
            cleared.append(_("the resource autopost schedule there"))
        except DomainError:
            pass  # no schedule in that channel
        for feed in await self.feeds.subscriptions.in_guild(guild_id):
            if feed.channel_id == channel_id:
                await self.remove_feed(guild_id, feed.id)
                cleared.append(_("the feed {feed}", feed=feed.title or feed.url))
        return cleared

    async def forget_role(self, guild_id: int, role_id: int) -> list[str]:
        """Nothing: the curator role is a guild setting (GuildSettings.forget_role clears it)."""
        return []

    async def timezone_changed(self, guild_id: int) -> None:
        """Autopost times are wall-clock times in the guild's zone: re-plan them."""
        await self.timers.guild_zone_changed(guild_id)

    async def settings_section(self, guild: discord.Guild) -> SettingsSection:
        autoposts = await self.autoposts.schedules.in_guild(guild.id)
        feeds = await self.feeds.subscriptions.in_guild(guild.id)
        paused = sum(a.paused for a in autoposts)
        failing = sum(f.status == "failing" for f in feeds)
        disabled = sum(f.status == "disabled" for f in feeds)
        curator = (await self.guild_settings.get(guild.id)).curator_role_id
        curators = (
            _("members with <@&{role}> add resources without review", role=curator)
            if curator
            else _("no curator role: only organizers add resources without review")
        )
        interval = await self.feeds.interval.get(guild.id)
        return _("Resources"), [
            (_("Topics"), ", ".join(await self.resources.taxonomy.topics(guild.id))),
            (_("Feeds checked every"), _("{n} minutes", n=interval)),
            (
                _("Autoposts"),
                _(
                    "{running} running, {paused} paused",
                    running=len(autoposts) - paused,
                    paused=paused,
                ),
            ),
            (
                _("Feeds"),
                _(
                    "{count} ({failing} failing, {disabled} turned off)",
                    count=len(feeds),
                    failing=failing,
                    disabled=disabled,
                ),
            ),
            (_("Curators"), curators),
        ]

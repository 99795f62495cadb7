"""/resource autopost… and /resource feed…: what the bot posts into channels by itself.

A mixin of ResourcesCog (discord.py collects a group's app commands from the cog's base
classes), so the library commands and these stay one screen each. The work is
ResourcesFeature's: storing a schedule or a feed and arming its timer go together.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.resources.feeds import MAX_FAILURES, MAX_POSTS_PER_POLL
from cogs._common import check_channel_access, column, guild_of, organizer_only, reply
from cogs.resources._choices import feed_choices, topic_choices
from cogs.resources._embeds import FEED_COLOUR, autopost_line, feed_line, feed_name, plain, stamp
from cogs.resources._feature import ResourcesFeature

POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links")
SCHEDULE_HELP = "daily 10:00, weekly mon,thu 18:00, or cron like 0 9 * * 1-5 (server time zone)"
FEED_HELP = "Pick one as you type, or give its number"


def cannot_post(channel: discord.TextChannel) -> str:
    """A warning when the bot lacks what it needs to post embeds in `channel`, else ''."""
    me = channel.guild.me
    if me is None:  # not cached yet: nothing to say
        return ""
    perms = channel.permissions_for(me)
    missing = [p.replace("_", " ").title() for p in POST_PERMISSIONS if not getattr(perms, p)]
    if not missing:
        return ""
    return (
        f"\n⚠️ I can't post there yet: give me {', '.join(missing)} in {channel.mention}, "
        "or the posts will fail."
    )


class ChannelCommands:
    resources_feature: ResourcesFeature  # set by ResourcesCog

    # --- autoposts ---------------------------------------------------------------------
    @app_commands.command(name="autopost", description="Post one resource on a schedule")
    @app_commands.describe(
        channel="Where to post (one schedule per channel: this replaces its schedule)",
        schedule=SCHEDULE_HELP,
        topic="Only resources of this topic (default: any)",
    )
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def autopost(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        schedule: str,
        topic: str | None = None,
    ) -> None:
        guild_id = guild_of(interaction).id
        check_channel_access(interaction, channel)
        autopost = await self.resources_feature.start_autopost(
            guild_id, channel.id, schedule, topic, interaction.user.id
        )
        which = f"**{plain(autopost.topic)}** resource" if autopost.topic else "resource"
        text = f"{channel.mention} gets one {which} {autopost.description}."
        if autopost.next_due_at:
            due = autopost.next_due_at
            text += f" Next post: {stamp(due)} ({stamp(due, 'R')})."
        finder = self.resources_feature.resources.finder
        _, total = await finder.list_resources(guild_id, autopost.topic, per_page=1)
        if not total:
            text += "\n⚠️ The library has nothing to post yet: nothing goes out until it has."
        await reply(interaction, text + cannot_post(channel))

    @app_commands.command(name="autopost-list", description="This server's autopost schedules")
    @app_commands.guild_only()
    @organizer_only()
    async def autopost_list(self, interaction: discord.Interaction) -> None:
        autoposts = await self.resources_feature.autoposts.schedules.in_guild(
            guild_of(interaction).id
        )
        if not autoposts:
            await reply(
                interaction, "No autopost schedules yet. Start one with `/resource autopost`."
            )
            return
        embed = discord.Embed(
            title="Autopost schedules",
            description=column([autopost_line(a) for a in autoposts], 4096, sep="\n\n"),
            colour=FEED_COLOUR,
        )
        embed.set_footer(text="Stop one with /resource autopost-stop")
        await reply(interaction, embed=embed)

    @app_commands.command(name="autopost-stop", description="Stop a channel's autopost schedule")
    @app_commands.describe(channel="The channel whose schedule to stop")
    @app_commands.guild_only()
    @organizer_only()
    async def autopost_stop(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        stopped = await self.resources_feature.stop_autopost(guild_of(interaction).id, channel.id)
        await reply(
            interaction, f"Stopped the autopost in {channel.mention} ({stopped.description})."
        )

    # --- feeds -------------------------------------------------------------------------
    @app_commands.command(name="feed-add", description="Post a feed's new entries in a channel")
    @app_commands.describe(
        url="The RSS or Atom feed's address",
        channel="Where new entries are posted",
        topic="Label its posts with this topic",
    )
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def feed_add(
        self,
        interaction: discord.Interaction,
        url: str,
        channel: discord.TextChannel,
        topic: str | None = None,
    ) -> None:
        guild_id = guild_of(interaction).id
        check_channel_access(interaction, channel)
        await interaction.response.defer(ephemeral=True, thinking=True)  # fetching: up to 20 s
        feed = await self.resources_feature.add_feed(
            guild_id, url, channel.id, topic, interaction.user.id
        )
        interval = await self.resources_feature.feeds.interval.get(guild_id)
        await reply(
            interaction,
            f"Following **{feed_name(feed)}** (feed #{feed.id}) in {channel.mention}. "
            "What it lists now was noted and won't be posted; new entries appear there "
            f"(at most {MAX_POSTS_PER_POLL} per check, every {interval} minutes)."
            + cannot_post(channel),
        )

    @app_commands.command(name="feed-list", description="This server's feeds and their health")
    @app_commands.guild_only()
    @organizer_only()
    async def feed_list(self, interaction: discord.Interaction) -> None:
        guild_id = guild_of(interaction).id
        feeds = await self.resources_feature.feeds.subscriptions.in_guild(guild_id)
        if not feeds:
            await reply(interaction, "No feeds yet. Add one with `/resource feed-add`.")
            return
        interval = await self.resources_feature.feeds.interval.get(guild_id)
        embed = discord.Embed(
            title="Feeds",
            description=column([feed_line(f) for f in feeds], 4096, sep="\n\n"),
            colour=FEED_COLOUR,
        )
        embed.set_footer(
            text=f"Checked every {interval} minutes · failing feeds are retried less often "
            f"and turned off after {MAX_FAILURES} failures in a row"
        )
        await reply(interaction, embed=embed)

    @app_commands.command(name="feed-remove", description="Stop following a feed")
    @app_commands.describe(feed=FEED_HELP)
    @app_commands.autocomplete(feed=feed_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def feed_remove(self, interaction: discord.Interaction, feed: str) -> None:
        removed = await self.resources_feature.remove_feed(guild_of(interaction).id, feed)
        await reply(
            interaction,
            f"Stopped following **{feed_name(removed)}** (feed #{removed.id}) "
            f"in <#{removed.channel_id}>.",
        )

    @app_commands.command(name="feed-check", description="Check a feed now and post what's new")
    @app_commands.describe(feed=FEED_HELP)
    @app_commands.autocomplete(feed=feed_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def feed_check(self, interaction: discord.Interaction, feed: str) -> None:
        guild_id = guild_of(interaction).id
        found = await self.resources_feature.feeds.subscriptions.resolve(guild_id, feed)
        await interaction.response.defer(ephemeral=True, thinking=True)  # fetching: up to 20 s
        result = await self.resources_feature.check_feed(found.id)
        name = f"**{feed_name(found)}** (feed #{found.id})"
        if result.outcome == "posted":
            text = (
                f"Checked {name}: {result.posted} new entr{'y' if result.posted == 1 else 'ies'} "
                f"posted in <#{found.channel_id}>."
                if result.posted
                else f"Checked {name}: nothing new since the last check."
            )
            if result.recorded:
                text += f" {result.recorded} older new one(s) were noted without posting."
        elif result.outcome == "unchanged":
            text = f"Checked {name}: unchanged since the last check."
        elif result.outcome == "failed":
            failures = (
                await self.resources_feature.feeds.subscriptions.get(guild_id, found.id)
            ).failures
            text = (
                f"Checked {name}: it {plain(result.error or 'failed')}. That is {failures} "
                f"failed check(s) in a row; after {MAX_FAILURES} it is turned off."
            )
        elif result.outcome == "disabled":
            text = (
                f"Checked {name}: it {plain(result.error or 'failed')}. That was failure "
                f"{MAX_FAILURES} in a row, so the feed is now turned off and organizers are told."
            )
        else:
            text = (
                f"{name} is turned off after repeated failures. Run `/resource feed-add` "
                "with the same address and channel to turn it back on."
            )
        await reply(interaction, text)

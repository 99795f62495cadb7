"""/resource autopost… and /resource feed…: what the bot posts into channels by itself.

A mixin of ResourcesCog (discord.py collects a group's app commands from the cog's base
classes), so the library commands and these stay one screen each. The work is
ResourcesFeature's: storing a schedule or a feed and arming its timer go together.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import N_, _, _n
from bot.resources.feeds import MAX_FAILURES, MAX_POSTS_PER_POLL
from cogs._common import check_channel_access, column, guild_of, organizer_only, reply
from cogs.resources._choices import feed_choices, topic_choices
from cogs.resources._embeds import FEED_COLOUR, autopost_line, feed_line, feed_name, plain, stamp
from cogs.resources._feature import ResourcesFeature

POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links")
# Option hints: Discord shows them in English (it has no Urdu locale); /help may translate.
SCHEDULE_HELP = N_("daily 10:00, weekly mon,thu 18:00, or cron like 0 9 * * 1-5 (server time zone)")
FEED_HELP = N_("Pick one as you type, or give its number")


def cannot_post(channel: discord.TextChannel) -> str:
    """A warning when the bot lacks what it needs to post embeds in `channel`, else ''."""
    me = channel.guild.me
    if me is None:  # not cached yet: nothing to say
        return ""
    perms = channel.permissions_for(me)
    missing = [p.replace("_", " ").title() for p in POST_PERMISSIONS if not getattr(perms, p)]
    if not missing:
        return ""
    # The permission names stay as Discord's settings show them (in English).
    return "\n" + _(
        "⚠️ I can't post there yet: give me {permissions} in {channel}, or the posts will fail.",
        permissions=", ".join(missing),
        channel=channel.mention,
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
        if autopost.topic:
            text = _(
                "{channel} gets one **{topic}** resource {schedule}.",
                channel=channel.mention,
                topic=plain(autopost.topic),
                schedule=autopost.description,
            )
        else:
            text = _(
                "{channel} gets one resource {schedule}.",
                channel=channel.mention,
                schedule=autopost.description,
            )
        if autopost.next_due_at:
            due = autopost.next_due_at
            text += " " + _(
                "Next post: {at} ({relative}).", at=stamp(due), relative=stamp(due, "R")
            )
        finder = self.resources_feature.resources.finder
        _found, total = await finder.list_resources(guild_id, autopost.topic, per_page=1)
        if not total:
            text += "\n" + _(
                "⚠️ The library has nothing to post yet: nothing goes out until it has."
            )
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
                interaction, _("No autopost schedules yet. Start one with `/resource autopost`.")
            )
            return
        embed = discord.Embed(
            title=_("Autopost schedules"),
            description=column([autopost_line(a) for a in autoposts], 4096, sep="\n\n"),
            colour=FEED_COLOUR,
        )
        embed.set_footer(text=_("Stop one with /resource autopost-stop"))
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
            interaction,
            _(
                "Stopped the autopost in {channel} ({schedule}).",
                channel=channel.mention,
                schedule=stopped.description,
            ),
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
            _(
                "Following **{feed}** (feed #{id}) in {channel}. "
                "What it lists now was noted and won't be posted; new entries appear there "
                "(at most {most} per check, every {interval} minutes).",
                feed=feed_name(feed),
                id=feed.id,
                channel=channel.mention,
                most=MAX_POSTS_PER_POLL,
                interval=interval,
            )
            + cannot_post(channel),
        )

    @app_commands.command(name="feed-list", description="This server's feeds and their health")
    @app_commands.guild_only()
    @organizer_only()
    async def feed_list(self, interaction: discord.Interaction) -> None:
        guild_id = guild_of(interaction).id
        feeds = await self.resources_feature.feeds.subscriptions.in_guild(guild_id)
        if not feeds:
            await reply(interaction, _("No feeds yet. Add one with `/resource feed-add`."))
            return
        interval = await self.resources_feature.feeds.interval.get(guild_id)
        embed = discord.Embed(
            title=_("Feeds"),
            description=column([feed_line(f) for f in feeds], 4096, sep="\n\n"),
            colour=FEED_COLOUR,
        )
        embed.set_footer(
            text=_(
                "Checked every {interval} minutes · failing feeds are retried less often "
                "and turned off after {most} failures in a row",
                interval=interval,
                most=MAX_FAILURES,
            )
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
            _(
                "Stopped following **{feed}** (feed #{id}) in <#{channel}>.",
                feed=feed_name(removed),
                id=removed.id,
                channel=removed.channel_id,
            ),
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
        named = {"feed": feed_name(found), "id": found.id}
        # The organizer's language when the domain says why as a catalogue message.
        said = result.problem.text() if result.problem is not None else result.error
        error = plain(said or _("failed"))
        if result.outcome == "posted":
            text = (
                _n(
                    "Checked **{feed}** (feed #{id}): {n} new entry posted in <#{channel}>.",
                    "Checked **{feed}** (feed #{id}): {n} new entries posted in <#{channel}>.",
                    result.posted,
                    n=result.posted,
                    channel=found.channel_id,
                    **named,
                )
                if result.posted
                else _(
                    "Checked **{feed}** (feed #{id}): nothing new since the last check.", **named
                )
            )
            if result.recorded:
                text += " " + _(
                    "{n} older new one(s) were noted without posting.", n=result.recorded
                )
        elif result.outcome == "unchanged":
            text = _("Checked **{feed}** (feed #{id}): unchanged since the last check.", **named)
        elif result.outcome == "failed":
            failures = (
                await self.resources_feature.feeds.subscriptions.get(guild_id, found.id)
            ).failures
            text = _(
                "Checked **{feed}** (feed #{id}): it {error}. That is {failures} "
                "failed check(s) in a row; after {most} it is turned off.",
                error=error,
                failures=failures,
                most=MAX_FAILURES,
                **named,
            )
        elif result.outcome == "disabled":
            text = _(
                "Checked **{feed}** (feed #{id}): it {error}. That was failure "
                "{most} in a row, so the feed is now turned off and organizers are told.",
                error=error,
                most=MAX_FAILURES,
                **named,
            )
        else:
            text = _(
                "**{feed}** (feed #{id}) is turned off after repeated failures. Run "
                "`/resource feed-add` with the same address and channel to turn it back on.",
                **named,
            )
        await reply(interaction, text)

"""/resource: the library (add, suggest, review, search, list, remove), members' progress
(done, progress, next) and the starter catalogue. Autoposts and feeds are in _channels.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.cooldowns import Limit
from bot.resources import AutopostService, FeedService, Resource, ResourceService, resolve_level
from bot.resources.feeds import feed_session
from bot.resources.jobs import ResourceJobs
from bot.resources.service import MAX_NOTE
from cogs._app import CommunityBot
from cogs._common import is_organizer, organizer_only, reply, truncate
from cogs._paging import Pager
from cogs.resources._channels import ChannelCommands
from cogs.resources._choices import level_choices, resource_choices, topic_choices
from cogs.resources._embeds import (
    PAGE_SIZE,
    next_text,
    page_count,
    plain,
    progress_embed,
    resource_embed,
    results_embed,
)
from cogs.resources._notify import ResourceNotices
from cogs.resources._review import ReviewView

# (page counted from 0, page size) -> (resources on that page, total)
PageFetcher = Callable[[int, int], Awaitable[tuple[list[Resource], int]]]
RESOURCE_HELP = "Pick one as you type, or give its number"
TOPIC_HELP = "One of this server's topics"
LEVEL_HELP = "beginner, intermediate or advanced"
# Members' suggestions (and their adds, which become suggestions); organizers and
# curators are exempt.
SUGGEST_LIMIT = Limit(5, 600, "suggest resources")


class ResourcesCog(
    ChannelCommands,
    commands.GroupCog,
    name="Resources",
    group_name="resource",
    description="AI-learning resources",
):
    feature = "Resources"

    def __init__(
        self,
        bot: CommunityBot,
        resources: ResourceService,
        autoposts: AutopostService,
        feeds: FeedService,
    ) -> None:
        self.bot = bot
        self.resources = resources
        self.autoposts = autoposts
        self.feeds = feeds
        self.http_session: aiohttp.ClientSession | None = None
        self.jobs = ResourceJobs(
            bot.scheduler, autoposts, feeds, session=self.http, on_enqueued=bot.delivery.kick
        )
        # Rebuilders run once every cog is loaded: autopost jobs and the feed poller.
        bot.scheduler.add_rebuilder("resources", self.jobs.rebuild)
        self.notices = ResourceNotices(bot, resources)
        super().__init__()

    # --- life cycle ------------------------------------------------------------
    def http(self) -> aiohttp.ClientSession:
        """The feed fetcher's own session: public addresses only, unless the self-hoster
        set FEEDS_ALLOW_PRIVATE_NETWORKS (bot/resources/netguard.py)."""
        if self.http_session is None or self.http_session.closed:
            self.http_session = feed_session(
                allow_private_networks=self.bot.settings.feeds_allow_private_networks
            )
        return self.http_session

    async def cog_load(self) -> None:
        self.http()

    async def cog_unload(self) -> None:
        if self.bot.scheduler.running:
            for job_id in self.bot.scheduler.job_ids("resource"):
                self.bot.scheduler.cancel(job_id)
        if self.http_session is not None:
            await self.http_session.close()

    async def settings_section(self, guild: discord.Guild) -> tuple[str, list[tuple[str, str]]]:
        taxonomy = self.resources.taxonomy
        autoposts = await self.autoposts.list_autoposts(guild.id)
        feeds = await self.feeds.list_feeds(guild.id)
        paused = sum(a.paused for a in autoposts)
        failing = sum(f.status == "failing" for f in feeds)
        disabled = sum(f.status == "disabled" for f in feeds)
        curator = (await self.bot.guild_settings.get(guild.id)).curator_role_id
        curators = (
            f"members with <@&{curator}> add resources without review"
            if curator
            else "no curator role: only organizers add resources without review"
        )
        return "Resources", [
            ("Topics", ", ".join(await taxonomy.topics(guild.id))),
            ("Feeds checked every", f"{await taxonomy.feed_interval(guild.id)} minutes"),
            ("Autoposts", f"{len(autoposts) - paused} running, {paused} paused"),
            ("Feeds", f"{len(feeds)} ({failing} failing, {disabled} turned off)"),
            ("Curators", curators),
        ]

    async def _is_curator(self, interaction: discord.Interaction) -> bool:
        """A member with the guild's curator role (/settings curator-role)."""
        member = interaction.user
        if interaction.guild is None or not isinstance(member, discord.Member):
            return False
        role_id = (await self.bot.guild_settings.get(interaction.guild.id)).curator_role_id
        return role_id is not None and any(r.id == role_id for r in member.roles)

    async def _adds_directly(self, interaction: discord.Interaction) -> str | None:
        """'organizer' or 'curator' for who may add to the library without review, else None."""
        if await is_organizer(interaction):
            return "organizer"
        if await self._is_curator(interaction):
            return "curator"
        return None

    def _count_suggestion(self, interaction: discord.Interaction) -> None:
        """A member's suggestion counts against SUGGEST_LIMIT (TooSoon says when to retry)."""
        self.bot.cooldowns.check(SUGGEST_LIMIT, interaction.guild_id, interaction.user.id)

    async def _resource(self, interaction: discord.Interaction, text: str) -> Resource:
        assert interaction.guild_id is not None
        return await self.resources.resolve(interaction.guild_id, text)

    # --- the library ---------------------------------------------------------------
    @app_commands.command(
        name="add", description="Add a resource to the library (a member's goes to review first)"
    )
    @app_commands.describe(
        url="The page's https:// address",
        title="Up to 200 characters",
        topic=TOPIC_HELP,
        level=LEVEL_HELP,
        description="One or two sentences on what it teaches",
    )
    @app_commands.autocomplete(topic=topic_choices, level=level_choices)
    @app_commands.guild_only()
    async def add(
        self,
        interaction: discord.Interaction,
        url: str,
        title: str,
        topic: str,
        level: str,
        description: str | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        who = await self._adds_directly(interaction)
        if who is None:  # a member's link goes to the review queue, like /resource suggest
            await self._suggest_instead(interaction, url, title, topic, level, description)
            return
        added = await self.resources.add(
            guild_id,
            url,
            title,
            topic,
            level,
            interaction.user.id,
            description,
            may_overrule_decline=who == "organizer",
        )
        await reply(
            interaction,
            f"Added **{plain(truncate(added.title, 200))}** (#{added.id}) to the library as "
            f"{added.topic} · {added.level}.",
            embed=resource_embed(added),
        )

    async def _suggest_instead(
        self,
        interaction: discord.Interaction,
        url: str,
        title: str,
        topic: str,
        level: str,
        description: str | None,
    ) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        # The same refusals as an organizer's add, before the member's allowance is used.
        topic_name = await self.resources.taxonomy.resolve_topic(guild_id, topic)
        level_name = resolve_level(level)
        self._count_suggestion(interaction)
        note = f"Suggested as {topic_name} · {level_name}."
        if description and description.strip():
            note += " " + " ".join(description.split())
        suggestion = await self.resources.suggest(
            guild_id, interaction.user.id, url, title, truncate(note, MAX_NOTE)
        )
        await reply(
            interaction,
            "Only organizers and curators add to the library directly, so "
            f"**{plain(truncate(suggestion.title, 200))}** is in the review queue "
            f"(suggestion #{suggestion.id}). I'll DM you when an organizer has looked at it.",
        )

    @app_commands.command(name="suggest", description="Suggest a resource for the library")
    @app_commands.describe(
        url="The page's https:// address",
        title="What it is called (default: taken from the link)",
        note="Why it is good, for the organizers",
    )
    @app_commands.guild_only()
    async def suggest(
        self,
        interaction: discord.Interaction,
        url: str,
        title: str | None = None,
        note: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        if await self._adds_directly(interaction) is None:
            self._count_suggestion(interaction)
        suggestion = await self.resources.suggest(
            interaction.guild_id, interaction.user.id, url, title, note
        )
        await reply(
            interaction,
            f"Thanks! **{plain(truncate(suggestion.title, 200))}** is in the review queue "
            f"(suggestion #{suggestion.id}). I'll DM you when an organizer has looked at it.",
        )

    @app_commands.command(name="review", description="Approve or decline suggested resources")
    @app_commands.guild_only()
    @organizer_only()
    async def review(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        current = await self.resources.next_pending(interaction.guild_id)
        if current is None:
            await reply(
                interaction,
                "No suggestions are waiting for review. Members send them with /resource suggest.",
            )
            return
        view = ReviewView(
            self.resources,
            interaction.guild_id,
            interaction.user.id,
            current,
            await self.resources.taxonomy.topics(interaction.guild_id),
            interaction,
            self.bot.delivery.kick,
        )
        await reply(interaction, **await view.message())

    @app_commands.command(name="search", description="Search the library")
    @app_commands.describe(
        query="Words to look for (the start of a word is enough)",
        topic=TOPIC_HELP,
        level=LEVEL_HELP,
    )
    @app_commands.autocomplete(topic=topic_choices, level=level_choices)
    @app_commands.guild_only()
    async def search(
        self,
        interaction: discord.Interaction,
        query: str,
        topic: str | None = None,
        level: str | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        topic, level = await self._filter_names(guild_id, topic, level)

        async def fetch(page: int, per_page: int) -> tuple[list[Resource], int]:
            return await self.resources.search(guild_id, query, topic, level, page, per_page)

        shown = plain(truncate(" ".join(query.split()), 80))
        await self._pages(
            interaction,
            f"Search: {' '.join(query.split())}",
            fetch,
            empty=f"Nothing in the library matches “{shown}”{_filters(topic, level)}. "
            "Try other or fewer words, or browse everything with `/resource list`.",
        )

    @app_commands.command(name="list", description="Browse the library, newest first")
    @app_commands.describe(topic=TOPIC_HELP, level=LEVEL_HELP)
    @app_commands.autocomplete(topic=topic_choices, level=level_choices)
    @app_commands.guild_only()
    async def list_(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        level: str | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        topic, level = await self._filter_names(guild_id, topic, level)

        async def fetch(page: int, per_page: int) -> tuple[list[Resource], int]:
            return await self.resources.list_resources(guild_id, topic, level, page, per_page)

        if topic or level:
            empty = f"The library has nothing{_filters(topic, level)} yet. Try `/resource list`."
        else:
            empty = (
                "The library is empty so far. Organizers can fill it with "
                "`/resource import-starter` or `/resource add`; anyone can `/resource suggest`."
            )
        await self._pages(interaction, f"Library{_filters(topic, level)}", fetch, empty=empty)

    async def _filter_names(
        self, guild_id: int, topic: str | None, level: str | None
    ) -> tuple[str | None, str | None]:
        """The topic and level as stored (or a refusal naming what works), before paging."""
        if topic and topic.strip():
            topic = await self.resources.taxonomy.resolve_topic(guild_id, topic)
        return topic or None, resolve_level(level) if level and level.strip() else None

    async def _pages(
        self, interaction: discord.Interaction, title: str, fetch: PageFetcher, *, empty: str
    ) -> None:
        async def render(page: int) -> tuple[discord.Embed, int]:
            resources, total = await fetch(page, PAGE_SIZE)
            embed = results_embed(title, resources, page, total, hint="/resource done marks one")
            return embed, page_count(total)

        if (await fetch(0, PAGE_SIZE))[1] == 0:
            await reply(interaction, empty)
            return
        await Pager(render, interaction).send()

    @app_commands.command(name="remove", description="Remove a resource from the library")
    @app_commands.describe(resource=RESOURCE_HELP)
    @app_commands.autocomplete(resource=resource_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def remove(self, interaction: discord.Interaction, resource: str) -> None:
        assert interaction.guild_id is not None
        found = await self._resource(interaction, resource)
        removed = await self.resources.remove(interaction.guild_id, found.id)
        await reply(
            interaction,
            f"Removed **{plain(truncate(removed.title, 200))}** (#{removed.id}) from the library.",
        )

    @app_commands.command(name="import-starter", description="Add the starter catalogue")
    @app_commands.guild_only()
    @organizer_only()
    async def import_starter(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        result = await self.resources.import_starter(interaction.guild_id, interaction.user.id)
        await reply(
            interaction,
            f"Imported {result.added} of the {result.total} starter resources"
            + (f" ({result.skipped} were already here)." if result.skipped else ".")
            + " Browse them with `/resource list`.",
        )

    # --- members' progress -----------------------------------------------------------
    @app_commands.command(name="done", description="Mark a resource as worked through")
    @app_commands.describe(resource=RESOURCE_HELP)
    @app_commands.autocomplete(resource=resource_choices)
    @app_commands.guild_only()
    async def done(self, interaction: discord.Interaction, resource: str) -> None:
        assert interaction.guild_id is not None
        found = await self._resource(interaction, resource)
        changed = await self.resources.mark_done(
            interaction.guild_id, interaction.user.id, found.id
        )
        title = plain(truncate(found.title, 200))
        await reply(
            interaction,
            f"Well done! **{title}** is marked as done. See `/resource progress`, "
            "or get another with `/resource next`."
            if changed
            else f"**{title}** was already marked as done. Nothing changed.",
        )

    @app_commands.command(name="progress", description="Your progress per topic (only you see it)")
    @app_commands.guild_only()
    async def progress(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        rows = await self.resources.progress(interaction.guild_id, interaction.user.id)
        if not rows:
            await reply(interaction, "The library is empty so far, so there is nothing to track.")
            return
        await reply(interaction, embed=progress_embed(interaction.user, rows))

    @app_commands.command(name="next", description="The next resource for you, at your level")
    @app_commands.describe(topic="Look in this topic (default: the one you've done most in)")
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.guild_only()
    async def next_(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        pick = await self.resources.next_for(guild_id, interaction.user.id, topic)
        if pick.resource is None:
            _, total = await self.resources.list_resources(guild_id, per_page=1)
            if not total:
                await reply(interaction, "The library is empty so far: nothing to suggest yet.")
                return
            await reply(interaction, next_text(pick))
            return
        await reply(interaction, next_text(pick), embed=resource_embed(pick.resource))


def _filters(topic: str | None, level: str | None) -> str:
    parts = [plain(p) for p in (topic, level) if p]
    return f" in {' · '.join(parts)}" if parts else ""

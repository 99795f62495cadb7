"""/resource: the library (add, suggest, review, search, list, remove), members' progress
(done, progress, next) and the starter catalogue; right-click a message → Suggest as
resource. Autoposts and feeds are in _channels.py.

The cog is the commands only: its work is ResourcesFeature's (cogs/resources/_feature.py),
passed in its constructor, and the domain services that feature holds.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.cooldowns import Limit
from bot.i18n import N_, _, speaking
from bot.resources import Resource, resolve_level
from bot.resources.from_message import suggestion_from_message
from bot.resources.records import MAX_NOTE
from cogs._app import CommunityBot
from cogs._common import guild_of, is_organizer, organizer_only, reply, truncate
from cogs.resources._channels import ChannelCommands
from cogs.resources._choices import level_choices, resource_choices, topic_choices
from cogs.resources._embeds import level_name, next_text, plain, progress_embed, resource_embed
from cogs.resources._feature import ResourcesFeature

# Option hints: Discord shows them in English (it has no Urdu locale).
RESOURCE_HELP = N_("Pick one as you type, or give its number")
TOPIC_HELP = N_("One of this server's topics")
LEVEL_HELP = N_("beginner, intermediate or advanced")
# Members' suggestions (and their adds, which become suggestions); organizers and
# curators are exempt. `what` is marked for the refusal (bot/cooldowns.py).
SUGGEST_LIMIT = Limit(5, 600, N_("suggest resources"))
# The context menu's name: Discord shows it as it is (no Urdu locale).
SUGGEST_MENU = N_("Suggest as resource")


class ResourcesCog(
    ChannelCommands,
    commands.GroupCog,
    name="Resources",
    group_name="resource",
    description="AI-learning resources",
):
    feature = N_("Resources")  # /help's section title (translated there)

    def __init__(self, bot: CommunityBot, feature: ResourcesFeature) -> None:
        self.bot = bot
        self.resources_feature = feature
        self.resources = feature.resources  # the library's domain front
        super().__init__()
        # A context menu can't be a method of a cog: it joins the tree while the cog is
        # loaded (before the start-up sync, so it is synced with the slash commands).
        self.suggest_menu = app_commands.guild_only(
            app_commands.ContextMenu(name=SUGGEST_MENU, callback=self.suggest_message)
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.suggest_menu)
        await self.resources_feature.start()

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(SUGGEST_MENU, type=discord.AppCommandType.message)
        await self.resources_feature.stop()

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
        guild_id = guild_of(interaction).id
        who = await self._adds_directly(interaction)
        if who is None:  # a member's link goes to the review queue, like /resource suggest
            await self._suggest_instead(interaction, url, title, topic, level, description)
            return
        added = await self.resources.library.add(
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
            _(
                "Added **{title}** (#{id}) to the library as {topic} · {level}.",
                title=plain(truncate(added.title, 200)),
                id=added.id,
                topic=added.topic,
                level=level_name(added.level) if added.level else added.level,
            ),
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
        guild_id = guild_of(interaction).id
        # The same refusals as an organizer's add, before the member's allowance is used.
        topic_name = await self.resources.taxonomy.resolve_topic(guild_id, topic)
        level = resolve_level(level)
        self._count_suggestion(interaction)
        # Kept with the suggestion for the organizers who review it: the server's language.
        with speaking(await self.bot.languages.of_server(guild_id)):
            note = _("Suggested as {topic} · {level}.", topic=topic_name, level=level_name(level))
        if description and description.strip():
            note += " " + " ".join(description.split())
        suggestion = await self.resources.library.suggest(
            guild_id, interaction.user.id, url, title, truncate(note, MAX_NOTE)
        )
        await reply(
            interaction,
            _(
                "Only organizers and curators add to the library directly, so "
                "**{title}** is in the review queue (suggestion #{id}). "
                "I'll DM you when an organizer has looked at it.",
                title=plain(truncate(suggestion.title, 200)),
                id=suggestion.id,
            ),
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
        guild_id = guild_of(interaction).id
        if await self._adds_directly(interaction) is None:
            self._count_suggestion(interaction)
        suggestion = await self.resources.library.suggest(
            guild_id, interaction.user.id, url, title, note
        )
        await _thank(interaction, suggestion)

    async def suggest_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Right-click a message → Suggest as resource: its first link goes to the review
        queue with the message as the note, by the member who clicked, under the same
        rules as /resource suggest (no title: it is taken from the link)."""
        guild_id = guild_of(interaction).id
        link, note = suggestion_from_message(message.content)
        if await self._adds_directly(interaction) is None:
            self._count_suggestion(interaction)
        suggestion = await self.resources.library.suggest(
            guild_id, interaction.user.id, link, None, note
        )
        await _thank(interaction, suggestion)

    @app_commands.command(name="review", description="Approve or decline suggested resources")
    @app_commands.guild_only()
    @organizer_only()
    async def review(self, interaction: discord.Interaction) -> None:
        view = await self.resources_feature.open_review(
            guild_of(interaction).id, interaction.user.id, interaction
        )
        if view is None:
            await reply(
                interaction,
                _(
                    "No suggestions are waiting for review. "
                    "Members send them with /resource suggest."
                ),
            )
            return
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
        guild_id = guild_of(interaction).id
        topic, level = await self._filter_names(guild_id, topic, level)

        async def fetch(page: int, per_page: int) -> tuple[list[Resource], int]:
            return await self.resources.finder.search(guild_id, query, topic, level, page, per_page)

        shown = plain(truncate(" ".join(query.split()), 80))
        where = _filters(topic, level)
        if where:
            empty = _(
                "Nothing in the library matches “{query}” in {filters}. "
                "Try other or fewer words, or browse everything with `/resource list`.",
                query=shown,
                filters=where,
            )
        else:
            empty = _(
                "Nothing in the library matches “{query}”. "
                "Try other or fewer words, or browse everything with `/resource list`.",
                query=shown,
            )
        await self.resources_feature.send_pages(
            interaction,
            _("Search: {query}", query=" ".join(query.split())),
            fetch,
            empty=empty,
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
        guild_id = guild_of(interaction).id
        topic, level = await self._filter_names(guild_id, topic, level)

        async def fetch(page: int, per_page: int) -> tuple[list[Resource], int]:
            return await self.resources.finder.list_resources(
                guild_id, topic, level, page, per_page
            )

        where = _filters(topic, level)
        if where:
            empty = _(
                "The library has nothing in {filters} yet. Try `/resource list`.", filters=where
            )
            title = _("Library in {filters}", filters=where)
        else:
            empty = _(
                "The library is empty so far. Organizers can fill it with "
                "`/resource import-starter` or `/resource add`; anyone can `/resource suggest`."
            )
            title = _("Library")
        await self.resources_feature.send_pages(interaction, title, fetch, empty=empty)

    async def _filter_names(
        self, guild_id: int, topic: str | None, level: str | None
    ) -> tuple[str | None, str | None]:
        """The topic and level as stored (or a refusal naming what works), before paging."""
        if topic and topic.strip():
            topic = await self.resources.taxonomy.resolve_topic(guild_id, topic)
        return topic or None, resolve_level(level) if level and level.strip() else None

    @app_commands.command(name="remove", description="Remove a resource from the library")
    @app_commands.describe(resource=RESOURCE_HELP)
    @app_commands.autocomplete(resource=resource_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def remove(self, interaction: discord.Interaction, resource: str) -> None:
        guild_id = guild_of(interaction).id
        found = await self.resources.finder.resolve(guild_id, resource)
        removed = await self.resources.library.remove(guild_id, found.id)
        await reply(
            interaction,
            _(
                "Removed **{title}** (#{id}) from the library.",
                title=plain(truncate(removed.title, 200)),
                id=removed.id,
            ),
        )

    @app_commands.command(name="import-starter", description="Add the starter catalogue")
    @app_commands.guild_only()
    @organizer_only()
    async def import_starter(self, interaction: discord.Interaction) -> None:
        result = await self.resources.library.import_starter(
            guild_of(interaction).id, interaction.user.id
        )
        if result.skipped:
            text = _(
                "Imported {added} of the {total} starter resources ({skipped} were already "
                "here). Browse them with `/resource list`.",
                added=result.added,
                total=result.total,
                skipped=result.skipped,
            )
        else:
            text = _(
                "Imported {added} of the {total} starter resources. "
                "Browse them with `/resource list`.",
                added=result.added,
                total=result.total,
            )
        await reply(interaction, text)

    # --- members' progress -----------------------------------------------------------
    @app_commands.command(name="done", description="Mark a resource as worked through")
    @app_commands.describe(resource=RESOURCE_HELP)
    @app_commands.autocomplete(resource=resource_choices)
    @app_commands.guild_only()
    async def done(self, interaction: discord.Interaction, resource: str) -> None:
        guild_id = guild_of(interaction).id
        found = await self.resources.finder.resolve(guild_id, resource)
        changed = await self.resources.progress.mark_done(guild_id, interaction.user.id, found.id)
        title = plain(truncate(found.title, 200))
        await reply(
            interaction,
            _(
                "Well done! **{title}** is marked as done. See `/resource progress`, "
                "or get another with `/resource next`.",
                title=title,
            )
            if changed
            else _("**{title}** was already marked as done. Nothing changed.", title=title),
        )

    @app_commands.command(name="progress", description="Your progress per topic (only you see it)")
    @app_commands.guild_only()
    async def progress(self, interaction: discord.Interaction) -> None:
        rows = await self.resources.progress.per_topic(
            guild_of(interaction).id, interaction.user.id
        )
        if not rows:
            await reply(
                interaction, _("The library is empty so far, so there is nothing to track.")
            )
            return
        await reply(interaction, embed=progress_embed(interaction.user, rows))

    @app_commands.command(name="next", description="The next resource for you, at your level")
    @app_commands.describe(topic="Look in this topic (default: the one you've done most in)")
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.guild_only()
    async def next_(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        guild_id = guild_of(interaction).id
        pick = await self.resources.progress.next_for(guild_id, interaction.user.id, topic)
        if pick.resource is None:
            _found, total = await self.resources.finder.list_resources(guild_id, per_page=1)
            if not total:
                await reply(interaction, _("The library is empty so far: nothing to suggest yet."))
                return
            await reply(interaction, next_text(pick))
            return
        await reply(interaction, next_text(pick), embed=resource_embed(pick.resource))


def _filters(topic: str | None, level: str | None) -> str:
    """The search's filters as `topic · level` (either may be missing), or ''."""
    parts = [plain(topic) if topic else "", plain(level_name(level)) if level else ""]
    return " · ".join(p for p in parts if p)


async def _thank(interaction: discord.Interaction, suggestion: Resource) -> None:
    await reply(
        interaction,
        _(
            "Thanks! **{title}** is in the review queue (suggestion #{id}). "
            "I'll DM you when an organizer has looked at it.",
            title=plain(truncate(suggestion.title, 200)),
            id=suggestion.id,
        ),
    )

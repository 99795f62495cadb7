"""What the resource feature owes Discord, rendered from the outbox.

One renderer per kind, each reading its typed payload (bot/resources/messages.py):
`SuggestionApproved` / `SuggestionRejected` (DM to the suggester), `AutopostPost` and
`FeedEntryPost` (channel posts). A paused autopost or a turned-off feed is told to the
organizers in their own channel (bot/organizer_notices.py); kinds older versions sent
to a public channel are dropped by the deliverer itself (bot/kinds.py RETIRED). Text
from members and feeds is cut to Discord's limits; the deliverer sends with
AllowedMentions.none(), so nothing here pings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot import outbox
from bot.errors import NotFound
from bot.i18n import _
from bot.kinds import Kind
from bot.resources import ResourceService
from bot.resources.messages import (
    AutopostPost,
    FeedEntryPost,
    SuggestionApproved,
    SuggestionRejected,
)
from cogs._common import truncate
from cogs.resources._embeds import COLOUR, FEED_COLOUR, level_name, level_text, plain, stamp

if TYPE_CHECKING:
    from cogs._app import CommunityBot

SUMMARY_LIMIT = 300


def _guild_name(bot: CommunityBot, guild_id: int) -> str:
    guild = bot.get_guild(guild_id)
    return plain(truncate(guild.name, 100)) if guild else _("the server")


def library_post(post: AutopostPost) -> discord.Embed:
    """An autopost: the resource's card with a hint to track it."""
    embed = discord.Embed(
        title=truncate(post.title or _("Untitled"), 256),
        url=post.url or None,
        description=truncate(post.description or "", 4096) or None,
        colour=COLOUR,
    )
    embed.add_field(name=_("Topic"), value=truncate(post.topic or "—", 1024))
    embed.add_field(name=_("Level"), value=level_text(post.level))
    if post.tick_at:
        embed.add_field(name=_("Posted"), value=stamp(post.tick_at))
    embed.set_footer(
        text=_(
            "Resource #{id} · worked through it? /resource done resource:{id}",
            id=post.resource_id,
        )
    )
    return embed


def feed_post(post: FeedEntryPost) -> discord.Embed:
    """A new feed entry: title linking it, its summary, topic · level, published time."""
    embed = discord.Embed(
        title=truncate(post.title or _("(untitled)"), 256),
        url=post.link or None,
        description=truncate(post.summary or "", SUMMARY_LIMIT) or None,
        colour=FEED_COLOUR,
    )
    if post.topic:
        embed.add_field(name=_("Topic"), value=truncate(post.topic, 1024))
    if post.level:
        embed.add_field(name=_("Level"), value=level_text(post.level))
    if post.published:
        embed.add_field(
            name=_("Published"), value=f"{stamp(post.published)} ({stamp(post.published, 'R')})"
        )
    footer = post.feed_title or _("Feed")
    if post.resource_id:
        footer = _("{feed} · in the library as #{id}", feed=footer, id=post.resource_id)
    embed.set_footer(text=truncate(footer, 2048))
    return embed


class ResourceNotices:
    def __init__(self, bot: CommunityBot, resources: ResourceService) -> None:
        self.bot = bot
        self.resources = resources
        delivery = bot.delivery
        delivery.register(Kind.RESOURCE_SUGGESTION_APPROVED, self._approved)
        delivery.register(Kind.RESOURCE_SUGGESTION_REJECTED, self._rejected)
        delivery.register(Kind.RESOURCE_AUTOPOST, self._autopost)
        delivery.register(Kind.RESOURCE_FEED_ENTRY, self._feed_entry)

    async def _approved(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        approved = item.expect(SuggestionApproved)
        title = plain(truncate(approved.title or "", 200))
        return {
            "content": _(
                "Thanks! Your suggestion **{title}** was approved and is now in "
                "{server}'s library as {topic} · {level} (resource #{id}).",
                title=title,
                server=_guild_name(self.bot, item.guild_id),
                topic=approved.topic,
                level=level_name(approved.level),
                id=approved.resource_id,
            ),
        }

    async def _rejected(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        rejected = item.expect(SuggestionRejected)
        title = plain(truncate(rejected.title or "", 200))
        text = _(
            "Thanks for suggesting **{title}** in {server}. "
            "The organizers decided not to add it to the library this time.",
            title=title,
            server=_guild_name(self.bot, item.guild_id),
        )
        if rejected.reason:
            text += "\n" + _("Their note: {note}", note=plain(truncate(rejected.reason, 1000)))
        return {"content": text}

    async def _autopost(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        post = item.expect(AutopostPost)
        try:  # removed from the library after the tick: post nothing
            await self.resources.library.get(item.guild_id, post.resource_id)
        except NotFound:
            return None
        return {"embed": library_post(post)}

    async def _feed_entry(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        return {"embed": feed_post(item.expect(FeedEntryPost))}

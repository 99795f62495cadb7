"""What the resource feature owes Discord, rendered from the outbox.

Kinds: `resource.suggestion_approved` / `resource.suggestion_rejected` (DM to the
suggester), `resource.autopost` and `resource.feed_entry` (channel posts).
A paused autopost or a turned-off feed is told to the organizers in their own
channel (bot/organizer_notices.py); the kinds that once went to the public
announcements channel (`resource.autopost_paused`, `resource.feed_disabled`) are
dropped if any are still queued. Text from members and feeds is cut to Discord's
limits; the deliverer sends with AllowedMentions.none(), so nothing here pings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot import outbox
from bot.errors import NotFound
from bot.resources import ResourceService
from cogs._common import truncate
from cogs.resources._embeds import COLOUR, FEED_COLOUR, level_text, plain, ts

if TYPE_CHECKING:
    from cogs._app import CommunityBot

SUMMARY_LIMIT = 300
# Organizer notices that once went to a public channel (see the module docstring).
RETIRED_KINDS = ("resource.autopost_paused", "resource.feed_disabled")


def _guild_name(bot: CommunityBot, guild_id: int) -> str:
    guild = bot.get_guild(guild_id)
    return plain(truncate(guild.name, 100)) if guild else "the server"


def library_post(payload: dict[str, Any]) -> discord.Embed:
    """An autopost: the resource's card with a hint to track it."""
    embed = discord.Embed(
        title=truncate(str(payload.get("title") or "Untitled"), 256),
        url=payload.get("url") or None,
        description=truncate(str(payload.get("description") or ""), 4096) or None,
        colour=COLOUR,
    )
    embed.add_field(name="Topic", value=truncate(str(payload.get("topic") or "—"), 1024))
    embed.add_field(name="Level", value=level_text(payload.get("level")))
    if payload.get("tick_at"):
        embed.add_field(name="Posted", value=ts(int(payload["tick_at"])))
    resource_id = payload.get("resource_id")
    embed.set_footer(
        text=f"Resource #{resource_id} · worked through it? /resource done resource:{resource_id}"
    )
    return embed


def feed_post(payload: dict[str, Any]) -> discord.Embed:
    """A new feed entry: title linking it, its summary, topic · level, published time."""
    summary = str(payload.get("summary") or "")
    embed = discord.Embed(
        title=truncate(str(payload.get("title") or "(untitled)"), 256),
        url=payload.get("link") or None,
        description=truncate(summary, SUMMARY_LIMIT) or None,
        colour=FEED_COLOUR,
    )
    if payload.get("topic"):
        embed.add_field(name="Topic", value=truncate(str(payload["topic"]), 1024))
    if payload.get("level"):
        embed.add_field(name="Level", value=level_text(payload["level"]))
    if payload.get("published"):
        published = int(payload["published"])
        embed.add_field(name="Published", value=f"{ts(published)} ({ts(published, 'R')})")
    footer = str(payload.get("feed_title") or "Feed")
    if payload.get("resource_id"):
        footer += f" · in the library as #{payload['resource_id']}"
    embed.set_footer(text=truncate(footer, 2048))
    return embed


class ResourceNotices:
    def __init__(self, bot: CommunityBot, resources: ResourceService) -> None:
        self.bot = bot
        self.resources = resources
        delivery = bot.delivery
        delivery.register("resource.suggestion_approved", self._approved)
        delivery.register("resource.suggestion_rejected", self._rejected)
        delivery.register("resource.autopost", self._autopost)
        delivery.register("resource.feed_entry", self._feed_entry)
        for retired in RETIRED_KINDS:
            delivery.register(retired, self._retired)

    async def _approved(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        p = item.payload
        title = plain(truncate(str(p.get("title") or ""), 200))
        return {
            "content": f"Thanks! Your suggestion **{title}** was approved and is now in "
            f"{_guild_name(self.bot, item.guild_id)}'s library as {p.get('topic')} · "
            f"{p.get('level')} (resource #{p.get('resource_id')}).",
        }

    async def _rejected(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        p = item.payload
        title = plain(truncate(str(p.get("title") or ""), 200))
        text = (
            f"Thanks for suggesting **{title}** in {_guild_name(self.bot, item.guild_id)}. "
            "The organizers decided not to add it to the library this time."
        )
        if p.get("reason"):
            text += f"\nTheir note: {plain(truncate(str(p['reason']), 1000))}"
        return {"content": text}

    async def _autopost(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        try:  # removed from the library after the tick: post nothing
            await self.resources.get(item.guild_id, int(item.payload["resource_id"]))
        except (NotFound, KeyError, ValueError):
            return None
        return {"embed": library_post(item.payload)}

    async def _feed_entry(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        return {"embed": feed_post(item.payload)}

    async def _retired(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        return None  # queued before notices moved to the organizers' channel: drop it

"""Keeping what Discord shows in step with the database: the announcement message
(edits coalesced), the native scheduled event, and the event's role."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import discord

from bot.errors import NotFound
from bot.events import Event, EventService
from cogs._common import NO_PINGS, truncate
from cogs.events._embeds import event_embed
from cogs.events._views import announcement_view

if TYPE_CHECKING:
    from bot.app import CommunityBot

log = logging.getLogger(__name__)
EDIT_INTERVAL = 2.0  # at most one edit of an announcement per this many seconds


class Announcements:
    def __init__(self, bot: CommunityBot, events: EventService) -> None:
        self.bot = bot
        self.events = events
        self._last_edit: dict[int, float] = {}
        self._pending: dict[int, asyncio.Task[None]] = {}
        self.edits = 0  # for benchmarks: how many announcement edits were made

    async def post(self, event: Event, channel: discord.abc.Messageable) -> discord.Message:
        """Post the announcement and remember where it is (raises discord.Forbidden)."""
        message = await channel.send(
            embed=event_embed(event),
            view=announcement_view(event.id, cancelled=event.cancelled),
            allowed_mentions=NO_PINGS,
        )
        await self.events.set_message(event.id, message.channel.id, message.id)
        self._last_edit[event.id] = time.monotonic()
        return message

    def refresh_soon(self, event_id: int) -> None:
        """Counts changed: edit the announcement, at most once per EDIT_INTERVAL."""
        if event_id in self._pending:
            return  # an edit is already coming and will read the latest counts
        wait = self._last_edit.get(event_id, 0) + EDIT_INTERVAL - time.monotonic()
        self._pending[event_id] = asyncio.create_task(self._edit_later(event_id, max(0.0, wait)))

    async def _edit_later(self, event_id: int, wait: float) -> None:
        await asyncio.sleep(wait)
        self._pending.pop(event_id, None)
        self._last_edit[event_id] = time.monotonic()
        try:
            await self.refresh_now(event_id)
        except Exception:
            log.exception("could not update the announcement of event %s", event_id)

    async def refresh_now(self, event_id: int, guild_id: int | None = None) -> None:
        try:
            event = await self.events.get(
                guild_id or await self.events.guild_of(event_id), event_id
            )
        except NotFound:
            return  # the event is gone: nothing to update
        if not (event.channel_id and event.message_id):
            return
        message = self.bot.get_partial_messageable(event.channel_id).get_partial_message(
            event.message_id
        )
        try:
            await message.edit(
                embed=event_embed(event),
                view=announcement_view(event.id, cancelled=event.cancelled),
                allowed_mentions=NO_PINGS,
            )
            self.edits += 1
        except discord.NotFound:
            log.warning("announcement of event %s was deleted; not updating it", event_id)

    async def flush(self) -> None:
        """Wait for pending edits (used at shutdown)."""
        for task in list(self._pending.values()):
            task.cancel()

    # --- Discord's own scheduled event --------------------------------------
    async def create_scheduled(self, guild: discord.Guild, event: Event) -> str | None:
        """Mirror the event as a Discord scheduled event; returns a note for the organizer."""
        if not guild.me.guild_permissions.manage_events:
            return (
                "I didn't create a Discord scheduled event: give me the Manage Events "
                "permission and new events will appear in the server's Events list too."
            )
        try:
            scheduled = await guild.create_scheduled_event(
                name=truncate(event.title, 100),
                start_time=event.starts,
                end_time=event.ends,
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                location=truncate(event.location, 100),
                description=truncate(event.description or "", 1000),
            )
        except discord.HTTPException as exc:
            log.warning("could not create scheduled event for %s: %s", event.id, exc)
            return "I couldn't create the Discord scheduled event; the event works without it."
        await self.events.set_scheduled_event(event.id, scheduled.id)
        return None

    async def sync_scheduled(self, guild: discord.Guild, event: Event) -> None:
        """Keep the scheduled event in step after an edit or a cancel."""
        if not event.scheduled_event_id:
            return
        try:
            scheduled = guild.get_scheduled_event(
                event.scheduled_event_id
            ) or await guild.fetch_scheduled_event(event.scheduled_event_id)
            if event.cancelled:
                await scheduled.cancel()
            else:
                await scheduled.edit(
                    name=truncate(event.title, 100),
                    start_time=event.starts,
                    end_time=event.ends,
                    location=truncate(event.location, 100),
                    description=truncate(event.description or "", 1000),
                )
        except discord.HTTPException as exc:
            log.warning("could not update scheduled event of %s: %s", event.id, exc)

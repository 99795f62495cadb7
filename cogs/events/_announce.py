"""Keeping what Discord shows in step with the database: the announcement message
(edits coalesced), its thread (cogs/events/_threads.py) and the native scheduled event,
mended after a crash."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import discord

from bot.errors import NotFound
from bot.events import Event, EventService
from bot.events.posting import PendingPost
from bot.events.store import Turns
from bot.i18n import N_, _, speaking
from cogs._common import NO_PINGS, truncate
from cogs.events._embeds import event_embed
from cogs.events._threads import EventThreadKeeper
from cogs.events._views import announcement_view

if TYPE_CHECKING:
    from cogs._app import CommunityBot

log = logging.getLogger(__name__)
EDIT_INTERVAL = 2.0  # at most one edit of an announcement per this many seconds
MISSING_PERMS = N_("View Channel, Send Messages and Embed Links")


class Announcements:
    def __init__(self, bot: CommunityBot, events: EventService, threads: EventThreadKeeper) -> None:
        self.bot = bot
        self.events = events
        self.threads = threads
        self._last_edit: dict[int, float] = {}
        self._pending: dict[int, asyncio.Task[None]] = {}
        self.edits = 0  # for benchmarks: how many announcement edits were made
        self.started_at = int(time.time())  # intents older than this predate the process
        # One poster per event at a time: a series job announcing an occurrence it just
        # made, and the start-up reconcile mending the same intent (marked in the start's
        # own second, so it looks like a dead process's), take turns and check first.
        self._posting = Turns()

    async def post(
        self, event: Event, channel: discord.abc.Messageable
    ) -> tuple[discord.Message, str | None]:
        """Post the announcement, remember where it is and open its thread when the guild
        wants one (raises discord.Forbidden); also returns a note when the thread failed.

        The intent is marked first (a new event carries it from its creation): a crash
        between Discord taking the post and the record, or before the thread's record,
        is mended by `reconcile`."""
        await self.events.posting.intend_announcement(event.id)
        thread = await self.events.threads.enabled(event.guild_id)
        # A public post: in the server's language, whoever created the event.
        embed, view = await self.card(event)
        try:
            message = await channel.send(embed=embed, view=view, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            await self.events.posting.announcement_abandoned(event.id)
            raise
        await self.events.posting.announcement_posted(
            event.id, message.channel.id, message.id, thread_next=thread
        )
        self._last_edit[event.id] = time.monotonic()
        note = await self.threads.open(event.id, event.title, message) if thread else None
        return message, note

    async def card(self, event: Event) -> tuple[discord.Embed, discord.ui.View]:
        """The announcement's embed and buttons, in the server's language (not the
        language of the member whose click or command made it change)."""
        with speaking(await self.bot.languages.of_server(event.guild_id)):
            return event_embed(event), announcement_view(event)

    async def public_location(self, event: Event) -> str:
        """Where, for Discord's scheduled event (everyone sees it): the server's language."""
        with speaking(await self.bot.languages.of_server(event.guild_id)):
            return truncate(event.location, 100)

    async def announce(self, event: Event, target: discord.abc.GuildChannel | None) -> str:
        """Post the announcement; returns what to tell the organizer about it."""
        if target is None or not isinstance(target, discord.abc.Messageable):
            return _("I had no channel to announce it in: set `/settings announcements`.")
        try:
            _message, thread_note = await self.post(event, target)
        except discord.Forbidden:
            return _(
                "⚠️ I couldn't post the announcement in {channel}: give me "
                "{permissions} there, then run `/event edit` on it to post it again. "
                "Members can RSVP with `/event rsvp` meanwhile.",
                channel=target.mention,
                permissions=_(MISSING_PERMS),
            )
        except discord.HTTPException as exc:
            log.warning("announcement of event %s failed: %s", event.id, exc)
            return _(
                "⚠️ Discord failed to take the announcement in {channel} "
                "({status}); the event is saved. Run `/event edit` on it to post it again.",
                channel=target.mention,
                status=exc.status,
            )
        announced = _("Announced in {channel}.", channel=target.mention)
        return f"{announced}\n{thread_note}" if thread_note else announced

    async def announce_new(self, event: Event) -> list[str]:
        """A series' occurrence made by a job: its announcement and scheduled event, where
        its series announces. A job may fire at start-up before the servers are known."""
        await self.bot.wait_until_ready()
        guild = self.bot.get_guild(event.guild_id)
        if guild is None:
            return []
        target = guild.get_channel(event.channel_id) if event.channel_id else None
        async with self._posting.turn(event.id):
            event = await self.events.catalogue.get(event.guild_id, event.id)
            notes = []
            if event.message_id is None:  # else the reconcile has just posted it
                notes.append(await self.announce(event, target))
            if event.scheduled_event_id is None and (
                note := await self.create_scheduled(guild, event)
            ):
                notes.append(note)
        return notes

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
            event = await self.events.catalogue.get(
                guild_id or await self.events.store.guild_of(event_id), event_id
            )
        except NotFound:
            return  # the event is gone: nothing to update
        if not (event.channel_id and event.message_id):
            return
        message = self.bot.get_partial_messageable(event.channel_id).get_partial_message(
            event.message_id
        )
        embed, view = await self.card(event)  # the server's language, not the clicker's
        try:
            await message.edit(embed=embed, view=view, allowed_mentions=NO_PINGS)
            self.edits += 1
        except discord.NotFound:
            log.warning("announcement of event %s was deleted; not updating it", event_id)

    def cancel_pending(self) -> None:
        """Drop the coalesced edits still waiting (at unload): each would only refresh
        counts, and the next change, or the start-up after a restart, shows them anyway."""
        for task in list(self._pending.values()):
            task.cancel()
        self._pending.clear()

    # --- Discord's own scheduled event --------------------------------------
    async def create_scheduled(self, guild: discord.Guild, event: Event) -> str | None:
        """Mirror the event as a Discord scheduled event; returns a note for the organizer."""
        if not guild.me.guild_permissions.manage_events:
            return _(
                "I didn't create a Discord scheduled event: give me the Manage Events "
                "permission and new events will appear in the server's Events list too."
            )
        await self.events.posting.intend_scheduled(event.id)
        location = await self.public_location(event)
        try:
            scheduled = await guild.create_scheduled_event(
                name=truncate(event.title, 100),
                start_time=event.starts,
                end_time=event.ends,
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                location=location,
                description=truncate(event.description or "", 1000),
            )
        except discord.HTTPException as exc:
            log.warning("could not create scheduled event for %s: %s", event.id, exc)
            await self.events.posting.scheduled_abandoned(event.id)
            return _("I couldn't create the Discord scheduled event; the event works without it.")
        await self.events.posting.scheduled_created(event.id, scheduled.id)
        return None

    # --- after a crash between a Discord call and its record -----------------
    async def reconcile(self) -> int:
        """At start-up: for every post or scheduled event marked but not recorded, find
        what Discord already has and record it, else make it now. Returns how many."""
        mended = 0
        owns = self.bot.scope.owns  # another process's guilds: their channels aren't here
        for pending in await self.events.posting.pending_announcements(self.started_at):
            if not owns(pending.guild_id):
                continue
            async with self._posting.turn(pending.event_id):
                mended += await self._mend_announcement(pending)
        mended += await self.threads.reconcile(self.started_at)
        for pending in await self.events.posting.pending_scheduled(self.started_at):
            if not owns(pending.guild_id):
                continue
            guild = self.bot.get_guild(pending.guild_id)
            if guild is None:
                continue
            async with self._posting.turn(pending.event_id):
                event = await self.events.catalogue.get(pending.guild_id, pending.event_id)
                if event.scheduled_event_id is not None:  # a series job made it meanwhile
                    continue
                existing = await self._find_scheduled(guild, pending.title, pending.starts_at)
                if existing is not None:
                    await self.events.posting.scheduled_created(pending.event_id, existing.id)
                else:
                    await self.create_scheduled(guild, event)
                mended += 1
        if mended:
            log.info("mended %d announcement(s)/thread(s)/scheduled event(s) after a crash", mended)
        return mended

    async def _mend_announcement(self, pending: PendingPost) -> int:
        """One announcement marked but not recorded: record what Discord has, else post.
        How many were mended (0: a series job posted it meanwhile)."""
        event = await self.events.catalogue.get(pending.guild_id, pending.event_id)
        if event.message_id is not None:
            return 0
        channel = self.bot.get_channel(pending.channel_id or 0)
        if not isinstance(channel, discord.abc.Messageable):
            await self.events.posting.announcement_abandoned(pending.event_id)
            return 0
        found = await self._find_announcement(channel, pending.event_id)
        if found is not None:  # its thread, if wanted, is opened by the threads' reconcile
            await self.events.posting.announcement_posted(
                pending.event_id,
                found.channel.id,
                found.id,
                thread_next=await self.events.threads.enabled(pending.guild_id),
            )
        else:
            try:
                await self.post(event, channel)
            except discord.HTTPException as exc:
                log.warning("announcement of event %s failed again: %s", pending.event_id, exc)
        return 1

    async def _find_announcement(
        self, channel: discord.abc.Messageable, event_id: int
    ) -> discord.Message | None:
        """The bot's own recent message carrying this event's Going button."""
        marker = f"rsvp:v1:go:{event_id}"
        me = self.bot.user
        try:
            async for message in channel.history(limit=100):
                if me is None or message.author.id != me.id:
                    continue
                for row in message.components:
                    for child in getattr(row, "children", ()):
                        if getattr(child, "custom_id", None) == marker:
                            return message
        except discord.HTTPException as exc:
            # Without Read Message History the post can't be found: post it (a duplicate
            # beats a missing announcement) and say why in the log.
            log.warning("could not read channel history to find event %s: %s", event_id, exc)
        return None

    async def _find_scheduled(
        self, guild: discord.Guild, title: str, starts_at: int
    ) -> discord.ScheduledEvent | None:
        """The bot's own scheduled event with this name and start."""
        me = self.bot.user
        try:
            for scheduled in await guild.fetch_scheduled_events():
                if (
                    me is not None
                    and scheduled.creator_id == me.id
                    and scheduled.name == truncate(title, 100)
                    and int(scheduled.start_time.timestamp()) == starts_at
                ):
                    return scheduled
        except discord.HTTPException as exc:
            log.warning("could not list scheduled events of guild %s: %s", guild.id, exc)
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
                    location=await self.public_location(event),
                    description=truncate(event.description or "", 1000),
                )
        except discord.HTTPException as exc:
            log.warning("could not update scheduled event of %s: %s", event.id, exc)

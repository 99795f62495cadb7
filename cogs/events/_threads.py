"""The Discord side of an event's thread (bot/events/threads.py says when and why): opened
from the announcement right after the post, mended at start-up, archived by its timer."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord

from bot.events import EventService
from bot.events.threads import ArchiveCheck
from bot.i18n import N_, _, speaking
from cogs._common import NO_PINGS, truncate

if TYPE_CHECKING:
    from cogs._app import CommunityBot

log = logging.getLogger(__name__)
# Minutes idle before Discord archives it: its longest; the bot archives it after the event.
AUTO_ARCHIVE: Literal[10080] = 10080
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
THREAD_ARCHIVED = 50083
CANCELLED_NOTE = N_("❌ This event was cancelled, so this thread is closed.")
# What the bot needs in the announcement's channel: to open the thread, and to post in it.
# (The names Discord's settings show, in English: it has no Urdu locale.)
NEEDED = (
    ("create_public_threads", "Create Public Threads"),
    ("send_messages_in_threads", "Send Messages in Threads"),  # i18n: not translated
)


def missing_note(channel: discord.abc.Messageable, missing: list[str]) -> str:
    """For the organizer: which permissions to give (`missing`: NEEDED's names)."""
    names = list(missing)
    if isinstance(channel, discord.abc.GuildChannel):
        where = channel.mention
    else:
        where = _("that channel")
    if len(names) == 1:
        return _(
            "⚠️ I couldn't open a thread for questions under the announcement: give me "
            "{permission} in {where}, and new announcements there will get one.",
            permission=names[0],
            where=where,
        )
    return _(
        "⚠️ I couldn't open a thread for questions under the announcement: give me "
        "{first} and {second} in {where}, and new announcements there will get one.",
        first=" and ".join(names[:-1]),  # NEEDED has two: never more than one here
        second=names[-1],
        where=where,
    )


class EventThreadKeeper:
    def __init__(self, bot: CommunityBot, events: EventService) -> None:
        self.bot = bot
        self.events = events

    async def open(
        self, event_id: int, title: str, message: discord.Message | discord.PartialMessage
    ) -> str | None:
        """Open the thread under the announcement and record it; returns what to tell the
        organizer when it couldn't be opened (the event stands either way)."""
        channel = message.channel
        if isinstance(channel, discord.TextChannel):  # what the cache says, before asking
            perms = channel.permissions_for(channel.guild.me)
            missing = [name for flag, name in NEEDED if not getattr(perms, flag)]
            if missing:
                await self.events.threads.not_opened(event_id)
                return missing_note(channel, missing)
        try:
            thread = await message.create_thread(
                name=truncate(title, 100), auto_archive_duration=AUTO_ARCHIVE
            )
        except discord.Forbidden:
            await self.events.threads.not_opened(event_id)
            return missing_note(channel, [NEEDED[0][1]])
        except discord.HTTPException as exc:
            if exc.code == THREAD_EXISTS:
                # Made before a crash, never recorded: a message's thread has its id.
                await self.events.threads.opened(event_id, message.id)
                return None
            log.warning("could not open the thread of event %s: %s", event_id, exc)
            await self.events.threads.not_opened(event_id)
            return _(
                "⚠️ Discord failed to open the thread for questions ({status}).", status=exc.status
            )
        await self.events.threads.opened(event_id, thread.id)
        return None

    async def reconcile(self, started_at: int) -> int:
        """At start-up: threads of announcements posted before a crash that came before
        the thread's record. Returns how many were mended."""
        mended = 0
        for pending in await self.events.threads.to_open(started_at):
            if not self.bot.scope.owns(pending.guild_id):
                continue
            channel = self.bot.get_channel(pending.channel_id)
            event = await self.events.catalogue.get(pending.guild_id, pending.event_id)
            if not isinstance(channel, discord.TextChannel) or not (
                await self.events.threads.enabled(pending.guild_id)
            ):
                await self.events.threads.not_opened(pending.event_id)
                continue
            note = await self.open(
                event.id, event.title, channel.get_partial_message(pending.message_id)
            )
            if note:
                log.warning("event %s: %s", event.id, note)
            mended += 1
        return mended

    async def archive(self, check: ArchiveCheck) -> bool:
        """Archive the event's thread (after a one-line note if it was cancelled) and
        record it. False: Discord failed for now, try again later. A thread gone or out
        of reach is recorded as done: trying again would not help."""
        assert check.thread_id is not None
        try:
            thread = self.bot.get_channel(check.thread_id) or await self.bot.fetch_channel(
                check.thread_id
            )
            if not isinstance(thread, discord.Thread):
                raise LookupError(check.thread_id)
            if check.cancelled:
                await self._note(thread)
            if not thread.archived or check.cancelled:
                await thread.edit(archived=True)
        except (discord.NotFound, discord.Forbidden, LookupError) as exc:
            log.info("thread of event %s is gone or out of reach: %s", check.event_id, exc)
        except discord.HTTPException as exc:
            if exc.code != THREAD_ARCHIVED:
                log.warning("could not archive the thread of event %s: %s", check.event_id, exc)
                return False
        await self.events.threads.archived(check.event_id)
        return True

    async def _note(self, thread: discord.Thread) -> None:
        # A public post, from a timer: in the server's language.
        with speaking(await self.bot.languages.of_server(thread.guild.id)):
            note = _(CANCELLED_NOTE)
        try:
            await thread.send(note, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:  # the archive matters more than the note
            log.info("could not post the cancel note in thread %s: %s", thread.id, exc)

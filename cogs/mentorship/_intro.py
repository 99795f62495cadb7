"""Introducing a new pair: a private thread in the mentorship channel with both of them
and the intro posted there, else the intro by DM to each.

Safe to repeat, also after a crash half-way: bot/mentorship/threads.py records each step
(intent, thread, intro), so the thread is made once and the intro posted once. At
start-up, matches left without their intro are finished once the bot is connected. With
several processes (bot/shards.py) each introduces the pairs of its own guilds: a pair
matched from a DM (shard 0) is introduced by the guild's process (bot/signals.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import discord

from bot.i18n import _, speaking
from bot.languages import Languages
from bot.mentorship import Match, MentorshipService, threads
from bot.shards import ALL, Shards
from cogs._common import NO_PINGS, truncate
from cogs.mentorship._embeds import intro_message

log = logging.getLogger(__name__)


class Introductions:
    def __init__(
        self,
        client: discord.Client,
        service: MentorshipService,
        wake: Callable[[], None],
        languages: Languages,
        shards: Shards = ALL,
    ) -> None:
        self.client = client
        self.languages = languages  # the intro and the organizers' notice: the server's
        self.shards = shards  # whose pairs this process introduces
        self.service = service
        self.wake = wake  # the deliverer: intros owed by DM go out now
        self._introducing: set[int] = set()  # match ids being introduced right now
        self._startup: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Finish the intros a restart left undone (threads need the channel cache, which
        fills only once connected)."""
        self._startup = asyncio.create_task(self._introduce_missing(), name="mentorship-intros")

    def stop(self) -> None:
        if self._startup is not None:
            self._startup.cancel()

    async def _introduce_missing(self) -> None:
        await self.client.wait_until_ready()
        done = await self.introduce_missing()
        log.info("mentorship intros finished at start-up: %d", done)

    async def introduce_missing(self, guild_id: int | None = None) -> int:
        """Introduce the active pairs still without their intro, of the guild (None: of
        every guild this process owns); how many."""
        found = await self.service.matches.missing_intro(guild_id)
        missing = [m for m in found if self.shards.owns(m.guild_id)]
        for match in missing:
            try:
                await self.introduce(match)
            except Exception:
                log.exception("could not introduce mentorship #%s", match.id)
        return len(missing)

    async def introduce(self, match: Match) -> None:
        """The pair's thread and intro, else the intro by DM (see the module doc)."""
        if match.id in self._introducing:
            return
        self._introducing.add(match.id)
        try:
            await self._introduce(match)
        finally:
            self._introducing.discard(match.id)

    async def _introduce(self, match: Match) -> None:
        plan = await self.service.threads.begin(match.id)
        if plan.step == "done":
            return
        settings = await self.service.config.settings(match.guild_id)
        channel = self.client.get_channel(settings.channel_id) if settings.channel_id else None
        problem = None
        if isinstance(channel, discord.TextChannel):
            try:
                await self._in_thread(match, channel, plan)
                return
            except discord.HTTPException as exc:
                log.warning("could not make a thread for match %s: %s", match.id, exc)
                # For the organizers: in the server's language (the notice is sent as is).
                with speaking(await self.languages.of_server(match.guild_id)):
                    problem = _(
                        "I couldn't make the private thread of mentorship #{id} in "
                        "{channel} ({error}), so the pair got their introduction by DM. "
                        "Check that I can Create Private Threads and Send Messages in "
                        "Threads there.",
                        id=match.id,
                        channel=channel.mention,
                        error=truncate(exc.text or str(exc.status), 100),
                    )
        await self.service.threads.intro_by_dm(match.id, problem)
        self.wake()

    async def _in_thread(
        self, match: Match, channel: discord.TextChannel, plan: threads.ThreadPlan
    ) -> None:
        thread: discord.Thread | None = None
        if plan.thread_id is not None:
            thread = await self._thread_by_id(plan.thread_id)
        elif plan.step == "find":  # asked Discord before: it may have made it
            thread = await self._find_thread(channel, match.id)
        made_now = thread is None
        if thread is not None and thread.archived:  # e.g. the bot was down for days
            thread = await thread.edit(archived=False)
        if thread is None:
            thread = await channel.create_thread(
                name=threads.thread_name(match),
                type=discord.ChannelType.private_thread,
                invitable=False,
            )
        await self.service.threads.record_thread(match.id, thread.id)
        for member_id in (match.mentor_id, match.mentee_id):
            if member_id:
                await thread.add_user(discord.Object(member_id))
        if made_now or not await self._intro_posted(thread):
            # Both of the pair read the thread: the server's language.
            with speaking(await self.languages.of_server(match.guild_id)):
                view = await self.service.matches.view(match.id)
                intro = intro_message(view)
            await thread.send(**intro, allowed_mentions=NO_PINGS)
        await self.service.threads.record_intro(match.id)

    async def _thread_by_id(self, thread_id: int) -> discord.Thread | None:
        found = self.client.get_channel(thread_id)
        if found is None:
            with contextlib.suppress(discord.NotFound, discord.Forbidden):
                found = await self.client.fetch_channel(thread_id)
        return found if isinstance(found, discord.Thread) else None

    async def _find_thread(
        self, channel: discord.TextChannel, match_id: int
    ) -> discord.Thread | None:
        """The match's thread, by its name: among the server's active threads, then the
        channel's archived private threads the bot is in."""
        for thread in await channel.guild.active_threads():
            if threads.is_thread_of(thread.name, match_id):
                return thread
        with contextlib.suppress(discord.HTTPException):
            async for thread in channel.archived_threads(private=True, joined=True, limit=200):
                if threads.is_thread_of(thread.name, match_id):
                    return thread
        return None

    async def _intro_posted(self, thread: discord.Thread) -> bool:
        """Whether the bot already wrote in a thread made before (the intro is its only
        message; "added to the thread" notices are system messages). Without Read Message
        History the answer is no: a possible repeat beats a pair with no intro."""
        me = self.client.user
        try:
            async for message in thread.history(limit=20):
                if me is not None and message.author.id == me.id:
                    if message.type == discord.MessageType.default:
                        return True
        except discord.HTTPException as exc:
            log.warning("could not read thread %s to see if the intro is there: %s", thread.id, exc)
        return False

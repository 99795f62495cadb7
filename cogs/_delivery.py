"""Sends what the outbox says the bot owes: DMs and channel posts, paced, retried.

Each outbox kind has a renderer, registered by its cog, that turns the stored
payload into message arguments (or None when the message no longer makes
sense). One worker sends in order, so a reminder to 1,000 members is paced by
discord.py's rate-limit handling without holding up replies to interactions,
which use other routes.

With several processes on one store (shards), each deliverer claims what it sends
(bot/outbox.py `claim`) — only messages of its own shards' guilds — under an owner name
unique to this process, `host:shards/pid-random`. At start-up it lets go of what an
earlier life of the same `host:shards` held (killed mid-batch: those messages go out
at once instead of after the lease); at a clean stop, of what it holds itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot import organizer_notices, outbox
from bot.i18n import N_, _, speaking
from bot.kinds import RETIRED, Kind
from bot.organizer_notices import OrganizerNotice
from cogs._common import DMS_CLOSED, NO_PINGS

if TYPE_CHECKING:
    from cogs._app import CommunityBot

log = logging.getLogger(__name__)

# A renderer gets the outbox item and returns kwargs for Messageable.send, or None to skip.
Renderer = Callable[[outbox.OutboxItem], Awaitable[dict[str, Any] | None]]
RETRY_SECONDS = (5, 30, 120, 600)
# Discord allows a bot 50 requests/s in all (a DM costs two: open the channel, send);
# interaction replies are exempt. Pacing DMs below that keeps replies to clicks fast
# during a burst and never trips the global rate limit.
MESSAGES_PER_SECOND = 20
NOT_ALLOWED_THERE = N_(
    "I couldn't post in {channel} (I'm not allowed to post there): give me View Channel, "
    "Send Messages and Embed Links there, or pick another channel."
)
CHANNEL_GONE = N_(
    "I couldn't post in {channel} (the channel is gone): give me View Channel, Send "
    "Messages and Embed Links there, or pick another channel."
)
BATCH = 50  # messages claimed at a time
STOP_SECONDS = 10  # a clean stop waits this long for the message being sent


async def render_organizer_notice(item: outbox.OutboxItem) -> dict[str, Any] | None:
    """A notice for the organizer-only channel (bot/organizer_notices.py)."""
    return {"content": _("Organizers: {notice}", notice=item.expect(OrganizerNotice).text[:1950])}


class Pacer:
    """At most `rate` starts per second, in arrival order, shared by every sender."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            delay = self._next - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next = max(loop.time(), self._next) + self.interval


class Deliverer:
    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot
        self._renderers: dict[str, Renderer] = {}
        self.pacer = Pacer(MESSAGES_PER_SECOND)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.sent = 0
        self.failed = 0
        self.instance = ""  # `host:shards/`: this process and its earlier lives (start())
        self.owner = ""  # this process alone: the name its claims are under
        self._stopping = False
        self._sending = False  # a message is being sent: a stop lets it finish

    def register(self, kind: Kind | str, renderer: Renderer) -> None:
        self._renderers[str(kind)] = renderer

    def check_renderers(self) -> None:
        """At start-up, once every feature is loaded: each kind the outbox can hold has a
        renderer (a kind without one would only show up as failed messages)."""
        missing = sorted(str(k) for k in Kind if str(k) not in self._renderers)
        if missing:
            raise RuntimeError(f"no renderer for outbox kind(s): {', '.join(missing)}")

    def kick(self) -> None:
        """New messages are owed: send them now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        shards = self.bot.settings.shards
        served = (
            "all"
            if shards.everything or shards.ids is None
            else f"{','.join(map(str, shards.ids))}of{shards.count}"
        )
        self.instance = f"{socket.gethostname()}:{served}/"
        self.owner = f"{self.instance}{os.getpid()}-{secrets.token_hex(4)}"
        self._task = asyncio.create_task(self._run(), name="outbox-deliverer")

    async def stop(self) -> None:
        """A clean stop: the message being sent is finished and marked (cancelling it
        after Discord accepted it would send it again at the next start), up to
        STOP_SECONDS; nothing else starts."""
        if self._task:
            self._stopping = True
            self._wake.set()
            if self._sending:
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(asyncio.shield(self._task), timeout=STOP_SECONDS)
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            try:  # what this process claimed and did not send: the next one sends it now
                await outbox.release(self.bot.db, owner=self.owner)
            except Exception:
                log.warning(
                    "could not let go of the outbox messages this process claimed: they are "
                    "sent by another process after %ss",
                    outbox.LEASE_SECONDS,
                    exc_info=True,
                )

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        shards = self.bot.settings.shards
        released = False
        while not self.bot.is_closed() and not self._stopping:
            self._wake.clear()
            try:
                if not released:  # an earlier life of this process is dead: take its work
                    count = await outbox.release(self.bot.db, prefix=self.instance)
                    if count:
                        log.info("outbox: took back %d message(s) an earlier run held", count)
                    released = True
                items = await outbox.claim(
                    self.bot.db,
                    self.owner,
                    limit=BATCH,
                    shard_count=None if shards.everything else shards.count,
                    shard_ids=None if shards.everything else shards.ids,
                )
                for item in items:
                    if self._stopping:
                        break
                    self._sending = True
                    try:
                        await self._deliver(item)
                    finally:
                        self._sending = False
            except Exception:
                log.exception("outbox delivery pass failed; trying again shortly")
                items = []
            if len(items) < BATCH:  # a full page means more are waiting: go on at once
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=5)
                except TimeoutError:
                    pass

    async def _deliver(self, item: outbox.OutboxItem) -> None:
        if not await outbox.hold(self.bot.db, item.id, self.owner):
            # Held past its lease and claimed by another process, or dropped meanwhile.
            log.info("outbox %s (%s) is no longer this process's to send", item.id, item.kind)
            return
        if item.kind in RETIRED:  # written by an older version; nothing renders it now
            await outbox.mark_sent(self.bot.db, item.id)
            return
        renderer = self._renderers.get(item.kind)
        if renderer is None:
            # For the host (outbox.last_error), in English like the log line below.
            await outbox.mark_failed(self.bot.db, item.id, f"no renderer: {item.kind}")
            log.error("outbox item %s has kind %s that no cog renders", item.id, item.kind)
            return
        try:
            # In the language of whoever reads it: the member's own, or the server's.
            languages = self.bot.languages
            if item.user_id is not None:
                language = await languages.of_member(item.guild_id, item.user_id)
            else:
                language = await languages.of_server(item.guild_id)
            with speaking(language):
                message = await renderer(item)
            if message is None:
                await outbox.mark_sent(self.bot.db, item.id)
                return
            message.setdefault("allowed_mentions", NO_PINGS)
            target = await self._target(item)
            await self.pacer.wait()
            await target.send(**message)
        except discord.Forbidden as exc:
            reason = "DMs closed" if exc.code == DMS_CLOSED else f"forbidden ({exc.code})"
            log.info("outbox %s (%s) not delivered: %s", item.id, item.kind, reason)
            await outbox.mark_failed(self.bot.db, item.id, reason)
            await self._post_failed(item, NOT_ALLOWED_THERE)
            self.failed += 1
            self.bot.metrics.delivery_failures.labels(item.kind).inc()
        except discord.NotFound as exc:
            await outbox.mark_failed(self.bot.db, item.id, f"not found ({exc.code})")
            await self._post_failed(item, CHANNEL_GONE)
            self.failed += 1
            self.bot.metrics.delivery_failures.labels(item.kind).inc()
        except Exception as exc:
            # Discord errors discord.py does not retry, a dropped connection, or a bug in a
            # renderer: try again later (up to MAX_ATTEMPTS) so one bad message never
            # blocks the ones queued behind it.
            delay = RETRY_SECONDS[min(item.attempts, len(RETRY_SECONDS) - 1)]
            log.warning("outbox %s failed (%r); retry in %ss", item.id, exc, delay)
            await outbox.mark_failed(self.bot.db, item.id, repr(exc), retry_in=delay)
            self.bot.metrics.delivery_failures.labels(item.kind).inc()
        else:
            await outbox.mark_sent(self.bot.db, item.id)
            self.sent += 1

    async def _post_failed(self, item: outbox.OutboxItem, why: str) -> None:
        """A channel post (a reminder, an autopost…) failed for good: tell the organizers in
        their own channel, once a day per channel, never in the public channel."""
        if item.channel_id is None or item.kind == organizer_notices.KIND:
            return
        day = time.strftime("%Y-%m-%d")
        await organizer_notices.notify(
            self.bot.db,
            item.guild_id,
            why,
            params={"channel": f"<#{item.channel_id}>"},
            dedupe_key=f"post-failed:{item.channel_id}:{day}",
        )
        self._wake.set()

    async def _target(self, item: outbox.OutboxItem) -> discord.abc.Messageable:
        if item.user_id is not None:
            user = self.bot.get_user(item.user_id) or await self.bot.fetch_user(item.user_id)
            return user
        assert item.channel_id is not None
        channel = self.bot.get_channel(item.channel_id)
        if channel is None:
            channel = await self.bot.fetch_channel(item.channel_id)
        assert isinstance(channel, discord.abc.Messageable)
        return channel

"""Event roles on Discord: the 'role.sync' outbox handler and the start-up repair.

The events service owes a sync (bot/events/roles.py) in the transaction of every seat
change; the deliverer calls `EventRoles.sync` after the commit, paced with the DMs, and
marks the row done only when Discord accepted the change. The role's safety is checked
again at that moment: a role that gained moderator permissions since the event was
created is not handed out (the organizers are told, in the server's language: the sync
itself runs in the member's, as every outbox item addressed to a member does).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import discord

from bot import organizer_notices, outbox
from bot.events import EventService
from bot.events import roles as event_roles
from bot.i18n import N_, _, speaking
from bot.roles import role_refusal
from cogs._common import role_facts

if TYPE_CHECKING:
    from cogs._app import CommunityBot

log = logging.getLogger(__name__)

NOT_GIVEN = N_("I couldn't give members the event role <@&{role_id}>: {why}")
FORBIDDEN = N_(
    "Discord refused the change: give me the Manage Roles permission and put my "
    "role above it in Server Settings → Roles"
)


class EventRoles:
    def __init__(self, bot: CommunityBot, events: EventService) -> None:
        self.bot = bot
        self.ledger = events.role_ledger

    async def sync(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        """Make Discord match the store for one member and role (nothing to send)."""
        assert item.user_id is not None
        message = item.expect(event_roles.RoleSync)
        try:
            await self._sync(item.guild_id, item.user_id, message)
        except discord.Forbidden:
            with speaking(await self.bot.languages.of_server(item.guild_id)):
                why = _(FORBIDDEN)
            await self._tell_organizers(item.guild_id, message.role_id, why)
            raise
        # Marked sent here, or deleted if the member's data was deleted (before or while
        # it ran): such a row must not outlive the work it did.
        await self.ledger.finish_sync(item.id, message)
        return None

    async def _sync(self, guild_id: int, user_id: int, message: event_roles.RoleSync) -> None:
        role_id = message.role_id
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return  # the bot left the server
        role = guild.get_role(role_id)
        if role is None:
            await self.ledger.forget_role(guild_id, role_id)
            return
        want = await self.ledger.wanted(guild_id, role_id, user_id)
        granted = message.granted or await self.ledger.is_granted(guild_id, role_id, user_id)
        reason = f"event #{message.event_id}" if message.event_id else None
        if not want:
            if granted:  # ours to take back; removing a role a member lacks is harmless
                await self.bot.delivery.pacer.wait()
                await self._call(self.bot.http.remove_role, guild_id, user_id, role_id, reason)
                await self.ledger.forget_grant(guild_id, role_id, user_id)
            return
        member = guild.get_member(user_id)
        if granted and member is not None and member.get_role(role_id) is not None:
            return  # already holds the role we gave
        if not granted:
            # Ask Discord, not the cache (which lags behind our own recent changes): a
            # member who holds the role already held it before, and keeps it for good.
            try:
                fresh = await guild.fetch_member(user_id)
            except discord.NotFound:
                return  # no longer a member
            if fresh.get_role(role_id) is not None:
                return
        with speaking(await self.bot.languages.of_server(guild_id)):  # for the organizers
            refusal = self.refusal(role)
        if refusal:
            await self._tell_organizers(guild_id, role_id, refusal)
            return
        if not await self.ledger.record_grant(guild_id, role_id, user_id, int(time.time())):
            return  # no longer wanted: a seat given up, or their data deleted, meanwhile
        await self.bot.delivery.pacer.wait()
        await self._call(self.bot.http.add_role, guild_id, user_id, role_id, reason)

    async def _call(
        self, action: Any, guild_id: int, user_id: int, role_id: int, reason: str | None
    ) -> None:
        try:
            await action(guild_id, user_id, role_id, reason=reason)
        except discord.NotFound as exc:
            if exc.code == 10007:  # Unknown Member: they left, and their roles with them
                await self.ledger.forget_grant(guild_id, role_id, user_id)
                return
            raise

    @staticmethod
    def refusal(role: discord.Role) -> str | None:
        """Why the bot won't hand out this role now (the bot's side of bot/roles.py)."""
        return role_refusal(role_facts(role, None))

    async def _tell_organizers(self, guild_id: int, role_id: int, why: str) -> None:
        """`why` is already in the server's language (notify words the rest in it)."""
        # Once a day per role and reason, however many members are waiting for it.
        key = f"role:{role_id}:{time.strftime('%F')}:{why[:40]}"
        await organizer_notices.notify(
            self.bot.db,
            guild_id,
            NOT_GIVEN,
            params={"role_id": role_id, "why": why},
            dedupe_key=key,
        )
        self.bot.delivery.kick()

    async def repair(self) -> int:
        """At start-up: members whose event roles drifted from the RSVP list get a sync."""
        owed = 0
        now = int(time.time())
        for guild in self.bot.guilds:
            holders: dict[int, set[int]] = {}
            for role_id in await self.ledger.roles_in_use(guild.id):
                role = guild.get_role(role_id)
                if role is not None:
                    holders[role_id] = {m.id for m in role.members}
            owed += await self.ledger.drifted(guild.id, holders, now)
        if owed:
            log.info("event roles: %d member(s) drifted from the RSVP list; repairing", owed)
            self.bot.delivery.kick()
        return owed

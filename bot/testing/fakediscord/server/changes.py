"""World changes announced on the gateway, as Discord would: channels and threads created and
deleted, roles updated and deleted, members joining, leaving and given roles, messages posted
by members and deleted; each mutates the world, dispatches the event to the sessions that
want it and wakes waiters. The ``_`` variants return the dispatches' futures for the REST
routes, which answer without waiting for the socket; the public ones wait."""

from __future__ import annotations

import asyncio
from typing import Any

from ..interactions import OptionBuilder
from ..world import ChannelType, FakeChannel, FakeMessage, Intents, Overwrite
from .core import ChannelRef, FakeCore, UserRef


class WorldChanges(FakeCore):
    """The world-changing helpers of ``FakeDiscord`` (and the REST routes' shared ones)."""

    async def dispatch(
        self, event: str, data: Any, *, guild_id: int | None = None, intent: int | None = None
    ) -> None:
        """Send a raw DISPATCH and wait until it is written to the socket."""
        await self._flush(self.gateway.dispatch(event, data, guild_id=guild_id, intent=intent))

    def _create_channel(
        self,
        name: str,
        *,
        guild: int | None,
        type: int = 0,
        topic: str | None = None,
        parent_id: int | None = None,
        overwrites: list[dict[str, Any]] | None = None,
    ) -> tuple[FakeChannel, list[asyncio.Future[None]]]:
        ows = [
            Overwrite(
                int(o["id"]), int(o.get("type", 0)), int(o.get("allow", 0)), int(o.get("deny", 0))
            )
            for o in overwrites or []
        ]
        ch = self.world.add_channel(
            name, guild=guild, type=type, topic=topic, parent_id=parent_id, overwrites=ows
        )
        futs = self.gateway.dispatch(
            "CHANNEL_CREATE",
            self.world.channel_payload(ch.id),
            guild_id=ch.guild_id,
            intent=Intents.GUILDS,
        )
        self._changed()
        return ch, futs

    def _remove_channel(self, ch: FakeChannel) -> list[asyncio.Future[None]]:
        w = self.world
        data = w.channel_payload(ch.id)
        assert ch.guild_id is not None
        g = w.guilds[ch.guild_id]
        if ch.id in g.channel_ids:
            g.channel_ids.remove(ch.id)
        del w.channels[ch.id]
        event = "THREAD_DELETE" if ch.is_thread else "CHANNEL_DELETE"
        if ch.is_thread:
            data = {k: data[k] for k in ("id", "guild_id", "parent_id", "type")}
        futs = self.gateway.dispatch(event, data, guild_id=g.id, intent=Intents.GUILDS)
        self._changed()
        return futs

    def _remove_role(self, guild_id: int, role_id: int) -> list[asyncio.Future[None]]:
        g = self.world.guilds[guild_id]
        g.roles.pop(role_id, None)
        for m in g.members.values():
            if role_id in m.roles:
                m.roles.remove(role_id)
        futs = self.gateway.dispatch(
            "GUILD_ROLE_DELETE",
            {"guild_id": str(guild_id), "role_id": str(role_id)},
            guild_id=guild_id,
            intent=Intents.GUILDS,
        )
        self._changed()
        return futs

    def _remove_member(self, guild_id: int, user_id: int) -> list[asyncio.Future[None]]:
        g = self.world.guilds[guild_id]
        g.members.pop(user_id, None)
        futs = self.gateway.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild_id), "user": self.world.user_payload(user_id)},
            guild_id=guild_id,
            intent=Intents.GUILD_MEMBERS,
        )
        self._changed()
        return futs

    def _delete_message(self, msg: FakeMessage) -> list[asyncio.Future[None]]:
        msg.deleted = True
        futs: list[asyncio.Future[None]] = []
        if not msg.ephemeral:
            data: dict[str, Any] = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
            if msg.guild_id is not None:
                data["guild_id"] = str(msg.guild_id)
            intent = Intents.GUILD_MESSAGES if msg.guild_id else Intents.DIRECT_MESSAGES
            futs = self.gateway.dispatch(
                "MESSAGE_DELETE", data, guild_id=msg.guild_id, intent=intent
            )
        self._on_message(msg)
        return futs

    async def create_channel(
        self,
        name: str,
        *,
        guild: int | str | None = None,
        type: int = ChannelType.GUILD_TEXT,
        topic: str | None = None,
        overwrites: list[Overwrite] | None = None,
    ) -> int:
        """Create a guild channel (CHANNEL_CREATE); returns its id."""
        ch, futs = self._create_channel(
            name,
            guild=self.world.guild(guild).id,
            type=type,
            topic=topic,
            overwrites=[o.to_payload() for o in overwrites or []],
        )
        await self._flush(futs)
        return ch.id

    async def delete_channel(self, channel: ChannelRef) -> None:
        """Delete a channel or thread (CHANNEL_DELETE / THREAD_DELETE)."""
        ch = self.world.channels[self.world.channel(channel)]
        await self._flush(self._remove_channel(ch))

    async def delete_role(self, role: int | str, *, guild: int | str | None = None) -> None:
        """Delete a role (GUILD_ROLE_DELETE); members lose it."""
        g = self.world.guild(guild)
        await self._flush(self._remove_role(g.id, self.world.role(role, guild=g.id)))

    async def update_role(
        self,
        role: int | str,
        *,
        guild: int | str | None = None,
        permissions: int | None = None,
        name: str | None = None,
    ) -> None:
        """Change a role's permissions/name (GUILD_ROLE_UPDATE). E.g. strip the bot's role."""
        g = self.world.guild(guild)
        r = g.roles[self.world.role(role, guild=g.id)]
        if permissions is not None:
            r.permissions = permissions
        if name is not None:
            r.name = name
        futs = self.gateway.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(g.id), "role": r.to_payload()},
            guild_id=g.id,
            intent=Intents.GUILDS,
        )
        self._changed()
        await self._flush(futs)

    async def remove_member(self, user: UserRef, *, guild: int | str | None = None) -> None:
        """The member leaves (GUILD_MEMBER_REMOVE, sent only with the GUILD_MEMBERS intent)."""
        g = self.world.guild(guild)
        await self._flush(self._remove_member(g.id, self.world.user(user)))

    async def add_member(
        self,
        user: UserRef,
        *,
        guild: int | str | None = None,
        roles: list[int | str] | None = None,
    ) -> int:
        """A user joins (GUILD_MEMBER_ADD). Unknown usernames are created. Returns the id."""
        w = self.world
        if isinstance(user, str) and user not in w._user_names:
            w.add_user(user)
        g = w.guild(guild)
        uid = w.user(user)
        w.add_member(uid, guild=g.id, roles=roles)
        data = w.member_payload(g.id, uid)
        data["guild_id"] = str(g.id)
        futs = self.gateway.dispatch(
            "GUILD_MEMBER_ADD", data, guild_id=g.id, intent=Intents.GUILD_MEMBERS
        )
        self._changed()
        await self._flush(futs)
        return uid

    async def set_member_roles(
        self, user: UserRef, roles: list[int | str], *, guild: int | str | None = None
    ) -> None:
        """Replace a member's roles (GUILD_MEMBER_UPDATE)."""
        w = self.world
        g = w.guild(guild)
        uid = w.user(user)
        g.members[uid].roles = [w.role(r, guild=g.id) for r in roles]
        data = w.member_payload(g.id, uid)
        data["guild_id"] = str(g.id)
        futs = self.gateway.dispatch(
            "GUILD_MEMBER_UPDATE", data, guild_id=g.id, intent=Intents.GUILD_MEMBERS
        )
        self._changed()
        await self._flush(futs)

    async def post_message(
        self,
        user: UserRef,
        channel: ChannelRef,
        content: str,
        *,
        attachments: list[tuple[str, bytes]] | None = None,
    ) -> FakeMessage:
        """A member posts a message (MESSAGE_CREATE; content blanked without MESSAGE_CONTENT)."""
        w = self.world
        uid = w.user(user)
        cid = w.channel(channel)
        ch = w.channels[cid]
        msg = FakeMessage(
            id=w.snowflakes.next(),
            channel_id=cid,
            guild_id=ch.guild_id,
            author_id=uid,
            content=content,
        )
        for filename, blob in attachments or []:
            builder = OptionBuilder(w, ch.guild_id, uid, cid)
            att = builder._fake_attachment(filename, blob, None)
            att.ephemeral = False
            msg.attachments.append(att)
        w.messages[msg.id] = msg
        ch.message_ids.append(msg.id)
        ch.last_message_id = msg.id
        ch.message_count += 1
        futs = []
        intent = Intents.GUILD_MESSAGES if ch.guild_id is not None else Intents.DIRECT_MESSAGES
        for s in self.gateway.sessions_for(ch.guild_id):
            if not s.wants(intent):
                continue
            data = w.message_event_payload(msg)
            mentioned = w.bot_user_id in msg.mentions["users"]
            if (
                not s.intents & Intents.MESSAGE_CONTENT
                and ch.guild_id is not None
                and not mentioned
            ):
                data.update(content="", embeds=[], attachments=[], components=[])
            fut = s.dispatch("MESSAGE_CREATE", data)
            if fut is not None:
                futs.append(fut)
        self._on_message(msg)
        await self._flush(futs)
        return msg

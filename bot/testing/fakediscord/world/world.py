"""``World``: all state of the fake Discord, how it is built and how it is looked up.

It holds the users, guilds (with their roles and members), channels, messages, scheduled
events, attachments and synced commands; builds them (:meth:`World.default`, ``add_*``);
finds them by name or id (``user``, ``channel``, ``role``, ``guild``…) and reads channels'
messages. The permission rules (:mod:`.permissions`) and payload builders
(:mod:`.payloads`) are parts it is composed of. Mutations that Discord would announce over
the gateway are done by :mod:`..rest` and :mod:`..server`, which dispatch the events.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from .constants import ChannelType, Intents, P, SnowflakeGenerator, shard_of
from .models import (
    Application,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeScheduledEvent,
    FakeUser,
    Overwrite,
)
from .payloads import Payloads
from .permissions import PermissionRules


class World(PermissionRules, Payloads):
    """All state of the fake Discord. Build one with :meth:`default` or by hand."""

    def __init__(self, *, app_name: str = "GDG Bot", bot_user_id: int = 9000) -> None:
        self.snowflakes = SnowflakeGenerator()
        self.users: dict[int, FakeUser] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, FakeMessage] = {}
        self.scheduled_events: dict[int, FakeScheduledEvent] = {}
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self.attachments: dict[int, FakeAttachment] = {}
        # commands: None key = global
        self.commands: dict[int | None, list[dict[str, Any]]] = {None: []}
        self.command_ids: dict[tuple[int | None, str, int], int] = {}
        self.allowed_privileged_intents: int = Intents.PRIVILEGED
        self.cdn_base: str = "http://127.0.0.1"
        self._user_names: dict[str, int] = {}
        self._fixed_ids = itertools.count(50000)
        bot = self.add_user(app_name.lower().replace(" ", "-"), id=bot_user_id, bot=True)
        bot.global_name = app_name
        self.application = Application(
            id=bot_user_id, name=app_name, bot_user_id=bot_user_id, owner_id=0
        )

    # ----- construction ------------------------------------------------------------------
    @classmethod
    def default(cls) -> World:
        """GDG Islamabad guild with channels, roles and members (see module docs)."""
        w = cls()
        owner = w.add_user("owner", id=2001, global_name="Guild Owner")
        w.application.owner_id = owner.id
        g = w.add_guild("GDG Islamabad", id=1000, owner="owner")
        w.add_role("Volunteer", guild=g.id, id=1101, position=1)
        w.add_role("Organizer", guild=g.id, id=1102, position=2)
        w.add_role("Admin", guild=g.id, id=1103, permissions=P.MANAGE_GUILD, position=3)
        w.add_role(
            "GDG Bot",
            guild=g.id,
            id=1104,
            permissions=P.BOT_DEFAULT,
            position=4,
            managed=True,
            bot_id=w.application.bot_user_id,
        )
        for i, name in enumerate(
            ["general", "announcements", "lahore-events", "islamabad-events", "mentorship"]
        ):
            w.add_channel(name, guild=g.id, id=1201 + i)
        g.system_channel_id = 1201
        w.add_member("owner", guild=g.id)
        w.add_member(w.application.bot_user_id, guild=g.id, roles=["GDG Bot"])
        for uid, name, roles in [
            (2002, "admin", ["Admin"]),
            (2003, "organizer", ["Organizer"]),
            (2004, "alice", []),
            (2005, "bob", []),
            (2006, "carol", []),
        ]:
            w.add_user(name, id=uid, global_name=name.capitalize())
            w.add_member(name, guild=g.id, roles=roles)
        return w

    def add_user(
        self,
        username: str,
        *,
        id: int | None = None,
        global_name: str | None = None,
        bot: bool = False,
    ) -> FakeUser:
        if username in self._user_names:
            raise ValueError(f"user {username!r} already exists")
        uid = id if id is not None else self.snowflakes.next()
        user = FakeUser(id=uid, username=username, global_name=global_name, bot=bot)
        self.users[uid] = user
        self._user_names[username] = uid
        return user

    def add_guild(
        self,
        name: str,
        *,
        id: int | None = None,
        owner: int | str,
        shard: tuple[int, int] | None = None,
    ) -> FakeGuild:
        """A guild; ``shard=(shard_id, shard_count)`` picks an id that shard owns."""
        if id is None:
            id = self.snowflakes.on_shard(*shard) if shard else self.snowflakes.next()
        elif shard is not None and shard_of(id, shard[1]) != shard[0]:
            raise ValueError(f"guild id {id} is on shard {shard_of(id, shard[1])}, not {shard}")
        gid = id
        g = FakeGuild(id=gid, name=name, owner_id=self.user(owner))
        g.roles[gid] = FakeRole(
            id=gid, guild_id=gid, name="@everyone", permissions=P.EVERYONE_DEFAULT, position=0
        )
        self.guilds[gid] = g
        return g

    def add_role(
        self,
        name: str,
        *,
        guild: int | None = None,
        id: int | None = None,
        permissions: int = 0,
        position: int | None = None,
        managed: bool = False,
        bot_id: int | None = None,
        color: int = 0,
        mentionable: bool = False,
    ) -> FakeRole:
        g = self.guild(guild)
        rid = id if id is not None else self.snowflakes.next()
        pos = position if position is not None else max(r.position for r in g.roles.values()) + 1
        role = FakeRole(
            id=rid,
            guild_id=g.id,
            name=name,
            permissions=permissions,
            position=pos,
            managed=managed,
            bot_id=bot_id,
            color=color,
            mentionable=mentionable,
        )
        g.roles[rid] = role
        return role

    def add_channel(
        self,
        name: str,
        *,
        guild: int | None = None,
        id: int | None = None,
        type: int = ChannelType.GUILD_TEXT,
        topic: str | None = None,
        parent_id: int | None = None,
        overwrites: list[Overwrite] | None = None,
    ) -> FakeChannel:
        g = self.guild(guild)
        cid = id if id is not None else self.snowflakes.next()
        ch = FakeChannel(
            id=cid,
            type=type,
            name=name,
            guild_id=g.id,
            position=len(g.channel_ids),
            topic=topic,
            parent_id=parent_id,
            overwrites=list(overwrites or []),
        )
        self.channels[cid] = ch
        g.channel_ids.append(cid)
        return ch

    def add_member(
        self,
        user: int | str,
        *,
        guild: int | None = None,
        roles: Sequence[int | str] | None = None,
        nick: str | None = None,
    ) -> FakeMember:
        g = self.guild(guild)
        uid = self.user(user)
        m = FakeMember(
            user_id=uid, guild_id=g.id, roles=[self.role(r, guild=g.id) for r in roles or []]
        )
        m.nick = nick
        g.members[uid] = m
        return m

    def add_members(
        self, n: int, *, guild: int | None = None, prefix: str = "member", start_id: int = 100000
    ) -> list[int]:
        """Add ``n`` plain members named ``member0001``…; returns their user ids."""
        g = self.guild(guild)
        ids = []
        width = max(4, len(str(n)))
        existing = sum(1 for name in self._user_names if name.startswith(prefix))
        for i in range(existing, existing + n):
            uid = start_id + i
            while uid in self.users:
                uid += 1_000_000
            name = f"{prefix}{i + 1:0{width}d}"
            self.add_user(name, id=uid)
            g.members[uid] = FakeMember(user_id=uid, guild_id=g.id)
            ids.append(uid)
        return ids

    def close_dms(self, user: int | str) -> None:
        """The user stops accepting DMs: sending to their DM channel gives 403 / 50007."""
        self.users[self.user(user)].dms_open = False

    def open_dms(self, user: int | str) -> None:
        self.users[self.user(user)].dms_open = True

    # ----- lookups -----------------------------------------------------------------------
    @property
    def guild_id(self) -> int:
        """Id of the first (default) guild."""
        return next(iter(self.guilds))

    @property
    def bot_user_id(self) -> int:
        return self.application.bot_user_id

    @property
    def application_id(self) -> int:
        return self.application.id

    def guild(self, guild: int | str | None = None) -> FakeGuild:
        if guild is None:
            if not self.guilds:
                raise LookupError("the world has no guild")
            return self.guilds[self.guild_id]
        if isinstance(guild, FakeGuild):
            return guild
        if isinstance(guild, int):
            try:
                return self.guilds[guild]
            except KeyError:
                raise LookupError(f"unknown guild id {guild}") from None
        for g in self.guilds.values():
            if g.name == guild:
                return g
        raise LookupError(
            f"unknown guild {guild!r}; guilds: {[g.name for g in self.guilds.values()]}"
        )

    def user(self, user: int | str | FakeUser) -> int:
        """User id for a username (or id, or FakeUser)."""
        if isinstance(user, FakeUser):
            return user.id
        if isinstance(user, int):
            if user not in self.users:
                raise LookupError(f"unknown user id {user}")
            return user
        try:
            return self._user_names[user]
        except KeyError:
            known = sorted(n for n in self._user_names if not n.startswith("member"))
            raise LookupError(f"unknown user {user!r}; known: {known}") from None

    def channel(self, channel: int | str | FakeChannel, guild: int | str | None = None) -> int:
        """Channel (or thread) id for a name (searched in ``guild``, default the first guild)."""
        if isinstance(channel, FakeChannel):
            return channel.id
        if isinstance(channel, int):
            if channel not in self.channels:
                raise LookupError(f"unknown channel id {channel}")
            return channel
        name = channel.lstrip("#")
        guilds = [self.guild(guild)] if guild is not None else list(self.guilds.values())
        for g in guilds:
            for cid in g.channel_ids:
                if self.channels[cid].name == name:
                    return cid
        names = [self.channels[c].name for g in guilds for c in g.channel_ids]
        raise LookupError(f"unknown channel {channel!r}; channels: {names}")

    def role(self, role: int | str | FakeRole, guild: int | str | None = None) -> int:
        if isinstance(role, FakeRole):
            return role.id
        guilds = [self.guild(guild)] if guild is not None else list(self.guilds.values())
        if isinstance(role, int):
            for g in guilds:
                if role in g.roles:
                    return role
            raise LookupError(f"unknown role id {role}")
        for g in guilds:
            for r in g.roles.values():
                if r.name == role:
                    return r.id
        names = [r.name for g in guilds for r in g.roles.values()]
        raise LookupError(f"unknown role {role!r}; roles: {names}")

    def get_role(self, role_id: int) -> FakeRole | None:
        for g in self.guilds.values():
            r = g.roles.get(role_id)
            if r is not None:
                return r
        return None

    def member(self, user: int | str, guild: int | str | None = None) -> FakeMember | None:
        return self.guild(guild).members.get(self.user(user))

    def member_roles(self, user: int | str, guild: int | str | None = None) -> set[str]:
        """Names of the member's roles (without @everyone)."""
        g = self.guild(guild)
        m = g.members.get(self.user(user))
        if m is None:
            return set()
        return {g.roles[r].name for r in m.roles if r in g.roles}

    def guild_of_channel(self, channel_id: int) -> FakeGuild | None:
        ch = self.channels.get(channel_id)
        if ch is None or ch.guild_id is None:
            return None
        return self.guilds.get(ch.guild_id)

    def threads(self, guild: int | str | None = None) -> list[FakeChannel]:
        g = self.guild(guild)
        return [self.channels[c] for c in g.channel_ids if self.channels[c].is_thread]

    # ----- reading state -----------------------------------------------------------------
    def channel_messages(self, channel_id: int, *, include_ephemeral: bool = False) -> list:
        ch = self.channels[channel_id]
        out = []
        for mid in ch.message_ids:
            m = self.messages[mid]
            if m.deleted or (m.ephemeral and not include_ephemeral):
                continue
            out.append(m)
        return out

    def dm_channel_for(self, user_id: int) -> FakeChannel:
        """The DM channel between the bot and ``user_id`` (created on first use)."""
        cid = self.dm_channels.get(user_id)
        if cid is None:
            cid = self.snowflakes.next()
            self.channels[cid] = FakeChannel(
                id=cid, type=ChannelType.DM, name=None, recipient_id=user_id
            )
            self.dm_channels[user_id] = cid
        return self.channels[cid]

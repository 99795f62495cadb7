"""State of the fake Discord: guilds, channels, roles, members, users, messages, commands.

Everything here is plain data plus lookups and Discord-shaped payload builders. Mutations
that Discord would announce over the gateway are done by :mod:`.rest` and :mod:`.server`,
which also dispatch the matching events.
"""

from __future__ import annotations

import functools
import itertools
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000


class P:
    """Permission bits (https://discord.com/developers/docs/topics/permissions)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    MODERATE_MEMBERS = 1 << 40
    CREATE_EVENTS = 1 << 44
    ALL = (1 << 51) - 1

    EVERYONE_DEFAULT = (
        CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS
        | CONNECT
        | SPEAK
        | CHANGE_NICKNAME
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | CREATE_PRIVATE_THREADS
        | SEND_MESSAGES_IN_THREADS
        | CREATE_EVENTS
    )
    BOT_DEFAULT = (
        EVERYONE_DEFAULT
        | MANAGE_ROLES
        | MANAGE_MESSAGES
        | MANAGE_THREADS
        | MANAGE_EVENTS
        | MENTION_EVERYONE
        | MANAGE_CHANNELS
    )


class ChannelType:
    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4
    GUILD_ANNOUNCEMENT = 5
    ANNOUNCEMENT_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    GUILD_STAGE_VOICE = 13
    GUILD_FORUM = 15

    THREADS = (10, 11, 12)


class Intents:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    DIRECT_MESSAGES = 1 << 12
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


class MessageFlags:
    SUPPRESS_EMBEDS = 1 << 2
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7
    SUPPRESS_NOTIFICATIONS = 1 << 12
    IS_COMPONENTS_V2 = 1 << 15


def iso(ts: float | None = None) -> str:
    """ISO-8601 UTC timestamp as Discord writes them."""
    dt = datetime.fromtimestamp(time.time() if ts is None else ts, tz=UTC)
    return dt.isoformat()


class SnowflakeGenerator:
    """Discord-like snowflakes: increasing, time based, unique within the process."""

    def __init__(self) -> None:
        self._last_ms = 0
        self._inc = 0

    def next(self) -> int:
        ms = int(time.time() * 1000)
        if ms <= self._last_ms:
            ms = self._last_ms
            self._inc += 1
            if self._inc >= 4096:
                ms += 1
                self._inc = 0
        else:
            self._inc = 0
        self._last_ms = ms
        return ((ms - DISCORD_EPOCH_MS) << 22) | (1 << 17) | self._inc


@dataclass
class FakeUser:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_open: bool = True

    def to_payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class FakeRole:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    def to_payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0

    def to_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass
class FakeChannel:
    id: int
    type: int
    name: str | None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient_id: int | None = None  # DM channels
    # threads
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    thread_member_ids: list[int] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)
    last_message_id: int | None = None
    message_count: int = 0
    message_ids: list[int] = field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        return self.type in ChannelType.THREADS

    @property
    def is_dm(self) -> bool:
        return self.type == ChannelType.DM


@dataclass
class FakeMember:
    user_id: int
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso)


@dataclass
class FakeAttachment:
    id: int
    filename: str
    content: bytes
    content_type: str | None
    url: str = ""
    description: str | None = None
    ephemeral: bool = False

    @property
    def size(self) -> int:
        return len(self.content)

    def to_payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": self.url,
            "proxy_url": self.url,
        }
        if self.content_type:
            data["content_type"] = self.content_type
        if self.description is not None:
            data["description"] = self.description
        if self.ephemeral:
            data["ephemeral"] = True
        return data


@dataclass
class FakeMessage:
    """A message stored by the fake. ``embeds``/``components`` are the raw JSON the bot sent."""

    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[FakeAttachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    allowed_mentions: dict[str, Any] | None = None
    message_reference: dict[str, Any] | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    ephemeral_user_id: int | None = None
    created_at: float = field(default_factory=time.time)
    edited_at: float | None = None
    edit_count: int = 0
    deleted: bool = False
    pinned: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)
    thread_id: int | None = None

    # ----- convenience for tests -------------------------------------------------------
    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MessageFlags.EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & MessageFlags.LOADING)

    @property
    def files(self) -> dict[str, bytes]:
        """Attachments as ``{filename: content}``."""
        return {a.filename: a.content for a in self.attachments}

    def walk_components(self) -> list[dict[str, Any]]:
        """Every component (rows, containers and their children), depth first."""
        out: list[dict[str, Any]] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for c in items:
                out.append(c)
                if "components" in c and isinstance(c["components"], list):
                    walk(c["components"])
                if isinstance(c.get("component"), dict):
                    walk([c["component"]])
                if isinstance(c.get("accessory"), dict):
                    walk([c["accessory"]])

        walk(self.components)
        return out

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [c for c in self.walk_components() if c.get("type") == 2]

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in self.walk_components() if "custom_id" in c]

    def component(self, custom_id: str) -> dict[str, Any] | None:
        for c in self.walk_components():
            if c.get("custom_id") == custom_id:
                return c
        return None

    def button(self, label: str) -> dict[str, Any]:
        """The button whose label is ``label`` (raises ``LookupError`` if none)."""
        for b in self.buttons:
            if b.get("label") == label:
                return b
        labels = [b.get("label") for b in self.buttons]
        raise LookupError(f"no button labelled {label!r} in message {self.id}; labels: {labels}")

    @property
    def text(self) -> str:
        """Content, embed texts and v2 text displays joined: handy for ``in`` assertions."""
        parts = [self.content]
        for e in self.embeds:
            for key in ("title", "description"):
                if e.get(key):
                    parts.append(str(e[key]))
            for f in e.get("fields", []) or []:
                parts.append(f"{f.get('name', '')}: {f.get('value', '')}")
            if (e.get("footer") or {}).get("text"):
                parts.append(e["footer"]["text"])
            if (e.get("author") or {}).get("name"):
                parts.append(e["author"]["name"])
        for c in self.walk_components():
            if c.get("type") == 10 and c.get("content"):
                parts.append(c["content"])
        return "\n".join(p for p in parts if p)

    @property
    def mentions(self) -> dict[str, Any]:
        """Mentions written in the content: ``{"users": set, "roles": set, "everyone": bool}``."""
        return parse_mentions(self.content)

    @property
    def pings(self) -> dict[str, Any]:
        """Mentions that would actually notify, after applying ``allowed_mentions``."""
        return apply_allowed_mentions(parse_mentions(self.content), self.allowed_mentions)


@dataclass
class FakeScheduledEvent:
    id: int
    guild_id: int
    name: str
    scheduled_start_time: str
    creator_id: int
    entity_type: int = 3
    privacy_level: int = 2
    status: int = 1
    description: str | None = None
    scheduled_end_time: str | None = None
    channel_id: int | None = None
    location: str | None = None
    image: str | None = None
    user_ids: list[int] = field(default_factory=list)
    recurrence_rule: dict[str, Any] | None = None
    deleted: bool = False


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    members: dict[int, FakeMember] = field(default_factory=dict)
    scheduled_event_ids: list[int] = field(default_factory=list)
    preferred_locale: str = "en-US"
    features: list[str] = field(default_factory=list)
    system_channel_id: int | None = None

    @property
    def everyone_role(self) -> FakeRole:
        return self.roles[self.id]


@dataclass
class Application:
    id: int
    name: str
    bot_user_id: int
    owner_id: int
    flags: int = (1 << 15) | (1 << 19)  # GATEWAY_GUILD_MEMBERS_LIMITED | MESSAGE_CONTENT_LIMITED


_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


@functools.lru_cache(maxsize=4096)
def _mentions(content: str) -> tuple[frozenset[int], frozenset[int], bool]:
    users = frozenset(int(m) for m in _USER_MENTION.findall(content))
    roles = frozenset(int(m) for m in _ROLE_MENTION.findall(content))
    return users, roles, "@everyone" in content or "@here" in content


def parse_mentions(content: str) -> dict[str, Any]:
    """Find ``<@id>``, ``<@!id>``, ``<@&id>``, ``@everyone`` and ``@here`` in ``content``."""
    users, roles, everyone = _mentions(content or "")
    return {"users": set(users), "roles": set(roles), "everyone": everyone}


def apply_allowed_mentions(
    mentions: dict[str, Any], allowed: dict[str, Any] | None
) -> dict[str, Any]:
    """Filter parsed mentions through an ``allowed_mentions`` object, as Discord does."""
    if allowed is None:
        return {k: (set(v) if isinstance(v, set) else v) for k, v in mentions.items()}
    parse = set(allowed.get("parse") or [])
    allowed_users = {int(u) for u in allowed.get("users") or []}
    allowed_roles = {int(r) for r in allowed.get("roles") or []}
    users = set(mentions["users"]) if "users" in parse else mentions["users"] & allowed_users
    roles = set(mentions["roles"]) if "roles" in parse else mentions["roles"] & allowed_roles
    return {
        "users": users,
        "roles": roles,
        "everyone": mentions["everyone"] and "everyone" in parse,
    }


class World:
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

    def add_guild(self, name: str, *, id: int | None = None, owner: int | str) -> FakeGuild:
        gid = id if id is not None else self.snowflakes.next()
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

    # ----- permissions -------------------------------------------------------------------
    def base_permissions(self, guild_id: int, user_id: int) -> int:
        g = self.guilds[guild_id]
        if user_id == g.owner_id:
            return P.ALL
        m = g.members.get(user_id)
        perms = g.everyone_role.permissions
        if m is not None:
            for rid in m.roles:
                r = g.roles.get(rid)
                if r is not None:
                    perms |= r.permissions
        if perms & P.ADMINISTRATOR:
            return P.ALL
        return perms

    def permissions(self, guild_id: int, user_id: int, channel_id: int | None = None) -> int:
        """Permissions of a member, in a channel when given (overwrites applied)."""
        base = self.base_permissions(guild_id, user_id)
        if base == P.ALL or channel_id is None:
            return base
        ch = self.channels.get(channel_id)
        if ch is None:
            return base
        if ch.is_thread and ch.parent_id is not None:
            ch = self.channels.get(ch.parent_id, ch)
        g = self.guilds[guild_id]
        m = g.members.get(user_id)
        perms = base
        ows = {(o.type, o.id): o for o in ch.overwrites}
        everyone = ows.get((0, guild_id))
        if everyone:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for rid in m.roles if m else []:
            o = ows.get((0, rid))
            if o:
                allow |= o.allow
                deny |= o.deny
        perms = (perms & ~deny) | allow
        mo = ows.get((1, user_id))
        if mo:
            perms = (perms & ~mo.deny) | mo.allow
        if not perms & P.VIEW_CHANNEL:
            return 0
        return perms

    def top_role_position(self, guild_id: int, user_id: int) -> int:
        g = self.guilds[guild_id]
        m = g.members.get(user_id)
        if m is None:
            return 0
        return max([g.roles[r].position for r in m.roles if r in g.roles] or [0])

    # ----- payloads ----------------------------------------------------------------------
    def user_payload(self, user_id: int) -> dict[str, Any]:
        u = self.users.get(user_id)
        if u is None:
            return {
                "id": str(user_id),
                "username": f"unknown-{user_id}",
                "discriminator": "0",
                "global_name": None,
                "avatar": None,
            }
        return u.to_payload()

    def member_payload(
        self,
        guild_id: int,
        user_id: int,
        *,
        with_user: bool = True,
        channel_id: int | None = None,
        with_permissions: bool = False,
    ) -> dict[str, Any]:
        g = self.guilds[guild_id]
        m = g.members[user_id]
        data: dict[str, Any] = {
            "roles": [str(r) for r in m.roles],
            "nick": m.nick,
            "avatar": None,
            "banner": None,
            "joined_at": m.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user_payload(user_id)
        if with_permissions:
            data["permissions"] = str(self.permissions(guild_id, user_id, channel_id))
        return data

    def channel_payload(self, channel_id: int, *, for_user: int | None = None) -> dict[str, Any]:
        ch = self.channels[channel_id]
        if ch.is_dm:
            return {
                "id": str(ch.id),
                "type": ch.type,
                "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
                "flags": 0,
                "recipients": [self.user_payload(ch.recipient_id or 0)],
            }
        data: dict[str, Any] = {
            "id": str(ch.id),
            "type": ch.type,
            "guild_id": str(ch.guild_id),
            "name": ch.name,
            "position": ch.position,
            "permission_overwrites": [o.to_payload() for o in ch.overwrites],
            "parent_id": str(ch.parent_id) if ch.parent_id else None,
            "nsfw": ch.nsfw,
            "flags": 0,
            "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
            "rate_limit_per_user": 0,
        }
        if ch.type in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
            data["topic"] = ch.topic
            data["default_auto_archive_duration"] = 1440
        if ch.type in (ChannelType.GUILD_VOICE, ChannelType.GUILD_STAGE_VOICE):
            data.update(bitrate=64000, user_limit=0, rtc_region=None)
        if ch.is_thread:
            data.pop("permission_overwrites")
            data.pop("position")
            data.update(
                owner_id=str(ch.owner_id),
                member_count=min(len(ch.thread_member_ids), 50),
                message_count=ch.message_count,
                total_message_sent=ch.message_count,
                thread_metadata={
                    "archived": ch.archived,
                    "auto_archive_duration": ch.auto_archive_duration,
                    "archive_timestamp": iso(ch.created_at),
                    "locked": ch.locked,
                    "invitable": ch.invitable,
                    "create_timestamp": iso(ch.created_at),
                },
            )
        if for_user is not None and ch.guild_id is not None:
            data["permissions"] = str(self.permissions(ch.guild_id, for_user, ch.id))
        return data

    def message_payload(self, msg: FakeMessage) -> dict[str, Any]:
        author = self.user_payload(msg.author_id)
        data: dict[str, Any] = {
            "id": str(msg.id),
            "channel_id": str(msg.channel_id),
            "type": msg.type,
            "content": msg.content,
            "author": author,
            "attachments": [a.to_payload() for a in msg.attachments],
            "embeds": msg.embeds,
            "components": msg.components,
            "mentions": [
                self.user_payload(u) for u in sorted(msg.mentions["users"]) if u in self.users
            ],
            "mention_roles": [str(r) for r in sorted(msg.mentions["roles"])],
            "mention_everyone": msg.pings["everyone"],
            "pinned": msg.pinned,
            "tts": msg.tts,
            "timestamp": iso(msg.created_at),
            "edited_timestamp": iso(msg.edited_at) if msg.edited_at else None,
            "flags": msg.flags,
        }
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        if msg.webhook_id is not None:
            data["webhook_id"] = str(msg.webhook_id)
        if msg.application_id is not None:
            data["application_id"] = str(msg.application_id)
        if msg.interaction_metadata is not None:
            data["interaction_metadata"] = msg.interaction_metadata
        if msg.message_reference is not None:
            data["message_reference"] = msg.message_reference
        if msg.thread_id is not None and msg.thread_id in self.channels:
            data["thread"] = self.channel_payload(msg.thread_id)
        return data

    def message_event_payload(self, msg: FakeMessage) -> dict[str, Any]:
        """MESSAGE_CREATE/UPDATE payload: message plus ``member`` for guild messages."""
        data = self.message_payload(msg)
        if msg.guild_id is not None and msg.author_id in self.guilds[msg.guild_id].members:
            data["member"] = self.member_payload(msg.guild_id, msg.author_id, with_user=False)
        return data

    def scheduled_event_payload(self, ev: FakeScheduledEvent) -> dict[str, Any]:
        return {
            "id": str(ev.id),
            "guild_id": str(ev.guild_id),
            "channel_id": str(ev.channel_id) if ev.channel_id else None,
            "creator_id": str(ev.creator_id),
            "creator": self.user_payload(ev.creator_id),
            "name": ev.name,
            "description": ev.description,
            "scheduled_start_time": ev.scheduled_start_time,
            "scheduled_end_time": ev.scheduled_end_time,
            "privacy_level": ev.privacy_level,
            "status": ev.status,
            "entity_type": ev.entity_type,
            "entity_id": None,
            "entity_metadata": {"location": ev.location} if ev.location is not None else None,
            "user_count": len(ev.user_ids),
            "image": ev.image,
            "recurrence_rule": ev.recurrence_rule,
        }

    def guild_payload(self, guild_id: int) -> dict[str, Any]:
        """The guild object (REST shape, without channels/members)."""
        g = self.guilds[guild_id]
        return {
            "id": str(g.id),
            "name": g.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(g.owner_id),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.to_payload() for r in g.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": list(g.features),
            "mfa_level": 0,
            "system_channel_id": str(g.system_channel_id) if g.system_channel_id else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": g.preferred_locale,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "max_members": 500000,
            "max_video_channel_users": 25,
        }

    def guild_create_payload(
        self, guild_id: int, *, intents: int, large_threshold: int = 250
    ) -> dict:
        """GUILD_CREATE as sent to a bot with ``intents``."""
        g = self.guilds[guild_id]
        data = self.guild_payload(guild_id)
        count = len(g.members)
        large = count > large_threshold
        bot_id = self.application.bot_user_id
        if intents & Intents.GUILD_MEMBERS and not large:
            member_ids = list(g.members)
        else:
            member_ids = [bot_id] if bot_id in g.members else []
        bot_member = g.members.get(bot_id)
        data.update(
            unavailable=False,
            member_count=count,
            large=large,
            joined_at=bot_member.joined_at if bot_member else iso(),
            lazy=True,
            channels=[
                self.channel_payload(c) for c in g.channel_ids if not self.channels[c].is_thread
            ],
            threads=[
                self.channel_payload(c)
                for c in g.channel_ids
                if self.channels[c].is_thread and not self.channels[c].archived
            ],
            members=[self.member_payload(g.id, u) for u in member_ids],
            presences=[],
            voice_states=[],
            stage_instances=[],
            guild_scheduled_events=[
                self.scheduled_event_payload(self.scheduled_events[e])
                for e in g.scheduled_event_ids
                if e in self.scheduled_events and not self.scheduled_events[e].deleted
            ],
            soundboard_sounds=[],
        )
        return data

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

"""The things a world holds, as plain dataclasses: users, roles, channel overwrites, channels,
members, attachments, messages (with the conveniences tests read them by), scheduled events,
guilds and the bot's application. Each knows its own Discord payload where that needs no
other state; payloads that do (members, channels, messages…) are built by :mod:`.payloads`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .constants import ChannelType, MessageFlags, iso
from .mentions import apply_allowed_mentions, parse_mentions


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

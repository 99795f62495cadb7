"""Discord's numbers: permission bits, channel types, intents, message flags, and the ids
and timestamps the fake hands out (snowflakes, ISO-8601 UTC), and the shard that owns a
guild (``shard_of``)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

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


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard whose gateway connection gets ``guild_id``'s events, as Discord routes them:
    ``(guild_id >> 22) % shard_count`` (DMs go to shard 0)."""
    return (guild_id >> 22) % shard_count if shard_count > 1 else 0


class SnowflakeGenerator:
    """Discord-like snowflakes: increasing, time based, unique within the process."""

    def __init__(self) -> None:
        self._last_ms = 0
        self._inc = 0
        self._sharded = (0, 0)

    def on_shard(self, shard_id: int, shard_count: int) -> int:
        """A fresh snowflake that, as a guild id, Discord routes to ``shard_id`` of
        ``shard_count``: the next one's timestamp moved on to the first millisecond with
        ``ms % shard_count == shard_id``, under its own worker id (2) so it never clashes with
        :meth:`next`."""
        if not 0 <= shard_id < shard_count:
            raise ValueError(f"shard {shard_id} is not one of 0..{shard_count - 1}")
        # (ms, increment) strictly increase from one call to the next, so ids never repeat;
        # getattr: a generator pickled (by the playground) before this existed.
        last_ms, last_inc = getattr(self, "_sharded", (0, 0))
        ms = max(self.next() >> 22, last_ms)
        ms += (shard_id - ms) % shard_count
        inc = last_inc + 1 if ms == last_ms else 0
        if inc >= 4096:
            ms, inc = ms + shard_count, 0
        self._sharded = (ms, inc)
        return (ms << 22) | (2 << 17) | inc

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

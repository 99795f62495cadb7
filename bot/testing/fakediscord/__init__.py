"""A fake Discord (gateway + REST on 127.0.0.1) for running the real bot in tests.

One package per concern, each with a docstring naming its modules:

- :mod:`.world`: the state (guilds, channels, roles, members, messages…), its lookups,
  permission rules and Discord-shaped payloads
- :mod:`.server`: ``FakeDiscord``, the server and the helpers tests drive it with
- :mod:`.gateway`: the websocket gateway (handshake, sessions, dispatch, resume)
- :mod:`.rest`: the REST API, one module per resource
- :mod:`.interactions`: interactions sent to the bot and what it answered
- :mod:`.limits`: Discord's documented limits, checked on everything the bot sends
- :mod:`.driver`: ``BotProcess``, the real bot as a child process wired to a fake
"""

from .driver import BotProcess, BotProcessError
from .interactions import (
    CallbackType,
    FakeDiscordError,
    InteractionResult,
    InteractionTimeout,
    InteractionType,
)
from .limits import Problem
from .rest import (
    FaultRule,
    Faults,
    LimitViolation,
    RateLimitRule,
    RecordedRequest,
    UnknownRoute,
    UploadedFile,
    discord_like_rate_limits,
)
from .server import FakeDiscord
from .world import (
    ChannelType,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeScheduledEvent,
    FakeUser,
    Intents,
    MessageFlags,
    Overwrite,
    P,
    World,
    shard_of,
)

__all__ = [
    "BotProcess",
    "BotProcessError",
    "CallbackType",
    "ChannelType",
    "FakeAttachment",
    "FakeChannel",
    "FakeDiscord",
    "FakeDiscordError",
    "FakeGuild",
    "FakeMember",
    "FakeMessage",
    "FakeRole",
    "FakeScheduledEvent",
    "FakeUser",
    "FaultRule",
    "Faults",
    "Intents",
    "InteractionResult",
    "InteractionTimeout",
    "InteractionType",
    "LimitViolation",
    "MessageFlags",
    "Overwrite",
    "P",
    "Problem",
    "RateLimitRule",
    "RecordedRequest",
    "UnknownRoute",
    "UploadedFile",
    "World",
    "discord_like_rate_limits",
    "shard_of",
]

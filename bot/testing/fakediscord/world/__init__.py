"""State of the fake Discord: guilds, channels, roles, members, users, messages, commands.

Everything here is plain data plus lookups and Discord-shaped payload builders:

- :mod:`.constants`: permission bits ``P``, ``ChannelType``, ``Intents``, ``MessageFlags``,
  snowflakes and timestamps, ``shard_of`` (the shard that owns a guild)
- :mod:`.models`: the dataclasses (``FakeUser``, ``FakeRole``, ``FakeChannel``, ``FakeMember``,
  ``FakeAttachment``, ``FakeMessage``, ``FakeScheduledEvent``, ``FakeGuild``, ``Application``)
- :mod:`.mentions`: mentions in content and ``allowed_mentions``
- :mod:`.world`: ``World`` (construction and lookups), composed of :mod:`.permissions`
  (the permission rules) and :mod:`.payloads` (Discord-shaped payloads)

Mutations that Discord would announce over the gateway are done by :mod:`..rest` and
:mod:`..server`, which also dispatch the matching events. Worlds saved with pickle before
this was a package still load: their classes are found here under their old names.
"""

from __future__ import annotations

from .constants import (
    DISCORD_EPOCH_MS,
    ChannelType,
    Intents,
    MessageFlags,
    P,
    SnowflakeGenerator,
    iso,
    shard_of,
)
from .mentions import apply_allowed_mentions, parse_mentions
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
from .world import World

__all__ = [
    "DISCORD_EPOCH_MS",
    "Application",
    "ChannelType",
    "FakeAttachment",
    "FakeChannel",
    "FakeGuild",
    "FakeMember",
    "FakeMessage",
    "FakeRole",
    "FakeScheduledEvent",
    "FakeUser",
    "Intents",
    "MessageFlags",
    "Overwrite",
    "P",
    "SnowflakeGenerator",
    "World",
    "apply_allowed_mentions",
    "iso",
    "parse_mentions",
    "shard_of",
]

"""A tiny sharded discord.py bot for the fake Discord's sharding tests (run as a process).

Like tinybot.py it points discord.py at the fake with ``DISCORD_API_BASE`` and
``DISCORD_GATEWAY_URL``. How it shards is read from its environment:

- ``SHARDING=auto`` (default): an ``AutoShardedClient``; ``SHARD_COUNT`` and ``SHARD_IDS``
  (e.g. ``"0,1"``) when given, else the count ``GET /gateway/bot`` recommends;
- ``SHARDING=single``: a plain ``Client(shard_id=SHARD_IDS, shard_count=SHARD_COUNT)``, or
  without them an unsharded ``Client``;
- ``IDENTIFY_DELAY``: seconds before each IDENTIFY after the first (discord.py's default
  hook waits 5 s).

``/whoami`` answers with the shard that got the interaction (``shard=0`` for a DM on an
``AutoShardedClient``, which routes DMs to shard 0) and the guilds its client holds; a DM
gets ``dm echo from shard=N``. Only the process holding shard 0 syncs the commands. A
connection that ends the client prints ``closed <exception> code=<code> shard=<id>`` and
exits with 3.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

import discord
import yarl
from discord import app_commands


def _ints(name: str) -> list[int] | None:
    raw = os.environ.get(name, "").strip()
    return [int(x) for x in raw.split(",") if x.strip()] if raw else None


SHARD_COUNT = next(iter(_ints("SHARD_COUNT") or []), None)
SHARD_IDS = _ints("SHARD_IDS")
AUTO = os.environ.get("SHARDING", "auto") == "auto"
IDENTIFY_DELAY = os.environ.get("IDENTIFY_DELAY")


def shard_of_client(client: discord.Client, guild: discord.Guild | None) -> int:
    if guild is not None:
        return guild.shard_id
    return client.shard_id or 0


def guild_names(client: discord.Client, shard_id: int | None = None) -> str:
    names = sorted(g.name for g in client.guilds if shard_id is None or g.shard_id == shard_id)
    return ",".join(names)


class Hooks(discord.Client):
    """What both kinds of client do (``AutoBot`` puts ``AutoShardedClient`` under it)."""

    tree: app_commands.CommandTree[Hooks]

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if IDENTIFY_DELAY is None:
            await super().before_identify_hook(shard_id, initial=initial)
        elif not initial:
            await asyncio.sleep(float(IDENTIFY_DELAY))

    async def setup_hook(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.create_task(self.close()))
        self.tree = app_commands.CommandTree(self)
        register(self.tree)
        # The process that holds shard 0 syncs (an AutoShardedClient without ids holds all).
        ids = SHARD_IDS if SHARD_IDS is not None else [0]
        if 0 in ids:
            synced = await self.tree.sync()
            print(f"synced {len(synced)} commands", flush=True)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is not None:
            return
        await message.channel.send(f"dm echo from shard={shard_of_client(self, None)}")


class AutoBot(Hooks, discord.AutoShardedClient):
    async def on_shard_ready(self, shard_id: int) -> None:
        print(f"ready shard={shard_id} guilds={guild_names(self, shard_id)}", flush=True)


class SingleBot(Hooks, discord.Client):
    async def on_ready(self) -> None:
        print(f"ready shard={self.shard_id} guilds={guild_names(self)}", flush=True)


def register(tree: app_commands.CommandTree[Hooks]) -> None:
    @tree.command(name="whoami", description="Which shard got this")
    @app_commands.allowed_contexts(guilds=True, dms=True)
    async def whoami(interaction: discord.Interaction) -> None:
        client = interaction.client
        shard = shard_of_client(client, interaction.guild)
        await interaction.response.send_message(
            f"shard={shard} guilds={guild_names(client)}", ephemeral=True
        )


def make_client() -> discord.Client:
    intents = discord.Intents.default()
    intents.members = True
    if AUTO:
        if SHARD_IDS is None:
            return AutoBot(intents=intents, shard_count=SHARD_COUNT)
        return AutoBot(intents=intents, shard_count=SHARD_COUNT, shard_ids=SHARD_IDS)
    shard_id = SHARD_IDS[0] if SHARD_IDS else None
    return SingleBot(intents=intents, shard_id=shard_id, shard_count=SHARD_COUNT)


async def run() -> int:
    client = make_client()
    try:
        async with client:
            await client.start(os.environ["DISCORD_TOKEN"])
    except discord.ConnectionClosed as exc:
        print(f"closed {type(exc).__name__} code={exc.code} shard={exc.shard_id}", flush=True)
        return 3
    return 0


def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), stream=sys.stdout)
    if os.environ.get("DISCORD_API_BASE"):
        discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
    if os.environ.get("DISCORD_GATEWAY_URL"):
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
            os.environ["DISCORD_GATEWAY_URL"]
        )
    sys.exit(asyncio.run(run()))


if __name__ == "__main__":
    main()

"""For bench/memory.py: a discord.py client with the bot's intents (BENCH_INTENTS, the value
of cogs/_app.py's intents()) and nothing else, its member cache set by MEMBER_CACHE:

  default   discord.py's defaults, which the bot keeps: with the members intent every
            guild whose GUILD_CREATE lacks members (the large ones) is chunked at start-up,
            and every member is cached (MemberCacheFlags.from_intents: joined)
  no-chunk  chunk_guilds_at_startup=False; the members GUILD_CREATE carries are cached
  none      chunk_guilds_at_startup=False and MemberCacheFlags.none(): no member cached

It is an AutoShardedClient with the bot's guild_ready_timeout, as the bot is. In on_ready
it prints `ready guilds=G members=M chunked=C` (M: members cached, C: guilds chunked).
"""

from __future__ import annotations

import os

import discord
import yarl

CACHES = ("default", "no-chunk", "none")


class CacheClient(discord.AutoShardedClient):
    async def on_ready(self) -> None:
        members = sum(len(g.members) for g in self.guilds)
        chunked = sum(1 for g in self.guilds if g.chunked)
        print(f"ready guilds={len(self.guilds)} members={members} chunked={chunked}", flush=True)


def client(cache: str, intents: discord.Intents) -> CacheClient:
    if cache not in CACHES:
        raise SystemExit(f"MEMBER_CACHE must be one of {', '.join(CACHES)}, not {cache!r}")
    options: dict[str, object] = {}
    if cache != "default":
        options["chunk_guilds_at_startup"] = False
    if cache == "none":
        options["member_cache_flags"] = discord.MemberCacheFlags.none()
    return CacheClient(intents=intents, guild_ready_timeout=0.5, **options)  # type: ignore[arg-type]


def main() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    intents = discord.Intents._from_value(int(os.environ["BENCH_INTENTS"]))
    bot = client(os.environ.get("MEMBER_CACHE", "default"), intents)
    bot.run(os.environ["DISCORD_TOKEN"], log_handler=None)


if __name__ == "__main__":
    main()

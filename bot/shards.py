"""Which guilds this process looks after, when the bot runs as several processes.

Discord splits a big bot's guilds into shards: guild `g` belongs to shard
`(g >> 22) % shard_count`, and each shard is one gateway connection. With
`SHARD_COUNT=2 SHARD_IDS=0` one process runs shard 0 and another `SHARD_IDS=1` runs
shard 1, both on one PostgreSQL. Each process then keeps the timers, the deliveries and
the start-up repairs of its own guilds only, so nothing is done twice; DMs (which
Discord sends to shard 0) belong to the process that runs shard 0. See docs/scaling.md.

Without SHARD_IDS one process runs every shard and owns everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def shard_of(guild_id: int, count: int) -> int:
    """Discord's rule: the shard a guild's events arrive on."""
    return (guild_id >> 22) % count


@dataclass(frozen=True)
class Shards:
    """`count` None: as many as Discord recommends; `ids` None: all of them, here."""

    count: int | None = None
    ids: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.ids is not None:
            if self.count is None:
                raise ValueError("SHARD_IDS needs SHARD_COUNT")
            if not self.ids or any(not 0 <= i < self.count for i in self.ids):
                raise ValueError(f"shard ids must be between 0 and {self.count - 1}")

    @property
    def everything(self) -> bool:
        """This process runs every shard (the usual, single-process case)."""
        return self.ids is None or self.count is None or set(self.ids) >= set(range(self.count))

    @property
    def runs_shard_zero(self) -> bool:
        """DMs, global command sync and once-per-bot chores belong to shard 0's process."""
        return self.ids is None or 0 in self.ids

    def owns(self, guild_id: int | None) -> bool:
        """Whether this process looks after the guild (None: something outside any guild,
        such as a DM, which shard 0 receives)."""
        if self.everything:
            return True
        assert self.count is not None and self.ids is not None
        if guild_id is None:
            return self.runs_shard_zero
        return shard_of(guild_id, self.count) in self.ids

    def mine(self, guild_ids: Iterable[int]) -> list[int]:
        return [g for g in guild_ids if self.owns(g)]

    def where(self, column: str) -> str:
        """An SQL condition on a guild id column for this process's guilds ("TRUE" when it
        owns everything). Only numbers are interpolated: the column is ours, not input."""
        if self.everything:
            return "1 = 1"
        assert self.count is not None and self.ids is not None
        ids = ", ".join(str(int(i)) for i in sorted(self.ids))
        owned = f"(({column} >> 22) % {int(self.count)}) IN ({ids})"
        if self.runs_shard_zero:
            return f"({column} IS NULL OR {owned})"
        return owned

    def describe(self) -> str:
        if self.ids is None:
            return "all shards" if self.count is None else f"all {self.count} shard(s)"
        return f"shard(s) {', '.join(map(str, self.ids))} of {self.count}"


ALL = Shards()

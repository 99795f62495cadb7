"""The worlds the scale benchmarks build: sizes add up, guilds land on the shards they
claim, and members are where the benchmark clicks as them (figures are not asserted)."""

from __future__ import annotations

import pytest

from bench.memory import big_world, guild_sizes
from bench.shards import LAHORE, sharded_world
from bot.shards import shard_of


@pytest.mark.parametrize("spread", ["zipf", "even"])
def test_guild_sizes_add_up(spread: str) -> None:
    sizes = guild_sizes(1000, 100_000, spread)
    assert len(sizes) == 1000 and sum(sizes) == 100_000 and min(sizes) >= 3
    assert sizes == sorted(sizes, reverse=True)
    if spread == "even":
        assert set(sizes) == {100}
    else:  # a few large communities, many small ones
        assert sizes[0] > 10_000 and sum(s > 250 for s in sizes) == 52


def test_too_few_members_for_the_guilds() -> None:
    with pytest.raises(ValueError, match="can't fill"):
        guild_sizes(10, 20, "zipf")


def test_big_world_holds_every_member_once() -> None:
    w = big_world(50, 3000, "zipf")
    assert len(w.guilds) == 50
    assert sum(len(g.members) for g in w.guilds.values()) == 3000
    assert sorted((len(g.members) for g in w.guilds.values()), reverse=True) == guild_sizes(
        50, 3000, "zipf"
    )
    assert all(w.bot_user_id in g.members and g.system_channel_id for g in w.guilds.values())
    plain = [u for g in w.guilds.values() for u in g.members if u >= 10_000_000]
    assert len(plain) == len(set(plain))


def test_sharded_world_has_a_server_on_each_shard() -> None:
    w, users = sharded_world(201)
    lahore = w.guild(LAHORE)
    assert [shard_of(gid, 2) for gid in users] == [0, 1]
    assert sorted(map(len, users.values())) == [100, 101]
    assert all(u in w.guilds[gid].members for gid, ids in users.items() for u in ids)
    assert "Admin" in w.member_roles("admin", guild=lahore.id)
    assert w.bot_user_id in lahore.members

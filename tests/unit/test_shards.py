"""Shards: which guilds a process owns, the SQL that picks them, and the settings."""

from __future__ import annotations

import sqlite3

import pytest

from bot.config import ConfigError, load_settings
from bot.shards import Shards, shard_of

# Discord's own example: guild 41771983423143937 is on shard 0 of 2 ((id >> 22) % 2).
SHARD0 = 41771983423143937
SHARD1 = (1 << 22) * 9_999_999 + 5  # (id >> 22) = 9,999,999: odd, shard 1 of 2


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SHARD_COUNT", "SHARD_IDS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_discords_rule() -> None:
    assert shard_of(SHARD0, 2) == 0 and shard_of(SHARD1, 2) == 1
    assert shard_of(SHARD1, 1) == 0


def test_one_process_owns_everything() -> None:
    for shards in (Shards(), Shards(4), Shards(2, (0, 1))):
        assert shards.everything and shards.runs_shard_zero
        assert shards.owns(SHARD0) and shards.owns(SHARD1) and shards.owns(None)
        assert shards.where("guild_id") == "1 = 1"


def test_a_process_owns_its_shards_and_shard_zero_owns_dms() -> None:
    first, second = Shards(2, (0,)), Shards(2, (1,))
    assert first.owns(SHARD0) and not first.owns(SHARD1) and first.owns(None)
    assert second.owns(SHARD1) and not second.owns(SHARD0) and not second.owns(None)
    assert first.mine([SHARD0, SHARD1]) == [SHARD0] and second.mine([SHARD0, SHARD1]) == [SHARD1]
    assert first.describe() == "shard(s) 0 of 2"


def test_the_sql_condition_picks_the_same_guilds() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (guild_id INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(SHARD0,), (SHARD1,), (None,)])
    for shards in (Shards(2, (0,)), Shards(2, (1,)), Shards()):
        rows = conn.execute(f"SELECT guild_id FROM t WHERE {shards.where('guild_id')}")
        got = {r[0] for r in rows}
        assert got == {g for g in (SHARD0, SHARD1, None) if shards.owns(g)}


def test_ids_outside_the_count_are_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        Shards(2, (2,))
    with pytest.raises(ValueError, match="SHARD_COUNT"):
        Shards(None, (0,))


def test_settings_read_the_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(env_file=None).shards == Shards()
    monkeypatch.setenv("SHARD_COUNT", "4")
    assert load_settings(env_file=None).shards == Shards(4)
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot@db:5432/bot")
    monkeypatch.setenv("SHARD_IDS", " 3, 1 ")
    assert load_settings(env_file=None).shards == Shards(4, (1, 3))


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT is invalid: must be a number of shards"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT is invalid"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "zero"}, "SHARD_IDS is invalid: must be shard numbers"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,2"}, "SHARD_IDS must be below SHARD_COUNT"),
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "1"}, "set DATABASE_URL to a PostgreSQL server"),
    ],
)
def test_bad_shard_settings_say_what_to_do(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], says: str
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token-value")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=says) as caught:
        load_settings(env_file=None)
    assert "secret-token-value" not in str(caught.value)  # never echo the other settings


def test_every_shard_in_one_process_needs_no_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHARD_COUNT", "2")
    monkeypatch.setenv("SHARD_IDS", "0,1")
    assert load_settings(env_file=None).shards.everything

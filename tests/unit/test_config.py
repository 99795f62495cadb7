"""Settings: defaults, one clear line for each bad or missing setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DISCORD_TOKEN",
        "DATABASE_PATH",
        "DISCORD_API_BASE",
        "DISCORD_GATEWAY_URL",
        "DEV_GUILD_ID",
        "LOG_LEVEL",
        "FEEDS_ALLOW_PRIVATE_NETWORKS",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_without_env_file() -> None:
    settings = load_settings(env_file=None)
    assert settings.database_path == Path("data/bot.sqlite3")
    assert settings.log_level == "INFO" and settings.dev_guild_id is None
    assert settings.feeds_allow_private_networks is False
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is missing"):
        settings.token()


def test_env_file_is_read(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("DISCORD_TOKEN=abc\nDEV_GUILD_ID=123\nLOG_LEVEL=debug\nDISCORD_API_BASE=\n")
    settings = load_settings(env_file=env)
    assert settings.token() == "abc"
    assert settings.dev_guild_id == 123 and settings.log_level == "DEBUG"
    assert settings.discord_api_base is None


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("DEV_GUILD_ID", "lahore", "DEV_GUILD_ID is invalid"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL is invalid: must be one of"),
        ("DISCORD_API_BASE", "ftp://x", "DISCORD_API_BASE is invalid: must be an http"),
        ("DISCORD_GATEWAY_URL", "http://x", "DISCORD_GATEWAY_URL is invalid: must be a ws"),
        (
            "FEEDS_ALLOW_PRIVATE_NETWORKS",
            "maybe",
            "FEEDS_ALLOW_PRIVATE_NETWORKS is invalid: must be true or false",
        ),
    ],
)
def test_malformed_settings_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=says) as info:
        load_settings(env_file=None)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("value", "allowed"),
    [("true", True), ("TRUE", True), ("1", True), ("yes", True), ("false", False), ("", False)],
)
def test_feeds_allow_private_networks(
    monkeypatch: pytest.MonkeyPatch, value: str, allowed: bool
) -> None:
    monkeypatch.setenv("FEEDS_ALLOW_PRIVATE_NETWORKS", value)
    assert load_settings(env_file=None).feeds_allow_private_networks is allowed


def test_env_example_documents_the_private_networks_setting() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    assert "\nFEEDS_ALLOW_PRIVATE_NETWORKS=false\n" in example


@pytest.fixture
def no_web_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WEB_PORT", "WEB_HOST", "PUBLIC_URL", "WEB_SECRET", "METRICS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name in ("LOG_FORMAT", "DATABASE_URL", "SHARD_COUNT", "SHARD_IDS"):
        monkeypatch.delenv(name, raising=False)


def test_the_web_is_off_by_default(no_web_env: None) -> None:
    settings = load_settings(env_file=None)
    assert settings.web_port is None and settings.web_host == "127.0.0.1"
    assert settings.public_url is None and settings.web_secret is None
    assert settings.log_format == "text"
    assert settings.web_secret_path == Path("data/web_secret")  # beside the SQLite file


def test_web_settings_and_the_address_links_start_with(
    monkeypatch: pytest.MonkeyPatch, no_web_env: None
) -> None:
    monkeypatch.setenv("WEB_PORT", "8080")
    assert load_settings(env_file=None).web_url == "http://127.0.0.1:8080"
    monkeypatch.setenv("PUBLIC_URL", "https://bot.gdg.example/")
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    settings = load_settings(env_file=None)
    assert settings.web_url == "https://bot.gdg.example"
    assert settings.log_format == "json"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("WEB_PORT", "70000", "WEB_PORT is invalid: must be a TCP port"),
        ("WEB_PORT", "http", "WEB_PORT is invalid"),
        ("PUBLIC_URL", "bot.example.org", "PUBLIC_URL is invalid: must be the address"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT is invalid: must be text or json"),
        ("WEB_SECRET", "too-short-secret", "WEB_SECRET is invalid: must be at least 32"),
        ("METRICS_TOKEN", "short", "METRICS_TOKEN is invalid: must be at least 32"),
    ],
)
def test_malformed_web_settings_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, no_web_env: None, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=says) as info:
        load_settings(env_file=None)
    assert "\n" not in str(info.value)
    if name in ("WEB_SECRET", "METRICS_TOKEN"):
        assert value not in str(info.value)  # a secret is never echoed


def test_several_processes_need_one_web_secret(
    monkeypatch: pytest.MonkeyPatch, no_web_env: None
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot@db:5432/bot")
    assert load_settings(env_file=None).web_port is None  # no web: no secret needed
    monkeypatch.setenv("WEB_PORT", "8080")
    with pytest.raises(ConfigError, match="^WEB_SECRET is missing: with DATABASE_URL") as info:
        load_settings(env_file=None)
    assert "\n" not in str(info.value)
    monkeypatch.setenv("WEB_SECRET", "x" * 32)
    assert load_settings(env_file=None).web_secret is not None


def test_env_example_documents_the_web_settings() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    for name in ("WEB_PORT", "WEB_HOST", "PUBLIC_URL", "WEB_SECRET", "METRICS_TOKEN"):
        assert f"\n# {name}=" in example or f"\n{name}=" in example, name
    assert "\nLOG_FORMAT=text\n" in example

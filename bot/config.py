"""Settings from the environment and `.env`, validated once at start-up.

A bad or missing setting becomes a `ConfigError` whose message is one line that
names the setting and says what to do; `python -m bot` prints it and exits.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlparse

from pydantic import SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.shards import Shards

SECRET_SETTINGS = frozenset({"DISCORD_TOKEN", "DATABASE_URL", "WEB_SECRET", "METRICS_TOKEN"})


class ConfigError(Exception):
    """A setting is missing or malformed; the message is meant for the person running the bot."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    database_path: Path = Path("data/bot.sqlite3")
    # PostgreSQL instead of the SQLite file (postgresql://user:pass@host:5432/db).
    database_url: SecretStr | None = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    # Lets feeds live on loopback, private (10/8, 192.168/16, fc00::/7…) and CGNAT
    # addresses, for intranet feeds; see bot/resources/feeds/netguard.py.
    feeds_allow_private_networks: bool = False
    # Several processes, one per group of shards (docs/scaling.md): SHARD_COUNT in all,
    # SHARD_IDS=0,1 in each. Unset: one process runs as many shards as Discord suggests.
    shard_count: int | None = None
    shard_ids: str | None = None
    # The web side (README "Web"): off unless WEB_PORT is set. PUBLIC_URL is the https
    # address people reach it at, through the host's reverse proxy. WEB_SECRET signs the
    # links to member pages; unset, one is generated into the data folder (web_secret).
    web_port: int | None = None
    web_host: str = "127.0.0.1"
    public_url: str | None = None
    web_secret: SecretStr | None = None
    metrics_token: SecretStr | None = None
    log_format: str = "text"

    @field_validator(
        "discord_token", "discord_api_base", "discord_gateway_url", "database_url", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "dev_guild_id",
        "shard_count",
        "shard_ids",
        "web_port",
        "public_url",
        "web_secret",
        "metrics_token",
        mode="before",
    )
    @classmethod
    def _blank_guild_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("discord_api_base")
    @classmethod
    def _check_api_base(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = urlparse(value)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ValueError("must be an http(s) URL such as https://discord.com/api/v10")
        return value.rstrip("/")

    @field_validator("discord_gateway_url")
    @classmethod
    def _check_gateway(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = urlparse(value)
        if url.scheme not in ("ws", "wss") or not url.netloc:
            raise ValueError("must be a ws:// or wss:// URL such as wss://gateway.discord.gg/")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        if urlparse(value.get_secret_value()).scheme not in ("postgresql", "postgres"):
            raise ValueError("must be a postgresql:// URL such as postgresql://bot@db:5432/bot")
        return value

    @property
    def store(self) -> str:
        """Where the data lives: the PostgreSQL URL if set, else the SQLite file."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return str(self.database_path)

    @property
    def store_name(self) -> str:
        """The store for messages and logs (a URL's password left out)."""
        if self.database_url is None:
            return str(self.database_path)
        url = urlparse(self.database_url.get_secret_value())
        return f"PostgreSQL at {url.hostname or 'localhost'}:{url.port or 5432}{url.path}"

    @field_validator("shard_count")
    @classmethod
    def _check_shard_count(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 10_000:
            raise ValueError("must be a number of shards from 1 up")
        return value

    @field_validator("shard_ids")
    @classmethod
    def _check_shard_ids(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = [p.strip() for p in value.split(",")]
        if not all(p.isdecimal() and len(p) <= 5 for p in parts):
            raise ValueError("must be shard numbers separated by commas, such as 0,1")
        return ",".join(parts)

    @model_validator(mode="after")
    def _check_shards(self) -> Settings:
        shards = self.shards  # raises ValueError when the ids don't fit the count
        if not shards.everything and self.database_url is None:
            raise ValueError(
                "SHARD_IDS splits the bot over processes, which must share one database: "
                "set DATABASE_URL to a PostgreSQL server"
            )
        return self

    @property
    def shards(self) -> Shards:
        """The shards this process runs (bot/shards.py)."""
        if self.shard_ids is None:
            return Shards(self.shard_count)
        ids = tuple(sorted({int(p) for p in self.shard_ids.split(",")}))
        if self.shard_count is None:
            raise ValueError("SHARD_IDS needs SHARD_COUNT, the number of shards in all")
        if any(i >= self.shard_count for i in ids):
            raise ValueError(f"SHARD_IDS must be below SHARD_COUNT ({self.shard_count})")
        return Shards(self.shard_count, ids)

    @field_validator("web_port")
    @classmethod
    def _check_web_port(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 65535:
            raise ValueError("must be a TCP port from 1 to 65535, such as 8080")
        return value

    @field_validator("web_host", mode="before")
    @classmethod
    def _check_web_host(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip() or "127.0.0.1"
            if any(c.isspace() or c in "/[]" for c in value):
                raise ValueError("must be an address to listen on, such as 127.0.0.1 or 0.0.0.0")
        return value

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = urlparse(value.strip())
        if url.scheme not in ("http", "https") or not url.netloc or url.query or url.fragment:
            raise ValueError(
                "must be the address people reach the bot at, such as https://bot.example.org"
            )
        return value.strip().rstrip("/")

    @field_validator("web_secret", "metrics_token")
    @classmethod
    def _check_web_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < 32:
            raise ValueError(
                "must be at least 32 characters: make one with "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value

    @field_validator("log_format")
    @classmethod
    def _check_log_format(cls, value: str) -> str:
        word = value.strip().lower() or "text"
        if word not in ("text", "json"):
            raise ValueError("must be text or json")
        return word

    @model_validator(mode="after")
    def _check_web(self) -> Settings:
        if self.web_port is not None and self.database_url is not None and self.web_secret is None:
            raise ValueError(
                "WEB_SECRET is missing: with DATABASE_URL every process must sign web links "
                "with the same secret, so set WEB_SECRET (32+ characters) when WEB_PORT is set"
            )
        return self

    @property
    def web_secret_path(self) -> Path:
        """Where the generated web secret lives when WEB_SECRET is unset: beside the SQLite
        file, in the data folder (kept with the data, never in the repository)."""
        return self.database_path.parent / "web_secret"

    @property
    def web_url(self) -> str:
        """The address links start with: PUBLIC_URL, else the address the server listens on."""
        if self.public_url:
            return self.public_url
        host = f"[{self.web_host}]" if ":" in self.web_host else self.web_host
        return f"http://{host}:{self.web_port}"

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @field_validator("feeds_allow_private_networks", mode="before")
    @classmethod
    def _check_allow_private(cls, value: object) -> object:
        if isinstance(value, str):
            word = value.strip().lower()
            if not word:
                return False
            if word not in {"true", "false", "1", "0", "yes", "no", "on", "off"}:
                raise ValueError("must be true or false")
            return word in {"true", "1", "yes", "on"}
        return value

    def token(self) -> str:
        """The bot token, or a ConfigError saying how to get one."""
        if self.discord_token is None or not self.discord_token.get_secret_value().strip():
            raise ConfigError(
                "DISCORD_TOKEN is missing: copy .env.example to .env and paste your bot's token "
                "(Discord Developer Portal → your application → Bot → Reset Token)."
            )
        return self.discord_token.get_secret_value().strip()


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Read the settings; a problem becomes one ConfigError line naming the setting."""
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        if not err["loc"]:  # settings that don't fit together; the input is all of them
            raise ConfigError(f"{msg}.") from None
        name = str(err["loc"][0]).upper()
        if name in SECRET_SETTINGS:  # never echo a secret, even a malformed one
            raise ConfigError(f"{name} is invalid: {msg}.") from None
        raise ConfigError(f"{name} is invalid: {msg} (got {err.get('input')!r}).") from None

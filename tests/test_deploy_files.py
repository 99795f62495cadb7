"""What a deployer relies on in compose.yaml, the Dockerfile and .env.example.

Docker isn't available where the tests run, so these files are read, not run: compose.yaml
as YAML (with its `${VAR}` interpolation done as Compose does it) and each bot service's
environment through the bot's own settings (bot/config.py), so "every shard exactly once,
one database for all" is checked with the same rules the processes apply at start-up.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from bot.config import Settings, load_settings
from bot.shards import shard_of

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "s3cretpassword"  # what a deployer puts in .env as POSTGRES_PASSWORD
SETTINGS = [name.upper() for name in Settings.model_fields]
# The shape of a Discord bot token: three base64url parts joined by dots.
BOT_TOKEN = re.compile(r"[\w-]{23,}\.[\w-]{6,}\.[\w-]{27,}")

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}
_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's interpolation of `${…}` in every string; a required variable that is
    missing raises, as `docker compose` refuses to start then."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        present = env.get(name)
        empty = present is None or (present == "" and op is not None and op.startswith(":"))
        if op is None:
            return present or ""
        if op.endswith("?") and empty:
            raise LookupError(f"{name}: {arg}")
        if op.endswith("-") and empty:
            return arg
        return present or ""

    return _VARIABLE.sub(one, value)


def compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    raw = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return interpolate(raw, {"POSTGRES_PASSWORD": PASSWORD} if env is None else env)


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the `- KEY=value` form
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def bots(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run the bot: built from this repository."""
    return {name: s for name, s in spec["services"].items() if s.get("build") in (".", "./")}


def settings_of(service: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings the bot would read in this container (nothing from .env here)."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment(service).items():
        monkeypatch.setenv(name, value)
    return load_settings(env_file=None)


def test_two_bot_services_and_postgres() -> None:
    spec = compose()
    assert set(bots(spec)) == {"bot-0", "bot-1"}
    assert spec["services"]["postgres"]["image"].startswith("postgres:")


def test_every_shard_runs_in_exactly_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: dict[int, list[str]] = {}
    counts = set()
    dms = []
    for name, service in bots(compose()).items():
        settings = settings_of(service, monkeypatch)
        shards = settings.shards
        assert shards.count is not None and shards.ids is not None, f"{name}: set both"
        assert not shards.everything, f"{name} runs every shard: not a split"
        counts.add(shards.count)
        for shard in shards.ids:
            runs.setdefault(shard, []).append(name)
        if shards.runs_shard_zero:
            dms.append(name)
    assert len(counts) == 1, f"SHARD_COUNT differs between processes: {counts}"
    (count,) = counts
    assert sorted(runs) == list(range(count)), "a shard that no process runs"
    assert all(len(names) == 1 for names in runs.values()), f"a shard run twice: {runs}"
    assert len(dms) == 1, "exactly one process gets the DMs and syncs the commands"


def test_each_guild_is_owned_by_exactly_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ownership as the processes compute it (timers, deliveries), for guilds on every shard."""
    scopes = [settings_of(s, monkeypatch).shards for s in bots(compose()).values()]
    count = scopes[0].count
    assert count is not None
    guilds = [(n << 22) + 17 for n in range(4 * count)]  # Discord's rule: (id >> 22) % count
    assert {shard_of(g, count) for g in guilds} == set(range(count))
    for guild in guilds:
        assert sum(scope.owns(guild) for scope in scopes) == 1, guild
    assert sum(scope.owns(None) for scope in scopes) == 1  # a DM: shard 0's process


def test_one_postgres_database_for_every_process(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = compose()
    postgres = spec["services"]["postgres"]
    pg_env = environment(postgres)
    urls = {settings_of(s, monkeypatch).store for s in bots(spec).values()}
    assert len(urls) == 1, f"processes on different databases: {urls}"
    url = urlparse(urls.pop())
    assert url.scheme == "postgresql"
    assert url.hostname == "postgres"  # the service's name on compose's network
    assert url.port in (None, 5432)
    assert url.username == pg_env["POSTGRES_USER"]
    assert url.password == pg_env["POSTGRES_PASSWORD"] == PASSWORD
    assert url.path == "/" + pg_env["POSTGRES_DB"]


def test_postgres_is_healthy_before_the_bots_start() -> None:
    spec = compose()
    postgres = spec["services"]["postgres"]
    check = postgres["healthcheck"]["test"]
    assert "pg_isready" in " ".join(check)
    for name, service in bots(spec).items():
        depends = service["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name


def test_postgres_keeps_its_data_in_a_named_volume() -> None:
    spec = compose()
    mounts = spec["services"]["postgres"]["volumes"]
    named = [m.split(":")[0] for m in mounts if m.split(":")[1] == "/var/lib/postgresql/data"]
    assert named and named[0] in (spec.get("volumes") or {})


def test_no_secret_is_written_in_compose() -> None:
    """The token comes from .env; the database password must be set there too."""
    spec = compose()
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert not BOT_TOKEN.search(text), "a bot token is written in compose.yaml"
    for name, service in spec["services"].items():
        token = environment(service).get("DISCORD_TOKEN")
        assert token is None or token == "", f"{name}: DISCORD_TOKEN belongs in .env"
    for name, service in bots(spec).items():
        assert service.get("env_file") in (".env", [".env"]), name
    with pytest.raises(LookupError, match="POSTGRES_PASSWORD"):
        compose(env={})  # no default password: compose refuses to start without one


def test_only_shard_zero_publishes_the_web_port_on_loopback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The web side runs in the process holding shard 0 (README, Web): only that service
    publishes a port, on the host's loopback (the reverse proxy's side), at WEB_PORT."""
    spec = compose({"POSTGRES_PASSWORD": PASSWORD, "WEB_PORT": "8443"})
    published = {name: s.get("ports", []) for name, s in bots(spec).items()}
    zero = next(n for n, s in bots(spec).items() if settings_of(s, monkeypatch).shard_ids == "0")
    assert published.pop(zero) == ["127.0.0.1:8443:8443"]
    assert not any(published.values())
    assert environment(bots(spec)[zero])["WEB_HOST"] == "0.0.0.0"


def test_the_bots_restart_and_have_distinct_host_names() -> None:
    """Owner names in the outbox are host:shards/…: distinct, stable host names let a
    recreated container take back its predecessor's claims at once."""
    services = bots(compose())
    for name, service in services.items():
        assert service.get("restart") in ("unless-stopped", "always", "on-failure"), name
    hostnames = [s.get("hostname") for s in services.values()]
    assert all(hostnames) and len(set(hostnames)) == len(hostnames)


# --- Dockerfile --------------------------------------------------------------------------


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_dockerfile_installs_the_package_and_runs_the_bot() -> None:
    steps = instructions()
    base = next(args for word, args in steps if word == "FROM")
    match = re.match(r"python:3\.(\d+)", base)
    assert match and int(match[1]) >= 11, base  # requires-python >= 3.11
    copied = " ".join(args for word, args in steps if word == "COPY")
    for needed in ("pyproject.toml", "README.md", "bot", "cogs"):  # README: the package's readme
        assert needed in copied.split() or f"{needed}/" in copied, needed
    runs = " ".join(args for word, args in steps if word == "RUN")
    assert re.search(r"pip install (--\S+ )*\.(\s|$)", runs), runs
    cmd = [args for word, args in steps if word == "CMD"][-1]
    assert yaml.safe_load(cmd) == ["python", "-m", "bot"]  # exec form: SIGTERM reaches it


def test_dockerfile_runs_as_an_unprivileged_user() -> None:
    users = [args for word, args in instructions() if word == "USER"]
    assert users and users[-1] not in ("root", "0")


def test_dockerfile_copies_every_package_pyproject_ships() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    include = re.search(r"include = \[(.*?)\]", pyproject)
    assert include
    packages = {p.strip(' "*') for p in include[1].split(",")}
    copied = {shlex.split(args)[0] for word, args in instructions() if word == "COPY"}
    assert packages <= copied, packages - copied


# --- .env.example ------------------------------------------------------------------------


def test_env_example_names_the_scaling_settings_and_starts_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Copied to .env as it is, it is valid and means one process on SQLite; the scaling
    settings are there, commented out, for whoever needs them."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in ("DATABASE_URL", "SHARD_COUNT", "SHARD_IDS", "POSTGRES_PASSWORD"):
        assert re.search(rf"^# {name}=", text, re.M), name
        assert not re.search(rf"^{name}=", text, re.M), f"{name} should be commented out"
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(env_file=ROOT / ".env.example")
    assert settings.database_url is None
    assert settings.shards.everything
    assert settings.discord_token is None  # no token shipped

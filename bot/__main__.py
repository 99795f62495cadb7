"""`python -m bot` runs the bot; `python -m bot migrate`; `python -m bot backup PATH`;
`python -m bot copy-to postgresql://…` moves the SQLite data to PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

import aiohttp
import discord
import yarl

from bot import logsafety
from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("bot")


def point_discord_at(settings: Settings) -> None:
    """Aim discord.py's REST and gateway at a Discord-compatible server (the test fake)."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


async def run_bot(settings: Settings) -> int:
    from bot.scheduler import Scheduler
    from cogs._app import CommunityBot

    token = settings.token()
    point_discord_at(settings)
    # The bot has no voice features: skip the warnings about voice libraries.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    bot = CommunityBot(settings, Scheduler())
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    def request_stop() -> None:
        log.info("shutdown requested")
        stopping.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, request_stop)

    runner = asyncio.create_task(bot.start(token))
    waiter = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if runner.done():
            runner.result()  # re-raise why the bot stopped
        return 0
    finally:
        await bot.close()
        waiter.cancel()
        if not runner.done():
            runner.cancel()
        log.info("stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    sub.add_parser("migrate", help="apply pending database migrations and exit")
    backup = sub.add_parser("backup", help="write a consistent copy of the live database")
    backup.add_argument("path", help="where to write the copy")
    copy = sub.add_parser(
        "copy-to", help="copy the SQLite database into an empty PostgreSQL database"
    )
    copy.add_argument("url", help="postgresql://user:password@host:5432/database")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    discord.utils.setup_logging(level=getattr(logging, settings.log_level), root=True)
    if settings.log_format == "json":
        from bot.logjson import use_json

        use_json(logging.getLogger().handlers)
    # No token, form answer or ticket code in the log, even at DEBUG (see bot/logsafety.py).
    token = settings.discord_token.get_secret_value() if settings.discord_token else None
    web_secret = settings.web_secret.get_secret_value() if settings.web_secret else None
    logsafety.install(secrets=[token, web_secret])
    # APScheduler logs every job it adds at INFO: too chatty for thousands of reminders.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.root.level))

    try:
        if args.command == "migrate":
            return asyncio.run(migrate(settings))
        if args.command == "backup":
            return do_backup(settings, args.path)
        if args.command == "copy-to":
            return asyncio.run(copy_to(settings, args.url))
        return asyncio.run(run_bot(settings))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except discord.LoginFailure:
        print(
            "error: DISCORD_TOKEN was refused by Discord: reset it in the Developer Portal "
            "and paste the new one into .env.",
            file=sys.stderr,
        )
        return 2
    except discord.ConnectionClosed as exc:
        if exc.code != 4011:
            raise
        print(
            "error: Discord requires sharding (close code 4011): a connection holds at most "
            "2,500 servers. Unset SHARD_COUNT to run as many shards as Discord recommends, "
            "or raise it (docs/scaling.md).",
            file=sys.stderr,
        )
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "error: enable the Server Members intent for the bot in the Developer Portal "
            "(Bot → Privileged Gateway Intents).",
            file=sys.stderr,
        )
        return 2
    except (aiohttp.ClientConnectionError, OSError) as exc:
        where = settings.discord_api_base or "https://discord.com/api"
        print(f"error: cannot reach Discord at {where}: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        from bot.db import MigrationError

        if isinstance(exc, MigrationError):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise


async def migrate(settings: Settings) -> int:
    from bot.db import Database

    db = await Database.connect(settings.store)
    try:
        applied = await db.migrate()
        version = await db.schema_version()
    finally:
        await db.close()
    if db.migration_backup is not None:
        print(f"backup of the database before migrating written to {db.migration_backup}")
    print(f"{len(applied)} migration(s) applied; schema version {version} at {settings.store_name}")
    return 0


async def copy_to(settings: Settings, url: str) -> int:
    """Move from the SQLite file to PostgreSQL: every table, ids kept, counts checked."""
    from bot.copy_store import CopyError, copy_sqlite_to_postgres

    if not url.startswith(("postgresql://", "postgres://")):
        print("error: copy-to takes a postgresql:// URL", file=sys.stderr)
        return 2
    try:
        report = await copy_sqlite_to_postgres(settings.database_path, url)
    except CopyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for table, count in report.tables.items():
        print(f"  {table:28s} {count:8,d}")
    print(
        f"copied {report.rows:,} row(s) in {len(report.tables)} tables from "
        f"{settings.database_path} (schema version {report.schema_version}); the counts match. "
        "Set DATABASE_URL to the new database to run the bot on it."
    )
    return 0


def do_backup(settings: Settings, target: str) -> int:
    from bot.sqlite_db import backup

    if settings.database_url is not None:
        print(
            "error: the bot's store is PostgreSQL: back it up with pg_dump, e.g. "
            'pg_dump --format=custom --file=bot.dump "$DATABASE_URL"',
            file=sys.stderr,
        )
        return 2
    try:
        check = backup(settings.database_path, target)
    except FileNotFoundError as exc:
        print(f"error: {exc} (check DATABASE_PATH)", file=sys.stderr)
        return 1
    print(f"backup of {settings.database_path} written to {target} (integrity check: {check})")
    return 0 if check == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())

"""The Bot subclass: start-up in `setup_hook`, clean shutdown in `close`."""

from __future__ import annotations

import logging
import pkgutil

import discord
from discord import app_commands
from discord.ext import commands

import cogs
from bot import organizer_notices, outbox
from bot.config import Settings
from bot.cooldowns import Cooldowns
from bot.db import Database
from bot.guilds import GuildSettings
from bot.languages import Languages
from bot.scheduler import Scheduler
from bot.signals import signals_for
from cogs._delivery import Deliverer, render_organizer_notice
from cogs._features import Features
from cogs._forms import Forms
from cogs._i18n import speak
from cogs.web._metrics import BotMetrics
from cogs.web._server import WebServer

OUTBOX_TOPIC = "outbox"  # bot/signals.py: a guild owes messages; its process sends them
log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Only what the bot needs: guilds, members (role grants, departures), scheduled events."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.members = True
    wanted.guild_scheduled_events = True
    return wanted


def cog_modules() -> list[str]:
    """Every feature under cogs/ (modules and packages whose names don't start with _)."""
    return sorted(
        f"cogs.{m.name}" for m in pkgutil.iter_modules(cogs.__path__) if not m.name.startswith("_")
    )


class CommunityTree(app_commands.CommandTree["CommunityBot"]):
    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Every command, autocomplete and context menu answers in the member's language."""
        await speak(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        from cogs._common import send_error

        await send_error(interaction, error)


class CommunityBot(commands.AutoShardedBot):
    """Holds the services every cog uses; built once by `bot.__main__`.

    Sharded always: one process runs every shard Discord recommends (SHARD_COUNT unset),
    or the SHARD_IDS it is given of SHARD_COUNT (bot/shards.py, docs/scaling.md)."""

    db: Database
    guild_settings: GuildSettings
    languages: Languages

    def __init__(self, settings: Settings, scheduler: Scheduler) -> None:
        shards = settings.shards
        self.metrics = BotMetrics()  # before the client: its HTTP session reports to it
        super().__init__(
            http_trace=self.metrics.trace_config(),
            shard_count=shards.count,
            shard_ids=list(shards.ids) if shards.ids is not None else None,  # type: ignore[arg-type]  # None: all
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            tree_cls=CommunityTree,
            allowed_mentions=discord.AllowedMentions.none(),
            # discord.py waits this long after the last GUILD_CREATE before on_ready; the
            # default 2 s is for bots in thousands of guilds, ours is in a handful.
            guild_ready_timeout=0.5,
        )
        self.settings = settings
        self.scheduler = scheduler
        self.scope = shards  # the guilds whose timers and deliveries are this process's
        self.signals = signals_for(settings.store, shards)
        self.persistent_items: list[type[discord.ui.DynamicItem]] = []
        self.delivery = Deliverer(self)
        self.delivery.register(organizer_notices.KIND, render_organizer_notice)
        self.cooldowns = Cooldowns()
        self.features = Features()  # each feature package adds its own in setup()
        self.forms = Forms()  # every modal's answer goes through here (cogs/_forms.py)
        self.add_listener(self.forms.dispatch, "on_interaction")
        # Built now so each feature's setup() can add routes; serves after the cogs load.
        self.web = WebServer(settings)
        self._shut_down = False

    async def setup_hook(self) -> None:
        self.db = await Database.connect(self.settings.store)
        log.info("database opened: %s; running %s", self.settings.store_name, self.scope.describe())
        applied = await self.db.migrate()
        log.info(
            "migrations: %d applied, schema version %d",
            len(applied),
            await self.db.schema_version(),
        )
        self.guild_settings = GuildSettings(self.db)
        self.languages = Languages(self.db)
        self.web.attach(self.db)

        modules = cog_modules()
        for name in modules:
            await self.load_extension(name)
        log.info("cogs loaded: %s", ", ".join(m.removeprefix("cogs.") for m in modules))

        # Cogs list their persistent buttons in persistent_items while loading.
        self.add_dynamic_items(*self.persistent_items)
        log.info("persistent views registered: %d button kind(s)", len(self.persistent_items))

        self.delivery.check_renderers()  # a kind nobody renders is a bug: fail at start
        self.scheduler.start()
        counts = await self.scheduler.rebuild()
        log.info("scheduler started: %d job(s) rebuilt from the database", sum(counts.values()))
        if self.scope.runs_shard_zero:  # once per bot, not once per process
            outbox.schedule_prune(self.scheduler, self.db)
        self.delivery.start()
        # A change made in another process (a DM on shard 0) owes messages sent here.
        self.signals.subscribe(OUTBOX_TOPIC, self._kick_delivery)
        await self.signals.start()
        if self.web.enabled and self.scope.runs_shard_zero:  # one web server per bot
            await self.web.start()
        elif self.web.enabled:
            log.info("the web server runs in the process running shard 0")

        if not self.scope.runs_shard_zero:
            log.info("commands are synced by the process running shard 0")
        elif self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("commands synced to guild %s: %d", self.settings.dev_guild_id, len(synced))
            from cogs._dm_sync import sync_dm_commands  # guild commands never reach DMs

            log.info("commands usable in DMs synced globally: %d", await sync_dm_commands(self))
        else:
            synced = await self.tree.sync()
            log.info("commands synced globally: %d (may take up to an hour to appear)", len(synced))

    async def on_ready(self) -> None:
        for guild in self.guilds:  # default settings and cities exist before anyone asks
            await self.guild_settings.remember_name(guild.id, guild.name)
        log.info("ready as %s in %d guild(s)", self.user, len(self.guilds))

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.guild_settings.remember_name(guild.id, guild.name)

    async def on_guild_update(self, before: discord.Guild, after: discord.Guild) -> None:
        if before.name != after.name:
            await self.guild_settings.remember_name(after.id, after.name)

    async def _kick_delivery(self, guild_id: int | None) -> None:
        self.delivery.kick()

    async def close(self) -> None:
        """Stop the scheduler first so no job starts against a closing database. Once:
        discord.py closes the bot itself when Discord ends the session for good (4011),
        and `python -m bot` closes it again on the way out."""
        if self._shut_down:
            return
        self._shut_down = True
        self.scheduler.shutdown()
        await self.web.stop()  # no page reads a closing database
        await self.signals.stop()
        await self.delivery.stop()
        await super().close()
        if hasattr(self, "db"):
            await self.db.close()
            log.info("database closed")

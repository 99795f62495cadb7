"""/privacy: members see and delete what the bot stores about them, in this server or,
from a DM, in any server where it holds something about them (also one they have left).

Each feature answers for its own data (`export_member_data` / `delete_member_data` on its
service); bot/privacy.py gathers them and adds the outbox. This cog picks the server,
confirms and reports.
"""

from __future__ import annotations

import io
import json
import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot import privacy
from bot.errors import InvalidInput, NotFound
from bot.i18n import N_, _
from cogs._app import OUTBOX_TOPIC, CommunityBot
from cogs._common import BaseView, reply, truncate
from cogs._features import Feature

log = logging.getLogger(__name__)

SERVER_HELP = "The server (in a server: this one). From a DM: pick one from the list"


class ConfirmDelete(BaseView):
    def __init__(self, cog: PrivacyCog, owner_id: int, guild_id: int) -> None:
        super().__init__(timeout=120)
        self.cog = cog
        self.owner_id = owner_id
        self.guild_id = guild_id
        # Built while the member's language is spoken (the decorators' labels are English).
        self.confirm.label = _("Delete my data")
        self.cancel.label = _("Keep it")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        await super().interaction_check(interaction)  # the member\'s language
        return interaction.user.id == self.owner_id

    @discord.ui.button(label="Delete my data", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(content=_("Deleting…"), view=None)
        summary = await self.cog.delete_everything(self.guild_id, self.owner_id)
        await interaction.edit_original_response(content=summary)

    @discord.ui.button(label="Keep it", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(content=_("Nothing was deleted."), view=None)


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class PrivacyCog(commands.GroupCog, name="Privacy", group_name="privacy"):
    """Your data, in this server or (from a DM) any server."""

    feature = N_("Privacy")

    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot
        super().__init__()

    def _features(self) -> dict[str, Feature]:
        """Every loaded feature, by the name its part of an export is filed under."""
        return {feature.name.lower(): feature for feature in self.bot.features}

    async def _server_name(self, guild_id: int) -> str:
        """From the cache, else as the process holding the server stored it."""
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            return guild.name
        if self.bot.scope.everything:  # every server of the bot is in this process's cache
            return _("a server I'm no longer in ({id})", id=guild_id)
        name = await self.bot.guild_settings.name(guild_id)
        return name if name is not None else _("the server {id}", id=guild_id)

    async def server_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The servers where I hold something about you (this one first)."""
        ids = await privacy.guilds_holding(self.bot.db, interaction.user.id)
        if interaction.guild_id is not None and interaction.guild_id not in ids:
            ids.insert(0, interaction.guild_id)
        ids.sort(key=lambda g: g != interaction.guild_id)
        choices = []
        for guild_id in ids:
            name = truncate(await self._server_name(guild_id), 100)
            if current.casefold() in name.casefold() or current.strip() == str(guild_id):
                choices.append(app_commands.Choice(name=name, value=str(guild_id)))
        return choices[:25]

    async def _pick(self, interaction: discord.Interaction, server: str | None) -> int:
        """The guild the member means. In a server: that one unless another is picked; in a
        DM: the one picked, or the only one holding their data."""
        if server is not None and server.strip():
            text = server.strip()
            if not text.isdecimal() or len(text) > 20:  # ² and ① are digits int() refuses
                raise InvalidInput(_("Pick a server from the list (start typing its name)."))
            guild_id = int(text)
            if guild_id != interaction.guild_id and guild_id not in await privacy.guilds_holding(
                self.bot.db, interaction.user.id
            ):
                raise NotFound(_("I hold no data about you in that server."))
            return guild_id
        if interaction.guild_id is not None:
            return interaction.guild_id
        held = await privacy.guilds_holding(self.bot.db, interaction.user.id)
        if not held:
            raise NotFound(_("I hold no data about you in any server."))
        if len(held) > 1:
            raise InvalidInput(
                _(
                    "I hold data about you in more than one server: "
                    "pick one with the `server` option."
                )
            )
        return held[0]

    @app_commands.command(name="export", description="Everything I store about you (JSON)")
    @app_commands.describe(server=SERVER_HELP)
    @app_commands.autocomplete(server=server_choices)
    async def export(self, interaction: discord.Interaction, server: str | None = None) -> None:
        guild_id = await self._pick(interaction, server)
        data = await privacy.export_member(
            self.bot.db, self._features(), guild_id, interaction.user.id, int(time.time())
        )
        payload = json.dumps(data, indent=2, ensure_ascii=False, default=str).encode("utf-8")
        file = discord.File(io.BytesIO(payload), filename=f"my-data-{guild_id}.json")
        await reply(
            interaction,
            _(
                "Here is everything I store about you in {server}.",
                server=await self._server_name(guild_id),
            ),
            file=file,
        )

    @app_commands.command(name="delete", description="Delete your data")
    @app_commands.describe(server=SERVER_HELP)
    @app_commands.autocomplete(server=server_choices)
    async def delete(self, interaction: discord.Interaction, server: str | None = None) -> None:
        guild_id = await self._pick(interaction, server)
        await reply(
            interaction,
            _(
                "This removes your data in **{server}**: "
                "your RSVPs (freeing your seats), tickets, answers, learning progress, "
                "suggestions, mentor profile and requests, and messages I still owe you; it ends "
                "your mentorships (the other side is told) and takes your name off what you "
                "organized, added or reviewed. Anonymous counts stay. This cannot be undone.",
                server=truncate(await self._server_name(guild_id), 100),
            ),
            view=ConfirmDelete(self, interaction.user.id, guild_id),
        )

    async def delete_everything(self, guild_id: int, user_id: int) -> str:
        """Every feature forgets the member in one transaction; each says what it removed,
        then wakes whatever sends what the delete caused (seats passed on, ended pairs)."""
        features = self._features()
        gone = await privacy.delete_member(
            self.bot.db, features, guild_id, user_id, self.bot.languages
        )
        lines = [line for name in features for line in gone[name]]
        for feature in features.values():
            await feature.after_member_deleted(guild_id)
        await self.bot.signals.publish(OUTBOX_TOPIC, guild_id)  # what the delete owes
        dropped, removed = gone["messages"]
        lines.append(
            _(
                "• messages: {dropped} message(s) not yet sent to you dropped, "
                "{removed} record(s) of messages sent to you removed",
                dropped=dropped,
                removed=removed - dropped,
            )
        )
        log.info("deleted the data of a member of guild %s on request", guild_id)
        return truncate(_("Done. Removed:") + "\n" + "\n".join(lines), 2000)


async def setup(bot: CommunityBot) -> None:
    await bot.add_cog(PrivacyCog(bot))

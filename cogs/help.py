"""/help: every command, grouped by feature, built from the command tree itself."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import N_, _
from cogs._app import CommunityBot
from cogs._paging import Pager

PAGE_LIMIT = 3900  # characters of embed description per page, under Discord's 4,096


def command_lines(command: app_commands.Command | app_commands.Group) -> list[str]:
    """One line per invocable command: `/group sub` — description."""
    if isinstance(command, app_commands.Group):
        return [line for sub in command.commands for line in command_lines(sub)]
    # The name stays English (it is what members type); the description is translated.
    return [
        _(
            "`/{name}` — {description}",
            name=command.qualified_name,
            description=_(command.description),
        )
    ]


def help_sections(bot: commands.Bot | commands.AutoShardedBot) -> list[tuple[str, list[str]]]:
    """(feature, lines) for every cog with slash commands, in load order."""
    sections: list[tuple[str, list[str]]] = []
    for cog in bot.cogs.values():
        # A GroupCog's commands live under its one group (e.g. /settings …).
        group = cog.app_command if isinstance(cog, commands.GroupCog) else None
        top = [group] if group else cog.get_app_commands()
        lines = [line for cmd in top for line in command_lines(cmd)]
        if lines:
            feature = _(getattr(cog, "feature", cog.qualified_name))
            sections.append((feature, sorted(lines)))
    if menus := menu_lines(bot):
        sections.append((_("Right-click menus"), menus))
    return sections


def menu_lines(bot: commands.Bot | commands.AutoShardedBot) -> list[str]:
    """The context menus: they have no description, so say where they are found."""
    lines = []
    for kind, where in (
        (discord.AppCommandType.user, _("right-click a member → Apps")),
        (discord.AppCommandType.message, _("right-click a message → Apps")),
    ):
        lines += [
            _("**{menu}** — {where}", menu=menu.name, where=where)
            for menu in bot.tree.get_commands(type=kind)
        ]
    return sorted(lines)


def help_pages(sections: list[tuple[str, list[str]]]) -> list[str]:
    """Pack sections into pages that each fit one embed description."""
    pages: list[str] = []
    current = ""
    for feature, lines in sections:
        for i, line in enumerate(lines):
            chunk = (f"**{feature}**\n" if i == 0 else "") + line + "\n"
            if i == 0 and current:
                chunk = "\n" + chunk
            if len(current) + len(chunk) > PAGE_LIMIT and current:
                pages.append(current.strip())
                current = _("**{feature}** (continued)", feature=feature) + f"\n{line}\n"
            else:
                current += chunk
    if current.strip():
        pages.append(current.strip())
    return pages or [_("No commands yet.")]


class HelpCog(commands.Cog):
    feature = N_("Help")

    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="Every command of this bot, by feature")
    async def help(self, interaction: discord.Interaction) -> None:
        pages = help_pages(help_sections(self.bot))

        async def render(page: int) -> tuple[discord.Embed, int]:
            embed = discord.Embed(title=_("Commands"), description=pages[page])
            if len(pages) > 1:
                embed.set_footer(text=_("Page {page} of {pages}", page=page + 1, pages=len(pages)))
            return embed, len(pages)

        await Pager(render, interaction).send()


async def setup(bot: CommunityBot) -> None:
    await bot.add_cog(HelpCog(bot))

"""/settings: the guild's own configuration, for organizers (show is for everyone)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import i18n, organizer_notices
from bot.errors import NotAllowed
from bot.guilds import GuildConfig, GuildSettings, search_timezones
from bot.i18n import N_, _
from cogs._app import CommunityBot
from cogs._common import (
    check_channel_access,
    check_grantable_role,
    check_power_role,
    guild_of,
    manage_server_only,
    organizer_only,
    reply,
    truncate,
)
from cogs._i18n import language_of
from cogs.events._settings import EventSettings
from cogs.mentorship._settings import MentorshipSettings
from cogs.resources._settings import ResourceSettings

LANGUAGE_CHOICES = [
    app_commands.Choice(name=label, value=code) for code, label in i18n.LANGUAGES.items()
]


def channel_text(channel_id: int | None) -> str:
    return f"<#{channel_id}>" if channel_id else _("not set")


def role_text(role_id: int | None) -> str:
    return f"<@&{role_id}>" if role_id else _("not set")


class SettingsCog(
    EventSettings,
    ResourceSettings,
    MentorshipSettings,
    commands.GroupCog,
    group_name="settings",
    description="Server settings",
):
    """General settings here; each feature's own live beside it (cogs/*/_settings.py)."""

    feature = N_("Settings")

    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot
        self.guilds: GuildSettings = bot.guild_settings
        super().__init__()

    async def settings_section(self, guild: discord.Guild) -> tuple[str, list[tuple[str, str]]]:
        config = await self.guilds.get(guild.id)
        cities = await self.guilds.cities(guild.id)
        city_lines = [
            _(
                "{city} — channel {channel}, role {role}",
                city=c.name,
                channel=channel_text(c.channel_id),
                role=role_text(c.role_id),
            )
            for c in cities
        ]
        return _("General"), [
            (_("Time zone"), config.timezone),
            (_("Language"), i18n.LANGUAGES[await self.bot.languages.of_server(guild.id)]),
            (
                _("Organizers"),
                _(
                    "members with {role} or Manage Server",
                    role=role_text(config.organizer_role_id),
                )
                if config.organizer_role_id
                else _("members with Manage Server (no organizer role set)"),
            ),
            (_("Announcements channel"), channel_text(config.announcements_channel_id)),
            (_("Organizer channel"), await self._organizer_channel_text(guild.id, config)),
            (_("Cities"), "\n".join(city_lines) or _("none")),
        ]

    async def _organizer_channel_text(self, guild_id: int, config: GuildConfig) -> str:
        waiting = await organizer_notices.waiting(self.bot.db, guild_id)
        if config.organizer_channel_id:
            return channel_text(config.organizer_channel_id)
        if waiting:
            return _(
                "not set ({n} notice(s) for organizers waiting: `/settings organizer-channel`)",
                n=waiting,
            )
        return _("not set")

    @app_commands.command(name="show", description="Every setting of this server")
    @app_commands.guild_only()
    async def show(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        embed = discord.Embed(title=_("Settings of {server}", server=guild.name))
        # This server's general settings first, then each feature's.
        providers = [self.settings_section, *(f.settings_section for f in self.bot.features)]
        for provider in providers:
            section, rows = await provider(guild)
            text = "\n".join(f"**{label}:** {value}" for label, value in rows)
            if len(embed.fields) < 25:
                embed.add_field(name=section, value=truncate(text or "—", 1024), inline=False)
        await reply(interaction, embed=embed)

    @app_commands.command(
        name="language",
        description="The server's language: public posts, and members who chose none",
    )
    @app_commands.describe(
        language="Announcements and autoposts use it; /language set overrides it per member"
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    @app_commands.guild_only()
    @organizer_only()
    async def language(self, interaction: discord.Interaction, language: str) -> None:
        guild = guild_of(interaction)
        await self.guilds.ensure(guild.id)
        code = await self.bot.languages.set_server(guild.id, language)
        # The organizer's own choice, if any, still decides this reply's language.
        i18n.use(await language_of(interaction))
        await reply(
            interaction,
            _(
                "This server's language is now {language}: new announcements and autoposts "
                "use it, and so does the bot with every member who hasn't chosen one "
                "(`/language set`).",
                language=i18n.LANGUAGES[code],
            ),
        )

    @app_commands.command(name="organizer-role", description="Who counts as an organizer")
    @app_commands.describe(role="Members with this role may run organizer commands")
    @app_commands.guild_only()
    @manage_server_only()
    async def organizer_role(self, interaction: discord.Interaction, role: discord.Role) -> None:
        guild = guild_of(interaction)
        check_power_role(role, "organizer")
        await self.guilds.set_organizer_role(guild.id, role.id)
        await reply(
            interaction,
            _(
                "Organizers are now members with {role}, and anyone with Manage Server.",
                role=role.mention,
            ),
        )

    @app_commands.command(name="timezone", description="The time zone organizers type times in")
    @app_commands.describe(name="An IANA time zone name, such as Asia/Karachi")
    @app_commands.guild_only()
    @organizer_only()
    async def timezone(self, interaction: discord.Interaction, name: str) -> None:
        guild = guild_of(interaction)
        zone = await self.guilds.set_timezone(guild.id, name)
        for feature in self.bot.features:  # autoposts and rounds run at wall-clock times
            await feature.timezone_changed(guild.id)
        await reply(
            interaction, _("Time zone set to **{zone}**. Times you type are read in it.", zone=zone)
        )

    @timezone.autocomplete("name")
    async def _timezone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in search_timezones(current)]

    @app_commands.command(name="announcements", description="The default channel for announcements")
    @app_commands.guild_only()
    @organizer_only()
    async def announcements(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        guild = guild_of(interaction)
        await self.guilds.set_announcements_channel(guild.id, channel.id)
        await reply(interaction, _("Announcements will go to {channel}.", channel=channel.mention))

    @app_commands.command(
        name="organizer-channel", description="Where I tell organizers what needs their attention"
    )
    @app_commands.describe(channel="A channel only organizers can see (notices may name members)")
    @app_commands.guild_only()
    @organizer_only()
    async def organizer_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        guild = guild_of(interaction)
        check_channel_access(interaction, channel)
        if channel.permissions_for(guild.default_role).view_channel:
            raise NotAllowed(
                _(
                    "Everyone can read {channel}, and notices for organizers can name "
                    "members. Pick a channel only organizers can see.",
                    channel=channel.mention,
                )
            )
        mine = channel.permissions_for(guild.me)
        if not (mine.view_channel and mine.send_messages):
            raise NotAllowed(
                _(
                    "I can't post in {channel}: give me View Channel and Send Messages there.",
                    channel=channel.mention,
                )
            )
        await self.guilds.ensure(guild.id)
        waiting = await organizer_notices.set_channel(self.bot.db, guild.id, channel.id)
        self.bot.delivery.kick()
        await reply(
            interaction,
            _("Notices for organizers will go to {channel}.", channel=channel.mention)
            + (
                " " + _("{n} waiting notice(s) are on their way there.", n=waiting)
                if waiting
                else ""
            ),
        )

    @app_commands.command(name="city-add", description="Add a city this server runs events in")
    @app_commands.describe(
        name="The city's name", channel="Where its announcements go", role="Its members' role"
    )
    @app_commands.guild_only()
    @organizer_only()
    async def city_add(
        self,
        interaction: discord.Interaction,
        name: str,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
    ) -> None:
        guild = guild_of(interaction)
        if role is not None:
            check_grantable_role(interaction, role)
        city = await self.guilds.add_city(
            guild.id, name, channel.id if channel else None, role.id if role else None
        )
        where = _where(city.channel_id, city.role_id)
        await reply(
            interaction,
            _("Added **{city}** ({where}).", city=city.name, where=where)
            if where
            else _("Added **{city}**.", city=city.name),
        )

    @app_commands.command(name="city-edit", description="Change a city's channel or role")
    @app_commands.guild_only()
    @organizer_only()
    async def city_edit(
        self,
        interaction: discord.Interaction,
        name: str,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
    ) -> None:
        guild = guild_of(interaction)
        if role is not None:
            check_grantable_role(interaction, role)
        city = await self.guilds.edit_city(
            guild.id, name, channel.id if channel else None, role.id if role else None
        )
        where = _where(city.channel_id, city.role_id)
        await reply(
            interaction,
            _("Updated **{city}** ({where}).", city=city.name, where=where)
            if where
            else _("Updated **{city}**.", city=city.name),
        )

    @app_commands.command(name="city-remove", description="Remove one of this server's cities")
    @app_commands.guild_only()
    @organizer_only()
    async def city_remove(self, interaction: discord.Interaction, name: str) -> None:
        guild = guild_of(interaction)
        city = await self.guilds.remove_city(guild.id, name)
        await reply(interaction, _("Removed **{city}** from this server's cities.", city=city.name))

    @city_edit.autocomplete("name")
    @city_remove.autocomplete("name")
    async def _city_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        names = await self.guilds.search_cities(interaction.guild_id, current)
        return [app_commands.Choice(name=n, value=n) for n in names]


def _where(channel_id: int | None, role_id: int | None) -> str:
    """What a city has, for the reply ("" when nothing)."""
    parts = []
    if channel_id:
        parts.append(_("announcements in {channel}", channel=channel_text(channel_id)))
    if role_id:
        parts.append(_("role {role}", role=role_text(role_id)))
    return _(", ").join(parts)


async def setup(bot: CommunityBot) -> None:
    await bot.add_cog(SettingsCog(bot))

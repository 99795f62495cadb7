"""The events' part of /settings (mixed into SettingsCog, which owns the group)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.timeutil import format_offsets
from cogs._common import check_power_role, manage_server_only, organizer_only, reply

if TYPE_CHECKING:
    from cogs._app import CommunityBot


class EventSettings:
    bot: CommunityBot

    @app_commands.command(name="reminders", description="When event reminders go out")
    @app_commands.describe(offsets="Up to 3, e.g. 24h,1h or 2d,3h,30m (none = no reminders)")
    @app_commands.guild_only()
    @organizer_only()
    async def reminders(self, interaction: discord.Interaction, offsets: str) -> None:
        assert interaction.guild is not None
        parsed = await self.bot.events.set_reminder_offsets(interaction.guild.id, offsets)
        events_cog: Any = self.bot.get_cog("Events")
        await events_cog.notices.schedule(guild_id=interaction.guild.id)
        await reply(
            interaction,
            f"Reminders now go out {format_offsets(parsed)} before each event."
            if parsed
            else "Event reminders are off for this server.",
        )

    @app_commands.command(name="volunteer-role", description="Who may check members in")
    @app_commands.describe(role="Members with this role may use /event checkin (and nothing more)")
    @app_commands.guild_only()
    @manage_server_only()
    async def volunteer_role(self, interaction: discord.Interaction, role: discord.Role) -> None:
        assert interaction.guild is not None
        check_power_role(role, "volunteer")
        await self.bot.events.set_volunteer_role(interaction.guild.id, role.id)
        await reply(interaction, f"Members with {role.mention} can now check people in.")

    @app_commands.command(
        name="no-show-policy", description="Put repeat no-shows behind others on the waitlist"
    )
    @app_commands.describe(
        limit="No-shows that trigger it (0 turns the policy off)",
        window="Out of how many of the member's last events",
    )
    @app_commands.guild_only()
    @organizer_only()
    async def no_show_policy(
        self,
        interaction: discord.Interaction,
        limit: app_commands.Range[int, 0, 20] | None = None,
        window: app_commands.Range[int, 1, 50] | None = None,
    ) -> None:
        assert interaction.guild is not None
        policy = await self.bot.events.set_no_show_policy(interaction.guild.id, limit, window)
        await reply(interaction, policy_text(policy))

    @app_commands.command(
        name="release-on-leave", description="Free a member's seats when they leave the server"
    )
    @app_commands.guild_only()
    @organizer_only()
    async def release_on_leave(self, interaction: discord.Interaction, enabled: bool) -> None:
        assert interaction.guild is not None
        await self.bot.events.set_release_on_leave(interaction.guild.id, enabled)
        await reply(
            interaction,
            "Members who leave the server give up their seats at upcoming events."
            if enabled
            else "Members who leave keep their seats.",
        )


def policy_text(policy: Any) -> str:
    if not policy.limit:
        return "The no-show policy is off."
    return (
        f"Members with {policy.limit} or more no-shows in their last {policy.window} events "
        "wait behind everyone else; attending one event clears it."
    )

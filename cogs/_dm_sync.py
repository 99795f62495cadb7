"""Commands that also work in DMs, when commands are synced to one dev server.

With DEV_GUILD_ID every command is copied into that server, where changes appear at
once. Guild commands never reach DMs, though, so `/privacy` (which a member who left a
server uses from a DM) would be missing there. This syncs the DM-capable commands
globally as well, limited to DMs, so the dev server does not list them twice. Without
DEV_GUILD_ID everything is global already and this is not needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from discord import app_commands
    from discord.ext import commands

BOT_DM = 1  # Discord's InteractionContextType for a DM with the bot


def dm_commands(tree: app_commands.CommandTree[Any]) -> list[dict[str, Any]]:
    """Global commands whose contexts include DMs, as DM-only payloads."""
    found = []
    for command in tree.get_commands():
        contexts = getattr(command, "allowed_contexts", None)
        if contexts is not None and contexts.dm_channel:
            payload = command.to_dict(tree)
            payload["contexts"] = [BOT_DM]
            found.append(payload)
    return found


async def sync_dm_commands(bot: commands.Bot | commands.AutoShardedBot) -> int:
    """Replace the global commands by the DM-capable ones (dev-server mode only)."""
    payload = dm_commands(bot.tree)
    assert bot.application_id is not None
    await bot.http.bulk_upsert_global_commands(bot.application_id, payload)
    return len(payload)

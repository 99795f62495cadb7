"""Which roles the bot may hand out (event roles, city roles): the rule, without discord.

An organizer need not hold Manage Roles, so a role the bot grants must never be a way
to get power: not @everyone, not a bot's or integration's role, below both the bot's
and the organizer's own top role (the server owner is above every role), and with no
permission that moderates or administers the server.
"""

from __future__ import annotations

from dataclasses import dataclass

# Permission bits (https://discord.com/developers/docs/topics/permissions) that make a
# role a moderator's or an administrator's: Discord's 2FA-gated set, plus Manage Events
# and Mention Everyone.
ELEVATED_PERMISSIONS: dict[int, str] = {
    1 << 3: "Administrator",
    1 << 5: "Manage Server",
    1 << 28: "Manage Roles",
    1 << 4: "Manage Channels",
    1 << 1: "Kick Members",
    1 << 2: "Ban Members",
    1 << 40: "Timeout Members",
    1 << 13: "Manage Messages",
    1 << 29: "Manage Webhooks",
    1 << 33: "Manage Events",
    1 << 17: "Mention @everyone",
    1 << 34: "Manage Threads",
    1 << 30: "Manage Expressions",
}


@dataclass(frozen=True)
class RoleFacts:
    """What the cog reads off Discord about a role, the bot and the invoker."""

    name: str
    is_everyone: bool
    managed: bool
    permissions: int
    at_or_above_bot: bool  # the role's position >= the bot's top role
    at_or_above_invoker: bool  # >= the invoker's top role
    invoker_is_owner: bool


def elevated_names(permissions: int) -> list[str]:
    return [name for bit, name in ELEVATED_PERMISSIONS.items() if permissions & bit]


def role_refusal(role: RoleFacts, *, use: str = "hand out") -> str | None:
    """Why the bot won't `use` this role, as one sentence, or None when it is safe."""
    shown = role.name if role.name.startswith("@") else f"@{role.name}"
    if role.is_everyone:
        return f"I can't {use} @everyone: every member already has it. Pick or create a role."
    if role.managed:
        return (
            f"{shown} belongs to a bot or an integration, so Discord doesn't let anyone "
            f"{use} it. Pick or create an ordinary role."
        )
    elevated = elevated_names(role.permissions)
    if elevated:
        return (
            f"{shown} has moderator or admin permissions ({', '.join(elevated)}), so I won't "
            f"{use} it to members. Pick a role without them."
        )
    if role.at_or_above_bot:
        return (
            f"{shown} is at or above my own top role, so I can't {use} it. Move my role "
            "above it in Server Settings → Roles, or pick a lower role."
        )
    if role.at_or_above_invoker and not role.invoker_is_owner:
        return (
            f"{shown} is at or above your own top role, so you can't have me {use} it. "
            "Pick a role below yours."
        )
    return None

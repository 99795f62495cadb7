"""Which roles the bot may hand out (event roles, city roles): the rule, without discord.

An organizer need not hold Manage Roles, so a role the bot grants must never be a way
to get power: not @everyone, not a bot's or integration's role, below both the bot's
and the organizer's own top role (the server owner is above every role), and with no
permission that moderates or administers the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_, _

# What the bot does with the role, in the refusal's sentences (a catalogue verb).
HAND_OUT = N_("hand out")

# Discord's own names for these permissions, as its Server Settings show them (Discord
# has no Urdu locale): they stay English in every language.
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


def role_refusal(role: RoleFacts, *, use: str = HAND_OUT) -> str | None:
    """Why the bot won't `use` this role, as one sentence in the reader's language, or
    None when it is safe. `use` is a catalogue verb (N_), translated here."""
    shown = role.name if role.name.startswith("@") else f"@{role.name}"
    verb = _(use)
    if role.is_everyone:
        return _(
            "I can't {use} @everyone: every member already has it. Pick or create a role.",
            use=verb,
        )
    if role.managed:
        return _(
            "{role} belongs to a bot or an integration, so Discord doesn't let anyone "
            "{use} it. Pick or create an ordinary role.",
            role=shown,
            use=verb,
        )
    elevated = elevated_names(role.permissions)
    if elevated:
        return _(
            "{role} has moderator or admin permissions ({permissions}), so I won't "
            "{use} it to members. Pick a role without them.",
            role=shown,
            permissions=", ".join(elevated),
            use=verb,
        )
    if role.at_or_above_bot:
        return _(
            "{role} is at or above my own top role, so I can't {use} it. Move my role "
            "above it in Server Settings → Roles, or pick a lower role.",
            role=shown,
            use=verb,
        )
    if role.at_or_above_invoker and not role.invoker_is_owner:
        return _(
            "{role} is at or above your own top role, so you can't have me {use} it. "
            "Pick a role below yours.",
            role=shown,
            use=verb,
        )
    return None

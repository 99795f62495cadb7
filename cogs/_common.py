"""What every cog shares: permission checks, replies, error handling, limits."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.errors import DomainError, NotAllowed
from bot.i18n import N_, _
from bot.roles import RoleFacts, role_refusal

if TYPE_CHECKING:
    from cogs._app import CommunityBot

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
APOLOGY = N_(
    "Sorry, something went wrong on my side. The organizers can find the details in the bot's log."
)


ORGANIZERS_ONLY = N_(
    "Only organizers can do this: you need the Manage Server permission "
    "or this server's organizer role."
)


class NotOrganizer(app_commands.CheckFailure):
    """The member is neither Manage Server nor the guild's organizer role."""

    def __init__(self, message: str | None = None) -> None:
        # Raised while the member's language is spoken: the message is translated now.
        super().__init__(message if message is not None else _(ORGANIZERS_ONLY))


MANAGE_SERVER_ONLY = N_(
    "Only members with the Manage Server permission can change who counts as an "
    "organizer, volunteer or curator."
)


class NotManager(NotOrganizer):
    """The member lacks Manage Server (settings that widen who holds power)."""

    def __init__(self) -> None:
        super().__init__(_(MANAGE_SERVER_ONLY))


# Discord's error code for a DM to a member who closed their DMs.
DMS_CLOSED = 50007


def bot_of(interaction: discord.Interaction) -> CommunityBot:
    return interaction.client  # type: ignore[return-value]


def guild_of(interaction: discord.Interaction) -> discord.Guild:
    """The server a guild-only command or button was used in (typed, not Optional).
    Discord never sends a guild-only command from a DM; if it ever did, the member is
    told so instead of the bot crashing on an assert."""
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild


def truncate(text: str, limit: int) -> str:
    """Cut to `limit` characters with an ellipsis rather than fail Discord's limits."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def column(lines: list[str], limit: int = 1024, sep: str = "\n") -> str:
    """Join lines for an embed field or description, cutting at a line boundary with a
    count of what was left out (rather than failing Discord's limit)."""
    if not lines:
        return "—"
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        tail = _("… and {n} more", n=len(lines) - i)
        if used + len(line) + len(sep) + len(tail) > limit:
            out.append(tail)
            break
        out.append(line)
        used += len(line) + len(sep)
    return sep.join(out)


async def is_organizer(interaction: discord.Interaction) -> bool:
    """Manage Server, or the guild's configured organizer role."""
    member = interaction.user
    if interaction.guild is None or not isinstance(member, discord.Member):
        return False
    if member.guild_permissions.manage_guild:
        return True
    config = await bot_of(interaction).guild_settings.get(interaction.guild.id)
    role_id = config.organizer_role_id
    return role_id is not None and any(r.id == role_id for r in member.roles)


async def require_organizer(interaction: discord.Interaction) -> None:
    """For buttons and other places where a decorator check does not fit."""
    if not await is_organizer(interaction):
        raise NotOrganizer()


def organizer_only() -> Callable[[Any], Any]:
    """App-command check; the command stays visible to everyone and the bot refuses."""

    async def predicate(interaction: discord.Interaction) -> bool:
        await require_organizer(interaction)
        return True

    return app_commands.check(predicate)


def manage_server_only() -> Callable[[Any], Any]:
    """App-command check for settings that decide who holds power: Manage Server itself,
    never the organizer role (an organizer must not be able to make more organizers)."""

    async def predicate(interaction: discord.Interaction) -> bool:
        member = interaction.user
        if not isinstance(member, discord.Member) or not member.guild_permissions.manage_guild:
            raise NotManager()
        return True

    return app_commands.check(predicate)


# check_power_role's `what`, as the reader calls it.
POWER_ROLES = {"organizer": N_("organizer"), "volunteer": N_("volunteer"), "curator": N_("curator")}


def check_power_role(role: discord.Role, what: str) -> None:
    """A role that decides who is an organizer, volunteer or curator: never @everyone
    (everyone would be one) or a bot's or integration's role. `what`: a POWER_ROLES key."""
    kind = _(POWER_ROLES[what]) if what in POWER_ROLES else what
    if role.is_default():
        raise NotAllowed(
            _(
                "@everyone can't be the {what} role: every member would be one. Pick a role.",
                what=kind,
            )
        )
    if role.managed:
        raise NotAllowed(
            _(
                "@{role} belongs to a bot or an integration, so it can't be the {what} role.",
                role=role.name,
                what=kind,
            )
        )


def role_facts(role: discord.Role, invoker: discord.Member | discord.User | None) -> RoleFacts:
    """What bot/roles.py needs to know about a role; `invoker` None = only the bot's side
    (at the moment of a grant, when nobody is asking)."""
    guild = role.guild
    invoker_top = invoker.top_role if isinstance(invoker, discord.Member) else None
    return RoleFacts(
        name=role.name,
        is_everyone=role.is_default(),
        managed=role.managed,
        permissions=role.permissions.value,
        at_or_above_bot=role >= guild.me.top_role,
        at_or_above_invoker=invoker is not None and (invoker_top is None or role >= invoker_top),
        invoker_is_owner=invoker is None or guild.owner_id == invoker.id,
    )


def check_grantable_role(interaction: discord.Interaction, role: discord.Role) -> None:
    """Refuse (NotAllowed, with the reason) a role the bot must not hand out to members:
    see bot/roles.py. Checked when an organizer picks it and again at every grant."""
    reason = role_refusal(role_facts(role, interaction.user))
    if reason:
        raise NotAllowed(reason)


def check_channel_access(
    interaction: discord.Interaction, channel: discord.abc.GuildChannel | discord.Thread
) -> None:
    """The invoker may name a channel for the bot to post in only if they can see it and
    post there themselves (else the bot would speak for them where they can't)."""
    member = interaction.user
    if not isinstance(member, discord.Member):
        raise NotAllowed(_("Pick a channel of this server."))
    perms = channel.permissions_for(member)
    send = (
        perms.send_messages_in_threads
        if isinstance(channel, discord.Thread)
        else (perms.send_messages)
    )
    if not (perms.view_channel and send):
        raise NotAllowed(
            _(
                "You can't post in {channel} yourself, so I won't post there for you. "
                "Pick a channel where you can view and send messages.",
                channel=channel.mention,
            )
        )


T = TypeVar("T")

# Discord drops an interaction not answered within 3 s; a decision still queued by then
# (a burst on PostgreSQL) is answered "thinking…" first and its result follows.
DEFER_AFTER = 1.5


async def in_time(interaction: discord.Interaction, work: Awaitable[T]) -> T:
    """`work`'s result; when it takes longer than DEFER_AFTER the interaction is deferred
    meanwhile (ephemeral), so the click is acknowledged in time and `reply` follows up."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.wait_for(asyncio.shield(task), DEFER_AFTER)
    except TimeoutError:
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        return await task


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    ephemeral: bool = True,
    **kwargs: Any,
) -> None:
    """Answer the interaction whether or not it was deferred; never pings by default."""
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    if content is not None:
        content = truncate(content, 2000)
    if interaction.response.is_done():
        await interaction.followup.send(
            content or discord.utils.MISSING, ephemeral=ephemeral, **kwargs
        )
    else:
        await interaction.response.send_message(content, ephemeral=ephemeral, **kwargs)


def error_message(error: BaseException) -> str | None:
    """The member-facing sentence for an expected error, or None for a bug."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        error = error.__cause__ or error
    if isinstance(error, DomainError):
        return str(error)
    if isinstance(error, NotOrganizer):
        return str(error)
    if isinstance(error, app_commands.NoPrivateMessage):
        return _("This command only works inside a server.")
    if isinstance(error, app_commands.CommandOnCooldown):
        return _("Slow down a little: try again in {seconds:.0f} s.", seconds=error.retry_after)
    if isinstance(error, app_commands.CheckFailure):
        return _("You can't use this command here.")
    return None


async def send_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the member what went wrong: their mistake in one sentence, our bug as an apology."""
    message = error_message(error)
    if message is None:
        # Where it happened, never interaction.data: a form's data holds the member's answers.
        if interaction.command:
            name = f"/{interaction.command.qualified_name}"
        else:
            data: dict[str, Any] = dict(interaction.data or {})
            custom_id = data.get("custom_id", "?")
            name = f"{interaction.type.name} {custom_id}"
        log.error(
            "unexpected error in %s (guild %s, user %s)",
            name,
            interaction.guild_id,
            interaction.user.id,
            exc_info=error,
        )
        message = _(APOLOGY)
    try:
        await reply(interaction, message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error reply to user %s", interaction.user.id)


F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def guarded(func: F) -> F:
    """Wrap a component/modal callback `(self, interaction, ...)` so errors reach the member."""

    @functools.wraps(func)
    async def wrapper(
        self: Any, interaction: discord.Interaction, *args: Any, **kwargs: Any
    ) -> Any:
        try:
            return await func(self, interaction, *args, **kwargs)
        except Exception as exc:
            await send_error(interaction, exc)

    return wrapper  # type: ignore[return-value]


class BaseView(discord.ui.View):
    """A view whose errors are answered like command errors, in the member's language
    (a subclass's own interaction_check calls this one first)."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        from cogs._i18n import speak

        await speak(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await send_error(interaction, error)

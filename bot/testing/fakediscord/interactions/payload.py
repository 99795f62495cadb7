"""The fields every interaction carries (who, where, token, locale, permissions), in a guild
or in a DM, and finding the acting user with the fake's error on a typo."""

from __future__ import annotations

from typing import Any

from ..world import ChannelType, FakeUser, World
from .kinds import ATTACHMENT_SIZE_LIMIT, FakeDiscordError
from .result import InteractionResult


def find_user(world: World, user: int | str | FakeUser) -> int:
    try:
        return world.user(user)
    except LookupError as exc:
        raise FakeDiscordError(str(exc)) from None


def base_payload(world: World, rec: InteractionResult, *, locale: str = "en-US") -> dict[str, Any]:
    """Fields every interaction carries (who, where, token, permissions)."""
    app = world.application
    ch = world.channels[rec.channel_id]
    data: dict[str, Any] = {
        "id": str(rec.id),
        "application_id": str(app.id),
        "type": rec.interaction_type,
        "token": rec.token,
        "version": 1,
        "channel_id": str(ch.id),
        "locale": locale,
        "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if rec.guild_id is not None:
        g = world.guilds[rec.guild_id]
        data.update(
            guild_id=str(g.id),
            guild={"id": str(g.id), "locale": g.preferred_locale, "features": list(g.features)},
            guild_locale=g.preferred_locale,
            channel=world.channel_payload(ch.id, for_user=rec.user_id),
            member=world.member_payload(g.id, rec.user_id, channel_id=ch.id, with_permissions=True),
            app_permissions=str(world.permissions(g.id, app.bot_user_id, ch.id)),
            authorizing_integration_owners={"0": str(g.id)},
            context=0,
        )
    else:
        data.update(
            channel=world.channel_payload(ch.id),
            user=world.user_payload(rec.user_id),
            app_permissions=str(
                (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 18)
            ),
            authorizing_integration_owners={"0": "0"},
            context=1,
        )
        if ch.type != ChannelType.DM:
            raise FakeDiscordError("interaction outside a guild must be in a DM channel")
    return data

"""Running a context menu as a member: right-click a member (a USER command, type 2) or a
message (a MESSAGE command, type 3). The synced command is found by its name and type, who
may use it is checked as for slash commands, and the APPLICATION_COMMAND interaction
carries ``target_id`` and the ``resolved`` target, as Discord sends them."""

# Timeouts are part of this test API (every wait has one), hence:
# ruff: noqa: ASYNC109

from __future__ import annotations

from typing import Any

from ..interactions import (
    FakeDiscordError,
    InteractionResult,
    InteractionType,
    OptionBuilder,
    base_payload,
    find_user,
)
from .commands import CommandHelpers
from .core import ChannelRef, UserRef

USER_MENU, MESSAGE_MENU = 2, 3


class MenuHelpers(CommandHelpers):
    """``user_menu`` and ``message_menu`` of ``FakeDiscord``."""

    def _menu(self, guild_id: int | None, name: str, kind: int) -> dict[str, Any]:
        w = self.world
        pools = [w.commands.get(guild_id, [])] if guild_id is not None else []
        pools.append(w.commands.get(None, []))
        for pool in pools:
            for c in pool:
                if c.get("type") == kind and c.get("name") == name:
                    return c
        what = "member" if kind == USER_MENU else "message"
        known = sorted({c["name"] for p in pools for c in p if c.get("type") == kind})
        raise FakeDiscordError(f"no synced {what} context menu {name!r}; synced: {known}")

    async def _run_menu(
        self,
        user: UserRef,
        name: str,
        kind: int,
        target: dict[str, Any],
        *,
        channel: ChannelRef | None,
        guild: int | str | None,
        locale: str,
        wait: bool,
        timeout: float | None,
        bypass_permissions: bool,
    ) -> InteractionResult:
        w = self.world
        uid = find_user(w, user)
        gid, cid = self._location(uid, channel, guild, False)
        cmd = self._menu(gid, name, kind)
        self._check_command_access(cmd, uid, gid, cid, name, bypass_permissions)
        rec = InteractionResult(
            self,
            interaction_type=InteractionType.APPLICATION_COMMAND,
            user_id=uid,
            guild_id=gid,
            channel_id=cid,
            name=name,
        )
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": kind, **target}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        payload = base_payload(w, rec, locale=locale)
        payload["data"] = data
        return await self._send(rec, payload, wait, timeout)

    async def user_menu(
        self,
        user: UserRef,
        name: str,
        *,
        target: UserRef,
        channel: ChannelRef | None = None,
        guild: int | str | None = None,
        locale: str = "en-US",
        wait: bool = True,
        timeout: float | None = None,
        bypass_permissions: bool = False,
    ) -> InteractionResult:
        """Right-click ``target`` (a name or id) → ``name``, as ``user``, in ``channel``."""
        uid = find_user(self.world, user)
        gid, cid = self._location(uid, channel, guild, False)
        builder = OptionBuilder(self.world, gid, uid, cid)
        target_id = builder.user(target)
        return await self._run_menu(
            user,
            name,
            USER_MENU,
            {"target_id": str(target_id), "resolved": builder.resolved},
            channel=cid,
            guild=gid,
            locale=locale,
            wait=wait,
            timeout=timeout,
            bypass_permissions=bypass_permissions,
        )

    async def message_menu(
        self,
        user: UserRef,
        name: str,
        *,
        message: int,
        channel: ChannelRef | None = None,
        guild: int | str | None = None,
        locale: str = "en-US",
        wait: bool = True,
        timeout: float | None = None,
        bypass_permissions: bool = False,
    ) -> InteractionResult:
        """Right-click message ``message`` → ``name``, as ``user``. The channel defaults to
        the message's own; the member must be able to see it."""
        w = self.world
        msg = w.messages.get(int(message))
        if msg is None or msg.deleted:
            raise FakeDiscordError(f"no message {message}")
        if channel is not None and w.channel(channel, guild=guild) != msg.channel_id:
            raise FakeDiscordError(f"message {message} is not in that channel")
        resolved = {"messages": {str(msg.id): w.message_payload(msg)}}
        return await self._run_menu(
            user,
            name,
            MESSAGE_MENU,
            {"target_id": str(msg.id), "resolved": resolved},
            channel=msg.channel_id,
            guild=guild,
            locale=locale,
            wait=wait,
            timeout=timeout,
            bypass_permissions=bypass_permissions,
        )

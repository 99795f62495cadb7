"""Running a slash command, autocomplete or a member's context-menu command as a member: the
synced command is found, who may use it where is checked as Discord would (contexts,
``default_member_permissions``), options are converted and the APPLICATION_COMMAND or
AUTOCOMPLETE interaction is sent."""

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
    build_options,
    find_user,
    resolve_command,
    wrap_chain,
)
from ..world import P
from .core import ChannelRef, FakeCore, UserRef

_RESERVED = {"channel", "guild", "options", "locale", "wait", "timeout", "dm"}


class CommandHelpers(FakeCore):
    """``slash``, ``autocomplete`` and ``user_command`` of ``FakeDiscord``."""

    def _command_interaction(
        self,
        user: UserRef,
        command: str,
        *,
        itype: int,
        channel: ChannelRef | None,
        guild: int | str | None,
        dm: bool,
        options: dict[str, Any] | None,
        kwargs: dict[str, Any],
        locale: str,
        bypass_permissions: bool,
        focused: str | None = None,
        focused_value: Any = None,
    ) -> tuple[InteractionResult, dict[str, Any]]:
        w = self.world
        uid = find_user(w, user)
        gid, cid = self._location(uid, channel, guild, dm)
        cmd, chain, leaf = resolve_command(w, gid, command)
        leaf_names = {o["name"] for o in leaf}
        given = {"channel": channel is not None, "guild": guild is not None, "dm": dm}
        used = {k for k, v in given.items() if v} | set(kwargs)
        clash = sorted((leaf_names & _RESERVED & used) - set(options or {}))
        if clash:
            raise FakeDiscordError(
                f"/{command} has option(s) {clash} whose names clash with keyword arguments of "
                f"the helper (which mean where/how to send it); pass the option values as "
                f"options={{...}}"
            )
        values = {**kwargs, **(options or {})}
        self._check_command_access(cmd, uid, gid, cid, command, bypass_permissions)
        full_path = " ".join([cmd["name"], *chain])
        rec = InteractionResult(
            self, interaction_type=itype, user_id=uid, guild_id=gid, channel_id=cid, name=full_path
        )
        builder = OptionBuilder(w, gid, uid, cid)
        opts = build_options(
            builder, leaf, values, focused=focused, focused_value=focused_value, path=full_path
        )
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 1,
            "options": wrap_chain(chain, cmd, opts),
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        if builder.resolved:
            data["resolved"] = builder.resolved
        payload = base_payload(w, rec, locale=locale)
        payload["data"] = data
        return rec, payload

    def _check_command_access(
        self,
        cmd: dict[str, Any],
        uid: int,
        gid: int | None,
        cid: int,
        path: str,
        bypass: bool,
    ) -> None:
        if bypass:
            return
        w = self.world
        contexts = cmd.get("contexts")
        if gid is None:
            allowed = (1 in contexts) if contexts is not None else cmd.get("dm_permission", True)
            if cmd.get("guild_id") or not allowed:
                raise FakeDiscordError(f"/{path} cannot be used in DMs")
            return
        if contexts is not None and 0 not in contexts:
            raise FakeDiscordError(f"/{path} cannot be used in guilds")
        needed = cmd.get("default_member_permissions")
        if needed is None:
            return
        needed_i = int(needed)
        perms = w.permissions(gid, uid, cid)
        if needed_i == 0 and perms != P.ALL:
            raise FakeDiscordError(
                f"/{path} is disabled for non-admins (default_member_permissions=0)"
            )
        if perms & needed_i != needed_i:
            raise FakeDiscordError(
                f"{w.users[uid].username} cannot see /{path}: it needs permissions {needed_i:#x}, "
                f"member has {perms:#x} (pass bypass_permissions=True to send it anyway)"
            )

    async def slash(
        self,
        user: UserRef,
        command: str,
        *,
        channel: ChannelRef | None = None,
        guild: int | str | None = None,
        dm: bool = False,
        options: dict[str, Any] | None = None,
        locale: str = "en-US",
        wait: bool = True,
        timeout: float | None = None,
        bypass_permissions: bool = False,
        **kwargs: Any,
    ) -> InteractionResult:
        """Run ``/command [group] [sub] option=value…`` as ``user`` (an APPLICATION_COMMAND).

        Options by keyword (or ``options={...}`` for names that are not identifiers or that
        clash with this method's keywords). user/member → name or id; role → name or id;
        channel → name or id; attachment → ``(filename, bytes[, content_type])``.
        Waits for the callback unless ``wait=False``.
        """
        rec, payload = self._command_interaction(
            user,
            command,
            itype=InteractionType.APPLICATION_COMMAND,
            channel=channel,
            guild=guild,
            dm=dm,
            options=options,
            kwargs=kwargs,
            locale=locale,
            bypass_permissions=bypass_permissions,
        )
        return await self._send(rec, payload, wait, timeout)

    async def autocomplete(
        self,
        user: UserRef,
        command: str,
        option: str,
        value: Any = "",
        *,
        channel: ChannelRef | None = None,
        guild: int | str | None = None,
        dm: bool = False,
        options: dict[str, Any] | None = None,
        locale: str = "en-US",
        timeout: float | None = None,
        **kwargs: Any,
    ) -> list[dict[str, Any]]:
        """Type ``value`` into ``option`` of ``/command``; returns the bot's choices."""
        rec, payload = self._command_interaction(
            user,
            command,
            itype=InteractionType.AUTOCOMPLETE,
            channel=channel,
            guild=guild,
            dm=dm,
            options=options,
            kwargs=kwargs,
            locale=locale,
            bypass_permissions=False,
            focused=option,
            focused_value=value,
        )
        await self._send(rec, payload, True, timeout)
        return list(rec.choices or [])

    async def user_command(
        self,
        user: UserRef,
        name: str,
        target: UserRef,
        *,
        channel: ChannelRef | None = None,
        guild: int | str | None = None,
        locale: str = "en-US",
        wait: bool = True,
        timeout: float | None = None,
        bypass_permissions: bool = False,
    ) -> InteractionResult:
        """Right-click ``target`` → Apps → ``name`` as ``user``: a USER context-menu command
        (type 2), with the target in ``resolved`` as Discord sends it."""
        w = self.world
        uid = find_user(w, user)
        gid, cid = self._location(uid, channel, guild, False)
        pools = [w.commands.get(gid, []), w.commands.get(None, [])]
        found = [c for pool in pools for c in pool if c["name"] == name and c.get("type") == 2]
        if not found:
            known = sorted({c["name"] for pool in pools for c in pool if c.get("type") == 2})
            raise FakeDiscordError(f"no synced user command {name!r}; synced: {known}")
        cmd = found[0]
        self._check_command_access(cmd, uid, gid, cid, name, bypass_permissions)
        rec = InteractionResult(
            self,
            interaction_type=InteractionType.APPLICATION_COMMAND,
            user_id=uid,
            guild_id=gid,
            channel_id=cid,
            name=name,
        )
        builder = OptionBuilder(w, gid, uid, cid)
        target_id = builder.user(target)
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 2,
            "target_id": str(target_id),
            "resolved": builder.resolved,
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        payload = base_payload(w, rec, locale=locale)
        payload["data"] = data
        return await self._send(rec, payload, wait, timeout)

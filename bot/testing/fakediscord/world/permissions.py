"""Discord's permission rules: a member's guild permissions (owner, roles, administrator)
and, in a channel, with its overwrites applied (@everyone, then roles, then the member); a
thread uses its parent's overwrites. Also a member's top role position (role hierarchy)."""

from __future__ import annotations

from .constants import P
from .models import FakeChannel, FakeGuild


class PermissionRules:
    """Permission computations over a world's guilds and channels (a part of ``World``)."""

    guilds: dict[int, FakeGuild]
    channels: dict[int, FakeChannel]

    def base_permissions(self, guild_id: int, user_id: int) -> int:
        g = self.guilds[guild_id]
        if user_id == g.owner_id:
            return P.ALL
        m = g.members.get(user_id)
        perms = g.everyone_role.permissions
        if m is not None:
            for rid in m.roles:
                r = g.roles.get(rid)
                if r is not None:
                    perms |= r.permissions
        if perms & P.ADMINISTRATOR:
            return P.ALL
        return perms

    def permissions(self, guild_id: int, user_id: int, channel_id: int | None = None) -> int:
        """Permissions of a member, in a channel when given (overwrites applied)."""
        base = self.base_permissions(guild_id, user_id)
        if base == P.ALL or channel_id is None:
            return base
        ch = self.channels.get(channel_id)
        if ch is None:
            return base
        if ch.is_thread and ch.parent_id is not None:
            ch = self.channels.get(ch.parent_id, ch)
        g = self.guilds[guild_id]
        m = g.members.get(user_id)
        perms = base
        ows = {(o.type, o.id): o for o in ch.overwrites}
        everyone = ows.get((0, guild_id))
        if everyone:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for rid in m.roles if m else []:
            o = ows.get((0, rid))
            if o:
                allow |= o.allow
                deny |= o.deny
        perms = (perms & ~deny) | allow
        mo = ows.get((1, user_id))
        if mo:
            perms = (perms & ~mo.deny) | mo.allow
        if not perms & P.VIEW_CHANNEL:
            return 0
        return perms

    def top_role_position(self, guild_id: int, user_id: int) -> int:
        g = self.guilds[guild_id]
        m = g.members.get(user_id)
        if m is None:
            return 0
        return max([g.roles[r].position for r in m.roles if r in g.roles] or [0])

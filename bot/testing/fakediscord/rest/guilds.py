"""Guilds, roles and members: the guild object; create, edit and delete roles (only below
the bot's top role); list, search, get, edit and kick members; add and remove a member's
role, each with its GUILD_MEMBER_UPDATE."""

from __future__ import annotations

from typing import Any

from .. import limits
from ..world import FakeRole, Intents, P
from .records import MISSING_PERMISSIONS, ApiError, RecordedRequest, unknown
from .routing import ID, RestBase, route


class GuildRoutes(RestBase):
    """Routes for guilds, roles and members."""

    @route("GET", rf"/guilds/{ID}")
    def get_guild(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        data = self.world.guild_payload(g.id)
        if rec.query.get("with_counts") in ("true", "1", "True"):
            data["approximate_member_count"] = len(g.members)
            data["approximate_presence_count"] = 0
        return data

    @route("GET", rf"/guilds/{ID}/roles")
    def get_roles(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        return [r.to_payload() for r in g.roles.values()]

    @route("POST", rf"/guilds/{ID}/roles")
    def create_role(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        self._require_guild(g.id, P.MANAGE_ROLES)
        body = rec.json or {}
        name = body.get("name") or "new role"
        problems: list[limits.Problem] = []
        limits.len_between(("name",), name, 1, 100, problems)
        if problems:
            raise self._invalid(rec, problems)
        role = self.world.add_role(
            name,
            guild=g.id,
            permissions=int(body.get("permissions") or 0),
            position=1,
            color=int(body.get("color") or 0),
            mentionable=bool(body.get("mentionable")),
        )
        role.hoist = bool(body.get("hoist"))
        for r in g.roles.values():
            if r.id != role.id and r.position >= 1 and r.id != g.id:
                r.position += 1
        self._dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(g.id), "role": role.to_payload()},
            g.id,
            Intents.GUILDS,
        )
        return role.to_payload()

    def _editable_role(self, g: Any, role_id: str) -> FakeRole:
        role = g.roles.get(int(role_id))
        if role is None:
            raise unknown("Role", 10011)
        self._require_guild(g.id, P.MANAGE_ROLES)
        if role.position >= self.world.top_role_position(g.id, self.world.bot_user_id):
            if g.owner_id != self.world.bot_user_id:
                raise ApiError(*MISSING_PERMISSIONS)
        return role

    @route("PATCH", rf"/guilds/{ID}/roles/{ID}")
    def edit_role(self, rec: RecordedRequest, guild_id: str, role_id: str) -> Any:
        g = self._guild(guild_id)
        role = self._editable_role(g, role_id)
        body = rec.json or {}
        for key in ("name", "hoist", "mentionable"):
            if key in body:
                setattr(role, key, body[key])
        if "permissions" in body:
            role.permissions = int(body["permissions"])
        if "color" in body:
            role.color = int(body["color"] or 0)
        self._dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(g.id), "role": role.to_payload()},
            g.id,
            Intents.GUILDS,
        )
        return role.to_payload()

    @route("DELETE", rf"/guilds/{ID}/roles/{ID}")
    def delete_role(self, rec: RecordedRequest, guild_id: str, role_id: str) -> Any:
        g = self._guild(guild_id)
        role = self._editable_role(g, role_id)
        if role.id == g.id or role.managed:
            raise ApiError(400, 50028, "Invalid Role")
        self.fake._remove_role(g.id, role.id)

    @route("GET", rf"/guilds/{ID}/members/search")
    def search_members(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        q = (rec.query.get("query") or "").lower()
        limit = max(1, min(1000, int(rec.query.get("limit", 1))))
        w = self.world
        out = []
        for uid, m in g.members.items():
            u = w.users[uid]
            names = [u.username, u.global_name or "", m.nick or ""]
            if any(n.lower().startswith(q) for n in names):
                out.append(w.member_payload(g.id, uid))
                if len(out) >= limit:
                    break
        return out

    @route("GET", rf"/guilds/{ID}/members")
    def list_members(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        limit = max(1, min(1000, int(rec.query.get("limit", 1))))
        after = int(rec.query.get("after", 0))
        ids = sorted(u for u in g.members if u > after)[:limit]
        return [self.world.member_payload(g.id, u) for u in ids]

    @route("GET", rf"/guilds/{ID}/members/{ID}")
    def get_member(self, rec: RecordedRequest, guild_id: str, user_id: str) -> Any:
        g = self._guild(guild_id)
        if int(user_id) not in g.members:
            raise unknown("Member", 10007)
        return self.world.member_payload(g.id, int(user_id))

    def _member_update_event(self, guild_id: int, user_id: int) -> None:
        data = self.world.member_payload(guild_id, user_id)
        data["guild_id"] = str(guild_id)
        self._dispatch("GUILD_MEMBER_UPDATE", data, guild_id, Intents.GUILD_MEMBERS)
        self.fake._changed()

    def _assignable(self, g: Any, role_id: int) -> FakeRole:
        role = g.roles.get(role_id)
        if role is None:
            raise unknown("Role", 10011)
        self._require_guild(g.id, P.MANAGE_ROLES)
        if role.managed or role.id == g.id:
            raise ApiError(400, 50028, "Invalid Role")
        w = self.world
        if g.owner_id != w.bot_user_id and role.position >= w.top_role_position(
            g.id, w.bot_user_id
        ):
            raise ApiError(*MISSING_PERMISSIONS)
        return role

    @route("PUT", rf"/guilds/{ID}/members/{ID}/roles/{ID}")
    def add_member_role(
        self, rec: RecordedRequest, guild_id: str, user_id: str, role_id: str
    ) -> Any:
        g = self._guild(guild_id)
        m = g.members.get(int(user_id))
        if m is None:
            raise unknown("Member", 10007)
        role = self._assignable(g, int(role_id))
        if role.id not in m.roles:
            m.roles.append(role.id)
            self._member_update_event(g.id, m.user_id)
        return None

    @route("DELETE", rf"/guilds/{ID}/members/{ID}/roles/{ID}")
    def remove_member_role(
        self, rec: RecordedRequest, guild_id: str, user_id: str, role_id: str
    ) -> Any:
        g = self._guild(guild_id)
        m = g.members.get(int(user_id))
        if m is None:
            raise unknown("Member", 10007)
        role = self._assignable(g, int(role_id))
        if role.id in m.roles:
            m.roles.remove(role.id)
            self._member_update_event(g.id, m.user_id)
        return None

    @route("PATCH", rf"/guilds/{ID}/members/{ID}")
    def edit_member(self, rec: RecordedRequest, guild_id: str, user_id: str) -> Any:
        g = self._guild(guild_id)
        m = g.members.get(int(user_id))
        if m is None:
            raise unknown("Member", 10007)
        body = rec.json or {}
        if "roles" in body:
            new = [int(r) for r in body["roles"] or []]
            changed = set(new) ^ set(m.roles)
            for rid in changed:
                self._assignable(g, rid)
            m.roles = new
        if "nick" in body:
            self._require_guild(g.id, P.MANAGE_NICKNAMES)
            m.nick = body["nick"]
        self._member_update_event(g.id, m.user_id)
        return self.world.member_payload(g.id, m.user_id)

    @route("DELETE", rf"/guilds/{ID}/members/{ID}")
    def kick_member(self, rec: RecordedRequest, guild_id: str, user_id: str) -> Any:
        g = self._guild(guild_id)
        if int(user_id) not in g.members:
            raise unknown("Member", 10007)
        self._require_guild(g.id, P.KICK_MEMBERS)
        self.fake._remove_member(g.id, int(user_id))

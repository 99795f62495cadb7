"""Application commands: the bulk sync (``PUT``), create, list, get and delete, global and
per guild, checked against Discord's command limits; each sync is recorded in
``fake.command_syncs``."""

from __future__ import annotations

import time
from typing import Any

from .. import limits
from .records import MISSING_ACCESS, ApiError, RecordedRequest, unknown
from .routing import ID, RestBase, route


class CommandRoutes(RestBase):
    """Routes for application commands."""

    def _check_app(self, app_id: str) -> None:
        if int(app_id) != self.world.application.id:
            raise ApiError(403, 50001, "Missing Access")

    def _store_commands(
        self, rec: RecordedRequest, guild_id: int | None, body: Any, replace: bool
    ) -> list[dict[str, Any]]:
        items = body if replace else [body]
        problems = limits.check_commands(items)
        if problems:
            raise self._invalid(rec, problems)
        w = self.world
        version = str(w.snowflakes.next())
        stored: list[dict[str, Any]] = []
        for c in items:
            ctype = c.get("type") or 1
            key = (guild_id, c["name"], ctype)
            cid = w.command_ids.get(key)
            if cid is None:
                cid = w.snowflakes.next()
                w.command_ids[key] = cid
            perms = c.get("default_member_permissions")
            data = {
                "id": str(cid),
                "application_id": str(w.application.id),
                "version": version,
                "type": ctype,
                "name": c["name"],
                "name_localizations": c.get("name_localizations"),
                "description": c.get("description") or "",
                "description_localizations": c.get("description_localizations"),
                "default_member_permissions": None if perms is None else str(perms),
                "nsfw": bool(c.get("nsfw", False)),
                "contexts": c.get("contexts"),
                "integration_types": c.get("integration_types") or [0],
            }
            if c.get("options"):
                data["options"] = c["options"]
            if guild_id is not None:
                data["guild_id"] = str(guild_id)
            else:
                data["dm_permission"] = c.get("dm_permission", True)
            stored.append(data)
        if replace:
            w.commands[guild_id] = stored
        else:
            pool = w.commands.setdefault(guild_id, [])
            pool[:] = [
                x
                for x in pool
                if not (x["name"] == stored[0]["name"] and x["type"] == stored[0]["type"])
            ]
            pool.append(stored[0])
        self.fake.command_syncs.append((guild_id, time.monotonic(), len(stored)))
        return stored

    def _guild_for_commands(self, guild_id: str) -> int:
        g = self._guild(guild_id)
        if self.world.bot_user_id not in g.members:
            raise ApiError(*MISSING_ACCESS)
        return g.id

    @route("GET", rf"/applications/{ID}/commands")
    def get_global_commands(self, rec: RecordedRequest, app_id: str) -> Any:
        self._check_app(app_id)
        return self.world.commands.get(None, [])

    @route("PUT", rf"/applications/{ID}/commands")
    def put_global_commands(self, rec: RecordedRequest, app_id: str) -> Any:
        self._check_app(app_id)
        return self._store_commands(rec, None, rec.json or [], replace=True)

    @route("POST", rf"/applications/{ID}/commands")
    def post_global_command(self, rec: RecordedRequest, app_id: str) -> Any:
        self._check_app(app_id)
        return 201, self._store_commands(rec, None, rec.json or {}, replace=False)[0]

    @route("GET", rf"/applications/{ID}/guilds/{ID}/commands")
    def get_guild_commands(self, rec: RecordedRequest, app_id: str, guild_id: str) -> Any:
        self._check_app(app_id)
        return self.world.commands.get(self._guild_for_commands(guild_id), [])

    @route("PUT", rf"/applications/{ID}/guilds/{ID}/commands")
    def put_guild_commands(self, rec: RecordedRequest, app_id: str, guild_id: str) -> Any:
        self._check_app(app_id)
        gid = self._guild_for_commands(guild_id)
        return self._store_commands(rec, gid, rec.json or [], replace=True)

    @route("POST", rf"/applications/{ID}/guilds/{ID}/commands")
    def post_guild_command(self, rec: RecordedRequest, app_id: str, guild_id: str) -> Any:
        self._check_app(app_id)
        gid = self._guild_for_commands(guild_id)
        return 201, self._store_commands(rec, gid, rec.json or {}, replace=False)[0]

    def _find_command(self, guild_id: int | None, cmd_id: str) -> dict[str, Any]:
        for c in self.world.commands.get(guild_id, []):
            if c["id"] == cmd_id:
                return c
        raise unknown("application command", 10063)

    @route("GET", rf"/applications/{ID}/commands/{ID}")
    def get_global_command(self, rec: RecordedRequest, app_id: str, cmd_id: str) -> Any:
        self._check_app(app_id)
        return self._find_command(None, cmd_id)

    @route("DELETE", rf"/applications/{ID}/commands/{ID}")
    def delete_global_command(self, rec: RecordedRequest, app_id: str, cmd_id: str) -> Any:
        self._check_app(app_id)
        c = self._find_command(None, cmd_id)
        self.world.commands[None].remove(c)

    @route("GET", rf"/applications/{ID}/guilds/{ID}/commands/{ID}")
    def get_guild_command(
        self, rec: RecordedRequest, app_id: str, guild_id: str, cmd_id: str
    ) -> Any:
        self._check_app(app_id)
        return self._find_command(int(guild_id), cmd_id)

    @route("DELETE", rf"/applications/{ID}/guilds/{ID}/commands/{ID}")
    def delete_guild_command(
        self, rec: RecordedRequest, app_id: str, guild_id: str, cmd_id: str
    ) -> Any:
        self._check_app(app_id)
        c = self._find_command(int(guild_id), cmd_id)
        self.world.commands[int(guild_id)].remove(c)

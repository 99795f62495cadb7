"""Channel objects: get, edit (name, topic; archived/locked for threads) and delete one
channel; list and create a guild's channels."""

from __future__ import annotations

from typing import Any

from .. import limits
from ..world import Intents, P
from .records import MISSING_ACCESS, ApiError, RecordedRequest
from .routing import ID, RestBase, route


class ChannelRoutes(RestBase):
    """Routes for channel objects."""

    @route("GET", rf"/channels/{ID}")
    def get_channel(self, rec: RecordedRequest, channel_id: str) -> Any:
        ch = self._channel(channel_id)
        if ch.guild_id is not None and not self._bot_perms(ch) & P.VIEW_CHANNEL:
            raise ApiError(*MISSING_ACCESS)
        return self.world.channel_payload(ch.id)

    @route("PATCH", rf"/channels/{ID}")
    def patch_channel(self, rec: RecordedRequest, channel_id: str) -> Any:
        ch = self._channel(channel_id)
        body = rec.json or {}
        if ch.is_thread:
            if ch.owner_id != self.world.bot_user_id:
                self._require(ch, P.MANAGE_THREADS)
            for key in ("archived", "locked", "invitable", "auto_archive_duration"):
                if key in body:
                    setattr(ch, key, body[key])
        elif ch.guild_id is not None:
            self._require(ch, P.MANAGE_CHANNELS)
            if "topic" in body:
                ch.topic = body["topic"]
        if "name" in body:
            problems: list[limits.Problem] = []
            limits.len_between(("name",), body["name"], 1, 100, problems)
            if problems:
                raise self._invalid(rec, problems)
            ch.name = body["name"]
        data = self.world.channel_payload(ch.id)
        event = "THREAD_UPDATE" if ch.is_thread else "CHANNEL_UPDATE"
        self._dispatch(event, data, ch.guild_id, Intents.GUILDS)
        return data

    @route("DELETE", rf"/channels/{ID}")
    def delete_channel(self, rec: RecordedRequest, channel_id: str) -> Any:
        ch = self._channel(channel_id)
        if ch.guild_id is None:
            return self.world.channel_payload(ch.id)
        if ch.is_thread:
            if ch.owner_id != self.world.bot_user_id:
                self._require(ch, P.MANAGE_THREADS)
        else:
            self._require(ch, P.MANAGE_CHANNELS)
        data = self.world.channel_payload(ch.id)
        self.fake._remove_channel(ch)
        return data

    @route("GET", rf"/guilds/{ID}/channels")
    def get_guild_channels(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        w = self.world
        return [w.channel_payload(c) for c in g.channel_ids if not w.channels[c].is_thread]

    @route("POST", rf"/guilds/{ID}/channels")
    def create_guild_channel(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        self._require_guild(g.id, P.MANAGE_CHANNELS)
        body = rec.json or {}
        problems: list[limits.Problem] = []
        limits.len_between(("name",), body.get("name"), 1, 100, problems)
        if problems:
            raise self._invalid(rec, problems)
        ch, _ = self.fake._create_channel(
            body["name"],
            guild=g.id,
            type=int(body.get("type") or 0),
            topic=body.get("topic"),
            parent_id=int(body["parent_id"]) if body.get("parent_id") else None,
            overwrites=body.get("permission_overwrites"),
        )
        return 201, self.world.channel_payload(ch.id)

"""Users, the application and the gateway URL: ``/users/@me``, ``/users/{id}``,
``/oauth2/applications/@me`` (and ``/applications/@me``), ``/gateway``, ``/gateway/bot``,
and opening a DM channel (``POST /users/@me/channels``)."""

from __future__ import annotations

from typing import Any

from .records import ApiError, RecordedRequest, unknown
from .routing import ID, RestBase, route


class UserRoutes(RestBase):
    """Routes for users, the application, the gateway URL and DM channels."""

    @route("GET", r"/users/@me")
    def get_me(self, rec: RecordedRequest) -> Any:
        w = self.world
        return {**w.user_payload(w.bot_user_id), "verified": True, "mfa_enabled": False}

    @route("GET", rf"/users/{ID}")
    def get_user(self, rec: RecordedRequest, user_id: str) -> Any:
        if int(user_id) not in self.world.users:
            raise unknown("User", 10013)
        return self.world.user_payload(int(user_id))

    @route("GET", r"/oauth2/applications/@me")
    def get_application(self, rec: RecordedRequest) -> Any:
        w = self.world
        app = w.application
        return {
            "id": str(app.id),
            "name": app.name,
            "icon": None,
            "description": "Fake application",
            "summary": "",
            "type": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": app.flags,
            "owner": w.user_payload(app.owner_id) if app.owner_id in w.users else w.user_payload(0),
            "team": None,
            "bot": w.user_payload(app.bot_user_id),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "approximate_guild_count": len(w.guilds),
        }

    @route("GET", r"/applications/@me")
    def get_application2(self, rec: RecordedRequest) -> Any:
        return self.get_application(rec)

    @route("GET", r"/gateway")
    def get_gateway(self, rec: RecordedRequest) -> Any:
        return {"url": self.fake.gateway_base_url}

    @route("GET", r"/gateway/bot")
    def get_gateway_bot(self, rec: RecordedRequest) -> Any:
        """The URL, the recommended shard count and the session start limits (each IDENTIFY
        uses one of the day's 1,000)."""
        fake = self.fake
        return {
            "url": fake.gateway_base_url,
            "shards": fake.shard_count,
            "session_start_limit": {
                "total": 1000,
                "remaining": max(0, 1000 - fake.gateway.identify_count),
                "reset_after": 86400000,
                "max_concurrency": fake.max_concurrency,
            },
        }

    @route("POST", r"/users/@me/channels")
    def create_dm(self, rec: RecordedRequest) -> Any:
        body = rec.json or {}
        try:
            uid = int(str(body.get("recipient_id")))
        except (TypeError, ValueError):
            raise ApiError(400, 50033, "Invalid Recipient(s)") from None
        user = self.world.users.get(uid)
        if user is None or uid == self.world.bot_user_id:
            raise ApiError(400, 50033, "Invalid Recipient(s)")
        ch = self.world.dm_channel_for(uid)
        return self.world.channel_payload(ch.id)

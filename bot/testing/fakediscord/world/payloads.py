"""Discord-shaped payloads built from a world: users, members, channels, messages (and their
MESSAGE_CREATE form), scheduled events, guilds and GUILD_CREATE as a bot with given intents
receives it. Used by the REST answers and the gateway dispatches alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .constants import ChannelType, Intents, iso
from .models import Application, FakeChannel, FakeGuild, FakeMessage, FakeScheduledEvent, FakeUser


class Payloads:
    """Payload builders over a world's state (a part of ``World``)."""

    users: dict[int, FakeUser]
    guilds: dict[int, FakeGuild]
    channels: dict[int, FakeChannel]
    scheduled_events: dict[int, FakeScheduledEvent]
    application: Application

    if TYPE_CHECKING:
        # From PermissionRules (members' and channels' payloads carry computed permissions).
        def permissions(
            self, guild_id: int, user_id: int, channel_id: int | None = None
        ) -> int: ...

    def user_payload(self, user_id: int) -> dict[str, Any]:
        u = self.users.get(user_id)
        if u is None:
            return {
                "id": str(user_id),
                "username": f"unknown-{user_id}",
                "discriminator": "0",
                "global_name": None,
                "avatar": None,
            }
        return u.to_payload()

    def member_payload(
        self,
        guild_id: int,
        user_id: int,
        *,
        with_user: bool = True,
        channel_id: int | None = None,
        with_permissions: bool = False,
    ) -> dict[str, Any]:
        g = self.guilds[guild_id]
        m = g.members[user_id]
        data: dict[str, Any] = {
            "roles": [str(r) for r in m.roles],
            "nick": m.nick,
            "avatar": None,
            "banner": None,
            "joined_at": m.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user_payload(user_id)
        if with_permissions:
            data["permissions"] = str(self.permissions(guild_id, user_id, channel_id))
        return data

    def channel_payload(self, channel_id: int, *, for_user: int | None = None) -> dict[str, Any]:
        ch = self.channels[channel_id]
        if ch.is_dm:
            return {
                "id": str(ch.id),
                "type": ch.type,
                "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
                "flags": 0,
                "recipients": [self.user_payload(ch.recipient_id or 0)],
            }
        data: dict[str, Any] = {
            "id": str(ch.id),
            "type": ch.type,
            "guild_id": str(ch.guild_id),
            "name": ch.name,
            "position": ch.position,
            "permission_overwrites": [o.to_payload() for o in ch.overwrites],
            "parent_id": str(ch.parent_id) if ch.parent_id else None,
            "nsfw": ch.nsfw,
            "flags": 0,
            "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
            "rate_limit_per_user": 0,
        }
        if ch.type in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
            data["topic"] = ch.topic
            data["default_auto_archive_duration"] = 1440
        if ch.type in (ChannelType.GUILD_VOICE, ChannelType.GUILD_STAGE_VOICE):
            data.update(bitrate=64000, user_limit=0, rtc_region=None)
        if ch.is_thread:
            data.pop("permission_overwrites")
            data.pop("position")
            data.update(
                owner_id=str(ch.owner_id),
                member_count=min(len(ch.thread_member_ids), 50),
                message_count=ch.message_count,
                total_message_sent=ch.message_count,
                thread_metadata={
                    "archived": ch.archived,
                    "auto_archive_duration": ch.auto_archive_duration,
                    "archive_timestamp": iso(ch.created_at),
                    "locked": ch.locked,
                    "invitable": ch.invitable,
                    "create_timestamp": iso(ch.created_at),
                },
            )
        if for_user is not None and ch.guild_id is not None:
            data["permissions"] = str(self.permissions(ch.guild_id, for_user, ch.id))
        return data

    def message_payload(self, msg: FakeMessage) -> dict[str, Any]:
        author = self.user_payload(msg.author_id)
        data: dict[str, Any] = {
            "id": str(msg.id),
            "channel_id": str(msg.channel_id),
            "type": msg.type,
            "content": msg.content,
            "author": author,
            "attachments": [a.to_payload() for a in msg.attachments],
            "embeds": msg.embeds,
            "components": msg.components,
            "mentions": [
                self.user_payload(u) for u in sorted(msg.mentions["users"]) if u in self.users
            ],
            "mention_roles": [str(r) for r in sorted(msg.mentions["roles"])],
            "mention_everyone": msg.pings["everyone"],
            "pinned": msg.pinned,
            "tts": msg.tts,
            "timestamp": iso(msg.created_at),
            "edited_timestamp": iso(msg.edited_at) if msg.edited_at else None,
            "flags": msg.flags,
        }
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        if msg.webhook_id is not None:
            data["webhook_id"] = str(msg.webhook_id)
        if msg.application_id is not None:
            data["application_id"] = str(msg.application_id)
        if msg.interaction_metadata is not None:
            data["interaction_metadata"] = msg.interaction_metadata
        if msg.message_reference is not None:
            data["message_reference"] = msg.message_reference
        if msg.thread_id is not None and msg.thread_id in self.channels:
            data["thread"] = self.channel_payload(msg.thread_id)
        return data

    def message_event_payload(self, msg: FakeMessage) -> dict[str, Any]:
        """MESSAGE_CREATE/UPDATE payload: message plus ``member`` for guild messages."""
        data = self.message_payload(msg)
        if msg.guild_id is not None and msg.author_id in self.guilds[msg.guild_id].members:
            data["member"] = self.member_payload(msg.guild_id, msg.author_id, with_user=False)
        return data

    def scheduled_event_payload(self, ev: FakeScheduledEvent) -> dict[str, Any]:
        return {
            "id": str(ev.id),
            "guild_id": str(ev.guild_id),
            "channel_id": str(ev.channel_id) if ev.channel_id else None,
            "creator_id": str(ev.creator_id),
            "creator": self.user_payload(ev.creator_id),
            "name": ev.name,
            "description": ev.description,
            "scheduled_start_time": ev.scheduled_start_time,
            "scheduled_end_time": ev.scheduled_end_time,
            "privacy_level": ev.privacy_level,
            "status": ev.status,
            "entity_type": ev.entity_type,
            "entity_id": None,
            "entity_metadata": {"location": ev.location} if ev.location is not None else None,
            "user_count": len(ev.user_ids),
            "image": ev.image,
            "recurrence_rule": ev.recurrence_rule,
        }

    def guild_payload(self, guild_id: int) -> dict[str, Any]:
        """The guild object (REST shape, without channels/members)."""
        g = self.guilds[guild_id]
        return {
            "id": str(g.id),
            "name": g.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(g.owner_id),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.to_payload() for r in g.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": list(g.features),
            "mfa_level": 0,
            "system_channel_id": str(g.system_channel_id) if g.system_channel_id else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": g.preferred_locale,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "max_members": 500000,
            "max_video_channel_users": 25,
        }

    def guild_create_payload(
        self, guild_id: int, *, intents: int, large_threshold: int = 250
    ) -> dict:
        """GUILD_CREATE as sent to a bot with ``intents``."""
        g = self.guilds[guild_id]
        data = self.guild_payload(guild_id)
        count = len(g.members)
        large = count > large_threshold
        bot_id = self.application.bot_user_id
        if intents & Intents.GUILD_MEMBERS and not large:
            member_ids = list(g.members)
        else:
            member_ids = [bot_id] if bot_id in g.members else []
        bot_member = g.members.get(bot_id)
        data.update(
            unavailable=False,
            member_count=count,
            large=large,
            joined_at=bot_member.joined_at if bot_member else iso(),
            lazy=True,
            channels=[
                self.channel_payload(c) for c in g.channel_ids if not self.channels[c].is_thread
            ],
            threads=[
                self.channel_payload(c)
                for c in g.channel_ids
                if self.channels[c].is_thread and not self.channels[c].archived
            ],
            members=[self.member_payload(g.id, u) for u in member_ids],
            presences=[],
            voice_states=[],
            stage_instances=[],
            guild_scheduled_events=[
                self.scheduled_event_payload(self.scheduled_events[e])
                for e in g.scheduled_event_ids
                if e in self.scheduled_events and not self.scheduled_events[e].deleted
            ],
            soundboard_sounds=[],
        )
        return data

"""Messages in a channel: list (before/after/around), get, create (with replies and
attachments), edit, delete, bulk delete; the bot's reactions; pins (both path spellings);
typing."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from .. import limits
from ..world import ChannelType, MessageFlags, P
from .compose import MessageComposer
from .records import ApiError, RecordedRequest
from .routing import ID, route


class MessageRoutes(MessageComposer):
    """Routes for messages, reactions, pins and typing."""

    @route("POST", rf"/channels/{ID}/typing")
    def typing(self, rec: RecordedRequest, channel_id: str) -> Any:
        self._channel(channel_id)
        return None

    @route("GET", rf"/channels/{ID}/messages")
    def list_messages(self, rec: RecordedRequest, channel_id: str) -> Any:
        ch = self._channel(channel_id)
        if ch.guild_id is not None:
            self._require(ch, P.READ_MESSAGE_HISTORY)
        limit = max(1, min(100, int(rec.query.get("limit", 50))))
        msgs = self.world.channel_messages(ch.id)
        before, after, around = (rec.query.get(k) for k in ("before", "after", "around"))
        if before:
            msgs = [m for m in msgs if m.id < int(before)]
            msgs = msgs[-limit:]
        elif after:
            msgs = [m for m in msgs if m.id > int(after)][:limit]
        elif around:
            idx = next((i for i, m in enumerate(msgs) if m.id >= int(around)), len(msgs))
            half = limit // 2
            msgs = msgs[max(0, idx - half) : idx - half + limit]
        else:
            msgs = msgs[-limit:]
        return [self.world.message_payload(m) for m in reversed(msgs)]

    @route("GET", rf"/channels/{ID}/messages/{ID}")
    def get_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        ch = self._channel(channel_id)
        if ch.guild_id is not None:
            self._require(ch, P.READ_MESSAGE_HISTORY)
        return self.world.message_payload(self._message(ch, message_id))

    @route("POST", rf"/channels/{ID}/messages")
    def create_message(self, rec: RecordedRequest, channel_id: str) -> Any:
        ch = self._channel(channel_id)
        w = self.world
        if ch.is_dm:
            user = w.users.get(ch.recipient_id or 0)
            if user is None or not user.dms_open or user.bot:
                raise ApiError(403, 50007, "Cannot send messages to this user")
        elif ch.is_thread:
            self._require(ch, P.SEND_MESSAGES_IN_THREADS)
            if ch.archived and ch.locked:
                raise ApiError(400, 50083, "Thread is archived")
            if ch.archived:
                ch.archived = False
        else:
            if ch.type not in (
                ChannelType.GUILD_TEXT,
                ChannelType.GUILD_ANNOUNCEMENT,
                ChannelType.GUILD_VOICE,
            ):
                raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
            self._require(ch, P.SEND_MESSAGES)
        payload = rec.json or {}
        if rec.files and ch.guild_id is not None:
            self._require(ch, P.ATTACH_FILES)
        ref = payload.get("message_reference")
        if ref and ref.get("message_id"):
            target = w.messages.get(int(ref["message_id"]))
            if (target is None or target.deleted) and ref.get("fail_if_not_exists", True):
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "message_reference": {
                            "_errors": [
                                {
                                    "code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                    "message": "Unknown message",
                                }
                            ]
                        }
                    },
                )
        allowed = MessageFlags.SUPPRESS_EMBEDS | MessageFlags.SUPPRESS_NOTIFICATIONS
        allowed |= MessageFlags.IS_COMPONENTS_V2
        msg = self._new_message(
            rec,
            payload,
            ch,
            author_id=w.bot_user_id,
            allowed_flags=allowed,
            msg_type=19 if ref else 0,
        )
        self._dispatch_message("MESSAGE_CREATE", msg)
        self.fake._on_message(msg)
        return w.message_payload(msg)

    @route("PATCH", rf"/channels/{ID}/messages/{ID}")
    def edit_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        ch = self._channel(channel_id)
        msg = self._message(ch, message_id)
        body = rec.json or {}
        if msg.author_id != self.world.bot_user_id:
            if set(body) - {"flags"}:
                raise ApiError(403, 50005, "Cannot edit a message authored by another user")
            self._require(ch, P.MANAGE_MESSAGES)
        self._edit_message(rec, msg, body)
        self._dispatch_message("MESSAGE_UPDATE", msg)
        self.fake._on_message(msg)
        return self.world.message_payload(msg)

    @route("DELETE", rf"/channels/{ID}/messages/{ID}")
    def delete_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        ch = self._channel(channel_id)
        msg = self._message(ch, message_id)
        if msg.author_id != self.world.bot_user_id and ch.guild_id is not None:
            self._require(ch, P.MANAGE_MESSAGES)
        self.fake._delete_message(msg)

    @route("POST", rf"/channels/{ID}/messages/bulk-delete")
    def bulk_delete(self, rec: RecordedRequest, channel_id: str) -> Any:
        ch = self._channel(channel_id)
        self._require(ch, P.MANAGE_MESSAGES)
        ids = (rec.json or {}).get("messages") or []
        if not 2 <= len(ids) <= 100:
            raise self._invalid(
                rec,
                [
                    limits.Problem(
                        ("messages",),
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 2 and 100 in length.",
                    )
                ],
            )
        for mid in ids:
            msg = self.world.messages.get(int(mid))
            if msg is not None and msg.channel_id == ch.id and not msg.deleted:
                self.fake._delete_message(msg)

    @route("PUT", rf"/channels/{ID}/messages/{ID}/reactions/([^/]+)/@me")
    def add_reaction(
        self, rec: RecordedRequest, channel_id: str, message_id: str, emoji: str
    ) -> Any:
        ch = self._channel(channel_id)
        msg = self._message(ch, message_id)
        if ch.guild_id is not None:
            self._require(ch, P.ADD_REACTIONS | P.READ_MESSAGE_HISTORY)
        self.fake.reactions.setdefault(msg.id, {}).setdefault(unquote(emoji), set()).add(
            self.world.bot_user_id
        )
        return None

    @route("DELETE", rf"/channels/{ID}/messages/{ID}/reactions/([^/]+)/@me")
    def remove_reaction(
        self, rec: RecordedRequest, channel_id: str, message_id: str, emoji: str
    ) -> Any:
        ch = self._channel(channel_id)
        msg = self._message(ch, message_id)
        self.fake.reactions.get(msg.id, {}).get(unquote(emoji), set()).discard(
            self.world.bot_user_id
        )
        return None

    @route("PUT", rf"/channels/{ID}/pins/{ID}")
    def pin_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        ch = self._channel(channel_id)
        msg = self._message(ch, message_id)
        if ch.guild_id is not None:
            self._require(ch, P.MANAGE_MESSAGES)
        msg.pinned = True
        return None

    @route("PUT", rf"/channels/{ID}/messages/pins/{ID}")
    def pin_message2(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        return self.pin_message(rec, channel_id, message_id)

    @route("DELETE", rf"/channels/{ID}/pins/{ID}")
    def unpin_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        ch = self._channel(channel_id)
        msg = self._message(ch, message_id)
        msg.pinned = False
        return None

    @route("DELETE", rf"/channels/{ID}/messages/pins/{ID}")
    def unpin_message2(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        return self.unpin_message(rec, channel_id, message_id)

"""Interaction webhooks: follow-ups (``POST /webhooks/{app}/{token}``, the first one after a
"thinking" defer replaces it) and get, edit, delete of ``@original`` or a follow-up."""

from __future__ import annotations

from typing import Any

from ..interactions import InteractionResult
from ..world import FakeMessage, MessageFlags
from .compose import MessageComposer
from .records import RecordedRequest, unknown
from .routing import ID, TOKEN, route


class WebhookRoutes(MessageComposer):
    """Routes for interaction follow-ups and their messages."""

    def _webhook_interaction(self, app_id: str, token: str) -> InteractionResult:
        if int(app_id) != self.world.application.id:
            raise unknown("Webhook", 10015)
        inter = self.fake.interactions_by_token.get(token)
        if inter is None or not inter.responded:
            raise unknown("Webhook", 10015)
        return inter

    def _webhook_message(self, inter: InteractionResult, message_id: str) -> FakeMessage:
        if message_id == "@original":
            mid = inter.original_id
        else:
            mid = int(message_id)
            if mid != inter.original_id and mid not in inter.followup_ids:
                raise unknown("Message", 10008)
        msg = self.world.messages.get(mid or 0)
        if msg is None or msg.deleted:
            raise unknown("Message", 10008)
        return msg

    @route("POST", rf"/webhooks/{ID}/{TOKEN}")
    def followup(self, rec: RecordedRequest, app_id: str, token: str) -> Any:
        inter = self._webhook_interaction(app_id, token)
        w = self.world
        payload = rec.json or {}
        original = w.messages.get(inter.original_id or 0)
        if inter.type == 5 and original is not None and original.loading and not original.deleted:
            # The first follow-up after a "thinking" defer replaces the loading message.
            msg = self._edit_message(rec, original, payload)
            event = "MESSAGE_UPDATE"
        else:
            ch = w.channels[inter.channel_id]
            msg = self._new_message(
                rec,
                payload,
                ch,
                author_id=w.bot_user_id,
                allowed_flags=MessageFlags.EPHEMERAL
                | MessageFlags.SUPPRESS_EMBEDS
                | MessageFlags.SUPPRESS_NOTIFICATIONS
                | MessageFlags.IS_COMPONENTS_V2,
                interaction=inter,
            )
            inter.followup_ids.append(msg.id)
            event = "MESSAGE_CREATE"
        inter.touched = True
        inter._on_update()
        self._dispatch_message(event, msg)
        self.fake._on_message(msg)
        if rec.query.get("wait") in ("1", "true", "True"):
            return w.message_payload(msg)
        return None

    @route("GET", rf"/webhooks/{ID}/{TOKEN}/messages/(\d+|@original)")
    def get_webhook_message(
        self, rec: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> Any:
        inter = self._webhook_interaction(app_id, token)
        return self.world.message_payload(self._webhook_message(inter, message_id))

    @route("PATCH", rf"/webhooks/{ID}/{TOKEN}/messages/(\d+|@original)")
    def edit_webhook_message(
        self, rec: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> Any:
        inter = self._webhook_interaction(app_id, token)
        msg = self._webhook_message(inter, message_id)
        self._edit_message(rec, msg, rec.json or {})
        inter.touched = True
        inter._on_update()
        self._dispatch_message("MESSAGE_UPDATE", msg)
        self.fake._on_message(msg)
        return self.world.message_payload(msg)

    @route("DELETE", rf"/webhooks/{ID}/{TOKEN}/messages/(\d+|@original)")
    def delete_webhook_message(
        self, rec: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> Any:
        inter = self._webhook_interaction(app_id, token)
        msg = self._webhook_message(inter, message_id)
        self.fake._delete_message(msg)
        inter.touched = True
        inter._on_update()
        return None

"""The interaction callback (``POST /interactions/{id}/{token}/callback``): message, defer,
update, autocomplete choices and modal responses, the 3-second deadline and "already
acknowledged"."""

from __future__ import annotations

import time
from typing import Any

from .. import limits
from ..interactions import ALLOWED_CALLBACKS, InteractionResult
from ..world import FakeMessage, MessageFlags
from .compose import MessageComposer
from .records import ApiError, RecordedRequest, unknown
from .routing import ID, TOKEN, route


class CallbackRoutes(MessageComposer):
    """The interaction callback route."""

    def _interaction(self, interaction_id: str, token: str) -> InteractionResult:
        rec = self.fake.interactions.get(int(interaction_id))
        if rec is None or rec.token != token:
            raise ApiError(404, 10062, "Unknown interaction")
        return rec

    @route("POST", rf"/interactions/{ID}/{TOKEN}/callback")
    def interaction_callback(self, rec: RecordedRequest, interaction_id: str, token: str) -> Any:
        inter = self._interaction(interaction_id, token)
        fake = self.fake
        now = time.monotonic()
        try:
            if inter.responded:
                raise ApiError(400, 40060, "Interaction has already been acknowledged.")
            deadline = fake.interaction_deadline
            if deadline is not None and now - inter.dispatched_at > deadline:
                fake.late_callbacks.append((inter, now - inter.dispatched_at))
                if fake.enforce_deadline:
                    raise ApiError(404, 10062, "Unknown interaction")
            return self._callback(rec, inter)
        except ApiError as err:
            inter.rejected.append((now, err.status, f"{err.code} {err.message}"))
            raise

    def _callback(self, rec: RecordedRequest, inter: InteractionResult) -> Any:
        body = rec.json or {}
        ctype = body.get("type")
        data = body.get("data") or {}
        if ctype not in ALLOWED_CALLBACKS.get(inter.interaction_type, ()):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "type": {
                        "_errors": [
                            {
                                "code": "INTERACTION_RESPONSE_TYPE_INVALID",
                                "message": f"Callback type {ctype} is not valid for "
                                f"interaction type {inter.interaction_type}.",
                            }
                        ]
                    }
                },
            )
        w = self.world
        ch = w.channels[inter.channel_id]
        msg: FakeMessage | None = None
        if ctype in (6, 7) and inter.source_message_id is None:
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "type": {
                        "_errors": [
                            {
                                "code": "INTERACTION_RESPONSE_TYPE_INVALID",
                                "message": "No message to update.",
                            }
                        ]
                    }
                },
            )
        if ctype == 4:
            msg = self._new_message(
                rec,
                data,
                ch,
                author_id=w.bot_user_id,
                allowed_flags=MessageFlags.EPHEMERAL
                | MessageFlags.SUPPRESS_EMBEDS
                | MessageFlags.SUPPRESS_NOTIFICATIONS
                | MessageFlags.IS_COMPONENTS_V2,
                prefix=("data",),
                interaction=inter,
                msg_type=20 if inter.interaction_type == 2 else 19,
            )
            inter.original_id = msg.id
        elif ctype == 5:
            msg = self._new_message(
                rec,
                {},
                ch,
                author_id=w.bot_user_id,
                allowed_flags=MessageFlags.EPHEMERAL,
                interaction=inter,
                force_flags=MessageFlags.LOADING
                | ((data.get("flags") or 0) & MessageFlags.EPHEMERAL),
                msg_type=20 if inter.interaction_type == 2 else 19,
            )
            inter.original_id = msg.id
        elif ctype == 6:
            inter.original_id = inter.source_message_id
        elif ctype == 7:
            target = w.messages.get(inter.source_message_id or 0)
            if target is None or target.deleted:
                raise unknown("Message", 10008)
            msg = self._edit_message(rec, target, data, ("data",))
            inter.original_id = target.id
        elif ctype == 8:
            problems = limits.check_choices(data.get("choices") or [])
            if problems:
                raise self._invalid(rec, problems, ("data",))
            inter.choices = list(data.get("choices") or [])
        elif ctype == 9:
            problems = limits.check_modal(data)
            if problems:
                raise self._invalid(rec, problems, ("data",))
            inter.modal = data
            self.fake.modals[data.get("custom_id", "")] = inter
        inter._on_callback(ctype, body)
        if msg is not None:
            self._dispatch_message("MESSAGE_CREATE" if ctype in (4, 5) else "MESSAGE_UPDATE", msg)
            self.fake._on_message(msg)
        self.fake._changed()
        if rec.query.get("with_response") not in ("1", "true", "True"):
            return None
        resp: dict[str, Any] = {
            "interaction": {
                "id": str(inter.id),
                "type": inter.interaction_type,
                "channel_id": str(inter.channel_id),
            }
        }
        if inter.guild_id is not None:
            resp["interaction"]["guild_id"] = str(inter.guild_id)
        if inter.original_id is not None:
            m = w.messages[inter.original_id]
            resp["interaction"]["response_message_id"] = str(m.id)
            resp["interaction"]["response_message_loading"] = ctype == 5
            resp["interaction"]["response_message_ephemeral"] = m.ephemeral
            if ctype in (4, 5, 7):
                resp["resource"] = {"type": ctype, "message": w.message_payload(m)}
        return resp

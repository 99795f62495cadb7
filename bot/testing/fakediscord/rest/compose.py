"""Turning a request body into a stored message, shared by channel messages, interaction
callbacks and webhooks: Discord's message limits, allowed flags, uploaded attachments
(``files[n]`` parts and the ``attachments`` list), interaction metadata, edits with history,
and the MESSAGE_CREATE / MESSAGE_UPDATE gateway events."""

from __future__ import annotations

import mimetypes
import re
import time
from typing import Any

from .. import limits
from ..interactions import InteractionResult
from ..world import FakeAttachment, FakeChannel, FakeMessage, Intents, MessageFlags
from .records import ApiError, RecordedRequest, UploadedFile
from .routing import RestBase


class MessageComposer(RestBase):
    """Builds and edits :class:`FakeMessage` objects from request payloads."""

    def _dispatch_message(self, event: str, msg: FakeMessage) -> None:
        if msg.ephemeral:
            return
        intent = Intents.GUILD_MESSAGES if msg.guild_id is not None else Intents.DIRECT_MESSAGES
        self._dispatch(event, self.world.message_event_payload(msg), msg.guild_id, intent)

    def _attachments(
        self,
        rec: RecordedRequest,
        payload: dict[str, Any],
        channel_id: int,
        existing: list[FakeAttachment],
        *,
        ephemeral: bool = False,
    ) -> list[FakeAttachment] | None:
        """New attachment list from ``attachments`` + uploaded files (``None``: unchanged)."""
        by_index: dict[str, UploadedFile] = {}
        for i, f in enumerate(rec.files):
            m = re.match(r"files\[(\d+)\]", f.field)
            by_index[m.group(1) if m else str(i)] = f
        spec = payload.get("attachments")
        if spec is None and not rec.files:
            return None

        def new(f: UploadedFile, meta: dict[str, Any]) -> FakeAttachment:
            aid = self.world.snowflakes.next()
            filename = meta.get("filename") or f.filename
            ctype = f.content_type
            if not ctype or ctype == "application/octet-stream":
                ctype = mimetypes.guess_type(filename)[0] or ctype
            att = FakeAttachment(
                id=aid,
                filename=filename,
                content=f.content,
                content_type=ctype,
                url=f"{self.world.cdn_base}/attachments/{channel_id}/{aid}/{filename}",
                description=meta.get("description"),
                ephemeral=ephemeral,
            )
            self.world.attachments[aid] = att
            return att

        if spec is None:
            return [*existing, *(new(f, {}) for f in rec.files)]
        out: list[FakeAttachment] = []
        used: set[str] = set()
        keep = {str(a.id): a for a in existing}
        for i, meta in enumerate(spec):
            aid = str(meta.get("id"))
            if aid in by_index:
                out.append(new(by_index[aid], meta))
                used.add(aid)
            elif aid in keep:
                out.append(keep[aid])
            else:
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "attachments": {
                            str(i): {
                                "_errors": [
                                    {
                                        "code": "ATTACHMENT_NOT_FOUND",
                                        "message": "Unknown attachment",
                                    }
                                ]
                            }
                        }
                    },
                )
        for idx, f in by_index.items():
            if idx not in used:
                out.append(new(f, {}))
        return out

    def _check_payload(
        self, rec: RecordedRequest, payload: dict[str, Any], prefix: tuple = ()
    ) -> None:
        problems = limits.check_message(payload, has_files=bool(rec.files))
        if problems:
            raise self._invalid(rec, problems, prefix)

    def _new_message(
        self,
        rec: RecordedRequest,
        payload: dict[str, Any],
        ch: FakeChannel,
        *,
        author_id: int,
        allowed_flags: int,
        prefix: tuple = (),
        interaction: InteractionResult | None = None,
        msg_type: int = 0,
        force_flags: int = 0,
    ) -> FakeMessage:
        self._check_payload(rec, payload, prefix)
        flags = (payload.get("flags") or 0) & allowed_flags | force_flags
        ephemeral = bool(flags & MessageFlags.EPHEMERAL)
        atts = self._attachments(rec, payload, ch.id, [], ephemeral=ephemeral) or []
        if not force_flags & MessageFlags.LOADING and limits.is_empty_message(
            payload, has_files=bool(rec.files), has_attachments=bool(atts)
        ):
            raise ApiError(400, 50006, "Cannot send an empty message")
        world = self.world
        msg = FakeMessage(
            id=world.snowflakes.next(),
            channel_id=ch.id,
            guild_id=ch.guild_id,
            author_id=author_id,
            content=payload.get("content") or "",
            embeds=list(payload.get("embeds") or []),
            components=list(payload.get("components") or []),
            attachments=atts,
            flags=flags,
            type=msg_type,
            tts=bool(payload.get("tts")),
            allowed_mentions=payload.get("allowed_mentions"),
            message_reference=payload.get("message_reference"),
        )
        if interaction is not None:
            app_id = world.application.id
            msg.webhook_id = app_id
            msg.application_id = app_id
            msg.interaction_id = interaction.id
            meta: dict[str, Any] = {
                "id": str(interaction.id),
                "type": interaction.interaction_type,
                "user": world.user_payload(interaction.user_id),
                "authorizing_integration_owners": {"0": str(interaction.guild_id or 0)},
            }
            if interaction.interaction_type == 2:
                meta["name"] = interaction.name
                meta["command_type"] = 1
            if interaction.source_message_id is not None:
                meta["interacted_message_id"] = str(interaction.source_message_id)
            msg.interaction_metadata = meta
            if ephemeral:
                msg.ephemeral_user_id = interaction.user_id
        world.messages[msg.id] = msg
        ch.message_ids.append(msg.id)
        if not ephemeral:
            ch.last_message_id = msg.id
            ch.message_count += 1
        return msg

    def _edit_message(
        self,
        rec: RecordedRequest,
        msg: FakeMessage,
        payload: dict[str, Any],
        prefix: tuple = (),
    ) -> FakeMessage:
        payload = payload or {}
        merged: dict[str, Any] = {
            "content": msg.content,
            "embeds": msg.embeds,
            "components": msg.components,
            "flags": msg.flags,
        }
        for key in ("content", "embeds", "components"):
            if key in payload:
                merged[key] = (
                    payload[key] if payload[key] is not None else ("" if key == "content" else [])
                )
        if "flags" in payload and payload["flags"] is not None:
            keep = msg.flags & (MessageFlags.EPHEMERAL | MessageFlags.IS_COMPONENTS_V2)
            merged["flags"] = (
                payload["flags"] & (MessageFlags.SUPPRESS_EMBEDS | MessageFlags.IS_COMPONENTS_V2)
            ) | keep
        self._check_payload(rec, merged, prefix)
        atts = self._attachments(
            rec, payload, msg.channel_id, msg.attachments, ephemeral=msg.ephemeral
        )
        if atts is None:
            atts = msg.attachments
        if limits.is_empty_message(merged, has_files=False, has_attachments=bool(atts)):
            raise ApiError(400, 50006, "Cannot send an empty message")
        msg.history.append(
            {
                "content": msg.content,
                "embeds": msg.embeds,
                "components": msg.components,
                "flags": msg.flags,
                "edited_at": msg.edited_at,
            }
        )
        msg.content = merged["content"]
        msg.embeds = list(merged["embeds"])
        msg.components = list(merged["components"])
        msg.flags = merged["flags"] & ~MessageFlags.LOADING
        msg.attachments = atts
        if "allowed_mentions" in payload:
            msg.allowed_mentions = payload["allowed_mentions"]
        msg.edited_at = time.time()
        msg.edit_count += 1
        return msg

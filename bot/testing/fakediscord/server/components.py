"""Using a message's components as a member: clicking a button (by ``custom_id`` or label) and
picking values in a select menu, checked as the Discord client would (visible to them,
enabled, not a link button, values allowed), sent as MESSAGE_COMPONENT interactions."""

# Timeouts are part of this test API (every wait has one), hence:
# ruff: noqa: ASYNC109

from __future__ import annotations

from typing import Any

from ..interactions import (
    FakeDiscordError,
    InteractionResult,
    InteractionType,
    OptionBuilder,
    base_payload,
    find_user,
)
from ..world import FakeMessage
from .core import FakeCore, UserRef


class ComponentHelpers(FakeCore):
    """``click`` and ``select`` of ``FakeDiscord``."""

    def _resolve_message(self, message: Any) -> FakeMessage:
        if isinstance(message, InteractionResult):
            m = message.message
            if m is None:
                raise FakeDiscordError(f"the interaction has no message to click on: {message!r}")
        elif isinstance(message, FakeMessage):
            m = message
        elif isinstance(message, int):
            m = self.world.messages.get(message)
            if m is None:
                raise FakeDiscordError(f"no message {message}")
        else:
            raise FakeDiscordError(f"not a message: {message!r}")
        if m.deleted:
            raise FakeDiscordError(f"message {m.id} was deleted")
        return m

    def _component_interaction(
        self, user: UserRef, msg: FakeMessage, component: dict[str, Any], itype: int
    ) -> tuple[InteractionResult, dict[str, Any]]:
        w = self.world
        uid = find_user(w, user)
        ch = w.channels[msg.channel_id]
        if msg.ephemeral and msg.ephemeral_user_id != uid:
            raise FakeDiscordError(
                f"message {msg.id} is ephemeral for user {msg.ephemeral_user_id}; "
                f"{w.users[uid].username} cannot see it"
            )
        if ch.is_dm:
            if ch.recipient_id != uid:
                raise FakeDiscordError(f"{w.users[uid].username} cannot see that DM")
            gid, cid = None, ch.id
        else:
            gid, cid = self._location(uid, ch.id, ch.guild_id, False)
        rec = InteractionResult(
            self,
            interaction_type=itype,
            user_id=uid,
            guild_id=gid,
            channel_id=cid,
            name=component.get("custom_id", ""),
            source_message_id=msg.id,
        )
        payload = base_payload(w, rec)
        payload["message"] = w.message_payload(msg)
        return rec, payload

    def _find_component(
        self, msg: FakeMessage, custom_id: str | None, label: str | None
    ) -> dict[str, Any]:
        comp = None
        if custom_id is not None:
            comp = msg.component(custom_id)
        elif label is not None:
            for c in msg.walk_components():
                if c.get("label") == label and c.get("type") == 2:
                    comp = c
                    break
        if comp is None:
            raise FakeDiscordError(
                f"message {msg.id} has no component {custom_id or label!r}; "
                f"custom_ids: {msg.custom_ids}, labels: {[b.get('label') for b in msg.buttons]}"
            )
        if comp.get("disabled"):
            raise FakeDiscordError(f"component {custom_id or label!r} is disabled")
        return comp

    async def click(
        self,
        user: UserRef,
        message: FakeMessage | InteractionResult | int,
        custom_id: str | None = None,
        *,
        label: str | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Click a button (by ``custom_id`` or ``label``) on a message, as ``user``."""
        msg = self._resolve_message(message)
        comp = self._find_component(msg, custom_id, label)
        if comp.get("type") != 2:
            raise FakeDiscordError(f"component {comp.get('custom_id')!r} is not a button")
        if comp.get("style") in (5, 6):
            raise FakeDiscordError("link/premium buttons do not send interactions")
        rec, payload = self._component_interaction(
            user, msg, comp, InteractionType.MESSAGE_COMPONENT
        )
        data: dict[str, Any] = {"custom_id": comp["custom_id"], "component_type": 2}
        if "id" in comp:
            data["id"] = comp["id"]
        payload["data"] = data
        return await self._send(rec, payload, wait, timeout)

    async def select(
        self,
        user: UserRef,
        message: FakeMessage | InteractionResult | int,
        custom_id: str,
        values: list[Any],
        *,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Pick ``values`` in a select menu (string values, or names/ids for entity selects)."""
        msg = self._resolve_message(message)
        comp = self._find_component(msg, custom_id, None)
        ctype = comp.get("type")
        if ctype not in (3, 5, 6, 7, 8):
            raise FakeDiscordError(f"component {custom_id!r} is not a select menu")
        lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
        if not (lo if lo is not None else 1) <= len(values) <= (hi if hi is not None else 1):
            raise FakeDiscordError(
                f"select {custom_id!r} takes {lo}..{hi} values, got {len(values)}"
            )
        rec, payload = self._component_interaction(
            user, msg, comp, InteractionType.MESSAGE_COMPONENT
        )
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": ctype}
        if ctype == 3:
            allowed = [o.get("value") for o in comp.get("options") or []]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise FakeDiscordError(
                    f"select {custom_id!r} has no option(s) {bad}; options: {allowed}"
                )
            data["values"] = list(values)
        else:
            builder = OptionBuilder(self.world, rec.guild_id, rec.user_id, rec.channel_id)
            out = []
            for v in values:
                if ctype == 5:
                    out.append(str(builder.user(v)))
                elif ctype == 6:
                    out.append(str(builder.role(v)))
                elif ctype == 8:
                    out.append(str(builder.channel(v, comp.get("channel_types"))))
                else:
                    try:
                        out.append(str(builder.user(v)))
                    except LookupError:
                        out.append(str(builder.role(v)))
            data["values"] = out
            data["resolved"] = builder.resolved
        payload["data"] = data
        return await self._send(rec, payload, wait, timeout)

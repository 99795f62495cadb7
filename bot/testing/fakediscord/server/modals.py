"""Filling and submitting a modal the bot opened, as the member it was shown to: values checked
against its fields (required, lengths, options) and the MODAL_SUBMIT interaction's components
built to mirror the modal's layout (rows, labels, text displays)."""

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
from .core import FakeCore, UserRef


def _is_file(v: Any) -> bool:
    return isinstance(v, tuple) and len(v) in (2, 3) and isinstance(v[1], bytes | str)


class ModalHelpers(FakeCore):
    """``submit_modal`` of ``FakeDiscord``."""

    async def submit_modal(
        self,
        user: UserRef,
        modal: InteractionResult | str,
        values: dict[str, Any],
        *,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Fill and submit a modal the bot opened (``values``: ``{field custom_id: value}``)."""
        src = modal if isinstance(modal, InteractionResult) else self.modals.get(modal)
        if src is None or src.modal is None:
            raise FakeDiscordError(
                f"no modal {modal!r} was opened; opened: {sorted(self.modals)}"
                if not isinstance(modal, InteractionResult)
                else f"the interaction did not open a modal: {modal!r}"
            )
        w = self.world
        uid = find_user(w, user)
        if uid != src.user_id:
            raise FakeDiscordError("only the user the modal was shown to can submit it")
        spec = src.modal
        builder = OptionBuilder(w, src.guild_id, uid, src.channel_id)
        components, used = self._modal_components(spec.get("components") or [], values, builder)
        unknown_keys = sorted(set(values) - used)
        if unknown_keys:
            raise FakeDiscordError(
                f"modal {spec.get('custom_id')!r} has no field(s) {unknown_keys}"
            )
        rec = InteractionResult(
            self,
            interaction_type=InteractionType.MODAL_SUBMIT,
            user_id=uid,
            guild_id=src.guild_id,
            channel_id=src.channel_id,
            name=spec.get("custom_id", ""),
            source_message_id=src.source_message_id,
        )
        payload = base_payload(w, rec)
        payload["data"] = {"custom_id": spec.get("custom_id"), "components": components}
        if builder.resolved:
            payload["data"]["resolved"] = builder.resolved
        if src.source_message_id is not None:
            m = w.messages.get(src.source_message_id)
            if m is not None and not m.deleted:
                payload["message"] = w.message_payload(m)
        return await self._send(rec, payload, wait, timeout)

    def _modal_components(
        self, spec: list[dict[str, Any]], values: dict[str, Any], builder: OptionBuilder
    ) -> tuple[list[dict[str, Any]], set[str]]:
        """Submitted components mirroring the modal's layout (rows, labels, text displays)."""
        used: set[str] = set()

        def as_list(v: Any) -> list[Any]:
            return list(v) if isinstance(v, list | tuple) and not _is_file(v) else [v]

        def field(c: dict[str, Any]) -> dict[str, Any]:
            cid = c.get("custom_id", "")
            t = c.get("type")
            out: dict[str, Any] = {"type": t, "custom_id": cid}
            if "id" in c:
                out["id"] = c["id"]
            given = cid in values
            if given:
                used.add(cid)
            raw = values.get(cid)
            if t == 4:  # text input
                value = "" if raw is None else str(raw)
                if not given:
                    value = c.get("value") or ""
                if c.get("required", True) and not value:
                    raise FakeDiscordError(f"modal field {cid!r} is required")
                lo, hi = c.get("min_length"), c.get("max_length")
                too_short = lo is not None and len(value) < lo
                if value and (too_short or (hi is not None and len(value) > hi)):
                    raise FakeDiscordError(
                        f"modal field {cid!r}: length {len(value)} outside [{lo}, {hi}]"
                    )
                out["value"] = value
            elif t == 3:  # string select
                vals = [str(v) for v in as_list(raw)] if given else []
                allowed = [o.get("value") for o in c.get("options") or []]
                bad = [v for v in vals if v not in allowed]
                if bad:
                    raise FakeDiscordError(f"modal select {cid!r} has no option(s) {bad}")
                out["values"] = vals
            elif t in (5, 6, 7, 8):  # entity selects
                conv = {
                    5: builder.user,
                    6: builder.role,
                    8: lambda v: builder.channel(v, c.get("channel_types")),
                }.get(t)
                ids = []
                for v in as_list(raw) if given else []:
                    if conv is not None:
                        ids.append(str(conv(v)))
                    else:
                        try:
                            ids.append(str(builder.user(v)))
                        except LookupError:
                            ids.append(str(builder.role(v)))
                out["values"] = ids
            elif t == 19:  # file upload: [(filename, bytes), ...]
                out["values"] = [
                    str(builder.attachment(v)) for v in (as_list(raw) if given else [])
                ]
            elif t == 21:  # radio group
                out["value"] = None if raw is None else str(raw)
            elif t == 22:  # checkbox group
                out["values"] = [str(v) for v in as_list(raw)] if given else []
            elif t == 23:  # checkbox
                out["value"] = bool(raw)
            return out

        result: list[dict[str, Any]] = []
        for c in spec:
            t = c.get("type")
            item: dict[str, Any]
            if t == 1:
                item = {"type": 1, "components": [field(x) for x in c.get("components") or []]}
            elif t == 18:
                item = {"type": 18, "component": field(c.get("component") or {})}
            elif t == 10:
                item = {"type": 10}
            else:
                continue
            if "id" in c:
                item["id"] = c["id"]
            result.append(item)
        return result, used

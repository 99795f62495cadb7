"""``InteractionResult``: one interaction the fake sent and everything the bot answered to it
(callback, response message, follow-ups, choices, modal), read by tests and waited on; the
REST callbacks and webhooks fill it in as the bot answers."""

# Timeouts are part of this test API (every wait has one), hence:
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import secrets
import time
from typing import TYPE_CHECKING, Any

from ..world import FakeAttachment, FakeMessage, MessageFlags
from .kinds import CallbackType, InteractionTimeout

if TYPE_CHECKING:
    from ..server.core import FakeCore


class InteractionResult:
    """One interaction sent to the bot and everything the bot did in answer to it.

    Attributes filled as the bot answers: ``type`` (callback type 4/5/6/7/8/9),
    ``callback`` (raw callback body), ``choices`` (autocomplete), ``modal`` (modal data),
    ``latency`` (seconds from dispatch to callback). ``shard`` and ``session_id``: the gateway
    session it was sent on (the guild's shard; shard 0 for a DM).
    """

    def __init__(
        self,
        fake: FakeCore,
        *,
        interaction_type: int,
        user_id: int,
        guild_id: int | None,
        channel_id: int,
        name: str,
        source_message_id: int | None = None,
    ) -> None:
        self._fake = fake
        self.id: int = fake.world.snowflakes.next()
        self.token: str = "fake-" + secrets.token_urlsafe(24)
        self.interaction_type = interaction_type
        self.user_id = user_id
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.name = name
        self.source_message_id = source_message_id
        self.payload: dict[str, Any] = {}
        self.shard: int | None = None  # the shard (and session) it was sent on
        self.session_id: str | None = None
        self.dispatched_at: float = 0.0  # created/queued by the fake (Discord's 3 s clock)
        self.sent_at: float | None = None  # frame written to the bot's socket
        self.responded_at: float | None = None
        self.type: int | None = None
        self.callback: dict[str, Any] | None = None
        self.original_id: int | None = None
        self.followup_ids: list[int] = []
        self.choices: list[dict[str, Any]] | None = None
        self.modal: dict[str, Any] | None = None
        self.rejected: list[tuple[float, int, str]] = []  # (time, status, message)
        self.touched = False  # @original edited or follow-up sent after a deferral
        loop = asyncio.get_running_loop()
        self._response: asyncio.Future[None] = loop.create_future()
        self._final: asyncio.Future[None] = loop.create_future()

    # ----- state -------------------------------------------------------------------------
    @property
    def responded(self) -> bool:
        return self.type is not None

    @property
    def deferred(self) -> bool:
        return self.type in (
            CallbackType.DEFERRED_CHANNEL_MESSAGE,
            CallbackType.DEFERRED_UPDATE_MESSAGE,
        )

    @property
    def latency(self) -> float | None:
        """Seconds from the frame reaching the bot's socket to its callback arriving.

        ``None`` before the bot answered. Queueing inside the fake is excluded; see
        :attr:`total_latency` for the time since the interaction was created.
        """
        if self.responded_at is None:
            return None
        return self.responded_at - (self.sent_at or self.dispatched_at)

    @property
    def total_latency(self) -> float | None:
        """Seconds from creation (Discord's 3 s deadline clock) to the callback."""
        if self.responded_at is None:
            return None
        return self.responded_at - self.dispatched_at

    @property
    def is_final(self) -> bool:
        return self._final.done()

    @property
    def message(self) -> FakeMessage | None:
        """The response message (for 6/7: the message the component is on), current state."""
        if self.original_id is None:
            return None
        return self._fake.world.messages.get(self.original_id)

    @property
    def followups(self) -> list[FakeMessage]:
        msgs = self._fake.world.messages
        return [msgs[i] for i in self.followup_ids if i in msgs and not msgs[i].deleted]

    @property
    def messages(self) -> list[FakeMessage]:
        """The original response message (if any) then the follow-ups."""
        m = self.message
        return ([m] if m is not None and not m.deleted else []) + self.followups

    @property
    def content(self) -> str:
        m = self.message
        return m.content if m is not None else ""

    @property
    def text(self) -> str:
        """Content + embed texts + text displays of the response message (see FakeMessage.text)."""
        m = self.message
        return m.text if m is not None else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        m = self.message
        return m.embeds if m is not None else []

    @property
    def embed(self) -> dict[str, Any]:
        """The first embed (raises ``LookupError`` when there is none)."""
        if not self.embeds:
            raise LookupError(f"response has no embed: {self!r}")
        return self.embeds[0]

    @property
    def components(self) -> list[dict[str, Any]]:
        m = self.message
        return m.components if m is not None else []

    @property
    def ephemeral(self) -> bool:
        m = self.message
        if m is not None:
            return m.ephemeral
        data = (self.callback or {}).get("data") or {}
        return bool((data.get("flags") or 0) & MessageFlags.EPHEMERAL)

    @property
    def files(self) -> dict[str, bytes]:
        m = self.message
        return m.files if m is not None else {}

    @property
    def attachments(self) -> list[FakeAttachment]:
        m = self.message
        return m.attachments if m is not None else []

    def button(self, label: str) -> dict[str, Any]:
        m = self.message
        if m is None:
            raise LookupError(f"response has no message: {self!r}")
        return m.button(label)

    def __repr__(self) -> str:
        kind = {2: "slash", 3: "component", 4: "autocomplete", 5: "modal-submit"}.get(
            self.interaction_type, str(self.interaction_type)
        )
        parts = [f"<InteractionResult {kind} {self.name!r} id={self.id}"]
        if self.type is None:
            parts.append("no response yet")
        else:
            parts.append(f"callback={self.type}")
            if self.latency is not None:
                parts.append(f"latency={self.latency * 1000:.1f}ms")
            m = self.message
            if m is not None:
                parts.append(f"ephemeral={m.ephemeral} text={m.text[:300]!r}")
            if self.followups:
                parts.append(f"followups={[f.text[:120] for f in self.followups]!r}")
            if self.modal is not None:
                parts.append(f"modal={self.modal.get('custom_id')!r}")
            if self.choices is not None:
                parts.append(f"choices={[c.get('name') for c in self.choices]!r}")
        if self.rejected:
            parts.append(f"rejected={self.rejected!r}")
        return " ".join(parts) + ">"

    # ----- waiting -----------------------------------------------------------------------
    async def wait_response(self, timeout: float | None = None) -> InteractionResult:
        """Wait until the bot called back (raises :class:`InteractionTimeout`)."""
        if timeout is None:
            timeout = self._fake.response_timeout
        try:
            await asyncio.wait_for(asyncio.shield(self._response), timeout)
        except TimeoutError:
            raise InteractionTimeout(self._timeout_message("answer", timeout)) from None
        return self

    async def wait_final(self, timeout: float | None = None) -> InteractionResult:
        """Wait for the response and, if it was deferred, for the @original edit/follow-up."""
        if timeout is None:
            timeout = self._fake.final_timeout
        start = time.monotonic()
        await self.wait_response(timeout)
        left = max(0.0, timeout - (time.monotonic() - start))
        try:
            await asyncio.wait_for(asyncio.shield(self._final), left)
        except TimeoutError:
            raise InteractionTimeout(
                self._timeout_message("complete its deferred response", timeout)
            ) from None
        return self

    def _timeout_message(self, what: str, timeout: float) -> str:
        msg = f"the bot did not {what} within {timeout:.1f}s: {self!r}"
        if self.rejected:
            msg += "; the fake rejected callbacks: " + "; ".join(
                f"{status} {text}" for _, status, text in self.rejected
            )
        tail = self._fake.process_output_tail()
        if tail:
            msg += "\n--- bot output (tail) ---\n" + tail
        return msg

    # ----- called by the REST layer ------------------------------------------------------
    def _on_callback(self, type_: int, body: dict[str, Any]) -> None:
        self.type = type_
        self.callback = body
        self.responded_at = time.monotonic()
        if type_ not in (5, 6):
            self._set_final()
        if not self._response.done():
            self._response.set_result(None)

    def _on_update(self) -> None:
        """An @original edit, a follow-up, or a deletion happened."""
        if self.type == 5:
            m = self.message
            if m is None or m.deleted or not m.loading or self.followup_ids:
                self._set_final()
        elif self.type == 6 and self.touched:
            self._set_final()

    def _set_final(self) -> None:
        if not self._final.done():
            self._final.set_result(None)

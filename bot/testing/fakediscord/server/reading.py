"""Reading what happened, for assertions: messages in a channel, DMs and ephemerals to a
member, roles, threads, scheduled events, files, synced commands, recorded requests and
callback latencies; and :meth:`~StateReading.assert_clean` (no unknown route, broken limit
or late callback)."""

from __future__ import annotations

import re
from typing import Any

from ..interactions import FakeDiscordError
from ..rest import RecordedRequest
from ..world import FakeAttachment, FakeChannel, FakeMessage, FakeScheduledEvent
from .core import ChannelRef, FakeCore, UserRef


class StateReading(FakeCore):
    """The reading helpers of ``FakeDiscord``."""

    def messages_in(
        self, channel: ChannelRef, *, include_ephemeral: bool = False
    ) -> list[FakeMessage]:
        """Live messages in a channel/thread/DM channel, oldest first."""
        return self.world.channel_messages(
            self.world.channel(channel), include_ephemeral=include_ephemeral
        )

    def last_message(self, channel: ChannelRef) -> FakeMessage | None:
        msgs = self.messages_in(channel)
        return msgs[-1] if msgs else None

    def dms_to(self, user: UserRef) -> list[FakeMessage]:
        """Messages the bot sent to ``user``'s DM channel, oldest first."""
        uid = self.world.user(user)
        cid = self.world.dm_channels.get(uid)
        if cid is None:
            return []
        return [
            m for m in self.world.channel_messages(cid) if m.author_id == self.world.bot_user_id
        ]

    def ephemerals_to(self, user: UserRef) -> list[FakeMessage]:
        uid = self.world.user(user)
        return [
            m for m in self.world.messages.values() if m.ephemeral_user_id == uid and not m.deleted
        ]

    def message(self, message_id: int) -> FakeMessage:
        try:
            return self.world.messages[message_id]
        except KeyError:
            raise FakeDiscordError(f"no message {message_id}") from None

    def member_roles(self, user: UserRef, guild: int | str | None = None) -> set[str]:
        """Role names of a member (without @everyone)."""
        return self.world.member_roles(self.world.user(user), guild)

    def threads(self, guild: int | str | None = None) -> list[FakeChannel]:
        return self.world.threads(guild)

    def thread_members(self, thread: ChannelRef) -> list[int]:
        return list(self.world.channels[self.world.channel(thread)].thread_member_ids)

    def scheduled_events(self, guild: int | str | None = None) -> list[FakeScheduledEvent]:
        g = self.world.guild(guild)
        evs = (self.world.scheduled_events[e] for e in g.scheduled_event_ids)
        return [e for e in evs if not e.deleted]

    def all_files(self) -> list[FakeAttachment]:
        """Every attachment the bot uploaded (messages, responses, follow-ups)."""
        out = []
        for m in self.world.messages.values():
            if m.author_id == self.world.bot_user_id:
                out.extend(m.attachments)
        return out

    def commands(self, guild: int | str | None = "default") -> list[dict[str, Any]]:
        """Synced commands: ``guild="default"`` the first guild's, ``None`` the global ones."""
        if guild is None:
            return list(self.world.commands.get(None, []))
        gid = self.world.guild_id if guild == "default" else self.world.guild(guild).id
        return list(self.world.commands.get(gid, []))

    def requests_to(self, method: str | None = None, path: str = ".*") -> list[RecordedRequest]:
        """Recorded requests filtered by method and a regex searched in the path."""
        rx = re.compile(path)
        return [
            r
            for r in self.requests
            if (method is None or r.method == method.upper()) and rx.search(r.path)
        ]

    def latencies(self, kind: int | None = None) -> list[float]:
        """Callback latencies (s) of answered interactions, optionally of one type (2/3/4/5)."""
        return [
            r.latency
            for r in self.interactions.values()
            if r.latency is not None and (kind is None or r.interaction_type == kind)
        ]

    def clear_records(self) -> None:
        """Forget recorded requests, unknown routes, limit violations, late callbacks."""
        self.requests.clear()
        self.unknown_routes.clear()
        self.limit_violations.clear()
        self.late_callbacks.clear()
        self.fault_hits.clear()
        self.rate_limited.clear()

    def assert_clean(self) -> None:
        """Fail if the bot hit an unknown route or broke a Discord limit."""
        problems = []
        if self.unknown_routes:
            problems.append(
                "unknown routes: " + ", ".join(f"{u.method} {u.path}" for u in self.unknown_routes)
            )
        if self.limit_violations:
            problems.append("limit violations: " + "; ".join(map(str, self.limit_violations)))
        if self.late_callbacks:
            problems.append(
                "late interaction callbacks: "
                + ", ".join(f"{i.name!r} after {t:.2f}s" for i, t in self.late_callbacks)
            )
        if problems:
            raise AssertionError("\n".join(problems))

"""Threads: create one (on its own or from a message), join, add and remove thread members,
list them, the guild's active threads and the bot's archived private threads of a channel."""

from __future__ import annotations

from typing import Any

from .. import limits
from ..world import ChannelType, FakeChannel, Intents, P, iso
from .records import ApiError, RecordedRequest, unknown
from .routing import ID, RestBase, route


class ThreadRoutes(RestBase):
    """Routes for threads and thread members."""

    def _thread_parent(self, channel_id: str) -> FakeChannel:
        ch = self._channel(channel_id)
        if ch.type not in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        return ch

    def _make_thread(
        self,
        rec: RecordedRequest,
        parent: FakeChannel,
        body: dict[str, Any],
        *,
        thread_type: int,
        thread_id: int | None = None,
    ) -> FakeChannel:
        problems: list[limits.Problem] = []
        limits.len_between(("name",), body.get("name"), 1, 100, problems)
        duration = body.get("auto_archive_duration") or 4320
        if duration not in (60, 1440, 4320, 10080):
            problems.append(
                limits.Problem(
                    ("auto_archive_duration",),
                    "BASE_TYPE_CHOICES",
                    "Value must be one of {60, 1440, 4320, 10080}.",
                )
            )
        if problems:
            raise self._invalid(rec, problems)
        need = (
            P.CREATE_PRIVATE_THREADS
            if thread_type == ChannelType.PRIVATE_THREAD
            else (P.CREATE_PUBLIC_THREADS)
        )
        self._require(parent, need)
        w = self.world
        tid = thread_id if thread_id is not None else w.snowflakes.next()
        assert parent.guild_id is not None
        th = FakeChannel(
            id=tid,
            type=thread_type,
            name=body["name"],
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=w.bot_user_id,
            invitable=bool(body.get("invitable", True)),
            auto_archive_duration=duration,
            thread_member_ids=[w.bot_user_id],
        )
        w.channels[tid] = th
        w.guilds[parent.guild_id].channel_ids.append(tid)
        data = w.channel_payload(tid)
        data["newly_created"] = True
        data["member"] = {
            "id": str(tid),
            "user_id": str(w.bot_user_id),
            "join_timestamp": iso(),
            "flags": 0,
        }
        self._dispatch("THREAD_CREATE", data, parent.guild_id, Intents.GUILDS)
        self.fake._changed()
        return th

    @route("POST", rf"/channels/{ID}/threads")
    def create_thread(self, rec: RecordedRequest, channel_id: str) -> Any:
        parent = self._thread_parent(channel_id)
        body = rec.json or {}
        ttype = int(body.get("type") or ChannelType.PRIVATE_THREAD)
        if ttype not in (
            ChannelType.PUBLIC_THREAD,
            ChannelType.PRIVATE_THREAD,
            ChannelType.ANNOUNCEMENT_THREAD,
        ):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        th = self._make_thread(rec, parent, body, thread_type=ttype)
        return 201, self.world.channel_payload(th.id)

    @route("POST", rf"/channels/{ID}/messages/{ID}/threads")
    def create_thread_from_message(
        self, rec: RecordedRequest, channel_id: str, message_id: str
    ) -> Any:
        parent = self._thread_parent(channel_id)
        msg = self._message(parent, message_id)
        if msg.thread_id is not None:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        th = self._make_thread(
            rec, parent, rec.json or {}, thread_type=ChannelType.PUBLIC_THREAD, thread_id=msg.id
        )
        msg.thread_id = th.id
        return 201, self.world.channel_payload(th.id)

    def _thread(self, channel_id: str) -> FakeChannel:
        th = self._channel(channel_id)
        if not th.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        return th

    def _thread_members_event(self, th: FakeChannel, added: list[int], removed: list[int]) -> None:
        w = self.world
        assert th.guild_id is not None
        data: dict[str, Any] = {
            "id": str(th.id),
            "guild_id": str(th.guild_id),
            "member_count": min(50, len(th.thread_member_ids)),
        }
        if added:
            data["added_members"] = [
                {
                    "id": str(th.id),
                    "user_id": str(u),
                    "join_timestamp": iso(),
                    "flags": 0,
                    "member": w.member_payload(th.guild_id, u)
                    if u in w.guilds[th.guild_id].members
                    else None,
                }
                for u in added
            ]
        if removed:
            data["removed_member_ids"] = [str(u) for u in removed]
        self._dispatch("THREAD_MEMBERS_UPDATE", data, th.guild_id, Intents.GUILD_MEMBERS)
        self.fake._changed()

    @route("PUT", rf"/channels/{ID}/thread-members/(\d+|@me)")
    def add_thread_member(self, rec: RecordedRequest, channel_id: str, user_id: str) -> Any:
        th = self._thread(channel_id)
        w = self.world
        uid = w.bot_user_id if user_id == "@me" else int(user_id)
        assert th.guild_id is not None
        if uid not in w.guilds[th.guild_id].members:
            raise unknown("Member", 10007)
        if th.archived:
            raise ApiError(400, 50083, "Thread is archived")
        if uid != w.bot_user_id:
            self._require(th, P.SEND_MESSAGES_IN_THREADS)
            if th.type == ChannelType.PRIVATE_THREAD and w.bot_user_id not in th.thread_member_ids:
                self._require(th, P.MANAGE_THREADS)
        if uid not in th.thread_member_ids:
            th.thread_member_ids.append(uid)
            self._thread_members_event(th, [uid], [])
        return None

    @route("DELETE", rf"/channels/{ID}/thread-members/(\d+|@me)")
    def remove_thread_member(self, rec: RecordedRequest, channel_id: str, user_id: str) -> Any:
        th = self._thread(channel_id)
        w = self.world
        uid = w.bot_user_id if user_id == "@me" else int(user_id)
        if uid != w.bot_user_id and th.owner_id != w.bot_user_id:
            self._require(th, P.MANAGE_THREADS)
        if uid in th.thread_member_ids:
            th.thread_member_ids.remove(uid)
            self._thread_members_event(th, [], [uid])
        return None

    @route("GET", rf"/channels/{ID}/thread-members")
    def list_thread_members(self, rec: RecordedRequest, channel_id: str) -> Any:
        th = self._thread(channel_id)
        return [
            {"id": str(th.id), "user_id": str(u), "join_timestamp": iso(), "flags": 0}
            for u in th.thread_member_ids
        ]

    @route("GET", rf"/channels/{ID}/thread-members/{ID}")
    def get_thread_member(self, rec: RecordedRequest, channel_id: str, user_id: str) -> Any:
        th = self._thread(channel_id)
        if int(user_id) not in th.thread_member_ids:
            raise unknown("Member", 10007)
        return {"id": str(th.id), "user_id": user_id, "join_timestamp": iso(), "flags": 0}

    @route("GET", rf"/guilds/{ID}/threads/active")
    def active_threads(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        w = self.world
        threads = [c for c in w.threads(g.id) if not c.archived]
        return {
            "threads": [w.channel_payload(t.id) for t in threads],
            "members": [
                {
                    "id": str(t.id),
                    "user_id": str(w.bot_user_id),
                    "join_timestamp": iso(),
                    "flags": 0,
                }
                for t in threads
                if w.bot_user_id in t.thread_member_ids
            ],
        }

    @route("GET", rf"/channels/{ID}/users/@me/threads/archived/private")
    def joined_archived_private_threads(self, rec: RecordedRequest, channel_id: str) -> Any:
        parent = self._channel(channel_id)
        w = self.world
        threads = sorted(
            (
                c
                for c in w.threads(parent.guild_id)
                if c.archived
                and c.parent_id == parent.id
                and c.type == ChannelType.PRIVATE_THREAD
                and w.bot_user_id in c.thread_member_ids
            ),
            key=lambda c: -c.id,
        )
        return {
            "threads": [w.channel_payload(t.id) for t in threads],
            "members": [
                {
                    "id": str(t.id),
                    "user_id": str(w.bot_user_id),
                    "join_timestamp": iso(),
                    "flags": 0,
                }
                for t in threads
            ],
            "has_more": False,
        }

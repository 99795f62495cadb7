"""Guild scheduled events: create, list, get, edit (with Discord's status transitions), delete
and list interested users, validated like Discord (times, entity type, location, channel)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from .. import limits
from ..world import ChannelType, FakeScheduledEvent, Intents, P
from .records import MISSING_PERMISSIONS, ApiError, RecordedRequest, unknown
from .routing import ID, RestBase, route


def _parse_time(value: Any, field_name: str) -> datetime:
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            {
                field_name: {
                    "_errors": [
                        {
                            "code": "DATE_TIME_TYPE_PARSE",
                            "message": f"Could not interpret {value!r} as date time.",
                        }
                    ]
                }
            },
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt


class ScheduledEventRoutes(RestBase):
    """Routes for guild scheduled events."""

    def _event(self, g: Any, event_id: str) -> FakeScheduledEvent:
        ev = self.world.scheduled_events.get(int(event_id))
        if ev is None or ev.deleted or ev.guild_id != g.id:
            raise unknown("Guild Scheduled Event", 10070)
        return ev

    def _validate_event(
        self, rec: RecordedRequest, body: dict[str, Any], current: FakeScheduledEvent | None
    ) -> None:
        problems: list[limits.Problem] = []
        if current is None or "name" in body:
            limits.len_between(("name",), body.get("name"), 1, 100, problems)
        if body.get("description") is not None:
            limits.max_len(("description",), body["description"], 1000, problems)
        if "privacy_level" in body and body["privacy_level"] != 2:
            problems.append(
                limits.Problem(("privacy_level",), "BASE_TYPE_CHOICES", "Value must be one of {2}.")
            )
        etype = body.get("entity_type", current.entity_type if current else None)
        if etype not in (1, 2, 3):
            problems.append(
                limits.Problem(
                    ("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}."
                )
            )
        start_raw = body.get(
            "scheduled_start_time", current.scheduled_start_time if current else None
        )
        end_raw = body.get("scheduled_end_time", current.scheduled_end_time if current else None)
        if start_raw is None:
            problems.append(
                limits.Problem(
                    ("scheduled_start_time",), "BASE_TYPE_REQUIRED", "This field is required"
                )
            )
        else:
            start = _parse_time(start_raw, "scheduled_start_time")
            if "scheduled_start_time" in body and start.timestamp() < time.time() - 1:
                problems.append(
                    limits.Problem(
                        ("scheduled_start_time",),
                        "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
                        "Cannot schedule event in the past.",
                    )
                )
            if end_raw is not None:
                end = _parse_time(end_raw, "scheduled_end_time")
                if end <= start:
                    problems.append(
                        limits.Problem(
                            ("scheduled_end_time",),
                            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
                            "End time must be after start time.",
                        )
                    )
        if etype == 3:
            meta = (
                body.get("entity_metadata")
                if "entity_metadata" in body
                else ({"location": current.location} if current else None)
            )
            loc = (meta or {}).get("location")
            limits.len_between(("entity_metadata", "location"), loc, 1, 100, problems)
            if end_raw is None:
                problems.append(
                    limits.Problem(
                        ("scheduled_end_time",),
                        "BASE_TYPE_REQUIRED",
                        "This field is required for external events.",
                    )
                )
            if body.get("channel_id"):
                problems.append(
                    limits.Problem(
                        ("channel_id",),
                        "BASE_TYPE_BAD_VALUE",
                        "External events cannot have a channel.",
                    )
                )
        elif etype in (1, 2):
            cid = body.get("channel_id", current.channel_id if current else None)
            want = ChannelType.GUILD_STAGE_VOICE if etype == 1 else ChannelType.GUILD_VOICE
            ch = self.world.channels.get(int(cid)) if cid else None
            if ch is None or ch.type != want:
                problems.append(
                    limits.Problem(
                        ("channel_id",), "BASE_TYPE_BAD_VALUE", "A voice/stage channel is required."
                    )
                )
        if problems:
            raise self._invalid(rec, problems)

    def _event_dispatch(self, event: str, ev: FakeScheduledEvent) -> None:
        self._dispatch(
            event,
            self.world.scheduled_event_payload(ev),
            ev.guild_id,
            Intents.GUILD_SCHEDULED_EVENTS,
        )
        self.fake._changed()

    @route("GET", rf"/guilds/{ID}/scheduled-events")
    def list_events(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        w = self.world
        return [
            w.scheduled_event_payload(w.scheduled_events[e])
            for e in g.scheduled_event_ids
            if not w.scheduled_events[e].deleted
        ]

    @route("POST", rf"/guilds/{ID}/scheduled-events")
    def create_event(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        perms = self.world.base_permissions(g.id, self.world.bot_user_id)
        if not perms & (P.MANAGE_EVENTS | P.CREATE_EVENTS):
            raise ApiError(*MISSING_PERMISSIONS)
        body = rec.json or {}
        self._validate_event(rec, body, None)
        live = [e for e in g.scheduled_event_ids if not self.world.scheduled_events[e].deleted]
        if len(live) >= 100:
            raise ApiError(400, 30038, "Maximum number of guild scheduled events reached (100)")
        w = self.world
        ev = FakeScheduledEvent(
            id=w.snowflakes.next(),
            guild_id=g.id,
            name=body["name"],
            scheduled_start_time=body["scheduled_start_time"],
            scheduled_end_time=body.get("scheduled_end_time"),
            description=body.get("description"),
            creator_id=w.bot_user_id,
            entity_type=body["entity_type"],
            privacy_level=body.get("privacy_level", 2),
            channel_id=int(body["channel_id"]) if body.get("channel_id") else None,
            location=(body.get("entity_metadata") or {}).get("location"),
            image=body.get("image"),
            recurrence_rule=body.get("recurrence_rule"),
        )
        w.scheduled_events[ev.id] = ev
        g.scheduled_event_ids.append(ev.id)
        self._event_dispatch("GUILD_SCHEDULED_EVENT_CREATE", ev)
        return w.scheduled_event_payload(ev)

    @route("GET", rf"/guilds/{ID}/scheduled-events/{ID}")
    def get_event(self, rec: RecordedRequest, guild_id: str, event_id: str) -> Any:
        g = self._guild(guild_id)
        return self.world.scheduled_event_payload(self._event(g, event_id))

    @route("PATCH", rf"/guilds/{ID}/scheduled-events/{ID}")
    def edit_event(self, rec: RecordedRequest, guild_id: str, event_id: str) -> Any:
        g = self._guild(guild_id)
        ev = self._event(g, event_id)
        self._require_guild(g.id, 0)
        perms = self.world.base_permissions(g.id, self.world.bot_user_id)
        if not perms & P.MANAGE_EVENTS and ev.creator_id != self.world.bot_user_id:
            raise ApiError(*MISSING_PERMISSIONS)
        body = rec.json or {}
        self._validate_event(rec, body, ev)
        if "status" in body:
            new = body["status"]
            ok = {1: (2, 4), 2: (3,)}.get(ev.status, ())
            if new != ev.status and new not in ok:
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "status": {
                            "_errors": [
                                {
                                    "code": "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                                    "message": f"Cannot go from {ev.status} to {new}.",
                                }
                            ]
                        }
                    },
                )
            ev.status = new
        for key in (
            "name",
            "description",
            "scheduled_start_time",
            "scheduled_end_time",
            "entity_type",
            "image",
            "recurrence_rule",
        ):
            if key in body:
                setattr(ev, key, body[key])
        if "channel_id" in body:
            ev.channel_id = int(body["channel_id"]) if body["channel_id"] else None
        if "entity_metadata" in body:
            ev.location = (body["entity_metadata"] or {}).get("location")
        self._event_dispatch("GUILD_SCHEDULED_EVENT_UPDATE", ev)
        return self.world.scheduled_event_payload(ev)

    @route("DELETE", rf"/guilds/{ID}/scheduled-events/{ID}")
    def delete_event(self, rec: RecordedRequest, guild_id: str, event_id: str) -> Any:
        g = self._guild(guild_id)
        ev = self._event(g, event_id)
        perms = self.world.base_permissions(g.id, self.world.bot_user_id)
        if not perms & P.MANAGE_EVENTS and ev.creator_id != self.world.bot_user_id:
            raise ApiError(*MISSING_PERMISSIONS)
        ev.deleted = True
        self._event_dispatch("GUILD_SCHEDULED_EVENT_DELETE", ev)

    @route("GET", rf"/guilds/{ID}/scheduled-events/{ID}/users")
    def event_users(self, rec: RecordedRequest, guild_id: str, event_id: str) -> Any:
        g = self._guild(guild_id)
        ev = self._event(g, event_id)
        w = self.world
        return [
            {"guild_scheduled_event_id": str(ev.id), "user": w.user_payload(u)} for u in ev.user_ids
        ]

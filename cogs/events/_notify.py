"""What events owe members: promotion, change, cancellation and reminder messages
(rendered from the outbox), and the reminder jobs that fill the outbox on time."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot import outbox
from bot.errors import NotFound
from bot.events import (
    Event,
    EventService,
    feedback_job_id,
    reminder_job_id,
    seat_release_job_id,
    ticket_filename,
    ticket_qr_png,
)
from bot.timeutil import format_offset
from cogs._common import truncate
from cogs.events._embeds import event_embed, jump_url, ts
from cogs.events._views import feedback_view

if TYPE_CHECKING:
    from cogs._app import CommunityBot

log = logging.getLogger(__name__)


def link_view(event: Event) -> discord.ui.View | None:
    url = jump_url(event)
    if url is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Open the announcement", url=url))
    return view


class EventNotices:
    def __init__(self, bot: CommunityBot, events: EventService) -> None:
        self.bot = bot
        self.events = events
        delivery = bot.delivery
        delivery.register("event.promoted", self._promoted)
        delivery.register("event.changed", self._changed)
        delivery.register("event.cancelled", self._cancelled)
        delivery.register("event.reminder", self._reminder)
        delivery.register("event.reminder.channel", self._reminder_post)
        delivery.register("event.feedback_request", self._feedback_request)
        bot.scheduler.add_rebuilder("event reminder", self.schedule)
        bot.scheduler.add_rebuilder("event feedback and seat release", self.schedule_door)

    # --- reminder jobs ------------------------------------------------------
    async def schedule(self, *, guild_id: int | None = None, event_id: int | None = None) -> int:
        """(Re)schedule the pending reminders (all, a guild's or an event's); returns how many."""
        pending = await self.events.pending_reminders(guild_id=guild_id, event_id=event_id)
        for reminder in pending:
            self.bot.scheduler.at(
                reminder_job_id(reminder.id), reminder.due_at, self.fire, reminder.id
            )
        return len(pending)

    async def unschedule(self, event_id: int) -> None:
        for reminder in await self.events.reminders(event_id):
            self.bot.scheduler.cancel(reminder_job_id(reminder.id))

    async def fire(self, reminder_id: int) -> None:
        try:
            result = await self.events.fire_reminder(reminder_id)
        except Exception:
            log.exception("reminder %s failed; it stays pending for the next start-up", reminder_id)
            return
        if result.outcome == "not_due" and result.due_at:
            self.bot.scheduler.at(
                reminder_job_id(reminder_id), result.due_at, self.fire, reminder_id
            )
        elif result.outcome == "sent":
            log.info("reminder %s: %d DM(s) queued", reminder_id, result.dms)
            self.bot.delivery.kick()

    # --- after the event: feedback requests; before it: seat releases ----------
    async def schedule_door(self, *, event_id: int | None = None) -> int:
        """(Re)schedule feedback requests and seat releases from the database."""
        jobs = await self.events.pending_feedback_requests(event_id=event_id)
        for job in jobs:
            self.bot.scheduler.at(
                feedback_job_id(job.event_id), job.due_at, self.fire_feedback, job.event_id
            )
        releases = await self.events.pending_seat_releases(event_id=event_id)
        for release in releases:
            self.schedule_release(release.event_id, release.release_at)
        return len(jobs) + len(releases)

    def schedule_release(self, event_id: int, when: int) -> None:
        self.bot.scheduler.at(seat_release_job_id(event_id), when, self.fire_release, event_id)

    async def fire_feedback(self, event_id: int) -> None:
        try:
            result = await self.events.request_feedback(event_id)
        except Exception:
            log.exception("feedback requests for event %s failed", event_id)
            return
        if result.outcome == "not_due" and result.due_at:
            self.bot.scheduler.at(
                feedback_job_id(event_id), result.due_at, self.fire_feedback, event_id
            )
        elif result.outcome == "sent":
            self.bot.delivery.kick()

    async def fire_release(self, event_id: int) -> None:
        try:
            result = await self.events.release_seats(event_id)
        except Exception:
            log.exception("seat release for event %s failed", event_id)
            return
        if result.outcome == "not_due" and result.due_at:
            self.schedule_release(event_id, result.due_at)
        elif result.outcome == "released" and result.guild_id:
            cog: Any = self.bot.get_cog("Events")
            cog.announcements.refresh_soon(event_id)
            self.bot.delivery.kick()  # promotion DMs and role changes

    # --- renderers (outbox item → message) ----------------------------------
    async def _event(self, item: outbox.OutboxItem) -> Event | None:
        try:
            return await self.events.get(item.guild_id, int(item.payload["event_id"]))
        except NotFound:
            return None

    async def _promoted(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        event = await self._event(item)
        if event is None or event.cancelled:
            return None
        seat = item.payload.get("seat")
        code = item.payload.get("code")
        title = truncate(event.title, 200)
        message: dict[str, Any] = {
            "content": f"Good news: a seat opened up and you're in for **{title}**"
            + (f" — seat {seat}." if seat else ".")
            + (f" Your ticket: **{code}** (QR attached)." if code else "")
            + " Can't make it after all? Press **Can't go** so the next person gets it.",
            "embed": event_embed(event),
            "view": link_view(event),
        }
        if code:
            message["file"] = discord.File(
                io.BytesIO(ticket_qr_png(code)), filename=ticket_filename(event.id, code)
            )
        return message

    async def _feedback_request(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        event = await self._event(item)
        if event is None or event.cancelled:
            return None
        return {
            "content": f"Thanks for coming to **{truncate(event.title, 200)}**! "
            "How was it? It takes a few seconds.",
            "view": feedback_view(event.id),
        }

    async def _changed(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        event = await self._event(item)
        if event is None or event.cancelled:
            return None
        p = item.payload
        lines = [f"**{truncate(event.title, 200)}** has changed:"]
        if p.get("old_starts_at") != p.get("new_starts_at"):
            lines.append(f"• now starts {ts(p['new_starts_at'])} (was {ts(p['old_starts_at'])})")
        if p.get("old_ends_at") != p.get("new_ends_at"):
            lines.append(f"• now ends {ts(p['new_ends_at'])} (was {ts(p['old_ends_at'])})")
        if p.get("old_venue") != p.get("new_venue"):
            lines.append(f"• venue: {truncate(p.get('new_venue') or event.city, 200)}")
        lines.append("You're still going. Can't make the new time? Press **Can't go**.")
        return {"content": "\n".join(lines), "embed": event_embed(event), "view": link_view(event)}

    async def _cancelled(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        event = await self._event(item)
        if event is None:
            return None
        reason = item.payload.get("reason")
        text = f"**{truncate(event.title, 200)}** on {ts(event.starts_at)} has been cancelled."
        if reason:
            text += f"\nReason: {truncate(reason, 1500)}"
        return {"content": text}

    async def _reminder(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        event = await self._event(item)
        if event is None or event.cancelled:
            return None
        return {
            "content": f"Reminder: **{truncate(event.title, 200)}** starts "
            f"{ts(event.starts_at, 'R')} ({ts(event.starts_at)}). "
            "Turn these DMs off with `/event reminders enabled:False`.",
            "embed": event_embed(event),
            "view": link_view(event),
        }

    async def _reminder_post(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        event = await self._event(item)
        if event is None or event.cancelled:
            return None
        role_id = item.payload.get("role_id")
        offset = format_offset(int(item.payload.get("offset_seconds", 0)))
        text = f"**{truncate(event.title, 200)}** starts {ts(event.starts_at, 'R')} (in {offset})."
        mentions = discord.AllowedMentions.none()
        if role_id:
            # The one place a ping is the point: the event's own role.
            text = f"<@&{role_id}> {text}"
            mentions = discord.AllowedMentions(roles=[discord.Object(int(role_id))])
        return {"content": text, "view": link_view(event), "allowed_mentions": mentions}

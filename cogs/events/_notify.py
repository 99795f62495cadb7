"""What events owe members and channels, rendered from the outbox: promotion, change,
cancellation, reminder DMs, the reminder post and the feedback request. Each renderer
reads its kind's typed payload (bot/events/messages.py) with `item.expect(...)`.

The online link is read when a DM is rendered, for its member, and only if they are going
then (Listings.online_link): a member who left since gets none; the channel post never."""

from __future__ import annotations

import io
from typing import Any

import discord
from discord.utils import format_dt

from bot import outbox
from bot.errors import NotFound
from bot.events import (
    Event,
    EventCancelled,
    EventChanged,
    EventPromoted,
    EventReminder,
    EventReminderPost,
    EventService,
    FeedbackRequested,
    ticket_filename,
    ticket_qr_png,
)
from bot.i18n import _
from bot.kinds import Kind
from bot.timeutil import format_offset
from cogs._common import truncate
from cogs._delivery import Deliverer
from cogs.events._embeds import event_embed, jump_url, online_line, utc
from cogs.events._views import feedback_view

Message = dict[str, Any]


def link_view(event: Event) -> discord.ui.View | None:
    url = jump_url(event)
    if url is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label=_("Open the announcement"), url=url))
    return view


class EventNotices:
    def __init__(self, events: EventService) -> None:
        self.events = events

    def register(self, deliverer: Deliverer) -> None:
        deliverer.register(Kind.EVENT_PROMOTED, self._promoted)
        deliverer.register(Kind.EVENT_CHANGED, self._changed)
        deliverer.register(Kind.EVENT_CANCELLED, self._cancelled)
        deliverer.register(Kind.EVENT_REMINDER, self._reminder)
        deliverer.register(Kind.EVENT_REMINDER_POST, self._reminder_post)
        deliverer.register(Kind.EVENT_FEEDBACK_REQUEST, self._feedback_request)

    async def _event(self, item: outbox.OutboxItem, event_id: int) -> Event | None:
        try:
            return await self.events.catalogue.get(item.guild_id, event_id)
        except NotFound:
            return None

    async def _link(self, item: outbox.OutboxItem, event: Event) -> str | None:
        """The link for this DM's member, if they are going now."""
        if item.user_id is None:
            return None  # a channel post: never the link
        return await self.events.listings.online_link(event, item.user_id)

    async def _promoted(self, item: outbox.OutboxItem) -> Message | None:
        p = item.expect(EventPromoted)
        event = await self._event(item, p.event_id)
        if event is None or event.cancelled:
            return None
        title = truncate(event.title, 200)
        if p.seat:
            news = _(
                "Good news: a seat opened up and you're in for **{title}** — seat {seat}.",
                title=title,
                seat=p.seat,
            )
        else:
            news = _("Good news: a seat opened up and you're in for **{title}**.", title=title)
        if p.code:
            news += " " + _("Your ticket: **{code}** (QR attached).", code=p.code)
        news += " " + _("Can't make it after all? Press **Can't go** so the next person gets it.")
        message: Message = {
            "content": news + online_line(await self._link(item, event)),
            "embed": event_embed(event),
            "view": link_view(event),
        }
        if p.code:
            message["file"] = discord.File(
                io.BytesIO(ticket_qr_png(p.code)), filename=ticket_filename(event.id, p.code)
            )
        return message

    async def _feedback_request(self, item: outbox.OutboxItem) -> Message | None:
        event = await self._event(item, item.expect(FeedbackRequested).event_id)
        if event is None or event.cancelled:
            return None
        return {
            "content": _(
                "Thanks for coming to **{title}**! How was it? It takes a few seconds.",
                title=truncate(event.title, 200),
            ),
            "view": feedback_view(event.id),
        }

    async def _changed(self, item: outbox.OutboxItem) -> Message | None:
        p = item.expect(EventChanged)
        event = await self._event(item, p.event_id)
        if event is None or event.cancelled:
            return None
        lines = [_("**{title}** has changed:", title=truncate(event.title, 200))]
        if p.old_starts_at != p.new_starts_at and p.new_starts_at and p.old_starts_at:
            new, old = format_dt(utc(p.new_starts_at), "F"), format_dt(utc(p.old_starts_at), "F")
            lines.append(_("• now starts {new} (was {old})", new=new, old=old))
        if p.old_ends_at != p.new_ends_at and p.new_ends_at and p.old_ends_at:
            new, old = format_dt(utc(p.new_ends_at), "F"), format_dt(utc(p.old_ends_at), "F")
            lines.append(_("• now ends {new} (was {old})", new=new, old=old))
        if p.old_venue != p.new_venue:
            lines.append(_("• venue: {venue}", venue=truncate(p.new_venue or event.city, 200)))
        if "online_url" in p.changes:
            if event.online_url is None:
                lines.append(_("• there is no online link any more"))
            elif link := await self._link(item, event):
                lines.append(_("• new online link: <{link}>", link=link))
        lines.append(_("You're still going. Can't make the new time? Press **Can't go**."))
        return {"content": "\n".join(lines), "embed": event_embed(event), "view": link_view(event)}

    async def _cancelled(self, item: outbox.OutboxItem) -> Message | None:
        p = item.expect(EventCancelled)
        event = await self._event(item, p.event_id)
        if event is None:
            return None
        text = _(
            "**{title}** on {starts} has been cancelled.",
            title=truncate(event.title, 200),
            starts=format_dt(event.starts, "F"),
        )
        if p.reason:
            text += "\n" + _("Reason: {reason}", reason=truncate(p.reason, 1500))
        return {"content": text}

    async def _reminder(self, item: outbox.OutboxItem) -> Message | None:
        event = await self._event(item, item.expect(EventReminder).event_id)
        if event is None or event.cancelled:
            return None
        return {
            "content": _(
                "Reminder: **{title}** starts {relative} ({starts}). "
                "Turn these DMs off with `/event reminders enabled:False`.",
                title=truncate(event.title, 200),
                relative=format_dt(event.starts, "R"),
                starts=format_dt(event.starts, "F"),
            )
            + online_line(await self._link(item, event)),
            "embed": event_embed(event),
            "view": link_view(event),
        }

    async def _reminder_post(self, item: outbox.OutboxItem) -> Message | None:
        p = item.expect(EventReminderPost)
        event = await self._event(item, p.event_id)
        if event is None or event.cancelled:
            return None
        offset = format_offset(int(p.offset_seconds))
        text = _(
            "**{title}** starts {relative} (in {offset}).",
            title=truncate(event.title, 200),
            relative=format_dt(event.starts, "R"),
            offset=offset,
        )
        mentions = discord.AllowedMentions.none()
        if p.role_id:
            # The one place a ping is the point: the event's own role.
            text = f"<@&{p.role_id}> {text}"
            mentions = discord.AllowedMentions(roles=[discord.Object(int(p.role_id))])
        return {"content": text, "view": link_view(event), "allowed_mentions": mentions}

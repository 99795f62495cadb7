"""The DMs mentorship owes, rendered from the outbox: one renderer per kind, each
reading its typed payload (bot/mentorship/messages.py) and what it needs from the
service for the member the DM is for. A renderer returns None when the message no
longer makes sense (the proposal was answered, the match ended): it is not sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.errors import DomainError
from bot.i18n import N_, _
from bot.kinds import Kind
from bot.mentorship import MentorshipService
from bot.mentorship.matching import explain
from bot.mentorship.messages import (
    CheckinMessage,
    DeclinedMessage,
    EndedMessage,
    ExpiredMessage,
    MatchedMessage,
    ProposalMessage,
    ReroutedMessage,
    WithdrawnMessage,
)
from bot.outbox import OutboxItem
from cogs.mentorship._embeds import at, intro_message, joined, profile_embed, request_embed
from cogs.mentorship._views import checkin_view, proposal_view

if TYPE_CHECKING:
    from cogs._delivery import Deliverer

Message = dict[str, Any] | None
Renderer = Callable[[OutboxItem], Awaitable[Message]]

# Each reason as a whole sentence (a translation orders its own words).
REROUTED = {
    "declined": N_(
        "The mentor I proposed couldn't take you on, so I've asked the next best match "
        "for you straight away. You'll get their profile in a separate message."
    ),
    "expired": N_(
        "The mentor I proposed didn't answer in time, so I've asked the next best match "
        "for you straight away. You'll get their profile in a separate message."
    ),
}
REROUTED_OTHER = N_(
    "The mentor I proposed is no longer available, so I've asked the next best match "
    "for you straight away. You'll get their profile in a separate message."
)
ENDED = {
    "mentor_left": N_(
        "Mentorship #{id} has ended: your mentor stopped mentoring. "
        "Thank you! You can ask for a new mentor with `/mentee request`."
    ),
    "data_deleted": N_(
        "Mentorship #{id} has ended: the other member removed their data. "
        "Thank you! You can ask for a new mentor with `/mentee request`."
    ),
    "member_left": N_(
        "Mentorship #{id} has ended: the other member left the server. "
        "Thank you! You can ask for a new mentor with `/mentee request`."
    ),
}
ENDED_OTHER = N_(
    "Mentorship #{id} has ended: the other side ended it. "
    "Thank you! You can ask for a new mentor with `/mentee request`."
)


class MentorshipRenderers:
    def __init__(self, service: MentorshipService) -> None:
        self.service = service

    def register(self, delivery: Deliverer) -> None:
        """Every mentorship kind's renderer, with the deliverer."""
        for kind, renderer in self.by_kind().items():
            delivery.register(kind, renderer)

    def by_kind(self) -> dict[Kind, Renderer]:
        return {
            Kind.MENTORSHIP_PROPOSAL: self.proposal,
            Kind.MENTORSHIP_REROUTED: self.rerouted,
            Kind.MENTORSHIP_NO_MENTOR: self.no_mentor,
            Kind.MENTORSHIP_DECLINED: self.declined,
            Kind.MENTORSHIP_EXPIRED: self.expired,
            Kind.MENTORSHIP_WITHDRAWN: self.withdrawn,
            Kind.MENTORSHIP_MATCHED: self.matched,
            Kind.MENTORSHIP_ENDED: self.ended,
            Kind.MENTORSHIP_CHECKIN: self.checkin,
        }

    async def proposal(self, item: OutboxItem) -> Message:
        message = item.expect(ProposalMessage)
        try:
            view = await self.service.proposals.view(message.proposal_id, item.user_id)
        except DomainError:
            return None
        proposal = view.proposal
        if proposal.status != "pending":
            return None
        reasons = "\n".join(f"• {explain(r)}" for r in proposal.reasons) or "—"
        if message.role == "mentor":
            text = _("A member would like you as their mentor. Here is what they asked for:")
            embed = request_embed(view.request) if view.request else None
        else:
            text = _("I found you a mentor! Here is their profile:")
            embed = profile_embed(view.mentor) if view.mentor else None
        due = proposal.expires_at
        text += "\n" + _(
            "**Why this match:**\n{reasons}\nAnswer by {due} ({relative}); "
            "when both of you accept, I'll introduce you.",
            reasons=reasons,
            due=at(due),
            relative=at(due, "R"),
        )
        return {"content": text, "embed": embed, "view": proposal_view(proposal.id)}

    async def rerouted(self, item: OutboxItem) -> Message:
        text = REROUTED.get(item.expect(ReroutedMessage).reason, REROUTED_OTHER)
        return {"content": _(text)}

    async def no_mentor(self, item: OutboxItem) -> Message:
        return {
            "content": _(
                "The mentor I proposed isn't available, and nobody else with a free "
                "place fits your request right now. Your request stays open for the next round."
            )
        }

    async def declined(self, item: OutboxItem) -> Message:
        return {
            "content": _(
                "The member declined mentorship proposal #{id}. Your place is free again. "
                "Thank you for offering!",
                id=item.expect(DeclinedMessage).proposal_id,
            )
        }

    async def expired(self, item: OutboxItem) -> Message:
        return {
            "content": _(
                "Mentorship proposal #{id} expired after 72 hours without both answers; "
                "the request went to another mentor.",
                id=item.expect(ExpiredMessage).proposal_id,
            )
        }

    async def withdrawn(self, item: OutboxItem) -> Message:
        message = item.expect(WithdrawnMessage)
        if message.reason == "member_left":
            text = _(
                "Mentorship proposal #{id} was withdrawn: the member left the server. "
                "Nothing to do.",
                id=message.proposal_id,
            )
        else:
            text = _(
                "Mentorship proposal #{id} was withdrawn: the member no longer needs it. "
                "Nothing to do.",
                id=message.proposal_id,
            )
        return {"content": text}

    async def matched(self, item: OutboxItem) -> Message:
        try:
            view = await self.service.matches.view(
                item.expect(MatchedMessage).match_id, item.user_id
            )
        except DomainError:
            return None
        return intro_message(view)

    async def ended(self, item: OutboxItem) -> Message:
        message = item.expect(EndedMessage)
        text = ENDED.get(message.reason, ENDED_OTHER)
        return {"content": _(text, id=message.match_id)}

    async def checkin(self, item: OutboxItem) -> Message:
        match_id = item.expect(CheckinMessage).match_id
        try:
            match = await self.service.matches.get(match_id)
        except DomainError:
            return None
        if not match.active:
            return None
        return {
            "content": _(
                "It's been two weeks of mentorship #{id} ({topics}). How is it going?",
                id=match_id,
                topics=joined(match.topics),
            ),
            "view": checkin_view(match_id),
        }

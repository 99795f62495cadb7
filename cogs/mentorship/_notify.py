"""The DMs mentorship owes, rendered from the outbox: one renderer per kind, each
reading its typed payload (bot/mentorship/messages.py) and what it needs from the
service for the member the DM is for. A renderer returns None when the message no
longer makes sense (the proposal was answered, the match ended): it is not sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.errors import DomainError
from bot.kinds import Kind
from bot.mentorship import MentorshipService
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

REROUTED_WHY = {"declined": "couldn't take you on", "expired": "didn't answer in time"}
ENDED_WHY = {
    "mentor_left": "your mentor stopped mentoring",
    "data_deleted": "the other member removed their data",
    "member_left": "the other member left the server",
}


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
        reasons = "\n".join(f"• {r}" for r in proposal.reasons) or "—"
        if message.role == "mentor":
            text = "A member would like you as their mentor. Here is what they asked for:"
            embed = request_embed(view.request) if view.request else None
        else:
            text = "I found you a mentor! Here is their profile:"
            embed = profile_embed(view.mentor) if view.mentor else None
        due = proposal.expires_at
        text += (
            f"\n**Why this match:**\n{reasons}\nAnswer by {at(due)} ({at(due, 'R')}); "
            "when both of you accept, I'll introduce you."
        )
        return {"content": text, "embed": embed, "view": proposal_view(proposal.id)}

    async def rerouted(self, item: OutboxItem) -> Message:
        why = REROUTED_WHY.get(item.expect(ReroutedMessage).reason, "is no longer available")
        return {
            "content": f"The mentor I proposed {why}, so I've asked the next best match "
            "for you straight away. You'll get their profile in a separate message."
        }

    async def no_mentor(self, item: OutboxItem) -> Message:
        return {
            "content": "The mentor I proposed isn't available, and nobody else with a free "
            "place fits your request right now. Your request stays open for the next round."
        }

    async def declined(self, item: OutboxItem) -> Message:
        return {
            "content": "The member declined mentorship proposal "
            f"#{item.expect(DeclinedMessage).proposal_id}. Your place is free again. "
            "Thank you for offering!"
        }

    async def expired(self, item: OutboxItem) -> Message:
        return {
            "content": f"Mentorship proposal #{item.expect(ExpiredMessage).proposal_id} expired "
            "after 72 hours without both answers; the request went to another mentor."
        }

    async def withdrawn(self, item: OutboxItem) -> Message:
        message = item.expect(WithdrawnMessage)
        why = (
            "the member left the server"
            if message.reason == "member_left"
            else "the member no longer needs it"
        )
        return {
            "content": f"Mentorship proposal #{message.proposal_id} was withdrawn: "
            f"{why}. Nothing to do."
        }

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
        why = ENDED_WHY.get(message.reason, "the other side ended it")
        return {
            "content": f"Mentorship #{message.match_id} has ended: {why}. "
            "Thank you! You can ask for a new mentor with `/mentee request`."
        }

    async def checkin(self, item: OutboxItem) -> Message:
        match_id = item.expect(CheckinMessage).match_id
        try:
            match = await self.service.matches.get(match_id)
        except DomainError:
            return None
        if not match.active:
            return None
        return {
            "content": f"It's been two weeks of mentorship #{match_id} "
            f"({joined(match.topics)}). How is it going?",
            "view": checkin_view(match_id),
        }

"""Mentorship: mentor profiles, requests, the matching round and the flow after it.

`MentorshipService` (service.py) is the front: it builds the feature's small parts and
hands them out by name (`service.mentors.join(...)`, `service.proposals.answer(...)`).
`matching` is the pure algorithm (no I/O, no discord) the rounds feed; `messages` holds
the typed payload of every DM the feature owes.
"""

from bot.mentorship.models import (
    AnswerOutcome,
    CheckinOutcome,
    DeletedMentorshipData,
    Due,
    ExpiryOutcome,
    Feedback,
    LeaveOutcome,
    Match,
    MatchView,
    MemberStatus,
    MenteeRequest,
    MentorProfile,
    MentorshipSettings,
    MentorshipStats,
    Proposal,
    ProposalView,
    RequestUpdate,
    Reroute,
    RoundPlan,
    RoundSummary,
    UnmatchedRequest,
)
from bot.mentorship.service import MentorshipService

__all__ = [
    "AnswerOutcome",
    "CheckinOutcome",
    "DeletedMentorshipData",
    "Due",
    "ExpiryOutcome",
    "Feedback",
    "LeaveOutcome",
    "Match",
    "MatchView",
    "MemberStatus",
    "MenteeRequest",
    "MentorProfile",
    "MentorshipService",
    "MentorshipSettings",
    "MentorshipStats",
    "Proposal",
    "ProposalView",
    "RequestUpdate",
    "Reroute",
    "RoundPlan",
    "RoundSummary",
    "UnmatchedRequest",
]

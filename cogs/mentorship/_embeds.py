"""How mentors, requests, proposals and matches look in Discord."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord
from discord.utils import format_dt

from bot.mentorship import (
    MatchView,
    MemberStatus,
    MenteeRequest,
    MentorProfile,
    MentorshipStats,
    RequestUpdate,
)
from cogs._common import column, truncate

COLOUR = discord.Colour.from_rgb(52, 168, 83)  # Google green


def joined(values: tuple[str, ...] | list[str], empty: str = "—") -> str:
    return ", ".join(values) if values else empty


def at(epoch: int, style: discord.utils.TimestampStyle = "f") -> str:
    """A Discord timestamp (`<t:1753506000:f>`): each member sees their own local time."""
    return format_dt(datetime.fromtimestamp(epoch, UTC), style)


def intro_message(view: MatchView) -> dict[str, Any]:
    """The introduction of a new pair, in their private thread or by DM to each."""
    match = view.match
    lines = [
        f"Welcome, <@{match.mentor_id}> (mentor) and <@{match.mentee_id}> (mentee)!",
        f"**Shared topics:** {truncate(joined(match.topics), 600)}",
    ]
    if view.request and view.request.goal:
        lines.append(f"**Goal:** {truncate(view.request.goal, 300)}")
    # Both name every shared topic: 25 topics of 50 characters would pass 2,000.
    lines.append(f"**A first step:** {truncate(view.first_step, 600)}")
    lines.append("End it any time with `/mentorship end`.")
    return {"content": "\n".join(lines)}


def profile_embed(profile: MentorProfile, *, title: str | None = None) -> discord.Embed:
    """A mentor's public profile (never shows requests or goals)."""
    embed = discord.Embed(title=title or "Mentor profile", colour=COLOUR)
    embed.description = f"<@{profile.user_id}>" + (
        f"\n{truncate(profile.bio, 400)}" if profile.bio else ""
    )
    embed.add_field(name="Topics", value=truncate(joined(profile.topics), 1024), inline=False)
    embed.add_field(name="City", value=profile.city or "any", inline=True)
    embed.add_field(name="Languages", value=joined(profile.languages), inline=True)
    embed.add_field(name="Mentee levels", value=joined(profile.levels), inline=True)
    places = f"{profile.free_places} of {profile.capacity}"
    if profile.status == "paused":
        places += " (paused: no new proposals)"
    embed.add_field(name="Free places", value=places, inline=True)
    return embed


def profile_answer(
    profile: MentorProfile | None, user_id: int, asker_id: int
) -> tuple[str | None, discord.Embed | None]:
    """/mentor profile and the member's **Mentor profile** menu: the public profile, with a
    sentence when there is none to show or it takes no mentees for now."""
    mine = user_id == asker_id
    who = f"<@{user_id}>"
    if profile is None:
        return (
            "You aren't a mentor here: `/mentor join` to offer."
            if mine
            else f"{who} isn't a mentor here."
        ), None
    if profile.status == "left":
        return (
            "You stopped mentoring here: `/mentor join` to come back."
            if mine
            else f"{who} isn't a mentor here any more."
        ), None
    if profile.status == "paused":
        note = (
            "Your profile is paused: no new proposals until `/mentor resume`."
            if mine
            else f"{who} has paused mentoring: no new mentees for now."
        )
        return note, profile_embed(profile)
    return None, profile_embed(profile)


def someone(user_id: int | None) -> str:
    """A member as a mention (replies ping nobody), or who they were once deleted."""
    return f"<@{user_id}>" if user_id is not None else "a former member"


def status_text(status: MemberStatus, me: int) -> str:
    """/mentorship status: the member's own profile, requests (with their goal: it is
    theirs, and the reply is theirs only), proposals and matches, each with whom."""
    lines: list[str] = []
    if status.profile:
        p = status.profile
        lines.append(f"**Mentor profile:** {p.status}, {p.free_places} of {p.capacity} free")
    for r in status.requests:
        line = f"**Request #{r.id}** ({truncate(joined(r.topics), 200)}): {r.status}"
        if r.goal:
            line += f" · your goal: {truncate(r.goal, 300 if r.is_open else 100)}"
        lines.append(line)
    for pr in status.proposals:
        role = pr.role_of(me)
        line = f"**Proposal #{pr.id}** with {someone(pr.other(me))}, your {_other(role)}: "
        answer = pr.answer_of(role) if role and pr.status == "pending" else None
        lines.append(line + pr.status + (f" (you {answer})" if answer else ""))
    for m in status.matches:
        lines.append(
            f"**Mentorship #{m.id}** with {someone(m.other(me))}, your {_other(m.role_of(me))} "
            f"({truncate(joined(m.topics), 200)}): {m.status}"
        )
    if not lines:
        return "Nothing yet: `/mentee request` or `/mentor join`."
    return column(lines, 2000)


def _other(role: str | None) -> str:
    return "mentee" if role == "mentor" else "mentor"


def request_reply(update: RequestUpdate, next_round: str) -> str:
    """The answer to /mentee request: asked, updated (and what changed), or unchanged."""
    if update.previous is None:
        return f"Got it. The next matching round is {next_round}; I'll DM you a proposal."
    if not update.changes:
        return (
            "Got it. Nothing changed: your request already said exactly this. "
            f"The next matching round is {next_round}."
        )
    changed = truncate("; ".join(update.changes), 1500)
    return (
        f"Got it. Your request is updated: {changed}. It keeps its place in the queue; "
        f"the next matching round is {next_round}."
    )


def request_embed(request: MenteeRequest, *, title: str = "Mentee request") -> discord.Embed:
    """A request with its goal: only for the mentee, the proposed mentor and organizers."""
    embed = discord.Embed(title=title, colour=COLOUR)
    embed.description = f"<@{request.user_id}>"
    embed.add_field(name="Topics", value=truncate(joined(request.topics), 1024), inline=False)
    if request.goal:
        embed.add_field(name="Goal", value=truncate(request.goal, 1024), inline=False)
    embed.add_field(name="City", value=request.city or "any", inline=True)
    embed.add_field(name="Language", value=request.language or "any", inline=True)
    embed.add_field(name="Level", value=request.level or "any", inline=True)
    return embed


def stats_embed(stats: MentorshipStats) -> discord.Embed:
    embed = discord.Embed(title="Mentorship", colour=COLOUR)
    wait = f"{stats.median_wait_days:.1f} days" if stats.median_wait_days is not None else "nobody"
    rating = f"{stats.average_rating:.1f} / 5" if stats.average_rating is not None else "none yet"
    embed.add_field(
        name="Mentors",
        value=f"{stats.active_mentors} active, {stats.paused_mentors} paused",
        inline=False,
    )
    embed.add_field(
        name="Places",
        value=f"{stats.places_free} free, {stats.places_used} used, {stats.places_held} held "
        f"by pending proposals (of {stats.places_total})",
        inline=False,
    )
    embed.add_field(
        name="Requests", value=f"{stats.open_requests} open; median wait {wait}", inline=False
    )
    embed.add_field(
        name="Proposals",
        value=f"{stats.proposals_accepted} accepted, {stats.proposals_declined} declined, "
        f"{stats.proposals_expired} expired, {stats.proposals_pending} pending",
        inline=False,
    )
    embed.add_field(
        name="Matches",
        value=f"{stats.active_matches} active, {stats.ended_matches} ended",
        inline=False,
    )
    embed.add_field(
        name="Feedback", value=f"{rating} from {stats.feedback_count} answer(s)", inline=False
    )
    return embed

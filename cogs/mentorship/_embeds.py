"""How mentors, requests, proposals and matches look in Discord."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord
from discord.utils import format_dt

from bot.i18n import N_, _
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

# The words the domain stores (statuses, roles, levels), as a member reads them.
WORDS = {
    "active": N_("active"),
    "paused": N_("paused"),
    "left": N_("left"),
    "open": N_("open"),
    "proposed": N_("proposed"),
    "matched": N_("matched"),
    "cancelled": N_("cancelled"),
    "closed": N_("closed"),
    "pending": N_("pending"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "expired": N_("expired"),
    "withdrawn": N_("withdrawn"),
    "ended": N_("ended"),
    "mentor": N_("mentor"),
    "mentee": N_("mentee"),
    "beginner": N_("beginner"),
    "intermediate": N_("intermediate"),
    "advanced": N_("advanced"),
}


def word(value: str) -> str:
    """A status, role or level the bot stores, in the reader's language."""
    return _(WORDS[value]) if value in WORDS else value


def joined(values: tuple[str, ...] | list[str], empty: str = "—") -> str:
    return ", ".join(values) if values else empty


def at(epoch: int, style: discord.utils.TimestampStyle = "f") -> str:
    """A Discord timestamp (`<t:1753506000:f>`): each member sees their own local time."""
    return format_dt(datetime.fromtimestamp(epoch, UTC), style)


def intro_message(view: MatchView) -> dict[str, Any]:
    """The introduction of a new pair, in their private thread or by DM to each."""
    match = view.match
    mentor, mentee = f"<@{match.mentor_id}>", f"<@{match.mentee_id}>"
    lines = [
        _("Welcome, {mentor} (mentor) and {mentee} (mentee)!", mentor=mentor, mentee=mentee),
        _("**Shared topics:** {topics}", topics=truncate(joined(match.topics), 600)),
    ]
    if view.request and view.request.goal:
        lines.append(_("**Goal:** {goal}", goal=truncate(view.request.goal, 300)))
    # Both name every shared topic: 25 topics of 50 characters would pass 2,000.
    lines.append(_("**A first step:** {step}", step=truncate(view.first_step, 600)))
    lines.append(_("End it any time with `/mentorship end`."))
    return {"content": "\n".join(lines)}


def profile_embed(profile: MentorProfile, *, title: str | None = None) -> discord.Embed:
    """A mentor's public profile (never shows requests or goals)."""
    embed = discord.Embed(title=title or _("Mentor profile"), colour=COLOUR)
    embed.description = f"<@{profile.user_id}>" + (
        f"\n{truncate(profile.bio, 400)}" if profile.bio else ""
    )
    embed.add_field(name=_("Topics"), value=truncate(joined(profile.topics), 1024), inline=False)
    embed.add_field(name=_("City"), value=profile.city or _("any"), inline=True)
    embed.add_field(name=_("Languages"), value=joined(profile.languages), inline=True)
    levels = [word(level) for level in profile.levels]
    embed.add_field(name=_("Mentee levels"), value=joined(levels), inline=True)
    if profile.status == "paused":
        places = _(
            "{free} of {capacity} (paused: no new proposals)",
            free=profile.free_places,
            capacity=profile.capacity,
        )
    else:
        places = _("{free} of {capacity}", free=profile.free_places, capacity=profile.capacity)
    embed.add_field(name=_("Free places"), value=places, inline=True)
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
            _("You aren't a mentor here: `/mentor join` to offer.")
            if mine
            else _("{who} isn't a mentor here.", who=who)
        ), None
    if profile.status == "left":
        return (
            _("You stopped mentoring here: `/mentor join` to come back.")
            if mine
            else _("{who} isn't a mentor here any more.", who=who)
        ), None
    if profile.status == "paused":
        note = (
            _("Your profile is paused: no new proposals until `/mentor resume`.")
            if mine
            else _("{who} has paused mentoring: no new mentees for now.", who=who)
        )
        return note, profile_embed(profile)
    return None, profile_embed(profile)


def someone(user_id: int | None) -> str:
    """A member as a mention (replies ping nobody), or who they were once deleted."""
    return f"<@{user_id}>" if user_id is not None else _("a former member")


def status_text(status: MemberStatus, me: int) -> str:
    """/mentorship status: the member's own profile, requests (with their goal: it is
    theirs, and the reply is theirs only), proposals and matches, each with whom."""
    lines: list[str] = []
    if status.profile:
        p = status.profile
        lines.append(
            _(
                "**Mentor profile:** {status}, {free} of {capacity} free",
                status=word(p.status),
                free=p.free_places,
                capacity=p.capacity,
            )
        )
    for r in status.requests:
        topics = truncate(joined(r.topics), 200)
        if r.goal:
            line = _(
                "**Request #{id}** ({topics}): {status} · your goal: {goal}",
                id=r.id,
                topics=topics,
                status=word(r.status),
                goal=truncate(r.goal, 300 if r.is_open else 100),
            )
        else:
            line = _(
                "**Request #{id}** ({topics}): {status}",
                id=r.id,
                topics=topics,
                status=word(r.status),
            )
        lines.append(line)
    for pr in status.proposals:
        role = pr.role_of(me)
        answer = pr.answer_of(role) if role and pr.status == "pending" else None
        msgid = PROPOSAL_LINE.get(answer, PROPOSAL_LINE[None])
        lines.append(
            _(
                msgid,
                id=pr.id,
                other=someone(pr.other(me)),
                role=word(_other(role)),
                status=word(pr.status),
            )
        )
    for m in status.matches:
        lines.append(
            _(
                "**Mentorship #{id}** with {other}, your {role} ({topics}): {status}",
                id=m.id,
                other=someone(m.other(me)),
                role=word(_other(m.role_of(me))),
                topics=truncate(joined(m.topics), 200),
                status=word(m.status),
            )
        )
    if not lines:
        return _("Nothing yet: `/mentee request` or `/mentor join`.")
    return column(lines, 2000)


# A proposal in /mentorship status, by the member's own answer while it is pending.
PROPOSAL_LINE = {
    None: N_("**Proposal #{id}** with {other}, your {role}: {status}"),
    "accepted": N_("**Proposal #{id}** with {other}, your {role}: {status} (you accepted)"),
    "declined": N_("**Proposal #{id}** with {other}, your {role}: {status} (you declined)"),
}


def _other(role: str | None) -> str:
    return "mentee" if role == "mentor" else "mentor"


def request_reply(update: RequestUpdate, next_round: str) -> str:
    """The answer to /mentee request: asked, updated (and what changed), or unchanged."""
    if update.previous is None:
        return _(
            "Got it. The next matching round is {next_round}; I'll DM you a proposal.",
            next_round=next_round,
        )
    if not update.changes:
        return _(
            "Got it. Nothing changed: your request already said exactly this. "
            "The next matching round is {next_round}.",
            next_round=next_round,
        )
    changed = truncate("; ".join(update.changes), 1500)
    return _(
        "Got it. Your request is updated: {changed}. It keeps its place in the queue; "
        "the next matching round is {next_round}.",
        changed=changed,
        next_round=next_round,
    )


def request_embed(request: MenteeRequest, *, title: str | None = None) -> discord.Embed:
    """A request with its goal: only for the mentee, the proposed mentor and organizers."""
    embed = discord.Embed(title=title or _("Mentee request"), colour=COLOUR)
    embed.description = f"<@{request.user_id}>"
    embed.add_field(name=_("Topics"), value=truncate(joined(request.topics), 1024), inline=False)
    if request.goal:
        embed.add_field(name=_("Goal"), value=truncate(request.goal, 1024), inline=False)
    embed.add_field(name=_("City"), value=request.city or _("any"), inline=True)
    embed.add_field(name=_("Language"), value=request.language or _("any"), inline=True)
    level = word(request.level) if request.level else _("any")
    embed.add_field(name=_("Level"), value=level, inline=True)
    return embed


def stats_embed(stats: MentorshipStats) -> discord.Embed:
    embed = discord.Embed(title=_("Mentorship"), colour=COLOUR)
    wait = (
        _("{days:.1f} days", days=stats.median_wait_days)
        if stats.median_wait_days is not None
        else _("nobody")
    )
    rating = (
        _("{rating:.1f} / 5", rating=stats.average_rating)
        if stats.average_rating is not None
        else _("none yet")
    )
    embed.add_field(
        name=_("Mentors"),
        value=_(
            "{active} active, {paused} paused",
            active=stats.active_mentors,
            paused=stats.paused_mentors,
        ),
        inline=False,
    )
    embed.add_field(
        name=_("Places"),
        value=_(
            "{free} free, {used} used, {held} held by pending proposals (of {total})",
            free=stats.places_free,
            used=stats.places_used,
            held=stats.places_held,
            total=stats.places_total,
        ),
        inline=False,
    )
    embed.add_field(
        name=_("Requests"),
        value=_("{open} open; median wait {wait}", open=stats.open_requests, wait=wait),
        inline=False,
    )
    embed.add_field(
        name=_("Proposals"),
        value=_(
            "{accepted} accepted, {declined} declined, {expired} expired, {pending} pending",
            accepted=stats.proposals_accepted,
            declined=stats.proposals_declined,
            expired=stats.proposals_expired,
            pending=stats.proposals_pending,
        ),
        inline=False,
    )
    embed.add_field(
        name=_("Matches"),
        value=_(
            "{active} active, {ended} ended",
            active=stats.active_matches,
            ended=stats.ended_matches,
        ),
        inline=False,
    )
    embed.add_field(
        name=_("Feedback"),
        value=_("{rating} from {count} answer(s)", rating=rating, count=stats.feedback_count),
        inline=False,
    )
    return embed

"""How mentors, requests, proposals and matches look in Discord."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord
from discord.utils import format_dt

from bot.mentorship import MatchView, MenteeRequest, MentorProfile, MentorshipStats
from cogs._common import truncate

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


def request_embed(request: MenteeRequest, *, title: str = "Mentee request") -> discord.Embed:
    """A request with its goal: only for the mentee, the proposed mentor and organizers."""
    embed = discord.Embed(title=title, colour=COLOUR)
    embed.description = f"<@{request.user_id}>"
    embed.add_field(name="Topics", value=truncate(joined(request.topics), 1024), inline=False)
    if request.goal:
        embed.add_field(name="Goal", value=truncate(request.goal, 1024), inline=False)
    embed.add_field(name="City", value=request.city or "any", inline=True)
    embed.add_field(name="Language", value=request.language or "any", inline=True)
    embed.add_field(name="Level", value=request.level or "—", inline=True)
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

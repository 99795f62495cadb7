"""How resources look in Discord: cards, result pages, progress bars, schedule and feed lines.

Everything here is cut to Discord's limits: a title is at most 256 characters, a
description 4,096, a field 1,024 and a whole embed 6,000 (five results of the
longest titles, links and descriptions still fit).
"""

from __future__ import annotations

from datetime import UTC, datetime

import discord
from discord.utils import TimestampStyle, format_dt

from bot.resources import Autopost, Feed, NextPick, Resource, TopicProgress
from cogs._common import truncate

COLOUR = discord.Colour.from_rgb(52, 168, 83)  # Google green
FEED_COLOUR = discord.Colour.from_rgb(251, 188, 4)  # Google yellow
WARN_COLOUR = discord.Colour.from_rgb(234, 67, 53)  # Google red
BAR_WIDTH = 10
PAGE_SIZE = 5
# One result on a page: 5 of these stay under the 4,096 of a description.
ENTRY_LIMIT = 800
SNIPPET = 160


def stamp(epoch: int, style: TimestampStyle = "F") -> str:
    """An epoch as a Discord timestamp (`<t:…:F>`, discord.utils.format_dt): every member
    sees it in their own time zone."""
    return format_dt(datetime.fromtimestamp(epoch, UTC), style)


def plain(text: str) -> str:
    """Member or feed text made inert in Markdown (no formatting, no link syntax)."""
    escaped = discord.utils.escape_markdown(text or "", as_needed=False)
    return escaped.replace("[", "\\[").replace("]", "\\]")


def link(title: str, url: str, limit: int = 300) -> str:
    """A Markdown link `[title](url)`; plain text when the URL would break the syntax."""
    text = plain(truncate(" ".join(title.split()), limit))
    if any(ch in url for ch in "()<> \n"):
        return text
    return f"[{text}]({url})"


def level_text(level: str | None) -> str:
    return level.capitalize() if level else "—"


def meta(resource: Resource) -> str:
    return f"{resource.topic or '—'} · {resource.level or '—'} · `#{resource.id}`"


def resource_embed(resource: Resource, *, footer: str | None = None) -> discord.Embed:
    """A resource's card: the title links to it; topic and level as fields."""
    embed = discord.Embed(
        title=truncate(resource.title, 256),
        url=resource.url,
        description=truncate(resource.description, 4096) or None,
        colour=COLOUR,
    )
    embed.add_field(name="Topic", value=truncate(resource.topic or "—", 1024), inline=True)
    embed.add_field(name="Level", value=level_text(resource.level), inline=True)
    embed.set_footer(text=truncate(footer or f"Resource #{resource.id}", 2048))
    return embed


def result_entry(number: int, resource: Resource) -> str:
    """One numbered result: the linked title, topic · level · id, a line of description."""
    head = f"**{number}.** {link(resource.title, resource.url)}"
    if len(resource.url) > 400:  # a very long link: keep the entry short
        head = f"**{number}.** {plain(truncate(resource.title, 200))}"
    lines = [head, meta(resource)]
    if resource.description:
        lines.append(plain(truncate(resource.description, SNIPPET)))
    return truncate("\n".join(lines), ENTRY_LIMIT)


def results_embed(
    title: str, resources: list[Resource], page: int, total: int, *, hint: str
) -> discord.Embed:
    """A page of results (`page` counts from 0), with "page x of y" in the footer."""
    pages = page_count(total)
    first = page * PAGE_SIZE + 1
    body = "\n\n".join(result_entry(first + i, r) for i, r in enumerate(resources))
    embed = discord.Embed(
        title=truncate(title, 256), description=truncate(body, 4096) or "—", colour=COLOUR
    )
    embed.set_footer(
        text=f"Page {page + 1} of {pages} · {total} resource{'s' if total != 1 else ''} · {hint}"
    )
    return embed


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """A text progress bar such as `▰▰▰▱▱▱▱▱▱▱`."""
    filled = 0 if total <= 0 else round(width * done / total)
    if done and not filled:
        filled = 1  # something done always shows
    if done < total and filled == width:
        filled = width - 1  # not finished never looks finished
    return "▰" * filled + "▱" * (width - filled)


def progress_embed(member: discord.abc.User, rows: list[TopicProgress]) -> discord.Embed:
    done = sum(r.done for r in rows)
    total = sum(r.total for r in rows)
    lines = [
        f"`{bar(r.done, r.total)}` **{plain(truncate(r.topic, 60))}** — {r.done}/{r.total}"
        for r in rows
    ]
    embed = discord.Embed(
        title=truncate(f"{member.display_name}'s learning progress", 256),
        description=truncate("\n".join(lines), 4096),
        colour=COLOUR,
    )
    embed.add_field(name="Overall", value=f"`{bar(done, total)}` {done}/{total} done", inline=False)
    embed.set_footer(text="Mark one with /resource done · get a suggestion with /resource next")
    return embed


def next_text(pick: NextPick) -> str:
    """What to say above the next resource (or instead of it)."""
    levels = " or ".join(pick.levels)
    where = f" in **{plain(pick.topic)}**" if pick.topic else ""
    if pick.resource is None:
        return (
            f"You have done everything{where} at {levels} level. Try another topic with "
            "`/resource next topic:…`, or browse with `/resource list`."
        )
    return (
        f"Next for you{where} (your level: {pick.level}). "
        f"When you've worked through it, run `/resource done resource:{pick.resource.id}`."
    )


def autopost_line(autopost: Autopost) -> str:
    topic = f", only {plain(autopost.topic)}" if autopost.topic else ""
    line = f"<#{autopost.channel_id}> — {autopost.description}{topic}"
    if autopost.paused:
        error = f": {plain(truncate(autopost.last_error or 'posts failed', 200))}"
        return (
            f"{line}\n⏸️ paused after {autopost.failures} failed posts{error} "
            "(run `/resource autopost` again for this channel to restart it)"
        )
    if autopost.next_due_at:
        line += f"\nnext post {stamp(autopost.next_due_at)} ({stamp(autopost.next_due_at, 'R')})"
    if autopost.failures:
        line += f" · {autopost.failures} failed post(s) in a row"
    return line


def feed_name(feed: Feed) -> str:
    return plain(truncate(feed.title or feed.url, 100))


def feed_health(feed: Feed) -> str:
    """ok / failing since … / disabled, with the last error."""
    error = plain(truncate(feed.last_error or "unknown error", 300))
    if feed.status == "disabled":
        return (
            f"⛔ disabled after {feed.failures} failed checks — last error: it {error}. "
            "Run `/resource feed-add` with the same address and channel to turn it back on."
        )
    if feed.status == "failing":
        since = stamp(feed.failing_since, "R") if feed.failing_since else "recently"
        return f"⚠️ failing since {since} ({feed.failures} in a row) — last error: it {error}"
    checked = f", last checked {stamp(feed.last_polled_at, 'R')}" if feed.last_polled_at else ""
    return f"✅ ok{checked}"


def feed_line(feed: Feed) -> str:
    topic = f" · {plain(feed.topic)}" if feed.topic else ""
    return (
        f"`#{feed.id}` **{feed_name(feed)}** → <#{feed.channel_id}>{topic}\n"
        f"<{feed.url}>\n{feed_health(feed)}"
    )

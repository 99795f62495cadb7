"""How resources look in Discord: cards, result pages, progress bars, schedule and feed lines.

Everything here is cut to Discord's limits: a title is at most 256 characters, a
description 4,096, a field 1,024 and a whole embed 6,000 (five results of the
longest titles, links and descriptions still fit).
"""

from __future__ import annotations

from datetime import UTC, datetime

import discord
from discord.utils import TimestampStyle, format_dt

from bot.i18n import N_, _, _n
from bot.resources import Autopost, Feed, NextPick, Resource, TopicProgress
from bot.taxonomy import level_name
from cogs._common import truncate

COLOUR = discord.Colour.from_rgb(52, 168, 83)  # Google green
FEED_COLOUR = discord.Colour.from_rgb(251, 188, 4)  # Google yellow
WARN_COLOUR = discord.Colour.from_rgb(234, 67, 53)  # Google red
BAR_WIDTH = 10
PAGE_SIZE = 5
# One result on a page: 5 of these stay under the 4,096 of a description.
ENTRY_LIMIT = 800
SNIPPET = 160
# The levels (bot/taxonomy.py LEVELS) as a label shows them; inside a sentence they are
# bot.taxonomy.level_name's.
LEVEL_LABELS = {
    "beginner": N_("Beginner"),
    "intermediate": N_("Intermediate"),
    "advanced": N_("Advanced"),
}


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
    """A level as a label ("Beginner"), in the reader's language."""
    if not level:
        return "—"
    return _(LEVEL_LABELS[level]) if level in LEVEL_LABELS else level.capitalize()


def meta(resource: Resource) -> str:
    level = level_name(resource.level) if resource.level else "—"
    return f"{resource.topic or '—'} · {level} · `#{resource.id}`"


def resource_embed(resource: Resource, *, footer: str | None = None) -> discord.Embed:
    """A resource's card: the title links to it; topic and level as fields."""
    embed = discord.Embed(
        title=truncate(resource.title, 256),
        url=resource.url,
        description=truncate(resource.description, 4096) or None,
        colour=COLOUR,
    )
    embed.add_field(name=_("Topic"), value=truncate(resource.topic or "—", 1024), inline=True)
    embed.add_field(name=_("Level"), value=level_text(resource.level), inline=True)
    embed.set_footer(text=truncate(footer or _("Resource #{id}", id=resource.id), 2048))
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
        text=_n(
            "Page {page} of {pages} · {n} resource · {hint}",
            "Page {page} of {pages} · {n} resources · {hint}",
            total,
            page=page + 1,
            pages=pages,
            n=total,
            hint=hint,
        )
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
        title=truncate(_("{name}'s learning progress", name=member.display_name), 256),
        description=truncate("\n".join(lines), 4096),
        colour=COLOUR,
    )
    # The bar stays outside the message: isolation marks would show inside its code span.
    overall = f"`{bar(done, total)}` " + _("{done}/{total} done", done=done, total=total)
    embed.add_field(name=_("Overall"), value=overall, inline=False)
    embed.set_footer(text=_("Mark one with /resource done · get a suggestion with /resource next"))
    return embed


def next_text(pick: NextPick) -> str:
    """What to say above the next resource (or instead of it)."""
    names = [level_name(lv) for lv in pick.levels]
    # The member's level and the one above it (one only at the top level).
    levels = _("{a} or {b}", a=names[0], b=names[1]) if len(names) == 2 else "".join(names[:1])
    topic = plain(pick.topic) if pick.topic else None
    if pick.resource is None:
        if topic:
            return _(
                "You have done everything in **{topic}** at {levels} level. Try another topic "
                "with `/resource next topic:…`, or browse with `/resource list`.",
                topic=topic,
                levels=levels,
            )
        return _(
            "You have done everything at {levels} level. Try another topic with "
            "`/resource next topic:…`, or browse with `/resource list`.",
            levels=levels,
        )
    level = level_name(pick.level)
    if topic:
        return _(
            "Next for you in **{topic}** (your level: {level}). When you've worked through "
            "it, run `/resource done resource:{id}`.",
            topic=topic,
            level=level,
            id=pick.resource.id,
        )
    return _(
        "Next for you (your level: {level}). When you've worked through it, run "
        "`/resource done resource:{id}`.",
        level=level,
        id=pick.resource.id,
    )


def autopost_line(autopost: Autopost) -> str:
    line = f"<#{autopost.channel_id}> — {autopost.description}"
    if autopost.topic:
        line = _(
            "<#{channel}> — {schedule}, only {topic}",
            channel=autopost.channel_id,
            schedule=autopost.description,
            topic=plain(autopost.topic),
        )
    if autopost.paused:
        error = plain(truncate(autopost.last_error or _("posts failed"), 200))
        return (
            line
            + "\n"
            + _(
                "⏸️ paused after {failures} failed posts: {error} "
                "(run `/resource autopost` again for this channel to restart it)",
                failures=autopost.failures,
                error=error,
            )
        )
    if autopost.next_due_at:
        line += "\n" + _(
            "next post {at} ({relative})",
            at=stamp(autopost.next_due_at),
            relative=stamp(autopost.next_due_at, "R"),
        )
    if autopost.failures:
        line += " · " + _("{n} failed post(s) in a row", n=autopost.failures)
    return line


def feed_name(feed: Feed) -> str:
    return plain(truncate(feed.title or feed.url, 100))


def feed_health(feed: Feed) -> str:
    """ok / failing since … / disabled, with the last error."""
    error = plain(truncate(feed.last_error or _("unknown error"), 300))
    if feed.status == "disabled":
        return _(
            "⛔ disabled after {failures} failed checks — last error: it {error}. "
            "Run `/resource feed-add` with the same address and channel to turn it back on.",
            failures=feed.failures,
            error=error,
        )
    if feed.status == "failing":
        if feed.failing_since:
            return _(
                "⚠️ failing since {since} ({failures} in a row) — last error: it {error}",
                since=stamp(feed.failing_since, "R"),
                failures=feed.failures,
                error=error,
            )
        return _(
            "⚠️ failing since recently ({failures} in a row) — last error: it {error}",
            failures=feed.failures,
            error=error,
        )
    if feed.last_polled_at:
        return _("✅ ok, last checked {when}", when=stamp(feed.last_polled_at, "R"))
    return _("✅ ok")


def feed_line(feed: Feed) -> str:
    topic = f" · {plain(feed.topic)}" if feed.topic else ""
    return (
        f"`#{feed.id}` **{feed_name(feed)}** → <#{feed.channel_id}>{topic}\n"
        f"<{feed.url}>\n{feed_health(feed)}"
    )

"""What organizers download: the attendee list as CSV, the feedback as text. Pure."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from bot.events.models import Attendee, FeedbackSummary
from bot.i18n import _

CSV_HEADER = (
    "member_id",
    "display_name",
    "status",
    "rsvp_time",
    "waitlist_position",
    "standing",
    "checked_in",
)
# Spreadsheets run cells starting with these as formulas; display names are member-chosen.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def question_columns(rows: Sequence[Attendee], questions: Sequence[str] = ()) -> list[str]:
    """The event's current questions, then any earlier question someone answered (the
    questions were edited after they registered), in the order first met."""
    columns = list(questions)
    seen = set(columns)
    for row in rows:
        for question, _answer in row.answers:
            if question not in seen:
                seen.add(question)
                columns.append(question)
    return columns


def attendees_csv(
    rows: Iterable[Attendee], names: Mapping[int, str], questions: Sequence[str] = ()
) -> str:
    """CSV text: one row per attendee in the given order; unknown names are left empty.
    Columns: CSV_HEADER, then one per question (header = the question, see
    question_columns); `checked_in` is an ISO 8601 UTC time or empty; `standing` is good or
    poor under the guild's no-show policy."""
    rows = list(rows)
    columns = question_columns(rows, questions)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow((*CSV_HEADER, *map(_safe_cell, columns)))
    for row in rows:
        answers = dict(row.answers)
        writer.writerow(
            (
                str(row.user_id),
                _safe_cell(names.get(row.user_id, "")),
                row.status,
                row.rsvp_time,
                "" if row.position is None else str(row.position),
                row.standing,
                row.checked_in or "",
                *(_safe_cell(answers.get(q, "")) for q in columns),
            )
        )
    return out.getvalue()


def _when(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def feedback_report(summary: FeedbackSummary) -> str:
    """Plain text for the `/event feedback` attachment: the figures, then every comment
    (anonymous) with its rating."""
    event = summary.event
    lines = [
        _(
            "Feedback on “{title}” (#{event_id}), {when}",
            title=event.title,
            event_id=event.id,
            when=_when(event.starts_at),
        ),
        "",
    ]
    if not summary.count:
        lines.append(_("No feedback yet."))
        return "\n".join(lines) + "\n"
    lines.append(
        _(
            "Ratings: {count}, average {average:.2f} of 5",
            count=summary.count,
            average=summary.average,
        )
    )
    for rating in range(5, 0, -1):
        count = summary.distribution[rating]
        lines.append(f"  {rating}: {'#' * count} {count}")
    lines += ["", _("Comments ({n})", n=len(summary.comments))]
    for c in summary.comments:
        lines += ["", f"[{c.rating}/5, {_when(c.created_at)}]", c.comment]
    return "\n".join(lines) + "\n"

"""The check-in curve of /event stats as a picture: a PNG and the words that describe it
(the attachment's alt text), from `EventStats` alone. No Discord here: the cog attaches it.

Two panels over one time axis, in the guild's zone: above, everyone checked in so far
(seat holders and walk-ins stacked) against a dashed line at the number going; below,
check-ins per 15-minute slot, stacked the same way. A dotted line marks the start.
Nobody checked in yet → no chart (the stats say so in words).

matplotlib is imported only when a chart is drawn, so the bot starts as fast as before.
Each drawing is a `Figure` of its own on the Agg canvas, never pyplot's global state, so
the cog can draw in a worker thread (`asyncio.to_thread`: it takes CPU) while the event
loop goes on. The event's title, which an organizer typed, is drawn as plain text, never
read as matplotlib's `$math$`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from bot.events.models import CURVE_SLOT, EventStats
from bot.i18n import _, _n

SIZE = (8.0, 4.5)  # inches, at DPI: 800 × 450 pixels
DPI = 100
MAX_ALT_TEXT = 1024  # Discord's limit on an attachment's description
MAX_TITLE = 80  # characters of the event's title in the picture
SEATED = "#4285F4"  # Google's blue, as on the announcement card
WALK_IN = "#FBBC04"
GOING = "#34A853"
START = "#5F6368"


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt_text: str  # what the picture shows, in words (at most MAX_ALT_TEXT characters)
    filename: str


@dataclass(frozen=True)
class _Series:
    """The curve split for drawing: per slot and so far, seat holders and walk-ins."""

    starts: tuple[int, ...]  # each slot's start, epoch seconds
    seated: tuple[int, ...]
    walk_ins: tuple[int, ...]

    @classmethod
    def of(cls, stats: EventStats) -> _Series:
        walk_ins = stats.curve_walk_ins or (0,) * len(stats.curve)
        return cls(
            tuple(slot for slot, _ in stats.curve),
            tuple(n - w for (_, n), w in zip(stats.curve, walk_ins, strict=True)),
            tuple(walk_ins),
        )

    @property
    def edges(self) -> tuple[int, ...]:
        return (*self.starts, self.starts[-1] + CURVE_SLOT)

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(s + w for s, w in zip(self.seated, self.walk_ins, strict=True))


def checkin_chart(stats: EventStats, tz: ZoneInfo) -> Chart | None:
    """The chart of the event's check-ins, or None when nobody has checked in yet.
    Takes CPU (tens of milliseconds, more on the first call, which imports matplotlib):
    call it off the event loop."""
    if not stats.curve:
        return None
    return Chart(_draw(stats, tz), describe(stats, tz), f"event-{stats.event.id}-checkins.png")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(stats: EventStats, tz: ZoneInfo) -> str:
    """The picture in words: the span, the totals against the number going, the busiest
    slot and how the panels are laid out."""
    series = _Series.of(stats)
    first, end = (datetime.fromtimestamp(e, tz) for e in (series.edges[0], series.edges[-1]))
    totals = series.totals
    peak = max(range(len(totals)), key=lambda i: (totals[i], -i))  # the earliest busiest
    peak_from = datetime.fromtimestamp(series.starts[peak], tz)
    peak_to = datetime.fromtimestamp(series.starts[peak] + CURVE_SLOT, tz)
    if first.date() == (end - timedelta(seconds=1)).date():
        span = _(
            "{date}, {start} to {end}",
            date=first.strftime("%d %b %Y"),
            start=first.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
        )
        busiest = _(
            "{start} to {end}", start=peak_from.strftime("%H:%M"), end=peak_to.strftime("%H:%M")
        )
    else:  # check-ins on several days (an organizer may check in at any time)
        span = _(
            "{start} to {end}",
            start=first.strftime("%d %b %Y %H:%M"),
            end=end.strftime("%d %b %Y %H:%M"),
        )
        busiest = _(
            "{start} to {end}",
            start=peak_from.strftime("%d %b %H:%M"),
            end=peak_to.strftime("%H:%M"),
        )
    walk_ins = sum(series.walk_ins)
    sentences = (
        _(
            "Chart of the check-ins at “{title}”, {span} ({zone}).",
            title=_clip(stats.event.title, MAX_TITLE),
            span=span,
            zone=tz.key,
        ),
        _n(
            "{total} checked in ({seated} with a seat, {walk_ins} walk-in) of {going} going.",
            "{total} checked in ({seated} with a seat, {walk_ins} walk-ins) of {going} going.",
            walk_ins,
            total=sum(totals),
            seated=sum(series.seated),
            walk_ins=walk_ins,
            going=stats.going,
        ),
        _n(
            "Busiest 15 minutes: {busiest}, {n} check-in.",
            "Busiest 15 minutes: {busiest}, {n} check-ins.",
            totals[peak],
            busiest=busiest,
            n=totals[peak],
        ),
        _(
            "Top: checked in so far, walk-ins stacked on seat holders, against a dashed line "
            "at the number going. Bottom: check-ins per 15 minutes. A dotted line marks the "
            "start."
        ),
    )
    return _clip(" ".join(sentences), MAX_ALT_TEXT)


def _draw(stats: EventStats, tz: ZoneInfo) -> bytes:
    # Imported here, when a chart is drawn: matplotlib takes a while to import.
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    # A title in a script the bundled font lacks draws boxes; saying so on every draw helps no one.
    warnings.filterwarnings(
        "ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning
    )

    series = _Series.of(stats)
    x = [float(v) for v in date2num([datetime.fromtimestamp(e, UTC) for e in series.edges])]
    lefts, width = x[:-1], CURVE_SLOT / 86400  # date units are days
    seated_so_far = list(accumulate(series.seated))
    total_so_far = list(accumulate(series.totals))
    start = float(date2num(stats.event.starts))

    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    fig.suptitle(f"Check-ins: {_clip(stats.event.title, MAX_TITLE)}", parse_math=False, fontsize=12)

    top.stairs(seated_so_far, x, fill=True, color=SEATED, label="with a seat")
    top.stairs(total_so_far, x, baseline=seated_so_far, fill=True, color=WALK_IN, label="walk-ins")
    top.axhline(stats.going, color=GOING, linestyle="--", label=f"going ({stats.going})")
    top.set_ylim(0, max(stats.going, total_so_far[-1], 1) * 1.15)
    # i18n: not translated
    top.set_ylabel("checked in so far")  # drawn in the image: its font has no Urdu script
    top.legend(loc="upper left", fontsize=8)

    bottom.bar(lefts, series.seated, width=width, align="edge", color=SEATED)
    bottom.bar(
        lefts, series.walk_ins, width=width, align="edge", color=WALK_IN, bottom=series.seated
    )
    bottom.set_ylim(0, max(series.totals) * 1.15)
    bottom.set_ylabel("per 15 minutes")
    # The start in view, and a slot's room either side of what is drawn.
    bottom.set_xlim(min(x[0], start) - width, max(x[-1], start) + width)

    for ax in (top, bottom):
        ax.axvline(start, color=START, linestyle=":", linewidth=1.2)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    top.annotate(
        "start",
        (start, 1),
        xycoords=("data", "axes fraction"),
        xytext=(3, -12),
        textcoords="offset points",
        fontsize=8,
        color=START,
    )
    locator = AutoDateLocator(tz=tz, minticks=3, maxticks=8)
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=tz))
    bottom.set_xlabel(f"time ({tz.key})")

    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()

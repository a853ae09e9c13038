"""The timeline page (vector drawing) and the outtakes contact sheet.

The timeline has one row per fact (each shoot, our listing, each accused listing,
the notice, each deadline) on a shared time axis, so labels never collide however
close the dates are. Intervals are labelled in words: "our earliest matched
original was captured 214 days before the complainant's listing was first seen".
An original captured after a listing was first seen is drawn in red and said so,
never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Spacer

from appeal_kit.dossier.bilingual import (
    Versions,
    fact_versions,
    first,
    joined,
    moment,
    para,
    paragraphs,
    phrase,
    words,
)
from appeal_kit.dossier.blocks import part_heading
from appeal_kit.dossier.rules import calendar_days, confirmed_originals, roles_for
from appeal_kit.dossier.style import (
    ACCENT,
    ALARM,
    BODY,
    BOLD,
    CAUTION,
    CJK,
    GOOD,
    MUTED,
    RULE,
    SHADE,
    short_url,
    split_runs,
)
from appeal_kit.i18n.document import (
    N_,
    TextLang,
    format_day,
    text_langs,
    translate,
    zone_name,
)

if TYPE_CHECKING:
    from appeal_kit.dossier.state import RenderState

ROW_H = 34.0
MAX_ROWS = 18


@dataclass
class Row:
    """One line of the timeline."""

    label: str
    start: datetime
    end: datetime | None = None
    note: str = ""
    colour: colors.Color = ACCENT
    # An interval drawn on this row from ``since`` to ``start``, with its words.
    since: datetime | None = None
    interval: str = ""
    interval_colour: colors.Color = MUTED


def aware(value: datetime, assume: tzinfo) -> datetime:
    """``value`` with an offset (naive camera times are read in ``assume``), in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=assume)
    return value.astimezone(UTC)


def _shoot_attr(shoot: Any, name: str, default: Any = None) -> Any:
    return getattr(shoot, name, default)


def timeline_rows(state: RenderState) -> tuple[list[Row], list[Versions]]:
    """The rows to draw and the same facts as sentences (searchable text)."""
    content = state.content
    case = content.case
    assume = state.local_tz or state.platform_tz or UTC
    rows: list[Row] = []
    sentences: list[Versions] = []
    found = content.facts
    roles = roles_for(case)
    listing_words = first(state, roles.listing)
    # The same originals and the same day-count rule as the statement's facts.
    # Confirmed matches only: with none, no "captured N days before" line is drawn.
    matched = confirmed_originals(content.matches)
    pool = [m for m in content.originals if m.path in matched]
    raw = [m.captured_at for m in pool if m.captured_at is not None]
    earliest_raw = (
        min(raw, key=found.rule.at if found is not None else lambda v: aware(v, assume))
        if raw
        else None
    )
    captures = sorted(aware(t, assume) for t in raw)

    def days(earlier: datetime, later: datetime) -> int:
        if found is not None:
            return found.rule.days(earlier, later)
        return calendar_days(earlier, later)

    shoots = list(content.shoots)
    for shoot in shoots:
        start, end = _shoot_attr(shoot, "start"), _shoot_attr(shoot, "end")
        if start is None:
            continue
        frames = _shoot_attr(shoot, "frames", []) or []
        index = _shoot_attr(shoot, "index", len(rows) + 1)
        # The camera with its whole serial (a cut serial reads as a different body).
        camera = _shoot_attr(shoot, "camera", None) or first(state, N_("camera not recorded"))
        serial = _shoot_attr(shoot, "serial", None)
        label = first(
            state,
            N_("{camera} serial {serial}; {count} frames")
            if serial
            else N_("{camera}; {count} frames"),
            camera=camera,
            serial=serial or "",
            count=f"{len(frames):,}",
        )
        rows.append(
            Row(
                label=joined(state, N_("Shoot {index}"), sep="\n", index=index),
                start=aware(start, assume),
                end=aware(end or start, assume),
                note=label,
                colour=GOOD,
            )
        )
    if not shoots and captures:
        rows.append(
            Row(
                label=joined(state, N_("Our originals"), sep="\n"),
                start=captures[0],
                end=captures[-1],
                note=first(state, N_("{count} capture times"), count=f"{len(captures):,}"),
                colour=GOOD,
            )
        )
    if case.own_listing_date is not None:
        own = Row(
            joined(state, N_("Our own listing live"), sep="\n"),
            aware(case.own_listing_date, assume),
            note=short_url(case.own_listing_url),
            colour=ACCENT,
        )
        first_seen = case.first_seen()
        if first_seen is not None:
            lead = days(case.own_listing_date, first_seen)
            own.since = aware(first_seen, assume)
            own.interval = first(
                state,
                N_("live {count} days before {listing} was first seen")
                if lead >= 0
                else N_("live {count} days AFTER {listing} was first seen"),
                count=abs(lead),
                listing=listing_words,
            )
            own.interval_colour = GOOD if lead >= 0 else CAUTION
        rows.append(own)
    for number, listing in enumerate(case.accused_listings, start=1):
        if listing.first_seen is None:
            continue
        seen = aware(listing.first_seen, assume)
        suffix = f" {number}" if len(case.accused_listings) > 1 else ""
        label = "\n".join(text + suffix for _, text in words(state, roles.listing_label))
        row = Row(
            label,
            seen,
            note=first(state, N_("first seen; {url}"), url=short_url(listing.url)),
            colour=CAUTION,
        )
        if captures and earliest_raw is not None:
            lead = days(earliest_raw, listing.first_seen)
            after = [t for t in captures if t > seen]
            row.since = captures[0]
            # Drawn on their row (one interval per listing), so it names whose capture it
            # is: "captured ... before" alone reads as if their photo had been captured.
            row.interval = first(
                state,
                N_(
                    "our earliest matched original was captured {count} days before {listing} was "
                    "first seen"
                )
                if lead >= 0
                else N_(
                    "our earliest matched original was captured {count} days AFTER {listing} was "
                    "first seen"
                ),
                count=abs(lead),
                listing=listing_words,
            )
            row.interval_colour = GOOD if lead >= 0 else ALARM
            if after:
                sentences.append(
                    words(
                        state,
                        N_(
                            "1 matched original was captured after {listing} was first seen "
                            "({earliest}); it is shown as it is."
                        )
                        if len(after) == 1
                        else N_(
                            "{count} matched originals were captured after {listing} was first "
                            "seen ({earliest} is the earliest of them); they are shown as they are."
                        ),
                        count=len(after),
                        listing=phrase(roles.listing),
                        earliest=moment(after[0], content.platform_timezone),
                    )
                )
                row.note += "; " + first(
                    state,
                    N_("1 original captured after this date")
                    if len(after) == 1
                    else N_("{count} originals captured after this date"),
                    count=len(after),
                )
                row.colour = ALARM
        rows.append(row)
    if case.notice_received is not None:
        rows.append(
            Row(
                joined(state, N_("Notice received"), sep="\n"),
                aware(case.notice_received, assume),
                note=first(state, N_("penalty notice")),
                colour=MUTED,
            )
        )
    for deadline in sorted(content.deadlines, key=lambda d: (d.due, d.name)):
        start = aware(deadline.earliest, assume) if deadline.earliest else None
        due = aware(deadline.due, assume)
        rows.append(
            Row(
                joined(state, deadline.label or deadline.name, sep="\n"),
                start or due,
                end=due if start else None,
                note=first(
                    state, N_("due {time}"), time=moment(deadline.due, content.platform_timezone)
                ),
                colour=ACCENT,
            )
        )
    # The intervals in words: the statement's own sentences, so the two never disagree.
    if found is not None:
        stated = [found.get(key) for key in ("listing-before", "captured-before", "time-rule")]
        sentences = [
            fact_versions(state, f) for f in stated if f is not None and f.sentence
        ] + sentences
    return rows[:MAX_ROWS], sentences


def _ticks(start: datetime, end: datetime, tz: tzinfo) -> tuple[list[datetime], str]:
    """Tick times (midnights in ``tz``) and their ``strftime`` format, about eight at most."""
    start, end = start.astimezone(tz), end.astimezone(tz)
    span = (end - start).days
    if span > 3 * 365:
        years = list(range(start.year + 1, end.year + 1))
        step = max(1, len(years) // 8 + 1)
        return [datetime(y, 1, 1, tzinfo=tz) for y in years[::step]], "%Y"
    if span > 60:
        months: list[datetime] = []
        cursor = datetime(start.year, start.month, 1, tzinfo=tz)
        while cursor <= end:
            if cursor >= start:
                months.append(cursor)
            cursor = datetime(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1, tzinfo=tz)
        step = max(1, (len(months) + 7) // 8)
        return months[::step], "%b %Y"
    day = timedelta(days=1)
    first = datetime(start.year, start.month, start.day, tzinfo=tz) + day
    days = []
    while first <= end:
        days.append(first)
        first += day
    step = max(1, (len(days) + 7) // 8)
    return days[::step], "%d %b"


def _two_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` on one line, or broken at a space onto two (``_string`` shrinks what is left)."""
    if "\n" in text:  # a label in two languages: Chinese above English
        return text.split("\n", 1)
    if _width(text, font, size) <= width or " " not in text:
        return [text]
    words = text.split(" ")
    first = words[0]
    for count in range(1, len(words)):
        candidate = " ".join(words[:count])
        if _width(candidate, font, size) > width:
            break
        first = candidate
    return [first, text[len(first) :].strip()]


# Labels shrink to fit their room down to this size, then wrap; they are never cut.
MIN_LABEL_SIZE = 5.0


def _fit_size(text: str, font: str, size: float, width: float) -> float:
    """The largest size up to ``size`` at which ``text`` fits ``width`` (at least the minimum)."""
    natural = float(_width(text, font, size))
    if natural <= width:
        return size
    return max(MIN_LABEL_SIZE, size * width / natural)


def _width(text: str, font: str, size: float) -> float:
    """Width of ``text`` with Chinese runs in the CJK face (it has no Latin letters or digits)."""
    return float(sum(stringWidth(t, CJK if f else font, size) for t, f in split_runs(text)))


def _string(
    x: float,
    y: float,
    text: str,
    *,
    size: float,
    bold: bool = False,
    colour: colors.Color = colors.black,
    anchor: str = "start",
    width: float | None = None,
) -> Group:
    """Text in Vera with Chinese runs in the CJK face, whole: smaller, or on two lines, never cut."""
    font = BOLD if bold else BODY
    lines = [text]
    if width is not None:
        size = _fit_size(text, font, size, width)
        if _width(text, font, size) > width and (" " in text or "\n" in text):
            lines = _two_lines(text, font, size, width)
            size = min(_fit_size(line, font, size, width) for line in lines)
    group = Group()
    for number, line in enumerate(lines):
        # Each run in its own face: Droid Sans Fallback draws no digits or Latin letters.
        left = x - {"start": 0.0, "middle": 0.5, "end": 1.0}.get(anchor, 0.0) * _width(
            line, font, size
        )
        for run, cjk in split_runs(line):
            face = CJK if cjk else font
            group.add(
                String(
                    left,
                    y - number * size * 1.15,
                    run,
                    fontName=face,
                    fontSize=size,
                    fillColor=colour,
                    textAnchor="start",
                )
            )
            left += stringWidth(run, face, size)
    return group


def timeline_drawing(
    rows: list[Row], width: float, tz: tzinfo, *, row_h: float = ROW_H, lang: TextLang = "en"
) -> Drawing:
    """Rows on a shared time axis: bars for spans, diamonds for moments; dates in ``tz``.

    Dates on the axis and under the rows are written as ``lang`` writes them.
    """
    label_w = width * 0.24
    x0, x1 = label_w + 8, width - 6
    axis_h = 22.0
    height = axis_h + row_h * len(rows) + 8
    drawing = Drawing(width, height)
    times = [t for r in rows for t in (r.start, r.end, r.since) if t is not None]
    lo, hi = min(times), max(times)
    if hi - lo < timedelta(days=1):
        lo, hi = lo - timedelta(hours=12), hi + timedelta(hours=12)
    pad = (hi - lo) * 0.04
    lo, hi = lo - pad, hi + pad
    total = (hi - lo).total_seconds()

    def xpos(t: datetime) -> float:
        return x0 + (t - lo).total_seconds() / total * (x1 - x0)

    ticks, fmt = _ticks(lo, hi, tz)
    for number, tick in enumerate(ticks):
        x = xpos(tick)
        drawing.add(Line(x, axis_h, x, height - 4, strokeColor=SHADE, strokeWidth=0.6))
        text = _tick_text(tick, fmt, lang, first=number == 0)
        half = _width(text, BODY, 7) / 2
        # The last (or first) tick label ends at the drawing's edge instead of running past it.
        anchor, at = "middle", x
        if x + half > width:
            anchor, at = "end", width
        elif x - half < x0 - 8:
            anchor, at = "start", x0 - 8
        drawing.add(_string(at, axis_h - 12, text, size=7, colour=MUTED, anchor=anchor))
    drawing.add(Line(x0, axis_h, x1, axis_h, strokeColor=RULE, strokeWidth=0.8))
    middle = (x0 + x1) / 2
    for number, row in enumerate(rows):
        y = height - 8 - row_h * (number + 0.5)
        if number % 2 == 0:
            drawing.add(
                Rect(
                    0,
                    y - row_h / 2,
                    width,
                    row_h,
                    fillColor=colors.Color(0.97, 0.975, 0.98),
                    strokeColor=None,
                )
            )
        label_lines = _two_lines(row.label, BOLD, 8, label_w - 4)
        for line_number, line in enumerate(label_lines):
            baseline = y - 3 + (len(label_lines) - 1) * 5 - line_number * 10
            drawing.add(
                _string(
                    2, baseline, line, size=8, bold=True, colour=colors.black, width=label_w - 4
                )
            )
        x_start = xpos(row.start)
        if row.since is not None and row.interval:
            x_since = xpos(row.since)
            drawing.add(
                Line(
                    x_since,
                    y,
                    x_start,
                    y,
                    strokeColor=row.interval_colour,
                    strokeWidth=0.9,
                    strokeDashArray=[3, 2],
                )
            )
            centre = min(max((x_since + x_start) / 2, x0 + 80), x1 - 80)
            drawing.add(
                _string(
                    centre,
                    y + 4,
                    row.interval,
                    size=6.8,
                    colour=row.interval_colour,
                    anchor="middle",
                    width=x1 - x0,
                )
            )
        if row.end is not None and row.end > row.start:
            x_end = xpos(row.end)
            drawing.add(
                Rect(
                    x_start,
                    y - 3.5,
                    max(2.5, x_end - x_start),
                    7,
                    fillColor=row.colour,
                    strokeColor=None,
                )
            )
            anchor_x = x_end
        else:
            size = 4.0
            from reportlab.graphics.shapes import Polygon

            drawing.add(
                Polygon(
                    [x_start - size, y, x_start, y + size, x_start + size, y, x_start, y - size],
                    fillColor=row.colour,
                    strokeColor=None,
                )
            )
            anchor_x = x_start
        date_text = _span_text(row, tz, lang)
        note = f"{date_text} — {row.note}" if row.note else date_text
        if anchor_x <= middle:
            drawing.add(
                _string(
                    x_start - 2 if row.end else anchor_x - 2,
                    y - 13,
                    note,
                    size=6.8,
                    colour=MUTED,
                    width=x1 - anchor_x,
                )
            )
        else:
            drawing.add(
                _string(
                    anchor_x + 2,
                    y - 13,
                    note,
                    size=6.8,
                    colour=MUTED,
                    anchor="end",
                    width=anchor_x - x0,
                )
            )
    return drawing


def _tick_text(tick: datetime, fmt: str, lang: TextLang, *, first: bool = False) -> str:
    """An axis label: "Apr 2024" / "10 Mar", or 2024年4月 / 3月10日 in Chinese."""
    if lang != "zh":
        return tick.strftime(fmt)
    if fmt == "%Y":
        return f"{tick.year}年"
    if fmt == "%b %Y":  # the year only where it turns, so the labels keep apart
        return f"{tick.year}年{tick.month}月" if tick.month == 1 or first else f"{tick.month}月"
    return f"{tick.month}月{tick.day}日"


def _span_text(row: Row, tz: tzinfo, lang: TextLang = "en") -> str:
    start = format_day(row.start.astimezone(tz), lang)
    if row.end is not None:
        end = format_day(row.end.astimezone(tz), lang)
        if end != start:
            return translate(N_("{start} to {end}"), lang, start=start, end=end)
    return start


def timeline_part(state: RenderState) -> list[Flowable]:
    """The drawn timeline and the intervals in words."""
    st = state.styles
    flow = part_heading(state, 5)
    rows, sentences = timeline_rows(state)
    if not rows:
        flow += para(
            state, N_("No dated facts: no capture times, listing dates or notice time."), st.body
        )
        return [*flow, PageBreak()]
    tz = state.platform_tz or UTC
    row_h = min(48.0, max(ROW_H, state.frame_h * 0.45 / len(rows)))
    lang = text_langs(state.content.language)[0]
    flow.append(timeline_drawing(rows, state.frame_w, tz, row_h=row_h, lang=lang))
    flow.append(Spacer(1, 4 * mm))
    flow += [item for s in sentences for item in paragraphs(s, st.bullet, bullet="•")]
    flow.append(Spacer(1, 3 * mm))
    zone = state.content.platform_timezone or "UTC"
    flow += para(
        state,
        N_(
            "Dates are in {zone} time, the platform's. Bars are shoots (first to "
            "last frame); diamonds are moments; dashed lines are the intervals named "
            "above them."
        ),
        st.small,
        zone=lambda lang: zone_name(zone, lang),
    )
    return [*flow, PageBreak()]

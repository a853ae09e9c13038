"""Building blocks every dossier part uses: part headings, tables and their cells."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from appeal_kit.dossier.bilingual import Versions, heading, label, style_for, words
from appeal_kit.dossier.state import Bookmark
from appeal_kit.dossier.style import (
    ACCENT,
    ALARM,
    BOLD,
    CJK,
    RULE,
    SHADE,
    markup,
    register_fonts,
    split_runs,
)
from appeal_kit.i18n.document import N_

if TYPE_CHECKING:
    from appeal_kit.dossier.state import RenderState

# Part ids (what each part's code passes to ``part_heading``) and their titles.
PART_TITLES = (
    N_("Deadlines"),
    N_("Statement"),
    N_("Evidence: our originals"),
    N_("Comparisons"),
    N_("Timeline"),
    N_("Other frames from our shoots"),
    N_("Supporting documents"),
    N_("Excluded files"),
    N_("Manifest"),
)
# The order a reviewer reads them in: the case first, the seller's deadline tracker
# after the evidence (it serves the seller without pushing the evidence back).
PART_ORDER = (2, 3, 4, 5, 6, 1, 7, 8, 9)


def part_number(part: int) -> int:
    """The number a part shows (its place in ``PART_ORDER``) for part id ``part``."""
    return PART_ORDER.index(part) + 1


def part_titles(mode: str) -> list[str]:
    """The part titles in reading order (the statement named for the case's mode)."""
    statement = N_("Complaint statement") if mode == "complaint" else N_("Appeal statement")
    return [statement if part == 2 else PART_TITLES[part - 1] for part in PART_ORDER]


def part_heading(state: RenderState, number: int, title: str | None = None) -> list[Flowable]:
    """The numbered part title (e.g. "2. Evidence: our originals") and its bookmark.

    ``number`` is the part's id (1 deadlines ... 9 manifest); the number shown is
    its place in the reading order. ``title`` is a catalog message (``N_``), shown
    in the dossier's language(s): the Chinese title, then the English one smaller.
    """
    versions = words(state, title or PART_TITLES[number - 1])
    style = style_for(state.styles.h1, versions[0][0])
    shown = part_number(number)
    return [
        Bookmark(f"part{number}", f"{shown}. " + " / ".join(text for _, text in versions)),
        Paragraph(f"{shown}. {heading(versions, style.fontSize)}", style),
    ]


def grid(
    rows: list[list[Flowable | str]],
    widths: list[float],
    *,
    header: bool = True,
    zebra: bool = True,
) -> Table:
    """A table with the dossier's look; the header row repeats on every page."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ]
    if zebra:
        for row in range(1 if header else 0, len(rows)):
            if row % 2 == 0:
                commands.append(("BACKGROUND", (0, row), (-1, row), SHADE))
    table.setStyle(TableStyle(commands))
    return table


def cells(
    state: RenderState, values: Sequence[str | Versions], *, head: bool = False
) -> list[Flowable | str]:
    """Paragraph cells (wrapping, CJK-safe).

    Header strings are catalog messages (``N_``), shown in the dossier's language(s);
    body strings are data (file names, numbers) shown as they are, and words to
    translate come as ``words(...)`` versions.
    """
    style = state.styles.cell_bold if head else state.styles.cell
    row: list[Flowable | str] = []
    for value in values:
        if isinstance(value, str) and not head:
            row.append(CellText(value, style))  # wraps at separators, never mid-word
            continue
        versions = words(state, value) if isinstance(value, str) else value
        row.append(Paragraph(label(versions, white=head), style))
    return row


def scaled(widths: list[float], total: float) -> list[float]:
    """Column widths in proportion, summing to ``total``."""
    factor = total / sum(widths)
    return [w * factor for w in widths]


# A line may break after these (paths, file names, tags, dates) and at spaces.
BREAK_AFTER = frozenset("/_-.")
# A cell's text shrinks down to this size before a long token may be split.
MIN_CELL_SIZE = 5.5


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(piece, follows_a_space) pieces a line may break between.

    Breaks go after ``/ _ - .``, at spaces, and between Chinese characters, never
    inside a word.
    """
    covered = register_fonts()
    pieces: list[tuple[str, bool]] = []
    current, spaced, pending_space = "", False, False
    for ch in text:
        if ch == " ":
            if current:
                pieces.append((current, spaced))
                current = ""
            pending_space = True
            continue
        wide = ord(ch) not in covered and not ch.isspace()
        if wide and current:
            pieces.append((current, spaced))
            current = ""
        if not current:
            spaced, pending_space = pending_space, False
        current += ch
        if ch in BREAK_AFTER or wide:
            pieces.append((current, spaced))
            current = ""
    if current:
        pieces.append((current, spaced))
    return pieces


def text_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points, with the CJK font where Vera lacks a glyph."""
    return float(
        sum(stringWidth(run, CJK if wide else font, size) for run, wide in split_runs(text))
    )


def _join(pieces: list[tuple[str, bool]]) -> str:
    return "".join(
        (" " if spaced and n else "") + piece for n, (piece, spaced) in enumerate(pieces)
    )


def _rank(pieces: list[tuple[str, bool]], at: int) -> int:
    """How good a line end between ``pieces[at - 1]`` and ``pieces[at]`` is.

    A space or "/" (3) before "_" or "-" (2) before a "." inside a name (1):
    ``originals/`` then ``IMG_0400.JPG``, not ``originals/IMG_`` then ``0400.JPG``.
    """
    before = pieces[at - 1][0]
    if pieces[at][1] or before.endswith("/"):
        return 3
    return 1 if before.endswith(".") else 2


def break_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width``, broken only between ``_tokens`` pieces.

    Each line ends at the best-ranked place that fits (``_rank``).
    """
    rest = _tokens(text)
    lines: list[str] = []
    while rest:
        fits = 1  # at least one piece per line (a piece wider than the line shrinks later)
        while fits < len(rest) and text_width(_join(rest[: fits + 1]), font, size) <= width:
            fits += 1
        if fits == len(rest):
            lines.append(_join(rest))
            break
        cut = max(range(1, fits + 1), key=lambda i: (_rank(rest, i), i))
        lines.append(_join(rest[:cut]))
        rest = [(rest[cut][0], False), *rest[cut + 1 :]]
    return lines or [""]


def _split_long(line: str, font: str, size: float, width: float) -> list[str]:
    """Last resort for one token wider than the cell at the smallest size (a full hash)."""
    parts, current = [], ""
    for ch in line:
        if current and text_width(current + ch, font, size) > width:
            parts.append(current)
            current = ""
        current += ch
    return [*parts, current] if current else parts


class CellText(Flowable):  # type: ignore[misc]
    """A table cell's text: wraps at separators (``/ _ - .``, spaces) or shrinks.

    reportlab's own wrapping either breaks only at spaces (a long file name runs
    out of its cell) or anywhere (``DateTimeOrigin al``); this breaks where a
    reader expects a path or a tag to break, and otherwise makes the text smaller.
    """

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text, self.style = text, style
        self._para: Paragraph | None = None

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        """Lay the text out for ``avail_w`` (the cell's inner width)."""
        font, size = self.style.fontName, float(self.style.fontSize)
        width = max(1.0, avail_w - 0.5)  # reportlab's measure and ours may differ by a hair
        lines = break_lines(self.text, font, size, width)
        while size > MIN_CELL_SIZE and any(text_width(x, font, size) > width for x in lines):
            size = max(MIN_CELL_SIZE, size - 0.5)
            lines = break_lines(self.text, font, size, width)
        lines = [part for line in lines for part in _split_long(line, font, size, width)] or [""]
        style = ParagraphStyle(
            f"{self.style.name}-{size:g}",
            parent=self.style,
            fontSize=size,
            leading=self.style.leading * size / self.style.fontSize,
            wordWrap=None,
        )
        self._para = Paragraph("<br/>".join(markup(line) for line in lines), style)
        self.width, self.height = self._para.wrap(avail_w, avail_h)
        return self.width, self.height

    def draw(self) -> None:
        """Draw the laid-out paragraph."""
        assert self._para is not None
        self._para.drawOn(self.canv, 0, 0)

    def getPlainText(self) -> str:  # noqa: N802 - reportlab's name
        """The text, for reportlab's text extraction helpers."""
        return self.text


DRAFT_MARK = N_("DRAFT: not ready to submit")


def draw_draft_mark(canvas: Canvas, page_w: float, page_h: float, text: str) -> None:
    """A red band across the top of the page: this dossier has blockers (see ``check``).

    Drawn on every page, appended documents included, above the header so it
    never covers evidence.
    """
    canvas.saveState()
    canvas.setFillColor(ALARM)
    canvas.rect(0, page_h - 7 * mm, page_w, 7 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    x = (
        page_w / 2
        - sum(stringWidth(run, CJK if cjk else BOLD, 10) for run, cjk in split_runs(text)) / 2
    )
    for run, cjk in split_runs(text):  # Chinese in the CJK face, never as empty boxes
        canvas.setFont(CJK if cjk else BOLD, 10)
        canvas.drawString(x, page_h - 5 * mm, run)
        x += stringWidth(run, CJK if cjk else BOLD, 10)
    canvas.restoreState()

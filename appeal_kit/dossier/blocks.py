"""Building blocks every dossier part uses: part headings, tables and their cells."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from appeal_kit.dossier.state import Bookmark
from appeal_kit.dossier.style import ACCENT, ALARM, BOLD, RULE, SHADE, markup
from appeal_kit.i18n.document import N_, TextLang, translate

if TYPE_CHECKING:
    from appeal_kit.dossier.state import RenderState

PART_TITLES = (
    "Deadlines",
    "Statement",
    "Evidence: our originals",
    "Comparisons",
    "Timeline",
    "Other frames from the same shoot",
    "Supporting documents",
    "Excluded files",
    "Manifest",
)


def part_heading(state: RenderState, number: int, title: str | None = None) -> list[Flowable]:
    """The numbered part title (e.g. "3. Evidence: our originals") and its bookmark."""
    text = title or PART_TITLES[number - 1]
    return [
        Bookmark(f"part{number}", f"{number}. {text}"),
        Paragraph(f"{number}. {markup(text)}", state.styles.h1),
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


def cells(state: RenderState, values: list[str], *, head: bool = False) -> list[Flowable | str]:
    """Paragraph cells (wrapping, CJK-safe) from plain strings."""
    style = state.styles.cell_bold if head else state.styles.cell
    if head:
        return [Paragraph(f'<font color="white">{markup(v)}</font>', style) for v in values]
    return [Paragraph(markup(v), style) for v in values]


def scaled(widths: list[float], total: float) -> list[float]:
    """Column widths in proportion, summing to ``total``."""
    factor = total / sum(widths)
    return [w * factor for w in widths]


DRAFT_MARK = N_("DRAFT: not ready to submit")


def draw_draft_mark(canvas: Canvas, page_w: float, page_h: float, lang: TextLang = "en") -> None:
    """A red band across the top of the page: this dossier has blockers (see ``check``).

    Drawn on every page, appended documents included, above the header so it
    never covers evidence.
    """
    text = translate(DRAFT_MARK, lang)
    canvas.saveState()
    canvas.setFillColor(ALARM)
    canvas.rect(0, page_h - 7 * mm, page_w, 7 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(BOLD, 10)
    canvas.drawCentredString(page_w / 2, page_h - 5 * mm, text)
    canvas.restoreState()

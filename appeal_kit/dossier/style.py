"""Fonts, paragraph styles, text escaping and pure layout arithmetic for the dossier.

Latin text uses Bitstream Vera, which ships inside reportlab (embedded, so every
viewer shows the same glyphs). Characters Vera lacks (Chinese store names, for
example) switch to Droid Sans Fallback, bundled in appeal_kit/fonts (Apache-2.0)
and embedded as a subset, so they show in every viewer, poppler and pdfium
included (Adobe's STSong-Light, used before, is not embedded and they lack it).
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reportlab
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from appeal_kit.resources import font_path

if TYPE_CHECKING:
    from appeal_kit.case.config import Case

FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
BODY = "Vera"
BOLD = "Vera-Bold"
ITALIC = "Vera-Italic"
BOLD_ITALIC = "Vera-BoldItalic"
CJK = "DroidSansFallback"
# Stored gzip-compressed (1.6 MB instead of 3.4 MB); unpacked in memory on first use.
CJK_FILE = font_path("DroidSansFallback.ttf.gz")

PAGE_SIZES = {"a4": A4, "letter": LETTER}
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 18 * mm

ACCENT = colors.HexColor("#1f3a5f")
RULE = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#eef1f4")
GOOD = colors.HexColor("#006e28")
CAUTION = colors.HexColor("#b06000")
ALARM = colors.HexColor("#c8141e")
MUTED = colors.HexColor("#555555")


@lru_cache(maxsize=1)
def register_fonts() -> frozenset[int]:
    """Register the dossier's fonts once; returns the code points Vera covers."""
    faces = {BODY: "Vera.ttf", BOLD: "VeraBd.ttf", ITALIC: "VeraIt.ttf", BOLD_ITALIC: "VeraBI.ttf"}
    for name, filename in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(
        BODY, normal=BODY, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
    )
    pdfmetrics.registerFont(TTFont(CJK, io.BytesIO(gzip.decompress(CJK_FILE.read_bytes()))))
    face = pdfmetrics.getFont(BODY).face
    return frozenset(face.charToGlyph)


def _needs_fallback(char: str, covered: frozenset[int]) -> bool:
    return ord(char) not in covered and not char.isspace()


def markup(text: str) -> str:
    """Escape ``text`` for a Paragraph; runs Vera cannot draw switch to the CJK font."""
    covered = register_fonts()
    if all(not _needs_fallback(ch, covered) for ch in text):
        return escape(text)
    parts: list[str] = []
    run = ""
    run_fallback = False
    for ch in text:
        fallback = _needs_fallback(ch, covered)
        if fallback != run_fallback and run:
            parts.append(
                f'<font name="{CJK}">{escape(run)}</font>' if run_fallback else escape(run)
            )
            run = ""
        run_fallback = fallback
        run += ch
    if run:
        parts.append(f'<font name="{CJK}">{escape(run)}</font>' if run_fallback else escape(run))
    return "".join(parts)


def split_runs(text: str) -> list[tuple[str, bool]]:
    """``text`` as (run, needs_cjk_font) pieces, for drawing straight on a canvas."""
    covered = register_fonts()
    runs: list[tuple[str, bool]] = []
    for ch in text:
        fallback = _needs_fallback(ch, covered)
        if runs and runs[-1][1] == fallback:
            runs[-1] = (runs[-1][0] + ch, fallback)
        else:
            runs.append((ch, fallback))
    return runs


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of the dossier."""

    title: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    mono: ParagraphStyle
    bullet: ParagraphStyle
    warning: ParagraphStyle
    caption: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    """Build the styles (fonts registered first)."""
    register_fonts()

    def style(name: str, **kw: object) -> ParagraphStyle:
        base: dict[str, object] = {
            "fontName": BODY,
            "fontSize": 10,
            "leading": 13.5,
            "alignment": TA_LEFT,
            "wordWrap": "CJK",  # CJK wrapping lets long URLs and hashes break anywhere
            "bulletFontName": BODY,  # reportlab's default, Helvetica, is never embedded
        }
        base.update(kw)
        return ParagraphStyle(name, **base)

    return Styles(
        title=style(
            "title",
            fontName=BOLD,
            fontSize=22,
            leading=27,
            textColor=ACCENT,
            spaceAfter=6,
            wordWrap=None,
        ),
        h1=style(
            "h1",
            fontName=BOLD,
            fontSize=15,
            leading=19,
            textColor=ACCENT,
            spaceAfter=8,
            wordWrap=None,
        ),
        h2=style(
            "h2",
            fontName=BOLD,
            fontSize=12,
            leading=15,
            textColor=ACCENT,
            spaceBefore=8,
            spaceAfter=4,
            wordWrap=None,
        ),
        h3=style(
            "h3",
            fontName=BOLD,
            fontSize=10.5,
            leading=13.5,
            spaceBefore=6,
            spaceAfter=3,
            wordWrap=None,
        ),
        body=style("body", spaceAfter=6, wordWrap=None),
        small=style("small", fontSize=8, leading=10.5, textColor=MUTED, wordWrap=None),
        cell=style("cell", fontSize=8, leading=10),
        cell_bold=style("cell_bold", fontName=BOLD, fontSize=8, leading=10),
        mono=style("mono", fontSize=7.5, leading=9.5),
        bullet=style("bullet", leftIndent=12, bulletIndent=2, spaceAfter=2, wordWrap=None),
        warning=style("warning", fontName=BOLD, textColor=ALARM, spaceAfter=6, wordWrap=None),
        caption=style("caption", fontSize=9.5, leading=12.5, spaceAfter=4, wordWrap=None),
    )


def fit_box(image_w: float, image_h: float, box_w: float, box_h: float) -> tuple[float, float]:
    """Largest size with the image's aspect ratio that fits in the box (never upscaled past it).

    Pure layout arithmetic, tested with Hypothesis: the result keeps the aspect
    ratio and stays inside ``box_w`` × ``box_h``.
    """
    if image_w <= 0 or image_h <= 0 or box_w <= 0 or box_h <= 0:
        return 0.0, 0.0
    ratio = min(box_w / image_w, box_h / image_h)
    return min(box_w, image_w * ratio), min(box_h, image_h * ratio)


def zone(name: str | None) -> tzinfo | None:
    """A ``ZoneInfo`` by name, or ``None`` when absent or unknown."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def show_time(value: datetime | None, tz: tzinfo | None = None, *, seconds: bool = False) -> str:
    """A time for the dossier, converted to ``tz`` when it has an offset."""
    if value is None:
        return "—"
    if tz is not None and value.tzinfo is not None:
        value = value.astimezone(tz)
    text = value.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    if seconds and value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    offset = value.strftime("%z")
    if offset:
        text += f" {offset[:3]}:{offset[3:]}"
        label = value.tzname()
        if label and not label.startswith(("+", "-", "UTC+", "UTC-")) and label != "UTC":
            text += f" {label}"
    return text


def short_hash(digest: str, length: int = 16) -> str:
    """The first ``length`` hex digits of a SHA-256 (the manifest lists it in full)."""
    return digest[:length] + ("…" if len(digest) > length else "")


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 frame``, ``3 frames``."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def case_moment(case: Case) -> datetime | None:
    """The latest moment case.toml records (an event, the notice, a first sighting).

    The PDF's CreationDate and ModDate come from it, never the clock, so every
    rebuild of the same case has the same dates and the same bytes.
    """
    moments = [e.at for e in case.events]
    moments += [a.first_seen for a in case.accused_listings if a.first_seen is not None]
    moments += [m for m in (case.notice_received, case.own_listing_date) if m is not None]
    aware = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments]
    return max(aware) if aware else None


@contextmanager
def pdf_settings(case: Case) -> Iterator[None]:
    """The reportlab settings of one dossier: binary images, Vera first, the case's dates.

    * ASCII85 would add a quarter to every JPEG, so image streams stay binary.
    * reportlab starts every canvas in Helvetica, which it never embeds; starting in
      Vera (embedded) keeps every font in the PDF embedded.
    * With ``invariant`` set, reportlab dates the PDF from ``SOURCE_DATE_EPOCH``
      (else 2000-01-01); the case's own latest moment is the honest date.
    """
    from reportlab.graphics import shapes
    from reportlab.platypus import tables

    register_fonts()
    moment = case_moment(case)
    saved = (rl_config.useA85, rl_config.canvas_basefontname, os.environ.get(_EPOCH))
    # Table cells and drawings also start in Helvetica unless told otherwise.
    saved_cell, saved_shape = tables.CellStyle.fontname, shapes.STATE_DEFAULTS["fontName"]
    rl_config.useA85 = 0
    rl_config.canvas_basefontname = BODY
    tables.CellStyle.fontname = BODY
    shapes.STATE_DEFAULTS["fontName"] = BODY
    if moment is not None:
        os.environ[_EPOCH] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        rl_config.useA85, rl_config.canvas_basefontname = saved[0], saved[1]
        tables.CellStyle.fontname, shapes.STATE_DEFAULTS["fontName"] = saved_cell, saved_shape
        if saved[2] is None:
            os.environ.pop(_EPOCH, None)
        else:
            os.environ[_EPOCH] = saved[2]


_EPOCH = "SOURCE_DATE_EPOCH"


def short_url(url: str) -> str:
    """A URL as a reviewer reads it: no scheme, no tracking query or fragment.

    ``https://www.aliexpress.com/item/1005.html?spm=a2g0o...`` shows as
    ``www.aliexpress.com/item/1005.html``; the link target keeps the full URL.
    """
    parts = urlsplit(url.strip())
    if not parts.netloc:
        return url.strip()
    return (parts.netloc + parts.path).rstrip("/") or parts.netloc


def link(url: str) -> str:
    """Paragraph markup: the short URL, linked to the full one ("" for no URL)."""
    if not url:
        return ""
    target = escape(url.strip(), {'"': "&quot;"})
    return f'<a href="{target}" color="#1f3a5f">{markup(short_url(url))}</a>'

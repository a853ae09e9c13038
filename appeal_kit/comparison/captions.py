"""Text in comparison images: the bundled font, safe characters, wrapping, times.

Split from ``comparison`` so drawing and wording stay apart. The font ships inside
reportlab, so captions look the same on every machine, system fonts or not.
"""

from __future__ import annotations

import gzip
import io
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import reportlab
from PIL import ImageDraw, ImageFont

from appeal_kit.resources import font_path

FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"


@lru_cache(maxsize=16)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Bitstream Vera at ``size`` px (Pillow's bundled font if reportlab's is missing)."""
    path = FONT_DIR / ("VeraBd.ttf" if bold else "Vera.ttf")
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    fallback = ImageFont.load_default(size=size)  # pragma: no cover - reportlab ships Vera
    assert isinstance(fallback, ImageFont.FreeTypeFont)  # pragma: no cover
    return fallback  # pragma: no cover


@lru_cache(maxsize=1)
def _covered_chars() -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    try:
        return frozenset(TTFontFile(str(FONT_DIR / "Vera.ttf")).charToGlyph)
    except Exception:  # pragma: no cover - only without reportlab's fonts
        return frozenset(range(32, 127))


@lru_cache(maxsize=16)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """The bundled Droid Sans Fallback at ``size`` px: Chinese, Japanese and Korean names."""
    data = gzip.decompress(font_path("DroidSansFallback.ttf.gz").read_bytes())
    return ImageFont.truetype(io.BytesIO(data), size)


@lru_cache(maxsize=1)
def _cjk_chars() -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    data = gzip.decompress(font_path("DroidSansFallback.ttf.gz").read_bytes())
    return frozenset(TTFontFile(io.BytesIO(data)).charToGlyph)


def printable(text: str, *, url: bool = False) -> str:
    """``text`` with characters neither caption font has replaced, never drawn as boxes.

    Names in Chinese, Japanese or Korean stay as they are (``draw_text`` draws them
    in the bundled CJK font). URLs are percent-encoded (what a browser sends anyway);
    other text gets "?" only for characters no bundled font has.
    """
    covered = _covered_chars()
    if all(ord(ch) in covered for ch in text):
        return text
    if url:
        return quote(text, safe=":/?#[]@!$&'()*+,;=%-._~")
    wide = _cjk_chars()
    return "".join(ch if ord(ch) in covered or ord(ch) in wide else "?" for ch in text)


def _runs(text: str) -> list[tuple[str, bool]]:
    """``text`` as (run, needs_cjk_font) pieces."""
    covered = _covered_chars()
    runs: list[tuple[str, bool]] = []
    for ch in text:
        wide = ord(ch) not in covered and not ch.isspace()
        if runs and runs[-1][1] == wide:
            runs[-1] = (runs[-1][0] + ch, wide)
        else:
            runs.append((ch, wide))
    return runs


def _face_for(face: ImageFont.FreeTypeFont, wide: bool) -> ImageFont.FreeTypeFont:
    return cjk_font(int(face.size)) if wide else face


def text_length(text: str, face: ImageFont.FreeTypeFont) -> float:
    """Width of ``text`` in px, CJK runs measured in the CJK font."""
    return float(sum(_face_for(face, wide).getlength(run) for run, wide in _runs(text)))


def draw_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    face: ImageFont.FreeTypeFont,
    fill: tuple[int, int, int],
) -> None:
    """Draw ``text`` with Vera, switching to the bundled CJK font where Vera lacks a glyph."""
    x, y = xy
    for run, wide in _runs(text):
        run_face = _face_for(face, wide)
        draw.text((x, y), run, font=run_face, fill=fill)
        x += run_face.getlength(run)


def wrap_text(
    text: str, face: ImageFont.FreeTypeFont, width: float, *, max_lines: int = 3
) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` px; long tokens are split.

    Lines past ``max_lines`` are dropped and the last kept line ends with "…".
    """
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if text_length(candidate, face) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        # URLs, hashes and file names have no spaces: split them by characters.
        for ch in word:
            if text_length(current + ch, face) > width and current:
                lines.append(current)
                current = ch
            else:
                current += ch
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_length(last + "…", face) > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


def format_time(value: datetime | None) -> str:
    """Capture time as shown to a reviewer: seconds, sub-seconds and offset when known."""
    if value is None:
        return "no capture time"
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    offset = value.strftime("%z")
    if offset:
        text += f" {offset[:3]}:{offset[3:]}"
    else:
        text += " (time zone not recorded)"
    return text


def format_day(value: datetime | None) -> str:
    """A first-seen date: the day, plus the time when one was recorded."""
    if value is None:
        return "date not recorded"
    if (value.hour, value.minute, value.second) == (0, 0, 0):
        return value.strftime("%Y-%m-%d")
    return format_time(value)

"""Comparison images: our original and the accused copy side by side, and the proof.

For every pair ``render_comparison`` writes two JPEGs into the folder it is given:

* ``out_path``: the side-by-side. Both images at the same height, a caption band
  under each (file name, pixel size, capture time; URL, first-seen date) and one
  plain-language sentence across the bottom. When the match has a region, it is
  outlined on the original.
* ``<stem>-proof.jpg`` (``ComparisonImage.detail_path``), only when the match has a
  homography: the matched crop of the original, the accused image warped into the
  original's frame over that same crop, and a zoomed detail from both.

Both are decoded at the scale they need (``open_image(max_side=...)``), never at
full 24 MP, are written without EXIF (so no GPS leaks) and are byte-identical for
the same inputs.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from appeal_kit.case.config import AccusedListing
from appeal_kit.comparison.captions import (
    draw_text,
    font,
    wrap_text,
)
from appeal_kit.comparison.captions import format_time as format_time  # re-exported
from appeal_kit.comparison.proof import INK, REDUCING_GAP, WHITE, render_proof
from appeal_kit.comparison.proof import pick_detail as pick_detail  # re-exported
from appeal_kit.comparison.proof import warp_accused as warp_accused  # re-exported
from appeal_kit.comparison.store import DecodedOriginals
from appeal_kit.comparison.wording import (
    CONTAINS_MORE_WARNING,
    OUR_TITLE,
    THEIR_TITLE,
    accused_caption,
    describe_match,
    in_langs,
    merged,
    original_caption,
)
from appeal_kit.evidence.images import open_image
from appeal_kit.fsutil import atomic_write_bytes
from appeal_kit.i18n.document import DocLang, TextLang, text_langs, translate
from appeal_kit.models import ImageMetadata, MatchResult

# Bitstream Vera ships inside reportlab, so captions look the same on every machine
# without depending on system fonts.
JPEG_QUALITY = 80  # visually clean for photos and text; keeps a 20-pair dossier under 10 MB
# Decoding beyond this gains nothing for a page-sized figure and costs memory.
MAX_DECODE_SIDE = 2400
MUTED = (90, 90, 90)
OUTLINE = (230, 20, 20)
SCREEN_RECT = (255, 140, 0)
VERDICT_COLOURS = {"match": (0, 110, 40), "possible": (176, 96, 0), "none": (90, 90, 90)}


# A file name is at most 255 bytes on common file systems; the side-by-side's name also
# gets "-proof" and, while it is written, a ".NAME.xxxxxxxx.part" temp name. 160 bytes
# leaves room for both.
NAME_BYTES = 160


def comparison_name(number: int, accused: Path, original: Path) -> str:
    """``07-ACCUSED-vs-ORIGINAL.jpg``, at most ``NAME_BYTES`` bytes in UTF-8.

    Long stems (a 78-character Chinese name is 234 bytes) are cut on a character
    boundary; the pair number in front keeps every name unique.
    """
    prefix, middle, suffix = f"{number:02d}-", "-vs-", ".jpg"
    room = NAME_BYTES - len((prefix + middle + suffix).encode("utf-8"))
    stems = [accused.stem, original.stem]
    while sum(len(s.encode("utf-8")) for s in stems) > room:
        longest = max(range(2), key=lambda i: len(stems[i].encode("utf-8")))
        stems[longest] = stems[longest][:-1]
    return f"{prefix}{stems[0]}{middle}{stems[1]}{suffix}"


@dataclass
class ComparisonImage:
    """The JPEG(s) written for one pair, and the text that goes with them.

    Boxes are ``(x, y, w, h)`` in the side-by-side image's pixels.
    """

    path: Path
    width: int
    height: int
    # The sentence in the dossier's first language; ``caption_versions`` has each language's.
    caption: str
    detail_path: Path | None
    accused: Path
    original: Path
    verdict: str
    original_caption: list[str] = field(default_factory=list)
    accused_caption: list[str] = field(default_factory=list)
    original_box: tuple[int, int, int, int] = (0, 0, 0, 0)
    accused_box: tuple[int, int, int, int] = (0, 0, 0, 0)
    caption_band: tuple[int, int, int, int] = (0, 0, 0, 0)
    detail_width: int = 0
    detail_height: int = 0
    warning: str | None = None
    caption_versions: list[tuple[TextLang, str]] = field(default_factory=list)
    # For the PDF, encoded once from memory at page resolution (``page_width``):
    # the side-by-side without its caption band (the PDF sets the captions as
    # text), and the proof strip. JPEG bytes and their pixel size; None when the
    # caller asked for none, and the PDF then reads the files.
    page_picture: tuple[bytes, tuple[int, int]] | None = None
    page_proof: tuple[bytes, tuple[int, int]] | None = None
    # Both images' full pixel sizes (after EXIF orientation), as the captions give them.
    original_size: tuple[int, int] = (0, 0)
    accused_size: tuple[int, int] = (0, 0)


# --------------------------------------------------------------------------- text


# --------------------------------------------------------------------------- geometry


def _decode_side(full: tuple[int, int], wanted_height: float, *, jpeg: bool = False) -> int:
    """``max_side`` giving at least ``wanted_height`` px of height (capped).

    For a JPEG it is exactly a draft scale (1/8, 1/4, 1/2 or 1/1 of the long side,
    rounded down as draft() settles on it), so the decode is used as it comes,
    without a full-image resample before the one that fits it to the page.
    """
    width, height = full
    longer = max(width, height)
    needed = min(longer * min(1.0, wanted_height / max(1, height)) + 2, MAX_DECODE_SIDE)
    if jpeg:
        return next((longer // d for d in (8, 4, 2) if longer // d >= needed), longer)
    return max(64, min(math.ceil(needed), longer))


def _fit_height(img: Image.Image, height: int, max_width: int) -> Image.Image:
    """Resize to ``height`` (or narrower when that would exceed ``max_width``).

    An image that already fits is returned as it is (callers only paste it).
    """
    ratio = min(height / img.height, max_width / img.width)
    size = (max(1, round(img.width * ratio)), max(1, round(img.height * ratio)))
    if size == img.size:
        return img
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)


def _line_width(height: int) -> int:
    return max(3, round(height / 180))


# --------------------------------------------------------------------------- rendering


def comparison_texts(
    original: Path,
    accused: Path,
    match: MatchResult,
    original_meta: ImageMetadata | None,
    listing: AccusedListing | None,
    sizes: tuple[tuple[int, int], tuple[int, int]],
    lang: DocLang,
) -> tuple[list[str], list[str], list[str]]:
    """Caption lines under ours and theirs, and the sentence in each language shown.

    ``sizes``: both images' full pixel sizes (after EXIF orientation).
    """
    langs = text_langs(lang)
    full_o, full_a = sizes
    o_lines = merged([original_caption(original, original_meta, full_o, t) for t in langs])
    a_lines = merged([accused_caption(accused, listing, full_a, t) for t in langs])
    return o_lines, a_lines, [describe_match(match, original.name, t) for t in langs]


def render_comparison(
    original: Path,
    accused: Path,
    match: MatchResult,
    *,
    original_meta: ImageMetadata | None,
    listing: AccusedListing | None,
    out_path: Path,
    height: int = 900,
    lang: DocLang = "en",
    page_width: int | None = None,
    originals: DecodedOriginals | None = None,
) -> ComparisonImage:
    """Write the side-by-side JPEG (and the proof JPEG when there is geometry).

    Its words are in ``lang``; in ``zh+en`` each line is in Chinese with the English under it.

    ``originals`` hands over the original's decode when the caller shares one
    between comparisons (``DecodedOriginals``, sized by ``original_decode_side``).

    With ``page_width`` (pixels), the pictures for the PDF are also encoded, once and
    from memory, at that width (``page_picture``, ``page_proof``).

    Raises ``InputFileError`` when either image cannot be decoded; the pipeline has
    normally excluded such files already.
    """
    region = match.region if match.homography is not None and match.verdict != "none" else None
    if originals is not None:  # decoded once for every comparison that shows it
        loaded_o = originals.get(original)
    else:
        loaded_o = open_image(original, max_side=original_decode_side(match, original_meta, height))
    loaded_a = open_image(accused, max_side=MAX_DECODE_SIDE)
    full_o = (loaded_o.full_width, loaded_o.full_height)
    full_a = (loaded_a.full_width, loaded_a.full_height)

    margin = max(16, height // 30)
    gap = margin
    text_px = max(14, round(height * 0.027))
    title_face, body_face = font(text_px + 2, bold=True), font(text_px)
    line_h = round(text_px * 1.35)
    min_panel = round(height * 0.6)

    top_o = _fit_height(loaded_o.image, height, 3 * height)
    top_a = _fit_height(loaded_a.image, height, 3 * height)
    width_o, width_a = max(top_o.width, min_panel), max(top_a.width, min_panel)
    total_w = margin + width_o + gap + width_a + margin

    langs = text_langs(lang)
    o_lines, a_lines, sentences = comparison_texts(
        original, accused, match, original_meta, listing, (full_o, full_a), lang
    )
    o_wrapped = [ln for line in o_lines for ln in wrap_text(line, body_face, width_o)]
    a_wrapped = [ln for line in a_lines for ln in wrap_text(line, body_face, width_a)]
    s_wrapped = [
        ln
        for sentence in sentences
        for ln in wrap_text(sentence, body_face, total_w - 2 * margin, max_lines=6)
    ]
    titles = [" ".join(in_langs(lang, title)) for title in (OUR_TITLE, THEIR_TITLE)]
    band_h = line_h * (1 + max(len(o_wrapped), len(a_wrapped))) + line_h // 2
    footer_h = line_h * (len(s_wrapped) + 1)
    total_h = margin + height + band_h + footer_h + margin

    canvas = Image.new("RGB", (total_w, total_h), WHITE)
    draw = ImageDraw.Draw(canvas)
    x_o, x_a = margin, margin + width_o + gap
    off_o = (x_o + (width_o - top_o.width) // 2, margin + (height - top_o.height) // 2)
    off_a = (x_a + (width_a - top_a.width) // 2, margin + (height - top_a.height) // 2)
    canvas.paste(top_o, off_o)
    canvas.paste(top_a, off_a)
    stroke = _line_width(height)
    if match.quad and region is not None:
        factor = top_o.width / full_o[0]
        points = [(off_o[0] + x * factor, off_o[1] + y * factor) for x, y in match.quad]
        draw.line([*points, points[0]], fill=OUTLINE, width=stroke, joint="curve")
    if match.accused_rect:
        factor = top_a.width / full_a[0]
        ax, ay, aw, ah = match.accused_rect
        draw.rectangle(
            (
                off_a[0] + ax * factor,
                off_a[1] + ay * factor,
                off_a[0] + (ax + aw) * factor,
                off_a[1] + (ay + ah) * factor,
            ),
            outline=SCREEN_RECT,
            width=stroke,
        )

    band_y = margin + height + line_h // 2
    for x, title, lines in ((x_o, titles[0], o_wrapped), (x_a, titles[1], a_wrapped)):
        draw_text(draw, (x, band_y), title, title_face, INK)
        for number, line in enumerate(lines, start=1):
            draw_text(draw, (x, band_y + number * line_h), line, body_face, MUTED)
    footer_y = margin + height + band_h + line_h // 2
    colour = VERDICT_COLOURS.get(match.verdict, MUTED)
    if match.accused_contains_more:
        colour = OUTLINE
    for number, line in enumerate(s_wrapped):
        draw_text(draw, (margin, footer_y + number * line_h), line, body_face, colour)

    _save_jpeg(canvas, out_path)
    page_picture = None
    if page_width:
        # Pictures only: the PDF states the captions as text, so it drops the band
        # (keeping half a margin of white under the pictures).
        band_top = min(total_h, margin + height + margin // 2)
        page_picture = page_jpeg(canvas.crop((0, 0, total_w, band_top)), page_width)
    result = ComparisonImage(
        path=out_path,
        width=total_w,
        height=total_h,
        caption=sentences[0],
        caption_versions=list(zip(langs, sentences, strict=True)),
        detail_path=None,
        accused=accused,
        original=original,
        verdict=match.verdict,
        original_caption=o_lines,
        accused_caption=a_lines,
        original_box=(x_o, margin, width_o, height),
        accused_box=(x_a, margin, width_a, height),
        caption_band=(0, margin + height, total_w, band_h),
        warning=translate(CONTAINS_MORE_WARNING, langs[0]) if match.accused_contains_more else None,
        page_picture=page_picture,
        original_size=full_o,
        accused_size=full_a,
    )
    if region is not None and match.homography is not None:
        proof = render_proof(
            loaded_o.image,
            loaded_o.scale,
            loaded_a.image,
            loaded_a.scale,
            match,
            height=round(height * 2 / 3),
            lang=lang,
        )
        if proof is not None:
            detail_path = out_path.with_name(f"{out_path.stem}-proof.jpg")
            _save_jpeg(proof, detail_path)
            result.detail_path = detail_path
            result.detail_width, result.detail_height = proof.size
            if page_width:
                result.page_proof = page_jpeg(proof, page_width)
    return result


# The region's longer side in decoded pixels for the proof crop (and its zoomed detail).
PROOF_DECODE = 1200


def original_decode_side(
    match: MatchResult, original_meta: ImageMetadata | None, height: int = 900
) -> int:
    """The ``max_side`` the comparison of ``match`` decodes its original at."""
    full_o = _full_size(match.original or Path(), original_meta)
    needed_o = height
    region = match.region if match.homography is not None and match.verdict != "none" else None
    if region and full_o is not None:
        # The proof crop wants the region at about PROOF_DECODE px on its longer side.
        needed_o = max(height, round(PROOF_DECODE * full_o[1] / max(1, max(region[2], region[3]))))
    jpeg = original_meta is not None and original_meta.format == "JPEG"
    return _decode_side(full_o, needed_o, jpeg=jpeg) if full_o else MAX_DECODE_SIDE


def _full_size(path: Path, meta: ImageMetadata | None) -> tuple[int, int] | None:
    if meta is not None and meta.width and meta.height:
        return meta.width, meta.height
    return None


# Quality of the pictures embedded in the PDF (the files in comparisons/ use JPEG_QUALITY).
PAGE_JPEG_QUALITY = 85


def page_jpeg(img: Image.Image, width: int) -> tuple[bytes, tuple[int, int]]:
    """``img`` no wider than ``width`` px, as JPEG bytes and their pixel size.

    One bicubic resize: a quarter cheaper than LANCZOS on these 1.6-2x reductions,
    and 0.3 grey levels from it on average (PSNR 52 dB), closer than the box
    pre-reduction ``_fit_height`` uses.
    """
    if img.width > width * 1.1:
        size = (width, max(1, round(img.height * width / img.width)))
        img = img.resize(size, Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=PAGE_JPEG_QUALITY, optimize=True)
    return buffer.getvalue(), img.size


def _save_jpeg(img: Image.Image, path: Path) -> None:
    """JPEG bytes without EXIF (no GPS, no capture data), written atomically.

    Without ``optimize``: the second Huffman pass doubled the encoding time of these
    full-size files for 9 % fewer bytes, and they are not embedded in the PDF (the
    page pictures of ``page_jpeg`` keep it).
    """
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=JPEG_QUALITY)
    atomic_write_bytes(path, buffer.getvalue())
    path.chmod(0o644)  # temp files are private; a comparison image is meant to be shared

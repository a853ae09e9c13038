"""The dossier's engine: decode once, lay out twice, append supporting PDFs.

Pass one learns how many pages the reportlab part takes and after which page each
supporting PDF goes; pass two draws the final "Page n of N" headers. Images are
decoded once, before both passes, at the size the page needs.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject
from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from appeal_kit.dossier_style import (
    BODY,
    BOLD,
    CJK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_SIZES,
    RULE,
    Styles,
    register_fonts,
    split_runs,
    styles,
    zone,
)
from appeal_kit.errors import InputFileError
from appeal_kit.images import Problem, check_file, describe_error, open_image, sha256_file
from appeal_kit.metadata_raw import embedded_thumbnail, upright_thumbnail
from appeal_kit.models import ExcludedFile, ImageMetadata

if TYPE_CHECKING:
    from appeal_kit.dossier import DossierContent

AttachmentKind = Literal["pdf", "image", "unusable"]


@dataclass
class Attachment:
    """One supporting document, read once."""

    path: Path
    display: str
    sha256: str
    kind: AttachmentKind
    pages: int = 0
    pdf: PdfReader | None = None
    jpeg: bytes | None = None
    pixel_size: tuple[int, int] = (0, 0)
    # Why the document cannot be used (shown to the reviewer); ``error_fix`` is the seller's to-do.
    error: str | None = None
    error_fix: str = ""


# An embedded picture for the page: JPEG bytes and their pixel size.
Picture = tuple[bytes, tuple[int, int]]


@dataclass(frozen=True)
class ThumbnailPair:
    """An original whose EXIF thumbnail differs: both pictures, ready to embed."""

    embedded: Picture
    current: Picture


@dataclass
class RenderState:
    """Shared by every part while the story is built and drawn."""

    content: DossierContent
    styles: Styles
    page_w: float
    page_h: float
    platform_tz: tzinfo | None
    local_tz: tzinfo | None
    title: str
    attachments: list[Attachment] = field(default_factory=list)
    thumbnails: dict[Path, tuple[bytes, tuple[int, int]] | None] = field(default_factory=dict)
    # Originals whose thumbnail check failed -> both pictures (None: cannot be shown).
    thumbnail_pairs: dict[Path, ThumbnailPair | None] = field(default_factory=dict)
    problems: list[ExcludedFile] = field(default_factory=list)
    # Filled while drawing: attachment number -> reportlab page it follows.
    markers: dict[int, int] = field(default_factory=dict)
    page_map: dict[int, int] = field(default_factory=dict)
    total_pages: int | None = None

    @property
    def frame_w(self) -> float:
        """Width of the text frame in points."""
        return float(self.page_w - 2 * MARGIN_X)

    @property
    def frame_h(self) -> float:
        """Height of the text frame in points (what one flowable may use)."""
        return float(self.page_h - MARGIN_TOP - MARGIN_BOTTOM - 2)  # frame padding

    def page_label(self, rl_page: int) -> str:
        """The "Page n of N" label of a reportlab page."""
        number = self.page_map.get(rl_page, rl_page)
        total = self.total_pages if self.total_pages is not None else "?"
        return f"Page {number} of {total}"


# Comparison pictures are embedded at this resolution; reviewers zoom in to about 2x.
EMBED_DPI = 250


def jpeg_bytes(img: Image.Image, quality: int = 85) -> bytes:
    """Encode for embedding: reportlab passes JPEG through unchanged (small PDFs)."""
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


@functools.lru_cache(maxsize=64)  # the story is laid out twice (for "Page N of M")
def at_page_resolution(data: bytes, width_pt: float) -> bytes:
    """A JPEG no finer than ``EMBED_DPI`` at ``width_pt`` points wide.

    The comparison JPEGs in comparisons/ keep their full size for close
    inspection; the PDF only needs what its page can show, so a 20-pair dossier
    stays within an upload limit.
    """
    wanted = round(width_pt / 72 * EMBED_DPI)
    with Image.open(io.BytesIO(data)) as img:
        if img.width <= wanted * 1.1:
            return data
        size = (wanted, max(1, round(img.height * wanted / img.width)))
        img.draft("RGB", size)
        return jpeg_bytes(img.convert("RGB").resize(size, Image.Resampling.LANCZOS))


def _sha_lookup(content: DossierContent) -> dict[str, str]:
    return {display: digest for display, digest, _size in content.manifest_entries}


def prepare(content: DossierContent) -> RenderState:
    """Decode documents and thumbnails once; build the state both passes share."""
    register_fonts()
    if content.page_size not in PAGE_SIZES:
        raise ValueError(
            f"page size must be one of {', '.join(PAGE_SIZES)}, not {content.page_size!r}"
        )
    page_w, page_h = PAGE_SIZES[content.page_size]
    from appeal_kit.dossier import document_title

    state = RenderState(
        content=content,
        styles=styles(),
        page_w=page_w,
        page_h=page_h,
        platform_tz=zone(content.platform_timezone),
        local_tz=zone(content.local_timezone),
        title=document_title(content),
    )
    hashes = _sha_lookup(content)
    case = content.case
    for path in sorted(content.documents, key=case.display):
        display = case.display(path)
        digest = hashes.get(display) or _safe_sha(path)
        state.attachments.append(_load_attachment(path, display, digest, content.document_max_side))
    for item in state.attachments:
        if item.error is not None:
            state.problems.append(
                ExcludedFile(item.display, "document", item.error, item.error_fix)
            )
    for meta in content.outtakes[: content.max_outtakes]:
        state.thumbnails[meta.path] = _thumbnail(meta.path, content.thumbnail_max_side)
    for meta in sorted(content.originals, key=lambda m: m.display_path):
        if meta.thumbnail_matches is False:
            state.thumbnail_pairs[meta.path] = _thumbnail_pair(meta, content.thumbnail_max_side)
    return state


def _safe_sha(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError:
        return ""


def _load_attachment(path: Path, display: str, digest: str, max_side: int) -> Attachment:
    def unusable(problem: Problem) -> Attachment:
        return Attachment(
            path, display, digest, "unusable", error=problem.reason, error_fix=problem.fix
        )

    try:
        kind = check_file(path)
    except InputFileError as exc:
        return unusable(describe_error(exc))
    if kind == "PDF":
        try:
            data = path.read_bytes()
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                return unusable(
                    Problem("is password-protected", "save an unprotected copy and build again")
                )
            pages = len(reader.pages)
            for page in reader.pages:
                _ = page.mediabox  # touch every page now, so a broken one fails here
        except Exception as exc:  # pypdf raises many types for damaged files
            return unusable(
                Problem(
                    f"cannot be read as a PDF ({type(exc).__name__})",
                    "export it again and build again",
                )
            )
        if pages == 0:
            return unusable(Problem("is a PDF with no pages"))
        return Attachment(path, display, digest, "pdf", pages=pages, pdf=reader)
    try:
        loaded = open_image(path, max_side=max_side)
    except InputFileError as exc:
        return unusable(describe_error(exc))
    return Attachment(
        path,
        display,
        digest,
        "image",
        jpeg=jpeg_bytes(loaded.image),
        pixel_size=(loaded.full_width, loaded.full_height),
    )


def _thumbnail(path: Path, max_side: int) -> tuple[bytes, tuple[int, int]] | None:
    try:
        loaded = open_image(path, max_side=max_side)
    except InputFileError:
        return None
    return jpeg_bytes(loaded.image, quality=80), loaded.image.size


def _thumbnail_pair(meta: ImageMetadata, max_side: int) -> ThumbnailPair | None:
    """The EXIF thumbnail and a small copy of the image as it is now, both upright."""
    data = embedded_thumbnail(meta.path)
    embedded = upright_thumbnail(data, meta.orientation or 1) if data else None
    current = _thumbnail(meta.path, max_side)
    if embedded is None or current is None:
        return None
    return ThumbnailPair((jpeg_bytes(embedded, quality=90), embedded.size), current)


# --------------------------------------------------------------------------- drawing


def draw_text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    font: str,
    size: float,
    *,
    max_width: float | None = None,
    right: bool = False,
    mode: int = 0,
) -> None:
    """Draw ``text`` with the CJK fallback font where needed, cut to ``max_width``."""
    runs = split_runs(text)

    def width(items: list[tuple[str, bool]]) -> float:
        return float(sum(stringWidth(t, CJK if f else font, size) for t, f in items))

    if max_width is not None and width(runs) > max_width:
        while runs and width([*runs, ("…", False)]) > max_width:
            last, fallback = runs[-1]
            runs[-1] = (last[:-1], fallback)
            if not runs[-1][0]:
                runs.pop()
        runs.append(("…", False))
    if right:
        x -= width(runs)
    for text_run, fallback in runs:
        face = CJK if fallback else font
        canvas.setFont(face, size)
        canvas.drawString(x, y, text_run, mode=mode)
        x += stringWidth(text_run, face, size)


def draw_page_furniture(
    canvas: Canvas,
    state: RenderState,
    label: str,
    *,
    page_w: float,
    page_h: float,
    outlined: bool = False,
) -> None:
    """Header (title, "Page n of N") and footer, on any page size."""
    canvas.saveState()
    top = page_h - 12 * mm
    left, right = MARGIN_X, page_w - MARGIN_X
    if outlined:
        # Stamped on appended pages: a white outline keeps it legible on any background.
        canvas.setStrokeColorRGB(1, 1, 1)
        canvas.setLineWidth(1.6)
    canvas.setFillColor(MUTED)
    label_w = stringWidth(label, BOLD, 8.5)
    # Text render mode 1 strokes only (the white halo), then 0 fills on top of it.
    for mode in (1, 0) if outlined else (0,):
        draw_text(
            canvas,
            left,
            top,
            state.title,
            BODY,
            8.5,
            max_width=right - left - label_w - 12,
            mode=mode,
        )
        draw_text(canvas, right, top, label, BOLD, 8.5, right=True, mode=mode)
    if not outlined:
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(left, top - 2.5 * mm, right, top - 2.5 * mm)
        case = state.content.case
        who = " · ".join(
            x for x in (case.store, f"seller id {case.seller_id}" if case.seller_id else "") if x
        )
        note = "SHA-256 of every input: see the manifest at the end"
        canvas.setLineWidth(0.5)
        canvas.line(left, 12 * mm, right, 12 * mm)
        note_w = stringWidth(note, BODY, 7)
        draw_text(canvas, right, 8 * mm, note, BODY, 7, right=True)
        draw_text(canvas, left, 8 * mm, who, BODY, 7, max_width=right - left - note_w - 12)
    canvas.restoreState()


class Marker(Flowable):  # type: ignore[misc]
    """Zero-size flowable recording the page a supporting PDF is inserted after."""

    def __init__(self, state: RenderState, number: int) -> None:
        super().__init__()
        self.state = state
        self.number = number
        self.width = self.height = 0

    def draw(self) -> None:
        """Record the current page."""
        self.state.markers[self.number] = self.canv.getPageNumber()


class Bookmark(Flowable):  # type: ignore[misc]
    """Zero-size flowable adding an outline (bookmark) entry for a part."""

    def __init__(self, key: str, title: str, level: int = 0) -> None:
        super().__init__()
        self.key, self.title, self.level = key, title, level
        self.width = self.height = 0

    def draw(self) -> None:
        """Bookmark this page under ``title``."""
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, level=self.level, closed=True)


def _build(
    state: RenderState, story_factory: Callable[[RenderState], list[Flowable]]
) -> tuple[bytes, int]:
    """One layout pass: the PDF bytes and the number of pages."""
    buffer = io.BytesIO()
    case = state.content.case
    doc = BaseDocTemplate(
        buffer,
        pagesize=(state.page_w, state.page_h),
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=state.title,
        author=case.store or case.seller_id or "appeal-kit",
        subject=_subject(state),
        keywords=_keywords(state),
        creator="appeal-kit",
        producer="appeal-kit (reportlab)",
        invariant=1,
        lang="en",
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        state.frame_w,
        state.page_h - MARGIN_TOP - MARGIN_BOTTOM,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )

    def on_page(canvas: Canvas, _doc: Any) -> None:
        draw_page_furniture(
            canvas,
            state,
            state.page_label(canvas.getPageNumber()),
            page_w=state.page_w,
            page_h=state.page_h,
        )

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    state.markers = {}
    with _binary_images():
        doc.build(story_factory(state))
    return buffer.getvalue(), doc.page


@contextlib.contextmanager
def _binary_images() -> Iterator[None]:
    """Embed image streams as binary: ASCII85 would add a quarter to every JPEG."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def _subject(state: RenderState) -> str:
    case = state.content.case
    what = "complaint" if case.mode == "complaint" else "image-theft appeal"
    parts = [f"Evidence dossier for {what} {case.title}"]
    if case.store:
        parts.append(f"store {case.store}")
    if case.platform:
        parts.append(f"platform {case.platform}")
    return ", ".join(parts)


def _keywords(state: RenderState) -> list[str]:
    case = state.content.case
    words = ["appeal-kit", "evidence dossier", case.platform, case.case_id, case.violation]
    return [w for w in words if w]


def render_pdf(content: DossierContent) -> tuple[bytes, int, int, list[ExcludedFile]]:
    """The finished PDF bytes, page count, appended page count and document problems."""
    from appeal_kit.dossier_pages import build_story

    state = prepare(content)
    _, rl_pages = _build(state, build_story)
    appended = {n: state.attachments[n].pages for n in state.markers}
    shift = 0
    for page in range(1, rl_pages + 1):
        state.page_map[page] = page + shift
        shift += sum(count for n, count in appended.items() if state.markers[n] == page)
    state.total_pages = rl_pages + sum(appended.values())
    data, second_pages = _build(state, build_story)
    if second_pages != rl_pages:  # pragma: no cover - headers never change the flow
        raise RuntimeError("dossier layout changed between passes")
    if not appended:
        return data, rl_pages, 0, state.problems
    merged = _append_pdfs(data, state)
    return merged, state.total_pages, sum(appended.values()), state.problems


def _append_pdfs(data: bytes, state: RenderState) -> bytes:
    """Insert each supporting PDF's pages after its divider page and stamp headers."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    stamped: list[int] = []
    # Insert from the back so earlier insertion points keep their index.
    for number in sorted(state.markers, key=lambda n: state.markers[n], reverse=True):
        reader = state.attachments[number].pdf
        assert reader is not None
        at = state.markers[number]  # 1-based page number == 0-based index after it
        for offset, page in enumerate(reader.pages):
            writer.insert_page(page, at + offset)
    for number, rl_page in state.markers.items():
        first = state.page_map[rl_page] + 1
        stamped.extend(range(first, first + state.attachments[number].pages))
    stamped.sort()
    for page_number in stamped:
        target = writer.pages[page_number - 1]
        if target.rotation:  # so the header is drawn upright, as the page is shown
            target.transfer_rotation_to_content()
    overlay = _header_overlay(state, writer, stamped)
    for page_number, stamp in zip(stamped, overlay.pages, strict=True):
        target = writer.pages[page_number - 1]
        box = target.mediabox
        target.merge_translated_page(stamp, float(box.left), float(box.bottom))
    writer.add_metadata(
        {
            "/Producer": "appeal-kit (reportlab, pypdf)",
            "/Title": state.title,
        }
    )
    from appeal_kit.dossier import deterministic_id

    file_id = deterministic_id(data, *(a.sha256.encode() for a in state.attachments))
    # pypdf has no public setter; a content-derived id keeps the output reproducible.
    writer._ID = ArrayObject([ByteStringObject(file_id), ByteStringObject(file_id)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _header_overlay(state: RenderState, writer: PdfWriter, pages: list[int]) -> PdfReader:
    """One overlay page per appended page, its size, with only the header on it."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for number in pages:
        target = writer.pages[number - 1]
        box = target.mediabox
        width, height = float(box.width), float(box.height)
        canvas.setPageSize((width, height))
        draw_page_furniture(
            canvas,
            state,
            f"Page {number} of {state.total_pages}",
            page_w=width,
            page_h=height,
            outlined=True,
        )
        canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue()))

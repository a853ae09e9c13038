"""The dossier's engine: decode once, lay out once, append supporting PDFs.

Layout runs once. Each page shows a form XObject for its header and footer; the
forms are drawn after layout, when the page count and the place of each
supporting PDF are known, so "Page n of N" needs no second pass. Images are
decoded once, before layout, at the size the page needs.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject
from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from appeal_kit.dossier.bilingual import joined, words
from appeal_kit.dossier.blocks import DRAFT_MARK, draw_draft_mark
from appeal_kit.dossier.content import DossierContent, DossierInfo, deterministic_id, document_title
from appeal_kit.dossier.pages import build_story
from appeal_kit.dossier.sanitize import flatten_fields, inert_page
from appeal_kit.dossier.state import (
    Attachment,
    RenderState,
    ThumbnailPair,
    jpeg_bytes,
    page_words,
)
from appeal_kit.dossier.style import (
    BODY,
    BOLD,
    CJK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_SIZES,
    RULE,
    pdf_settings,
    register_fonts,
    split_runs,
    styles,
    zone,
)
from appeal_kit.errors import InputFileError
from appeal_kit.evidence.images import (
    PAGE_ONE_NOTE,
    Problem,
    check_file,
    describe_error,
    frame_count,
    open_image,
    sha256_file,
)
from appeal_kit.evidence.raw import embedded_thumbnail, upright_thumbnail
from appeal_kit.fsutil import atomic_write_bytes
from appeal_kit.i18n import __
from appeal_kit.i18n.document import N_
from appeal_kit.models import ExcludedFile, ImageMetadata


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
                    Problem(
                        __("is password-protected"), __("save an unprotected copy and build again")
                    )
                )
            pages = len(reader.pages)
            for page in reader.pages:
                _ = page.mediabox  # touch every page now, so a broken one fails here
        except Exception as exc:  # pypdf raises many types for damaged files
            return unusable(
                Problem(
                    __("cannot be read as a PDF ({type})", type=type(exc).__name__),
                    __("export it again and build again"),
                )
            )
        if pages == 0:
            return unusable(Problem(__("is a PDF with no pages")))
        return Attachment(path, display, digest, "pdf", pages=pages, pdf=reader)
    try:
        loaded = open_image(path, max_side=max_side)
    except InputFileError as exc:
        return unusable(describe_error(exc))
    pages = frame_count(path) if kind == "TIFF" else 1
    return Attachment(
        path,
        display,
        digest,
        "image",
        jpeg=jpeg_bytes(loaded.image),
        pixel_size=(loaded.full_width, loaded.full_height),
        # A multi-page scan shows its first page; say so rather than let it pass as whole.
        note=PAGE_ONE_NOTE.format(kind=kind, pages=f"{pages:,}") if pages > 1 else "",
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


def text_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` as ``draw_text`` draws it (Chinese runs in the CJK face)."""
    return float(sum(stringWidth(t, CJK if f else font, size) for t, f in split_runs(text)))


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
        # "卖家 ID / seller id cn1520394417": the id once, its name in each language.
        seller_id = joined(state, N_("seller id"))  # never N_ inside an f-string: Babel skips it
        seller = f"{seller_id} {case.seller_id}" if case.seller_id else ""
        who = " · ".join(x for x in (case.store, seller) if x)
        # One line per language, right-aligned above each other, so it never meets ``who``.
        notes = [
            text
            for _, text in words(state, N_("SHA-256 of every input: see the manifest at the end"))
        ]
        canvas.setLineWidth(0.5)
        canvas.line(left, 12 * mm, right, 12 * mm)
        note_w = max(text_width(note, BODY, 7) for note in notes)
        for line, note in enumerate(notes):
            draw_text(canvas, right, (8 - 3.2 * line) * mm, note, BODY, 7, right=True)
        draw_text(canvas, left, 8 * mm, who, BODY, 7, max_width=right - left - note_w - 12)
    if state.content.draft:
        draw_draft_mark(canvas, page_w, page_h, joined(state, DRAFT_MARK))
    canvas.restoreState()


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
        # The PDF's language for screen readers and search: its first language.
        lang="zh-CN" if state.content.language.startswith("zh") else "en",
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
        # "Page n of N" is not known yet (N, and n after an appended PDF): the page
        # shows a form that ``_draw_furniture_forms`` fills in once layout is done.
        canvas.saveState()  # the form draws in a graphics state of its own
        canvas.doForm(_furniture_form(canvas.getPageNumber()))
        canvas.restoreState()

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    state.markers = {}
    # One layout pass: the canvas is saved here, after the forms, not by build().
    doc._doSave = 0
    with _binary_images(), pdf_settings(case):
        doc.build(story_factory(state))
        _number_pages(state, doc.page)
        _draw_furniture_forms(doc.canv, state, doc.page)
        doc.canv.save()
    return buffer.getvalue(), doc.page


def _furniture_form(rl_page: int) -> str:
    return f"furniture{rl_page}"


def _number_pages(state: RenderState, rl_pages: int) -> None:
    """Final page numbers: each supporting PDF's pages go after its divider page."""
    appended = {n: state.attachments[n].pages for n in state.markers}
    shift = 0
    for page in range(1, rl_pages + 1):
        state.page_map[page] = page + shift
        shift += sum(count for n, count in appended.items() if state.markers[n] == page)
    state.total_pages = rl_pages + sum(appended.values())


def _draw_furniture_forms(canvas: Canvas, state: RenderState, rl_pages: int) -> None:
    """Header and footer of every laid-out page, as the form that page already shows."""
    for page in range(1, rl_pages + 1):
        canvas.beginForm(_furniture_form(page))
        draw_page_furniture(
            canvas, state, state.page_label(page), page_w=state.page_w, page_h=state.page_h
        )
        canvas.endForm()


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
    what = (
        N_("Evidence dossier for complaint {case}")
        if case.mode == "complaint"
        else N_("Evidence dossier for image-theft appeal {case}")
    )
    parts = [joined(state, what, case=case.title)]
    if case.store:
        parts.append(joined(state, N_("store {store}"), store=case.store))
    if case.platform:
        parts.append(joined(state, N_("platform {platform}"), platform=case.platform))
    return ", ".join(parts)


def _keywords(state: RenderState) -> list[str]:
    case = state.content.case
    found = ["appeal-kit", joined(state, N_("evidence dossier")), case.platform, case.case_id]
    return [w for w in [*found, case.violation] if w]


def render_pdf(content: DossierContent) -> tuple[bytes, int, int, list[ExcludedFile]]:
    """The finished PDF bytes, page count, appended page count and document problems."""
    state = prepare(content)
    data, rl_pages = _build(state, build_story)
    appended = {n: state.attachments[n].pages for n in state.markers}
    if not appended:
        return data, rl_pages, 0, state.problems
    merged = _append_pdfs(data, state)
    return merged, rl_pages + sum(appended.values()), sum(appended.values()), state.problems


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
            # Pages to look at, not programs to run: see dossier.sanitize.
            fields = inert_page(page)
            flatten_fields(writer, writer.insert_page(page, at + offset), fields)
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

    file_id = deterministic_id(data, *(a.sha256.encode() for a in state.attachments))
    # pypdf has no public setter; a content-derived id keeps the output reproducible.
    writer._ID = ArrayObject([ByteStringObject(file_id), ByteStringObject(file_id)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _header_overlay(state: RenderState, writer: PdfWriter, pages: list[int]) -> PdfReader:
    """One overlay page per appended page, its size, with only the header on it."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, initialFontName=BODY)  # never unembedded Helvetica
    for number in pages:
        target = writer.pages[number - 1]
        box = target.mediabox
        width, height = float(box.width), float(box.height)
        canvas.setPageSize((width, height))
        draw_page_furniture(
            canvas,
            state,
            page_words(state.content.language, number, state.total_pages or number),
            page_w=width,
            page_h=height,
            outlined=True,
        )
        canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue()))


def write_dossier(content: DossierContent, out_path: Path) -> DossierInfo:
    """Write the dossier PDF to ``out_path`` (atomically) and describe it.

    Raises ``ValueError`` for an unknown page size; input problems never raise:
    a supporting document that cannot be read is listed in the PDF instead.
    """
    data, page_count, appended, problems = render_pdf(content)
    atomic_write_bytes(out_path, data)
    out_path.chmod(0o644)  # temp files are private; the dossier is meant to be shared
    return DossierInfo(
        path=out_path,
        page_count=page_count,
        size_bytes=len(data),
        appended_pages=appended,
        problems=problems,
    )

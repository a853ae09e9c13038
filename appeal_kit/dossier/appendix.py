"""The dossier's closing parts: supporting documents, excluded files, the manifest."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, PageBreak, Paragraph, Spacer

from appeal_kit.dossier.bilingual import para
from appeal_kit.dossier.blocks import cells, grid, part_heading, scaled
from appeal_kit.dossier.sanitize import removed_content
from appeal_kit.dossier.state import Marker
from appeal_kit.dossier.style import fit_box, markup, plural
from appeal_kit.i18n import english
from appeal_kit.i18n.document import N_, TextLang, translate

if TYPE_CHECKING:
    from appeal_kit.dossier.state import Attachment, RenderState


def documents_part(state: RenderState) -> list[Flowable]:
    """Certificates and licences: images on their own page, PDFs appended after a divider."""
    st = state.styles
    flow = part_heading(state, 7)
    usable = [a for a in state.attachments if a.kind != "unusable"]
    if not state.attachments:
        flow.append(Paragraph("No supporting documents were supplied.", st.body))
        return [*flow, PageBreak()]
    rows = [cells(state, ["Document", "Kind", "SHA-256"], head=True)]
    for item in state.attachments:
        kind = {
            "pdf": f"PDF, {plural(item.pages, 'page')}, appended"
            + (", active content removed" if removed_of(item) else " unchanged"),
            "image": f"image, {item.pixel_size[0]:,} × {item.pixel_size[1]:,} px",
            # Console text (Chinese in a Chinese terminal): the dossier keeps its English.
            "unusable": f"not included: {english(item.error)}",
        }[item.kind]
        rows.append(cells(state, [item.display, kind, item.sha256 or "—"]))
    flow.append(grid(rows, scaled([2.2, 2.4, 3.2], state.frame_w)))
    if not usable:
        return [*flow, PageBreak()]
    flow.append(PageBreak())
    for number, item in enumerate(state.attachments):
        if item.kind == "unusable":
            continue
        title = f"Document: {item.display}"
        flow.append(Paragraph(markup(title), st.h2))
        flow.append(Paragraph(markup(f"SHA-256 {item.sha256}"), st.small))
        if item.note:
            flow.append(Paragraph(markup(item.note), st.body))
        if item.kind == "image" and item.jpeg is not None:
            # The note (two lines at most) shares the page with the picture.
            room_h = state.frame_h - 48 - (36 if item.note else 0)
            width, height = fit_box(item.pixel_size[0], item.pixel_size[1], state.frame_w, room_h)
            picture = Image(io.BytesIO(item.jpeg), width=width, height=height)
            flow += [Spacer(1, 3 * mm), picture, PageBreak()]
        else:
            flow.append(Spacer(1, 4 * mm))
            removed = removed_of(item)
            if removed:
                flow += para(
                    state,
                    REMOVED_ONE if item.pages == 1 else REMOVED_MANY,
                    st.body,
                    pages=item.pages,
                    what=_labels(removed),
                )
            else:
                flow.append(Paragraph(markup(_divider_text(item.pages)), st.body))
            flow += [Marker(state, number), PageBreak()]
    return flow


def removed_of(item: Attachment) -> list[str]:
    """What appending this PDF leaves out (JavaScript, actions, forms...); see sanitize."""
    return removed_content(item.pdf) if item.pdf is not None else []


REMOVED_ONE = N_(
    "The single page of this PDF follows as it looks; the page header of this dossier "
    "is printed on it. Removed for the reader's safety: {what}."
)
REMOVED_MANY = N_(
    "The {pages} pages of this PDF follow as they look; the page header of this dossier "
    "is printed on them. Removed for the reader's safety: {what}."
)


def _labels(removed: list[str]) -> Callable[[TextLang], str]:
    """The removed kinds (``sanitize`` labels) as one field, in the page's language."""
    return lambda lang: "; ".join(translate(label, lang) for label in removed)


def _divider_text(pages: int) -> str:
    """The divider's note for a PDF with nothing to remove: the pages follow unchanged."""
    if pages == 1:
        return (
            "The single page of this PDF follows unchanged; only the page header "
            "of this dossier is printed on it."
        )
    return (
        f"The {pages} pages of this PDF follow unchanged; only the page header "
        "of this dossier is printed on them."
    )


def excluded_part(state: RenderState) -> list[Flowable]:
    """Every input that was not used, with the reason."""
    st = state.styles
    flow = part_heading(state, 8)
    excluded = sorted(
        [*state.content.excluded, *state.problems], key=lambda e: (e.display_path, e.role)
    )
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in excluded:
        if (item.display_path, item.reason) not in seen:
            seen.add((item.display_path, item.reason))
            unique.append(item)
    if not unique:
        flow.append(Paragraph("None: every input file was used.", st.body))
        return flow
    flow.append(
        Paragraph(
            markup(
                f"{plural(len(unique), 'input file')} could not be used. They are still listed in the manifest."
            ),
            st.body,
        )
    )
    rows = [cells(state, ["File", "Role", "Reason"], head=True)]
    # The reviewer needs the reason only; the seller's fix is in the terminal and manifest.
    rows += [cells(state, [e.display_path, e.role, english(e.reason)]) for e in unique]
    flow.append(grid(rows, scaled([2.6, 1.0, 4.4], state.frame_w)))
    return flow


def manifest_part(state: RenderState) -> list[Flowable]:
    """SHA-256 and size of every input, so anyone can check nothing was changed."""
    st = state.styles
    flow = [Spacer(1, 6 * mm), *part_heading(state, 9)]
    flow.append(
        Paragraph(
            "The SHA-256 of every input file. To check a file: <b>sha256sum FILE</b> (Linux), "
            "<b>shasum -a 256 FILE</b> (macOS) or <b>certutil -hashfile FILE SHA256</b> (Windows); "
            "the result must equal the value below.",
            st.body,
        )
    )
    entries = sorted(state.content.manifest_entries)
    if not entries:
        flow.append(Paragraph("No input files.", st.body))
        return flow
    rows = [cells(state, ["File", "Bytes", "SHA-256"], head=True)]
    for display, digest, size in entries:
        rows.append(
            [
                *cells(state, [display, f"{size:,}"]),
                Paragraph(markup(digest), st.mono),
            ]
        )
    flow.append(grid(rows, scaled([2.8, 1.0, 4.4], state.frame_w)))
    return flow

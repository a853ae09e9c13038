"""The dossier's closing parts: supporting documents, excluded files, the manifest."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, PageBreak, Paragraph, Spacer

from appeal_kit.dossier.bilingual import Versions, para, paragraphs, values, words
from appeal_kit.dossier.blocks import cells, grid, part_heading, scaled
from appeal_kit.dossier.sanitize import removed_content
from appeal_kit.dossier.state import Marker
from appeal_kit.dossier.style import fit_box, markup, short_hash
from appeal_kit.i18n.document import N_, TextLang, retell, translate

if TYPE_CHECKING:
    from appeal_kit.dossier.state import Attachment, RenderState


def documents_part(state: RenderState) -> list[Flowable]:
    """Certificates and licences: images on their own page, PDFs appended after a divider."""
    st = state.styles
    flow = part_heading(state, 7)
    usable = [a for a in state.attachments if a.kind != "unusable"]
    if not state.attachments:
        flow += para(state, N_("No supporting documents were supplied."), st.body)
        return [*flow, PageBreak()]
    rows = [cells(state, [N_("Document"), N_("Kind"), N_("SHA-256")], head=True)]
    for item in state.attachments:
        rows.append(
            cells(state, [item.display, _kind(state, item), short_hash(item.sha256) or "—"])
        )
    flow.append(grid(rows, scaled([2.2, 2.4, 3.2], state.frame_w)))
    if not usable:
        return [*flow, PageBreak()]
    # The first document follows the table on its page when it fits there (a PDF's
    # divider always does; an image when most of the page is left): no near-empty pages.
    used: float | None = _height(state, flow) + 8 * mm
    for number, item in enumerate(state.attachments):
        if item.kind == "unusable":
            continue
        head = para(state, N_("Document: {name}"), st.h2, name=item.display)
        head.append(Paragraph(markup(f"SHA-256 {item.sha256}"), st.small))
        if item.note:
            head += paragraphs(_retold(state, item.note), st.body)  # console text
        # The heading, its hash and note share the page with the picture, as laid out.
        room_h = state.frame_h - _height(state, head) - 3 * mm - 12
        if used is not None:
            shared = room_h - used
            if item.kind == "image" and shared < 0.6 * state.frame_h:
                flow.append(PageBreak())
            else:
                flow.append(Spacer(1, 8 * mm))
                room_h = shared
            used = None
        flow += head
        if item.kind == "image" and item.jpeg is not None:
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
                flow += para(
                    state,
                    N_(
                        "The single page of this PDF follows unchanged; only the page header "
                        "of this dossier is printed on it."
                    )
                    if item.pages == 1
                    else N_(
                        "The {count} pages of this PDF follow unchanged; only the page header "
                        "of this dossier is printed on them."
                    ),
                    st.body,
                    count=item.pages,
                )
            flow += [Marker(state, number), PageBreak()]
    return flow


def _height(state: RenderState, flow: list[Flowable]) -> float:
    """Height of ``flow`` laid out across the frame, with each paragraph's spacing."""
    total = 0.0
    for item in flow:
        total += item.wrap(state.frame_w, state.frame_h)[1]
        total += item.getSpaceBefore() + item.getSpaceAfter()
    return total


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


def _kind(state: RenderState, item: Attachment) -> Versions:
    """What a supporting document is and what became of it, in the dossier's language(s)."""
    if item.kind == "image":
        w, h = item.pixel_size
        return words(state, N_("image, {w} × {h} px"), w=f"{w:,}", h=f"{h:,}")
    if item.kind == "unusable":
        error = item.error or ""  # console text, said again in the dossier's language(s)
        return words(state, N_("not included: {reason}"), reason=lambda lang: retell(error, lang))
    removed = bool(removed_of(item))
    if item.pages == 1:
        message = (
            N_("PDF, 1 page, appended, active content removed")
            if removed
            else N_("PDF, 1 page, appended unchanged")
        )
    else:
        message = (
            N_("PDF, {count} pages, appended, active content removed")
            if removed
            else N_("PDF, {count} pages, appended unchanged")
        )
    return words(state, message, count=f"{item.pages:,}")


def _retold(state: RenderState, text: str) -> Versions:
    """Console text (an exclusion reason) said again in the dossier's language(s)."""
    return values(state, lambda lang: retell(text, lang))


ROLES = {"original": N_("original"), "document": N_("document")}
# The accused/ folder holds the other side's images: in an appeal the reviewer knows
# them as the complainant's listing, in a complaint as the infringing listing; "accused"
# would point at the seller who appeals.
OTHER_SIDE = {"appeal": N_("complainant's listing"), "complaint": N_("infringing listing")}


def _role(state: RenderState, role: str) -> str:
    if role == "accused":
        return OTHER_SIDE["complaint" if state.content.case.mode == "complaint" else "appeal"]
    return ROLES.get(role, role)


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
        flow += para(state, N_("None: every input file was used."), st.body)
        return flow
    flow += para(
        state,
        N_("1 input file could not be used. It is still listed in the manifest.")
        if len(unique) == 1
        else N_("{count} input files could not be used. They are still listed in the manifest."),
        st.body,
        count=f"{len(unique):,}",
    )
    rows = [cells(state, [N_("File"), N_("Role"), N_("Reason")], head=True)]
    # The reviewer needs the reason only; the seller's fix is in the terminal and manifest.
    # Reasons are console text: said again in the dossier's language(s).
    rows += [
        cells(
            state,
            [
                e.display_path,
                words(state, _role(state, e.role)),
                _retold(state, e.reason),
            ],
        )
        for e in unique
    ]
    flow.append(grid(rows, scaled([2.6, 1.6, 3.8], state.frame_w)))
    return flow


def manifest_part(state: RenderState) -> list[Flowable]:
    """SHA-256 and size of every input, so anyone can check nothing was changed."""
    st = state.styles
    flow = [Spacer(1, 6 * mm), *part_heading(state, 9)]
    # The commands are fields: typed as they are in every language, and set in bold.
    commands = {
        "linux": "sha256sum FILE",
        "mac": "shasum -a 256 FILE",
        "windows": "certutil -hashfile FILE SHA256",
    }

    def bold_commands(text: str) -> str:
        out = markup(text)
        for command in commands.values():
            out = out.replace(markup(command), f"<b>{markup(command)}</b>")
        return out

    versions = words(
        state,
        N_(
            "The SHA-256 of every input file. To check a file: {linux} (Linux), {mac} (macOS) "
            "or {windows} (Windows); the result must equal the value below."
        ),
        **commands,
    )
    flow += paragraphs(versions, st.body, render=bold_commands)
    entries = sorted(state.content.manifest_entries)
    if not entries:
        flow += para(state, N_("No input files."), st.body)
        return flow
    rows = [cells(state, [N_("File"), N_("Bytes"), N_("SHA-256")], head=True)]
    for display, digest, size in entries:
        rows.append(
            [
                *cells(state, [display, f"{size:,}"]),
                Paragraph(split_digest(digest), st.mono),
            ]
        )
    flow.append(grid(rows, scaled([2.8, 1.0, 4.4], state.frame_w)))
    return flow


def split_digest(digest: str) -> str:
    """A SHA-256 as two fixed halves of 32 hex digits, one per line (Paragraph markup).

    No monospaced font is bundled, and 64 digits do not fit the column in Vera, so
    the cell broke them wherever the proportional widths ran out; two fixed halves
    copy and compare the same way in every row and every viewer.
    """
    half = len(digest) // 2
    if len(digest) != 64:
        return markup(digest)
    return f"{markup(digest[:half])}<br/>{markup(digest[half:])}"

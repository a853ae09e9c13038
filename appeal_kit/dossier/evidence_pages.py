"""Part 3 of the dossier: our originals, and the ones edited since capture.

The table lists every usable original; notes under it state checkable facts. An
original whose embedded EXIF thumbnail (written by the camera at capture) shows a
different picture than the image was edited afterwards; issue #4 asks for both
pictures side by side so a reviewer sees the edit instead of taking our word.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from appeal_kit.dossier.bilingual import first
from appeal_kit.dossier.blocks import cells, grid, part_heading, scaled
from appeal_kit.dossier.style import markup, short_hash, show_time
from appeal_kit.i18n import english
from appeal_kit.i18n.document import N_
from appeal_kit.models import ImageMetadata

if TYPE_CHECKING:
    from appeal_kit.dossier.state import RenderState, ThumbnailPair

EMBEDDED_CAPTION = "Embedded EXIF thumbnail (written by the camera at capture)"
CURRENT_CAPTION = "The image as it is now"
# Both pictures stand this tall unless the pair is too wide for the frame.
PAIR_HEIGHT = 55 * mm
PAIR_GAP = 6 * mm


def evidence_part(state: RenderState) -> list[Flowable]:
    """Table of every usable original: hash, capture time, camera, serial, size."""
    content, st = state.content, state.styles
    flow = part_heading(state, 3)
    # Only what every file shows: whether each is as the camera wrote it is in the notes.
    flow.append(
        Paragraph(
            markup(
                first(
                    state,
                    N_(
                        "Our originals as supplied. Each file's full SHA-256 is in the manifest "
                        "at the end; capture times are as recorded in the file, with the tag "
                        "they come from. The notes below say which files are as the camera "
                        "wrote them."
                    ),
                )
            ),
            st.small,
        )
    )
    rule = content.facts.get("time-rule") if content.facts is not None else None
    if rule is not None:
        flow.append(Paragraph(markup(rule.sentence), st.small))
    flow.append(Spacer(1, 3 * mm))
    heads = ["File", "SHA-256 (start)", "Captured (tag)", "Camera", "Serial", "Pixels"]
    # Sized so a camera file name, a date with its offset and a serial each fit one line.
    widths = [99.0, 53.0, 142.0, 64.0, 67.0, 64.0]
    if content.include_gps:
        heads.append("GPS")
        widths.append(70.0)
    rows = [cells(state, heads, head=True)]
    originals = sorted(content.originals, key=lambda m: m.display_path)
    for meta in originals:
        row = [
            meta.display_path,
            short_hash(meta.sha256, 8),  # in full in the manifest
            _captured(meta),
            meta.camera or "—",
            meta.serial or "—",
            f"{meta.width:,} × {meta.height:,}" if meta.width and meta.height else "—",
        ]
        if content.include_gps:
            row.append(f"{meta.gps[0]:.5f}, {meta.gps[1]:.5f}" if meta.gps else "none")
        rows.append(cells(state, row))
    if originals:
        flow.append(grid(rows, scaled(widths, state.frame_w)))
    else:
        flow.append(Paragraph("No usable original was supplied.", st.body))
    notes = _original_notes(originals)
    if notes:
        flow += [Spacer(1, 4 * mm), Paragraph("Notes on the originals", st.h3)]
        flow += [Paragraph(markup(note), st.bullet, bulletText="•") for note in notes]
    if not content.include_gps:
        flow += [
            Spacer(1, 3 * mm),
            Paragraph("GPS positions are left out of this dossier for privacy.", st.small),
        ]
    flow += thumbnail_mismatch_part(state)
    return [*flow, PageBreak()]


def _captured(meta: ImageMetadata) -> str:
    if meta.captured_at is None:
        return "no capture time"
    text = show_time(meta.captured_at, seconds=True)
    if meta.captured_at.tzinfo is None:
        text += " (no offset)"
    return text + (f" ({meta.captured_at_tag})" if meta.captured_at_tag else "")


def _original_notes(originals: list[ImageMetadata]) -> list[str]:
    """Positive, checkable facts about the files (the seller's warnings stay in the terminal).

    The same fact about several files is one note naming them all, not one line each.
    """
    grouped: dict[str, list[str]] = {}
    for meta in originals:
        if meta.thumbnail_matches is True:
            fact = "the embedded thumbnail matches the image: not re-framed since capture"
            grouped.setdefault(fact, []).append(meta.display_path)
        elif meta.thumbnail_matches is False:
            fact = "the embedded thumbnail differs from the image: it was edited after capture"
            grouped.setdefault(fact, []).append(meta.display_path)
        for finding in meta.findings:
            if finding.severity == "info":
                # Console text (Chinese in a Chinese terminal): the dossier keeps its English.
                message = english(finding.message)
                grouped.setdefault(message.rstrip("."), []).append(meta.display_path)
    notes = []
    for fact, paths in grouped.items():
        who = (
            paths[0]
            if len(paths) == 1
            else (
                "all " + str(len(paths)) + " originals"
                if len(paths) == len(originals)
                else ", ".join(paths)
            )
        )
        notes.append(
            f"{who[0].upper()}{who[1:]}: {fact}." if who.startswith("all") else f"{who}: {fact}."
        )
    return notes


def thumbnail_mismatch_part(state: RenderState) -> list[Flowable]:
    """Each original whose EXIF thumbnail differs: the thumbnail beside the image now."""
    if not state.thumbnail_pairs:
        return []
    st = state.styles
    by_path = {m.path: m for m in state.content.originals}
    flow: list[Flowable] = [
        Spacer(1, 5 * mm),
        Paragraph("Originals whose embedded thumbnail differs", st.h3),
        Paragraph(
            "A camera writes a small preview of each photo into the file when it takes it. "
            "Editing software usually changes the picture and keeps the old preview, so where "
            "the two differ, the file was edited after capture.",
            st.small,
        ),
    ]
    for path, pair in state.thumbnail_pairs.items():
        name = Paragraph(markup(by_path[path].display_path), st.cell_bold)
        if pair is None:
            note = "The two pictures could not be decoded for display."
            flow.append(KeepTogether([Spacer(1, 3 * mm), name, Paragraph(note, st.small)]))
            continue
        flow.append(
            KeepTogether([Spacer(1, 3 * mm), name, Spacer(1, 1.5 * mm), _pair_table(state, pair)])
        )
    return flow


def pair_sizes(
    embedded: tuple[int, int], current: tuple[int, int], frame_w: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Display sizes (points) of both pictures: one height, together within ``frame_w``."""
    aspects = [w / max(1, h) for w, h in (embedded, current)]
    height = min(PAIR_HEIGHT, (frame_w - PAIR_GAP) / sum(aspects))
    return (aspects[0] * height, height), (aspects[1] * height, height)


def _pair_table(state: RenderState, pair: ThumbnailPair) -> Table:
    st = state.styles
    sizes = pair_sizes(pair.embedded[1], pair.current[1], state.frame_w)
    pictures = [
        Image(io.BytesIO(data), width=w, height=h)
        for (data, _pixels), (w, h) in zip((pair.embedded, pair.current), sizes, strict=True)
    ]
    captions = [
        Paragraph(markup(EMBEDDED_CAPTION), st.small),
        Paragraph(markup(CURRENT_CAPTION), st.small),
    ]
    widths = [sizes[0][0] + PAIR_GAP / 2, sizes[1][0] + PAIR_GAP / 2]
    table = Table([pictures, captions], colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, 0), "LEFT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAIR_GAP / 2),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 2),
            ]
        )
    )
    return table

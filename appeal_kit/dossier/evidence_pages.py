"""Part 3 of the dossier: our originals, and the ones edited since capture.

The table lists every usable original; notes under it state checkable facts. An
original whose embedded EXIF thumbnail (written by the camera at capture) shows a
different picture than the image was edited afterwards; issue #4 asks for both
pictures side by side so a reviewer sees the edit instead of taking our word.
"""

from __future__ import annotations

import io
from collections.abc import Callable
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

from appeal_kit.dossier.bilingual import (
    Versions,
    fact_versions,
    label,
    moment,
    para,
    paragraphs,
    values,
    words,
)
from appeal_kit.dossier.blocks import cells, grid, part_heading, scaled
from appeal_kit.dossier.style import markup, short_hash
from appeal_kit.i18n import english
from appeal_kit.i18n.document import N_, TextLang, retell, translate
from appeal_kit.models import ImageMetadata

if TYPE_CHECKING:
    from appeal_kit.dossier.state import RenderState, ThumbnailPair

EMBEDDED_CAPTION = N_("Embedded EXIF thumbnail (written by the camera at capture)")
CURRENT_CAPTION = N_("The image as it is now")
# Both pictures stand this tall unless the pair is too wide for the frame.
PAIR_HEIGHT = 55 * mm
PAIR_GAP = 6 * mm


def evidence_part(state: RenderState) -> list[Flowable]:
    """Table of every usable original: hash, capture time, camera, serial, size."""
    content, st = state.content, state.styles
    flow = part_heading(state, 3)
    # Only what every file shows: whether each still matches its camera thumbnail is in the notes.
    flow += para(
        state,
        N_(
            "Our originals as supplied. Each file's full SHA-256 is in the manifest "
            "at the end; capture times are as recorded in the file, with the tag "
            "they come from. The notes below say which files still match the "
            "thumbnail the camera embedded in them."
        ),
        st.small,
    )
    rule = content.facts.get("time-rule") if content.facts is not None else None
    if rule is not None:
        flow += paragraphs(fact_versions(state, rule), st.small)
    flow.append(Spacer(1, 3 * mm))
    heads: list[str | Versions] = [
        N_("File"),
        N_("SHA-256 (start)"),
        N_("Captured (tag)"),
        N_("Camera"),
        N_("Serial"),
        N_("Pixels"),
    ]
    # Sized so a camera file name, a date with its offset and a serial each fit one line.
    widths = [99.0, 53.0, 142.0, 64.0, 67.0, 64.0]
    if content.include_gps:
        heads.append(N_("GPS"))
        widths.append(70.0)
    rows = [cells(state, heads, head=True)]
    originals = sorted(content.originals, key=lambda m: m.display_path)
    for meta in originals:
        row: list[str | Versions] = [
            meta.display_path,
            short_hash(meta.sha256, 8),  # in full in the manifest
            values(state, _captured(meta)),
            meta.camera or "—",
            meta.serial or "—",
            f"{meta.width:,} × {meta.height:,}" if meta.width and meta.height else "—",
        ]
        if content.include_gps:
            row.append(
                f"{meta.gps[0]:.5f}, {meta.gps[1]:.5f}" if meta.gps else words(state, N_("none"))
            )
        rows.append(cells(state, row))
    if originals:
        flow.append(grid(rows, scaled(widths, state.frame_w)))
    else:
        flow += para(state, N_("No usable original was supplied."), st.body)
    notes = _original_notes(state, originals)
    if notes:
        flow += [Spacer(1, 4 * mm), *para(state, N_("Notes on the originals"), st.h3)]
        flow += [item for note in notes for item in paragraphs(note, st.bullet, bullet="•")]
    # Said only when a position is actually left out: with none recorded, the
    # sentence would suggest that something is being withheld.
    if not content.include_gps and any(m.has_gps or m.gps is not None for m in originals):
        flow += [
            Spacer(1, 3 * mm),
            *para(state, N_("GPS positions are left out of this dossier for privacy."), st.small),
        ]
    flow += thumbnail_mismatch_part(state)
    return [*flow, PageBreak()]


def _captured(meta: ImageMetadata) -> Callable[[TextLang], str]:
    """Capture time as recorded, with its tag: 2024-03-10 14:02:11 +08:00 (EXIF:...)."""
    taken, tag = meta.captured_at, meta.captured_at_tag

    def text(lang: TextLang) -> str:
        if taken is None:
            return translate(N_("no capture time"), lang)
        shown = moment(taken, seconds=True)(lang)
        if taken.tzinfo is None:
            shown = translate(N_("{time} (no offset)"), lang, time=shown)
        return translate(N_("{time} ({tag})"), lang, time=shown, tag=tag) if tag else shown

    return text


MATCHES = N_("the embedded thumbnail matches the image: not re-framed since capture")
DIFFERS = N_("the embedded thumbnail differs from the image: it was edited after capture")


def _original_notes(state: RenderState, originals: list[ImageMetadata]) -> list[Versions]:
    """Positive, checkable facts about the files (the seller's warnings stay in the terminal).

    The same fact about several files is one note naming them all, not one line each.
    Findings are console text, said again in the dossier's language(s).
    """
    grouped: dict[str, tuple[object, list[str]]] = {}
    for meta in originals:
        if meta.thumbnail_matches is True:
            grouped.setdefault(MATCHES, (MATCHES, []))[1].append(meta.display_path)
        elif meta.thumbnail_matches is False:
            grouped.setdefault(DIFFERS, (DIFFERS, []))[1].append(meta.display_path)
        for finding in meta.findings:
            if finding.severity == "info":
                key = english(finding.message)
                grouped.setdefault(key, (finding.message, []))[1].append(meta.display_path)
    notes = []
    for fact, paths in grouped.values():

        def said(lang: TextLang, fact: object = fact) -> str:
            return (
                translate(fact, lang) if fact in (MATCHES, DIFFERS) else retell(fact, lang)
            ).rstrip(".。")

        if len(paths) > 1 and len(paths) == len(originals):
            notes.append(
                words(state, N_("All {count} originals: {fact}."), count=len(paths), fact=said)
            )
        else:
            notes.append(words(state, N_("{files}: {fact}."), files=", ".join(paths), fact=said))
    return notes


def thumbnail_mismatch_part(state: RenderState) -> list[Flowable]:
    """Each original whose EXIF thumbnail differs: the thumbnail beside the image now."""
    if not state.thumbnail_pairs:
        return []
    st = state.styles
    by_path = {m.path: m for m in state.content.originals}
    flow: list[Flowable] = [
        Spacer(1, 5 * mm),
        *para(state, N_("Originals whose embedded thumbnail differs"), st.h3),
        *para(
            state,
            N_(
                "A camera writes a small preview of each photo into the file when it takes it. "
                "Editing software usually changes the picture and keeps the old preview, so where "
                "the two differ, the file was edited after capture."
            ),
            st.small,
        ),
    ]
    for path, pair in state.thumbnail_pairs.items():
        name = Paragraph(markup(by_path[path].display_path), st.cell_bold)
        if pair is None:
            note = para(state, N_("The two pictures could not be decoded for display."), st.small)
            flow.append(KeepTogether([Spacer(1, 3 * mm), name, *note]))
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
        Paragraph(label(words(state, EMBEDDED_CAPTION)), st.small),
        Paragraph(label(words(state, CURRENT_CAPTION)), st.small),
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

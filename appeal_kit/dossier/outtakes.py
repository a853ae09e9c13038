"""Part 5 of the dossier: other frames from our shoots, as a contact sheet.

Frames of the shoots of our confirmed originals (``rules.outtake_frames``, as
``check`` counts them) that are in no comparison: only the photographer holds the
whole shoot. A frame the matcher found also agreeing, less closely, with one of
their images is said to, not counted as matching none.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, PageBreak, Paragraph, Spacer, Table, TableStyle

from appeal_kit.dossier.bilingual import label, moment, para, phrase, values, words
from appeal_kit.dossier.blocks import part_heading
from appeal_kit.dossier.rules import (
    confirmed_originals,
    frame_shoots,
    outtake_frames,
    roles_for,
    shoot_days,
)
from appeal_kit.dossier.style import fit_box, markup
from appeal_kit.dossier.timeline import aware
from appeal_kit.i18n.console import english
from appeal_kit.i18n.document import N_, TextLang
from appeal_kit.models import ImageMetadata

if TYPE_CHECKING:
    from appeal_kit.dossier.state import RenderState

COLUMNS = 4


def outtakes_part(state: RenderState) -> list[Flowable]:
    """Contact sheet of frames from our shoots that match no accused image."""
    content, st = state.content, state.styles
    flow = part_heading(state, 6)
    frames = sorted(
        outtake_frames(content.shoots, content.matches),
        key=lambda m: (m.captured_at is None, _sort_time(m), m.display_path),
    )
    if not frames and not confirmed_originals(content.matches):
        # Shoots are shown only as the shoots of a confirmed copy's original.
        flow += para(
            state,
            N_(
                "No image of {listing} is confirmed as a copy of our originals, so no frames "
                "are shown as the rest of its shoot."
            ),
            st.body,
            listing=phrase(roles_for(content.case).listing),
        )
        return [*flow, PageBreak()]
    if not frames:
        flow += para(state, N_("No other frames from the same shoots were supplied."), st.body)
        return [*flow, PageBreak()]
    # Only what the build knows: these frames matched none of the accused images
    # it could examine. Whether they were ever published is the seller's to say.
    unexamined = sum(e.role == "accused" for e in content.excluded)
    listing = phrase(roles_for(content.case).listing)
    neighbours = _also_agreeing(frames, [str(english(m.note)) for m in content.matches])
    rest = len(frames) - len(neighbours)
    # The shoots as group_shoots formed them: "the same shoot" only when there is one.
    shoots = frame_shoots(content.shoots, frames)
    if len(shoots) > 1:
        intro = (
            N_(
                "{count} frames from {shoots} shoots ({days}) that match none of the images of "
                "{listing} examined. They show the photographer holds the whole shoots, not "
                "only the pictures in dispute."
            )
            if not neighbours
            else N_(
                "{count} frames from {shoots} shoots ({days}). They show the photographer "
                "holds the whole shoots, not only the pictures in dispute."
            )
        )
    elif not neighbours:
        intro = (
            N_(
                "1 frame from the same shoot that matches none of the images of {listing} "
                "examined. It shows the photographer holds the whole shoot, not only the "
                "picture in dispute."
            )
            if rest == 1
            else N_(
                "{count} frames from the same shoot that match none of the images of {listing} "
                "examined. They show the photographer holds the whole shoot, not only the "
                "picture in dispute."
            )
        )
    else:
        intro = (
            N_(
                "1 frame from the same shoot. It shows the photographer holds the whole "
                "shoot, not only the picture in dispute."
            )
            if len(frames) == 1
            else N_(
                "{count} frames from the same shoot. They show the photographer holds the "
                "whole shoot, not only the picture in dispute."
            )
        )
    flow += para(
        state,
        intro,
        st.body,
        count=len(frames),
        listing=listing,
        shoots=len(shoots),
        days=lambda lang: shoot_days(shoots, lang),
    )
    if neighbours:
        # The matching notes say so on the comparison pages: "matches none" would contradict them.
        flow += para(
            state,
            N_(
                "{names} also agrees, less closely, with an image of {listing}, as a "
                "neighbouring frame of the copied one does; the comparison page names it."
            )
            if len(neighbours) == 1
            else N_(
                "{names} also agree, less closely, with images of {listing}, as neighbouring "
                "frames of the copied ones do; the comparison pages name them."
            ),
            st.body,
            names=", ".join(neighbours),
            listing=listing,
        )
    if unexamined:
        flow += para(
            state,
            N_("{count} of their files could not be examined (see Excluded files)."),
            st.small,
            count=unexamined,
        )
    cell_w = state.frame_w / COLUMNS
    box_w, box_h = cell_w - 8, 36 * mm
    shown = [m for m in frames[: content.max_outtakes]]
    cells: list[list[Flowable]] = []
    for meta in shown:
        thumb = state.thumbnails.get(meta.path)
        items: list[Flowable] = []
        if thumb is not None:
            data, (w, h) = thumb
            width, height = fit_box(w, h, box_w, box_h)
            picture = Image(io.BytesIO(data), width=width, height=height)
            items.append(picture)
        else:
            items.append(Paragraph(label(words(state, N_("(could not be decoded)"))), st.small))
        caption = "<br/>".join(
            [
                markup(meta.display_path.rsplit("/", 1)[-1]),
                label(values(state, _time(meta))),
                markup(meta.camera) if meta.camera else label(words(state, N_("camera unknown"))),
            ]
        )
        items.append(Paragraph(caption, st.cell))
        cells.append(items)
    while len(cells) % COLUMNS:
        cells.append([Spacer(1, 1)])
    table_rows = [cells[i : i + COLUMNS] for i in range(0, len(cells), COLUMNS)]
    table = Table(table_rows, colWidths=[cell_w] * COLUMNS, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    flow.append(table)
    hidden = len(frames) - len(shown)
    if hidden > 0:
        flow += para(
            state,
            N_("1 more frame not shown here; every file is in the manifest.")
            if hidden == 1
            else N_("{count} more frames not shown here; every file is in the manifest."),
            st.small,
            count=f"{hidden:,}",
        )
    return [*flow, PageBreak()]


def _also_agreeing(frames: list[ImageMetadata], notes: list[str]) -> list[str]:
    """Names of the frames a matching note says also agree with one of their images."""
    named = [n for n in notes if "agree" in n]
    names = [m.display_path.rsplit("/", 1)[-1] for m in frames]
    return [name for name in names if any(name in note for note in named)]


def _sort_time(meta: ImageMetadata) -> datetime:
    if meta.captured_at is None:
        return datetime.min.replace(tzinfo=UTC)
    return aware(meta.captured_at, UTC)


def _time(meta: ImageMetadata) -> Callable[[TextLang], str]:
    if meta.captured_at is None:
        return phrase(N_("no capture time"))
    return moment(meta.captured_at, seconds=True)

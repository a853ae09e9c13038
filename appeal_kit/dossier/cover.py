"""Page 1 of the dossier: it argues the case.

The identifiers, then up to four of the strongest facts the build established
(with their numbers), the best comparison small, what we ask and, in an appeal,
whether it was filed within the platform's window. The deadline tracker comes
later: it serves the seller without pushing the evidence back.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from appeal_kit.case.config import AccusedListing
from appeal_kit.dossier.bilingual import (
    Versions,
    day,
    fact_versions,
    first,
    joined,
    label,
    moment,
    para,
    paragraphs,
    phrase,
    values,
    words,
)
from appeal_kit.dossier.blocks import grid, part_titles, scaled
from appeal_kit.dossier.facts import PLATFORM_NAMES
from appeal_kit.dossier.rules import roles_for
from appeal_kit.dossier.state import Bookmark, jpeg_bytes, page_image
from appeal_kit.dossier.style import (
    ALARM,
    link,
    markup,
)
from appeal_kit.i18n.document import N_, retell

if TYPE_CHECKING:
    from appeal_kit.comparison.pictures import ComparisonImage
    from appeal_kit.dossier.state import RenderState


def cover_part(state: RenderState) -> list[Flowable]:
    """Page 1 argues: identifiers, the strongest facts, the best comparison, what we ask.

    Everything is sized to stay on one page (``KeepInFrame`` shrinks it if a case
    has unusually long names); the deadline tracker comes later in the dossier.
    """
    content, st = state.content, state.styles
    case = content.case
    roles = roles_for(case)
    kind = N_("Complaint dossier") if case.mode == "complaint" else N_("Appeal dossier")
    flow: list[Flowable] = [
        *para(state, kind, st.title),
        Paragraph(markup(joined(state, N_("Case")) + " " + case.title), st.h2),
    ]
    if content.draft:
        flow += _draft_box(state)
    rows: list[tuple[str, str | Versions]] = [
        (N_("Platform"), words(state, PLATFORM_NAMES.get(case.platform, case.platform))),
        (N_("Case / complaint id"), case.case_id),
        (N_("Store"), case.store),
        (N_("Seller id"), case.seller_id),
        (N_("Complainant") if case.mode != "complaint" else "", case.complainant),
        (N_("Violation type"), _violation(state, case.violation)),
        (N_("Points at stake"), "" if case.points_at_stake is None else str(case.points_at_stake)),
        (N_("Notice received"), _both_zones(state, case.notice_received)),
    ]
    table_rows = [
        [
            Paragraph(label(words(state, k)), st.cell_bold),
            Paragraph(markup(v) if isinstance(v, str) else label(v), st.cell),
        ]
        for k, v in rows
        if k and v
    ]
    if case.own_listing_url or case.own_listing_date:
        table_rows.append(
            [
                Paragraph(label(words(state, N_("Our own listing"))), st.cell_bold),
                Paragraph(
                    " ".join(
                        x
                        for x in (
                            link(case.own_listing_url),
                            markup(_own_date(state, case.own_listing_date)),
                        )
                        if x
                    ),
                    st.cell,
                ),
            ]
        )
    for listing in case.accused_listings:
        table_rows.append(
            [
                Paragraph(label(words(state, roles.listing_label)), st.cell_bold),
                Paragraph(_listing_line(state, listing), st.cell),
            ]
        )
    if not case.accused_listings:
        table_rows.append(
            [
                Paragraph(label(words(state, roles.listing_label)), st.cell_bold),
                Paragraph(label(words(state, N_("No URL was given for this listing."))), st.cell),
            ]
        )
    flow.append(grid(table_rows, scaled([1, 3], state.frame_w), header=False))
    flow += _headline_part(state)
    flow += _ask_part(state)
    titles = [words(state, t) for t in part_titles(case.mode)]
    entries = [Paragraph(f"{n}. {label(t)}", st.cell) for n, t in enumerate(titles, start=1)]
    # Three columns keep the contents short.
    grid_rows = [entries[i : i + 3] for i in range(0, len(entries), 3)]
    contents = Table(grid_rows, colWidths=scaled([1, 1.4, 1.4], state.frame_w), hAlign="LEFT")
    contents.setStyle(
        TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    flow += [Spacer(1, 3 * mm), *para(state, N_("Contents"), st.h3), contents]
    cover = KeepInFrame(state.frame_w, state.frame_h, flow, mode="shrink")
    return [Bookmark("cover", first(state, N_("Cover"))), cover, PageBreak()]


def _draft_box(state: RenderState) -> list[Flowable]:
    """What keeps this dossier from being ready, on page 1 (the seller's to-do)."""
    st = state.styles
    # Findings are console text: said again in the dossier's language(s).
    items = [
        item
        for reason in state.content.draft_reasons
        for item in paragraphs(retold_text(state, reason), st.cell, bullet="•")
    ]
    body: list[Flowable] = [
        *para(
            state,
            N_("DRAFT: not ready to submit. appeal-kit check lists what to fix:"),
            st.cell_bold,
        ),
        *items,
    ]
    box = Table([[body]], colWidths=[state.frame_w])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, ALARM),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [Spacer(1, 2 * mm), box, Spacer(1, 2 * mm)]


def retold_text(state: RenderState, text: str) -> Versions:
    """Console text (a finding, a reason) in the dossier's language(s)."""
    return values(state, lambda lang: retell(text, lang))


def _listing_line(state: RenderState, listing: AccusedListing) -> str:
    """Their listing on the cover: the short URL (linked in full), title, first seen."""
    if listing.first_seen is None:
        seen = joined(state, N_("first seen: not recorded"))
    elif listing.first_seen_day_only:
        seen = joined(state, N_("first seen {day}"), day=day(listing.first_seen))
    else:
        when = moment(listing.first_seen, state.content.platform_timezone)
        seen = joined(state, N_("first seen {day}"), day=when)
    parts = [link(listing.url) if listing.url else markup(joined(state, N_("no URL given")))]
    if listing.title:
        parts.append(markup(listing.title))
    parts.append(markup(seen))
    return " · ".join(parts)


def _headline_part(state: RenderState) -> list[Flowable]:
    """Up to four strongest facts with their numbers, and the best comparison beside them."""
    content, st = state.content, state.styles
    found = content.facts
    heads = found.headlines() if found is not None else []
    title = N_("Why these photographs are ours")
    flow: list[Flowable] = [Spacer(1, 3 * mm), *para(state, title, st.h2)]
    if not heads:
        flow += para(
            state, N_("No fact in this case shows it yet; see the pages that follow."), st.body
        )
        return flow
    facts_flow: list[Flowable] = [
        item
        for fact in heads
        for item in paragraphs(fact_versions(state, fact), st.bullet, bullet="•")
    ]
    picture = _best_comparison(state)
    if picture is None:
        return flow + facts_flow
    # LEFT: when KeepInFrame shrinks a long (bilingual) cover, a centred table drifts right.
    side = Table([[facts_flow, picture]], colWidths=scaled([1.35, 1], state.frame_w), hAlign="LEFT")
    side.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), 8),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
            ]
        )
    )
    return [*flow, side]


def _best_comparison(state: RenderState) -> list[Flowable] | None:
    """The confirmed match with the most agreeing points, small, with one line under it."""
    content, st = state.content, state.styles
    by_accused = {m.accused: m for m in content.matches}
    ranked = [
        (number, comp, by_accused[comp.accused])
        for number, comp in enumerate(content.comparisons, start=1)
        if comp.accused in by_accused and by_accused[comp.accused].verdict == "match"
    ]
    if not ranked:
        return None
    # A plain photo reads at a glance (a screenshot does not); a crop of our larger frame
    # is the strongest picture; then the most agreeing points.
    number, comp, _match = max(
        ranked,
        key=lambda item: (
            not item[2].is_screenshot,
            item[2].original_contains_more,
            item[2].inliers,
            -item[0],
        ),
    )
    width = state.frame_w / 2.35 - 8
    data, (w, h) = pictures_only(comp)
    height = width * h / max(1, w)
    picture = page_image((data, (w, h)), width, height)
    caption = para(
        state,
        N_("Comparison {number}: ours on the left, {listing} on the right."),
        st.small,
        number=number,
        listing=phrase(roles_for(content.case).listing),
    )
    return [picture, Spacer(1, 1 * mm), *caption]


def _ask_part(state: RenderState) -> list[Flowable]:
    """What we ask, and in an appeal whether it was filed within the platform's window."""
    st = state.styles
    case = state.content.case
    ask = (
        N_("Please remove the infringing images or listings.")
        if case.mode == "complaint"
        else N_("Please withdraw the complaint and restore our listing and any points deducted.")
    )
    flow: list[Flowable] = [*para(state, N_("What we ask"), st.h2), *para(state, ask, st.body)]
    found = state.content.facts
    filed = found.get("filed-in-time") if found is not None else None
    if filed is not None and filed.holds:
        flow += paragraphs(fact_versions(state, filed), st.body)
    return flow


# case.toml's violation keys as a reviewer reads them (the platform's own terms).
VIOLATION_WORDS = {
    "minor-edits": N_("Minor edits to images"),
    "direct-copy": N_("Direct copy of images"),
    "copyright-trademark": N_("Copyright or trademark infringement"),
}


def _violation(state: RenderState, key: str) -> str | Versions:
    """The violation type in words; a key the tool does not know is shown as written."""
    return words(state, VIOLATION_WORDS[key]) if key in VIOLATION_WORDS else key


def _own_date(state: RenderState, value: datetime | None) -> str:
    return joined(state, N_("(live since {day})"), day=day(value)) if value else ""


def _both_zones(state: RenderState, value: datetime | None) -> Versions | str:
    """A time in the platform's zone, and in the seller's when that reads differently."""
    if value is None:
        return ""
    content = state.content
    here = moment(value, content.platform_timezone)
    local = moment(value, content.local_timezone)
    if content.local_timezone is None or local("en") == here("en"):
        return values(state, here)
    # The reader is the platform's reviewer: the second zone is the seller's, not "yours";
    # in a complaint the seller is the other side, so it is the complainant's.
    if content.case.mode == "complaint":
        return words(
            state, N_("{time} (complainant's local time: {local})"), time=here, local=local
        )
    return words(state, N_("{time} (seller's local time: {local})"), time=here, local=local)


def pictures_only(comp: ComparisonImage) -> tuple[bytes, tuple[int, int]]:
    """The comparison JPEG without its caption band: the PDF states the caption once, as text.

    The JPEG in comparisons/ keeps its band, so it still reads on its own.
    """
    from PIL import Image as PILImage

    if comp.page_picture is not None:  # cut and encoded from memory by the comparison step
        return comp.page_picture
    data = comp.path.read_bytes()
    bottom = comp.caption_band[1]
    if bottom <= 0:
        return data, (comp.width, comp.height)
    with PILImage.open(io.BytesIO(data)) as img:
        # Keep a margin's worth of white under the pictures.
        top = img.crop((0, 0, img.width, min(img.height, bottom + comp.original_box[1] // 2)))
        return jpeg_bytes(top.convert("RGB"), quality=90), top.size

"""The dossier's front parts: cover, deadlines, statement, comparisons.

Each ``*_part`` function returns platypus flowables; ``build_story`` puts every
part in the order the issue fixes. Text from the case goes through ``markup`` so
it is escaped and CJK names get a font that has their glyphs.
"""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import datetime
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepInFrame,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from appeal_kit.case.config import AccusedListing
from appeal_kit.comparison.wording import CONTAINS_MORE_WARNING
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
    parallel,
    phrase,
    statement_versions,
    values,
    words,
)
from appeal_kit.dossier.bilingual import (
    heading as heading_markup,
)
from appeal_kit.dossier.blocks import cells, grid, part_heading, part_titles, scaled
from appeal_kit.dossier.facts import PLATFORM_NAMES
from appeal_kit.dossier.rules import roles_for
from appeal_kit.dossier.state import Bookmark, at_page_resolution, jpeg_bytes
from appeal_kit.dossier.style import (
    ALARM,
    CAUTION,
    GOOD,
    RULE,
    fit_box,
    link,
    markup,
)
from appeal_kit.i18n.console import english
from appeal_kit.i18n.document import N_, TextLang, retell, translate
from appeal_kit.models import MatchResult

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
        Paragraph(f"{markup(joined(state, N_('Case')))} {markup(case.title)}", st.h2),
    ]
    if content.draft:
        flow += _draft_box(state)
    rows: list[tuple[str, str | Versions]] = [
        (N_("Platform"), words(state, PLATFORM_NAMES.get(case.platform, case.platform))),
        (N_("Case / complaint id"), case.case_id),
        (N_("Store"), case.store),
        (N_("Seller id"), case.seller_id),
        (N_("Complainant") if case.mode != "complaint" else "", case.complainant),
        (N_("Violation type"), case.violation),
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
                Paragraph(label(words(state, N_("No URL was given in case.toml."))), st.cell),
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
        for item in paragraphs(_retold(state, reason), st.cell, bullet="•")
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


def _retold(state: RenderState, text: str) -> Versions:
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
    side = Table([[facts_flow, picture]], colWidths=scaled([1.35, 1], state.frame_w))
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
    picture = Image(io.BytesIO(at_page_resolution(data, width)), width=width, height=height)
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
    return words(state, N_("{time} (your time: {local})"), time=here, local=local)


# --------------------------------------------------------------------------- 2 statement

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?!\*)")


def inline(text: str) -> str:
    """Escape a line and turn ``**bold**`` and ``*italic*`` into markup."""
    out = markup(text)
    out = _BOLD.sub(r"<b>\1</b>", out)
    return _ITALIC.sub(r"<i>\1</i>", out)


def markdown_flowables(text: str, state: RenderState) -> list[Flowable]:
    """Markdown-lite: ``#`` headings, ``-``/``*``/``1.`` lists, blank-line paragraphs."""
    st = state.styles
    flow: list[Flowable] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            flow.append(Paragraph(inline(" ".join(paragraph)), st.body))
            paragraph.clear()

    for raw in text.splitlines():
        line = raw.strip()
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        bullet = re.match(r"^[-*]\s+(.*)$", line)
        numbered = re.match(r"^(\d+)[.)]\s+(.*)$", line)
        if not line:
            flush()
        elif heading:
            flush()
            style = {1: st.h2, 2: st.h3, 3: st.h3}[len(heading.group(1))]
            flow.append(Paragraph(inline(heading.group(2)), style))
        elif bullet:
            flush()
            flow.append(Paragraph(inline(bullet.group(1)), st.bullet, bulletText="•"))
        elif numbered:
            flush()
            flow.append(
                Paragraph(inline(numbered.group(2)), st.bullet, bulletText=f"{numbered.group(1)}.")
            )
        elif (
            flow
            and raw.startswith(("  ", "\t"))
            and not paragraph
            and isinstance(flow[-1], Paragraph)
            and flow[-1].style is st.bullet
        ):
            # A continuation line of a list item: rebuild the item with it appended.
            last = flow.pop()
            assert isinstance(last, Paragraph)
            flow.append(
                Paragraph(last.text + " " + inline(line), st.bullet, bulletText=last.bulletText)
            )
        else:
            paragraph.append(line)
    flush()
    return flow


def statement_part(state: RenderState) -> list[Flowable]:
    """The appeal (or complaint) statement, already filled in by the pipeline."""
    case = state.content.case
    title = N_("Complaint statement") if case.mode == "complaint" else N_("Appeal statement")
    flow = part_heading(state, 2, title)
    # zh+en: the Chinese and the English statement side by side, paragraph by paragraph.
    body = parallel(
        state,
        statement_versions(state),
        lambda text, styles: markdown_flowables(text, dataclasses.replace(state, styles=styles)),
    )
    flow += body or para(state, N_("No statement was supplied."), state.styles.body)
    return [*flow, PageBreak()]


# --------------------------------------------------------------------------- 4 comparisons


def comparisons_part(state: RenderState) -> list[Flowable]:
    """One page per pair: the side-by-side, the proof strip, the caption and numbers."""
    content, st = state.content, state.styles
    by_accused = {m.accused: m for m in content.matches}
    comps = list(content.comparisons)
    if not comps:
        empty = part_heading(state, 4)
        empty += para(
            state,
            N_("No image of {listing} could be paired with an original."),
            st.body,
            listing=phrase(roles_for(content.case).listing),
        )
        return [*empty, *_unmatched(state), PageBreak()]
    flow: list[Flowable] = []
    for number, comp in enumerate(comps, start=1):
        match = by_accused.get(comp.accused)
        if match is None and number - 1 < len(content.matches):
            match = content.matches[number - 1]
        page = comparison_page(state, number, len(comps), comp, match)
        heading = part_heading(state, 4) if number == 1 else []
        flow += [
            *heading[:1],
            KeepInFrame(state.frame_w, state.frame_h, [*heading[1:], *page], mode="shrink"),
            PageBreak(),
        ]
    unmatched = _unmatched(state)
    return [*flow, *unmatched, PageBreak()] if unmatched else flow


def _unmatched(state: RenderState) -> list[Flowable]:
    """Their images that were examined and matched none of our originals.

    Said plainly, so a reviewer counting their images finds every one.
    """
    content, st = state.content, state.styles
    if not content.unmatched:
        return []
    roles = roles_for(content.case)
    listing = phrase(roles.listing)
    rows = [cells(state, [roles.image_label, N_("Result")], head=True)]
    rows += [
        cells(
            state,
            [
                content.case.display(m.accused),
                _retold(state, m.note)
                if m.note
                else words(state, N_("no matching original found")),
            ],
        )
        for m in sorted(content.unmatched, key=lambda m: str(m.accused))
    ]
    count = len(content.unmatched)
    sentence = (
        N_(
            "1 image of {listing} examined in this case matches none of the originals "
            "supplied, so no comparison is shown for it."
        )
        if count == 1
        else N_(
            "{count} images of {listing} examined in this case match none of the originals "
            "supplied, so no comparison is shown for them."
        )
    )
    return [
        Spacer(1, 4 * mm),
        *para(state, N_("Images of {listing} without a matching original"), st.h2, listing=listing),
        *para(state, sentence, st.body, count=count, listing=listing),
        grid(rows, scaled([2, 3], state.frame_w)),
    ]


VERDICT_WORDS = {
    "match": N_("match"),
    "possible": N_("possible match"),
    "none": N_("no match found"),
}


def comparison_page(
    state: RenderState, number: int, total: int, comp: ComparisonImage, match: MatchResult | None
) -> list[Flowable]:
    """The flowables of one comparison page, images sized to what the text leaves."""
    st = state.styles
    case = state.content.case
    verdict = match.verdict if match else comp.verdict
    colour = {"match": GOOD, "possible": CAUTION}.get(verdict, RULE)

    def title(lang: TextLang) -> str:
        head = translate(N_("Comparison {number} of {total}:"), lang, number=number, total=total)
        word = translate(VERDICT_WORDS.get(verdict, verdict), lang)
        return f'{markup(head)} <font color="{colour.hexval()}">{markup(word)}</font>'

    heading = Paragraph(heading_markup(values(state, title), st.h2.fontSize, render=str), st.h2)
    roles = roles_for(case)
    pair = para(
        state,
        N_("{theirs} ({listing}) compared with {ours} (ours)"),
        st.small,
        theirs=case.display(comp.accused),
        listing=phrase(roles.listing),
        ours=case.display(comp.original),
    )
    listing = case.listing_for(comp.accused)
    their_lines = [markup(x) for x in comp.accused_caption]
    if listing is not None and listing.url and their_lines:
        their_lines[0] = link(listing.url)  # short, linked to the full URL
    captions = grid(
        [
            [
                Paragraph(
                    f"<b>{markup(joined(state, N_('Our original')))}</b><br/>"
                    + "<br/>".join(markup(x) for x in comp.original_caption),
                    st.cell,
                ),
                Paragraph(
                    f"<b>{markup(joined(state, roles.image_label))}</b><br/>"
                    + "<br/>".join(their_lines),
                    st.cell,
                ),
            ]
        ],
        [state.frame_w / 2, state.frame_w / 2],
        header=False,
        zebra=False,
    )
    versions = comp.caption_versions or values(state, comp.caption)
    after: list[Flowable] = paragraphs(versions, st.caption)
    if comp.warning or (match is not None and match.accused_contains_more):
        warning = (
            CONTAINS_MORE_WARNING
            if comp.warning
            else N_("WARNING: their image shows more than our original.")
        )
        after += paragraphs(words(state, warning), st.warning)
    numbers = numbers_table(state, match, comp.caption) if match is not None else None
    if numbers is not None:
        after.append(numbers)
    text: list[Flowable] = [heading, *pair, captions, *after]
    # Text heights as laid out, plus the spacers and the proof label; the images share the rest.
    used = sum(f.wrap(state.frame_w, state.frame_h)[1] + 4 for f in text) + 40
    room = max(60.0, state.frame_h - used - (28 if number == 1 else 0))
    main, (main_w, main_h) = pictures_only(comp)
    images = [(main, main_w, main_h)]
    if comp.detail_path is not None and comp.detail_path.is_file():
        images.append((comp.detail_path.read_bytes(), comp.detail_width, comp.detail_height))
    natural = [state.frame_w * h / w for _, w, h in images if w and h]
    factor = min(1.0, room / sum(natural)) if natural else 1.0
    pictures: list[Flowable] = []
    for data, width, height in images:
        box_w, box_h = fit_box(
            width, height, state.frame_w, state.frame_w * height / max(1, width) * factor
        )
        pictures.append(_image(data, box_w, box_h))
    proof_label = para(
        state,
        N_(
            "Proof: the matched crop of our original, their image warped onto it, and "
            "a zoomed detail of both (blue box)."
        ),
        st.small,
    )
    flow: list[Flowable] = [
        heading,
        *pair,
        Spacer(1, 2 * mm),
        pictures[0],
        Spacer(1, 1.5 * mm),
        captions,
    ]
    if len(pictures) > 1:
        flow += [Spacer(1, 2 * mm), *proof_label, pictures[1]]
    flow += [Spacer(1, 2 * mm), *after]
    return flow


def pictures_only(comp: ComparisonImage) -> tuple[bytes, tuple[int, int]]:
    """The comparison JPEG without its caption band: the PDF states the caption once, as text.

    The JPEG in comparisons/ keeps its band, so it still reads on its own.
    """
    from PIL import Image as PILImage

    data = comp.path.read_bytes()
    bottom = comp.caption_band[1]
    if bottom <= 0:
        return data, (comp.width, comp.height)
    with PILImage.open(io.BytesIO(data)) as img:
        # Keep a margin's worth of white under the pictures.
        top = img.crop((0, 0, img.width, min(img.height, bottom + comp.original_box[1] // 2)))
        return jpeg_bytes(top.convert("RGB"), quality=90), top.size


def _image(data: bytes, width: float, height: float) -> Image:
    # From bytes, not the path: reportlab names an image after its file name, and the
    # pipeline's work folder has a random name, so a path would change the PDF's bytes.
    picture = Image(io.BytesIO(at_page_resolution(data, width)), width=width, height=height)
    picture.hAlign = "CENTER"
    return picture


def numbers_table(state: RenderState, match: MatchResult, caption: str = "") -> Table:
    """The figures behind the verdict, in one compact table, each with a plain-words label."""
    rows: list[tuple[str, Versions]] = [
        (N_("Verdict"), words(state, VERDICT_WORDS.get(match.verdict, match.verdict))),
        (
            N_("Matching points (that fit one geometric transform)"),
            values(state, f"{match.inliers:,}"),
        ),
        (
            N_("Part of their image found in our original"),
            words(
                state,
                N_("{percent} % (the rest is the surrounding page or padding)")
                if match.accused_rect
                else N_("{percent} %"),
                percent=f"{match.coverage * 100:.1f}",
            ),
        ),
        (N_("Overall similarity (0 to 1)"), values(state, f"{match.global_similarity:.2f}")),
    ]
    if match.region:
        x, y, w, h = match.region
        rows.append((N_("Region in our original"), _where(state, w, h, x, y)))
    angle = abs(match.rotation) if round(match.rotation, 1) == 0 else match.rotation

    def transform(lang: TextLang) -> str:
        items = [
            translate(N_("mirrored") if match.mirrored else N_("not mirrored"), lang),
            translate(N_("rotated {angle}°"), lang, angle=f"{angle:.1f}"),
            translate(N_("scale {percent} %"), lang, percent=f"{match.scale * 100:.1f}"),
        ]
        return ("，" if lang == "zh" else ", ").join(items)

    rows.append((N_("Transform"), values(state, transform)))
    if match.accused_rect:
        x, y, w, h = match.accused_rect
        label_text = (
            N_("Photo inside the screenshot")
            if match.is_screenshot
            else N_("Photo inside their image")
        )
        rows.append((label_text, _where(state, w, h, x, y)))
    # The matcher's note is console text: said again in the dossier's language(s).
    if match.note and english(match.note) not in caption and str(match.note) not in caption:
        note = match.note
        rows.append((N_("Note"), values(state, lambda lang: retell(note, lang))))
    st = state.styles
    body = [
        [Paragraph(label(words(state, k)), st.cell_bold), Paragraph(label(v), st.cell)]
        for k, v in rows
    ]
    return grid(body, scaled([1.3, 2.7], state.frame_w), header=False)


def _where(state: RenderState, w: int, h: int, x: int, y: int) -> Versions:
    return words(
        state,
        N_("{w} × {h} px at ({x}, {y})"),
        w=f"{w:,}",
        h=f"{h:,}",
        x=f"{x:,}",
        y=f"{y:,}",
    )


# --------------------------------------------------------------------------- the story


def build_story(state: RenderState) -> list[Flowable]:
    """Every part, in order (fresh flowables for each layout pass)."""
    from appeal_kit.dossier.appendix import documents_part, excluded_part, manifest_part
    from appeal_kit.dossier.evidence_pages import evidence_part
    from appeal_kit.dossier.outtakes import outtakes_part
    from appeal_kit.dossier.timeline import timeline_part
    from appeal_kit.dossier.tracker import deadlines_part

    story: list[Flowable] = []
    story += cover_part(state)
    story += statement_part(state)
    story += evidence_part(state)
    story += comparisons_part(state)
    story += timeline_part(state)
    story += outtakes_part(state)
    story += deadlines_part(state)
    story += documents_part(state)
    story += excluded_part(state)
    story += [CondPageBreak(60 * mm)]
    story += manifest_part(state)
    return story

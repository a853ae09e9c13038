"""The dossier's statement and comparison parts, and the order of every part.

Each ``*_part`` function returns platypus flowables; ``build_story`` puts every
part in the order the issue fixes. Text from the case goes through ``markup`` so
it is escaped and CJK names get a font that has their glyphs.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepInFrame,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from appeal_kit.comparison.wording import CONTAINS_MORE_WARNING
from appeal_kit.dossier.bilingual import (
    Versions,
    joined,
    label,
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
from appeal_kit.dossier.blocks import cells, grid, part_heading, scaled
from appeal_kit.dossier.cover import cover_part, pictures_only, retold_text
from appeal_kit.dossier.rules import roles_for
from appeal_kit.dossier.state import page_image
from appeal_kit.dossier.style import (
    CAUTION,
    GOOD,
    RULE,
    fit_box,
    link,
    markup,
)
from appeal_kit.i18n.console import Translated, english
from appeal_kit.i18n.document import N_, TextLang, retell, translate
from appeal_kit.models import MatchResult

if TYPE_CHECKING:
    from appeal_kit.comparison.pictures import ComparisonImage
    from appeal_kit.dossier.state import RenderState


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
    # A file that could not be analysed did not "match none": Excluded files lists it.
    unmatched = [m for m in content.unmatched if m.method != "skipped"]
    if not unmatched:
        return []
    roles = roles_for(content.case)
    listing = phrase(roles.listing)
    rows = [cells(state, [roles.image_label, N_("Result")], head=True)]
    rows += [
        cells(
            state,
            [
                content.case.display(m.accused),
                retold_text(state, m.note)
                if m.note and reviewer_note(m.note) is m.note
                else words(state, N_("no matching original found")),
            ],
        )
        for m in sorted(unmatched, key=lambda m: str(m.accused))
    ]
    count = len(unmatched)
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
                    "<b>"
                    + markup(joined(state, N_("Our original")))
                    + "</b><br/>"
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
    if comp.page_proof is not None:  # encoded from memory by the comparison step
        proof, (proof_w, proof_h) = comp.page_proof
        images.append((proof, proof_w, proof_h))
    elif comp.detail_path is not None and comp.detail_path.is_file():
        images.append((comp.detail_path.read_bytes(), comp.detail_width, comp.detail_height))
    natural = [state.frame_w * h / w for _, w, h in images if w and h]
    factor = min(1.0, room / sum(natural)) if natural else 1.0
    pictures: list[Flowable] = []
    for data, width, height in images:
        box_w, box_h = fit_box(
            width, height, state.frame_w, state.frame_w * height / max(1, width) * factor
        )
        pictures.append(page_image((data, (width, height)), box_w, box_h))
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
    shown = reviewer_note(match.note) if match.note else None
    if shown and english(match.note) not in caption and str(match.note) not in caption:
        note = shown
        rows.append((N_("Note"), values(state, lambda lang: retell(note, lang))))
    st = state.styles
    body = [
        [Paragraph(label(words(state, k)), st.cell_bold), Paragraph(label(v), st.cell)]
        for k, v in rows
    ]
    return grid(body, scaled([1.3, 2.7], state.frame_w), header=False)


# Matcher notes that end in advice to the seller, and what the reviewer reads instead.
REVIEWER_NOTES = {
    "agrees equally well with {name}: another frame of the same shoot? Pair it explicitly "
    "in case.toml": N_(
        "agrees equally well with {name}, another frame of the same shoot; which of the two "
        "was copied is not settled"
    ),
}


def reviewer_note(note: str) -> str | None:
    """The matcher's note as the reviewer may read it: no instruction meant for the seller.

    A note that tells the seller what to do (``case.toml``) is said in its reviewer
    version, with the same fields; one without a reviewer version is left out.
    """
    if "case.toml" not in english(note):
        return note
    msgid = getattr(note, "msgid", None)
    if msgid in REVIEWER_NOTES:
        fields = dict(getattr(note, "fields", {}))
        wording = REVIEWER_NOTES[msgid]
        return Translated(wording.format(**fields), wording, fields)
    return None


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

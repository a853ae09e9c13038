"""Words on the dossier's pages in the case's language: English, Chinese, or both.

Every string a page shows goes through here (or ``appeal_kit.i18n.document``),
so the language is one setting (``DossierContent.language``). The bilingual
layout was chosen by looking at rendered pages:

* headings: the Chinese title, the English one after it in a smaller grey size;
* table headers and row labels: Chinese on top, English small underneath;
* body text, notes and captions: the Chinese paragraph, the English one right
  under it in grey, so a reviewer reads either language straight down;
* the statement: two columns (中英对照), Chinese left, English right, one row
  per paragraph, as bilingual letters are usually set.

Chinese text wraps between any two characters (reportlab's CJK mode); English
keeps breaking at spaces.

How to write a page (so ``zh+en`` shows both languages, not Chinese twice):

* a heading or paragraph: ``para(state, N_("... {name} ..."), style, name=value)``;
* a table header: ``cells(state, [N_("File"), N_("Role")], head=True)`` (msgids);
  a body cell that holds words: ``words(state, N_("not recorded"))``;
* a row label: ``label(words(state, N_("Store")))``;
* a field that is itself a phrase or a date: ``phrase(N_("the complainant"))``,
  ``moment(value, zone_name)`` or ``day(value)``; each language then gets its own
  (``first(state, ...)`` as a field would put Chinese into the English sentence);
* ``first`` only where one language must stand alone (a file name, a link).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

import reportlab.platypus.paragraph as rl_paragraph
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from appeal_kit.dossier.style import MUTED, RULE, Styles, markup, show_time
from appeal_kit.i18n.document import (
    DocLang,
    Field,
    TextLang,
    both,
    format_date,
    format_day,
    text_langs,
    translate,
)

if TYPE_CHECKING:
    from appeal_kit.dossier.facts import Fact
    from appeal_kit.dossier.state import RenderState

# reportlab's list of characters that may not start a line is Japanese; add the
# Chinese full-width punctuation so a comma never opens a line.
_CANNOT_START = "，；：！？》）」』】"
if not all(ch in rl_paragraph.ALL_CANNOT_START for ch in _CANNOT_START):
    rl_paragraph.ALL_CANNOT_START += "".join(
        ch for ch in _CANNOT_START if ch not in rl_paragraph.ALL_CANNOT_START
    )

Versions = list[tuple[TextLang, str]]
GREY = MUTED.hexval()


def doc_lang(state: RenderState) -> DocLang:
    """The dossier's language."""
    return state.content.language


def words(state: RenderState, message: str, /, **fields: Field) -> Versions:
    """``message`` in the dossier's language(s), Chinese first."""
    return both(message, doc_lang(state), **fields)


def first(state: RenderState, message: str, /, **fields: Field) -> str:
    """``message`` in the dossier's main language only (Chinese in ``zh+en``)."""
    return words(state, message, **fields)[0][1]


def joined(state: RenderState, message: str, /, sep: str = " / ", **fields: Field) -> str:
    """Plain text for one line (bookmarks, PDF metadata, drawings): ``中文 / English``."""
    return sep.join(text for _, text in words(state, message, **fields))


@lru_cache(maxsize=64)
def _cjk_style(style: ParagraphStyle) -> ParagraphStyle:
    chinese = copy.copy(style)
    chinese.name = style.name + "-zh"
    chinese.wordWrap = "CJK"
    return chinese


def style_for(style: ParagraphStyle, lang: TextLang) -> ParagraphStyle:
    """``style`` for text in ``lang``: Chinese wraps between characters."""
    return _cjk_style(style) if lang == "zh" else style


def _second(text: str, size: float | None = None) -> str:
    size_attr = f' size="{size:g}"' if size else ""
    return f'<font color="{GREY}"{size_attr}>{text}</font>'


HEADING_STYLES = frozenset({"title", "h1", "h2", "h3"})


def heading(versions: Versions, size: float, *, render: Callable[[str], str] = markup) -> str:
    """Markup for a heading: the main title, then the English one smaller and grey."""
    main = render(versions[0][1])
    if len(versions) == 1:
        return main
    return f"{main} {_second(render(versions[1][1]), round(size * 0.72, 1))}"


def label(versions: Versions, size: float = 7, *, white: bool = False) -> str:
    """Markup for a table label: Chinese on top, English small underneath."""
    main = markup(versions[0][1])
    if len(versions) > 1:
        second = markup(versions[1][1])
        main += (
            f'<br/><font size="{size:g}">{second}</font>'
            if white
            else "<br/>" + _second(second, size)
        )
    return f'<font color="white">{main}</font>' if white else main


def paragraphs(
    versions: Versions,
    style: ParagraphStyle,
    *,
    render: Callable[[str], str] = markup,
    bullet: str | None = None,
) -> list[Flowable]:
    """One paragraph per language, the second grey and tight under the first.

    A heading is one paragraph: the Chinese title with the English after it, smaller.
    """
    if style.name.split("-")[0] in HEADING_STYLES:
        chosen = style_for(style, versions[0][0])
        return [Paragraph(heading(versions, chosen.fontSize, render=render), chosen)]
    flow: list[Flowable] = []
    for number, (lang, text) in enumerate(versions):
        body = render(text) if number == 0 else _second(render(text))
        chosen = style_for(style, lang)
        if number == 0 and len(versions) > 1:
            chosen = _tight(chosen)
        flow.append(Paragraph(body, chosen, bulletText=bullet if number == 0 else None))
    return flow


@lru_cache(maxsize=64)
def _tight(style: ParagraphStyle) -> ParagraphStyle:
    tight = copy.copy(style)
    tight.name = style.name + "-tight"
    tight.spaceAfter = min(style.spaceAfter, 1.5)
    return tight


def para(
    state: RenderState,
    message: str,
    style: ParagraphStyle,
    /,
    *,
    bullet: str | None = None,
    **fields: Field,
) -> list[Flowable]:
    """``message`` as paragraph(s) in the dossier's language(s)."""
    return paragraphs(words(state, message, **fields), style, bullet=bullet)


def cell(state: RenderState, versions: Versions, style: ParagraphStyle) -> Paragraph:
    """A table cell holding text in one or two languages."""
    return Paragraph(label(versions), style_for(style, versions[0][0]))


def moment(
    value: datetime | None, tz_name: str | None = None, *, seconds: bool = False
) -> Callable[[TextLang], str]:
    """A time as a field: ``2024年10月15日 09:30（北京时间）`` or ``2024-10-15 09:30 +08:00``."""

    def text(lang: TextLang) -> str:
        if value is None:
            return "—"
        if lang == "zh":
            return format_date(value, "zh", tz_name, seconds=seconds)
        from appeal_kit.dossier.style import zone

        return show_time(value, zone(tz_name), seconds=seconds)

    return text


def day(value: datetime | None) -> Callable[[TextLang], str]:
    """A day as a field: ``2024年10月15日`` or ``2024-10-15``."""

    def text(lang: TextLang) -> str:
        return "—" if value is None else format_day(value, lang)

    return text


def values(state: RenderState, field: Field) -> Versions:
    """A field (a date, say) as the dossier's language(s) write it; once when they agree."""
    versions: Versions = []
    for lang in text_langs(doc_lang(state)):
        text = field(lang) if callable(field) else str(field)
        if not any(text == seen for _, seen in versions):
            versions.append((lang, text))
    return versions


def phrase(message: str, /, **fields: Field) -> Callable[[TextLang], str]:
    """A translated phrase used as a field of a larger sentence."""
    return lambda lang: translate(message, lang, **fields)


# --------------------------------------------------------------------------- whole styles


def styles_for(styles: Styles, lang: TextLang) -> Styles:
    """Every style of the dossier for text in ``lang`` (Chinese wraps between characters)."""
    if lang != "zh":
        return styles
    return dataclasses.replace(
        styles,
        **{f.name: _cjk_style(getattr(styles, f.name)) for f in dataclasses.fields(styles)},
    )


def fact_versions(state: RenderState, fact: Fact) -> Versions:
    """A fact's sentence, with the same fact's English sentence in zh+en."""
    versions: Versions = [(text_langs(doc_lang(state))[0], fact.sentence)]
    english = state.content.english
    other = english.facts.get(fact.key) if english is not None and english.facts else None
    if other is not None and other.sentence and other.sentence != fact.sentence:
        versions.append(("en", other.sentence))
    return versions


def statement_versions(state: RenderState) -> Versions:
    """The filled statement in each language shown (Chinese first), empty ones left out."""
    content = state.content
    texts: Versions = [(text_langs(doc_lang(state))[0], content.statement_text)]
    # A seller's own statement file reads the same in both: shown once.
    if content.english is not None and content.english.statement_text != content.statement_text:
        texts.append(("en", content.english.statement_text))
    return [(lang, text) for lang, text in texts if text.strip()]


def parallel(
    state: RenderState,
    texts: Versions,
    blocks: Callable[[str, Styles], list[Flowable]],
) -> list[Flowable]:
    """Texts in two languages side by side, one table row per block (中英对照).

    ``blocks`` turns one language's text into flowables (one per paragraph,
    heading or list item). When the two texts do not have the same blocks (a
    seller's own statement, say), they follow one another instead.
    """
    columns = [blocks(text, styles_for(state.styles, lang)) for lang, text in texts]
    if len(columns) == 1:
        return columns[0]
    if len({len(c) for c in columns}) != 1:
        return [item for column in columns for item in column]
    gap = 5 * mm
    table = Table(
        [list(row) for row in zip(*columns, strict=True)],
        colWidths=[state.frame_w / 2] * 2,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), gap),
                ("LEFTPADDING", (1, 0), (1, -1), gap),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("LINEAFTER", (0, 0), (0, -1), 0.4, RULE),
            ]
        )
    )
    return [table]

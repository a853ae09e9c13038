"""Supporting PDFs are appended as pages to look at, never as programs to run.

A certificate or licence PDF can carry JavaScript (on opening the document, a page,
or clicking a link), links that start programs or open local files, embedded files
and form fields. A platform reviewer opens the dossier on their own computer, so
none of that may travel with the pages. What is kept: every page's content, its
look (a filled-in form field is drawn into the page), web and e-mail links, and
comment-style annotations with their interactivity removed.

``removed_content`` lists what a document carries that will be removed (the divider
page says so); ``inert_page`` strips a page before it is copied; ``flatten_fields``
draws the form fields' appearance into the copied page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pypdf import PageObject as _PageObject
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
)

from appeal_kit.i18n.document import N_

# Labels the divider page lists (translated there, in the dossier's language).
JAVASCRIPT = N_("JavaScript")
AUTOMATIC = N_("automatic actions (on opening the document or a page)")
LAUNCH = N_("links that start programs, open files or other documents")
INTERNAL = N_("links within the document")
FILES = N_("embedded files")
FORMS = N_("form fields (their filled-in look is kept)")
MEDIA = N_("multimedia and other interactive annotations")
# The order the divider lists them in.
ORDER = (JAVASCRIPT, AUTOMATIC, LAUNCH, INTERNAL, FILES, FORMS, MEDIA)

SAFE_SCHEMES = ("http://", "https://", "mailto:")
# Comment-style annotations: drawn from their appearance, nothing to run once
# their /A and /AA are gone.
INERT = {
    "/Text",
    "/FreeText",
    "/Line",
    "/Square",
    "/Circle",
    "/Polygon",
    "/PolyLine",
    "/Highlight",
    "/Underline",
    "/Squiggly",
    "/StrikeOut",
    "/Stamp",
    "/Caret",
    "/Ink",
    "/Popup",
}
# Keys of a kept annotation that could run something or pull other objects along
# (a page reference would copy that whole page again, unseen).
ANNOT_DROP = ("/A", "/AA", "/P", "/IRT", "/Parent", "/RichMediaContent")
HIDDEN_FLAGS = 2 | 32  # Hidden, NoView


def _obj(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _action_kinds(action: Any, *, link: bool) -> set[str]:
    """What an action (and every /Next after it) would do, as removal labels."""
    found: set[str] = set()
    pending = [action]
    seen: set[int] = set()
    while pending:
        item = _obj(pending.pop())
        if isinstance(item, ArrayObject):
            pending.extend(item)
            continue
        if not isinstance(item, DictionaryObject) or id(item) in seen:
            continue
        seen.add(id(item))
        kind = item.get("/S")
        if kind == "/JavaScript":
            found.add(JAVASCRIPT)
        elif kind == "/URI":
            uri = str(_obj(item.get("/URI", ""))).lower()
            if not uri.startswith(SAFE_SCHEMES):
                found.add(LAUNCH)
        elif kind in ("/Launch", "/GoToR", "/GoToE", "/ImportData", "/SubmitForm"):
            found.add(LAUNCH)
        elif kind == "/GoTo" and link:
            found.add(INTERNAL)
        elif not link:
            found.add(AUTOMATIC)
        else:
            found.add(MEDIA)
        if "/Next" in item:
            pending.append(item["/Next"])
    return found


def _triggers(holder: DictionaryObject) -> set[str]:
    """Labels for an /AA (additional actions) dictionary: automatic, plus what they do."""
    triggers = _obj(holder.get("/AA"))
    if not isinstance(triggers, DictionaryObject) or not triggers:
        return set()
    found = {AUTOMATIC}
    for action in triggers.values():
        found |= _action_kinds(action, link=False)
    return found


def _annotation_kinds(annot: DictionaryObject) -> set[str]:
    subtype = annot.get("/Subtype")
    found = _triggers(annot)
    if subtype == "/Widget":
        found.add(FORMS)
        parent = _obj(annot.get("/Parent"))
        depth = 0
        while isinstance(parent, DictionaryObject) and depth < 32:
            found |= _triggers(parent)
            parent, depth = _obj(parent.get("/Parent")), depth + 1
        if "/A" in annot:
            found |= _action_kinds(annot["/A"], link=True)
    elif subtype == "/Link":
        if "/A" in annot:
            found |= _action_kinds(annot["/A"], link=True)
        elif "/Dest" in annot:
            found.add(INTERNAL)
    elif subtype == "/FileAttachment":
        found.add(FILES)
    elif subtype in INERT:
        if "/A" in annot:
            found |= _action_kinds(annot["/A"], link=False)
    else:
        found.add(MEDIA)
    return found


def removed_content(reader: PdfReader) -> list[str]:
    """What appending ``reader``'s pages leaves out, in ``ORDER``; empty for a plain PDF."""
    found: set[str] = set()
    root = _obj(reader.trailer.get("/Root"))
    if isinstance(root, DictionaryObject):
        opening = _obj(root.get("/OpenAction"))
        if isinstance(opening, DictionaryObject):
            found |= {AUTOMATIC} | _action_kinds(opening, link=False)
        found |= _triggers(root)
        names = _obj(root.get("/Names"))
        if isinstance(names, DictionaryObject):
            if "/JavaScript" in names:
                found.add(JAVASCRIPT)
            if "/EmbeddedFiles" in names:
                found.add(FILES)
        if "/AcroForm" in root:
            found.add(FORMS)
    for page in reader.pages:
        found |= _triggers(page)
        for ref in _obj(page.get("/Annots")) or []:
            annot = _obj(ref)
            if isinstance(annot, DictionaryObject):
                found |= _annotation_kinds(annot)
    return [label for label in ORDER if label in found]


@dataclass(frozen=True)
class Field:
    """A form field's normal appearance and where it sits, to draw into the page."""

    appearance: IndirectObject
    rect: tuple[float, float, float, float]


def _appearance(annot: DictionaryObject) -> IndirectObject | None:
    if int(_obj(annot.get("/F", 0)) or 0) & HIDDEN_FLAGS:
        return None
    appearances = _obj(annot.get("/AP"))
    if not isinstance(appearances, DictionaryObject):
        return None
    normal = appearances.get("/N")  # unresolved: the reference is what gets copied
    states = _obj(normal)
    if isinstance(states, DictionaryObject) and not hasattr(states, "get_data"):
        normal = states.get(annot.get("/AS", "/Off"))  # a check box: the state shown
    if not isinstance(normal, IndirectObject):
        return None  # a stream must be an indirect object; anything else is malformed
    return normal if hasattr(normal.get_object(), "get_data") else None


def inert_page(page: _PageObject) -> list[Field]:
    """Strip ``page`` (of the source reader) in place; return its visible form fields.

    Call it before the page is copied, so that what is removed is never copied at all.
    """
    for key in ("/AA", "/B"):  # page actions; article beads (they link other pages)
        if key in page:
            del page[key]
    kept = ArrayObject()
    fields: list[Field] = []
    for ref in _obj(page.get("/Annots")) or []:
        annot = _obj(ref)
        if not isinstance(annot, DictionaryObject):
            continue
        subtype = annot.get("/Subtype")
        if subtype == "/Widget":
            appearance = _appearance(annot)
            if appearance is not None:
                x0, y0, x1, y1 = (float(v) for v in _obj(annot["/Rect"]))
                fields.append(
                    Field(appearance, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
                )
            continue
        if subtype == "/Link" and _safe_link(annot):
            for key in ANNOT_DROP[1:]:
                annot.pop(key, None)
            kept.append(ref)
        elif subtype in INERT:
            for key in ANNOT_DROP:
                annot.pop(key, None)
            kept.append(ref)
    if "/Annots" in page:
        del page["/Annots"]
    if kept:
        page[NameObject("/Annots")] = kept
    return fields


def _safe_link(annot: DictionaryObject) -> bool:
    action = _obj(annot.get("/A"))
    if not isinstance(action, DictionaryObject) or "/Next" in action:
        return False
    uri = str(_obj(action.get("/URI", ""))).lower()
    return action.get("/S") == "/URI" and uri.startswith(SAFE_SCHEMES)


def flatten_fields(writer: PdfWriter, page: _PageObject, fields: list[Field]) -> None:
    """Draw each field's appearance into ``page`` (already in ``writer``) as page content."""
    if not fields:
        return
    resources = _obj(page.setdefault(NameObject("/Resources"), DictionaryObject()))
    xobjects = _obj(resources.setdefault(NameObject("/XObject"), DictionaryObject()))
    drawing = []
    for number, item in enumerate(fields):
        name = NameObject(f"/AppealKitField{number}")
        form = item.appearance.get_object()
        xobjects[name] = item.appearance.clone(writer)
        bx0, by0, bx1, by1 = _box(form)
        rx0, ry0, rx1, ry1 = item.rect
        sx = (rx1 - rx0) / (bx1 - bx0) if bx1 > bx0 else 1.0
        sy = (ry1 - ry0) / (by1 - by0) if by1 > by0 else 1.0
        drawing.append(
            f"q {sx:.6f} 0 0 {sy:.6f} {rx0 - bx0 * sx:.4f} {ry0 - by0 * sy:.4f} cm {name} Do Q"
        )
    before = DecodedStreamObject()
    before.set_data(b"q\n")
    after = DecodedStreamObject()
    after.set_data(("\nQ\n" + "\n".join(drawing) + "\n").encode("ascii"))
    contents = page.get("/Contents")
    parts: list[PdfObject] = [writer._add_object(before)]
    resolved = _obj(contents)
    if isinstance(resolved, ArrayObject):
        parts += list(resolved)
    elif contents is not None:
        parts.append(contents)
    parts.append(writer._add_object(after))
    page[NameObject("/Contents")] = ArrayObject(parts)


def _box(form: Any) -> tuple[float, float, float, float]:
    """The appearance's /BBox after its /Matrix, as (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = (float(v) for v in _obj(form.get("/BBox", [0, 0, 1, 1])))
    a, b, c, d, e, f = (float(v) for v in _obj(form.get("/Matrix", [1, 0, 0, 1, 0, 0])))
    corners = [(a * x + c * y + e, b * x + d * y + f) for x in (x0, x1) for y in (y0, y1)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return min(xs), min(ys), max(xs), max(ys)

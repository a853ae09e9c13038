"""The dossier catalog: complete, compiled, faithful to its placeholders, drawable."""

from __future__ import annotations

import re
import string

import pytest

pytest.importorskip("babel")

from babel.messages.pofile import read_po
from reportlab.pdfbase import pdfmetrics

from appeal_kit.dossier.style import CJK, register_fonts
from appeal_kit.resources import templates_dir
from devtools.catalogs import compiled, extract, po_path

PO = po_path("dossier", "zh")


def _catalog() -> list[tuple[str, str, bool]]:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    return [(str(m.id), str(m.string), m.fuzzy) for m in catalog if m.id]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_dossier_message_has_chinese() -> None:
    wanted = {str(m.id) for m in extract("dossier") if m.id}
    done = {msgid for msgid, text, fuzzy in _catalog() if text.strip() and not fuzzy}
    missing = sorted(wanted - done)
    assert not missing, f"{len(missing)} dossier messages lack Chinese, e.g. {missing[:5]}"


def test_compiled_catalog_is_current() -> None:
    assert PO.with_suffix(".mo").read_bytes() == compiled(PO, "zh")


def test_translations_keep_every_placeholder() -> None:
    wrong = [
        (msgid, text) for msgid, text, _ in _catalog() if text and _fields(msgid) != _fields(text)
    ]
    assert not wrong, wrong[:3]


def _covered() -> set[int]:
    vera = register_fonts()
    return set(vera) | set(pdfmetrics.getFont(CJK).face.charToGlyph)


def test_every_chinese_character_has_a_glyph() -> None:
    """No box or blank in any viewer: the bundled fonts draw every character we write."""
    texts = [text for _, text, _ in _catalog()]
    texts += [p.read_text(encoding="utf-8") for p in templates_dir().glob("statements/*.zh.md")]
    covered = _covered()
    lacking = sorted({ch for text in texts for ch in text if ord(ch) not in covered and ch.strip()})
    assert not lacking, lacking
    assert any(re.search("[\u4e00-\u9fff]", t) for t in texts)

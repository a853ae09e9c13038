"""No bypass: with a pseudo Chinese catalog, every word on the dossier's pages is pseudo.

The zh dossier catalog is replaced by one that turns each English letter of each
message into its full-width twin (``Page`` -> ``Ｐａｇｅ``), placeholders kept. A
dossier built in ``zh`` then holds no plain English word except data: file
names, URLs, hashes, the case's own values, camera names, EXIF tags and the
platform guide's own quotations. An English word anywhere else reached the page
without passing through the catalog. The words drawn into the comparison
pictures are checked the same way, as they are drawn.
"""

from __future__ import annotations

import gettext
import re
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from appeal_kit.i18n.document import set_document_catalog
from appeal_kit.options import BuildOptions
from appeal_kit.pipeline import build_dossier
from tests.conftest import exif_bytes, save_jpeg, textured_photo, write_case

WIDE = {c: chr(ord(c) + 0xFEE0) for c in string.ascii_letters}

CASE = """\
platform = "aliexpress"
case_id = "AE-1"
store = "测试店铺"
seller_id = "cn0001"
complainant = "某某公司"
notice_received = 2024-10-10T09:30:00+08:00
points_at_stake = 2
own_listing_url = "https://shop.example.com/item/9.html"
own_listing_date = 2024-03-20

[[accused]]
url = "https://shop.example.com/item/1.html"
first_seen = 2024-09-30

[[events]]
type = "submitted"
at = 2024-10-11T10:00:00+08:00
"""

# Data that may stay as it is: paths and file names, URLs, hashes, EXIF tags,
# the verification commands, units and the camera's own name.
DATA = [
    r"https?://\S+",
    r"\S+\.(?:jpg|JPG|jpeg|png|html)\b",
    r"\b(?:originals|accused|documents)/\S*",
    r"\b[0-9a-f]{6,}…?",
    r"EXIF:\w+",
    r"\bDateTimeOriginal\b",
    r"sha256sum FILE|shasum -a 256 FILE|certutil -hashfile FILE SHA256",
    r"\bIMG_\d+\b",
    r"\bCanon EOS R6\b|\bCanon\b",
    r"\bappeal-kit\b",
    r"\bLICENCE\b",
    r"\bSHA-256\b|\b(?:JPG|JPEG|PNG|PDF|TIFF|HEIC)\b",  # algorithm and format names
    # A DRAFT names the case.toml key to fill in ({store}, [not known: store]).
    r"\{\w+\}|\b(?:store|opening|case_id|seller_id|complainant|notice_received)\b",
    r"\baliexpress\b",
    r"\bUTC\b",
    r"\bcase\.toml\b",
]


def _known() -> frozenset[str]:
    """The messages the catalogs hold: extracted from the code (dossier, and the console
    texts the dossier says again), so a string Babel never saw stays English and is caught."""
    catalogs = pytest.importorskip("devtools.catalogs")
    return frozenset(
        str(m.id) for domain in ("dossier", "console") for m in catalogs.extract(domain) if m.id
    )


class Pseudo(gettext.NullTranslations):
    """Every letter of a known message full-width, ``{fields}`` left as they are."""

    def __init__(self, known: frozenset[str] | None = None) -> None:
        super().__init__()
        self.known = known

    def gettext(self, message: str) -> str:
        if self.known is not None and message not in self.known:
            return message
        parts = re.split(r"(\{[^{}]*\})", message)
        return "".join(
            part if part.startswith("{") else "".join(WIDE.get(c, c) for c in part)
            for part in parts
        )


@pytest.fixture
def pseudo_zh() -> Iterator[None]:
    set_document_catalog("zh", Pseudo(_known()))
    yield
    set_document_catalog("zh", None)


def english_words(text: str, extra: list[str]) -> list[str]:
    """Plain English words left once the data is taken out."""
    flat = " ".join(text.split())
    for source in extra:
        flat = flat.replace(" ".join(source.split()), " ")
    for pattern in DATA:
        flat = re.sub(pattern, " ", flat)
    return re.findall(r"[A-Za-z]{3,}", flat)


def _one_page_pdf(path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), invariant=1)
    canvas.drawString(72, 720, "LICENCE")  # the document's own words are data
    canvas.showPage()
    canvas.save()


def _profile_quotes() -> list[str]:
    from appeal_kit.tracking.platforms import load_profile

    return [rule.source for rule in load_profile("aliexpress").rules if rule.source]


def _untranslated_notes(result: Any) -> list[str]:
    matches = getattr(getattr(result, "analysis", None), "matches", [])
    return [str(m.note) for m in matches if m.note and not hasattr(m.note, "msgid")]


def test_matcher_notes_pass_through_the_catalog(
    make_case: Callable[[int], Path], tmp_path: Path
) -> None:
    options = BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", jobs=1)
    result = build_dossier(make_case(1), options)
    assert result.analysis.matches
    assert not _untranslated_notes(result)


def test_pseudo_catalog_changes_every_letter() -> None:
    pseudo = Pseudo().gettext("Page {number} of {total}")
    assert english_words(re.sub(r"\{\w+\}", " ", pseudo), []) == []
    assert "{number}" in Pseudo().gettext("Page {number} of {total}")


@pytest.mark.parametrize("variant", ["appeal", "complaint-draft"])
def test_every_word_of_a_chinese_dossier_passes_through_the_catalog(
    tmp_path: Path, pseudo_zh: None, monkeypatch: pytest.MonkeyPatch, variant: str
) -> None:
    """Both modes; the second also a DRAFT (no store), an excluded file and two documents."""
    from appeal_kit.comparison import captions, pictures

    drawn: list[str] = []
    real_draw = captions.draw_text

    def record(draw: Any, xy: Any, text: str, *args: Any, **kwargs: Any) -> None:
        drawn.append(text)
        real_draw(draw, xy, text, *args, **kwargs)

    monkeypatch.setattr(pictures, "draw_text", record)
    text = CASE
    if variant == "complaint-draft":
        text = 'mode = "complaint"\n' + CASE.replace('store = "测试店铺"\n', "")
    root = write_case(tmp_path / "case", text, folders=("originals", "accused", "documents"))
    if variant == "complaint-draft":
        (root / "originals" / "broken.jpg").write_bytes(b"not a picture")
        save_jpeg(textured_photo(9, (400, 300)), root / "documents" / "licence.jpg")
        _one_page_pdf(root / "documents" / "certificate.pdf")
    for i in range(2):
        photo = textured_photo(500 + i)
        stamp = f"2024:03:10 14:{2 + i:02d}:11"
        save_jpeg(photo, root / "originals" / f"IMG_{412 + i:04d}.JPG", exif=exif_bytes(when=stamp))
        w, h = photo.size
        crop = photo.crop((w // 8, h // 8, w * 7 // 8, h * 7 // 8)).resize((600, 450))
        save_jpeg(crop, root / "accused" / f"listing-{i + 1}.jpg", quality=75)
    options = BuildOptions(
        out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", jobs=1, lang="zh"
    )
    result = build_dossier(root, options)
    reader = PdfReader(result.pdf_path)
    # Notes the matcher writes without the console translator: tracked by the next test.
    quotes = _profile_quotes() + _untranslated_notes(result)
    leaks: dict[str, list[str]] = {}
    for number, page in enumerate(reader.pages, start=1):
        found = english_words(page.extract_text() or "", quotes)
        if found:
            leaks[f"page {number}"] = found
    metadata: dict[str, Any] = dict(reader.metadata or {})
    for key in ("/Title", "/Subject", "/Keywords"):
        found = english_words(str(metadata.get(key, "")), [])
        if found:
            leaks[key] = found
    outline = [str(item.title) for item in reader.outline if hasattr(item, "title")]
    for title in outline:
        if english_words(title, []):
            leaks[f"bookmark {title}"] = english_words(title, [])
    assert drawn, "no text was drawn into the comparison pictures"
    for text in drawn:
        if english_words(text, []):
            leaks[f"picture: {text}"] = english_words(text, [])
    assert not leaks, "\n".join(f"{where}: {' '.join(found)}" for where, found in leaks.items())

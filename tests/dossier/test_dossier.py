"""The dossier PDF, parsed back with pypdf: parts, text, images, pages, metadata, bytes."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas

from appeal_kit.case.config import AccusedListing, Case
from appeal_kit.comparison.pictures import render_comparison
from appeal_kit.dossier.content import (
    DossierContent,
    StatementError,
    fill_statement,
    statement_values,
)
from appeal_kit.dossier.render import write_dossier
from appeal_kit.dossier.style import fit_box
from appeal_kit.evidence.images import sha256_file
from appeal_kit.models import (
    Deadline,
    DeadlineState,
    ExcludedFile,
    ImageMetadata,
    MatchResult,
)
from appeal_kit.resources import templates_dir

CST = timezone(timedelta(hours=8))
STORE = "Sunny Lamp Studio 阳光灯具"
LICENCE_TEXT = "LICENCE-PAGE-ONE"
GPS = (22.54321, 114.05432)


@dataclass
class FakeShoot:
    index: int
    camera: str
    serial: str
    start: datetime
    end: datetime
    frames: list[ImageMetadata] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"Shoot {self.index}: {self.camera} serial {self.serial}, {len(self.frames)} frames"


def texture(seed: int, size: tuple[int, int] = (480, 320)) -> Image.Image:
    rng = np.random.default_rng(seed)
    small = (rng.random((size[1] // 16, size[0] // 16, 3)) * 255).astype("uint8")
    return Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)


def make_content(root: Path) -> DossierContent:
    """A small but complete case: 5 originals, 2 pairs, 2 documents, 1 excluded file."""
    for name in ("originals", "accused", "documents", "work"):
        (root / name).mkdir(parents=True, exist_ok=True)
    metas: list[ImageMetadata] = []
    for i in range(5):
        path = root / "originals" / f"IMG_{4410 + i}.JPG"
        texture(i).save(path, quality=90)
        metas.append(
            ImageMetadata(
                path=path,
                display_path=f"originals/{path.name}",
                sha256=sha256_file(path),
                size_bytes=path.stat().st_size,
                format="JPEG",
                width=480,
                height=320,
                captured_at=datetime(2024, 3, 10, 14, 22, 5 + 7 * i, tzinfo=CST),
                captured_at_tag="DateTimeOriginal",
                make="Canon",
                model="Canon EOS R6",
                serial="012345678901",
                has_gps=True,
                gps=GPS,
            )
        )
    listing = AccusedListing(
        url="https://www.aliexpress.com/item/1005006789012345.html?spm=a2g0o.productlist.main.1",
        first_seen=datetime(2024, 10, 10, tzinfo=CST),
    )
    case = Case(
        root=root,
        case_file=root / "case.toml",
        case_id="AE-2024-0042",
        store=STORE,
        seller_id="cn1234567",
        complainant="深圳某某贸易有限公司",
        notice_received=datetime(2024, 10, 20, 9, 30, tzinfo=CST),
        violation="direct-copy",
        timezone="Europe/Berlin",
        accused_listings=[listing],
    )
    matches, comparisons = [], []
    region, scale = (100, 50, 240, 240), 0.5
    for k in range(2):
        x0, y0, w, h = region
        copy = (
            Image.open(metas[k].path)
            .crop((x0, y0, x0 + w, y0 + h))
            .transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            .resize((120, 120))
        )
        accused = root / "accused" / f"listing-{k + 1}.jpg"
        copy.save(accused, quality=70)
        match = MatchResult(
            accused=accused,
            original=metas[k].path,
            verdict="match" if k == 0 else "possible",
            inliers=412 if k == 0 else 21,
            coverage=0.97,
            global_similarity=0.9,
            mirrored=True,
            scale=scale,
            region=region,
            quad=[(x0 + w, y0), (x0, y0), (x0, y0 + h), (x0 + w, y0 + h)],
            homography=[[-1 / scale, 0, x0 + w], [0, 1 / scale, y0], [0, 0, 1]],
        )
        matches.append(match)
        comparisons.append(
            render_comparison(
                metas[k].path,
                accused,
                match,
                original_meta=metas[k],
                listing=listing,
                out_path=root / "work" / f"{k + 1:02d}.jpg",
                height=240,
            )
        )
    certificate = root / "documents" / "certificate.png"
    Image.new("RGB", (300, 420), (250, 250, 235)).save(certificate)
    licence = root / "documents" / "licence.pdf"
    canvas = Canvas(str(licence), pagesize=LETTER, invariant=1)
    canvas.drawString(72, 700, LICENCE_TEXT)
    canvas.showPage()
    canvas.drawString(72, 700, "LICENCE-PAGE-TWO")
    canvas.showPage()
    canvas.save()
    deadlines = [
        Deadline(
            "appeal",
            "Appeal deadline",
            datetime(2024, 10, 22, 9, 30, tzinfo=CST),
            DeadlineState.OPEN,
            "48 hours after the notice",
        ),
    ]
    inputs = [*metas_paths(metas), *sorted((root / "accused").iterdir()), certificate, licence]
    entries = sorted((case.display(p), sha256_file(p), p.stat().st_size) for p in inputs)
    entries.append(("accused/broken.jpg", "0" * 64, 10))
    return DossierContent(
        case=case,
        summary="2 accused images match originals captured 2024-03-10 on a Canon EOS R6.",
        originals=metas,
        matches=matches,
        comparisons=comparisons,
        deadlines=deadlines,
        platform_timezone="Asia/Shanghai",
        local_timezone="Europe/Berlin",
        statement_text="# Our appeal\n\nWe shot these photos.\n\n- point one\n- point two\n",
        documents=[licence, certificate],
        excluded=[
            ExcludedFile(
                "accused/broken.jpg",
                "accused",
                "is truncated: the file ends early",
                "copy the file again from the camera, phone or download",
            )
        ],
        manifest_entries=entries,
        shoots=[
            FakeShoot(
                1,
                "Canon EOS R6",
                "012345678901",
                metas[0].captured_at,
                metas[-1].captured_at,
                metas,
            )
        ],  # type: ignore[arg-type]
        outtakes=metas[2:],
    )


def metas_paths(metas: list[ImageMetadata]) -> list[Path]:
    return [m.path for m in metas]


def page_texts(path: Path) -> list[str]:
    """Text per page, runs of whitespace (table cells wrap) collapsed to one space."""
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DossierContent, Path, object]:
    root = tmp_path_factory.mktemp("case")
    content = make_content(root)
    out = root / "out" / "dossier.pdf"
    info = write_dossier(content, out)
    return content, out, info


def test_pages_headers_and_count(built) -> None:
    _content, out, info = built
    reader = PdfReader(out)
    total = len(reader.pages)
    assert info.page_count == total and info.size_bytes == out.stat().st_size
    assert info.appended_pages == 2
    for number, text in enumerate(page_texts(out), start=1):
        assert f"Page {number} of {total}" in text
        assert "AE-2024-0042" in text


def test_parts_in_order(built) -> None:
    _content, out, _info = built
    text = "\n".join(page_texts(out))
    headings = [
        "Appeal dossier",
        "1. Appeal statement",
        "2. Evidence: our originals",
        "3. Comparisons",
        "4. Timeline",
        "5. Other frames from our shoots",
        "6. Deadlines",
        "7. Supporting documents",
        "8. Excluded files",
        "9. Manifest",
    ]
    # Past the cover's table of contents, each heading appears in this order: the case
    # first, the seller's deadline tracker after the evidence.
    cursor = text.index("9. Manifest") + 1
    positions = []
    for heading in headings[1:]:
        cursor = text.index(heading, cursor)
        positions.append(cursor)
    assert positions == sorted(positions)
    assert page_texts(out)[0].count("Appeal dossier") >= 1


def test_key_facts_in_text(built) -> None:
    content, out, _info = built
    pages = page_texts(out)
    text = " ".join(pages)
    for meta in content.originals:
        assert meta.captured_at is not None
        assert meta.captured_at.strftime("%Y-%m-%d %H:%M:%S") in text
    assert "2024-10-22 09:30 +08:00" in text  # deadline, platform time
    assert "2024-10-22 03:30 +02:00" in text  # deadline, the user's time
    assert "no clock used" in text
    assert "Time left" not in text
    assert "We shot these photos." in text and "point two" in text
    assert "412" in text and "possible match" in text
    assert "before the complainant's listing was first seen" in " ".join(text.split())
    assert STORE in pages[0] and "深圳某某贸易有限公司" in pages[0]
    # Manifest: every full hash is there.
    flat = re.sub(r"\s+", "", text)
    for _display, digest, _size in content.manifest_entries:
        assert digest in flat


def test_gps_absent_by_default_and_present_on_request(built, tmp_path: Path) -> None:
    content, out, _info = built
    assert "22.54321" not in "\n".join(page_texts(out))
    with_gps = write_dossier(dataclasses.replace(content, include_gps=True), tmp_path / "g.pdf")
    assert "22.54321, 114.05432" in "\n".join(page_texts(with_gps.path))


def test_images_embedded_as_jpeg(built) -> None:
    content, out, _info = built
    reader = PdfReader(out)
    images: dict[int, tuple[object, object, tuple[object, ...]]] = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources else None
        if not xobjects:
            continue
        for ref in xobjects.get_object().values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                filters = obj.get("/Filter")
                names = tuple(filters) if isinstance(filters, list) else (filters,)
                images[ref.idnum] = (obj.get("/Width"), obj.get("/Height"), names)
    # 2 side-by-sides + 2 proof strips + 3 outtake thumbnails + 1 certificate.
    assert len(images) == 8
    # JPEG passed through as binary (no ASCII85 inflating every image by a quarter).
    assert all(f == ("/DCTDecode",) for _w, _h, f in images.values())
    sizes = {(w, h) for w, h, _f in images.values()}
    for comp in content.comparisons:
        # The side-by-side goes in without its caption band: the caption is stated once, as text.
        assert any(w == comp.width and h < comp.height for w, h in sizes)


def test_metadata(built) -> None:
    _content, out, _info = built
    meta = PdfReader(out).metadata
    assert meta is not None
    assert meta.title == "Appeal dossier — AE-2024-0042"
    assert meta.author == STORE
    assert "AE-2024-0042" in (meta.subject or "")
    assert "aliexpress" in (meta.get("/Keywords") or "")


def test_appended_pdf_pages_intact_and_in_place(built) -> None:
    _content, out, _info = built
    reader = PdfReader(out)
    pages = page_texts(out)
    first = next(i for i, t in enumerate(pages) if LICENCE_TEXT in t)
    divider = next(i for i, t in enumerate(pages) if "Document: documents/licence.pdf" in t)
    excluded = next(i for i, t in enumerate(pages) if "8. Excluded files" in t and i > 1)
    assert first == divider + 1 and "LICENCE-PAGE-TWO" in pages[first + 1]
    assert first + 2 <= excluded
    # The document keeps its own page size (letter), the dossier is A4.
    assert [round(float(x)) for x in reader.pages[first].mediabox[2:]] == [612, 792]
    assert [round(float(x)) for x in reader.pages[0].mediabox[2:]] == [595, 842]


def test_excluded_list(built, tmp_path: Path) -> None:
    content, out, _info = built
    text = "\n".join(page_texts(out))
    assert "accused/broken.jpg" in text and "is truncated: the file ends early" in text
    # Reviewer-facing: the reason only, never the seller's to-do.
    flat = " ".join(text.split())
    assert "copy the file again" not in flat and "phone or download" not in flat
    clean = write_dossier(dataclasses.replace(content, excluded=[]), tmp_path / "clean.pdf")
    assert "None: every input file was used." in "\n".join(page_texts(clean.path))


def test_byte_identical_across_writes(built, tmp_path: Path) -> None:
    content, out, _info = built
    again = write_dossier(content, tmp_path / "again.pdf")
    assert again.path.read_bytes() == out.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_letter_page_size(built, tmp_path: Path) -> None:
    content, _out, _info = built
    letter = write_dossier(dataclasses.replace(content, page_size="letter"), tmp_path / "l.pdf")
    box = PdfReader(letter.path).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (
        round(LETTER[0]),
        round(LETTER[1]),
    )
    assert (round(A4[0]), round(A4[1])) == (595, 842)


def test_as_of_shows_state_and_time_left(built, tmp_path: Path) -> None:
    content, _out, _info = built
    live = dataclasses.replace(content, as_of=datetime(2024, 10, 21, 9, 30, tzinfo=CST))
    text = "\n".join(page_texts(write_dossier(live, tmp_path / "live.pdf").path))
    assert "Time left" in text and "1 d 0 h left" in text
    assert "no clock used" not in text


def test_broken_supporting_pdf_is_listed_not_fatal(built, tmp_path: Path) -> None:
    content, _out, _info = built
    broken = tmp_path / "forged.pdf"
    broken.write_bytes(b"%PDF-1.4\n garbage without objects")
    info = write_dossier(
        dataclasses.replace(content, documents=[*content.documents, broken]), tmp_path / "b.pdf"
    )
    assert [p.display_path for p in info.problems] == [str(broken)]
    assert info.problems[0].reason.startswith("cannot be read as a PDF (")
    assert info.problems[0].fix == "export it again and build again"
    text = " ".join("\n".join(page_texts(info.path)).split())
    assert "cannot be read as a PDF" in text and "export it again" not in text


def test_captured_after_first_seen_is_shown(built, tmp_path: Path) -> None:
    content, _out, _info = built
    late = dataclasses.replace(content.originals[0], captured_at=datetime(2024, 11, 1, tzinfo=CST))
    info = write_dossier(
        dataclasses.replace(content, originals=[late, *content.originals[1:]], shoots=[]),
        tmp_path / "late.pdf",
    )
    text = "\n".join(page_texts(info.path))
    assert "captured after the complainant's listing was first seen" in " ".join(text.split())


def test_empty_case_still_renders(tmp_path: Path) -> None:
    case = Case(root=tmp_path, case_file=tmp_path / "case.toml", mode="complaint")
    info = write_dossier(DossierContent(case=case), tmp_path / "empty.pdf")
    text = "\n".join(page_texts(info.path))
    assert "Complaint dossier" in text and "1. Complaint statement" in text
    assert "No image of the infringing listing could be paired" in " ".join(text.split())
    assert f"Page 1 of {info.page_count}" in text


def test_fill_statement(tmp_path: Path) -> None:
    case = Case(root=tmp_path, case_file=tmp_path / "case.toml", case_id="C1", store="Shop")
    assert fill_statement(
        "{store} / {case_id} / {{x}} / {days_before}", case, {"days_before": "9"}
    ) == ("Shop / C1 / {x} / 9")
    with pytest.raises(StatementError) as caught:
        fill_statement("Hello {nobody} {store}", case, {})
    assert "{nobody}" in str(caught.value) and "{store}" in str(caught.value)


@pytest.mark.parametrize("mode", ["appeal", "complaint"])
def test_templates_fill_completely(mode: str, tmp_path: Path) -> None:
    case = Case(root=tmp_path, case_file=tmp_path / "case.toml", case_id="C1", store="Shop")
    template = (templates_dir() / "statements" / f"{mode}.md").read_text(encoding="utf-8")
    known = set(statement_values(case, {}))
    evidence = set(re.findall(r"\{([a-z_]+)\}", template)) - known
    # The evidence facts the pipeline supplies (appeal_kit.dossier.statement).
    assert evidence <= {
        "opening",
        "evidence_points",
        "summary",
        "original_count",
        "first_capture",
        "last_capture",
        "capture_span",
        "files_offer",
        "camera",
        "serial",
        "first_seen",
        "days_before",
        "matched_count",
        "matched_phrase",
        "accused_count",
        "possible_count",
        "documents_count",
    }
    filled = fill_statement(template, case, {name: f"<{name}>" for name in evidence})
    assert "{" not in filled and "Shop" in filled


@given(iw=st.floats(1, 20000), ih=st.floats(1, 20000), bw=st.floats(1, 2000), bh=st.floats(1, 2000))
def test_fit_box_keeps_aspect_and_stays_inside(iw: float, ih: float, bw: float, bh: float) -> None:
    w, h = fit_box(iw, ih, bw, bh)
    assert w <= bw + 1e-9 and h <= bh + 1e-9
    assert abs(w / h - iw / ih) <= 1e-6 * max(iw / ih, 1) or min(w, h) < 1e-6
    assert max(w / bw, h / bh) == pytest.approx(1.0)  # one side touches the frame


def test_bytes_do_not_depend_on_where_comparisons_were_written(built, tmp_path: Path) -> None:
    # The pipeline renders comparisons into a work folder with a random name.
    content, out, _info = built
    elsewhere = tmp_path / ".dossier.work-x7q2"
    elsewhere.mkdir()
    moved = []
    for comp in content.comparisons:
        assert comp.detail_path is not None
        path = elsewhere / comp.path.name
        detail = elsewhere / comp.detail_path.name
        path.write_bytes(comp.path.read_bytes())
        detail.write_bytes(comp.detail_path.read_bytes())
        moved.append(dataclasses.replace(comp, path=path, detail_path=detail))
    again = write_dossier(dataclasses.replace(content, comparisons=moved), tmp_path / "x.pdf")
    assert again.path.read_bytes() == out.read_bytes()


def test_unmatched_accused_images_are_listed(built, tmp_path: Path) -> None:
    content, out, _info = built
    assert "without a matching original" not in "\n".join(page_texts(out))
    lonely = MatchResult(
        accused=content.case.root / "accused" / "elsewhere.png",
        original=None,
        verdict="none",
        note="no original shares enough local detail with this image",
    )
    info = write_dossier(dataclasses.replace(content, unmatched=[lonely]), tmp_path / "u.pdf")
    pages = page_texts(info.path)
    [page] = [
        p for p in pages if "Images of the complainant's listing without a matching original" in p
    ]
    assert "accused/elsewhere.png" in page
    assert (
        "1 image of the complainant's listing examined in this case matches none of the originals"
        in " ".join(page.split())
    )
    assert "no original shares enough local detail" in page


def test_chinese_names_use_an_embedded_font(built) -> None:
    # poppler and pdfium (preview) have no Asian CID fonts: the glyphs must travel in the PDF.
    _content, out, _info = built
    fonts = PdfReader(out).pages[0]["/Resources"]["/Font"]
    cjk = [
        f.get_object() for f in fonts.values() if "DroidSansFallback" in f.get_object()["/BaseFont"]
    ]
    assert cjk, "the cover names a Chinese complainant, so the CJK font must be used"
    for font in cjk:
        descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0]["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object()

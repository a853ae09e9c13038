"""Issue #11, the PDF as a file: embedded fonts, dates from the case, same bytes on
rebuild, nothing drawn past the text frame, DRAFT on every page of a half-filled case.

Pages are rendered with pdftoppm (poppler) when it is installed, else with pdfium
(pypdfium2, which ``preview`` uses), and measured as pixels.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from appeal_kit.dossier.style import MARGIN_X
from appeal_kit.options import BuildOptions
from appeal_kit.pipeline import build_dossier
from tests.conftest import ROOT, run_cli

DEMO = ROOT / "samples" / "demo-case"
DPI = 50


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    options = BuildOptions(out_dir=out / "dossier", cache_dir=out / "cache")
    return build_dossier(DEMO, options).pdf_path


def render(pdf: Path, folder: Path) -> list[np.ndarray]:
    """Every page as a greyscale array at ``DPI``."""
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-gray", "-png", "-r", str(DPI), str(pdf), str(folder / "page")],
            check=True,
        )
        return [np.asarray(Image.open(p).convert("L")) for p in sorted(folder.glob("page*.png"))]
    import pypdfium2 as pdfium  # pragma: no cover - machines without poppler

    document = pdfium.PdfDocument(str(pdf))  # pragma: no cover
    return [  # pragma: no cover
        np.asarray(page.render(scale=DPI / 72).to_pil().convert("L")) for page in document
    ]


def ink_outside_frame(page: np.ndarray) -> list[str]:
    """Where something dark lies in the side margins, between header and footer rules."""
    height = page.shape[0]
    px_per_pt = DPI / 72
    side = int((MARGIN_X - 1.5 * 72 / 25.4) * px_per_pt)  # the margin less 1.5 mm
    top, bottom = int(height * 0.06), int(height * 0.93)  # header and footer lines excluded
    found = []
    for name, strip in (("left", page[top:bottom, :side]), ("right", page[top:bottom, -side:])):
        dark = int((strip < 200).sum())
        if dark:
            found.append(f"{name} margin: {dark} dark pixels")
    return found


def test_no_text_runs_past_the_frame(demo_pdf: Path, tmp_path: Path) -> None:
    pages = render(demo_pdf, tmp_path)
    assert len(pages) == len(PdfReader(demo_pdf).pages)
    problems = {n: ink_outside_frame(p) for n, p in enumerate(pages, start=1)}
    assert {n: p for n, p in problems.items() if p} == {}


def test_the_margin_check_sees_text_in_the_margin(tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    pdf = tmp_path / "over.pdf"
    canvas = Canvas(str(pdf), pagesize=(595, 842))
    canvas.drawString(500, 400, "a label that runs past the chart and off the page")
    canvas.save()
    [page] = render(pdf, tmp_path)
    assert ink_outside_frame(page)


def test_every_font_is_embedded(demo_pdf: Path) -> None:
    reader = PdfReader(demo_pdf)
    names = set()
    for page in reader.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            assert descriptor is not None, f"{font['/BaseFont']} has no descriptor (not embedded)"
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
    assert not any("Helvetica" in n for n in names), names
    if shutil.which("pdffonts"):
        listing = subprocess.run(
            ["pdffonts", str(demo_pdf)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert listing, "pdffonts lists the fonts"
        # Columns: name type encoding emb sub uni object ID; "emb" is the 4th from the right.
        assert all(line.split()[-5] == "yes" for line in listing), listing


def test_dates_come_from_the_case_and_rebuilds_are_identical(
    demo_pdf: Path, tmp_path: Path
) -> None:
    meta = PdfReader(demo_pdf).metadata
    assert meta is not None
    # The demo's latest dated fact: the appeal submitted 2024-10-16 11:20 +08:00.
    assert str(meta["/CreationDate"]).startswith("D:20241016032000")
    assert meta["/ModDate"] == meta["/CreationDate"]
    again = build_dossier(
        DEMO, BuildOptions(out_dir=tmp_path / "dossier", cache_dir=tmp_path / "cache")
    )
    assert again.pdf_path.read_bytes() == demo_pdf.read_bytes()


HALF_FILLED = """\
platform = "aliexpress"
violation = "direct-copy"
"""


def test_half_filled_case_is_a_draft_on_every_page(make_case, tmp_path: Path) -> None:
    # No case id, store or notice: the statement would need placeholders.
    from reportlab.pdfgen.canvas import Canvas

    case = make_case(2, toml=HALF_FILLED)
    licence = Canvas(str(case / "documents" / "licence.pdf"), pagesize=(595, 842))
    licence.drawString(72, 700, "LICENCE PAGE")  # an appended page gets the mark too
    licence.save()
    result = run_cli("build", case, "--cache-dir", tmp_path / "cache")
    assert result.code == 1, result.stdout + result.stderr
    said = " ".join((result.stdout + result.stderr).split())
    assert "DRAFT: not ready to submit" in said
    assert "blocker:" in said and "fix:" in said
    assert "case_id" in said and "store" in said and "notice_received" in said
    reader = PdfReader(case / "dossier" / "dossier.pdf")
    texts = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    assert all("DRAFT: not ready to submit" in t for t in texts)
    # The placeholder names the case.toml fields to fill in, as check does: no internal key.
    assert "[not known: opening]" not in " ".join(texts)
    assert "[not known: case_id, notice_received, store]" in " ".join(texts)
    # The band is drawn, not only written: red across the top of every page.
    for page in render(case / "dossier" / "dossier.pdf", tmp_path):
        assert page[: int(page.shape[0] * 0.02)].mean() < 200


def test_final_dossier_has_no_draft_mark_and_no_placeholder(demo_pdf: Path) -> None:
    text = " ".join(" ".join((p.extract_text() or "") for p in PdfReader(demo_pdf).pages).split())
    assert "DRAFT" not in text
    for placeholder in ("[not known", "(store name)", "(seller id)", "(not given)", " unknown"):
        assert placeholder not in text


def test_check_names_what_the_case_lacks(make_case, tmp_path: Path) -> None:
    from appeal_kit.pipeline import analyse_case

    case = make_case(1, toml=HALF_FILLED)
    for image in (case / "accused").iterdir():
        image.unlink()
    findings = analyse_case(case, BuildOptions(cache_dir=tmp_path / "cache")).findings
    codes = {f.code: f.severity for f in findings}
    assert codes["no-accused"] == "blocker"
    for code in ("no-listing-url", "no-first-seen", "no-seller-id", "no-complainant"):
        assert codes[code] == "warning", code
    # The statement needs the case id, the store and the notice: each one blocker with its
    # fix, not a blocker and a warning for the same field, and no template syntax.
    for code in ("no-case-id", "no-store", "no-notice-time"):
        assert code not in codes, code
    gaps = [f for f in findings if f.code == "statement-placeholder"]
    named = {name for f in gaps for name in re.findall(r"the value (\w+)", f.message)}
    assert {"case_id", "store", "notice_received"} <= named
    assert not any("{" in f.message for f in findings)
    assert all(f.fix for f in findings if f.severity == "blocker")
    result = run_cli("check", case, "--cache-dir", tmp_path / "cache")
    assert result.code == 1


def test_no_timeline_label_is_cut(demo_pdf: Path) -> None:
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(demo_pdf).pages]
    [timeline] = [p for p in pages if "4. Timeline" in p and "Shoot 1" in p]
    assert "…" not in timeline
    assert "serial 032021004417" in timeline  # the whole serial, not "0320…"


@pytest.mark.parametrize(
    ("text", "width", "pieces"),
    [
        ("2024-03-10 14:02:20 +08:00 (EXIF:DateTimeOriginal)", 90, ["(EXIF:DateTimeOriginal)"]),
        ("documents/copyright-assignment.jpg", 60, ["documents/", "assignment."]),
        ("Canon PowerShot G7 X Mark III", 45, ["PowerShot"]),
    ],
)
def test_cells_break_at_separators_never_inside_a_word(
    text: str, width: float, pieces: list[str]
) -> None:
    from reportlab.platypus import Table

    from appeal_kit.dossier.blocks import BREAK_AFTER, CellText, break_lines, text_width
    from appeal_kit.dossier.style import BODY, styles

    lines = break_lines(text, BODY, 8, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for piece in pieces:
        assert any(piece in line for line in lines), (piece, lines)
    for line in lines[:-1]:  # every break follows a separator or a space
        following = text[text.index(line) + len(line) :]
        assert line[-1] in BREAK_AFTER or following.startswith(" "), (line, lines)
    # In a cell too narrow for a word, the text shrinks instead of splitting it.
    cell = CellText("DateTimeOriginal", styles().cell)
    Table([[cell]], colWidths=[70]).wrap(70, 100)  # 58 pt inside the default padding
    assert cell._para is not None and cell._para.style.fontSize < 8
    assert text_width("DateTimeOriginal", BODY, cell._para.style.fontSize) <= 70 - 12
    assert "<br/>" not in cell._para.text


def test_page_one_argues(demo_pdf: Path) -> None:
    reader = PdfReader(demo_pdf)
    first = " ".join((reader.pages[0].extract_text() or "").split())
    # Identifiers, then the strongest facts with their numbers, then what we ask.
    order = [
        "AE-IPR-2024-1015-0042",
        "Why these photographs are ours",
        "214 days before the complainant's listing was first seen",
        "204 days before the complainant's listing was first seen",
        "What we ask",
        "This appeal was filed on 2024-10-16 11:20 +08:00, within the platform's window "
        "(due 2024-10-17 09:30 +08:00).",
    ]
    positions = [first.index(part) for part in order]
    assert positions == sorted(positions)
    # Their listing's URL without its tracking query; "accused" never names the complainant.
    assert "The complainant's listing" in first and "Accused" not in first
    # The best comparison is on page 1 as a picture; the tracker is not.
    assert reader.pages[0]["/Resources"].get("/XObject")
    assert "Deadlines" not in first.split("Contents")[0]


def test_a_missed_deadline_alone_does_not_make_a_draft(make_case, tmp_path: Path) -> None:
    # The notice is from 2024, so the appeal window closed long ago: check calls that a
    # blocker and says "submit anyway as soon as possible". The dossier the seller is told
    # to send must not then read "not ready to submit".
    case = make_case(2)
    result = run_cli("build", case, "--cache-dir", tmp_path / "cache")
    said = " ".join((result.stdout + result.stderr).split())
    assert "blocker" in said  # the missed deadline, in the pre-flight table
    assert "DRAFT" not in said
    assert result.code == 0, said
    text = " ".join(
        (p.extract_text() or "") for p in PdfReader(case / "dossier" / "dossier.pdf").pages
    )
    assert "DRAFT" not in text


def test_the_reviewer_is_never_addressed_as_the_seller(demo_pdf: Path) -> None:
    # The dossier is read by the platform's reviewer: the seller's zone is named as the
    # seller's, and no instruction meant for the seller (case.toml settings) is printed.
    text = " ".join(" ".join((p.extract_text() or "") for p in PdfReader(demo_pdf).pages).split())
    assert "seller's local time" in text
    for wrong in ("your time", "Your local time", "in case.toml", "(case.toml", "Pair it"):
        assert wrong not in text, wrong


def test_violation_type_reads_as_words(demo_pdf: Path) -> None:
    first = " ".join((PdfReader(demo_pdf).pages[0].extract_text() or "").split())
    assert "Violation type Direct copy of images" in first
    assert "direct-copy" not in first


def test_documents_table_and_first_divider_share_a_page(demo_pdf: Path) -> None:
    # Not a one-row table on its own page, then a title-only page before the document.
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(demo_pdf).pages]
    [table] = [p for p in pages if "Document Kind SHA-256" in p]
    assert "Document: " in table

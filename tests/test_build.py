"""End to end: a case folder in, a verifiable PDF dossier out."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from appeal_kit import BuildOptions, build_dossier
from appeal_kit.cli.words import sentence
from appeal_kit.dossier.manifest import verify_manifest
from appeal_kit.errors import ExitCode, OutputError
from appeal_kit.evidence.images import sha256_file
from tests.conftest import exif_bytes, run_cli, save_jpeg, textured_photo

ROOT = Path(__file__).resolve().parents[1]


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(folder).as_posix(): (sha256_file(p), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def options(tmp_path: Path) -> BuildOptions:
    return BuildOptions(cache_dir=tmp_path / "cache", jobs=1)


def test_build_writes_a_verifiable_dossier(make_case, tmp_path: Path, options) -> None:
    case = make_case(2)
    before = snapshot(case)
    result = build_dossier(case, options)

    assert result.pdf_path == case / "dossier" / "dossier.pdf"
    reader = PdfReader(result.pdf_path)
    assert len(reader.pages) == result.page_count >= 6
    text = pdf_text(result.pdf_path)
    # Capture times of the originals and the notice-based deadline are in the text.
    assert "2024-03-10 14:02" in text and "2024-03-10 14:03" in text
    assert "2024-10-12" in text  # 48 h after the notice of 2024-10-10 09:30 +08:00
    # The statement says what is true of this case: one day of captures, no RAW files.
    flat = " ".join(text.split())
    assert "captured on 2024-03-10," in flat
    assert "We can send the original files on request" in flat and "RAW files" not in flat
    # first_seen was given as a day: shown as that day, not as a made-up clock time.
    assert "2024-09-30" in text and "2024-09-30 08:00" not in text
    assert "AE-TEST-1" in text and "Copy Shop Ltd" in text
    assert re.search(rf"Page 1 of {len(reader.pages)}\b", text)
    assert "AE-TEST-1" in (reader.metadata.title or "")
    # Both accused crops were paired with their originals and drawn.
    assert [m.verdict for m in result.analysis.matches] == ["match", "match"]
    assert [m.original.name for m in result.analysis.matches] == ["IMG_0412.JPG", "IMG_0413.JPG"]
    names = sorted(p.name for p in result.comparison_paths)
    assert len(names) == 4  # a side-by-side and a proof image per pair
    assert sum(name.endswith("-proof.jpg") for name in names) == 2
    images = sum(len(page.images) for page in reader.pages)
    assert images >= 2
    # The manifest covers every input and output and verifies.
    manifest = json.loads(result.manifest_path.read_text())
    listed = {item["path"] for item in manifest["inputs"]}
    assert {"originals/IMG_0412.JPG", "accused/listing-1.jpg", "case.toml"} <= listed
    assert {"dossier.pdf"} <= {item["path"] for item in manifest["outputs"]}
    assert verify_manifest(result.manifest_path, case) == []
    # Originals are evidence: not one byte or timestamp changed.
    after = {k: v for k, v in snapshot(case).items() if not k.startswith("dossier/")}
    assert after == before


def test_comparison_images_are_side_by_side(make_case, options) -> None:
    result = build_dossier(make_case(1), options)
    with Image.open(result.comparison_paths[0]) as img:
        assert img.format == "JPEG"
        width, height = img.size
        assert width > height * 1.2  # two panels side by side
        assert not img.getexif()  # no metadata (GPS) copied into outputs


def test_same_case_gives_identical_bytes(make_case, tmp_path: Path, options) -> None:
    case = make_case(2)
    first = build_dossier(case, BuildOptions(**{**options.__dict__, "out_dir": tmp_path / "a"}))
    second = build_dossier(case, BuildOptions(**{**options.__dict__, "out_dir": tmp_path / "b"}))
    assert first.pdf_path.read_bytes() == second.pdf_path.read_bytes()
    assert first.manifest_path.read_bytes() == second.manifest_path.read_bytes()
    for a, b in zip(first.comparison_paths, second.comparison_paths, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_refuses_to_overwrite_without_force(make_case, options) -> None:
    case = make_case(1)
    build_dossier(case, options)
    with pytest.raises(OutputError) as info:
        build_dossier(case, options)
    assert "--force" in (info.value.hint or "")
    build_dossier(case, BuildOptions(**{**options.__dict__, "force": True}))


def test_crash_leaves_no_plausible_pdf(make_case, options, monkeypatch) -> None:
    import appeal_kit.dossier.render as dossier

    case = make_case(1)

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(dossier, "write_dossier", explode)
    with pytest.raises(RuntimeError):
        build_dossier(case, options)
    assert not (case / "dossier").exists()
    assert not list(case.glob(".dossier.work-*"))


BAD_FILES = {
    "empty.jpg": ("empty", lambda p: p.write_bytes(b"")),
    "notes.jpg": ("not an image", lambda p: p.write_text("not a photo\n" * 50)),
    "truncated.jpg": ("truncated", None),
    "screenshot.jpg": ("wrongly named", lambda p: textured_photo(9, (400, 300)).save(p, "PNG")),
    "layers.psd": ("unsupported", lambda p: p.write_bytes(b"8BPS" + bytes(200))),
}


def test_bad_inputs_are_named_and_the_build_goes_on(make_case, options) -> None:
    case = make_case(1)
    for name, (_, make) in BAD_FILES.items():
        target = case / "originals" / name
        if make is None:
            data = save_jpeg(textured_photo(8, (600, 400)), target).read_bytes()
            target.write_bytes(data[: len(data) // 3])
        else:
            make(target)
    (case / "documents" / "licence.pdf").write_bytes(b"%PDF-1.4\n garbage")
    result = run_cli("build", case, "--cache-dir", options.cache_dir, "--jobs", "1")
    assert result.code == ExitCode.COMPLETED_WITH_PROBLEMS, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    text = pdf_text(case / "dossier" / "dossier.pdf")
    flat = " ".join(text.split())
    for name, (reason, _) in BAD_FILES.items():
        assert name in result.stderr, name
        assert reason in result.stderr, reason
        assert name in flat, name
    assert "licence.pdf" in result.stderr and "damaged PDF" in result.stderr
    assert "IMG_0412.JPG" in flat  # the good original is still evidence
    # The Excluded files page gives the reviewer the reason; the seller's fix stays out.
    manifest = json.loads((case / "dossier" / "manifest.json").read_text())
    fixes = {item["path"]: item["fix"] for item in manifest["excluded"]}
    reasons = {item["path"]: item["reason"] for item in manifest["excluded"]}
    assert reasons["originals/empty.jpg"] == "is empty (0 bytes)" and "is empty (0 bytes)" in flat
    assert all(fixes.values()), fixes
    for path, fix in fixes.items():
        assert " ".join(reasons[path].split()) in flat, path
        assert " ".join(fix.split()) not in flat, fix
        # The terminal shows it, as a sentence (capital first letter).
        assert sentence(fix) in " ".join(result.stderr.split()), fix


def test_malformed_exif_is_a_warning_not_an_exclusion(make_case, options) -> None:
    case = make_case(1)
    path = case / "originals" / "IMG_0412.JPG"
    data = path.read_bytes()
    # Corrupt the IFD entry count inside the EXIF block, keep the JPEG decodable.
    index = data.index(b"Exif\x00\x00") + 6 + 8
    path.write_bytes(data[:index] + b"\xff\xff" + data[index + 2 :])
    result = build_dossier(case, options)
    assert result.excluded == []
    assert result.analysis.usable_originals[0].display_path == "originals/IMG_0412.JPG"
    # ... but the seller hears of it, by file name, in the pre-flight findings.
    damaged = [f for f in result.analysis.findings if f.code == "exif-damaged"]
    assert [f.path for f in damaged] == ["originals/IMG_0412.JPG"]
    assert "EXIF block is damaged" in damaged[0].message


def test_gps_only_with_opt_in(make_case, tmp_path: Path, options) -> None:
    case = make_case(1)
    path = case / "originals" / "IMG_0412.JPG"
    save_jpeg(textured_photo(100, (1200, 900)), path, exif=exif_bytes(gps=True))
    hidden = build_dossier(case, options)
    assert "52.51" not in pdf_text(hidden.pdf_path)
    assert any(f.code == "gps-redacted" for f in hidden.findings)
    shown = build_dossier(
        case, BuildOptions(**{**options.__dict__, "include_gps": True, "out_dir": tmp_path / "g"})
    )
    assert "52.51" in pdf_text(shown.pdf_path)


def test_letter_page_size(make_case, options) -> None:
    result = build_dossier(
        make_case(1), BuildOptions(**{**options.__dict__, "page_size": "letter"})
    )
    box = PdfReader(result.pdf_path).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_supporting_pdf_pages_are_appended(make_case, options, tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    case = make_case(1)
    licence = case / "documents" / "licence.pdf"
    canvas = Canvas(str(licence), invariant=1)
    for page in (1, 2):
        canvas.drawString(72, 720, f"LICENCE PAGE {page} OF 2")
        canvas.showPage()
    canvas.save()
    result = build_dossier(case, options)
    text = pdf_text(result.pdf_path)
    assert "LICENCE PAGE 1 OF 2" in text and "LICENCE PAGE 2 OF 2" in text


@pytest.mark.slow
def test_demo_case_builds_completely(tmp_path: Path) -> None:
    demo = ROOT / "samples" / "demo-case"
    before = snapshot(demo / "originals")
    result = build_dossier(demo, BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "c"))
    assert result.excluded == []
    verdicts = {m.accused.name: m.verdict for m in result.analysis.matches}
    assert verdicts == {
        "listing-main-cropped.jpg": "match",
        "listing-mirrored.jpg": "match",
        "listing-page-screenshot.png": "match",
        "listing-square-sticker.jpg": "match",
    }
    by_name = {m.accused.name: m for m in result.analysis.matches}
    assert by_name["listing-mirrored.jpg"].mirrored
    assert by_name["listing-page-screenshot.png"].is_screenshot
    text = pdf_text(result.pdf_path)
    assert "copyright-assignment.jpg" in text
    assert snapshot(demo / "originals") == before
    # Comparisons are embedded at page resolution (250 dpi across a page at most),
    # while comparisons/ keeps the full-size JPEGs for close inspection.
    page_px = PdfReader(result.pdf_path).pages[0].mediabox.width / 72 * 250
    embedded = [i.image.width for page in PdfReader(result.pdf_path).pages for i in page.images]
    assert embedded and max(embedded) <= page_px
    full_widths = []
    for path in result.comparison_paths:
        with Image.open(path) as img:
            full_widths.append(img.width)
    assert max(full_widths) > page_px


def test_force_never_replaces_the_case_or_a_foreign_folder(make_case, tmp_path: Path) -> None:
    case = make_case(1)
    before = snapshot(case)
    for target in (case, case.parent):
        result = run_cli("build", case, "--out", target, "--force", "--cache-dir", tmp_path / "c")
        assert result.code == ExitCode.OUTPUT, result.stderr
        assert "would contain the case" in result.stderr
    mine = tmp_path / "my-files"
    mine.mkdir()
    (mine / "important.txt").write_text("keep me")
    result = run_cli("build", case, "--out", mine, "--force", "--cache-dir", tmp_path / "c")
    assert result.code == ExitCode.OUTPUT
    said = " ".join(result.stderr.split())
    assert "important.txt was not written by appeal-kit" in said
    assert (mine / "important.txt").read_text() == "keep me"
    assert snapshot(case) == before


def test_manifest_hashes_excluded_inputs_too(make_case, options) -> None:
    case = make_case(1)
    (case / "originals" / "empty.jpg").write_bytes(b"")
    (case / "originals" / "notes.jpg").write_text("not a photo")
    result = build_dossier(case, options)
    manifest = json.loads(result.manifest_path.read_text())
    hashed = {item["path"]: item["sha256"] for item in manifest["inputs"]}
    assert hashed["originals/empty.jpg"] == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert "originals/notes.jpg" in hashed
    excluded = {item["path"]: item for item in manifest["excluded"]}
    assert excluded["originals/empty.jpg"] == {
        "path": "originals/empty.jpg",
        "role": "original",
        "reason": "is empty (0 bytes)",
        "fix": "copy or download the file again",
    }
    notes = excluded["originals/notes.jpg"]
    assert notes["reason"].startswith("is not an image") and " — " not in notes["reason"]
    assert notes["fix"].startswith("check that this is the right file")


def test_side_files_get_reason_and_fix_apart(make_case, options) -> None:
    case = make_case(1)
    (case / "accused" / "listing.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (case / "documents" / "licence.pdf").write_bytes(b"%PDF-1.4\n garbage")
    result = build_dossier(case, options)
    got = {e.display_path: (e.role, e.reason, e.fix) for e in result.excluded}
    assert got["accused/listing.pdf"] == (
        "accused",
        "is a PDF",
        "save the listing images or a screenshot as JPEG/PNG in accused/",
    )
    role, reason, fix = got["documents/licence.pdf"]
    assert role == "document" and reason.startswith("is a damaged PDF (")
    assert fix == "export it again from its source" and " — " not in reason


def test_truncated_accused_image_is_excluded_once_decoded(make_case, options) -> None:
    case = make_case(2)
    path = case / "accused" / "listing-2.jpg"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    result = build_dossier(case, options)
    assert [(e.display_path, e.role) for e in result.excluded] == [
        ("accused/listing-2.jpg", "accused")
    ]
    # The matcher decoded it: its reason and fix still arrive apart.
    assert "truncated" in result.excluded[0].reason and " — " not in result.excluded[0].reason
    assert result.excluded[0].fix == "copy the file again from the camera, phone or download"
    skipped = next(m for m in result.analysis.matches if m.method == "skipped")
    assert skipped.note == f"not analysed: {result.excluded[0].reason}"
    assert [m.accused.name for m in result.analysis.paired] == ["listing-1.jpg"]
    assert result.analysis.accused == [case / "accused" / "listing-1.jpg"]


def test_outtakes_claim_only_what_was_examined(make_case, options) -> None:
    # IMG_0413's copy is unreadable, so the frame shows up among the other frames;
    # the page must not claim the frame was never published.
    case = make_case(2)
    (case / "accused" / "listing-2.jpg").write_bytes(b"")
    result = build_dossier(case, options)
    assert [e.display_path for e in result.excluded] == ["accused/listing-2.jpg"]
    text = " ".join(pdf_text(result.pdf_path).split())
    assert "none of the images of the complainant's listing examined" in text
    assert "1 of their files could not be examined" in text
    assert "never published" not in text


def test_unmatched_accused_image_is_named_in_the_dossier(make_case, options) -> None:
    from devtools.synthetic import make_photo

    case = make_case(1)
    make_photo(9001, (900, 600)).save(case / "accused" / "unrelated.jpg", quality=85)
    result = build_dossier(case, options)
    verdicts = {m.accused.name: m.verdict for m in result.analysis.matches}
    assert verdicts == {"listing-1.jpg": "match", "unrelated.jpg": "none"}
    flat = " ".join(pdf_text(result.pdf_path).split())
    assert "Images of the complainant's listing without a matching original" in flat
    assert "accused/unrelated.jpg" in flat


def test_long_cjk_names_give_bounded_unique_output_names(make_case, options) -> None:
    case = make_case(2)
    long_name = "侵权商品图片" * 13  # 78 characters, 234 bytes in UTF-8
    for index, path in enumerate(sorted((case / "accused").iterdir())):
        path.rename(path.with_name(f"{long_name}{index}.jpg"))
    for index, path in enumerate(sorted((case / "originals").iterdir())):
        path.rename(path.with_name(f"{long_name}原图{index}.JPG"))
    result = build_dossier(case, options)
    names = [p.name for p in result.comparison_paths]
    assert len(names) == 4 and len(set(names)) == 4
    assert all(len(name.encode("utf-8")) <= 200 for name in names)
    assert all(p.is_file() for p in result.comparison_paths)
    # The name still says which files it compares, cut on a character boundary.
    assert all(name.startswith("0") and "侵权商品图片" in name for name in names)
    assert verify_manifest(result.manifest_path, case) == []


def _hostile_pdf(path: Path) -> None:
    """A two-page PDF carrying every kind of active content, built with pypdf."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    def js(code: str) -> DictionaryObject:
        return DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)}
        )

    def rect(*values: float) -> ArrayObject:
        return ArrayObject([FloatObject(v) for v in values])

    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    font_ref = writer._add_object(font)
    for number in (1, 2):
        page = writer.add_blank_page(612, 792)
        body = DecodedStreamObject()
        body.set_data(f"BT /F1 14 Tf 72 720 Td (CERTIFICATE PAGE {number}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(body)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})}
        )
    first = writer.pages[0]
    first[NameObject("/AA")] = DictionaryObject({NameObject("/O"): js("app.alert('page')")})
    js_link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): rect(72, 600, 300, 620),
            NameObject("/A"): js("app.launchURL('https://evil.example/', true)"),
        }
    )
    launch = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): rect(72, 560, 300, 580),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/Launch"),
                    NameObject("/F"): TextStringObject("calc.exe"),
                }
            ),
        }
    )
    web = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): rect(72, 520, 300, 540),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/URI"),
                    NameObject("/URI"): TextStringObject("https://registry.example/cert/42"),
                }
            ),
        }
    )
    look = DecodedStreamObject()
    look.set_data(b"BT /F1 12 Tf 2 6 Td (FILLED-IN-NAME) Tj ET")
    look.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): rect(0, 0, 200, 24),
            NameObject("/Resources"): DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})}
            ),
        }
    )
    widget = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("holder"),
            NameObject("/V"): TextStringObject("FILLED-IN-NAME"),
            NameObject("/Rect"): rect(72, 400, 272, 424),
            NameObject("/F"): NumberObject(4),
            NameObject("/AA"): DictionaryObject({NameObject("/K"): js("event.rc = true")}),
            NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(look)}),
        }
    )
    widget_ref = writer._add_object(widget)
    first[NameObject("/Annots")] = ArrayObject(
        [writer._add_object(a) for a in (js_link, launch, web)] + [widget_ref]
    )
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([widget_ref])}
    )
    writer._root_object[NameObject("/OpenAction")] = js("app.launchURL('https://evil.example/')")
    writer.add_attachment("payload.exe", b"MZ not really a program")
    names = writer._root_object["/Names"]
    names[NameObject("/JavaScript")] = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("doc"), writer._add_object(js("app.alert('document')"))]
            )
        }
    )
    writer.write(path)


def test_active_content_of_supporting_pdfs_is_removed(make_case, options) -> None:
    case = make_case(1)
    _hostile_pdf(case / "documents" / "certificate.pdf")
    source = PdfReader(case / "documents" / "certificate.pdf")
    assert "/OpenAction" in source.trailer["/Root"] and "/AA" in source.pages[0]
    result = build_dossier(case, options)
    reader = PdfReader(result.pdf_path)

    forbidden = {"/JavaScript", "/JS", "/Launch", "/AA", "/OpenAction", "/EmbeddedFiles"}
    forbidden |= {"/AcroForm", "/Widget", "/FileAttachment", "/EmbeddedFile"}
    seen: set[int] = set()
    found: set[str] = set()
    uris: list[str] = []

    def walk(obj: object) -> None:
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                return
            seen.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            found.update(k for k in obj if k in forbidden)
            found.update(v for v in obj.values() if isinstance(v, str) and v in forbidden)
            if obj.get("/S") == "/URI":
                uris.append(str(obj["/URI"]))
            for value in obj.values():
                walk(value)
        elif isinstance(obj, ArrayObject):
            for value in obj:
                walk(value)

    walk(reader.trailer)
    # Every object in the file, reachable or not: nothing hides as an orphan either.
    for number in range(1, len(reader.xref_objStm) + max(reader.xref.get(0, {}), default=0) + 1):
        try:
            walk(reader.get_object(number))
        except Exception:  # a free object number
            continue
    assert found == set()
    raw = result.pdf_path.read_bytes()
    for key in (b"/JavaScript", b"/Launch", b"/OpenAction", b"/EmbeddedFiles", b"calc.exe"):
        assert key not in raw
    assert b"MZ not really" not in raw
    # The pages and their look stay: both pages' text, the filled-in field, the web link.
    text = pdf_text(result.pdf_path)
    assert "CERTIFICATE PAGE 1" in text and "CERTIFICATE PAGE 2" in text
    assert "FILLED-IN-NAME" in text
    assert "https://registry.example/cert/42" in uris
    # The divider says what was taken out.
    flat = " ".join(text.split())
    assert "Removed for the reader's safety: JavaScript;" in flat
    for label in ("automatic actions", "start programs", "embedded files", "form fields"):
        assert label in flat, label
    assert "active content removed" in flat


def test_files_moved_during_the_build_are_excluded_not_mismatched(
    make_case, options, monkeypatch
) -> None:
    """Pages and manifest describe one snapshot, whatever happens in the folder meanwhile."""
    from appeal_kit import checks

    case = make_case(2)
    gone = case / "originals" / "IMG_0413.JPG"
    rewritten = case / "accused" / "listing-1.jpg"
    added = case / "accused" / "added-later.jpg"
    real = checks.run_checks
    calls = []

    def meddle(analysis):
        # After every input was read and matched, before the dossier is written.
        if not calls:
            gone.unlink()
            save_jpeg(textured_photo(7, (600, 450)), rewritten, quality=70)
            save_jpeg(textured_photo(8, (600, 450)), added)
        calls.append(1)
        return real(analysis)

    monkeypatch.setattr(checks, "run_checks", meddle)
    result = build_dossier(case, options)
    manifest = json.loads(result.manifest_path.read_text())
    listed = {item["path"] for item in manifest["inputs"]}
    excluded = {item["path"]: item["reason"] for item in manifest["excluded"]}
    assert "originals/IMG_0413.JPG" not in listed
    assert "removed while the dossier was being built" in excluded["originals/IMG_0413.JPG"]
    assert "changed while the dossier was being built" in excluded["accused/listing-1.jpg"]
    assert "accused/listing-1.jpg" not in listed
    # A file added meanwhile is not part of this build at all.
    assert "accused/added-later.jpg" not in listed and "accused/added-later.jpg" not in excluded
    assert verify_manifest(result.manifest_path, case) == []
    # The pages say the same: both files on the Excluded files page, no comparison of them.
    flat = " ".join(pdf_text(result.pdf_path).split())
    assert "removed while the dossier was being built" in flat
    assert [m.accused.name for m in result.analysis.matches] == ["listing-2.jpg"]
    assert {e.display_path for e in result.excluded} >= set(excluded)
    assert all("listing-1" not in p.name for p in result.comparison_paths)

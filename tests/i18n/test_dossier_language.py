"""The dossier's language: case.toml ``language``, ``build --lang``, and what the PDF holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from appeal_kit.case.config import load_case
from appeal_kit.errors import CaseConfigError
from tests.conftest import CASE_TOML, run_cli, write_case


def test_language_defaults_to_english(tmp_path: Path) -> None:
    assert load_case(write_case(tmp_path / "c", CASE_TOML)).language == "en"


@pytest.mark.parametrize("value", ["zh", "zh+en", "en"])
def test_language_key_is_read(tmp_path: Path, value: str) -> None:
    case = load_case(write_case(tmp_path / "c", f'language = "{value}"\n' + CASE_TOML))
    assert case.language == value


def test_unknown_language_is_a_case_error_with_line_and_fix(tmp_path: Path) -> None:
    with pytest.raises(CaseConfigError) as caught:
        load_case(write_case(tmp_path / "c", CASE_TOML.replace("# test case", 'language = "cn"')))
    error = caught.value
    assert error.line == 1
    assert "cn" in str(error)
    assert '"zh+en"' in (error.hint or "")


def test_build_rejects_an_unknown_lang_before_any_work(tmp_path: Path) -> None:
    case = write_case(tmp_path / "c", CASE_TOML)
    result = run_cli("build", case, "--lang", "fr")
    assert result.code != 0
    assert "--lang zh+en" in result.stderr + result.stdout
    assert not (case / "dossier").exists()


def test_init_proposes_bilingual_under_a_chinese_locale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPEAL_KIT_LANG", "zh")
    assert run_cli("init", tmp_path / "zh-case", "--case-id", "X").code == 0
    assert load_case(tmp_path / "zh-case").language == "zh+en"
    monkeypatch.setenv("APPEAL_KIT_LANG", "en")
    assert run_cli("init", tmp_path / "en-case", "--case-id", "X").code == 0
    text = (tmp_path / "en-case" / "case.toml").read_text(encoding="utf-8")
    assert '# language = "zh+en"' in text
    assert load_case(tmp_path / "en-case").language == "en"


# --------------------------------------------------------------------------- built dossiers

HAN = re.compile("[\u4e00-\u9fff]")


def _fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font the pages use -> whether its program is embedded in the file."""
    found: dict[str, bool] = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources else None
        for ref in (fonts.get_object() if fonts else {}).values():
            font = ref.get_object()
            parts = [font]
            if "/DescendantFonts" in font:
                parts += [d.get_object() for d in font["/DescendantFonts"]]
            descriptors = [
                p["/FontDescriptor"].get_object() for p in parts if "/FontDescriptor" in p
            ]
            found[str(font.get("/BaseFont"))] = any(
                key in d for d in descriptors for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return found


@pytest.fixture(scope="module")
def dossiers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One generated case built through the CLI in each language."""
    from tests.conftest import exif_bytes, save_jpeg, textured_photo

    root = tmp_path_factory.mktemp("lang") / "case"
    write_case(root, CASE_TOML, folders=("originals", "accused", "documents"))
    for i in range(2):
        photo = textured_photo(300 + i)
        stamp = f"2024:03:10 14:{2 + i:02d}:11"
        save_jpeg(photo, root / "originals" / f"IMG_{412 + i:04d}.JPG", exif=exif_bytes(when=stamp))
        w, h = photo.size
        crop = photo.crop((w // 8, h // 8, w * 7 // 8, h * 7 // 8)).resize((600, 450))
        save_jpeg(crop, root / "accused" / f"listing-{i + 1}.jpg", quality=75)
    built = {}
    for lang in ("zh", "zh+en", "en"):
        out = root.parent / f"out-{lang}"
        result = run_cli("build", root, "--lang", lang, "-o", out, "--jobs", "1")
        assert result.code in (0, 1), result.stderr + result.stdout
        built[lang] = out / "dossier.pdf"
    return built


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


@pytest.mark.parametrize("lang", ["zh", "zh+en"])
def test_chinese_dossier_has_hundreds_of_chinese_characters(
    dossiers: dict[str, Path], lang: str
) -> None:
    text = _text(dossiers[lang])
    assert len(HAN.findall(text)) >= 300
    assert "申诉" in text
    assert "申诉书" in text and "证据：我方原图" in text
    # Chinese dates, with the zone named as sellers name it.
    assert "2024年10月10日" in text or "2024年3月10日" in text


def test_bilingual_dossier_carries_english_too(dossiers: dict[str, Path]) -> None:
    text = " ".join(_text(dossiers["zh+en"]).split())
    for english in ("Appeal statement", "Evidence: our originals", "Page 1 of", "What we ask"):
        assert english in text
    # The statement in both languages: the template's Chinese and the English sentences.
    assert "特此申诉" in text and "appeal the image-theft complaint" in text


def test_chinese_only_dossier_leaves_the_english_statement_out(dossiers: dict[str, Path]) -> None:
    text = " ".join(_text(dossiers["zh"]).split())
    assert "特此申诉" in text
    assert "appeal the image-theft complaint" not in text


def test_english_dossier_has_no_chinese(dossiers: dict[str, Path]) -> None:
    assert not HAN.findall(_text(dossiers["en"]))


@pytest.mark.parametrize("lang", ["zh", "zh+en"])
def test_every_font_is_embedded(dossiers: dict[str, Path], lang: str) -> None:
    fonts = _fonts(PdfReader(dossiers[lang]))
    assert any("DroidSansFallback" in name for name in fonts)
    assert all(fonts.values()), fonts


def test_chinese_page_renders_and_reads_back(dossiers: dict[str, Path], tmp_path: Path) -> None:
    """pdfium draws the statement page; the Chinese is ink on it and comes back as text."""
    pdfium = pytest.importorskip("pypdfium2")
    reader = PdfReader(dossiers["zh"])
    number = next(i for i, p in enumerate(reader.pages) if "申诉书" in (p.extract_text() or ""))
    document = pdfium.PdfDocument(dossiers["zh"])
    page = document[number]
    image = page.render(scale=100 / 72).to_pil().convert("L")
    png = tmp_path / "statement.png"
    image.save(png)
    with Image.open(png) as again:
        dark = sum(again.histogram()[:128])
    assert dark > 0.01 * image.width * image.height  # text drawn, not a blank page
    text = page.get_textpage().get_text_range()
    assert "申诉" in text and "我方" in text
    document.close()


def test_same_case_gives_the_same_bilingual_bytes(
    dossiers: dict[str, Path], tmp_path: Path
) -> None:
    case = dossiers["zh+en"].parents[1] / "case"
    again = run_cli("build", case, "--lang", "zh+en", "-o", tmp_path / "again", "--jobs", "1")
    assert again.code in (0, 1)
    assert (tmp_path / "again" / "dossier.pdf").read_bytes() == dossiers["zh+en"].read_bytes()

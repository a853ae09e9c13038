"""Claims in the demo dossier that its own pages or a calendar would disprove.

Each test reads the built PDF's text (pypdf) and checks it against the fact it
states: day counts against a calendar, the originals' state against what the
thumbnail check shows, GPS, shoots and the manifest's hashes.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from appeal_kit.dossier.render import write_dossier
from appeal_kit.evidence.metadata import read_metadata
from appeal_kit.evidence.shoots import group_shoots
from appeal_kit.options import BuildOptions
from appeal_kit.pipeline import build_dossier
from tests.conftest import ROOT
from tests.dossier.test_dossier import make_content, page_texts

DEMO = ROOT / "samples" / "demo-case"


def _build(root: Path, lang: str) -> Path:
    options = BuildOptions(out_dir=root / "dossier", cache_dir=root / "cache", lang=lang)  # type: ignore[arg-type]
    return build_dossier(DEMO, options).pdf_path


@pytest.fixture(scope="module")
def en_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("truth-en"), "en")


@pytest.fixture(scope="module")
def en_pages(en_pdf: Path) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(en_pdf).pages]


@pytest.fixture(scope="module")
def zh_pages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    pdf = _build(tmp_path_factory.mktemp("truth-zh"), "zh")
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages]


def test_every_day_count_is_calendar_days_between_the_printed_dates(en_pages: list[str]) -> None:
    text = " ".join(en_pages)
    # "..., on 2024-03-10, N days before ... (2024-10-10)" and "since 2024-03-20, N days".
    pattern = re.compile(
        r"(\d{4}-\d{2}-\d{2}), (\d+) days before [^()]*?first seen \((\d{4}-\d{2}-\d{2})\)"
    )
    found = pattern.findall(text)
    assert len(found) >= 3  # statement, cover and timeline
    for start, count, end in found:
        assert int(count) == (date.fromisoformat(end) - date.fromisoformat(start)).days
    since = re.findall(r"since (\d{4}-\d{2}-\d{2}), (\d+) days before", text)
    assert since
    for start, count in since:
        assert int(count) == (date(2024, 10, 10) - date.fromisoformat(start)).days
    # The timeline's interval labels carry the same numbers.
    assert "captured 213 days" not in text
    assert "214 days before" in text


def test_chinese_day_counts_match_the_calendar(zh_pages: list[str]) -> None:
    text = " ".join(zh_pages)
    assert "早 213 天" not in text
    assert text.count("早 214 天") >= 3 and "早 204 天" in text


def test_originals_are_said_to_match_their_thumbnails_not_to_be_as_the_camera_wrote_them(
    en_pages: list[str], zh_pages: list[str]
) -> None:
    # The thumbnail check shows the picture was not re-framed; the demo's files were
    # resized from the camera's, so "as the camera wrote them" is not established.
    english = " ".join(en_pages)
    assert "camera wrote" not in english
    assert "All 8 originals still match the thumbnails the camera embedded in them" in english
    assert "which files still match the thumbnail the camera embedded in them" in english
    chinese = " ".join(zh_pages)
    assert "保持相机拍摄时的原样" not in chinese
    assert "全部 8 张原图与相机内嵌在其中的缩略图仍然一致" in chinese


GPS_LEFT_OUT = "GPS positions are left out of this dossier for privacy."


def test_gps_left_out_is_said_only_when_an_original_records_a_position(
    en_pages: list[str], tmp_path: Path
) -> None:
    # None of the demo's originals has GPS: saying it was left out suggests it was withheld.
    assert "GPS" not in " ".join(en_pages)
    content = make_content(tmp_path / "case")
    assert any(m.has_gps for m in content.originals)
    with_gps = write_dossier(content, tmp_path / "with.pdf")
    assert GPS_LEFT_OUT in " ".join(page_texts(with_gps.path))
    without = [dataclasses.replace(m, has_gps=False, gps=None) for m in content.originals]
    no_gps = write_dossier(
        dataclasses.replace(content, originals=without), tmp_path / "without.pdf"
    )
    assert "GPS" not in " ".join(page_texts(no_gps.path))


def test_other_frames_are_counted_and_named_as_the_shoots_grouping_forms_them(
    en_pages: list[str], zh_pages: list[str]
) -> None:
    originals = sorted((DEMO / "originals").glob("*.JPG"))
    shoots = group_shoots([read_metadata(p, check_thumbnail=False) for p in originals])
    assert len(shoots) == 2  # 10 March, and IMG_0419 alone on 12 March
    days = ", ".join(s.start.strftime("%Y-%m-%d") for s in shoots)
    english = " ".join(en_pages)
    assert "same shoot" not in english.replace("holds the whole shoot", "")
    assert "Other frames from our shoots" in english
    assert f"4 more frames from 2 shoots ({days}) with the same camera" in english
    assert f"4 frames from 2 shoots ({days}) that match none" in english
    assert "holds the whole shoots" in english
    chinese = " ".join(zh_pages)
    # (Comparison notes rightly call a neighbouring frame one "of the same shoot".)
    assert "另附同一组拍摄" not in chinese and "同一组拍摄的其他照片" not in chinese
    assert "我方拍摄的其他照片" in chinese
    assert "另附 2 组拍摄（2024年3月10日、2024年3月12日）的 4 张其他照片" in chinese


def test_the_timeline_says_whose_capture_the_interval_on_their_row_is(
    en_pages: list[str], zh_pages: list[str]
) -> None:
    timeline = next(p for p in en_pages if "Bars are shoots" in p)
    # On the complainant's row, "captured 214 days before ..." read as their capture.
    assert "our earliest matched original was captured 214 days before the complainant's" in (
        timeline
    )
    assert re.search(r"(?<!original was )captured \d+ days before", timeline) is None
    assert "我方最早的匹配原图拍摄时间比投诉方商品首次被发现早 214 天" in " ".join(zh_pages)


def test_manifest_hashes_are_printed_as_two_fixed_halves(en_pdf: Path) -> None:
    # Vera is proportional and no monospaced font is bundled: a 64-digit hash broke
    # wherever the column ran out, differently from row to row.
    manifest = json.loads((en_pdf.parent / "manifest.json").read_text(encoding="utf-8"))
    digests = [item["sha256"] for item in manifest["inputs"]]
    reader = PdfReader(en_pdf)
    lines = [
        line.strip()
        for page in reader.pages
        if "9. Manifest" in (page.extract_text() or "")
        for line in (page.extract_text() or "").splitlines()
    ]
    assert digests
    for digest in digests:
        first, second = digest[:32], digest[32:]
        assert first in lines and second in lines, digest
        assert lines.index(second) == lines.index(first) + 1

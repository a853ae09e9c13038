"""Originals from two cameras, one writing no UTC offset (issue #14, item 1).

Naive and offset-aware capture times must be compared under a stated rule: the
case's ``timezone`` when set, else as local clock times, with the uncertainty
said on the page. Before the fix ``build`` died with a TypeError (exit 70).
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from appeal_kit.options import BuildOptions
from appeal_kit.pipeline import build_dossier
from tests.conftest import CASE_TOML, exif_bytes, run_cli, save_jpeg, textured_photo


def _two_camera_case(root: Path, toml: str) -> Path:
    (root / "originals").mkdir(parents=True)
    (root / "accused").mkdir()
    (root / "case.toml").write_text(toml, encoding="utf-8")
    cameras = [
        # A phone writes the offset; an older Nikon does not.
        dict(
            make="Apple", model="iPhone 13", serial="", offset="+08:00", when="2024:03:10 14:02:11"
        ),
        dict(
            make="NIKON",
            model="NIKON D700",
            serial="2004417",
            offset=None,
            when="2024:03:11 09:15:00",
        ),
    ]
    for i, camera in enumerate(cameras):
        photo = textured_photo(300 + i, (1200, 900))
        save_jpeg(photo, root / "originals" / f"DSC_{i:04d}.JPG", exif=exif_bytes(**camera))
        crop = photo.crop((150, 110, 1050, 790)).resize((600, 453))
        save_jpeg(crop, root / "accused" / f"copy-{i}.jpg", quality=75)
    return root


def _text(pdf: Path) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(pdf).pages)


def test_mixed_offsets_without_timezone_build_and_say_the_rule(tmp_path: Path) -> None:
    case = _two_camera_case(tmp_path / "case", CASE_TOML)
    result = run_cli("build", case, "--cache-dir", tmp_path / "cache")
    assert result.code in (0, 1), result.stdout + result.stderr
    assert "internal error" not in (result.stdout + result.stderr)
    text = " ".join(_text(case / "dossier" / "dossier.pdf").split())
    assert "local clock times" in text
    assert "off by one" in text


def test_mixed_offsets_with_case_timezone_use_it(tmp_path: Path) -> None:
    toml = CASE_TOML.replace(
        "points_at_stake = 2\n", 'points_at_stake = 2\ntimezone = "Asia/Shanghai"\n'
    )
    case = _two_camera_case(tmp_path / "case", toml)
    result = build_dossier(case, BuildOptions(cache_dir=tmp_path / "cache"))
    text = " ".join(_text(result.pdf_path).split())
    assert "read as Asia/Shanghai time" in text
    assert "local clock times" not in text


def test_check_and_statement_use_the_same_rule(tmp_path: Path) -> None:
    # Seen 2024-03-11 (UTC midnight); the Nikon shot 2024-03-11 09:15 with no offset comes
    # after it under the local-clock rule: check blocks, and the statement says "after".
    from appeal_kit.dossier.facts import establish
    from appeal_kit.pipeline import analyse_case

    toml = CASE_TOML.replace("first_seen = 2024-09-30", "first_seen = 2024-03-11")
    case = _two_camera_case(tmp_path / "case", toml)
    analysis = analyse_case(case, BuildOptions(cache_dir=tmp_path / "cache"))
    late = [f for f in analysis.findings if f.code == "captured-after-listing"]
    assert [f.path for f in late] == ["originals/DSC_0001.JPG"]
    found = establish(analysis)
    assert found.rule.local_clock
    assert found.days_before == 1  # the phone's frame, the day before: 1 calendar day

"""case.toml validation: every error names the file, the line, the field and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from appeal_kit.case.config import load_case
from appeal_kit.errors import CaseConfigError, CaseNotFoundError, ExitCode
from tests.conftest import CASE_TOML, write_case


def test_valid_case_loads_all_fields(tmp_path: Path) -> None:
    case = load_case(write_case(tmp_path, CASE_TOML))
    assert case.case_id == "AE-TEST-1"
    assert case.notice_received is not None
    assert case.notice_received.utcoffset().total_seconds() == 8 * 3600
    assert case.accused_listings[0].first_seen.isoformat() == "2024-09-30T00:00:00+00:00"
    assert case.points_at_stake == 2


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_unknown_key_names_line_and_suggests(tmp_path: Path) -> None:
    text = CASE_TOML.replace("store =", "stroe =")
    with pytest.raises(CaseConfigError) as info:
        load_case(write_case(tmp_path, text))
    err = info.value
    assert err.line == line_of(text, "stroe")
    assert err.field == "stroe"
    assert "did you mean 'store'" in (err.hint or "")
    assert str(tmp_path / "case.toml") in str(err)


def test_date_without_offset(tmp_path: Path) -> None:
    text = CASE_TOML.replace("2024-10-10T09:30:00+08:00", "2024-10-10T09:30:00")
    with pytest.raises(CaseConfigError) as info:
        load_case(write_case(tmp_path, text))
    assert info.value.line == line_of(text, "notice_received")
    assert "offset" in info.value.message
    assert "+08:00" in (info.value.hint or "")


def test_error_inside_array_table_points_at_its_line(tmp_path: Path) -> None:
    text = CASE_TOML + '\n[[events]]\ntype = "submited"\nat = 2024-10-11T10:00:00+08:00\n'
    with pytest.raises(CaseConfigError) as info:
        load_case(write_case(tmp_path, text))
    assert info.value.line == line_of(text, 'type = "submited"')
    assert info.value.field == "events[0].type"
    assert "submitted" in (info.value.hint or "")


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CaseConfigError) as info:
        load_case(write_case(tmp_path, CASE_TOML, folders=("originals",)))
    assert "accused/" in info.value.message
    assert info.value.exit_code == ExitCode.CASE_CONFIG


def test_toml_syntax_error_has_line(tmp_path: Path) -> None:
    text = CASE_TOML.replace('store = "Test Store"', "store = Test Store")
    with pytest.raises(CaseConfigError) as info:
        load_case(write_case(tmp_path, text))
    assert info.value.line == line_of(text, "store = Test Store")


@pytest.mark.parametrize(
    "written", ["2024-10-32T09:30:00+08:00", "2024-13-10T09:30:00+08:00", "15.10.2024 09:30"]
)
def test_impossible_date_says_so(tmp_path: Path, written: str) -> None:
    text = CASE_TOML.replace(
        "notice_received = 2024-10-10T09:30:00+08:00", f"notice_received = {written}"
    )
    assert written in text
    with pytest.raises(CaseConfigError) as info:
        load_case(write_case(tmp_path, text))
    assert info.value.line == line_of(text, f"notice_received = {written}")
    assert "year-month-day" in info.value.hint and "quotes" not in info.value.hint


def test_missing_pair_file(tmp_path: Path) -> None:
    text = CASE_TOML + '\n[[pairs]]\naccused = "accused/nope.jpg"\noriginal = "originals/x.jpg"\n'
    with pytest.raises(CaseConfigError) as info:
        load_case(write_case(tmp_path, text))
    assert info.value.line == line_of(text, 'accused = "accused/nope.jpg"')


def test_no_case_file(tmp_path: Path) -> None:
    with pytest.raises(CaseNotFoundError) as info:
        load_case(tmp_path)
    assert "appeal-kit init" in (info.value.hint or "")


def test_cli_reports_config_error_without_traceback(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    text = CASE_TOML.replace("violation =", "violaton =")
    write_case(tmp_path, text)
    result = run_cli("deadlines", tmp_path)
    assert result.code == ExitCode.CASE_CONFIG
    assert f"line {line_of(text, 'violaton')}" in result.stderr
    assert "Did you mean 'violation'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_listed_accused_image_must_exist(tmp_path: Path) -> None:
    text = CASE_TOML + 'images = ["accused/listing-mirorred.jpg"]\n'
    folder = write_case(tmp_path, text)
    (folder / "accused" / "listing-mirrored.jpg").write_bytes(b"x")
    with pytest.raises(CaseConfigError) as info:
        load_case(folder)
    assert info.value.line == line_of(text, "images =")
    assert "listing-mirrored.jpg" in (info.value.hint or "")


def test_duplicate_key_says_so(tmp_path: Path) -> None:
    text = 'store = "Again"\n' + CASE_TOML
    with pytest.raises(CaseConfigError) as info:
        load_case(write_case(tmp_path, text))
    assert "set twice" in (info.value.hint or "")


def test_top_level_key_below_a_table_says_where_it_belongs(tmp_path: Path) -> None:
    text = CASE_TOML + 'own_listing_url = "https://www.aliexpress.com/item/1.html"\n'
    with pytest.raises(CaseConfigError) as info:
        load_case(write_case(tmp_path, text))
    assert info.value.line == line_of(text, "own_listing_url")
    assert "move the line above the first table header" in info.value.hint
    assert "[[accused]]" in info.value.hint

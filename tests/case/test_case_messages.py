"""case.toml mistakes a reviewer hit: each names the file, the line, the field and the right fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from appeal_kit.case.config import load_case
from appeal_kit.errors import CaseConfigError, ExitCode
from tests.conftest import CASE_TOML, run_cli, write_case


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("plain", "quoted", "field"),
    [
        ("first_seen = 2024-09-30", 'first_seen = "2024-09-30"', "accused[0].first_seen"),
        (
            "points_at_stake = 2",
            'points_at_stake = 2\nown_listing_date = "2024-03-20"',
            "own_listing_date",
        ),
    ],
)
def test_quoted_date_says_remove_the_quotes(
    tmp_path: Path, plain: str, quoted: str, field: str
) -> None:
    text = CASE_TOML.replace(plain, quoted)
    with pytest.raises(CaseConfigError) as info:
        load_case(write_case(tmp_path, text))
    err = info.value
    key = field.rsplit(".", 1)[-1]
    assert err.line == line_of(text, f'{key} = "')
    assert err.field == field
    assert "quotes" in str(err) and "UTC offset" not in str(err)
    day = quoted.rsplit('"', 2)[1]
    assert err.hint == f"remove the quotes: {key} = {day}"
    # The fix, applied, loads.
    load_case(write_case(tmp_path, text.replace(f'"{day}"', day)))


def test_quoted_date_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPEAL_KIT_LANG", "zh")
    case = write_case(tmp_path, CASE_TOML.replace("= 2024-09-30", '= "2024-09-30"'))
    result = run_cli("check", case)
    assert result.code == 3
    assert "引号" in result.stderr and "时区" not in result.stderr, result.stderr
    assert "first_seen = 2024-09-30" in result.stderr


def test_platform_is_read_case_blind(tmp_path: Path) -> None:
    text = CASE_TOML.replace('platform = "aliexpress"', 'platform = "AliExpress"')
    case = write_case(tmp_path, text)
    assert load_case(case).platform == "aliexpress"
    assert run_cli("deadlines", case, "--as-of", "2024-10-11T12:00:00+08:00").code == 0


def test_unknown_platform_names_its_line(tmp_path: Path) -> None:
    text = CASE_TOML.replace('platform = "aliexpress"', 'platform = "alixpress"')
    with pytest.raises(CaseConfigError) as info:
        load_case(write_case(tmp_path, text))
    assert info.value.line == line_of(text, "platform =")
    assert info.value.field == "platform"
    assert "did you mean 'aliexpress'" in (info.value.hint or "")


def test_misspelt_table_names_its_line(tmp_path: Path) -> None:
    text = CASE_TOML.replace("[[accused]]", "[[acused]]")
    with pytest.raises(CaseConfigError) as info:
        load_case(write_case(tmp_path, text))
    assert info.value.line == line_of(text, "[[acused]]")
    assert info.value.field == "acused"
    assert "did you mean 'accused'" in (info.value.hint or "")
    result = run_cli("check", tmp_path)
    assert f"line {line_of(text, '[[acused]]')} [acused]" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("broken", "english", "chinese"),
    [
        # A closing quote forgotten: the parser sees a newline inside the text.
        ('store = "Test Store', "the line ends before the text's closing quote", "缺少结尾的引号"),
        # Two values on one line.
        (
            'store = "Test" "Store"',
            "something follows the value on the same line",
            "同一行的值后面",
        ),
        ("store = Test Store", "the value is not text in quotes", "带引号的文字"),
    ],
)
def test_toml_syntax_errors_are_worded_in_the_console_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str, english: str, chinese: str
) -> None:
    text = CASE_TOML.replace('store = "Test Store"', broken)
    case = write_case(tmp_path, text)
    shown = run_cli("check", case)
    assert shown.code == ExitCode.CASE_CONFIG, shown.stderr
    flat = " ".join(shown.stderr.split())
    assert f"line {line_of(text, 'store = ')}" in flat and english in flat
    assert "column" in flat  # where on the line
    monkeypatch.setenv("APPEAL_KIT_LANG", "zh")
    shown = run_cli("check", case)
    flat = "".join(shown.stderr.split())
    assert chinese in flat and "列" in flat
    assert not any(word in flat for word in ("Illegal", "Invalid", "Expected"))

"""The dossier's language: case.toml ``language``, ``build --lang``, and what the PDF holds."""

from __future__ import annotations

from pathlib import Path

import pytest

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

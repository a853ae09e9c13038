"""The terminal's language: chosen like gettext, overridable, and Chinese end to end."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest

from appeal_kit.i18n import __, console_language, english, set_console_language
from tests.conftest import run_cli, run_subprocess, write_case

LOCALE_VARIABLES = ("APPEAL_KIT_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

DEADLINE_CASE = """\
platform = "aliexpress"
case_id = "AE-ZH-1"
store = "Test Store"
notice_received = 2024-10-10T09:30:00+08:00
"""


@pytest.fixture
def clean_locale(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    set_console_language(None)
    return monkeypatch


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),  # no French catalog: English
        # gettext's order: LANGUAGE, LC_ALL, LC_MESSAGES, LANG; the first one set decides.
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "zh"),
        ({"LANGUAGE": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"),
        ({"LANGUAGE": "fr:zh_CN", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LANGUAGE": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # empty counts as unset
        # APPEAL_KIT_LANG wins over every locale variable.
        ({"APPEAL_KIT_LANG": "zh", "LANGUAGE": "en", "LC_ALL": "en_US.UTF-8"}, "zh"),
        ({"APPEAL_KIT_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"APPEAL_KIT_LANG": "nonsense", "LANG": "zh_CN.UTF-8"}, "zh"),
    ],
)
def test_language_follows_gettext_order_and_the_override(
    clean_locale: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name, value in env.items():
        clean_locale.setenv(name, value)
    assert console_language() == expected


def test_language_is_read_at_call_time_and_can_be_forced(clean_locale: pytest.MonkeyPatch) -> None:
    assert __("Options") == "Options"
    clean_locale.setenv("LANG", "zh_CN.UTF-8")
    assert __("Options") == "选项"
    set_console_language("en")
    try:
        assert __("Options") == "Options"
    finally:
        set_console_language(None)


def test_translated_text_keeps_its_english_for_json(clean_locale: pytest.MonkeyPatch) -> None:
    clean_locale.setenv("APPEAL_KIT_LANG", "zh")
    text = __("case folder not found: {case_dir}", case_dir=Path("my-case"))
    assert text == "找不到案件文件夹：my-case"
    assert english(text) == "case folder not found: my-case"
    # Findings cross process boundaries (worker pools): the English survives pickling.
    assert english(pickle.loads(pickle.dumps(text))) == "case folder not found: my-case"


def _chinese(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


@pytest.fixture(params=["APPEAL_KIT_LANG=zh", "LANG=zh_CN.UTF-8"])
def chinese(request: pytest.FixtureRequest, clean_locale: pytest.MonkeyPatch) -> str:
    name, value = request.param.split("=")
    clean_locale.setenv(name, value)
    return str(request.param)


def test_help_is_chinese(chinese: str) -> None:
    from appeal_kit.cli.main import app

    root = run_cli("--help")
    assert root.code == 0
    for words in ("用法：", "选项", "命令", "把图片盗用案件的文件夹整理成", "显示本帮助并退出"):
        assert words in root.stdout, words
    for english_words in ("Usage:", "Options", "Commands", "Show this message", "Turn an image"):
        assert english_words not in root.stdout, english_words
    names = [info.name or info.callback.__name__ for info in app.registered_commands]
    for name in names:
        page = run_cli(name, "--help")
        assert page.code == 0, (name, page.stderr)
        assert f"示例：appeal-kit {name}" in page.stdout, name
        assert "Example:" not in page.stdout, name
        assert "显示本帮助并退出" in page.stdout, name
        assert _chinese(page.stdout) > 20, name


def test_build_help_names_every_option_in_chinese(chinese: str) -> None:
    page = run_cli("build", "--help").stdout
    for words in ("覆盖已存在的输出文件夹", "并行进程数", "证据材料的语言", "[默认：a4]"):
        assert words in page, words
    for english_words in ("Replace an existing", "Worker processes", "default:"):
        assert english_words not in page, english_words


def test_deadlines_are_chinese(chinese: str, tmp_path: Path) -> None:
    case = write_case(tmp_path / "case", DEADLINE_CASE)
    out = run_cli("deadlines", case, "--as-of", "2024-10-11T08:00:00+08:00")
    assert out.code == 0, out.stderr
    # The table folds long cells at 80 columns: look for words that fit one line.
    for words in ("截止时间：AE-ZH-1（速卖通）", "北京时间", "提交申诉", "2024年10月12日"):
        assert words in out.stdout, words
    assert "还剩 1天1小时" in out.stdout
    for english_words in ("Deadlines", "Time left", "Submit the appeal", " left", "open"):
        assert english_words not in out.stdout, english_words


def test_missing_case_folder_is_a_chinese_error(chinese: str, tmp_path: Path) -> None:
    out = run_cli("check", tmp_path / "nope")
    assert out.code == 3
    assert "错误：找不到案件文件夹" in out.stderr
    assert "解决办法：运行 appeal-kit init" in out.stderr
    assert "not found" not in out.stderr and "fix:" not in out.stderr


def test_usage_errors_are_chinese(chinese: str, tmp_path: Path) -> None:
    out = run_cli("build", tmp_path, "--nope")
    assert out.code == 2
    assert "没有 --nope 这个选项" in out.stderr
    assert "用法：appeal-kit build" in out.stderr
    assert "No such option" not in out.stderr and "Usage:" not in out.stderr
    missing = run_cli("build")
    assert "缺少参数 '案件文件夹'" in missing.stderr and "Missing" not in missing.stderr
    bare = run_cli()  # no command: the help page, not an error
    assert "用法：appeal-kit" in bare.stdout + bare.stderr
    assert "错误" not in bare.stdout + bare.stderr
    wrong = run_cli("build", tmp_path, "--jobs", "many")
    assert "需要一个整数" in wrong.stderr and "Invalid value" not in wrong.stderr


def test_check_and_build_are_chinese_while_json_stays_english(
    chinese: str, make_case, tmp_path: Path
) -> None:
    case = make_case(1, toml=DEADLINE_CASE)  # no [[accused]] url: check has advice to give
    check = run_cli("check", case, "--cache-dir", tmp_path / "cache")
    assert "提交前检查" in check.stdout
    # Cells fold at 80 columns: look for words short enough to stay on one line.
    assert "警告" in check.stdout and "对方商品" in check.stdout
    assert "Pre-flight" not in check.stdout and "What to do" not in check.stdout
    as_json = run_cli("check", case, "--json", "--cache-dir", tmp_path / "cache")
    findings = json.loads(as_json.stdout)
    assert any("names no URL for the other listing" in f["message"] for f in findings)
    assert not any(_chinese(f["message"] + f["fix"]) for f in findings)

    build = run_cli(
        "build", case, "--cache-dir", tmp_path / "cache", "--as-of", "2024-10-11T08:00:00+08:00"
    )
    assert "证据材料已生成" in build.stdout, build.stdout + build.stderr
    assert "共 " in build.stdout and " 页" in build.stdout
    assert "Dossier written" not in build.stdout and "pages" not in build.stdout


def test_a_real_process_under_a_chinese_locale_speaks_chinese(
    clean_locale: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_locale.setenv("LANG", "zh_CN.UTF-8")
    helped = run_subprocess("--help")
    assert helped.code == 0 and "用法：" in helped.stdout and "Usage" not in helped.stdout
    failed = run_subprocess("deadlines", tmp_path / "nope")
    assert failed.code == 3
    assert "找不到案件文件夹" in failed.stderr and "not found" not in failed.stderr


def test_english_text_from_a_manifest_is_read_back_in_chinese(
    clean_locale: pytest.MonkeyPatch,
) -> None:
    from appeal_kit.i18n import from_english

    reason = "is too large to open safely (12000x9000 pixels)"
    assert from_english(reason) == reason  # English console: as stored
    clean_locale.setenv("APPEAL_KIT_LANG", "zh")
    assert from_english(reason) == "尺寸过大，无法安全打开（12000×9000 像素）"
    assert from_english("is a PDF") == "是 PDF 文件"
    assert from_english("some text no message has") == "some text no message has"


def test_an_english_run_after_a_chinese_one_is_english(clean_locale: pytest.MonkeyPatch) -> None:
    """Typer's own words are swapped per run, so nothing Chinese stays behind in the process."""
    from typer import rich_utils

    clean_locale.setenv("APPEAL_KIT_LANG", "zh")
    assert "用法：" in run_cli("build", "--help").stdout
    clean_locale.setenv("APPEAL_KIT_LANG", "en")
    page = run_cli("build", "--help").stdout
    assert "Usage:" in page and "<path>" in page and "Show this message" in page
    assert not _chinese(page)
    assert rich_utils.OPTIONS_PANEL_TITLE == "Options"


def test_plurals_and_durations(clean_locale: pytest.MonkeyPatch) -> None:
    from appeal_kit.i18n import duration__, ngettext__

    assert ngettext__("{n} file", "{n} files", 1) == "1 file"
    assert ngettext__("{n} file", "{n} files", 3) == "3 files"
    assert duration__(2 * 86400 + 3 * 3600) == "2 d 3 h"
    clean_locale.setenv("APPEAL_KIT_LANG", "zh")
    assert duration__(2 * 86400 + 3 * 3600) == "2天3小时"
    assert duration__(-(5 * 3600 + 10 * 60)) == "5小时10分"

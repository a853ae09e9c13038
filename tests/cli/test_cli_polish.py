"""Terminal polish from the fresh review (issue 12 follow-up): odd targets, wrong folders, help, words."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from appeal_kit.errors import ExitCode
from tests.conftest import run_cli, write_case


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """Run from ``tmp_path`` so relative paths read as a user types them."""
    old = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)


# --------------------------------------------------------------- init on odd targets


def test_init_on_an_existing_file_is_an_output_error_not_a_bug(in_tmp: Path) -> None:
    (in_tmp / "afile").write_text("x")
    for target in ("afile", "afile/sub"):
        run = run_cli("init", target)
        assert run.code == ExitCode.OUTPUT, run.stderr
        assert "afile is a file, not a folder" in run.stderr
        assert "appeal-kit init afile-case" in run.stderr
        assert "internal error" not in run.stderr


def test_init_inside_a_cases_evidence_folder_is_refused(in_tmp: Path) -> None:
    assert run_cli("init", "c1").code == 0
    run = run_cli("init", "c1/originals")
    assert run.code == ExitCode.OUTPUT, run.stderr
    assert "c1/originals is the originals/ folder of the case c1" in run.stderr
    assert "appeal-kit init new-case" in run.stderr
    assert not (in_tmp / "c1" / "originals" / "case.toml").exists()
    run = run_cli("init", "c1/accused/more")
    assert run.code == ExitCode.OUTPUT
    assert "inside the accused/ folder of the case c1" in run.stderr
    assert "appeal-kit init more" in run.stderr


def test_init_where_folders_cannot_be_made_says_so(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A read-only parent (root ignores permissions, so the refusal is simulated).
    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    run = run_cli("init", "locked/c2")
    assert run.code == ExitCode.OUTPUT, run.stderr
    assert "Cannot create the case folder locked/c2: Permission denied" in run.stderr
    assert "Errno" not in run.stderr


# --------------------------------------------------------------- a case's sub-folder


def test_build_on_a_cases_originals_folder_points_at_the_case(in_tmp: Path) -> None:
    assert run_cli("init", "my-case").code == 0
    for command in ("build", "check", "deadlines"):
        run = run_cli(command, "my-case/originals")
        assert run.code == ExitCode.CASE_CONFIG, run.stderr
        assert "originals/ folder of the case" in run.stderr
        assert "init" not in run.stderr
        assert str(in_tmp / "my-case") in run.stderr or " my-case" in run.stderr


# --------------------------------------------------------------- case.toml in Chinese


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_init_comments_case_toml_in_the_console_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    import tomllib

    from appeal_kit.case.config import load_case

    monkeypatch.setenv("APPEAL_KIT_LANG", lang)
    case = tmp_path / "c"
    run = run_cli(
        "init", case, "--case-id", "AE-7", "--store", "灯影小店", "--url", "https://x.example/1",
        "--first-seen", "2024-09-30", "--notice-received", "2024-10-15T09:30+08:00",
        "--violation", "direct-copy", "--points", "4", "--timezone", "Asia/Shanghai",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    text = (case / "case.toml").read_text(encoding="utf-8")
    comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert _has_cjk(comments) is (lang == "zh")
    data = tomllib.loads(text)  # round trip: what init writes loads again, keys in English
    assert data["case_id"] == "AE-7" and data["store"] == "灯影小店"
    assert data["points_at_stake"] == 4 and data["accused"][0]["url"] == "https://x.example/1"
    loaded = load_case(case)
    assert loaded.case_id == "AE-7"


# --------------------------------------------------------------- --help layout

COMMANDS = [
    "init", "build", "preview", "check", "match", "exif", "deadlines", "log", "status",
    "points", "calendar", "cache",
]  # fmt: skip


def _help(monkeypatch: pytest.MonkeyPatch, lang: str, *args: str) -> str:
    monkeypatch.setenv("APPEAL_KIT_LANG", lang)
    monkeypatch.setenv("COLUMNS", "100")
    run = run_cli(*args, "--help")
    assert run.code == 0, run.stderr
    return run.stdout


def test_english_help_shows_whole_descriptions_and_no_python_types(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    top = _help(monkeypatch, "en")
    assert "..." not in top.split("Commands:", 1)[1]
    assert "Create a case folder: a commented case.toml and empty originals/" in " ".join(
        top.split()
    )
    for command in COMMANDS:
        page = _help(monkeypatch, "en", command)
        assert "<list[" not in page, command
        assert "[default: no-" not in page and "no-\n" not in page, command


def test_chinese_help_has_no_english_leftovers_and_fits_the_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rich.cells import cell_len

    pages = {"": _help(monkeypatch, "zh")}
    pages.update({c: _help(monkeypatch, "zh", c) for c in COMMANDS})
    for command, page in pages.items():
        for line in page.splitlines():
            assert cell_len(line) <= 100, (command, line)
        assert "[默认：no-" not in page, command
        assert "x>=" not in page and "x<=" not in page, command
        for word in ("ISO", "TIME", "FILE", "ZONE", "ROOT", "CASE", "FOLDER", "EVENT"):
            # "ISO 8601" is the standard's name, not a metavar.
            assert re.search(rf"\b{word}\b(?! 8601)", page) is None, (command, word)
        for heading in ("选项", "参数", "命令"):
            assert f"{heading}:" not in page, command
    assert "选项：" in pages["build"] and "参数：" in pages["build"]
    assert "命令：" in pages[""]


# --------------------------------------------------------------- words in the terminal

NOTICE = (
    'case_id = "AE-9"\nstore = "Lumen"\ntimezone = "Europe/Berlin"\n'
    "notice_received = 2024-10-15T09:30:00+08:00\n"
)
AS_OF = "2024-10-16T10:00:00+08:00"


def test_deadlines_name_chinas_zone_not_cst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_case(tmp_path / "c", NOTICE)
    monkeypatch.setenv("COLUMNS", "200")
    run = run_cli("deadlines", tmp_path / "c", "--as-of", AS_OF)
    assert run.code == 0, run.stderr
    assert " CST" not in run.stdout and "(UTC+8)" in run.stdout
    # The cell itself (the table may wrap it at any terminal width).
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from appeal_kit.cli.words import when

    china = ZoneInfo("Asia/Shanghai")
    due = datetime(2024, 10, 17, 9, 30, tzinfo=china)
    assert when(due, china) == "Thu 2024-10-17 09:30 China time (UTC+8)"


def test_deadlines_without_a_notice_say_what_to_add_instead_of_an_empty_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_case(tmp_path / "c9", 'case_id = "AE-9"\n')
    for lang in ("en", "zh"):
        monkeypatch.setenv("APPEAL_KIT_LANG", lang)
        run = run_cli("deadlines", tmp_path / "c9")
        assert run.code == 0, run.stderr
        assert "┏" not in run.stdout and "┃" not in run.stdout, lang
        assert "notice_received" in run.stdout and "appeal-kit log" in run.stdout


def test_log_confirms_the_time_in_the_date_format_without_doubled_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_case(tmp_path / "c", NOTICE)
    run = run_cli("log", tmp_path / "c", "submitted", "--at", "2024-10-16T11:20:00+08:00")
    assert run.code == 0, run.stderr
    assert "2024-10-16 11:20" in run.stdout and "T11:20:00" not in run.stdout
    monkeypatch.setenv("APPEAL_KIT_LANG", "zh")
    run = run_cli("log", tmp_path / "c", "approved", "--at", "2024-10-20T08:00:00+08:00")
    assert run.code == 0, run.stderr
    assert "2024年10月20日 08:00" in run.stdout and "T08:00" not in run.stdout
    assert "已记录已" not in run.stdout and "已记录申诉成功" not in run.stdout
    text = (tmp_path / "c" / "case.toml").read_text(encoding="utf-8")
    assert "at = 2024-10-20T08:00:00+08:00" in text


def test_status_shows_words_not_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_case(tmp_path / "ws" / "teapot", NOTICE)
    run = run_cli("status", tmp_path / "ws", "--as-of", AS_OF)
    assert run.code == 0, run.stderr
    assert "to appeal" in run.stdout and "to-appeal" not in run.stdout
    assert "AliExpress" in run.stdout and "aliexpress" not in run.stdout
    monkeypatch.setenv("APPEAL_KIT_LANG", "zh")
    run = run_cli("status", tmp_path / "ws", "--as-of", AS_OF, "--timezone", "UTC")
    assert run.code == 0, run.stderr
    assert "速卖通" in run.stdout and "协调世界时" not in run.stdout and "UTC" in run.stdout


def test_hints_name_the_real_case_and_start_with_a_capital(in_tmp: Path) -> None:
    write_case(in_tmp / "c9", 'case_id = "AE-9"\n')
    run = run_cli("preview", "c9")
    assert run.code == ExitCode.OUTPUT, run.stderr
    assert "appeal-kit build c9" in run.stderr and "CASE_DIR" not in run.stderr
    run = run_cli("check", "nowhere")
    assert "fix: Create one with: appeal-kit init" in run.stderr


def test_a_chinese_style_date_gets_the_users_own_time_rewritten(in_tmp: Path) -> None:
    for typed in ("2024年10月15日 09:30", "2024/10/15 9:30"):
        run = run_cli("init", "d1", "--notice-received", typed)
        assert run.code == ExitCode.USAGE or run.code != 0, run.stderr
        assert "2024-10-15T09:30:00+08:00" in run.stderr, typed
        assert "2026-11-22" not in run.stderr
    assert not (in_tmp / "d1" / "case.toml").exists()


def test_interactive_init_asks_every_item_of_the_walk_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import typer

    from appeal_kit.case.scaffold import CaseFields
    from appeal_kit.cli.init_prompts import ask_missing

    answers = iter(
        ["AE-1", "我的店", "2024年10月15日 09:30", "2024-10-15T09:30+08:00", "copying",
         "direct-copy", "https://x.example/1", "2024-09-30"]
    )  # fmt: skip
    asked: list[str] = []

    def prompt(text: str, **kwargs: object) -> str:
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(typer, "prompt", prompt)
    monkeypatch.setenv("APPEAL_KIT_LANG", "zh")
    fields = CaseFields()
    ask_missing(fields)
    assert (fields.case_id, fields.store, fields.violation) == ("AE-1", "我的店", "direct-copy")
    assert fields.notice_received == "2024-10-15T09:30+08:00"
    assert fields.urls == ["https://x.example/1"] and fields.first_seen == "2024-09-30"
    assert len(asked) == 8  # the bad time and the bad violation were asked again
    assert all(q.endswith("：") for q in asked), asked


def test_check_names_the_deadline_zone_in_words_not_cst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    late = NOTICE + '\n[[events]]\ntype = "submitted"\nat = 2024-10-18T12:30:00+08:00\n'
    case = write_case(tmp_path / "c", late)
    as_json = run_cli("check", case, "--json", "--cache-dir", tmp_path / "cache")
    found = {f["code"]: f for f in json.loads(as_json.stdout)}
    assert "09:30 (Asia/Shanghai)" in found["deadline-late"]["message"]
    monkeypatch.setenv("APPEAL_KIT_LANG", "zh")
    monkeypatch.setenv("COLUMNS", "200")
    run = run_cli("check", case, "--cache-dir", tmp_path / "cache")
    assert "北京时间" in run.stdout and "CST" not in run.stdout, run.stdout


# --------------------------------------------------------------- tables that fit


@pytest.mark.parametrize("width", [80, 100])
def test_match_table_keeps_file_names_whole(make_case, monkeypatch, width: int) -> None:
    from appeal_kit.cli import case_commands as cli_case

    monkeypatch.setattr(cli_case.console, "width", width)
    case = make_case(2)
    names = ["listing-page-screenshot-of-the-shop.jpg", "listing-square-sticker.jpg"]
    for old, new in zip(sorted((case / "accused").iterdir()), names, strict=True):
        old.rename(old.with_name(new))
    shown = run_cli("match", case)
    assert shown.code == 0, shown.stdout
    lines = shown.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    for name in [*names, "IMG_0412.JPG", "IMG_0413.JPG"]:
        assert any(name in line for line in lines), (
            f"{name} cut at {width} columns:\n{shown.stdout}"
        )


def test_points_and_deadlines_tables_keep_words_whole_at_80_columns(monkeypatch) -> None:
    from appeal_kit.cli import case_commands as cli_case

    monkeypatch.setattr(cli_case.console, "width", 80)
    root = Path(__file__).resolve().parents[2] / "samples" / "workspace"
    as_of = ("--as-of", "2026-02-10T12:00:00+08:00")
    points = run_cli("points", root, *as_of)
    assert points.code in (0, 1), points.stderr
    lines = points.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any("counter-notice" in line for line in lines), points.stdout  # was counter-not/ice
    deadlines = run_cli("deadlines", root / "02-rejected", *as_of).stdout
    assert "(Asia/Shanghai)" in deadlines  # the zone's bracket stays with it
    assert not re.search(r"│\s*\)\s*│", deadlines)
    assert "1 d 0 h left" in deadlines  # the time left on one line

"""Terminal polish from the fresh review (issue 12 follow-up): odd targets, wrong folders, help, words."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from appeal_kit.errors import ExitCode
from tests.conftest import run_cli


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

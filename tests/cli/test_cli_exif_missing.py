"""exif on a path that is not there, or on files none of which can be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from appeal_kit.errors import ExitCode
from tests.conftest import run_cli, save_jpeg, textured_photo


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    result = run_cli("exif", tmp_path / "nope.jpg")
    assert result.code == ExitCode.INPUT
    assert "nope.jpg: does not exist" in result.stderr
    assert "fix: Check the path" in result.stderr
    assert "unreadable" not in result.stdout and "Pixels not checked" not in result.stdout
    assert run_cli("exif", tmp_path / "nope.jpg", "--json").code == ExitCode.INPUT


def test_missing_file_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPEAL_KIT_LANG", "zh")
    result = run_cli("exif", tmp_path / "nope.jpg")
    assert result.code == ExitCode.INPUT
    assert "不存在" in result.stderr, result.stderr
    assert "No such file" not in result.stderr + result.stdout


def test_nothing_readable_has_no_pixel_footer(tmp_path: Path) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    result = run_cli("exif", tmp_path / "empty.jpg")
    assert result.code == ExitCode.COMPLETED_WITH_PROBLEMS, result.stdout
    assert "Pixels not checked" not in result.stdout


def test_some_readable_is_exit_1_with_the_footer(tmp_path: Path) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    save_jpeg(textured_photo(1, (400, 300)), tmp_path / "good.jpg")
    result = run_cli("exif", tmp_path / "empty.jpg", tmp_path / "good.jpg")
    assert result.code == ExitCode.COMPLETED_WITH_PROBLEMS, result.stdout
    assert "Pixels not checked" in result.stdout


def test_absolute_and_relative_paths_together(tmp_path: Path, monkeypatch) -> None:
    save_jpeg(textured_photo(1, (400, 300)), tmp_path / "a.jpg")
    save_jpeg(textured_photo(2, (400, 300)), tmp_path / "b.jpg")
    monkeypatch.chdir(tmp_path)
    result = run_cli("exif", "a.jpg", tmp_path / "b.jpg")
    assert result.code == 0, result.stdout + result.stderr

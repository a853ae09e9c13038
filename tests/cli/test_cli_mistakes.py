"""New-user mistakes at the command line (issue 14, item 15): each gets a plain answer."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli, write_case

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2024-10-11T12:00:00+08:00"
TOML = (
    'case_id = "AE-9"\nstore = "Lumen"\ntimezone = "Europe/Berlin"\n'
    'violation = "direct-copy"\nnotice_received = 2024-10-10T09:30:00+08:00\n'
    'points_at_stake = 2\n\n[[events]]\ntype = "points-deducted"\n'
    "at = 2024-10-01T10:00:00+08:00\npoints = 2\n"
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    write_case(tmp_path / "ws" / "teapot", TOML)
    return tmp_path / "ws"


def test_global_options_work_after_the_command(workspace: Path) -> None:
    case = workspace / "teapot"
    after = run_cli("deadlines", case, "--as-of", AS_OF, "--verbose")
    before = run_cli("--verbose", "deadlines", case, "--as-of", AS_OF)
    assert after.code == before.code == 0, after.stderr
    assert after.stdout == before.stdout
    assert run_cli("deadlines", case, "-v", "--as-of", AS_OF).code == 0


COMMANDS = [
    ("check", "{case}"),
    ("build", "{case}"),
    ("match", "{case}"),
    ("preview", "{case}"),
    ("exif", "{case}/case.toml"),
    ("init", "{tmp}/new-case"),
    ("deadlines", "{case}"),
    ("log", "{case} submitted"),
    ("status", "{root}"),
    ("points", "{root}"),
    ("calendar", "{root} -o {tmp}/x.ics"),
]


@pytest.mark.parametrize(("command", "args"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_ctrl_c_says_nothing_was_written(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, args: str
) -> None:
    from typer.core import TyperCommand

    case = workspace / "teapot"
    before = (case / "case.toml").read_bytes()

    def pressed_ctrl_c(self: Any, ctx: Any) -> Any:
        # A real SIGINT, as the terminal sends it, at the moment the command starts.
        os.kill(os.getpid(), signal.SIGINT)
        return original(self, ctx)

    original = TyperCommand.invoke
    monkeypatch.setattr(TyperCommand, "invoke", pressed_ctrl_c)
    words = args.format(case=case, root=workspace, tmp=tmp_path).split()
    result = run_cli(command, *words)
    assert result.code == 130
    assert result.stderr == "Interrupted; nothing was written.\n"
    assert (case / "case.toml").read_bytes() == before
    assert not (tmp_path / "new-case").exists() and not (tmp_path / "x.ics").exists()


def test_preview_open_without_a_viewer_says_where_the_file_is(
    make_case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = make_case(1)
    built = run_cli("build", case, "--cache-dir", tmp_path / "cache", "--jobs", "1")
    # Exit 1: a draft (the test case's deadline has passed); the dossier is written.
    assert built.code in (0, 1) and (case / "dossier" / "dossier.pdf").is_file(), built.stderr
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run_cli("preview", case, "--open", "--dpi", "20")
    assert result.code == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert "Could not open a PDF viewer" in said
    assert str(case / "dossier" / "dossier.pdf") in said


def test_errors_never_mention_the_python_api(make_case, tmp_path: Path) -> None:
    case = make_case(1)
    cache = ["--cache-dir", str(tmp_path / "cache"), "--jobs", "1"]
    assert run_cli("build", case, *cache).code in (0, 1)
    again = run_cli("build", case, *cache)
    assert again.code == 5
    assert "--force" in again.stderr
    assert "API" not in again.stderr and "BuildOptions" not in again.stderr
    # No hint anywhere in the code names the Python API to a command-line user.
    for source in (ROOT / "appeal_kit").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "(API: " not in text, source


def test_force_never_deletes_a_file_it_did_not_write(make_case, tmp_path: Path) -> None:
    case = make_case(1)
    cache = ["--cache-dir", str(tmp_path / "cache"), "--jobs", "1"]
    assert run_cli("build", case, *cache).code in (0, 1)
    assert run_cli("preview", case, "--dpi", "20").code == 0
    # Preview pages were written by appeal-kit, and a file manager's .DS_Store holds
    # nothing of the user's: --force may replace them.
    (case / "dossier" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    assert run_cli("build", case, "--force", *cache).code in (0, 1)
    notes = case / "dossier" / "comparisons" / "my notes.txt"
    notes.write_text("the seller's own notes", encoding="utf-8")
    result = run_cli("build", case, "--force", *cache)
    assert result.code == 5
    said = " ".join(result.stderr.split())
    assert "my notes.txt" in said and "not written by appeal-kit" in said
    assert notes.read_text(encoding="utf-8") == "the seller's own notes"
    assert (case / "dossier" / "dossier.pdf").is_file()


def test_help_shows_square_brackets_and_plain_usage_lines() -> None:
    deadlines = run_cli("deadlines", "--help")
    assert "[deadlines]" in deadlines.stdout
    for command, argument in [
        ("build", "CASE"),
        ("check", "CASE"),
        ("match", "CASE"),
        ("preview", "CASE"),
        ("deadlines", "CASE"),
        ("log", "CASE EVENT"),
        ("status", "[ROOT]"),
        ("points", "[ROOT]"),
        ("calendar", "ROOT"),
    ]:
        usage = run_cli(command, "--help").stdout.splitlines()[0]
        assert usage.endswith(f"appeal-kit {command} [OPTIONS] {argument}"), usage
        assert "{" not in usage


def test_points_and_status_show_times_in_the_same_zone(workspace: Path) -> None:
    status = run_cli("status", workspace, "--as-of", AS_OF)
    points = run_cli("points", workspace, "--as-of", AS_OF)
    assert status.code == points.code == 0, points.stderr

    def as_of_line(text: str) -> str:
        found = re.search(r"as of (.+)", text)
        assert found, text
        return found.group(1).strip()

    assert as_of_line(status.stdout) == as_of_line(points.stdout)
    assert "All times in Europe/Berlin" in points.stdout

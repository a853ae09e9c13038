"""The README is the contract: its commands exist, CI runs its test command."""

from __future__ import annotations

import re
from pathlib import Path

from appeal_kit.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> list[tuple[str, str]]:
    found = []
    for info in app.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        found.append((name, info.callback.__doc__ or ""))
    return found


def test_every_command_has_help_with_an_example_and_is_in_the_readme() -> None:
    names = [name for name, _ in commands()]
    assert {
        "init",
        "build",
        "preview",
        "check",
        "match",
        "exif",
        "deadlines",
        "log",
        "status",
        "points",
        "calendar",
    } <= set(names)
    for name, doc in commands():
        assert doc.strip(), f"{name} has no help"
        assert "Example: appeal-kit " + name in doc, f"{name} help lacks an example"
        assert f"`appeal-kit {name}" in README, f"{name} is not documented in the README"


def first_code_block() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_two_setup_commands() -> None:
    lines = first_code_block()
    assert len(lines) == 2
    assert "appeal-kit build samples/demo-case" in lines[0]
    assert "pytest" in lines[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert first_code_block()[1] in ci
    assert "python3 -m venv" in ci


def test_every_exit_code_is_documented() -> None:
    from appeal_kit.errors import ExitCode

    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \|", README, re.M), f"exit code {code} undocumented"

"""Every fix the CLI suggests for a value must itself be accepted when typed back in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_case

CASE = (
    'case_id = "AE-1"\nstore = "Lumen"\nviolation = "direct-copy"\n'
    "notice_received = 2024-10-10T09:30:00+08:00\n"
)
# A timestamp as the hints print it: a date, then anything up to a space or "(".
_SUGGESTED = re.compile(r"\d{4}-\d{2}-\d{2}[^\s(（]*")


def _suggestions(output: str) -> list[str]:
    fix_lines = [line for line in output.splitlines() if "fix:" in line]
    assert fix_lines, output
    return [found for line in fix_lines for found in _SUGGESTED.findall(line)]


@pytest.mark.parametrize(
    "typed", ["2024-10-16", "2024-10-16+08:00", "2024-10-16Z", "2024-10-16 09:30:15"]
)
@pytest.mark.parametrize(
    ("command", "option"),
    [("deadlines", "--as-of"), ("status", "--as-of"), ("log", "--at")],
)
def test_every_suggested_moment_is_accepted(
    tmp_path: Path, typed: str, command: str, option: str
) -> None:
    case = write_case(tmp_path / "ws" / "c", CASE)
    target = [str(tmp_path / "ws")] if command == "status" else [str(case)]
    extra = ["submitted"] if command == "log" else []
    rejected = run_cli(command, *target, *extra, option, typed)
    assert rejected.code == 2, rejected.stderr
    suggestions = _suggestions(rejected.stderr)
    assert suggestions, rejected.stderr
    for suggestion in suggestions:
        if ":" not in typed.split("+")[0]:  # a date alone means its midnight, not 08:00
            assert suggestion.startswith("2024-10-16T00:00"), suggestion
        again = run_cli(command, *target, *extra, option, suggestion)
        assert again.code == 0, (suggestion, again.stderr)

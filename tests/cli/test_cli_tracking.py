"""CLI of deadlines, log, status, points and calendar: output, JSON, files, exit codes."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from appeal_kit.case.config import load_case
from appeal_kit.cli.main import app
from tests.conftest import run_cli, write_case

AS_OF = "2024-10-11T12:00:00+08:00"
runner = CliRunner()


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    return write_case(
        tmp_path / "ws" / "teapot",
        '# keep me\ncase_id = "AE-9"\nstore = "Lumen"\ntimezone = "Europe/Berlin"\n'
        'violation = "direct-copy"\nnotice_received = 2024-10-10T09:30:00+08:00\n',
    )


def test_deadlines_json(case_dir: Path) -> None:
    result = runner.invoke(app, ["deadlines", str(case_dir), "--json", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {
            "name": "appeal",
            "label": "Submit the appeal (counter-notice)",
            "due": "2024-10-12T09:30:00+08:00",
            "earliest": None,
            "state": "open",
            "basis": "48 hours after the notice (notice received 2024-10-10 09:30 CST)",
            "source": "AliExpress seller guides: appeal within 48 hours of "
            "the complaint notice; the back office shows a countdown that wins over this figure.",
            "origin": "rule",
            "kind": "deadline",
        }
    ]


def test_deadlines_table_shows_both_zones(case_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # rich reads COLUMNS once, when the module's console is made; set the width itself.
    from appeal_kit.cli import tracking_commands as cli_tracking

    monkeypatch.setattr(cli_tracking.console, "width", 160)
    result = runner.invoke(
        app, ["deadlines", str(case_dir), "--as-of", AS_OF], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    # China's zone by name: "CST" is also Cuba's and the US Central zone's.
    assert "Sat 2024-10-12 09:30 China time (UTC+8)" in result.output
    assert "Sat 2024-10-12 03:30 CEST" in result.output
    assert "21 h 30 min left" in result.output


def test_log_then_deadlines_done(case_dir: Path) -> None:
    result = runner.invoke(
        app,
        ["log", str(case_dir), "submitted", "--at", "2024-10-11T10:00:00+08:00", "--note", "ok"],
    )
    assert result.exit_code == 0, result.output
    assert "Logged submitted" in result.output
    text = (case_dir / "case.toml").read_text(encoding="utf-8")
    assert text.startswith("# keep me\n")
    states = json.loads(
        runner.invoke(app, ["deadlines", str(case_dir), "--json", "--as-of", AS_OF]).output
    )
    assert {d["name"]: d["state"] for d in states} == {"appeal": "done", "review": "open"}


def fix_clock(monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
    from appeal_kit.cli import tracking_commands as cli_tracking

    monkeypatch.setattr(cli_tracking, "_clock", lambda: now)


def test_log_without_at_writes_now_in_the_case_zone(
    case_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fix_clock(monkeypatch, datetime(2024, 10, 11, 4, 0, 5, 999999, tzinfo=UTC))
    result = runner.invoke(
        app, ["log", str(case_dir), "points-deducted", "--points", "4"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "Logged points-deducted in " in result.output
    assert re.search(r",\s+at\s+Fri\s+2024-10-11\s+06:00\s+CEST\.", result.output)
    assert "Time zone: Europe/Berlin (the timezone in case.toml)." in result.output
    text = (case_dir / "case.toml").read_text(encoding="utf-8")
    assert text.endswith('type = "points-deducted"\nat = 2024-10-11T06:00:05+02:00\npoints = 4\n')
    event = load_case(case_dir).events[-1]
    assert event.points == 4 and event.at == datetime(2024, 10, 11, 4, 0, 5, tzinfo=UTC)


def test_log_without_a_case_zone_states_the_machine_offset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = write_case(tmp_path / "plain", "notice_received = 2024-10-10T09:30:00+08:00\n")
    monkeypatch.setenv("TZ", "America/Sao_Paulo")
    fix_clock(monkeypatch, datetime(2024, 10, 11, 4, 0, 5, tzinfo=UTC))
    result = runner.invoke(app, ["log", str(case), "submitted"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "at Fri 2024-10-11 01:00 UTC-03:00" in result.output
    assert "Time zone: this computer's, UTC-03:00 (America/Sao_Paulo)" in result.output
    assert "at = 2024-10-11T01:00:05-03:00\n" in (case / "case.toml").read_text(encoding="utf-8")
    # With --at the time is kept as given, and no zone line is needed.
    given = runner.invoke(app, ["log", str(case), "rejected", "--at", "2024-10-12T09:00:00+08:00"])
    assert given.exit_code == 0 and "Time zone" not in given.output
    assert load_case(case).events[-1].at.isoformat() == "2024-10-12T09:00:00+08:00"


def test_log_errors_exit_with_usage_code(case_dir: Path) -> None:
    before = (case_dir / "case.toml").read_bytes()
    bad_type = run_cli("log", case_dir, "aproved")
    assert bad_type.code == 2
    assert "Did you mean 'approved'" in bad_type.stderr
    naive = run_cli("log", case_dir, "approved", "--at", "2024-10-11T10:00:00")
    assert naive.code == 2
    assert "no UTC offset" in naive.stderr
    no_points = run_cli("log", case_dir, "points-deducted")
    assert no_points.code == 2 and "--points" in no_points.stderr
    assert (case_dir / "case.toml").read_bytes() == before


def test_missing_case_and_bad_as_of(tmp_path: Path, case_dir: Path) -> None:
    missing = run_cli("deadlines", tmp_path / "nope")
    assert missing.code == 3 and "appeal-kit init" in missing.stderr
    bad = run_cli("deadlines", case_dir, "--as-of", "tomorrow")
    assert bad.code == 2 and "--as-of" in bad.stderr


def test_status_json_csv_and_broken_row(case_dir: Path, tmp_path: Path) -> None:
    ws = case_dir.parent
    write_case(ws / "broken", 'platform = "etsy"\n')
    out = tmp_path / "rows.csv"
    result = runner.invoke(app, ["status", str(ws), "--json", "--csv", str(out), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["case"] for r in rows] == ["broken", "teapot"]
    assert "unknown platform 'etsy'" in rows[0]["error"]
    assert rows[1]["time_left"] == "21 h 30 min left"
    with out.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [r["case"] for r in table] == ["broken", "teapot"]
    assert table[1]["due"] == "2024-10-12T09:30:00+08:00"
    assert table[1]["points_at_stake"] == "4"

    shown = runner.invoke(app, ["status", str(ws), "--as-of", AS_OF], env={"COLUMNS": "160"})
    assert shown.exit_code == 0, shown.output
    assert "teapot" in shown.output and "error" in shown.output
    assert "unknown platform 'etsy'" in shown.output


def test_status_timezone_option(case_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from appeal_kit.cli import tracking_commands as cli_tracking

    monkeypatch.setattr(cli_tracking.console, "width", 100)
    ws = case_dir.parent
    tokyo = runner.invoke(app, ["status", str(ws), "--as-of", AS_OF, "--timezone", "Asia/Tokyo"])
    assert tokyo.exit_code == 0, tokyo.output
    assert "All times in Asia/Tokyo (--timezone)" in tokyo.output
    assert "Sat 10-12 10:30" in tokyo.output  # the appeal, 09:30 CST
    own = runner.invoke(app, ["status", str(ws), "--as-of", AS_OF])
    assert "All times in Europe/Berlin (timezone in case.toml)" in own.output
    assert "Sat 10-12 03:30" in own.output
    bad = run_cli("status", ws, "--timezone", "Berlin")
    assert bad.code == 2 and "unknown time zone 'Berlin'" in bad.stderr


def test_points_json_with_what_if(case_dir: Path) -> None:
    runner.invoke(
        app,
        ["log", str(case_dir), "points-deducted", "--points", "10", "--at", "2024-06-01T00:00:00Z"],
    )
    other = write_case(
        case_dir.parent / "second",
        'store = "Lumen"\nviolation = "direct-copy"\nnotice_received = 2024-10-10T09:30:00+08:00\n',
    )
    result = runner.invoke(
        app,
        ["points", str(case_dir.parent), "--if-upheld", str(other), "--json", "--as-of", AS_OF],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    store = data["stores"][0]
    assert (store["store"], store["points_in_force"], store["points_before_next"]) == (
        "Lumen",
        10,
        2,
    )
    assert store["expiring"][0]["expires"] == "2025-06-01T00:00:00+00:00"
    assert data["if_upheld"]["after"] == 14
    assert data["if_upheld"]["crossed"][0]["points"] == 12

    table = runner.invoke(
        app,
        ["points", str(case_dir.parent), "--if-upheld", str(other), "--as-of", AS_OF],
        env={"COLUMNS": "160"},
    )
    assert "Crosses: store frozen for 7 days (at 12)" in table.output


def test_calendar_command_writes_parsable_ics(case_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deadlines.ics"
    result = runner.invoke(
        app, ["calendar", str(case_dir.parent), "-o", str(out), "--as-of", AS_OF]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 1 open deadline(s) and 0 done one(s) as cancelled events" in result.output
    events = list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    assert len(events) == 1 and "AE-9" in str(events[0]["SUMMARY"])


@pytest.mark.parametrize("command", ["deadlines", "log", "status", "points", "calendar"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"appeal-kit {command}" in result.output


# ---------------------------------------------------------- deadlines met late

LATE_AT = "2024-10-14T12:30:00+08:00"  # the appeal was due 2024-10-12T09:30+08:00


def test_log_late_submission_shows_late_not_done(
    case_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appeal_kit.cli import tracking_commands as cli_tracking

    monkeypatch.setattr(cli_tracking.console, "width", 160)
    assert run_cli("log", case_dir, "submitted", "--at", LATE_AT).code == 0
    later = "2024-10-15T12:00:00+08:00"
    listed = run_cli("deadlines", case_dir, "--json", "--as-of", later)
    assert listed.code == 0, listed.stderr
    states = {d["name"]: d["state"] for d in json.loads(listed.stdout)}
    assert states == {"appeal": "late", "review": "open"}
    table = run_cli("deadlines", case_dir, "--as-of", later)
    appeal_line = next(line for line in table.stdout.splitlines() if "Submit the appeal" in line)
    assert "done 2 d 3 h late" in appeal_line and appeal_line.rstrip(" │").endswith("late")
    assert "overdue" not in appeal_line


def test_status_names_the_deadline_met_late(
    case_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appeal_kit.cli import tracking_commands as cli_tracking

    assert run_cli("log", case_dir, "submitted", "--at", LATE_AT).code == 0
    write_case(case_dir.parent / "other", "notice_received = 2024-10-14T09:30:00+08:00\n")
    out = tmp_path / "rows.csv"
    later = "2024-10-15T12:00:00+08:00"
    result = run_cli("status", case_dir.parent, "--json", "--csv", out, "--as-of", later)
    rows = {r["case"]: r for r in json.loads(result.stdout)}
    assert rows["teapot"]["done_late"] == "appeal"
    assert rows["other"]["done_late"] is None
    # Settled: the next deadline is the review the platform owes, not the late appeal.
    assert (rows["teapot"]["next_deadline"], rows["teapot"]["deadline_state"]) == (
        "review",
        "open",
    )
    with out.open(encoding="utf-8-sig", newline="") as handle:
        table = {r["case"]: r for r in csv.DictReader(handle)}
    assert (table["teapot"]["done_late"], table["other"]["done_late"]) == ("appeal", "")
    monkeypatch.setattr(cli_tracking.console, "width", 100)
    shown = run_cli("status", case_dir.parent, "--as-of", later)
    assert shown.code == 0
    assert re.search(r"^teapot +under review\b", shown.stdout, re.M)
    assert "appeal late" in shown.stdout and shown.stdout.count(" late") == 1


def test_check_warns_about_a_late_appeal_instead_of_blocking(case_dir: Path) -> None:
    assert run_cli("log", case_dir, "submitted", "--at", LATE_AT).code == 0
    result = run_cli("check", case_dir, "--json", "--jobs", "1")
    findings = {f["code"]: f for f in json.loads(result.stdout)}
    assert "deadline-missed" not in findings
    late = findings["deadline-late"]
    assert late["severity"] == "warning"
    assert late["message"] == (
        "Submit the appeal (counter-notice) was due 2024-10-12 09:30 (Asia/Shanghai) and was "
        "done 2 d 3 h after it (2024-10-14 12:30); the platform may refuse it."
    )
    assert "contact platform support" in late["fix"]


def test_calendar_refuses_an_output_among_the_evidence(case_dir: Path) -> None:
    (case_dir / "documents").mkdir()
    for folder in ("originals", "accused", "documents"):
        out = case_dir / folder / "sub" / "deadlines.ics"
        result = run_cli("calendar", case_dir.parent, "-o", out, "--as-of", AS_OF)
        assert result.code == 5, result.stderr
        assert f"inside the evidence folder {folder}/" in result.stderr
        assert "-o deadlines.ics" in result.stderr  # the hint says where to write instead
        assert not (case_dir / folder / "sub").exists()
    beside = run_cli("calendar", case_dir, "-o", case_dir / "deadlines.ics", "--as-of", AS_OF)
    assert beside.code == 0, beside.stderr


def test_log_on_a_read_only_case_folder_is_an_output_error(case_dir: Path, monkeypatch) -> None:
    # Tests run as root, where chmod alone would not stop the write: make it fail as it
    # does for a normal user on a read-only folder.
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    before = (case_dir / "case.toml").read_bytes()
    result = run_cli("log", case_dir, "submitted", "--at", AS_OF)
    assert result.code == 5, result.stderr
    assert "internal error" not in result.stderr
    assert "cannot write" in result.stderr and "Permission denied" in result.stderr
    assert str(case_dir / "case.toml") in result.stderr.replace("\n", "")
    assert (case_dir / "case.toml").read_bytes() == before

"""ICS round trip: parse the export back, stable UIDs, alarms, case folder in DESCRIPTION."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from icalendar import Calendar
from icalendar.cal import Component

from appeal_kit.errors import OutputError
from appeal_kit.tracking.calendar import event_uid, export_calendar
from appeal_kit.tracking.events import log_event

CST = timezone(timedelta(hours=8))
AS_OF = datetime(2024, 10, 11, 12, 0, tzinfo=CST)


def write_case(root: Path, body: str) -> Path:
    (root / "originals").mkdir(parents=True, exist_ok=True)
    (root / "accused").mkdir(exist_ok=True)
    (root / "case.toml").write_text(body, encoding="utf-8")
    return root


def make_workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    write_case(
        ws / "open",
        'case_id = "AE-1"\nstore = "Lumen"\nnotice_received = 2024-10-10T09:30:00+08:00\n',
    )
    write_case(
        ws / "review",
        'case_id = "AE-2"\nnotice_received = 2024-10-09T09:30:00+08:00\n'
        '[[events]]\ntype = "submitted"\nat = 2024-10-10T10:00:00+08:00\n',
    )
    write_case(ws / "missed", "notice_received = 2024-10-01T09:30:00+08:00\n")
    write_case(ws / "broken", "notice_received = 2024-10-01\n")
    return ws


def events_of(path: Path) -> list[Component]:
    calendar = Calendar.from_ical(path.read_bytes())
    return [c for c in calendar.walk("VEVENT")]


def test_round_trip_one_event_per_open_deadline(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    out = tmp_path / "deadlines.ics"
    result = export_calendar(ws, out, as_of=AS_OF)
    assert (result.events, result.cancelled, result.cases, len(result.broken)) == (2, 1, 3, 1)
    found = events_of(out)
    open_ones = [e for e in found if str(e["STATUS"]) == "CONFIRMED"]
    assert len(open_ones) == 2 and len(found) == 3
    # The missed appeal is not exported at all.
    assert event_uid(ws / "missed", "appeal") not in {str(e["UID"]) for e in found}
    by_uid = {str(e["UID"]): e for e in open_ones}
    appeal = by_uid[event_uid(ws / "open", "appeal")]
    assert appeal.decoded("DTSTART") == datetime(2024, 10, 12, 1, 30, tzinfo=UTC)
    assert "AE-1" in str(appeal["SUMMARY"]) and "Lumen" in str(appeal["SUMMARY"])
    description = str(appeal["DESCRIPTION"])
    assert f"Case folder: {(ws / 'open').resolve()}" in description
    assert "2024-10-12 09:30 CST" in description
    triggers = sorted(a.decoded("TRIGGER") for a in appeal.walk("VALARM"))
    assert triggers == [-timedelta(hours=24), -timedelta(hours=2)]
    review = by_uid[event_uid(ws / "review", "review")]
    assert "Window opens" in str(review["DESCRIPTION"])
    # CRLF line ends, as RFC 5545 requires.
    assert b"\r\nBEGIN:VEVENT\r\n" in out.read_bytes()


def test_reexport_is_identical_and_uids_stay_stable(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    export_calendar(ws, first, as_of=AS_OF)
    export_calendar(ws, second, as_of=AS_OF)
    assert first.read_bytes() == second.read_bytes()

    # Later: the appeal is submitted. Its event is cancelled under the same UID;
    # the other keeps its UID and the new review event of that case gets its own.
    log_event(ws / "open", "submitted", at=datetime(2024, 10, 11, 13, 0, tzinfo=CST))
    third = tmp_path / "c.ics"
    export_calendar(ws, third, as_of=AS_OF + timedelta(hours=2))
    before = {str(e["UID"]): str(e["STATUS"]) for e in events_of(first)}
    after = {str(e["UID"]): str(e["STATUS"]) for e in events_of(third)}
    review = event_uid(ws / "review", "review")
    assert before[review] == after[review] == "CONFIRMED"
    appeal = event_uid(ws / "open", "appeal")
    assert (before[appeal], after[appeal]) == ("CONFIRMED", "CANCELLED")
    assert after[event_uid(ws / "open", "review")] == "CONFIRMED"
    assert event_uid(ws / "open", "review") not in before
    assert len(events_of(third)) == len(after)  # no UID twice


def test_done_and_closed_deadlines_are_cancelled_events(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    # Appeal met in time, then the platform approved: nothing is left to do.
    write_case(
        ws / "approved",
        'case_id = "AE-7"\nnotice_received = 2024-10-09T09:30:00+08:00\n'
        '[[events]]\ntype = "submitted"\nat = 2024-10-10T10:00:00+08:00\n'
        '[[events]]\ntype = "approved"\nat = 2024-10-11T09:00:00+08:00\n',
    )
    # Withdrawn before appealing: the appeal deadline no longer applies.
    write_case(
        ws / "withdrawn",
        'case_id = "AE-8"\nnotice_received = 2024-10-10T20:00:00+08:00\n'
        '[[events]]\ntype = "withdrawn"\nat = 2024-10-11T08:00:00+08:00\n',
    )
    out = tmp_path / "deadlines.ics"
    result = export_calendar(ws, out, as_of=AS_OF)
    assert (result.events, result.cancelled) == (0, 3)
    found = {str(e["UID"]): e for e in events_of(out)}
    assert set(found) == {
        event_uid(ws / "approved", "appeal"),
        event_uid(ws / "approved", "review"),
        event_uid(ws / "withdrawn", "appeal"),
    }
    for event in found.values():
        assert str(event["STATUS"]) == "CANCELLED"
        assert event.decoded("SEQUENCE") == 1
        assert str(event["TRANSP"]) == "TRANSPARENT"
        assert str(event["SUMMARY"]).startswith("Done: ")
        assert not list(event.walk("VALARM"))  # no reminder for a cancelled event
    withdrawn = found[event_uid(ws / "withdrawn", "appeal")]
    assert withdrawn.decoded("DTSTART") == datetime(2024, 10, 12, 12, 0, tzinfo=UTC)
    # Same --as-of, same bytes; a later --as-of changes only DTSTAMP.
    again = tmp_path / "again.ics"
    export_calendar(ws, again, as_of=AS_OF)
    assert again.read_bytes() == out.read_bytes()
    later = tmp_path / "later.ics"
    export_calendar(ws, later, as_of=AS_OF + timedelta(days=1))
    strip = [line for line in out.read_bytes().splitlines() if not line.startswith(b"DTSTAMP")]
    assert strip == [
        line for line in later.read_bytes().splitlines() if not line.startswith(b"DTSTAMP")
    ]


def test_export_overwrites_atomically(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    out = tmp_path / "cal" / "deadlines.ics"
    out.parent.mkdir()
    out.write_text("old")
    export_calendar(ws, out, as_of=AS_OF)
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert [p.name for p in out.parent.iterdir()] == ["deadlines.ics"]


def test_a_deadline_met_late_is_cancelled_and_titled_done_late(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    # Appeal due 2024-10-12T09:30+08:00, submitted 2 d 3 h after it.
    write_case(
        ws / "late",
        'case_id = "AE-5"\nstore = "Lumen"\nnotice_received = 2024-10-10T09:30:00+08:00\n'
        '[[events]]\ntype = "submitted"\nat = 2024-10-14T12:30:00+08:00\n',
    )
    out = tmp_path / "deadlines.ics"
    result = export_calendar(ws, out, as_of=datetime(2024, 10, 15, tzinfo=CST))
    # The review window is still open; the late appeal is written, cancelled.
    assert (result.events, result.cancelled) == (1, 1)
    appeal = {str(e["UID"]): e for e in events_of(out)}[event_uid(ws / "late", "appeal")]
    assert str(appeal["STATUS"]) == "CANCELLED"
    assert appeal.decoded("SEQUENCE") == 1
    assert str(appeal["TRANSP"]) == "TRANSPARENT"
    assert str(appeal["SUMMARY"]) == "Done late: Submit the appeal (counter-notice): AE-5 (Lumen)"
    assert "State: done late, 2 d 3 h after the deadline" in str(appeal["DESCRIPTION"])
    assert not list(appeal.walk("VALARM"))
    assert appeal.decoded("DTSTART") == datetime(2024, 10, 12, 1, 30, tzinfo=UTC)


def test_refuses_to_write_among_the_evidence(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    case = ws / "open"
    (case / "documents").mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    for out in (
        case / "originals" / "deadlines.ics",
        case / "accused" / "deadlines.ics",
        case / "documents" / "deadlines.ics",
        case / "originals" / "deeper" / "still" / "deadlines.ics",  # any depth
        case / "originals",  # the folder itself
    ):
        with pytest.raises(OutputError) as caught:
            export_calendar(ws, out, as_of=AS_OF)
        assert caught.value.exit_code == 5
        assert "evidence folder" in caught.value.message and caught.value.hint
    # A link to an evidence folder is followed, not trusted.
    link = tmp_path / "shortcut"
    link.symlink_to(case / "originals", target_is_directory=True)
    with pytest.raises(OutputError):
        export_calendar(ws, link / "deadlines.ics", as_of=AS_OF)
    link.unlink()
    # Nor over the case file itself.
    case_file_before = (case / "case.toml").read_bytes()
    with pytest.raises(OutputError):
        export_calendar(ws, case / "case.toml", as_of=AS_OF)
    assert (case / "case.toml").read_bytes() == case_file_before
    # Nothing was written or created, not even the missing subfolders.
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    # Beside the evidence is fine, and so is a folder that merely has the name.
    export_calendar(ws, case / "deadlines.ics", as_of=AS_OF)
    export_calendar(ws, tmp_path / "originals" / "deadlines.ics", as_of=AS_OF)
    assert (case / "deadlines.ics").is_file()
    assert (tmp_path / "originals" / "deadlines.ics").is_file()

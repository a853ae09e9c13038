"""The ``status`` dashboard: scanning, urgency order, and the broken-case row."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from appeal_kit.errors import CaseNotFoundError
from appeal_kit.workspace import CSV_COLUMNS, find_case_folders, scan_workspace
from tests.conftest import write_case

CST = timezone(timedelta(hours=8))
AS_OF = datetime(2024, 10, 11, 12, 0, tzinfo=CST)
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "workspace"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    # Appeal due 2024-10-12T09:30+08:00: 21.5 h after AS_OF, open.
    write_case(ws / "a-open", 'store = "Lumen"\nnotice_received = 2024-10-10T09:30:00+08:00\n')
    # Appeal due 2024-10-11T20:00+08:00: 8 h after AS_OF, due soon.
    write_case(
        ws / "b-soon",
        'store = "Lumen"\npoints_at_stake = 6\nnotice_received = 2024-10-09T20:00:00+08:00\n',
    )
    # Appeal was due 2024-10-10T09:00+08:00: missed.
    write_case(ws / "c-missed", 'store = "North"\nnotice_received = 2024-10-08T09:00:00+08:00\n')
    write_case(
        ws / "d-closed",
        'store = "North"\nviolation = "direct-copy"\n'
        "notice_received = 2024-10-01T09:00:00+08:00\n"
        '[[events]]\ntype = "approved"\nat = 2024-10-02T09:00:00+08:00\nnote = "restored"\n',
    )
    # Broken: an unknown key; and a folder that looks like a case without case.toml.
    write_case(ws / "e-broken", 'stor = "typo"\n')
    (ws / "f-no-toml" / "originals").mkdir(parents=True)
    (ws / "f-no-toml" / "accused").mkdir()
    (ws / "notes").mkdir()  # an unrelated folder is ignored
    return ws


def test_rows_most_urgent_first_with_broken_rows(workspace: Path) -> None:
    rows = scan_workspace(workspace, as_of=AS_OF)
    assert [r.name for r in rows] == [
        "b-soon",
        "e-broken",
        "f-no-toml",
        "c-missed",
        "a-open",
        "d-closed",
    ]
    data = {r.name: r.to_json() for r in rows}
    assert data["b-soon"]["deadline_state"] == "due-soon"
    assert data["b-soon"]["time_left"] == "8 h 0 min left"
    assert data["b-soon"]["points_at_stake"] == 6
    assert data["c-missed"]["deadline_state"] == "missed"
    assert data["a-open"]["state"] == "to-appeal"
    assert data["a-open"]["due"] == "2024-10-12T09:30:00+08:00"
    assert data["d-closed"]["state"] == "approved"
    assert data["d-closed"]["next_deadline"] is None
    assert data["d-closed"]["last_event"] == "approved"
    assert data["d-closed"]["points_at_stake"] == 4  # the profile's figure for direct-copy
    assert data["e-broken"]["state"] == "error"
    assert "unknown key 'stor'" in data["e-broken"]["error"]
    assert "did you mean 'store'" in data["e-broken"]["error"]
    assert "no case.toml" in data["f-no-toml"]["error"]
    assert all(list(row) == list(CSV_COLUMNS) for row in data.values())


def test_root_itself_can_be_one_case(tmp_path: Path) -> None:
    case_dir = write_case(tmp_path / "one", "notice_received = 2024-10-10T09:30:00+08:00\n")
    assert find_case_folders(case_dir) == [case_dir]
    rows = scan_workspace(case_dir, as_of=AS_OF)
    assert [r.name for r in rows] == ["one"]


def test_empty_or_missing_workspace_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CaseNotFoundError, match="no case folders"):
        scan_workspace(tmp_path)
    with pytest.raises(CaseNotFoundError, match="not found"):
        scan_workspace(tmp_path / "nope")


def test_sample_workspace_shows_every_state() -> None:
    rows = scan_workspace(SAMPLES, as_of=datetime(2026, 2, 10, 12, 0, tzinfo=CST))
    by_name = {r.name: r.to_json() for r in rows}
    assert len(rows) == 8
    assert rows[0].name == "01-new-notice"  # the only due-soon deadline
    assert by_name["01-new-notice"]["deadline_state"] == "due-soon"
    assert by_name["07-alibaba-ipp"]["deadline_state"] == "missed"
    assert by_name["02-rejected"]["due"] == "2026-02-11T12:00:00+08:00"  # override wins
    assert by_name["03-under-review"]["due"] == "2026-02-25T10:00:00+08:00"  # Spring Festival
    assert by_name["08-broken"]["state"] == "error"
    assert {by_name[n]["state"] for n in by_name} >= {
        "to-appeal",
        "rejected",
        "under-review",
        "approved",
        "withdrawn",
        "error",
    }

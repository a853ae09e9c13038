"""The ``status`` dashboard: scanning, urgency order, one time zone, a table that fits."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from appeal_kit.cli.tables import fit_widths
from appeal_kit.cli.tracking_commands import status_table
from appeal_kit.errors import CaseNotFoundError, InvalidValueError
from appeal_kit.tracking.workspace import (
    CSV_COLUMNS,
    CaseStatus,
    DisplayZone,
    display_zone,
    find_case_folders,
    scan_workspace,
)
from tests.conftest import write_case

CST = timezone(timedelta(hours=8))
AS_OF = datetime(2024, 10, 11, 12, 0, tzinfo=CST)
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "workspace"


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
    # Overdue first, then 8 h left, then the unreadable folders, then open, closed last.
    assert [r.name for r in rows] == [
        "c-missed",
        "b-soon",
        "e-broken",
        "f-no-toml",
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
    assert rows[0].name == "07-alibaba-ipp"  # overdue by 2 h: above ...
    assert rows[1].name == "01-new-notice"  # ... the only due-soon deadline (8 h left)
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


# ----------------------------------------------------------------- one zone per table


def test_display_zone_prefers_option_then_the_cases_zone(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    rows = scan_workspace(workspace, as_of=AS_OF)
    # No case names a zone: the machine's, and the reason says how to choose.
    machine = display_zone(rows)
    assert machine.name == "America/New_York"
    assert "--timezone" in machine.reason
    assert display_zone(rows, "Asia/Tokyo").zone == ZoneInfo("Asia/Tokyo")
    write_case(workspace / "g-berlin", 'timezone = "Europe/Berlin"\n')
    rows = scan_workspace(workspace, as_of=AS_OF)
    assert display_zone(rows).name == "Europe/Berlin"
    write_case(workspace / "h-tokyo", 'timezone = "Asia/Tokyo"\n')
    both = display_zone(scan_workspace(workspace, as_of=AS_OF))
    assert both.name == "America/New_York"
    assert "Asia/Tokyo, Europe/Berlin" in both.reason
    with pytest.raises(InvalidValueError, match="unknown time zone 'Mars/Olympus'"):
        display_zone(rows, "Mars/Olympus")


# ----------------------------------------------------------------- table layout


@given(
    st.lists(st.tuples(st.integers(1, 40), st.integers(1, 40)), min_size=1, max_size=7),
    st.integers(0, 200),
)
def test_fit_widths_respects_minimums_and_budget(pairs: list[tuple[int, int]], budget: int) -> None:
    natural = [n for n, _ in pairs]
    minimum = [m for _, m in pairs]
    widths = fit_widths(natural, minimum, budget)
    if sum(minimum) > budget:
        assert widths is None
        return
    assert widths is not None
    assert sum(widths) <= budget
    assert all(m <= w <= max(n, m) for w, n, m in zip(widths, natural, minimum, strict=True))
    # Nothing is taken from a column that did not have to give.
    if sum(max(n, m) for n, m in pairs) <= budget:
        assert widths == [max(n, m) for n, m in pairs]


def render(rows: list[CaseStatus], now: datetime, zone: DisplayZone, width: int) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(status_table(rows, now, zone, width=width))
    return console.export_text()


def cell_words(rows: list[CaseStatus], now: datetime, zone: DisplayZone) -> set[str]:
    """Every word the table should show, taken from the same rows."""
    words: set[str] = set()
    for row in rows:
        case = row.case
        words.add(row.name)
        if case is None:
            continue
        words.update(case.store.split())
        # The table names the platform and the state in words (AliExpress, to appeal).
        from appeal_kit.cli.words import case_state_word, platform_word

        words.update([*platform_word(case.platform).split(), *case_state_word(row.state).split()])
        if row.next is not None:
            words.add(row.next.name)
            words.update(f"{row.next.due.astimezone(zone.zone):%a %m-%d %H:%M}".split())
        if row.last_event is not None:
            words.update(row.last_event.type.replace("-", " ").split())
    return words


@pytest.mark.parametrize("width", [100, 80])
def test_sample_dashboard_fits_without_breaking_a_word(width: int) -> None:
    now = datetime(2026, 2, 10, 12, 0, tzinfo=CST)
    rows = scan_workspace(SAMPLES, as_of=now)
    zone = display_zone(rows)
    text = render(rows, now, zone, width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    shown = set(text.split())
    missing = {word for word in cell_words(rows, now, zone) if word not in shown}
    assert not missing, f"broken or missing at {width} columns: {sorted(missing)}\n{text}"
    # One zone for every time, named above the table. 07-alibaba-ipp names no zone
    # of its own; its appeal (2026-02-10 10:00 CST) shows in Berlin time, 03:00.
    assert "All times in Europe/Berlin" in text
    assert "Tue 02-10 03:00" in text and "UTC" not in text
    due_times = re.findall(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d-\d\d \d\d:\d\d\b", text)
    expected = sorted(
        f"{row.next.due.astimezone(ZoneInfo('Europe/Berlin')):%a %m-%d %H:%M}"
        for row in rows
        if row.next is not None
    )
    assert sorted(due_times) == expected
    # Rows in urgency order: the overdue case above the one with 8 h left.
    assert text.index("07-alibaba-ipp") < text.index("01-new-notice") < text.index("08-broken")


def test_long_and_wide_store_names_wrap_at_spaces(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    write_case(
        ws / "shop",
        'store = "Porzellanmanufaktur Gebrüder Zimmermann Versandhandel"\n'
        'timezone = "Asia/Shanghai"\nnotice_received = 2024-10-10T09:30:00+08:00\n',
    )
    write_case(
        ws / "wide",
        'store = "景德镇 陶瓷 工作室 旗舰店"\nnotice_received = 2024-10-09T20:00:00+08:00\n',
    )
    rows = scan_workspace(ws, as_of=AS_OF)
    zone = display_zone(rows, "Europe/Berlin")
    assert zone.reason == "--timezone"
    text = render(rows, AS_OF, zone, 80)
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    shown = set(text.split())
    assert cell_words(rows, AS_OF, zone) <= shown
    assert "All times in Europe/Berlin (--timezone)" in text
    assert "Sat 10-12 03:30" in text  # 2024-10-12 09:30 CST in CEST

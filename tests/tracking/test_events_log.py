"""``log``: the event lands in case.toml and everything the user wrote survives."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from appeal_kit.case.config import load_case
from appeal_kit.errors import CaseConfigError, InvalidValueError
from appeal_kit.tracking.events import local_now, log_event

CST = timezone(timedelta(hours=8))

COMMENTED = """\
# My case about the teapot photos.  Keep this comment!
platform = "aliexpress"   # the default anyway
store = "Lumen Ceramics"
notice_received = 2024-10-10T09:30:00+08:00

# What happened so far
[[events]]
type = "submitted"   # sent from the back office
at = 2024-10-11T10:00:00+08:00
note = "first try"

# The notice printed its own deadline:
[deadlines]
appeal = 2024-10-12T09:30:00+08:00   # from the notice
"""


def make(tmp_path: Path, text: str, *, newline: str = "\n", bom: bool = False) -> Path:
    root = tmp_path / "case"
    (root / "originals").mkdir(parents=True)
    (root / "accused").mkdir()
    data = text.replace("\n", newline).encode("utf-8")
    (root / "case.toml").write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return root


def test_comments_and_layout_survive(tmp_path: Path) -> None:
    root = make(tmp_path, COMMENTED)
    log_event(root, "rejected", at=datetime(2024, 10, 13, 10, 0, tzinfo=CST), note="blurry")
    text = (root / "case.toml").read_text(encoding="utf-8")
    inserted = '\n[[events]]\ntype = "rejected"\nat = 2024-10-13T10:00:00+08:00\nnote = "blurry"\n'
    # Removing the one inserted table gives back the user's file byte for byte.
    assert text.replace(inserted, "", 1) == COMMENTED
    for line in (
        "# My case about the teapot photos.  Keep this comment!",
        'platform = "aliexpress"   # the default anyway',
        'type = "submitted"   # sent from the back office',
        "# The notice printed its own deadline:",
        "appeal = 2024-10-12T09:30:00+08:00   # from the notice",
    ):
        assert line in text.splitlines()
    # The new table sits after the last event, before the comment of [deadlines].
    assert text.index('type = "rejected"') < text.index("# The notice printed")
    case = load_case(root)
    assert [e.type for e in case.events] == ["submitted", "rejected"]
    assert case.events[1].at == datetime(2024, 10, 13, 2, 0, tzinfo=UTC)
    assert case.deadline_overrides["appeal"] == datetime(2024, 10, 12, 9, 30, tzinfo=CST)


def test_first_event_goes_at_the_end_and_points_are_kept(tmp_path: Path) -> None:
    original = 'store = "Lumen"\n# [[events]]\n# type = "submitted"\n'
    root = make(tmp_path, original)
    log_event(root, "points-deducted", at=datetime(2024, 10, 13, tzinfo=UTC), points=4)
    text = (root / "case.toml").read_text(encoding="utf-8")
    assert text.startswith(original)
    assert text.endswith(
        '[[events]]\ntype = "points-deducted"\nat = 2024-10-13T00:00:00Z\npoints = 4\n'
    )
    assert load_case(root).events[0].points == 4


def test_crlf_and_bom_are_preserved(tmp_path: Path) -> None:
    root = make(tmp_path, COMMENTED, newline="\r\n", bom=True)
    log_event(root, "approved", at=datetime(2024, 10, 20, tzinfo=UTC))
    data = (root / "case.toml").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf# My case")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert [e.type for e in load_case(root).events] == ["submitted", "approved"]


def test_inline_event_array_is_extended(tmp_path: Path) -> None:
    root = make(tmp_path, 'store = "Lumen"  # inline style\nevents = []\n')
    log_event(root, "submitted", at=datetime(2024, 10, 11, tzinfo=UTC), note="via tomlkit")
    text = (root / "case.toml").read_text(encoding="utf-8")
    assert 'store = "Lumen"  # inline style' in text
    assert [(e.type, e.note) for e in load_case(root).events] == [("submitted", "via tomlkit")]


def test_header_lookalike_inside_a_multiline_note(tmp_path: Path) -> None:
    tricky = (
        '[[events]]\ntype = "submitted"\nat = 2024-10-11T10:00:00Z\n'
        'note = """\n[[events]] was pasted here\n[deadlines]\n"""\n'
    )
    root = make(tmp_path, tricky)
    log_event(root, "rejected", at=datetime(2024, 10, 12, tzinfo=UTC))
    events = load_case(root).events
    assert [e.type for e in events] == ["submitted", "rejected"]
    assert "[deadlines]" in events[0].note


def test_write_is_atomic_and_keeps_permissions(tmp_path: Path) -> None:
    root = make(tmp_path, COMMENTED)
    os.chmod(root / "case.toml", 0o640)
    log_event(root, "withdrawn", at=datetime(2024, 10, 20, tzinfo=UTC))
    assert stat.S_IMODE((root / "case.toml").stat().st_mode) == 0o640
    assert sorted(p.name for p in root.iterdir()) == ["accused", "case.toml", "originals"]


@pytest.mark.parametrize(
    ("kind", "points", "at", "message"),
    [
        ("submited", None, datetime(2024, 1, 1, tzinfo=UTC), "did you mean 'submitted'"),
        ("points-deducted", None, datetime(2024, 1, 1, tzinfo=UTC), "--points"),
        ("rejected", 3, datetime(2024, 1, 1, tzinfo=UTC), "points-deducted"),
        ("rejected", None, datetime(2024, 1, 1), "--at"),
    ],
)
def test_bad_events_are_refused_and_file_untouched(
    tmp_path: Path, kind: str, points: int | None, at: datetime, message: str
) -> None:
    root = make(tmp_path, COMMENTED)
    before = (root / "case.toml").read_bytes()
    with pytest.raises(InvalidValueError) as info:
        log_event(root, kind, at=at, points=points)
    assert message in str(info.value)
    assert (root / "case.toml").read_bytes() == before


def test_broken_case_is_not_rewritten(tmp_path: Path) -> None:
    root = make(tmp_path, "notice_received = 2024-10-10T09:30:00\n")
    before = (root / "case.toml").read_bytes()
    with pytest.raises(CaseConfigError, match="no UTC offset"):
        log_event(root, "submitted", at=datetime(2024, 10, 11, tzinfo=UTC))
    assert (root / "case.toml").read_bytes() == before


# A fixed "now", with microseconds that must not reach case.toml.
NOW = datetime(2026, 7, 1, 10, 0, 5, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "written"),
    [
        ("Europe/Berlin", "at = 2026-07-01T12:00:05+02:00\n"),  # summer time
        ("America/New_York", "at = 2026-07-01T06:00:05-04:00\n"),
        ("Asia/Kolkata", "at = 2026-07-01T15:30:05+05:30\n"),
    ],
)
def test_now_is_written_in_the_case_zone_to_the_second(
    tmp_path: Path, zone: str, written: str
) -> None:
    root = make(tmp_path, f'timezone = "{zone}"\n' + COMMENTED)
    stamp = local_now(load_case(root), NOW)
    assert stamp.at.isoformat() == written.removeprefix("at = ").strip()
    assert zone in stamp.zone_note and "case.toml" in stamp.zone_note
    log_event(root, "approved", at=stamp.at)
    text = (root / "case.toml").read_text(encoding="utf-8")
    assert written in text and "Z\n" not in text
    assert load_case(root).events[-1].at == NOW.replace(microsecond=0)


def test_now_without_a_case_zone_uses_the_machine_offset_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    root = make(tmp_path, COMMENTED)
    stamp = local_now(load_case(root), NOW)
    assert stamp.at.isoformat() == "2026-07-01T19:00:05+09:00"
    assert "this computer's, UTC+09:00 (Asia/Tokyo)" in stamp.zone_note
    assert 'add timezone = "Area/City" to case.toml' in stamp.zone_note
    with pytest.raises(InvalidValueError, match="no UTC offset"):
        local_now(load_case(root), datetime(2026, 7, 1, 10, 0))

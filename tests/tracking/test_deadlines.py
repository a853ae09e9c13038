"""Deadline arithmetic and states: weekends, Chinese holidays, DST, overrides, events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from appeal_kit.case.config import load_case
from appeal_kit.errors import CaseConfigError, InvalidValueError
from appeal_kit.models import DeadlineState
from appeal_kit.tracking.deadlines import (
    compute_deadlines,
    format_both,
    format_lateness,
    format_time_left,
    lateness,
    next_deadline,
    parse_moment,
)
from appeal_kit.tracking.platforms import available_profiles, load_profile

CST = timezone(timedelta(hours=8))
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def write_case(root: Path, body: str) -> Path:
    (root / "originals").mkdir(parents=True, exist_ok=True)
    (root / "accused").mkdir(exist_ok=True)
    (root / "case.toml").write_text(body, encoding="utf-8")
    return root


def events(*pairs: tuple[str, str]) -> str:
    return "".join(f'\n[[events]]\ntype = "{kind}"\nat = {at}\n' for kind, at in pairs)


def by_name(case_dir: Path, as_of: datetime | None = None) -> dict[str, object]:
    return {d.name: d for d in compute_deadlines(load_case(case_dir), as_of=as_of)}


# ------------------------------------------------------------------ profiles


def test_every_bundled_profile_loads_with_sources() -> None:
    names = available_profiles()
    assert {"aliexpress", "alibaba-ipp", "amazon", "ebay-vero", "dmca"} <= set(names)
    for name in names:
        profile = load_profile(name)
        assert profile.rules, name
        for rule in profile.rules:
            assert rule.source and rule.checked, (name, rule.name)


def test_aliexpress_profile_figures_come_from_the_file() -> None:
    profile = load_profile("aliexpress")
    assert profile.timezone == "Asia/Shanghai"
    assert profile.country == "CN"
    appeal = profile.rule("appeal")
    assert appeal is not None and (appeal.amount, appeal.unit) == (48, "hours")
    resubmission = profile.rule("resubmission")
    assert resubmission is not None
    assert (resubmission.amount, resubmission.unit, resubmission.starts_from) == (
        5,
        "calendar-days",
        "rejection",
    )
    review = profile.rule("review")
    assert review is not None
    assert (review.earliest, review.amount, review.unit, review.kind) == (
        3,
        7,
        "business-days",
        "expectation",
    )
    assert profile.points is not None
    assert profile.points.by_violation == {
        "minor-edits": 2,
        "direct-copy": 4,
        "copyright-trademark": 6,
    }
    assert profile.points.expiry_days == 365


def test_unknown_platform_lists_available_profiles(tmp_path: Path) -> None:
    with pytest.raises(CaseConfigError) as info:
        load_profile("wish")
    assert "unknown platform 'wish'" in str(info.value)
    assert "aliexpress" in (info.value.hint or "")
    case_dir = write_case(tmp_path / "c", 'platform = "aliexpres"\n')
    with pytest.raises(CaseConfigError) as info:
        compute_deadlines(load_case(case_dir))
    assert info.value.path.name == "case.toml"
    assert "did you mean 'aliexpress'" in (info.value.hint or "")


# ------------------------------------------------------------ business days


def test_business_days_skip_the_weekend(tmp_path: Path) -> None:
    # Friday 10:00 + 3 business days = Wednesday 10:00 (Sat, Sun skipped).
    case_dir = write_case(
        tmp_path / "c",
        'platform = "alibaba-ipp"\nnotice_received = 2024-03-08T10:00:00+08:00\n',
    )
    appeal = by_name(case_dir)["appeal"]
    assert appeal.due == datetime(2024, 3, 13, 10, 0, tzinfo=SHANGHAI)  # type: ignore[attr-defined]


def test_chinese_holidays_and_make_up_working_days() -> None:
    profile = load_profile("aliexpress")
    assert not profile.is_business_day(date(2024, 2, 12))  # Spring Festival
    assert not profile.is_business_day(date(2024, 10, 1))  # National Day, Golden Week
    assert not profile.is_business_day(date(2024, 3, 9))  # ordinary Saturday
    # Official make-up working days on a weekend count as business days.
    assert profile.is_business_day(date(2024, 2, 18))  # Sunday
    assert profile.is_business_day(date(2024, 10, 12))  # Saturday


def test_review_window_across_spring_festival(tmp_path: Path) -> None:
    # Submitted Thu 2024-02-08. Working days after it: Fri 9 (1); 10-17 holiday or
    # weekend; Sun 18 make-up day (2); Mon 19 (3) ... Fri 23 (7).
    case_dir = write_case(
        tmp_path / "c",
        "notice_received = 2024-02-07T09:00:00+08:00\n"
        + events(("submitted", "2024-02-08T10:00:00+08:00")),
    )
    review = by_name(case_dir)["review"]
    assert review.earliest == datetime(2024, 2, 19, 10, 0, tzinfo=SHANGHAI)  # type: ignore[attr-defined]
    assert review.due == datetime(2024, 2, 23, 10, 0, tzinfo=SHANGHAI)  # type: ignore[attr-defined]
    assert review.kind == "expectation"  # type: ignore[attr-defined]


def test_review_window_across_golden_week(tmp_path: Path) -> None:
    # Resubmitted Wed 2024-10-02: Oct 3-7 off, Sat Oct 12 is a make-up working day.
    case_dir = write_case(
        tmp_path / "c",
        "notice_received = 2024-09-27T10:00:00+08:00\n"
        + events(
            ("submitted", "2024-09-28T09:00:00+08:00"),
            ("rejected", "2024-09-30T11:00:00+08:00"),
            ("resubmitted", "2024-10-02T11:00:00+08:00"),
        ),
    )
    review = by_name(case_dir)["review"]
    assert review.earliest == datetime(2024, 10, 10, 11, 0, tzinfo=SHANGHAI)  # type: ignore[attr-defined]
    assert review.due == datetime(2024, 10, 15, 11, 0, tzinfo=SHANGHAI)  # type: ignore[attr-defined]


# --------------------------------------------------------------- time zones


def test_hours_are_elapsed_time_across_dst_in_the_users_zone(tmp_path: Path) -> None:
    # Berlin springs forward on 2024-03-31: the 48 h deadline is 11:00 CEST, not 10:00.
    case_dir = write_case(
        tmp_path / "c",
        'notice_received = 2024-03-30T10:00:00+01:00\ntimezone = "Europe/Berlin"\n',
    )
    appeal = by_name(case_dir)["appeal"]
    due = appeal.due  # type: ignore[attr-defined]
    assert due.astimezone(UTC) == datetime(2024, 4, 1, 9, 0, tzinfo=UTC)
    assert due.astimezone(BERLIN).hour == 11
    assert due.utcoffset() == timedelta(hours=8)  # shown in the platform's zone
    assert format_both(due, SHANGHAI, BERLIN) == (
        "Mon 2024-04-01 17:00 CST / Mon 2024-04-01 11:00 CEST (local)"
    )


def test_calendar_days_keep_wall_clock_across_us_dst(tmp_path: Path) -> None:
    # Amazon counts in Los Angeles time; DST starts 2024-03-10.
    case_dir = write_case(
        tmp_path / "c",
        'platform = "amazon"\nnotice_received = 2024-03-05T09:00:00-08:00\n',
    )
    due = by_name(case_dir)["appeal"].due  # type: ignore[attr-defined]
    assert due.isoformat() == "2024-03-15T09:00:00-07:00"


def test_format_both_once_when_zones_agree() -> None:
    moment = datetime(2024, 10, 12, 1, 30, tzinfo=UTC)
    assert format_both(moment, SHANGHAI, SHANGHAI) == "Sat 2024-10-12 09:30 CST"


def test_time_left_wording() -> None:
    due = datetime(2024, 10, 12, 12, 0, tzinfo=UTC)
    assert format_time_left(due, due - timedelta(days=2, hours=3)) == "2 d 3 h left"
    assert format_time_left(due, due - timedelta(minutes=45)) == "45 min left"
    assert format_time_left(due, due + timedelta(hours=1, minutes=5)) == "overdue by 1 h 5 min"


def test_parse_moment_needs_an_offset() -> None:
    assert parse_moment("2024-10-11T10:00:00Z") == datetime(2024, 10, 11, 10, tzinfo=UTC)
    with pytest.raises(InvalidValueError, match="no UTC offset"):
        parse_moment("2024-10-11T10:00:00")
    with pytest.raises(InvalidValueError, match="not an ISO 8601"):
        parse_moment("next tuesday")


# ---------------------------------------------------------------- overrides


def test_override_from_the_notice_wins(tmp_path: Path) -> None:
    case_dir = write_case(
        tmp_path / "c",
        "notice_received = 2024-10-10T09:30:00+08:00\n"
        "[deadlines]\nappeal = 2024-10-11T18:00:00+02:00\n",
    )
    appeal = by_name(case_dir)["appeal"]
    assert appeal.due == datetime(2024, 10, 12, 0, 0, tzinfo=CST)  # type: ignore[attr-defined]
    assert appeal.origin == "case"  # type: ignore[attr-defined]
    assert "2024-10-12 09:30 CST" in appeal.basis  # type: ignore[attr-defined]  # rule's date kept


def test_override_for_a_rejection_not_logged_and_a_custom_deadline(tmp_path: Path) -> None:
    case_dir = write_case(
        tmp_path / "c",
        "notice_received = 2024-10-10T09:30:00+08:00\n"
        "[deadlines]\nresubmission = 2024-10-20T09:30:00+08:00\n"
        "reply-to-lawyer = 2024-10-15T17:00:00+02:00\n",
    )
    found = by_name(case_dir)
    assert found["resubmission"].label == "Resubmit the appeal after a rejection"  # type: ignore[attr-defined]
    assert found["reply-to-lawyer"].origin == "case"  # type: ignore[attr-defined]
    assert found["reply-to-lawyer"].label == "Reply to lawyer"  # type: ignore[attr-defined]


def test_misspelt_override_is_an_error_not_silently_ignored(tmp_path: Path) -> None:
    case_dir = write_case(
        tmp_path / "c",
        "notice_received = 2024-10-10T09:30:00+08:00\n"
        "[deadlines]\napeal = 2024-10-11T09:30:00+08:00\n",
    )
    with pytest.raises(CaseConfigError) as info:
        compute_deadlines(load_case(case_dir))
    assert info.value.field == "deadlines.apeal"
    assert "did you mean 'appeal'" in (info.value.hint or "")


# ---------------------------------------------------------- event-driven states


NOTICE = "notice_received = 2024-10-10T09:30:00+08:00\n"


def states(case_dir: Path, as_of: datetime | None = None) -> dict[str, str]:
    return {d.name: d.state.value for d in compute_deadlines(load_case(case_dir), as_of=as_of)}


def test_states_follow_events_without_a_clock(tmp_path: Path) -> None:
    fresh = write_case(tmp_path / "fresh", NOTICE)
    assert states(fresh) == {"appeal": "open"}  # 2024 is long past, yet no clock is read

    sent = write_case(
        tmp_path / "sent", NOTICE + events(("submitted", "2024-10-11T10:00:00+08:00"))
    )
    assert states(sent) == {"appeal": "done", "review": "open"}

    rejected = write_case(
        tmp_path / "rejected",
        NOTICE
        + events(
            ("submitted", "2024-10-11T10:00:00+08:00"),
            ("rejected", "2024-10-14T10:00:00+08:00"),
        ),
    )
    assert states(rejected) == {"appeal": "done", "review": "done", "resubmission": "open"}

    twice = write_case(
        tmp_path / "twice",
        NOTICE
        + events(
            ("submitted", "2024-10-11T10:00:00+08:00"),
            ("rejected", "2024-10-14T10:00:00+08:00"),
            ("resubmitted", "2024-10-15T10:00:00+08:00"),
            ("rejected", "2024-10-18T10:00:00+08:00"),
        ),
    )
    assert states(twice) == {
        "appeal": "done",
        "resubmission": "done",
        "review": "done",
        "resubmission-2": "open",
    }

    approved = write_case(
        tmp_path / "approved",
        NOTICE
        + events(
            ("submitted", "2024-10-11T10:00:00+08:00"),
            ("rejected", "2024-10-14T10:00:00+08:00"),
            ("approved", "2024-10-16T10:00:00+08:00"),
        ),
    )
    assert set(states(approved).values()) == {"done"}


def test_deadlines_are_sorted_by_due(tmp_path: Path) -> None:
    case_dir = write_case(
        tmp_path / "c",
        NOTICE
        + events(
            ("submitted", "2024-10-11T10:00:00+08:00"), ("rejected", "2024-10-12T10:00:00+08:00")
        ),
    )
    found = compute_deadlines(load_case(case_dir))
    assert [d.due for d in found] == sorted(d.due for d in found)
    # Review: Sat 12 Oct is a make-up working day, so 7 business days end Mon 21 Oct;
    # resubmission: 5 calendar days after the rejection, Thu 17 Oct.
    assert [d.name for d in found] == ["appeal", "resubmission", "review"]


def test_due_soon_and_missed_relative_to_as_of(tmp_path: Path) -> None:
    case_dir = write_case(tmp_path / "c", NOTICE)  # appeal due 2024-10-12T09:30+08:00
    due = datetime(2024, 10, 12, 9, 30, tzinfo=CST)
    assert states(case_dir, due - timedelta(hours=12, minutes=1)) == {"appeal": "open"}
    assert states(case_dir, due - timedelta(hours=11, minutes=59)) == {"appeal": "due-soon"}
    assert states(case_dir, due) == {"appeal": "missed"}
    with pytest.raises(InvalidValueError):
        compute_deadlines(load_case(case_dir), as_of=datetime(2024, 10, 12))


def test_late_review_is_info_not_missed(tmp_path: Path) -> None:
    case_dir = write_case(
        tmp_path / "c", NOTICE + events(("submitted", "2024-10-11T10:00:00+08:00"))
    )
    later = datetime(2024, 12, 1, tzinfo=UTC)
    assert states(case_dir, later) == {"appeal": "done", "review": "info"}
    found = compute_deadlines(load_case(case_dir), as_of=later)
    assert next_deadline(found).name == "review"  # type: ignore[union-attr]


def test_alibaba_second_counter_notice_only_after_a_rejection(tmp_path: Path) -> None:
    head = 'platform = "alibaba-ipp"\nnotice_received = 2024-03-08T10:00:00+08:00\n'
    before = write_case(tmp_path / "a", head)
    assert list(states(before)) == ["appeal"]
    after = write_case(
        tmp_path / "b",
        head
        + events(
            ("submitted", "2024-03-11T10:00:00+08:00"), ("rejected", "2024-03-20T10:00:00+08:00")
        ),
    )
    found = by_name(after)
    # 27 business days counted from the notice, not from the rejection.
    assert found["resubmission"].due == datetime(2024, 4, 17, 10, 0, tzinfo=SHANGHAI)  # type: ignore[attr-defined]
    assert found["resubmission"].state == DeadlineState.OPEN  # type: ignore[attr-defined]


def test_json_form_has_offsets(tmp_path: Path) -> None:
    case_dir = write_case(tmp_path / "c", NOTICE)
    data = compute_deadlines(load_case(case_dir))[0].to_json()
    assert data["name"] == "appeal"
    assert data["due"] == "2024-10-12T09:30:00+08:00"
    assert data["state"] == "open"
    assert data["kind"] == "deadline"


def test_as_of_forgets_events_after_it(tmp_path: Path) -> None:
    """Looking back at a moment before the submission, the appeal was still open."""
    from appeal_kit.case.config import load_case
    from appeal_kit.tracking.deadlines import compute_deadlines

    for name in ("originals", "accused"):
        (tmp_path / name).mkdir()
    (tmp_path / "case.toml").write_text(
        "notice_received = 2024-10-15T09:30:00+08:00\n\n"
        '[[events]]\ntype = "submitted"\nat = 2024-10-16T11:20:00+08:00\n'
    )
    case = load_case(tmp_path)
    before = datetime.fromisoformat("2024-10-16T08:00:00+08:00")
    after = datetime.fromisoformat("2024-10-16T12:00:00+08:00")
    appeal_before = next(d for d in compute_deadlines(case, as_of=before) if d.name == "appeal")
    appeal_after = next(d for d in compute_deadlines(case, as_of=after) if d.name == "appeal")
    assert appeal_before.state.value == "open"
    assert appeal_after.state.value == "done"


# ------------------------------------------------------------ met, but late


def test_submission_after_the_due_time_is_late_not_done(tmp_path: Path) -> None:
    # Appeal due 2024-10-12T09:30+08:00 (48 h after the notice).
    late = write_case(
        tmp_path / "late", NOTICE + events(("submitted", "2024-10-17T10:30:00+08:00"))
    )
    # Without a clock, and with one: the events alone say it was late.
    assert states(late) == {"appeal": "late", "review": "open"}
    later = datetime(2024, 10, 18, tzinfo=UTC)
    found = compute_deadlines(load_case(late), as_of=later)
    appeal = next(d for d in found if d.name == "appeal")
    assert appeal.state == DeadlineState.LATE
    assert appeal.settled_at == datetime(2024, 10, 17, 10, 30, tzinfo=CST)
    assert lateness(appeal) == timedelta(days=5, hours=1)
    assert format_lateness(appeal) == "5 d 1 h"
    assert appeal.to_json()["state"] == "late"
    # Settled like a done one: the platform's review window is what comes next.
    assert next_deadline(found).name == "review"  # type: ignore[union-attr]


def test_late_boundary_and_what_is_never_late(tmp_path: Path) -> None:
    on_time = write_case(
        tmp_path / "a", NOTICE + events(("submitted", "2024-10-12T09:29:00+08:00"))
    )
    assert states(on_time)["appeal"] == "done"
    at_due = write_case(tmp_path / "b", NOTICE + events(("submitted", "2024-10-12T09:30:00+08:00")))
    assert states(at_due)["appeal"] == "late"  # the due instant itself is past, as for missed
    # Withdrawn after the due time without appealing: no longer needed, not "met late".
    withdrawn = write_case(
        tmp_path / "c", NOTICE + events(("withdrawn", "2024-10-20T09:00:00+08:00"))
    )
    assert states(withdrawn) == {"appeal": "done"}
    # A platform review decided after its window keeps the expectation's behaviour.
    slow_review = write_case(
        tmp_path / "d",
        NOTICE
        + events(
            ("submitted", "2024-10-11T10:00:00+08:00"), ("approved", "2024-12-20T10:00:00+08:00")
        ),
    )
    assert states(slow_review) == {"appeal": "done", "review": "done"}
    done = compute_deadlines(load_case(slow_review))
    assert [lateness(d) for d in done] == [None, None]
    assert [format_lateness(d) for d in done] == ["", ""]


def test_late_resubmission_and_a_date_from_the_notice(tmp_path: Path) -> None:
    # Resubmission due 5 calendar days after the rejection (2024-10-19T10:00+08:00).
    resubmitted = write_case(
        tmp_path / "r",
        NOTICE
        + events(
            ("submitted", "2024-10-11T10:00:00+08:00"),
            ("rejected", "2024-10-14T10:00:00+08:00"),
            ("resubmitted", "2024-10-21T10:00:00+08:00"),
        ),
    )
    assert states(resubmitted) == {"appeal": "done", "resubmission": "late", "review": "open"}
    # The brief's example: appeal due 2024-10-17 (printed on the notice), logged 2026-11-22.
    override = write_case(
        tmp_path / "o",
        NOTICE
        + "[deadlines]\nappeal = 2024-10-17T09:30:00+08:00\n"
        + events(("submitted", "2026-11-22T09:30:00+08:00")),
    )
    appeal = by_name(override, datetime(2026, 11, 23, tzinfo=UTC))["appeal"]
    assert appeal.state == DeadlineState.LATE  # type: ignore[attr-defined]
    assert format_lateness(appeal) == "766 d 0 h"  # type: ignore[arg-type]


def test_dossier_deadline_page_says_how_late(tmp_path: Path) -> None:
    """The deadline tracker page shows "late" and the lateness, not the build clock's."""
    import re

    from pypdf import PdfReader

    from appeal_kit.dossier.content import DossierContent
    from appeal_kit.dossier.render import write_dossier

    case_dir = write_case(
        tmp_path / "c", NOTICE + events(("submitted", "2024-10-17T10:30:00+08:00"))
    )
    case = load_case(case_dir)
    as_of = datetime(2024, 12, 1, 12, 0, tzinfo=CST)
    content = DossierContent(case=case, deadlines=compute_deadlines(case, as_of=as_of), as_of=as_of)
    out = tmp_path / "dossier.pdf"
    write_dossier(content, out)
    texts = [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(out).pages]
    page = next(text for text in texts if "Basis" in text and "Time left" in text)
    assert "late done 5 d 1 h late" in page
    # Not how far the build's clock is past the due time (50 d 2 h).
    assert "missed by 50 d" not in page

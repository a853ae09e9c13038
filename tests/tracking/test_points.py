"""Penalty points: expiry after 365 days, thresholds 6 / 12 / 24 / 48, what-if."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appeal_kit.case.config import Case, load_case
from appeal_kit.errors import InvalidValueError
from appeal_kit.tracking.platforms import load_profile
from appeal_kit.tracking.points import next_level, reached_level, store_ledgers, what_if


def write_case(root: Path, body: str) -> Case:
    (root / "originals").mkdir(parents=True, exist_ok=True)
    (root / "accused").mkdir(exist_ok=True)
    (root / "case.toml").write_text(body, encoding="utf-8")
    return load_case(root)


def deduction(at: str, points: int) -> str:
    return f'\n[[events]]\ntype = "points-deducted"\nat = {at}\npoints = {points}\n'


def test_aliexpress_threshold_levels() -> None:
    policy = load_profile("aliexpress").points
    assert policy is not None
    levels = [(level.points, level.threshold.name) for level in policy.levels()]
    assert levels == [
        (6, "restricted"),
        (12, "frozen"),
        (24, "frozen"),
        (36, "frozen"),
        (48, "closed"),
    ]


@pytest.mark.parametrize(
    ("points", "reached", "upcoming"),
    [
        (0, None, 6),
        (5, None, 6),
        (6, 6, 12),
        (11, 6, 12),
        (12, 12, 24),
        (23, 12, 24),
        (24, 24, 36),
        (47, 36, 48),
        (48, 48, None),
        (60, 48, None),
    ],
)
def test_reached_and_next_threshold(points: int, reached: int | None, upcoming: int | None) -> None:
    policy = load_profile("aliexpress").points
    assert policy is not None
    levels = policy.levels()
    hit = reached_level(levels, points)
    nxt = next_level(levels, points)
    assert (hit.points if hit else None) == reached
    assert (nxt.points if nxt else None) == upcoming
    if points >= 48:
        assert hit is not None and hit.effect == "store closed"


def test_points_in_force_expire_after_365_days(tmp_path: Path) -> None:
    first = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    case = write_case(
        tmp_path / "a",
        'store = "Lumen"\n'
        + deduction("2025-03-01T09:00:00Z", 6)
        + deduction("2025-11-20T15:00:00Z", 4),
    )
    just_before = first + timedelta(days=365) - timedelta(seconds=1)
    ledger = store_ledgers([case], as_of=just_before)[0]
    assert ledger.in_force == 10
    assert [(e.points, e.expires) for e in ledger.active] == [
        (6, datetime(2026, 3, 1, 9, 0, tzinfo=UTC)),
        (4, datetime(2026, 11, 20, 15, 0, tzinfo=UTC)),
    ]
    assert ledger.reached is not None and ledger.reached.points == 6
    assert ledger.next_level is not None and ledger.next_level.points == 12
    assert ledger.remaining == 2

    expired = store_ledgers([case], as_of=first + timedelta(days=365))[0]
    assert expired.in_force == 4
    assert expired.reached is None
    assert expired.remaining == 2  # 6 - 4

    before_any = store_ledgers([case], as_of=first - timedelta(seconds=1))[0]
    assert before_any.in_force == 0


def test_points_add_up_across_cases_of_one_store_only(tmp_path: Path) -> None:
    a = write_case(tmp_path / "a", 'store = "Lumen"\n' + deduction("2025-06-01T00:00:00Z", 6))
    b = write_case(tmp_path / "b", 'store = "Lumen"\n' + deduction("2025-07-01T00:00:00Z", 6))
    other = write_case(
        tmp_path / "c", 'store = "Northwind"\n' + deduction("2025-07-01T00:00:00Z", 2)
    )
    amazon = write_case(
        tmp_path / "d",
        'store = "Lumen"\nplatform = "amazon"\n' + deduction("2025-07-01T00:00:00Z", 3),
    )
    ledgers = store_ledgers([a, b, other, amazon], as_of=datetime(2025, 8, 1, tzinfo=UTC))
    totals = {(x.platform, x.store): x.in_force for x in ledgers}
    assert totals == {
        ("aliexpress", "Lumen"): 12,
        ("aliexpress", "Northwind"): 2,
        ("amazon", "Lumen"): 3,
    }
    lumen = ledgers[0]
    assert lumen.reached is not None and lumen.reached.effect == "store frozen for 7 days"
    assert lumen.next_level is not None and lumen.next_level.points == 24
    assert next(x for x in ledgers if x.platform == "amazon").levels == []


def test_what_if_uses_profile_points_for_violation(tmp_path: Path) -> None:
    old = write_case(tmp_path / "old", 'store = "Lumen"\n' + deduction("2025-06-01T00:00:00Z", 10))
    pending = write_case(tmp_path / "new", 'store = "Lumen"\nviolation = "direct-copy"\n')
    result = what_if(pending, [old, pending], as_of=datetime(2025, 8, 1, tzinfo=UTC))
    assert (result.points, result.before, result.after) == (4, 10, 14)
    assert result.points_source == "AliExpress rules for a direct copy"  # words, not ids
    assert [level.points for level in result.crossed] == [12]
    assert result.next_level is not None and result.next_level.points == 24


def test_what_if_prefers_the_notices_figure_and_crosses_several(tmp_path: Path) -> None:
    old = write_case(tmp_path / "old", 'store = "Lumen"\n' + deduction("2025-06-01T00:00:00Z", 20))
    pending = write_case(
        tmp_path / "new", 'store = "Lumen"\nviolation = "minor-edits"\npoints_at_stake = 30\n'
    )
    result = what_if(pending, [old, pending], as_of=datetime(2025, 8, 1, tzinfo=UTC))
    assert result.points == 30 and result.points_source == "points_at_stake in case.toml"
    assert [level.points for level in result.crossed] == [24, 36, 48]
    assert result.next_level is None


def test_what_if_does_not_count_twice(tmp_path: Path) -> None:
    done = write_case(
        tmp_path / "done",
        'store = "Lumen"\nviolation = "direct-copy"\n' + deduction("2025-06-01T00:00:00Z", 4),
    )
    result = what_if(done, [done], as_of=datetime(2025, 8, 1, tzinfo=UTC))
    assert result.already_counted and result.before == result.after == 4


def test_what_if_without_points_is_a_clear_error(tmp_path: Path) -> None:
    case = write_case(tmp_path / "x", 'store = "Lumen"\n')
    with pytest.raises(InvalidValueError, match="does not say how many points"):
        what_if(case, [case], as_of=datetime(2025, 8, 1, tzinfo=UTC))

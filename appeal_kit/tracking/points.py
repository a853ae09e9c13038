"""Penalty-points ledger per store, from the ``points-deducted`` events of its cases.

Points stay in force for the profile's ``expiry_days`` after the deduction; the
profile's thresholds (restricted at 6, frozen at each multiple of 12, closed at 48
for AliExpress) say what the total means. Stores are told apart by platform and
store name (or seller id), since the same name on two platforms is two accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from appeal_kit.case.config import Case
from appeal_kit.errors import InvalidValueError
from appeal_kit.i18n import __, english, lazy__
from appeal_kit.tracking.deadlines import profile_for_case
from appeal_kit.tracking.platforms import PlatformProfile, ThresholdLevel

POINTS_EVENT = "points-deducted"


@dataclass(frozen=True)
class PointEntry:
    """One deduction: how many points, when, and when they lapse."""

    case: str
    folder: Path
    points: int
    at: datetime
    expires: datetime
    note: str = ""

    def in_force(self, as_of: datetime) -> bool:
        """True between the deduction and its expiry."""
        return self.at <= as_of < self.expires

    def to_json(self) -> dict[str, Any]:
        """Stable JSON form."""
        return {
            "case": self.case,
            "points": self.points,
            "at": self.at.isoformat(),
            "expires": self.expires.isoformat(),
            "note": self.note,
        }


@dataclass(frozen=True)
class StoreLedger:
    """The points of one store on one platform at ``as_of``."""

    store: str
    platform: str
    profile: PlatformProfile
    entries: tuple[PointEntry, ...]
    as_of: datetime

    @property
    def active(self) -> list[PointEntry]:
        """Deductions in force, soonest to expire first."""
        return sorted(
            (e for e in self.entries if e.in_force(self.as_of)), key=lambda e: (e.expires, e.case)
        )

    @property
    def in_force(self) -> int:
        """Total points in force."""
        return sum(e.points for e in self.active)

    @property
    def levels(self) -> list[ThresholdLevel]:
        """The platform's threshold levels (empty when it has no points system)."""
        return self.profile.points.levels() if self.profile.points else []

    @property
    def reached(self) -> ThresholdLevel | None:
        """The highest threshold level the store is at or above."""
        return reached_level(self.levels, self.in_force)

    @property
    def next_level(self) -> ThresholdLevel | None:
        """The next threshold above the current total."""
        return next_level(self.levels, self.in_force)

    @property
    def remaining(self) -> int | None:
        """Points left before the next threshold."""
        level = self.next_level
        return level.points - self.in_force if level else None

    def to_json(self) -> dict[str, Any]:
        """Stable JSON form (``appeal-kit points --json``)."""
        reached = self.reached
        upcoming = self.next_level
        return {
            "store": self.store,
            "platform": self.platform,
            "points_in_force": self.in_force,
            "reached": _level_json(reached),
            "next_threshold": _level_json(upcoming),
            "points_before_next": self.remaining,
            "expiring": [e.to_json() for e in self.active],
        }


@dataclass(frozen=True)
class WhatIf:
    """What upholding one complaint would do to its store's points."""

    case: str
    store: str
    platform: str
    points: int
    points_source: str
    before: int
    after: int
    crossed: tuple[ThresholdLevel, ...]
    next_level: ThresholdLevel | None
    already_counted: bool = False

    def to_json(self) -> dict[str, Any]:
        """Stable JSON form."""
        return {
            "case": self.case,
            "store": self.store,
            "platform": self.platform,
            "points": self.points,
            "points_source": english(self.points_source),
            "before": self.before,
            "after": self.after,
            "crossed": [_level_json(level) for level in self.crossed],
            "next_threshold": _level_json(self.next_level),
            "already_counted": self.already_counted,
        }


def _level_json(level: ThresholdLevel | None) -> dict[str, Any] | None:
    if level is None:
        return None
    return {"name": level.threshold.name, "points": level.points, "effect": level.effect}


def reached_level(levels: list[ThresholdLevel], points: int) -> ThresholdLevel | None:
    """The highest level with ``level.points <= points``."""
    hit = [level for level in levels if level.points <= points]
    return hit[-1] if hit else None


def next_level(levels: list[ThresholdLevel], points: int) -> ThresholdLevel | None:
    """The lowest level with ``level.points > points``."""
    return next((level for level in levels if level.points > points), None)


def store_key(case: Case) -> tuple[str, str]:
    """(platform, store name): the account a case's points count against."""
    name = case.store or case.seller_id or "(no store name)"
    return case.platform, name


def _case_name(case: Case) -> str:
    return case.case_id or case.root.name


def point_entries(case: Case, profile: PlatformProfile) -> list[PointEntry]:
    """The case's deductions, each with its expiry from the profile."""
    days = profile.points.expiry_days if profile.points else None
    found = []
    for event in case.events:
        if event.type != POINTS_EVENT or not event.points:
            continue
        # Without a points policy a deduction never lapses as far as we know.
        expires = (
            event.at + timedelta(days=days)
            if days
            else datetime.max.replace(tzinfo=event.at.tzinfo)
        )
        found.append(
            PointEntry(
                case=_case_name(case),
                folder=case.root,
                points=event.points,
                at=event.at,
                expires=expires,
                note=event.note,
            )
        )
    return found


def store_ledgers(cases: list[Case], *, as_of: datetime) -> list[StoreLedger]:
    """One ledger per (platform, store), sorted by points in force, most first."""
    if as_of.tzinfo is None:
        raise InvalidValueError(__("as_of has no UTC offset"), hint=__("pass datetime.now(UTC)"))
    grouped: dict[tuple[str, str], list[PointEntry]] = {}
    profiles: dict[str, PlatformProfile] = {}
    for case in sorted(cases, key=lambda c: c.root.as_posix()):
        profile = profiles.get(case.platform) or profile_for_case(case)
        profiles[case.platform] = profile
        grouped.setdefault(store_key(case), []).extend(point_entries(case, profile))
    ledgers = [
        StoreLedger(
            store=store,
            platform=platform,
            profile=profiles[platform],
            entries=tuple(sorted(entries, key=lambda e: (e.at, e.case))),
            as_of=as_of,
        )
        for (platform, store), entries in grouped.items()
    ]
    return sorted(ledgers, key=lambda ledger: (-ledger.in_force, ledger.platform, ledger.store))


# How the violation types read in a sentence (case.toml keeps the ids).
VIOLATION_WORDS = {
    "minor-edits": lazy__("minor edits"),
    "direct-copy": lazy__("a direct copy"),
    "copyright-trademark": lazy__("copyright or trademark"),
}


def points_at_stake(case: Case, profile: PlatformProfile) -> tuple[int, str]:
    """Points the complaint carries, and where the figure comes from.

    The notice's own figure (``points_at_stake`` in case.toml) wins, like every
    figure the platform states for this case; else the profile's points for the
    case's violation type.
    """
    if case.points_at_stake is not None:
        return case.points_at_stake, __("points_at_stake in case.toml")
    if profile.points and case.violation in profile.points.by_violation:
        return (
            profile.points.by_violation[case.violation],
            __(
                "{profile} rules for {violation}",
                profile=__(profile.label),
                violation=str(VIOLATION_WORDS.get(case.violation, case.violation)),
            ),
        )
    raise InvalidValueError(
        __("case {case_name} does not say how many points it carries", case_name=_case_name(case)),
        hint=__(
            "add points_at_stake = N (from the notice) or violation = "
            '"minor-edits" | "direct-copy" | "copyright-trademark" to its case.toml'
        ),
    )


def what_if(case: Case, cases: list[Case], *, as_of: datetime) -> WhatIf:
    """The store's points if ``case`` is upheld, and the thresholds that would cross.

    A case that already has a points-deducted event adds nothing (it is counted).
    """
    profile = profile_for_case(case)
    points, source = points_at_stake(case, profile)
    everyone = [c for c in cases if c.root != case.root] + [case]
    platform, store = store_key(case)
    ledger = next(
        ledger
        for ledger in store_ledgers(everyone, as_of=as_of)
        if (ledger.platform, ledger.store) == (platform, store)
    )
    counted = any(e.type == POINTS_EVENT for e in case.events)
    before = ledger.in_force
    after = before if counted else before + points
    levels = ledger.levels
    crossed = tuple(level for level in levels if before < level.points <= after)
    return WhatIf(
        case=_case_name(case),
        store=store,
        platform=platform,
        points=points,
        points_source=source,
        before=before,
        after=after,
        crossed=crossed,
        next_level=next_level(levels, after),
        already_counted=counted,
    )

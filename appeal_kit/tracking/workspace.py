"""A workspace: a folder of case folders, scanned for the ``status`` dashboard.

Each case becomes one ``CaseStatus`` row. A case that cannot be read becomes a
row carrying its error, so one broken folder never hides the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from appeal_kit.case.config import ACCUSED, CASE_FILE, ORIGINALS, Case, CaseEvent, load_case
from appeal_kit.errors import AppealKitError, CaseNotFoundError, InvalidValueError
from appeal_kit.i18n import __, english
from appeal_kit.models import Deadline, DeadlineState
from appeal_kit.tracking.deadlines import (
    compute_deadlines,
    format_time_left,
    next_deadline,
    profile_for_case,
    system_zone,
)

# Row order of the dashboard: what needs the user soonest comes first. An overdue
# deadline outranks one still running (a late appeal may still be accepted, and
# the user must decide now), then under 12 hours left. A broken case comes next
# because it may hide a deadline we cannot compute. Within a group: due time.
_URGENCY = {
    DeadlineState.MISSED: 0,
    DeadlineState.DUE_SOON: 1,
    "error": 2,
    DeadlineState.OPEN: 3,
    DeadlineState.INFO: 4,
    "closed": 5,
}

CSV_COLUMNS = (
    "case",
    "folder",
    "case_id",
    "store",
    "platform",
    "state",
    "next_deadline",
    "due",
    "deadline_state",
    "time_left",
    "done_late",
    "points_at_stake",
    "last_event",
    "last_event_at",
    "error",
)


@dataclass(frozen=True)
class CaseStatus:
    """One dashboard row: a case, its next deadline and its last event, or its error."""

    folder: Path
    name: str
    case: Case | None = None
    deadlines: tuple[Deadline, ...] = ()
    error: str | None = None
    as_of: datetime | None = field(default=None, compare=False)

    @property
    def next(self) -> Deadline | None:
        """The deadline to act on first (see ``deadlines.next_deadline``)."""
        return next_deadline(list(self.deadlines))

    @property
    def late(self) -> tuple[Deadline, ...]:
        """Deadlines met after their due time (the platform may refuse those appeals)."""
        return tuple(d for d in self.deadlines if d.state == DeadlineState.LATE)

    @property
    def last_event(self) -> CaseEvent | None:
        """The most recent logged event."""
        if self.case is None or not self.case.events:
            return None
        return max(self.case.events, key=lambda e: e.at)

    @property
    def state(self) -> str:
        """Where the case stands, from its events (``error`` for a broken case)."""
        if self.case is None:
            return "error"
        return case_state(self.case)

    @property
    def points_at_stake(self) -> int | None:
        """The notice's figure, else the profile's points for the violation type.

        None in a complaint: the points are the accused seller's, not ours, and the
        dashboard lists our stores' stakes.
        """
        if self.case is None or self.case.mode == "complaint":
            return None
        if self.case.points_at_stake is not None:
            return self.case.points_at_stake
        try:
            policy = profile_for_case(self.case).points
        except AppealKitError:
            return None
        return policy.by_violation.get(self.case.violation) if policy else None

    def urgency(self) -> tuple[int, datetime | None, str]:
        """Sort key: group by urgency, then the next due time, then the folder name."""
        if self.case is None:
            return (_URGENCY["error"], None, self.name)
        upcoming = self.next
        if upcoming is None:
            return (_URGENCY["closed"], None, self.name)
        return (_URGENCY[upcoming.state], upcoming.due, self.name)

    def to_json(self) -> dict[str, Any]:
        """One flat row; the same keys feed ``--json`` and the ``--csv`` columns."""
        case = self.case
        upcoming = self.next
        last = self.last_event
        return {
            "case": self.name,
            "folder": str(self.folder),
            "case_id": case.case_id if case else None,
            "store": case.store if case else None,
            "platform": case.platform if case else None,
            "state": self.state,
            "next_deadline": upcoming.name if upcoming else None,
            "due": upcoming.due.isoformat() if upcoming else None,
            "deadline_state": upcoming.state.value if upcoming else None,
            "time_left": (
                format_time_left(upcoming.due, self.as_of) if upcoming and self.as_of else None
            ),
            # Names of the deadlines met late, comma separated (one flat CSV cell).
            "done_late": ", ".join(d.name for d in self.late) or None,
            "points_at_stake": self.points_at_stake,
            "last_event": last.type if last else None,
            "last_event_at": last.at.isoformat() if last else None,
            "error": english(self.error) if self.error is not None else None,
        }


def case_state(case: Case) -> str:
    """``new``, ``to-appeal``, ``under-review``, ``rejected``, ``approved`` or ``withdrawn``."""
    decisive = [e for e in case.events if e.type != "points-deducted"]
    if not decisive:
        # A complainant has nothing to appeal, whatever notice time case.toml holds.
        return "to-appeal" if case.notice_received and case.mode != "complaint" else "new"
    last = max(decisive, key=lambda e: e.at).type
    return {"submitted": "under-review", "resubmitted": "under-review"}.get(last, last)


def find_case_folders(root: Path) -> list[Path]:
    """``root`` if it is a case, plus its subfolders that are (or look like) cases.

    A subfolder with ``originals/`` or ``accused/`` but no ``case.toml`` is kept,
    so that the dashboard reports it rather than silently skipping it.
    """
    if not root.is_dir():
        raise CaseNotFoundError(
            __("workspace folder not found: {root}", root=root),
            hint=__(
                "pass a folder that holds case folders, e.g. appeal-kit status samples/workspace"
            ),
        )
    found = [root] if (root / CASE_FILE).is_file() else []
    for child in sorted(root.iterdir(), key=lambda p: p.name):
        if not child.is_dir() or child.name.startswith("."):
            continue
        if (child / CASE_FILE).is_file() or (
            (child / ORIGINALS).is_dir() and (child / ACCUSED).is_dir()
        ):
            found.append(child)
    return found


def scan_workspace(root: Path, *, as_of: datetime | None = None) -> list[CaseStatus]:
    """One ``CaseStatus`` per case folder under ``root``, most urgent first.

    Raises ``CaseNotFoundError`` when ``root`` holds no case at all.
    """
    root = root.resolve()
    folders = find_case_folders(root)
    if not folders:
        raise CaseNotFoundError(
            __("no case folders in {root}", root=root),
            hint=__("create one with: appeal-kit init {folder}", folder=root / "my-case"),
        )
    rows = [read_status(folder, root, as_of=as_of) for folder in folders]
    return sorted(rows, key=_sort_key)


def _sort_key(row: CaseStatus) -> tuple[int, str, str]:
    group, due, name = row.urgency()
    # ISO text of UTC instants sorts like the instants; rows without a time go last.
    stamp = due.astimezone(UTC).isoformat() if due else "~"
    return (group, stamp, name)


def read_status(folder: Path, root: Path, *, as_of: datetime | None = None) -> CaseStatus:
    """Load one case and compute its deadlines; any failure becomes the row's error."""
    name = folder.name if folder == root else folder.relative_to(root).as_posix()
    try:
        case = load_case(folder)
        deadlines = compute_deadlines(case, as_of=as_of)
    except AppealKitError as exc:
        return CaseStatus(folder=folder, name=name, error=str(exc), as_of=as_of)
    except (OSError, UnicodeDecodeError) as exc:
        return CaseStatus(folder=folder, name=name, error=f"cannot read: {exc}", as_of=as_of)
    except Exception as exc:  # one bad folder must not take the whole table down
        return CaseStatus(
            folder=folder,
            name=name,
            error=f"internal error {type(exc).__name__}: {exc} (please report it)",
            as_of=as_of,
        )
    return CaseStatus(folder=folder, name=name, case=case, deadlines=tuple(deadlines), as_of=as_of)


def load_cases(root: Path) -> tuple[list[Case], list[CaseStatus]]:
    """Every loadable case under ``root``, and status rows for those that failed."""
    cases: list[Case] = []
    broken: list[CaseStatus] = []
    for row in scan_workspace(root):
        if row.case is not None:
            cases.append(row.case)
        else:
            broken.append(row)
    return cases, broken


@dataclass(frozen=True)
class DisplayZone:
    """The one zone every time of a dashboard is shown in, and why it was chosen."""

    zone: tzinfo
    name: str
    reason: str


def display_zone(rows: list[CaseStatus], requested: str | None = None) -> DisplayZone:
    """``requested`` (``--timezone``), else the zone the cases name, else the machine's.

    Times of different cases in one column must be comparable at a glance, so a
    table never mixes zones. When the cases name different zones none of them is
    preferred: the machine's zone is used and the reason says how to choose.
    Raises ``InvalidValueError`` for an unknown ``requested`` zone.
    """
    if requested:
        return DisplayZone(parse_zone(requested, what="--timezone"), requested, "--timezone")
    named = sorted({row.case.timezone for row in rows if row.case and row.case.timezone})
    if len(named) == 1:
        return DisplayZone(ZoneInfo(named[0]), named[0], __("timezone in case.toml"))
    machine = system_zone()
    name = getattr(machine, "key", None) or machine.tzname(None)
    if named:
        reason = __(
            "this computer's zone; the cases name {zones}: choose with --timezone",
            zones=", ".join(named),
        )
    else:
        reason = __("this computer's zone; set timezone in case.toml or pass --timezone")
    return DisplayZone(machine, name or "UTC", reason)


def parse_zone(name: str, *, what: str = "time zone") -> tzinfo:
    """The IANA zone called ``name``; raises ``InvalidValueError`` when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValueError(
            __("{what}: unknown time zone {name!r}", what=what, name=name),
            hint=__('use an IANA name such as "Europe/Berlin", "Asia/Shanghai" or "UTC"'),
        ) from None

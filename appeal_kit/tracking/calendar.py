"""``appeal-kit calendar``: every open deadline of a workspace as an iCalendar file.

One VEVENT per open deadline (open or due-soon), starting at the due time, with
alarms 24 hours and 2 hours before. A deadline that is done (met, or no longer
needed because the case moved on or closed) is still written, as STATUS:CANCELLED
without alarms, so re-importing removes or greys the event an earlier export put
in the calendar; one met after its due time is cancelled too, titled "Done late".
Missed deadlines and late platform reviews are left out: the earlier event stays
as the record of what was due. The UID is a hash of the case
folder and the deadline name, so importing a newer export updates the events
instead of duplicating them. Times are written in UTC, which every calendar
program reads without a VTIMEZONE block.

The file is never written inside a case's evidence folders (originals/, accused/,
documents/ beside a case.toml): those hold evidence and stay untouched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Alarm, Calendar, Event

from appeal_kit import __version__
from appeal_kit.case.config import ACCUSED, CASE_FILE, DOCUMENTS, ORIGINALS
from appeal_kit.errors import OutputError
from appeal_kit.i18n import __
from appeal_kit.models import Deadline, DeadlineState
from appeal_kit.tracking.deadlines import format_both, format_lateness, local_zone
from appeal_kit.tracking.events import write_atomically
from appeal_kit.tracking.workspace import CaseStatus, scan_workspace

ALARMS = (timedelta(hours=24), timedelta(hours=2))
EVENT_LENGTH = timedelta(minutes=30)
EXPORTED_STATES = (DeadlineState.OPEN, DeadlineState.DUE_SOON)
CANCELLED_STATES = (DeadlineState.DONE, DeadlineState.LATE)
EVIDENCE_FOLDERS = (ORIGINALS, ACCUSED, DOCUMENTS)


@dataclass(frozen=True)
class CalendarExport:
    """What ``export_calendar`` wrote."""

    path: Path
    events: int
    cases: int
    broken: tuple[CaseStatus, ...]
    cancelled: int = 0


def event_uid(case_folder: Path, deadline_name: str) -> str:
    """Stable UID: the same case folder and deadline name always give the same one."""
    key = f"{case_folder.resolve().as_posix()}\n{deadline_name}".encode()
    return f"{hashlib.sha256(key).hexdigest()[:32]}@appeal-kit"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _event(row: CaseStatus, deadline: Deadline, stamp: datetime) -> Event:
    case = row.case
    assert case is not None  # only loaded cases have deadlines
    done = deadline.state in CANCELLED_STATES
    platform_zone = deadline.due.tzinfo or UTC
    title = case.case_id or row.name
    event = Event()
    event.add("uid", event_uid(row.folder, deadline.name))
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(deadline.due))
    event.add("dtend", _utc(deadline.due + EVENT_LENGTH))
    # A status change is a revision (RFC 5545 3.8.7.4): clients that compare
    # SEQUENCE then take the cancelled copy over the open one imported before.
    event.add("sequence", 1 if done else 0)
    event.add("status", "CANCELLED" if done else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if done else "OPAQUE")
    store = f" ({case.store})" if case.store else ""
    late = deadline.state == DeadlineState.LATE
    prefix = "Done late: " if late else "Done: " if done else ""
    event.add("summary", f"{prefix}{deadline.label}: {title}{store}")
    lines = [
        f"Case folder: {row.folder}",
        f"Deadline: {deadline.name} ({deadline.kind})",
        f"Due: {format_both(deadline.due, platform_zone, local_zone(case))}",
    ]
    if late:
        lines.append(
            f"State: done late, {format_lateness(deadline)} after the deadline (the platform "
            "may refuse it); this event is cancelled"
        )
    elif done:
        lines.append("State: done (met, or no longer needed); this event is cancelled")
    if deadline.earliest is not None:
        opens = format_both(deadline.earliest, platform_zone, local_zone(case))
        lines.append(f"Window opens: {opens}")
    lines += [f"Basis: {deadline.basis}", f"Source: {deadline.source}"]
    event.add("description", "\n".join(lines))
    event.add("categories", ["appeal-kit", case.platform])
    if done:
        return event
    for before in ALARMS:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{deadline.label} due in {int(before.total_seconds() // 3600)} h")
        alarm.add("trigger", -before)
        event.add_component(alarm)
    return event


def build_calendar(rows: list[CaseStatus], *, stamp: datetime) -> bytes:
    """The iCalendar bytes for the open and the done deadlines of ``rows``.

    Done ones are STATUS:CANCELLED (see the module docstring). ``stamp`` becomes
    every DTSTAMP; given the same rows and stamp the bytes are identical. Events
    are ordered by due time, then UID.
    """
    calendar = Calendar()
    calendar.add("prodid", f"-//appeal-kit//appeal-kit {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "appeal-kit deadlines")
    chosen = [
        (deadline.due.astimezone(UTC), event_uid(row.folder, deadline.name), row, deadline)
        for row in rows
        if row.case is not None
        for deadline in row.deadlines
        if deadline.state in EXPORTED_STATES + CANCELLED_STATES
    ]
    for _, _, row, deadline in sorted(chosen, key=lambda item: (item[0], item[1])):
        calendar.add_component(_event(row, deadline, stamp))
    return bytes(calendar.to_ical())


def check_calendar_output(out: Path) -> None:
    """Refuse an ``out`` inside a case's evidence folders, at any depth.

    An evidence folder is originals/, accused/ or documents/ of a folder holding a
    case.toml. Symbolic links are followed, so a link cannot smuggle the file in.
    Raises ``OutputError`` (exit code 5) naming the folder.
    """
    target = out.resolve()
    if target.name == CASE_FILE:
        raise OutputError(
            __("{target} is a case file; the calendar would overwrite it", target=target),
            hint=__("write the calendar elsewhere, e.g. -o deadlines.ics in the workspace"),
        )
    for folder in (target, *target.parents):
        if folder.name in EVIDENCE_FOLDERS and (folder.parent / CASE_FILE).is_file():
            raise OutputError(
                __(
                    "{target} is inside the evidence folder {name}/ of the case {parent}",
                    target=target,
                    name=folder.name,
                    parent=folder.parent,
                ),
                hint=__(
                    "write the calendar elsewhere, e.g. -o deadlines.ics in the workspace; "
                    "appeal-kit never writes among the evidence"
                ),
            )


def export_calendar(root: Path, out: Path, *, as_of: datetime) -> CalendarExport:
    """Scan ``root`` and write the open and done deadlines to ``out`` atomically.

    ``as_of`` decides which deadlines are still open and is the DTSTAMP. Raises
    ``OutputError`` before reading any case when ``out`` is inside an evidence
    folder (see ``check_calendar_output``).
    """
    check_calendar_output(out)
    rows = scan_workspace(root, as_of=as_of)
    data = build_calendar(rows, stamp=as_of)
    write_atomically(out, data)
    states = [d.state for r in rows for d in r.deadlines]
    loaded = [r for r in rows if r.case is not None]
    return CalendarExport(
        path=out,
        events=sum(state in EXPORTED_STATES for state in states),
        cases=len(loaded),
        broken=tuple(r for r in rows if r.case is None),
        cancelled=sum(state in CANCELLED_STATES for state in states),
    )

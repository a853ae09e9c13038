"""Deadlines of a case, from its notice, its events and its platform's rules.

Precedence, highest first:

1. ``[deadlines]`` in ``case.toml``: a date the platform gave you (printed on the
   notice, or in a rejection message). The key is the deadline's name as shown by
   ``appeal-kit deadlines``: ``appeal``, ``resubmission`` (``resubmission-2`` for
   the second rejection, ...), ``review``. Any other key adds a deadline of your
   own (``reply-to-lawyer = 2026-12-01T17:00:00+01:00``).
2. The platform profile's rule (``templates/platforms/NAME.toml``), for the case's
   mode only: in a complaint, the accused side's appeal windows are not ours to meet
   (a rule's ``modes`` says which side it binds), so they are neither shown nor
   overridable by name.

Events drive the state: the appeal is done once submitted; each rejection opens a
resubmission deadline, done once resubmitted; the review window runs from the
latest submission until a decision; approved or withdrawn settles everything. A
deadline met by a submission at or after its due time is LATE rather than DONE:
settled all the same, but the platform may refuse a late appeal.

Without ``as_of`` no clock is read: deadlines are DONE or LATE where events settle
them and OPEN otherwise, so a dossier does not depend on when it was built.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from appeal_kit.case.config import Case, CaseEvent
from appeal_kit.case.platform_names import platform_hint
from appeal_kit.errors import CaseConfigError, InvalidValueError
from appeal_kit.i18n import __
from appeal_kit.models import Deadline, DeadlineState
from appeal_kit.tracking.platforms import PlatformProfile, Rule, available_profiles, load_profile

# Less time than this left on an open deadline makes it "due-soon" (a UI choice,
# not a platform rule, so it lives here rather than in the profiles).
DUE_SOON = timedelta(hours=12)

SUBMISSIONS = ("submitted", "resubmitted")
CLOSING = ("approved", "withdrawn")
DECISIONS = ("rejected", *CLOSING)
# Which events settle a deadline, by what started its clock.
_SETTLED_BY = {
    "notice": SUBMISSIONS + CLOSING,
    "rejection": SUBMISSIONS + CLOSING,
    "submission": DECISIONS,
}
_STARTED_BY = {"notice": (), "rejection": ("rejected",), "submission": SUBMISSIONS}
# States that need nothing more from anyone: next_deadline passes over them.
SETTLED_STATES = (DeadlineState.DONE, DeadlineState.LATE)


@dataclass
class _Pending:
    """A deadline before its state is known."""

    name: str
    label: str
    due: datetime
    basis: str
    source: str
    kind: str
    origin: str = "rule"
    earliest: datetime | None = None
    settled_by: CaseEvent | None = None


def profile_for_case(case: Case) -> PlatformProfile:
    """The platform profile named by ``case.platform``; errors point at case.toml."""
    if case.platform not in available_profiles():
        raise CaseConfigError(
            __("unknown platform '{platform}'", platform=case.platform),
            path=case.case_file,
            field="platform",
            hint=platform_hint(case.platform, available_profiles()),
        )
    return load_profile(case.platform)


def compute_deadlines(
    case: Case, profile: PlatformProfile | None = None, *, as_of: datetime | None = None
) -> list[Deadline]:
    """Every deadline and expectation of ``case``, sorted by due time then name.

    ``as_of`` (an aware datetime) turns on the time-dependent states due-soon and
    missed; without it states come from the events alone (DONE, LATE or OPEN).
    """
    if as_of is not None and as_of.tzinfo is None:
        raise InvalidValueError(
            __("as_of has no UTC offset"), hint=__("pass an aware datetime, e.g. datetime.now(UTC)")
        )
    profile = profile or profile_for_case(case)
    # Looking at an earlier moment means forgetting what happened after it.
    events = sorted((e for e in case.events if as_of is None or e.at <= as_of), key=lambda e: e.at)
    pending: list[_Pending] = []
    for rule in profile.rules_for(case.mode):
        pending.extend(_instances(rule, case, events, profile))
    pending = _apply_overrides(pending, case, events, profile)
    deadlines = [
        Deadline(
            name=p.name,
            label=p.label,
            due=p.due,
            state=_state(p, as_of),
            basis=p.basis,
            source=p.source,
            origin=p.origin,
            earliest=p.earliest,
            kind=p.kind,
            settled_at=p.settled_by.at if p.settled_by is not None else None,
        )
        for p in pending
    ]
    return sorted(deadlines, key=lambda d: (d.due, d.name))


def no_deadlines_advice(
    case: Case, case_dir: Path, platform_label: str, table: str = "[deadlines]"
) -> str:
    """What to do when ``case`` has no deadline at all, for ``appeal-kit deadlines``.

    An appeal lacks its notice time (or any event). A complaint lacks nothing: the
    profile's windows are the accused side's, so only a date of the user's own helps.
    """
    if case.mode == "complaint":
        return __(
            "No deadlines for {case}: the {platform} rules bind the accused side, not a "
            "complainant. Add a date the platform gave you under {table} in {file}, "
            "e.g. reply-due = 2024-10-20T18:00:00+08:00.",
            case=case_dir,
            table=table,
            platform=__(platform_label),
            file=case_dir / "case.toml",
        )
    return __(
        "No deadlines yet for {case}: add notice_received (when the penalty notice "
        "arrived, e.g. 2024-10-10T09:30:00+08:00) to {file}, or record an event with "
        "appeal-kit log {case} submitted.",
        case=case_dir,
        file=case_dir / "case.toml",
    )


def next_deadline(deadlines: list[Deadline]) -> Deadline | None:
    """The deadline to look at first: the earliest unsettled one the user must meet.

    Falls back to the earliest unsettled expectation (a review the platform owes).
    """
    waiting = [d for d in deadlines if d.state not in SETTLED_STATES]
    own = [d for d in waiting if d.kind == "deadline"]
    pool = own or waiting
    return min(pool, key=lambda d: (d.due, d.name)) if pool else None


def _state(p: _Pending, as_of: datetime | None) -> DeadlineState:
    if p.settled_by is not None:
        # Only the user's own submission can be late; a review the platform owes is
        # settled by its decision whenever it comes, and closing a case after a due
        # time passed means the deadline no longer matters, not that it was met.
        late = p.settled_by.type in SUBMISSIONS and p.settled_by.at >= p.due
        return DeadlineState.LATE if late and p.kind == "deadline" else DeadlineState.DONE
    if as_of is None:
        return DeadlineState.OPEN
    if p.kind == "expectation":
        # The platform, not the user, is late: worth a follow-up, not an alarm.
        return DeadlineState.OPEN if as_of < p.due else DeadlineState.INFO
    if as_of >= p.due:
        return DeadlineState.MISSED
    if p.due - as_of < DUE_SOON:
        return DeadlineState.DUE_SOON
    return DeadlineState.OPEN


def _first_after(
    events: list[CaseEvent], types: tuple[str, ...], after: datetime | None
) -> CaseEvent | None:
    return next((e for e in events if e.type in types and (after is None or e.at >= after)), None)


def _instances(
    rule: Rule, case: Case, events: list[CaseEvent], profile: PlatformProfile
) -> list[_Pending]:
    """The concrete deadlines one rule yields for this case's events."""
    settle = _SETTLED_BY[rule.starts_from]
    gate: CaseEvent | None = None
    if rule.only_after is not None:
        gated = [e for e in events if e.type in (_STARTED_BY[rule.only_after] or ())]
        if not gated:
            return []
        gate = gated[-1]
    if rule.starts_from == "notice":
        if case.notice_received is None:
            return []
        starts: list[tuple[datetime, str]] = [(case.notice_received, "notice received")]
    else:
        starters = [e for e in events if e.type in _STARTED_BY[rule.starts_from]]
        if rule.starts_from == "submission":
            starters = starters[-1:]  # only the latest submission is under review
        starts = [(e.at, e.type) for e in starters]
    found: list[_Pending] = []
    for number, (start, what) in enumerate(starts, start=1):
        name = rule.name if number == 1 else f"{rule.name}-{number}"
        # A notice-based deadline is settled by a submission at any time; others
        # only by events after their own start (or after the gating event).
        after = gate.at if gate else (None if rule.starts_from == "notice" else start)
        due = profile.add(start, rule.amount, rule.unit)
        earliest = (
            profile.add(start, rule.earliest, rule.unit) if rule.earliest is not None else None
        )
        basis = f"{rule.describe()} ({what} {_stamp(start, profile.zone)})"
        found.append(
            _Pending(
                name=name,
                label=rule.label,
                due=due,
                basis=basis,
                source=rule.source,
                kind=rule.kind,
                earliest=earliest,
                settled_by=_first_after(events, settle, after),
            )
        )
    return found


_NUMBERED = re.compile(r"^(?P<rule>.+?)-(?P<n>[0-9]+)$")


def _apply_overrides(
    pending: list[_Pending], case: Case, events: list[CaseEvent], profile: PlatformProfile
) -> list[_Pending]:
    by_name = {p.name: p for p in pending}
    rule_names = [r.name for r in profile.rules_for(case.mode)]
    closed = _first_after(events, CLOSING, None)
    for key, when in sorted(case.deadline_overrides.items()):
        due = when.astimezone(profile.zone)
        note = __("set in case.toml [deadlines] {key}", key=key)
        if key in by_name:
            p = by_name[key]
            p.basis = f"{note}; the platform rule gives {_stamp(p.due, profile.zone)} ({p.basis})"
            p.due = due
            p.origin = "case"
            if p.earliest is not None and p.earliest > due:
                p.earliest = None
            continue
        numbered = _NUMBERED.match(key)
        rule = profile.rule(numbered.group("rule") if numbered else key, case.mode)
        if rule is None and difflib.get_close_matches(key, rule_names, n=1, cutoff=0.75):
            close = difflib.get_close_matches(key, rule_names, n=1, cutoff=0.75)[0]
            raise CaseConfigError(
                __(
                    "'{key}' looks like a misspelt deadline name, so it would not override the platform rule",
                    key=key,
                ),
                path=case.case_file,
                field=f"deadlines.{key}",
                hint=__(
                    "did you mean '{close}'? Names of {profile}: {names} "
                    "(any other name adds a deadline of your own)",
                    close=close,
                    profile=profile.name,
                    names=", ".join(rule_names),
                ),
            )
        # A date the platform gave for an event not logged yet (e.g. a rejection
        # message whose rejection was not recorded): show it as the user wrote it.
        p = _Pending(
            name=key,
            label=rule.label if rule else key.replace("-", " ").replace("_", " ").capitalize(),
            due=due,
            basis=note,
            source=rule.source if rule else "your own deadline in case.toml",
            kind=rule.kind if rule else "deadline",
            origin="case",
            settled_by=closed,
        )
        by_name[key] = p
        pending.append(p)
    return pending


# ----------------------------------------------------------------------- time zones


def local_zone(case: Case | None = None) -> tzinfo:
    """The user's zone: ``case.timezone``, else the system's (IANA name when known)."""
    if case is not None and case.timezone:
        return ZoneInfo(case.timezone)
    return system_zone()


def system_zone() -> tzinfo:
    """The system's local zone: $TZ, /etc/localtime, or the current fixed offset."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = os.path.realpath(localtime)
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    fixed = datetime.now(UTC).astimezone().tzinfo
    return fixed if fixed is not None else UTC


def _abbreviation(moment: datetime) -> str:
    abbr = moment.tzname() or ""
    if abbr == "UTC":
        return abbr
    if not abbr or abbr[0] in "+-" or abbr.startswith("UTC"):
        offset = moment.strftime("%z")
        return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    return abbr


def format_in(moment: datetime, zone: tzinfo, *, short: bool = False) -> str:
    """``Sat 2024-10-12 09:30 CST`` (``short``: ``Sat 10-12 09:30 CST``) in ``zone``."""
    shown = moment.astimezone(zone)
    pattern = "%a %m-%d %H:%M" if short else "%a %Y-%m-%d %H:%M"
    return f"{shown.strftime(pattern)} {_abbreviation(shown)}"


def _stamp(moment: datetime, zone: tzinfo) -> str:
    shown = moment.astimezone(zone)
    return f"{shown:%Y-%m-%d %H:%M} {_abbreviation(shown)}"


def format_both(moment: datetime, platform_tz: tzinfo, local_tz: tzinfo) -> str:
    """The instant in the platform's zone and the user's; once if they agree.

    Example: ``Sat 2024-10-12 09:30 CST / Sat 2024-10-12 03:30 CEST (local)``.
    """
    first = format_in(moment, platform_tz)
    second = format_in(moment, local_tz)
    if first == second:
        return first
    return f"{first} / {second} (local)"


def format_time_left(due: datetime, as_of: datetime) -> str:
    """``2 d 3 h left``, ``45 min left`` or ``overdue by 1 d 2 h``."""
    delta = due - as_of
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {minutes} min"
    else:
        text = f"{minutes} min"
    return f"{text} left" if delta.total_seconds() > 0 else f"overdue by {text}"


def lateness(deadline: Deadline) -> timedelta | None:
    """How long after its due time a LATE deadline was met; None for any other state."""
    if deadline.state != DeadlineState.LATE or deadline.settled_at is None:
        return None
    return deadline.settled_at - deadline.due


def format_lateness(deadline: Deadline) -> str:
    """How late a LATE deadline was met, ``766 d 6 h`` (as in time left); else ``""``."""
    late = lateness(deadline)
    if late is None:
        return ""
    return format_time_left(deadline.due, deadline.due + late).removeprefix("overdue by ")


_DATE_WITH_OFFSET = re.compile(r"(\d{4}-\d{2}-\d{2})(Z|z|[+-]\d{2}:?\d{2})")


def parse_moment(text: str, *, what: str = "time") -> datetime:
    """An ISO 8601 date-time with a UTC offset (``Z`` accepted).

    Raises ``InvalidValueError`` when it is not one, or has no offset.
    """
    raw = text.strip()
    example = "2026-11-22T09:30:00+08:00"
    dated = _DATE_WITH_OFFSET.fullmatch(raw)
    if dated:
        # Python would read "2024-10-16+08:00" as 08:00 with no offset ("+" as the
        # date-time separator); name the whole timestamp the user most likely meant.
        offset = "Z" if dated[2] in "Zz" else dated[2]
        midnight = dated[1] + "T00:00" + offset
        raise InvalidValueError(
            __("{what} is not an ISO 8601 date-time: {text!r}", what=what, text=text),
            hint=__("write it like {example}", example=midnight),
        )
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidValueError(
            __("{what} is not an ISO 8601 date-time: {text!r}", what=what, text=text),
            hint=__("write it like {example}", example=example),
        ) from None
    if value.tzinfo is None:
        raise InvalidValueError(
            __("{what} {text!r} has no UTC offset, so it could be hours off", what=what, text=text),
            # The suggestion has to be accepted as typed: a date alone gets a time of day.
            hint=__(
                "add the offset, e.g. {raw}+08:00 (China) or {raw}Z (UTC)",
                raw=value.isoformat(timespec="minutes" if value.second == 0 else "seconds"),
            ),
        )
    return value

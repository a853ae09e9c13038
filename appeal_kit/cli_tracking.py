"""Commands for deadlines and case tracking: deadlines, log, status, points, calendar.

They parse arguments, call ``deadlines``, ``events``, ``workspace``, ``points`` and
``calendar_export``, and print. "Now" is read here, once, and passed down.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from appeal_kit.calendar_export import export_calendar
from appeal_kit.case import load_case
from appeal_kit.deadlines import (
    compute_deadlines,
    format_in,
    format_time_left,
    local_zone,
    parse_moment,
    profile_for_case,
)
from appeal_kit.events import log_event, write_atomically
from appeal_kit.models import Deadline, DeadlineState
from appeal_kit.points import StoreLedger, WhatIf, store_ledgers, what_if
from appeal_kit.workspace import CSV_COLUMNS, CaseStatus, load_cases, scan_workspace

console = Console()

STATE_STYLE = {
    DeadlineState.OPEN: "",
    DeadlineState.DUE_SOON: "bold yellow",
    DeadlineState.MISSED: "bold red",
    DeadlineState.DONE: "green",
    DeadlineState.INFO: "cyan",
}

AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="ISO",
        help="Reference time with UTC offset instead of now, e.g. 2026-11-22T09:00:00+08:00.",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _as_of(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC).replace(microsecond=0)
    return parse_moment(text, what="--as-of")


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _styled(text: str, state: DeadlineState | None) -> str:
    style = STATE_STYLE.get(state, "") if state else ""
    return f"[{style}]{escape(text)}[/]" if style else escape(text)


def deadlines(
    case_dir: Annotated[Path, typer.Argument(metavar="CASE", help="The case folder.")],
    as_json: AsJson = False,
    as_of: AsOf = None,
) -> None:
    r"""Show the case's deadlines in the platform's and your time zone, with time left.

    States: open, due-soon (under 12 hours left), missed, done, info (a platform
    review running late). A date in case.toml's \\[deadlines] table beats the platform rule.

    Example: appeal-kit deadlines samples/demo-case --as-of 2024-10-11T08:00:00+08:00
    """
    now = _as_of(as_of)
    case = load_case(case_dir)
    profile = profile_for_case(case)
    found = compute_deadlines(case, profile, as_of=now)
    if as_json:
        _echo_json([d.to_json() for d in found])
        return
    local = local_zone(case)
    table = Table(title=f"Deadlines: {case.title} ({profile.label})", title_justify="left")
    table.add_column("Deadline")
    table.add_column(f"Due ({profile.timezone})")
    table.add_column(f"Due ({getattr(local, 'key', None) or 'local'})")
    table.add_column("Time left")
    table.add_column("State")
    for d in found:
        left = "" if d.state == DeadlineState.DONE else format_time_left(d.due, now)
        table.add_row(
            escape(d.label),
            format_in(d.due, profile.zone),
            format_in(d.due, local),
            _styled(left, d.state),
            _styled(d.state.value, d.state),
        )
    console.print(table)
    if not found:
        console.print("No deadlines yet: add notice_received to case.toml or log an event.")


def log(
    case_dir: Annotated[Path, typer.Argument(metavar="CASE", help="The case folder.")],
    event: Annotated[
        str,
        typer.Argument(
            metavar="EVENT",
            help="submitted, rejected, resubmitted, approved, withdrawn or points-deducted.",
        ),
    ],
    at: Annotated[
        str | None,
        typer.Option("--at", metavar="TIME", help="When, ISO 8601 with offset (default: now)."),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="A short note to keep.")] = "",
    points: Annotated[
        int | None, typer.Option("--points", help="Points deducted (points-deducted only).")
    ] = None,
) -> None:
    """Record an event in case.toml, keeping your comments and layout.

    Example: appeal-kit log samples/demo-case submitted --at 2024-10-11T10:00:00+08:00
    """
    when = parse_moment(at, what="--at") if at else datetime.now(UTC).replace(microsecond=0)
    recorded = log_event(case_dir, event, at=when, note=note, points=points)
    console.print(
        f"Logged [bold]{recorded.type}[/] at {recorded.at.isoformat()} in "
        f"{case_dir / 'case.toml'}.\nNext: appeal-kit deadlines {case_dir}",
        highlight=False,
    )


def status(
    root: Annotated[
        Path, typer.Argument(metavar="ROOT", help="Folder of case folders (or one case).")
    ] = Path("."),
    as_json: AsJson = False,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", metavar="FILE", help="Also write the rows as CSV.")
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Dashboard of every case under ROOT, most urgent first.

    A case folder that cannot be read is shown as a row with its error.

    Example: appeal-kit status samples/workspace --as-of 2026-03-04T12:00:00+08:00
    """
    now = _as_of(as_of)
    rows = scan_workspace(root, as_of=now)
    if csv_file is not None:
        write_atomically(csv_file, _csv_bytes(rows))
    if as_json:
        _echo_json([row.to_json() for row in rows])
        return
    console.print(_status_table(rows, now))
    _print_broken(rows)
    if csv_file is not None:
        console.print(f"Wrote {len(rows)} rows to {csv_file}.")


def _csv_bytes(rows: list[CaseStatus]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.to_json().items()})
    # A BOM so spreadsheet programs read the UTF-8 store names correctly.
    return buffer.getvalue().encode("utf-8-sig")


def _status_table(rows: list[CaseStatus], now: datetime) -> Table:
    table = Table(title=f"Cases as of {now.isoformat()}", title_justify="left")
    # The case folder name identifies the row: never cut it; let the others fold.
    table.add_column("Case", no_wrap=True)
    for column in ("Store", "Platform", "State", "Next deadline", "Left", "Points", "Last event"):
        table.add_column(column, overflow="fold")
    for row in rows:
        data = row.to_json()
        if row.case is None:
            table.add_row(escape(row.name), "", "", "[bold red]error[/]", "[red]see below[/]")
            continue
        upcoming: Deadline | None = row.next
        state = upcoming.state if upcoming else None
        last = row.last_event
        due = (
            f"{upcoming.name}\n{format_in(upcoming.due, local_zone(row.case), short=True)}"
            if upcoming
            else ""
        )
        table.add_row(
            escape(row.name),
            escape(data["store"] or ""),
            data["platform"] or "",
            data["state"],
            _styled(due, state),
            _styled(data["time_left"] or "", state),
            "" if data["points_at_stake"] is None else str(data["points_at_stake"]),
            f"{last.type}\n{last.at:%Y-%m-%d}" if last else "",
        )
    return table


def _print_broken(rows: list[CaseStatus]) -> None:
    for row in rows:
        if row.error is not None:
            console.print(f"[bold red]{escape(row.name)}:[/] {escape(row.error)}", highlight=False)


def points(
    root: Annotated[
        Path, typer.Argument(metavar="ROOT", help="Folder of case folders (or one case).")
    ] = Path("."),
    if_upheld: Annotated[
        Path | None,
        typer.Option("--if-upheld", metavar="CASE", help="Show the effect of this case upheld."),
    ] = None,
    as_json: AsJson = False,
    as_of: AsOf = None,
) -> None:
    """Penalty points in force per store, when they expire, and the next threshold.

    Points come from points-deducted events and lapse after the platform's expiry
    (365 days on AliExpress).

    Example: appeal-kit points samples/workspace --if-upheld samples/workspace/02-rejected
    """
    now = _as_of(as_of)
    cases, broken = load_cases(root)
    ledgers = store_ledgers(cases, as_of=now)
    scenario = what_if(load_case(if_upheld), cases, as_of=now) if if_upheld else None
    if as_json:
        _echo_json(
            {
                "as_of": now.isoformat(),
                "stores": [ledger.to_json() for ledger in ledgers],
                "if_upheld": scenario.to_json() if scenario else None,
                "broken": [row.to_json() for row in broken],
            }
        )
        return
    console.print(_points_table(ledgers, now))
    if scenario:
        console.print(_what_if_text(scenario), highlight=False)
    _print_broken(broken)


def _points_table(ledgers: list[StoreLedger], now: datetime) -> Table:
    table = Table(title=f"Penalty points as of {now:%Y-%m-%d %H:%M %Z}", title_justify="left")
    for column in ("Store", "Platform", "In force", "Reached", "Next threshold", "Expiring"):
        table.add_column(column)
    for ledger in ledgers:
        reached = ledger.reached
        upcoming = ledger.next_level
        expiring = "\n".join(f"{e.points} on {e.expires:%Y-%m-%d}" for e in ledger.active)
        if upcoming:
            nxt = f"{upcoming.effect} at {upcoming.points} ({ledger.remaining} left)"
        else:
            nxt = "none" if ledger.levels else "no points system in profile"
        table.add_row(
            escape(ledger.store),
            ledger.platform,
            str(ledger.in_force),
            f"[red]{reached.effect}[/]" if reached else "",
            nxt,
            expiring,
        )
    return table


def _what_if_text(scenario: WhatIf) -> str:
    if scenario.already_counted:
        return (
            f"If {escape(scenario.case)} is upheld: its points are already deducted; "
            f"{escape(scenario.store)} stays at {scenario.after} points."
        )
    crossed = "; ".join(f"{lvl.effect} (at {lvl.points})" for lvl in scenario.crossed)
    text = (
        f"If {escape(scenario.case)} is upheld: +{scenario.points} points ({scenario.points_source}), "
        f"{escape(scenario.store)} goes from {scenario.before} to {scenario.after}."
    )
    if crossed:
        text += f" [bold red]Crosses: {crossed}.[/]"
    if scenario.next_level:
        again = any(lvl.effect == scenario.next_level.effect for lvl in scenario.crossed)
        text += (
            f" The next threshold is {scenario.next_level.points} points"
            f" ({scenario.next_level.effect}{' again' if again else ''}),"
            f" {scenario.next_level.points - scenario.after} points away."
        )
    return text


def calendar(
    root: Annotated[
        Path, typer.Argument(metavar="ROOT", help="Folder of case folders (or one case).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="The .ics file to write.")
    ] = Path("deadlines.ics"),
    as_of: AsOf = None,
) -> None:
    """Export every open deadline to an iCalendar file, with alarms 24 h and 2 h before.

    Re-exporting updates the events in your calendar instead of duplicating them.

    Example: appeal-kit calendar samples/workspace -o deadlines.ics
    """
    result = export_calendar(root, output, as_of=_as_of(as_of))
    console.print(
        f"Wrote {result.events} open deadline(s) from {result.cases} case(s) to {result.path}.\n"
        "Next: import it into your calendar program; re-import after changes.",
        highlight=False,
    )
    _print_broken(list(result.broken))


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("deadlines")(deadlines)
    app.command("log")(log)
    app.command("status")(status)
    app.command("points")(points)
    app.command("calendar")(calendar)

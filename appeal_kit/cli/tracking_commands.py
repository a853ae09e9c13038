"""Commands for deadlines and case tracking: deadlines, log, status, points, calendar.

They parse arguments, call ``deadlines``, ``events``, ``workspace``, ``points`` and
``calendar_export``, and print. "Now" is read here, once, and passed down.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from appeal_kit.cli import words
from appeal_kit.cli.tables import fit_widths, fitted_table, longest_cell
from appeal_kit.i18n import __, console_language, lazy__

# The library is imported inside each command, so `appeal-kit --help` starts
# without loading the case reader, the deadline rules or the platform profiles.
if TYPE_CHECKING:
    from rich.table import Table  # imported where a table is drawn: not for --help

    from appeal_kit.models import Deadline, DeadlineState
    from appeal_kit.tracking.points import StoreLedger, WhatIf
    from appeal_kit.tracking.workspace import CaseStatus, DisplayZone

console = Console()

# Keyed by DeadlineState's values (a StrEnum member looks up as its string).
STATE_STYLE = {
    "open": "",
    "due-soon": "bold yellow",
    "missed": "bold red",
    "done": "green",
    "info": "cyan",
    "late": "yellow",
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
# status and points show their times in one zone, chosen the same way.
ZoneOption = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        metavar="ZONE",
        help=(
            "Show every time in this zone, e.g. Europe/Berlin "
            "(default: the cases' zone, else this computer's)."
        ),
    ),
]


def _as_of(text: str | None) -> datetime:
    if text is None:
        return _clock().replace(microsecond=0)
    from appeal_kit.tracking.deadlines import parse_moment

    return parse_moment(text, what="--as-of")


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _styled(text: str, state: DeadlineState | str | None) -> str:
    style = STATE_STYLE.get(state, "") if state else ""
    return f"[{style}]{escape(text)}[/]" if style else escape(text)


def deadlines(
    case_dir: Annotated[Path, typer.Argument(metavar="CASE", help="The case folder.")],
    as_json: AsJson = False,
    as_of: AsOf = None,
) -> None:
    """Show the case's deadlines in the platform's and your time zone, with time left.

    States: open, due-soon (under 12 hours left), missed, done, late (done, but after
    the due time: the platform may refuse it), info (a platform review running
    late). A date in case.toml's [deadlines] table beats the platform rule.

    Example: appeal-kit deadlines samples/demo-case --as-of 2024-10-11T08:00:00+08:00
    """
    from appeal_kit.case.config import load_case
    from appeal_kit.tracking.deadlines import (
        compute_deadlines,
        local_zone,
        no_deadlines_advice,
        profile_for_case,
    )

    now = _as_of(as_of)
    case = load_case(case_dir)
    profile = profile_for_case(case)
    found = compute_deadlines(case, profile, as_of=now)
    if as_json:
        _echo_json([d.to_json() for d in found])
        return
    if not found:
        # An empty table says nothing; say what is missing instead.
        # escape: rich would read the TOML table name "[deadlines]" as markup.
        advice = no_deadlines_advice(case, case_dir, profile.label, escape("[deadlines]"))
        console.print(advice, highlight=False)
        return
    local = local_zone(case)
    # Chinese names the zone once, in the header (北京时间); English keeps CST/CEST per cell.
    headers = [
        __("Deadline"),
        __("Due ({zone})", zone=words.zone_title(profile.zone, now)),
        __("Due ({zone})", zone=words.zone_title(local, now)),
        __("Time left"),
        __("State"),
    ]
    rows = [
        [
            # Labels come from the platform profile; the console catalog carries them too.
            escape(__(d.label)),
            words.when(d.due, profile.zone, named=False),
            words.when(d.due, local, named=False),
            _styled(_deadline_left(d, now), d.state),
            _styled(words.state_word(d.state), d.state),
        ]
        for d in found
    ]
    title = __("Deadlines: {case} ({platform})", case=case.title, platform=__(profile.label))
    # Words whole where the terminal allows (a zone name is not cut before its bracket).
    table = fitted_table(headers, rows, console.width, title=title, keep_lines=(3, 4))
    console.print(table)


def _deadline_left(deadline: Deadline, now: datetime) -> str:
    """The Time left cell: empty once done, how late for a late one."""
    if deadline.state == "done":
        return ""
    if deadline.state == "late" and deadline.settled_at is not None:
        late = int((deadline.settled_at - deadline.due).total_seconds())
        return __("done {span} late", span=words.span(late))
    return words.time_left(deadline.due, now)


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
    from appeal_kit.case.config import load_case
    from appeal_kit.tracking.deadlines import parse_moment
    from appeal_kit.tracking.events import local_now, log_event

    if at:
        when, zone_line = parse_moment(at, what="--at"), ""
    else:
        stamp = local_now(load_case(case_dir), _clock())
        when, zone_line = stamp.at, __("Time zone: {zone}.", zone=escape(stamp.zone_note)) + "\n"
    recorded = log_event(case_dir, event, at=when, note=note, points=points)
    console.print(
        __(
            "Logged [bold]{event}[/] in {file}, at {at}.",
            # English shows the code the user typed; Chinese names the event in words.
            event=recorded.type if console_language() == "en" else words.event_word(recorded.type),
            # The moment as case.toml now holds it, in the console's date format.
            at=words.when(recorded.at, recorded.at.tzinfo or UTC),
            file=case_dir / "case.toml",
        )
        + "\n"
        + zone_line
        + __("Next: appeal-kit deadlines {case}", case=case_dir),
        highlight=False,
    )


def _clock() -> datetime:
    """The real "now"; the one place commands read the clock (tests replace it)."""
    return datetime.now(UTC)


def status(
    root: Annotated[
        Path, typer.Argument(metavar="ROOT", help="Folder of case folders (or one case).")
    ] = Path("."),
    as_json: AsJson = False,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", metavar="FILE", help="Also write the rows as CSV.")
    ] = None,
    as_of: AsOf = None,
    timezone: ZoneOption = None,
) -> None:
    """Dashboard of every case in the folder ROOT, most urgent first.

    Order: overdue deadlines, then under 12 hours left, then unreadable cases,
    then the rest by due time; closed cases last. All times are in one zone,
    named above the table. A case folder that cannot be read is shown as a row
    with its error.

    Example: appeal-kit status samples/workspace --as-of 2026-03-04T12:00:00+08:00
    """
    from appeal_kit.tracking.events import write_atomically
    from appeal_kit.tracking.workspace import display_zone, scan_workspace

    now = _as_of(as_of)
    rows = scan_workspace(root, as_of=now)
    zone = display_zone(rows, timezone)
    if csv_file is not None:
        write_atomically(csv_file, _csv_bytes(rows))
    if as_json:
        _echo_json([row.to_json() for row in rows])
        return
    console.print(status_table(rows, now, zone, width=console.width))
    _print_broken(rows)
    if csv_file is not None:
        console.print(__("Wrote {count} rows to {file}.", count=len(rows), file=csv_file))


def _csv_bytes(rows: list[CaseStatus]) -> bytes:
    from appeal_kit.tracking.workspace import CSV_COLUMNS

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.to_json().items()})
    # A BOM so spreadsheet programs read the UTF-8 store names correctly.
    return buffer.getvalue().encode("utf-8-sig")


def _left_text(due: datetime, now: datetime) -> str:
    """``8 h 0 min`` or ``overdue by`` over ``2 h 0 min``: short words that fit a narrow column."""
    seconds = (due - now).total_seconds()
    if seconds > 0:
        return words.span(int(seconds))
    return __("overdue by\n{span}", span=words.span(int(seconds)))


def _status_cells(row: CaseStatus, now: datetime, zone: tzinfo) -> list[str]:
    """Plain text of one row's cells; secondary facts go on a second line."""
    case = row.case
    if case is None:
        return [row.name, __("error"), __("see below"), "", ""]
    upcoming = row.next
    last = row.last_event
    points = row.points_at_stake
    late = "".join("\n" + __("{name} late", name=words.rule_word(d.name)) for d in row.late)
    return [
        "\n".join(x for x in (row.name, case.store, words.platform_word(case.platform)) if x),
        words.case_state_word(row.state)
        + ("" if points is None else "\n" + __("{points} points", points=points))
        + late,
        f"{words.rule_word(upcoming.name)}\n{words.short_when(upcoming.due, zone)}"
        if upcoming
        else "",
        _left_text(upcoming.due, now) if upcoming else "",
        f"{words.event_word(last.type)}\n{words.day(last.at, zone)}" if last else "",
    ]


STATUS_COLUMNS = (
    lazy__("Case"),
    lazy__("State"),
    lazy__("Next deadline"),
    lazy__("Time left"),
    lazy__("Last event"),
)
# Columns whose lines read badly when wrapped ("Tue 02-10" over "13:00").
STATUS_KEEP_LINES = (False, True, True, True, False)
# Between two columns: the (blank) divider and one padding space.
STATUS_GAP = 2


def status_table(
    rows: list[CaseStatus], now: datetime, zone: DisplayZone, *, width: int = 80
) -> Table:
    """The dashboard as a rich table that fits ``width`` columns without cutting a word.

    Each column is at least as wide as its longest word and cells wrap at spaces
    (see ``fit_widths``). Only a terminal too narrow for even that lets rich fold words.
    """
    cells = [_status_cells(row, now, zone.zone) for row in rows]
    headers = [__(header) for header in STATUS_COLUMNS]
    columns = [[texts[i] for texts in cells] for i in range(len(STATUS_COLUMNS))]
    natural = [
        max(
            [
                longest_cell(header.splitlines()),
                *(longest_cell(text.splitlines()) for text in column),
            ]
        )
        for header, column in zip(headers, columns, strict=True)
    ]
    whole_words = [
        max([longest_cell(header.split()), *(longest_cell(text.split()) for text in column)])
        for header, column in zip(headers, columns, strict=True)
    ]
    # First try keeping a due time or "2 h 0 min" on one line; then any word whole.
    whole_lines = [
        max([w, *(longest_cell(text.splitlines()) for text in column)]) if keep else w
        for keep, w, column in zip(STATUS_KEEP_LINES, whole_words, columns, strict=True)
    ]
    budget = width - STATUS_GAP * (len(columns) - 1)
    # Last resort in a very narrow terminal: the case name stays whole, the rest folds.
    name_only = [whole_words[0], *(1 for _ in whole_words[1:])]
    widths = (
        fit_widths(natural, whole_lines, budget)
        or fit_widths(natural, whole_words, budget)
        or fit_widths(natural, name_only, budget)
    )
    from rich import box
    from rich.table import Table

    table = Table(
        title=__(
            "Cases as of {now}\nAll times in {zone} ({reason})",
            now=words.when(now, zone.zone),
            zone=words.named_zone(zone.name, now),
            reason=zone.reason,
        ),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for index, header in enumerate(headers):
        table.add_column(header, overflow="fold", width=widths[index] if widths else None)
    for row, texts in zip(rows, cells, strict=True):
        state = row.next.state if row.case is not None and row.next else None
        name, *more = texts[0].splitlines()
        first = "\n".join([escape(name), *(f"[dim]{escape(line)}[/]" for line in more)])
        if row.case is None:
            table.add_row(first, __("[bold red]error[/]"), __("[red]see below[/]"), "", "")
            continue
        # The "... late" lines close the State cell: yellow, like the state itself.
        state_lines = texts[1].splitlines()
        plain = len(state_lines) - len(row.late)
        state_cell = "\n".join(
            [escape(line) for line in state_lines[:plain]]
            + [_styled(line, "late") for line in state_lines[plain:]]
        )
        table.add_row(
            first,
            state_cell,
            _styled(texts[2], state),
            _styled(texts[3], state),
            escape(texts[4]),
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
    timezone: ZoneOption = None,
) -> None:
    """Penalty points in force per store, when they expire, and the next threshold.

    Points come from points-deducted events and lapse after the platform's expiry
    (365 days on AliExpress).

    Example: appeal-kit points samples/workspace --if-upheld samples/workspace/02-rejected
    """
    from appeal_kit.case.config import load_case
    from appeal_kit.tracking.points import store_ledgers, what_if
    from appeal_kit.tracking.workspace import display_zone, scan_workspace

    now = _as_of(as_of)
    rows = scan_workspace(root, as_of=now)
    cases = [row.case for row in rows if row.case is not None]
    broken = [row for row in rows if row.case is None]
    # The same zone, chosen the same way, as ``status`` shows: the two tables agree.
    zone = display_zone(rows, timezone)
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
    console.print(_points_table(ledgers, now, zone))
    if scenario:
        console.print(_what_if_text(scenario), highlight=False)
    _print_broken(broken)


def _points_table(ledgers: list[StoreLedger], now: datetime, zone: DisplayZone) -> Table:
    title = __(
        "Penalty points as of {now}\nAll times in {zone} ({reason})",
        now=words.when(now, zone.zone),
        zone=words.named_zone(zone.name, now),
        reason=zone.reason,
    )
    headers = [
        __("Store"),
        __("Platform"),
        __("In force"),
        __("Reached"),
        __("Next threshold"),
        __("Expiring"),
    ]
    rows: list[list[str]] = []
    for ledger in ledgers:
        reached = ledger.reached
        upcoming = ledger.next_level
        expiring = "\n".join(
            __("{points} on {day}", points=e.points, day=words.day(e.expires, zone.zone))
            for e in ledger.active
        )
        if upcoming:
            nxt = __(
                "{effect} at {points} ({remaining} left)",
                effect=__(upcoming.effect),
                points=upcoming.points,
                remaining=ledger.remaining,
            )
        else:
            nxt = __("none") if ledger.levels else __("no points system in profile")
        rows.append(
            [
                escape(ledger.store),
                words.platform_word(ledger.platform),
                str(ledger.in_force),
                f"[red]{escape(__(reached.effect))}[/]" if reached else "",
                nxt,
                expiring,
            ]
        )
    return fitted_table(headers, rows, console.width, title=title)


def _what_if_text(scenario: WhatIf) -> str:
    if scenario.already_counted:
        return __(
            "If {case} is upheld: its points are already deducted; {store} stays at {after} points.",
            case=escape(scenario.case),
            store=escape(scenario.store),
            after=scenario.after,
        )
    crossed = __("; ").join(
        __("{effect} (at {points})", effect=__(lvl.effect), points=lvl.points)
        for lvl in scenario.crossed
    )
    text = __(
        "If {case} is upheld: +{points} points ({source}), {store} goes from {before} to {after}.",
        case=escape(scenario.case),
        points=scenario.points,
        source=escape(scenario.points_source),
        store=escape(scenario.store),
        before=scenario.before,
        after=scenario.after,
    )
    if crossed:
        text = words.then(text, __("[bold red]Crosses: {crossed}.[/]", crossed=escape(crossed)))
    if scenario.next_level:
        again = any(lvl.effect == scenario.next_level.effect for lvl in scenario.crossed)
        fields = {
            "points": scenario.next_level.points,
            "effect": __(scenario.next_level.effect),
            "away": scenario.next_level.points - scenario.after,
        }
        text = words.then(
            text,
            __(
                "The next threshold is {points} points ({effect} again), {away} points away.",
                **fields,
            )
            if again
            else __(
                "The next threshold is {points} points ({effect}), {away} points away.", **fields
            ),
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

    Deadlines already done are written as cancelled events, so re-importing the
    file updates or greys out the events in your calendar instead of duplicating them;
    one met late is titled "Done late". The output file may not be inside a case's
    originals/, accused/ or documents/ (exit code 5).

    Example: appeal-kit calendar samples/workspace -o deadlines.ics
    """
    # icalendar is large: loaded only by this command, not by --help or status.
    from appeal_kit.tracking.calendar import export_calendar

    result = export_calendar(root, output, as_of=_as_of(as_of))
    console.print(
        __(
            "Wrote {events} open deadline(s) and {cancelled} done one(s) as cancelled events, "
            "from {cases} case(s), to {path}.\n"
            "Next: import it into your calendar program; re-import after changes.",
            events=result.events,
            cancelled=result.cancelled,
            cases=result.cases,
            path=result.path,
        ),
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

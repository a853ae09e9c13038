"""``appeal-kit log``: record an event in a case's ``case.toml``.

The user's file is edited, not regenerated: the new ``[[events]]`` table is
spliced in as text after the last existing one (or at the end of the file), so
every comment, blank line and key order stays byte-for-byte as the user left it.
The values are rendered by tomlkit, and the result is parsed back and checked
before it atomically replaces the file. An ``events = [...]`` inline array, the
one layout where splicing text is unsafe, is edited through tomlkit instead.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import stat
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from appeal_kit.case.config import EVENT_TYPES, Case, CaseEvent, find_case_file, load_case
from appeal_kit.case.files import decode_text
from appeal_kit.errors import CaseConfigError, InvalidValueError, OutputError
from appeal_kit.i18n import __
from appeal_kit.tracking.deadlines import local_zone

POINTS_EVENT = "points-deducted"

_HEADER = re.compile(r"^\s*\[")
_EVENTS_HEADER = re.compile(r"^\s*\[\[\s*events\s*\]\]\s*(#.*)?$")
_TRIPLE = re.compile(r'"""|\'\'\'')


@dataclass(frozen=True)
class LocalNow:
    """An event time for "now", and a note on the zone its offset comes from."""

    at: datetime
    zone_note: str


def local_now(case: Case, now: datetime) -> LocalNow:
    """``now`` to the second, with the offset of the case's zone, else the machine's.

    The user reads case.toml in their own time, so ``at = ...+01:00`` beats a UTC
    ``...Z`` stamp. ``now`` must be aware (pass ``datetime.now(UTC)``); it is a
    parameter so that callers and tests decide what "now" is.
    """
    if now.tzinfo is None:
        raise InvalidValueError(
            __("'now' has no UTC offset"), hint=__("pass an aware datetime, e.g. datetime.now(UTC)")
        )
    # case.toml's zone was checked when the case loaded; else the machine's.
    zone = local_zone(case)
    at = now.astimezone(zone).replace(microsecond=0)
    if case.timezone:
        note = __("{timezone} (the timezone in case.toml)", timezone=case.timezone)
    else:
        offset = at.strftime("%z")
        name = getattr(zone, "key", None)
        utc = f"UTC{offset[:3]}:{offset[3:]}"
        note = (
            __(
                "this computer's, {utc} ({name}); to use another, add "
                'timezone = "Area/City" to case.toml',
                utc=utc,
                name=name,
            )
            if name
            else __(
                'this computer\'s, {utc}; to use another, add timezone = "Area/City" to case.toml',
                utc=utc,
            )
        )
    return LocalNow(at=at, zone_note=note)


def check_event(event_type: str, *, at: datetime, points: int | None = None) -> None:
    """Validate an event before it is written; raises ``InvalidValueError``."""
    if event_type not in EVENT_TYPES:
        close = difflib.get_close_matches(event_type, EVENT_TYPES, n=1, cutoff=0.5)
        raise InvalidValueError(
            __("unknown event type '{event_type}'", event_type=event_type),
            hint=__(
                "did you mean '{close}'? event types: {types}",
                close=close[0],
                types=", ".join(EVENT_TYPES),
            )
            if close
            else __("event types: {types}", types=", ".join(EVENT_TYPES)),
        )
    if at.tzinfo is None:
        raise InvalidValueError(
            __("the event time has no UTC offset"),
            hint=__("give it like --at 2026-11-22T10:00:00+08:00 (or leave --at out for now)"),
        )
    if event_type == POINTS_EVENT:
        if points is None or points <= 0:
            raise InvalidValueError(
                __("points-deducted needs the number of points deducted"),
                hint=__("add --points N with the figure from the penalty notice, e.g. --points 2"),
            )
    elif points is not None:
        raise InvalidValueError(
            __(
                "--points only goes with points-deducted, not '{event_type}'", event_type=event_type
            ),
            hint=__(
                "log the deduction separately: appeal-kit log CASE {points_event} --points N",
                points_event=POINTS_EVENT,
            ),
        )


def log_event(
    case_dir: Path,
    event_type: str,
    *,
    at: datetime,
    note: str = "",
    points: int | None = None,
) -> CaseEvent:
    """Append one ``[[events]]`` table to the case's ``case.toml`` and return the event.

    The case must load cleanly first (a broken file is reported, never rewritten).
    ``at`` must carry a UTC offset; ``local_now`` gives "now" in the case's zone.
    """
    check_event(event_type, at=at, points=points)
    load_case(case_dir)
    case_file = find_case_file(case_dir.resolve())
    raw = case_file.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    # load_case read it above (UTF-8, or UTF-16 as Notepad saves it); it is written back as UTF-8.
    text = decode_text(raw, what=case_file.name)
    event = CaseEvent(type=event_type, at=at, note=note.strip(), points=points)
    before = tomllib.loads(text).get("events", [])
    updated = _with_event(text, event)
    if not _adds_only(updated, before, event):
        # The text splice met a layout it cannot extend (an inline ``events = [...]``
        # array, or a header-like line inside a multi-line string): let tomlkit
        # rewrite the document instead.
        updated = _with_event_tomlkit(text, event)
        if not _adds_only(updated, before, event):
            raise CaseConfigError(
                __("could not add the event without changing the rest of the file"),
                path=case_file,
                field="events",
                hint=__("add the [[events]] table by hand; see templates/case.toml"),
            )
    write_atomically(case_file, (b"\xef\xbb\xbf" if bom else b"") + updated.encode("utf-8"))
    return event


def _adds_only(updated: str, before: list[dict[str, Any]], event: CaseEvent) -> bool:
    """True when ``updated`` parses and holds exactly the old events plus ``event``."""
    try:
        after = tomllib.loads(updated).get("events", [])
    except tomllib.TOMLDecodeError:
        return False
    return bool(after) and after[:-1] == before and _same(after[-1], event)


def _same(entry: dict[str, Any], event: CaseEvent) -> bool:
    return (
        entry.get("type") == event.type
        and entry.get("at") == event.at
        and entry.get("note", "") == event.note
        and entry.get("points") == event.points
    )


def _event_table(event: CaseEvent, newline: str) -> str:
    import tomlkit  # only writing an event needs it; `status` and `--help` start without it

    rows = [("type", event.type), ("at", event.at)]
    if event.note:
        rows.append(("note", event.note))
    if event.points is not None:
        rows.append(("points", event.points))
    lines = ["[[events]]"] + [f"{key} = {tomlkit.item(value).as_string()}" for key, value in rows]
    return newline.join(lines) + newline


def _with_event(text: str, event: CaseEvent) -> str:
    """``text`` with the event's table spliced in after the last ``[[events]]`` table."""
    newline = "\r\n" if "\r\n" in text else "\n"
    table = _event_table(event, newline)
    lines = text.splitlines(keepends=True)
    headers = _header_lines(lines)
    events = [i for i in headers if _EVENTS_HEADER.match(lines[i])]
    if not events:
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        spacer = newline if lines and lines[-1].strip() else ""
        return "".join(lines) + spacer + table
    last = events[-1]
    following = [i for i in headers if i > last]
    end = following[0] if following else len(lines)
    # Blank and comment lines just above the next header belong to that header.
    while end > last + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1
    head = lines[:end]
    if head and not head[-1].endswith(("\n", "\r")):
        head[-1] += newline
    return "".join(head) + newline + table + "".join(lines[end:])


def _header_lines(lines: list[str]) -> list[int]:
    """Indexes of table header lines, skipping lines inside multi-line strings."""
    found: list[int] = []
    open_quote: str | None = None
    for index, line in enumerate(lines):
        if open_quote is None and _HEADER.match(line):
            found.append(index)
            continue
        for quote in _TRIPLE.findall(line.split("#", 1)[0] if open_quote is None else line):
            if open_quote is None:
                open_quote = quote
            elif quote == open_quote:
                open_quote = None
    return found


def _with_event_tomlkit(text: str, event: CaseEvent) -> str:
    import tomlkit
    from tomlkit.items import AoT, Array

    doc = tomlkit.parse(text)
    values: dict[str, Any] = {"type": event.type, "at": event.at}
    if event.note:
        values["note"] = event.note
    if event.points is not None:
        values["points"] = event.points
    existing = doc.get("events")
    if isinstance(existing, Array):
        inline = tomlkit.inline_table()
        inline.update(values)
        existing.append(inline)
    elif isinstance(existing, AoT):
        table = tomlkit.table()
        table.update(values)
        existing.append(table)
    else:
        aot = tomlkit.aot()
        table = tomlkit.table()
        table.update(values)
        aot.append(table)
        doc.append("events", aot)
    return tomlkit.dumps(doc)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` via a temp file beside it; keeps its permissions.

    A new file gets the usual permissions for the user's umask (a temp file alone
    would be private), so a shared calendar or case file stays readable.
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc) from None
        raise


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    """A read-only folder or full disk is the user's to fix (exit 5), not a bug."""
    return OutputError(
        __(
            "cannot write {path}: {value}; nothing was changed",
            path=path,
            value=exc.strerror or exc,
        ),
        hint=__(
            "make {parent} writable (or free some space) and run the command again",
            parent=path.parent,
        ),
    )

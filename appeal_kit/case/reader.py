"""Reading parsed ``case.toml`` values with errors that point at file, line and field.

``tomllib`` gives no positions, so ``Locator`` finds a key's line by tracking table
headers; ``Reader`` turns wrong values into ``CaseConfigError``s with a fix.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from appeal_kit.case.files import (
    MAX_STATEMENT_BYTES,
    UnusableTextError,
    decode_text,
    inside,
    read_limited,
    usable_name,
)
from appeal_kit.errors import CaseConfigError
from appeal_kit.i18n import __, lazy__

# Dates a case can hold. Earlier or later is a typo (year 1, 9999), and would
# overflow when shifted between time zones or by a deadline's days.
YEARS = (1990, 2100)
_PLAIN_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Locator:
    """Finds the line of a key in TOML text, so errors can point at it.

    tomllib gives no positions for values, so we track table headers line by line.
    Good enough for the flat layout ``init`` writes; falls back to the header line.
    """

    _header = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
    _key = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, table: str | None, index: int | None, key: str | None) -> int | None:
        current: tuple[str | None, int | None] = (None, None)
        counts: dict[str, int] = {}
        header_line: int | None = None
        for number, line in enumerate(self.lines, start=1):
            stripped = line.split("#", 1)[0]
            head = self._header.match(stripped)
            if head:
                name = head.group(2)
                if head.group(1) == "[[":
                    counts[name] = counts.get(name, -1) + 1
                    current = (name, counts[name])
                else:
                    current = (name, None)
                if current == (table, index):
                    header_line = number
                    if key is None:
                        return number
                elif key is not None and name == (key if table is None else f"{table}.{key}"):
                    return number  # the key is itself a table, e.g. a misspelt [[acused]]
                continue
            if current != (table, index) or key is None:
                continue
            found = self._key.match(stripped)
            if found and found.group(1).strip('"') == key:
                return number
        return header_line


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    if close:
        return __("did you mean '{close}'?", close=close[0])
    return __("allowed: {choices}", choices=", ".join(choices))


class Reader:
    """Turns the parsed TOML into a ``Case``, raising pointed errors."""

    def __init__(self, path: Path, text: str, top_level_keys: Collection[str] = ()) -> None:
        self.path = path
        self.locate = Locator(text)
        # Keys that belong above the first table header (for the "move it up" hint).
        self.top_level_keys = frozenset(top_level_keys)

    def fail(
        self,
        message: str,
        *,
        table: str | None = None,
        index: int | None = None,
        key: str | None = None,
        hint: str,
    ) -> CaseConfigError:
        line = self.locate.find(table, index, key)
        field_name = (
            key
            if table is None
            else f"{table}[{index}].{key}"
            if index is not None
            else (f"{table}.{key}" if key else table)
        )
        return CaseConfigError(message, path=self.path, line=line, field=field_name, hint=hint)

    def text(self, data: dict[str, Any], key: str, **where: Any) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise self.fail(
                __("'{key}' must be text, got {type}", key=key, type=type(value).__name__),
                key=key,
                hint=__('put the value in quotes: {key} = "{value}"', key=key, value=value),
                **where,
            )
        return value.strip()

    def moment(
        self, data: dict[str, Any], key: str, *, need_offset: bool = True, **where: Any
    ) -> datetime | None:
        """A date-time with offset; a bare date is accepted where ``need_offset`` is off."""
        value = data.get(key)
        if value is None or value == "":
            return None
        example = "2024-10-10T09:30:00+08:00"
        if isinstance(value, str):
            raw = value.strip()
            if not need_offset and _PLAIN_DAY.fullmatch(raw):
                # A plain date is fine here, but in quotes TOML reads it as text; saying
                # "no UTC offset" would send the user to fix the wrong thing.
                raise self.fail(
                    __("'{key}' is a date in quotes, so TOML reads it as text", key=key),
                    key=key,
                    hint=__("remove the quotes: {key} = {day}", key=key, day=raw),
                    **where,
                )
            try:
                value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                try:
                    value = date.fromisoformat(raw)
                except ValueError:
                    raise self.fail(
                        __(
                            "'{key}' is not an ISO 8601 date-time: {value!r}",
                            key=key,
                            value=data.get(key),
                        ),
                        key=key,
                        hint=__("write it like {key} = {example}", key=key, example=example),
                        **where,
                    ) from None
        if isinstance(value, date) and not YEARS[0] <= value.year <= YEARS[1]:
            raise self.fail(
                __(
                    "'{key}' is in the year {year}, which cannot be right for this case",
                    key=key,
                    year=value.year,
                ),
                key=key,
                hint=__(
                    "check the year (appeal-kit accepts {years_0} to {years_1}); write it like {key} = {example}",
                    years_0=YEARS[0],
                    years_1=YEARS[1],
                    key=key,
                    example=example,
                ),
                **where,
            )
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise self.fail(
                    __("'{key}' has no UTC offset, so the deadline could be hours off", key=key),
                    key=key,
                    hint=__(
                        "add the offset shown on the notice, e.g. {key} = {iso}+08:00",
                        key=key,
                        iso=value.isoformat(),
                    ),
                    **where,
                )
            return value
        if isinstance(value, date):
            if need_offset:
                raise self.fail(
                    __("'{key}' needs a time and a UTC offset, not just a date", key=key),
                    key=key,
                    hint=__(
                        "write it like {key} = {iso}T09:30:00+08:00", key=key, iso=value.isoformat()
                    ),
                    **where,
                )
            # A day without a time: the start of that day in UTC, which is never later
            # than the listing really appeared anywhere on Earth minus a few hours.
            return datetime.combine(value, time(0, 0), tzinfo=UTC)
        raise self.fail(
            __("'{key}' must be a date-time, got {type}", key=key, type=type(value).__name__),
            key=key,
            hint=__("write it like {key} = {example}", key=key, example=example),
            **where,
        )

    def check_keys(
        self,
        data: dict[str, Any],
        allowed: tuple[str, ...] | list[str],
        table: str | None,
        index: int | None,
    ) -> None:
        for key in data:
            if key not in allowed:
                hint = __(
                    "{suggest} (remove it or fix the spelling)",
                    suggest=suggest(key, tuple(allowed)),
                )
                if table is not None and key in self.top_level_keys:
                    # TOML files every line after a [[table]] header into that table.
                    header = f"[[{table}]]" if index is not None else f"[{table}]"
                    hint = __(
                        "'{key}' belongs at the top of case.toml: move the line above the first table header (a line such as {header}), or it counts as part of that table",
                        key=key,
                        header=header,
                    )
                raise self.fail(
                    __("unknown key '{key}'", key=key), table=table, index=index, key=key, hint=hint
                )

    def table_list(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(
                __("'{key}' must be a list of tables", key=key),
                key=key,
                hint=__("write each entry under its own [[{key}]] header", key=key),
            )
        return value

    def inside_case(self, case_dir: Path, rel: str, **where: Any) -> Path:
        """``rel`` resolved against the case folder; a case.toml error when it leads outside.

        Links are followed first, so a link inside the case pointing elsewhere is refused too.
        """
        if not usable_name(rel):
            raise self.fail(
                __(
                    "{rel} is not a usable file name (a NUL character, or a name longer "
                    "than the file system allows)",
                    rel=repr(rel[:60] + ("…" if len(rel) > 60 else "")),
                ),
                hint=__("give the file's real name, relative to the case folder"),
                **where,
            )
        found = inside(case_dir, case_dir / rel)
        if found is None:
            raise self.fail(
                __(
                    "'{rel}' is outside the case folder; appeal-kit only reads files inside it",
                    rel=rel,
                ),
                hint=__(
                    "copy the file into the case folder and give its path relative to it, "
                    'e.g. "statement.md" or "originals/IMG_0001.jpg"'
                ),
                **where,
            )
        return found

    def check_statement(self, path: Path, rel: str) -> None:
        """The statement must be a UTF-8 text file of reviewable length."""
        fix = __(
            "shorten {rel} to the points a reviewer needs (one to five pages); put long evidence in documents/ instead",
            rel=rel,
        )
        try:
            data = read_limited(path, MAX_STATEMENT_BYTES, what=rel, fix=fix)
            decode_text(data, what=rel, utf16=False)
        except UnusableTextError as problem:
            where = f" (line {problem.line} of {rel})" if problem.line else ""
            raise self.fail(problem.reason + where, key="statement", hint=problem.fix) from None


def deepest_line(text: str) -> int | None:
    """The first line where brackets nest more than 32 deep (roughly: strings count too)."""
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        for char in line:
            depth += 1 if char in "[{" else -1 if char in "]}" else 0
            if depth > 32:
                return number
    return None


def key_on_line(text: str, line: int | None) -> str | None:
    """The key set on ``line`` (1-based) of ``text``, for errors found below the TOML level."""
    lines = text.splitlines()
    if line is None or not 0 < line <= len(lines):
        return None
    found = Locator._key.match(lines[line - 1])
    return found.group(1).strip('"') if found else None


# tomllib's messages (CPython's Lib/tomllib/_parser.py), worded for the console
# language: a Chinese user editing case.toml meets these most often of all.
_TOML_MESSAGES = {
    "Cannot overwrite a value": lazy__("a value is set twice"),
    "Expected '=' after a key in a key/value pair": lazy__("'=' is missing after the key"),
    "Expected ']' at the end of a table declaration": lazy__("']' is missing after the table name"),
    "Expected ']]' at the end of an array declaration": lazy__(
        "']]' is missing after the table name"
    ),
    "Expected newline or end of document after a statement": lazy__(
        "something follows the value on the same line (two values, or a quote missing)"
    ),
    "Invalid date or datetime": lazy__("not a valid date or time"),
    "Invalid initial character for a key part": lazy__(
        "a key starts with a character that cannot begin a key"
    ),
    "Invalid statement": lazy__("this line is neither key = value nor a [table]"),
    "Invalid value": lazy__("the value is not text in quotes, a number, a date or a list"),
    "Unclosed array": lazy__("a list is not closed with ']'"),
    "Unclosed inline table": lazy__("a table in curly brackets is not closed"),
    "Unterminated string": lazy__("a text value has no closing quote"),
    # A newline inside a string: the closing quote is missing.
    "Illegal character '\\n'": lazy__("the line ends before the text's closing quote"),
}
_TOML_PATTERNS = (
    (re.compile(r"Illegal character (.+)$"), lazy__("character {value} is not allowed here")),
    (re.compile(r"Found invalid character (.+)$"), lazy__("character {value} is not allowed here")),
    (re.compile(r"Cannot declare (.+) twice$"), lazy__("{value} is declared twice")),
    (re.compile(r"Duplicate inline table key (.+)$"), lazy__("{value} is set twice")),
)
_TOML_WHERE = re.compile(r"\s*\((?:at line \d+, column (\d+)|at end of document)\)$")


def parser_words(exc: Exception) -> str:
    """The TOML parser's complaint in the console language, with its column.

    The line is given by the error itself; a message we do not know stays as the
    parser wrote it.
    """
    text = str(exc)
    where = _TOML_WHERE.search(text)
    message = text[: where.start()] if where else text
    column = where.group(1) if where else None
    known = _TOML_MESSAGES.get(message)
    if known is not None:
        worded = str(known)
    else:
        worded = message
        for pattern, template in _TOML_PATTERNS:
            found = pattern.match(message)
            if found:
                worded = template.format(value=found.group(1))
                break
    return __("{problem} (column {column})", problem=worded, column=column) if column else worded

"""``appeal-kit init``: a new case folder with a commented ``case.toml``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from appeal_kit.case.config import (
    ACCUSED,
    CASE_FILE,
    DOCUMENTS,
    MODES,
    ORIGINALS,
    VIOLATION_TYPES,
    case_holding,
)
from appeal_kit.case.reader import YEARS
from appeal_kit.errors import InvalidValueError, OutputError
from appeal_kit.fsutil import atomic_write_bytes, atomic_write_text
from appeal_kit.i18n import __
from appeal_kit.resources import templates_dir
from appeal_kit.tracking.deadlines import parse_moment


@dataclass
class CaseFields:
    """Values for a new ``case.toml``; empty ones are left as commented examples."""

    platform: str = "aliexpress"
    mode: str = "appeal"
    case_id: str = ""
    store: str = ""
    seller_id: str = ""
    complainant: str = ""
    notice_received: str = ""
    violation: str = ""
    points_at_stake: int | None = None
    # The platform's figure for the violation type, shown as the commented example
    # when the notice's own figure is not given (the notice's figure wins).
    points_example: int | None = None
    timezone: str = ""
    urls: list[str] = field(default_factory=list)
    first_seen: str = ""
    # The dossier's language; empty leaves the English default as a commented example.
    language: str = ""


def _quoted(text: str) -> str:
    # A JSON string is a valid TOML basic string, escapes included, except that TOML
    # also wants DEL escaped (JSON leaves it raw).
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _check(fields: CaseFields) -> None:
    from appeal_kit.tracking.platforms import available_profiles

    if fields.platform not in available_profiles():
        raise InvalidValueError(
            __("unknown platform '{platform}'", platform=fields.platform),
            hint=__("use one of: {choices}", choices=", ".join(available_profiles())),
        )
    if fields.mode not in MODES:
        raise InvalidValueError(
            __("unknown mode '{mode}'", mode=fields.mode),
            hint=__("use --mode appeal or --mode complaint"),
        )
    if fields.violation and fields.violation not in VIOLATION_TYPES:
        raise InvalidValueError(
            __("unknown violation type '{violation}'", violation=fields.violation),
            hint=__("use one of: {choices}", choices=", ".join(VIOLATION_TYPES)),
        )
    if fields.notice_received:
        toml_moment(fields.notice_received, what="--notice-received")
    if fields.first_seen:
        toml_moment(fields.first_seen, what="--first-seen", day_ok=True)
    if fields.timezone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(fields.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidValueError(
                __("unknown time zone '{timezone}'", timezone=fields.timezone),
                hint=__('use a name like "Europe/Berlin"'),
            ) from None


def toml_moment(text: str, *, what: str, day_ok: bool = False) -> str:
    """``text`` as a TOML date-time (seconds always written), or a day where ``day_ok``.

    TOML needs the seconds (``10:15:00``) and no space before the offset; people and
    ``init``'s own prompt write ``10:15+08:00``. What ``init`` writes must load again.
    """
    raw = text.strip()
    example = "2026-11-22T09:30:00+08:00"
    if day_ok and len(raw) == 10:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise InvalidValueError(
                __("{what} is not a date: {text}", what=what, text=text),
                hint=__("write it like 2024-09-30"),
            ) from None
        _check_year(day.year, what, text)
        return day.isoformat()
    if re.search(r"\d\s+(?:[+\-]\d{2}:?\d{2}|Z)$", raw):
        raise InvalidValueError(
            __("{what} has a space before its UTC offset: {text!r}", what=what, text=text),
            hint=__(
                "write the offset right after the time, without a space: e.g. {example}",
                example=example,
            ),
        )
    rewritten = _written_the_chinese_way(raw)
    if rewritten is not None:
        raise InvalidValueError(
            __("{what} is not in the form appeal-kit reads: {text}", what=what, text=text),
            hint=__(
                "Write it as {example} (+08:00 is Beijing time; use the offset on the notice)",
                example=rewritten,
            ),
        )
    moment = parse_moment(raw, what=what)
    _check_year(moment.year, what, text)
    return moment.isoformat()


_CHINESE_DATE = re.compile(
    r"(?P<y>\d{4})\s*[年/.]\s*(?P<m>\d{1,2})\s*[月/.]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：点时]\s*(?P<M>\d{1,2})\s*分?)?$"
)


def _written_the_chinese_way(raw: str) -> str | None:
    """``2024年10月15日 09:30`` (or ``2024/10/15 09:30``) as ``2024-10-15T09:30:00+08:00``.

    Sellers copy the time as Seller Center prints it; the fix shows their own
    moment in the form we read, not an unrelated example.
    """
    found = _CHINESE_DATE.match(raw)
    if found is None:
        return None
    y, m, d = int(found["y"]), int(found["m"]), int(found["d"])
    hour, minute = int(found["H"] or 0), int(found["M"] or 0)
    if not (1 <= m <= 12 and 1 <= d <= 31 and hour < 24 and minute < 60):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}T{hour:02d}:{minute:02d}:00+08:00"


def _check_year(year: int, what: str, text: str) -> None:
    if not YEARS[0] <= year <= YEARS[1]:
        raise InvalidValueError(
            __("{what} is in the year {year}: {text}", what=what, year=year, text=text),
            hint=__(
                "check the year (appeal-kit accepts {years_0} to {years_1})",
                years_0=YEARS[0],
                years_1=YEARS[1],
            ),
        )


def render_case_toml(fields: CaseFields) -> str:
    """The commented ``case.toml`` text for ``fields``, commented in the console language.

    The seller edits this file next, so its comments are in the language the
    terminal speaks (``case.zh.toml`` under Chinese); the keys stay English.
    """
    from appeal_kit.i18n import console_language

    lang = console_language()
    name = "case.toml" if lang == "en" else f"case.{lang}.toml"
    if not (templates_dir() / name).is_file():
        name = "case.toml"
    template = (templates_dir() / name).read_text(encoding="utf-8")
    notice = (
        toml_moment(fields.notice_received, what="--notice-received")
        if fields.notice_received
        else ""
    )
    accused_lines: list[str] = []
    for url in fields.urls or [""]:
        accused_lines.append("[[accused]]" if url else "# [[accused]]")
        accused_lines.append(
            f"url = {_quoted(url)}"
            if url
            else '# url = "https://www.aliexpress.com/item/1005001234567890.html"'
        )
        first_seen = (
            toml_moment(fields.first_seen, what="--first-seen", day_ok=True)
            if fields.first_seen
            else ""
        )
        accused_lines.append(
            f"first_seen = {first_seen}" if url and first_seen else "# first_seen = 2024-09-30"
        )
        accused_lines.append("")
    values = {
        "platform": fields.platform,
        "mode": fields.mode,
        "case_id": fields.case_id,
        "store": fields.store,
        "seller_id": fields.seller_id,
        "complainant": fields.complainant,
        "notice_line": f"notice_received = {notice}"
        if notice
        else "# notice_received = 2024-10-10T09:30:00+08:00",
        "violation_line": f"violation = {_quoted(fields.violation)}"
        if fields.violation
        else '# violation = "minor-edits"',
        "points_line": f"points_at_stake = {fields.points_at_stake}"
        if fields.points_at_stake is not None
        else f"# points_at_stake = {fields.points_example or 2}",
        "timezone_line": f"timezone = {_quoted(fields.timezone)}"
        if fields.timezone
        else '# timezone = "Europe/Berlin"',
        "accused_block": "\n".join(accused_lines).rstrip() + "\n",
        "language_line": f"language = {_quoted(fields.language)}"
        if fields.language
        else '# language = "zh+en"',
    }
    quoted = ("platform", "mode", "case_id", "store", "seller_id", "complainant")

    def fill(found: re.Match[str]) -> str:
        key = found.group(1)
        if key not in values:
            return found.group(0)
        return _quoted(values[key])[1:-1] if key in quoted else values[key]

    # One pass, so a store called "{notice_line}" stays a store name.
    return re.sub(r"\{(\w+)\}", fill, template)


def proposed_language() -> str:
    """``zh+en`` under a Chinese console locale (the seller reads it, the reviewer too)."""
    from appeal_kit.i18n import console_language

    return "zh+en" if console_language() == "zh" else ""


# With --force, the case.toml being replaced is kept under this name (the last one only).
BACKUP_NAME = "case.toml.bak"


def create_case(
    folder: Path, fields: CaseFields, *, force: bool = False
) -> tuple[Path, Path | None]:
    """Create ``folder`` with ``case.toml`` and the empty input folders.

    Returns the case file, and the copy of the one it replaced (None when none was).

    An existing ``case.toml`` is kept unless ``force`` is set, and then copied to
    ``case.toml.bak`` first; existing evidence is never touched.
    """
    _check(fields)
    _check_target(folder)
    case_file = folder / CASE_FILE
    if case_file.exists() and not force:
        raise OutputError(
            __("{case_file} already exists", case_file=case_file),
            hint=__("edit it, or pass --force to write a fresh one (your images are kept)"),
        )
    fresh = render_case_toml(fields)
    try:
        for name in (ORIGINALS, ACCUSED, DOCUMENTS):
            (folder / name).mkdir(parents=True, exist_ok=True)
        backup = None
        if case_file.is_file() and case_file.read_bytes() != fresh.encode("utf-8"):
            # --force replaces the seller's edited file: the previous one stays beside it.
            backup = case_file.with_name(BACKUP_NAME)
            atomic_write_bytes(backup, case_file.read_bytes())
        atomic_write_text(case_file, fresh)
    except OSError as exc:
        raise OutputError(
            __("Cannot create the case folder {folder}: {reason}", folder=folder, reason=_why(exc)),
            hint=__(
                "Choose a folder you may write to, e.g. one in your home folder: "
                "appeal-kit init ~/{name}",
                name=folder.name or "my-case",
            ),
        ) from exc
    return case_file, backup


def _why(exc: OSError) -> str:
    """The operating system's reason without Python's ``[Errno 13]`` and path decoration."""
    return exc.strerror or str(exc)


def _check_target(folder: Path) -> None:
    """Refuse a target that is a file, sits below a file, or lies in a case's evidence folders.

    Without this ``mkdir`` fails deep inside with NotADirectoryError, or a second
    case ends up inside the first one's ``originals/``, where builds would read
    its ``case.toml`` as evidence.
    """
    for path in (folder, *folder.parents):
        if path.exists() and not path.is_dir():
            suggestion = (path.stem or "my") + "-case"
            raise OutputError(
                __("{path} is a file, not a folder", path=path),
                hint=__(
                    "Give init a new folder name for the case, e.g. appeal-kit init {suggestion}",
                    suggestion=suggestion,
                ),
            )
    holder = case_holding(folder)
    if holder is None:
        return
    case, evidence = holder
    name = folder.absolute().name
    beside = case.parent / (name if name not in (ORIGINALS, ACCUSED, DOCUMENTS) else "new-case")
    where = {"folder": folder, "evidence": evidence, "case": case}
    raise OutputError(
        __("{folder} is the {evidence}/ folder of the case {case}", **where)
        if folder.absolute() == (case / evidence).absolute()
        else __("{folder} is inside the {evidence}/ folder of the case {case}", **where),
        hint=__(
            "Create the new case next to that case, not inside it, e.g. appeal-kit init "
            "{suggestion}",
            suggestion=beside,
        ),
    )

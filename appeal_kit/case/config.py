"""The case folder: ``case.toml`` plus ``originals/``, ``accused/`` and ``documents/``.

``load_case`` validates everything before any image is decoded, and every error
names the file, the line, the field and the fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from appeal_kit.case.files import (
    MAX_CASE_FILE_BYTES,
    UnusableTextError,
    decode_text,
    read_limited,
    scan_folder,
)
from appeal_kit.case.platform_names import check_platform
from appeal_kit.case.reader import Reader, deepest_line, key_on_line, parser_words, suggest
from appeal_kit.errors import CaseConfigError, CaseNotFoundError
from appeal_kit.i18n import __
from appeal_kit.i18n.document import DocLang, parse_doc_lang
from appeal_kit.models import Role

CASE_FILE = "case.toml"
ORIGINALS = "originals"
ACCUSED = "accused"
DOCUMENTS = "documents"
DEFAULT_OUTPUT = "dossier"

EVENT_TYPES = (
    "submitted",
    "rejected",
    "resubmitted",
    "approved",
    "withdrawn",
    "points-deducted",
)
VIOLATION_TYPES = ("minor-edits", "direct-copy", "copyright-trademark")
MODES = ("appeal", "complaint")


TOP_LEVEL_KEYS = {
    "platform": 'platform profile in templates/platforms/ (default "aliexpress")',
    "mode": '"appeal" (we are accused) or "complaint" (we accuse)',
    "case_id": "the case or complaint id from the notice",
    "store": "your store name",
    "seller_id": "your seller id",
    "complainant": "who filed the complaint",
    "notice_received": "when the penalty notice arrived, ISO 8601 with offset",
    "violation": "one of " + ", ".join(VIOLATION_TYPES),
    "points_at_stake": "penalty points the complaint carries",
    "statement": "your own statement file (Markdown or text), relative to the case",
    "own_listing_url": "your own listing's URL",
    "own_listing_date": "when your own listing went live",
    "timezone": 'your local time zone, e.g. "Europe/Berlin"',
    "language": 'the dossier\'s language: "en", "zh" or "zh+en"',
    "accused": "[[accused]] tables",
    "pairs": "[[pairs]] tables",
    "events": "[[events]] tables",
    "deadlines": "[deadlines] overrides",
}
ACCUSED_KEYS = ("url", "first_seen", "images", "title")
PAIR_KEYS = ("accused", "original")
EVENT_KEYS = ("type", "at", "note", "points")


@dataclass(frozen=True)
class AccusedListing:
    """One listing we say copies our photos."""

    url: str
    first_seen: datetime | None
    images: tuple[str, ...] = ()
    title: str = ""
    # first_seen was given as a day without a time: show it as that day, never as a clock time.
    first_seen_day_only: bool = False


@dataclass(frozen=True)
class CaseEvent:
    """Something that happened to the case (submitted, rejected, ...)."""

    type: str
    at: datetime
    note: str = ""
    points: int | None = None


@dataclass(frozen=True)
class CaseFiles:
    """The input files of a case, sorted so output never depends on listing order."""

    originals: tuple[Path, ...]
    accused: tuple[Path, ...]
    documents: tuple[Path, ...]
    # Links in the evidence folders that lead outside the case: never read, only named.
    outside: tuple[Path, ...] = ()


@dataclass
class Case:
    """A validated case folder."""

    root: Path
    case_file: Path
    platform: str = "aliexpress"
    mode: str = "appeal"
    case_id: str = ""
    store: str = ""
    seller_id: str = ""
    complainant: str = ""
    notice_received: datetime | None = None
    violation: str = ""
    points_at_stake: int | None = None
    statement: Path | None = None
    own_listing_url: str = ""
    own_listing_date: datetime | None = None
    timezone: str | None = None
    language: DocLang = "en"
    accused_listings: list[AccusedListing] = field(default_factory=list)
    pairs: dict[Path, Path] = field(default_factory=dict)
    events: list[CaseEvent] = field(default_factory=list)
    deadline_overrides: dict[str, datetime] = field(default_factory=dict)

    @property
    def originals_dir(self) -> Path:
        """Folder of the seller's own camera originals."""
        return self.root / ORIGINALS

    @property
    def accused_dir(self) -> Path:
        """Folder of images or screenshots of the accused listing(s)."""
        return self.root / ACCUSED

    @property
    def documents_dir(self) -> Path:
        """Folder of certificates, licences and other supporting documents."""
        return self.root / DOCUMENTS

    @property
    def title(self) -> str:
        """Short name for headers: the case id, or the folder name."""
        return self.case_id or self.root.name

    def display(self, path: Path) -> str:
        """A path as shown to the user: relative to the case when inside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def link_name(self, path: Path) -> str:
        """How an evidence path is shown without following links (``originals/x.jpg``)."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.name

    def role_of(self, path: Path) -> Role:
        """``original``, ``accused`` or ``document``: which evidence folder ``path`` is in."""
        folder = self.link_name(path).split("/", 1)[0]
        if folder == ACCUSED:
            return "accused"
        return "document" if folder == DOCUMENTS else "original"

    def listing_for(self, accused_image: Path) -> AccusedListing | None:
        """The listing an accused image belongs to (by ``images`` or the only one)."""
        rel = self.display(accused_image)
        for listing in self.accused_listings:
            if rel in listing.images or accused_image.name in listing.images:
                return listing
        if len(self.accused_listings) == 1 and not self.accused_listings[0].images:
            return self.accused_listings[0]
        return None

    def first_seen(self) -> datetime | None:
        """Earliest first-seen date of any accused listing."""
        dates = [a.first_seen for a in self.accused_listings if a.first_seen]
        return min(dates) if dates else None

    def files(self) -> CaseFiles:
        """List the case's input files, sorted by relative path.

        Links leading outside the case folder are set apart in ``outside``.
        """
        root = self.root.resolve()
        listings = [
            scan_folder(folder, root)
            for folder in (self.originals_dir, self.accused_dir, self.documents_dir)
        ]
        return CaseFiles(
            originals=listings[0].files,
            accused=listings[1].files,
            documents=listings[2].files,
            outside=tuple(path for listing in listings for path in listing.outside),
        )


def list_files(folder: Path) -> tuple[Path, ...]:
    """Every regular file below ``folder`` (hidden and OS clutter files skipped)."""
    return scan_folder(folder).files


# --------------------------------------------------------------------------- loading


def case_holding(path: Path) -> tuple[Path, str] | None:
    """The case whose ``originals/``, ``accused/`` or ``documents/`` holds ``path``, and which one.

    People point a command at the folder they just copied images into; the answer
    is "use the case folder above it", not "create a case in here". The case is
    returned as the user wrote it when ``path`` is relative (``my-case``).
    """
    full = path.absolute()
    for depth, folder in enumerate(full.parents):
        if (folder / CASE_FILE).is_file():
            inside = full.relative_to(folder).parts
            if inside and inside[0] in (ORIGINALS, ACCUSED, DOCUMENTS):
                shown = path
                for _ in range(depth + 1):
                    shown = shown.parent
                if shown == path or ".." in path.parts:
                    shown = folder
                return shown, inside[0]
            return None
    return None


def find_case_file(case_dir: Path) -> Path:
    """The ``case.toml`` of a case folder, or a clear error if there is none."""
    if not case_dir.exists():
        raise CaseNotFoundError(
            __("case folder not found: {case_dir}", case_dir=case_dir),
            hint=__("create one with: appeal-kit init {case_dir}", case_dir=case_dir),
        )
    if not case_dir.is_dir():
        raise CaseNotFoundError(
            __("not a folder: {case_dir}", case_dir=case_dir),
            hint=__("pass the case folder, not a file inside it"),
        )
    case_file = case_dir / CASE_FILE
    holder = None if case_file.is_file() else case_holding(case_dir)
    if holder is not None:
        raise CaseNotFoundError(
            __(
                "{case_dir} is the {folder}/ folder of the case {case}, not a case folder",
                case_dir=case_dir,
                folder=holder[1],
                case=holder[0],
            ),
            hint=__("Run the same command on the case folder itself: {case}", case=holder[0]),
        )
    if not case_file.is_file():
        raise CaseNotFoundError(
            __("no {case_file} in {case_dir}", case_file=CASE_FILE, case_dir=case_dir),
            hint=__("create one with: appeal-kit init {case_dir}", case_dir=case_dir),
        )
    return case_file


def load_case(case_dir: Path) -> Case:
    """Read and validate a case folder. Raises ``CaseConfigError`` on any problem."""
    case_dir = case_dir.resolve()
    case_file = find_case_file(case_dir)
    raw = b""
    try:
        raw = read_limited(
            case_file,
            MAX_CASE_FILE_BYTES,
            what=CASE_FILE,
            fix=__("case.toml holds settings only; put long text in the statement file"),
        )
        text = decode_text(raw, what=CASE_FILE)
    except UnusableTextError as problem:
        raise CaseConfigError(
            problem.reason,
            path=case_file,
            line=problem.line,
            field=key_on_line(raw.decode("latin-1"), problem.line),
            hint=problem.fix,
        ) from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        # tomllib recurses once per nested array; thousands of '[' exhaust the stack.
        raise CaseConfigError(
            __("arrays or tables are nested too deeply to read"),
            path=case_file,
            line=deepest_line(text),
            field=key_on_line(text, deepest_line(text)),
            hint=__(
                "case.toml needs at most one list inside a value, e.g. "
                'images = ["accused/a.jpg"]; remove the extra [ and ] brackets'
            ),
        ) from None
    except tomllib.TOMLDecodeError as exc:
        line_match = re.search(r"line (\d+)", str(exc))
        line = int(line_match.group(1)) if line_match else None
        duplicate = "overwrite" in str(exc).lower() or "duplicate" in str(exc).lower()
        spelling = _date_spelling(text, line) if line is not None else None
        if spelling is not None:
            message, fix = spelling
            raise CaseConfigError(
                message, path=case_file, line=line, field=key_on_line(text, line), hint=fix
            ) from None
        if duplicate:
            hint = __("a key or table is set twice; keep one of them")
        elif line is not None and _looks_like_date(text, line):
            # TOML reads an impossible date (day 32, month 13, 15.10.2024) as a syntax error.
            hint = __(
                "this date is not a real one or not written year-month-day; "
                "write it like 2024-10-15T09:30:00+08:00 (or 2024-10-15 where a day is enough)"
            )
        else:
            hint = __(
                "check quotes around text and '=' between key and value; "
                "see samples/demo-case/case.toml for a working example"
            )
        raise CaseConfigError(
            __("not valid TOML: {exc}", exc=parser_words(exc)), path=case_file, line=line, hint=hint
        ) from None
    return _build_case(case_dir, case_file, text, data)


def _build_case(case_dir: Path, case_file: Path, text: str, data: dict[str, Any]) -> Case:
    reader = Reader(case_file, text, TOP_LEVEL_KEYS)
    reader.check_keys(data, tuple(TOP_LEVEL_KEYS), None, None)
    case = Case(root=case_dir, case_file=case_file)
    # Profile names are matched case-blind (load_profile lower-cases), so "AliExpress" is fine.
    case.platform = (reader.text(data, "platform") or "aliexpress").lower()
    check_platform(reader, case.platform)
    case.mode = reader.text(data, "mode") or "appeal"
    if case.mode not in MODES:
        raise reader.fail(
            __("unknown mode '{mode}'", mode=case.mode), key="mode", hint=suggest(case.mode, MODES)
        )
    case.case_id = reader.text(data, "case_id")
    case.store = reader.text(data, "store")
    case.seller_id = reader.text(data, "seller_id")
    case.complainant = reader.text(data, "complainant")
    case.notice_received = reader.moment(data, "notice_received")
    case.violation = reader.text(data, "violation")
    if case.violation and case.violation not in VIOLATION_TYPES:
        raise reader.fail(
            __("unknown violation type '{violation}'", violation=case.violation),
            key="violation",
            hint=suggest(case.violation, VIOLATION_TYPES),
        )
    points = data.get("points_at_stake")
    if points is not None and (
        not isinstance(points, int) or isinstance(points, bool) or points < 0
    ):
        raise reader.fail(
            "'points_at_stake' must be a whole number of points, 0 or more",
            key="points_at_stake",
            hint="e.g. points_at_stake = 2",
        )
    case.points_at_stake = points
    case.own_listing_url = reader.text(data, "own_listing_url")
    case.own_listing_date = reader.moment(data, "own_listing_date", need_offset=False)
    case.timezone = reader.text(data, "timezone") or None
    if case.timezone:
        _check_zone(reader, case.timezone)
    language = reader.text(data, "language") or "en"
    case.language = parse_doc_lang(language) or "en"
    if parse_doc_lang(language) is None:
        raise reader.fail(
            __("unknown dossier language '{language}'", language=language),
            key="language",
            hint='use language = "en", "zh" or "zh+en" (Chinese with English on every page)',
        )
    statement = reader.text(data, "statement")
    if statement:
        case.statement = reader.inside_case(case_dir, statement, key="statement")
        if not case.statement.is_file():
            raise reader.fail(
                __("statement file not found: {statement}", statement=statement),
                key="statement",
                hint=f"create {statement} in the case folder, or remove the line to use the template",
            )
        reader.check_statement(case.statement, statement)
    for i, entry in enumerate(reader.table_list(data, "accused")):
        reader.check_keys(entry, ACCUSED_KEYS, "accused", i)
        images = entry.get("images", [])
        if not isinstance(images, list) or not all(isinstance(x, str) for x in images):
            raise reader.fail(
                "'images' must be a list of file names",
                table="accused",
                index=i,
                key="images",
                hint='e.g. images = ["accused/listing-main.jpg"]',
            )
        for name in images:
            # Refused whether or not it exists: the message must not reveal that either.
            for rel in (name, f"{ACCUSED}/{name}"):
                reader.inside_case(case_dir, rel, table="accused", index=i, key="images")
            if not ((case_dir / name).is_file() or (case_dir / ACCUSED / name).is_file()):
                present = [p.name for p in list_files(case_dir / ACCUSED)]
                raise reader.fail(
                    __("listed image not found: {name}", name=name),
                    table="accused",
                    index=i,
                    key="images",
                    hint=(suggest(Path(name).name, present) if present else "accused/ is empty")
                    + f' — give paths like "{ACCUSED}/{present[0] if present else "listing.jpg"}"',
                )
        case.accused_listings.append(
            AccusedListing(
                url=reader.text(entry, "url", table="accused", index=i),
                first_seen=reader.moment(
                    entry, "first_seen", need_offset=False, table="accused", index=i
                ),
                images=tuple(images),
                title=reader.text(entry, "title", table="accused", index=i),
                first_seen_day_only=_is_day(entry.get("first_seen")),
            )
        )
    for i, entry in enumerate(reader.table_list(data, "pairs")):
        reader.check_keys(entry, PAIR_KEYS, "pairs", i)
        resolved: list[Path] = []
        for key, folder in (("accused", ACCUSED), ("original", ORIGINALS)):
            rel = reader.text(entry, key, table="pairs", index=i)
            target = (
                reader.inside_case(case_dir, rel, table="pairs", index=i, key=key) if rel else None
            )
            if target is None or not target.is_file():
                raise reader.fail(
                    __("{key} file not found: {path}", key=key, path=rel or "(empty)"),
                    table="pairs",
                    index=i,
                    key=key,
                    hint=f'give the path relative to the case folder, e.g. "{folder}/IMG_0001.jpg"',
                )
            resolved.append(target)
        case.pairs[resolved[0]] = resolved[1]
    for i, entry in enumerate(reader.table_list(data, "events")):
        reader.check_keys(entry, EVENT_KEYS, "events", i)
        kind = reader.text(entry, "type", table="events", index=i)
        if kind not in EVENT_TYPES:
            raise reader.fail(
                __("unknown event type '{kind}'", kind=kind),
                table="events",
                index=i,
                key="type",
                hint=suggest(kind, EVENT_TYPES),
            )
        at = reader.moment(entry, "at", table="events", index=i)
        if at is None:
            raise reader.fail(
                "event has no time",
                table="events",
                index=i,
                key="at",
                hint="add at = 2024-10-11T10:00:00+08:00",
            )
        pts = entry.get("points")
        if pts is not None and (not isinstance(pts, int) or isinstance(pts, bool)):
            raise reader.fail(
                "'points' must be a whole number",
                table="events",
                index=i,
                key="points",
                hint="e.g. points = 2",
            )
        case.events.append(
            CaseEvent(
                type=kind,
                at=at,
                note=reader.text(entry, "note", table="events", index=i),
                points=pts,
            )
        )
    case.events.sort(key=lambda e: e.at)
    overrides = data.get("deadlines", {})
    if not isinstance(overrides, dict):
        raise reader.fail(
            "'deadlines' must be a table",
            key="deadlines",
            hint="write overrides under a [deadlines] header",
        )
    for key in overrides:
        when = reader.moment(overrides, key, table="deadlines")
        if when is not None:
            case.deadline_overrides[key] = when
    _check_folders(case)
    return case


def _check_zone(reader: Reader, name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise reader.fail(
            __("unknown time zone '{name}'", name=name),
            key="timezone",
            hint='use an IANA name such as "Europe/Berlin" or "Asia/Shanghai"',
        ) from None


def _check_folders(case: Case) -> None:
    for folder in (case.originals_dir, case.accused_dir):
        if not folder.is_dir():
            raise CaseConfigError(
                __("the case has no {name}/ folder", name=folder.name),
                path=case.root,
                field=folder.name,
                hint=__(
                    "create {folder} and put the camera originals in it "
                    "(appeal-kit init creates all folders)",
                    folder=folder,
                )
                if folder.name == ORIGINALS
                else __(
                    "create {folder} and put the accused listing images in it "
                    "(appeal-kit init creates all folders)",
                    folder=folder,
                ),
            )


def _is_day(value: object) -> bool:
    """True for a bare date (TOML date or "YYYY-MM-DD"), not a date-time."""
    if isinstance(value, datetime):
        return False
    if isinstance(value, date):
        return True
    if isinstance(value, str):
        try:
            date.fromisoformat(value.strip())
        except ValueError:
            return False
        return True
    return False


def _date_spelling(text: str, line: int) -> tuple[str, str] | None:
    """What is wrong, and the fix, for a date-time TOML cannot read because of its spelling."""
    lines = text.splitlines()
    if not 0 < line <= len(lines) or "=" not in lines[line - 1]:
        return None
    key, value = (part.strip() for part in lines[line - 1].split("=", 1))
    found = re.match(
        r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?(\s*)([+\-]\d{2}:\d{2}|Z)?", value
    )
    if not found:
        return None
    day, clock, seconds, space, offset = found.groups()
    fixed = f"{key} = {day}T{clock}{seconds or ':00'}{offset or '+08:00'}"
    if space and offset:
        return (
            __(
                "'{key}' has a space between the time and its UTC offset, which TOML cannot read",
                key=key,
            ),
            __("remove the space: {fixed}", fixed=fixed),
        )
    if not seconds:
        return (
            __("'{key}' has a time without seconds, which TOML cannot read", key=key),
            __("add the seconds (':00'): {fixed}", fixed=fixed),
        )
    return None


def _looks_like_date(text: str, line: int) -> bool:
    """True when the value on ``line`` (1-based) is written like a date."""
    lines = text.splitlines()
    if not 0 < line <= len(lines) or "=" not in lines[line - 1]:
        return False
    value = lines[line - 1].split("=", 1)[1].strip()
    return bool(re.match(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}", value))

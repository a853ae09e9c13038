"""Platform rule profiles: ``templates/platforms/NAME.toml`` read into typed data.

Every number a platform imposes (hours to appeal, business days of review, penalty
points, thresholds, expiry) lives in those files with its source note and the date
it was checked; nothing here hard-codes a platform figure. This module also does the
calendar arithmetic a rule needs: hours, calendar days in the platform's zone, and
business days that skip weekends and the platform country's public holidays.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from appeal_kit.errors import CaseConfigError
from appeal_kit.i18n import __
from appeal_kit.resources import platform_profile_path, templates_dir

Unit = Literal["hours", "calendar-days", "business-days"]
StartsFrom = Literal["notice", "rejection", "submission"]
RuleKind = Literal["deadline", "expectation"]
# Which side of a case the user is on (case.toml ``mode``): accused, or accusing.
Mode = Literal["appeal", "complaint"]

UNITS: tuple[Unit, ...] = ("hours", "calendar-days", "business-days")
STARTS: tuple[StartsFrom, ...] = ("notice", "rejection", "submission")
KINDS: tuple[RuleKind, ...] = ("deadline", "expectation")
MODES: tuple[Mode, ...] = ("appeal", "complaint")

PROFILE_KEYS = ("name", "label", "country", "timezone", "notes", "rules", "points")
RULE_KEYS = (
    "name",
    "label",
    "amount",
    "earliest",
    "unit",
    "starts_from",
    "only_after",
    "kind",
    "modes",
    "source",
    "checked",
)
POINTS_KEYS = ("by_violation", "expiry_days", "source", "checked", "thresholds")
THRESHOLD_KEYS = ("name", "points", "every", "until", "effect", "duration_days", "source")


@dataclass(frozen=True)
class Rule:
    """One timed obligation (``deadline``) or platform promise (``expectation``).

    ``amount`` is the limit; for an expectation ``earliest`` is the start of the
    window (review "3-7 business days": earliest 3, amount 7). ``only_after`` makes
    a rule appear only once such an event was logged (a second counter-notice
    exists only after a rejection). ``modes`` names the sides the rule binds: an
    appeal window is the accused seller's, not a complainant's.
    """

    name: str
    label: str
    amount: int
    unit: Unit
    starts_from: StartsFrom
    kind: RuleKind
    source: str
    checked: date
    earliest: int | None = None
    only_after: StartsFrom | None = None
    modes: tuple[Mode, ...] = MODES

    def applies_to(self, mode: str) -> bool:
        """True when the rule binds a case in ``mode`` (``appeal`` or ``complaint``)."""
        return mode in self.modes

    def describe(self) -> str:
        """Human wording of the rule: ``48 hours after the notice``."""
        amount = f"{self.earliest}–{self.amount}" if self.earliest is not None else str(self.amount)
        unit = self.unit.replace("-", " ")
        return f"{amount} {unit} after the {self.starts_from}"


@dataclass(frozen=True)
class Threshold:
    """A penalty level: reached when the points in force are at least ``points``."""

    name: str
    points: int
    effect: str
    source: str = ""
    # The level repeats at points + k * every (frozen at 12, 24, 36 ...), below ``until``.
    every: int | None = None
    until: int | None = None
    duration_days: int | None = None


@dataclass(frozen=True)
class ThresholdLevel:
    """One concrete level after repeating thresholds are expanded (e.g. frozen at 24)."""

    points: int
    threshold: Threshold

    @property
    def effect(self) -> str:
        """What happens at this level."""
        return self.threshold.effect


@dataclass(frozen=True)
class PointsPolicy:
    """Penalty points: how many per violation type, thresholds and expiry."""

    by_violation: dict[str, int]
    expiry_days: int
    thresholds: tuple[Threshold, ...]
    source: str
    checked: date

    def levels(self) -> list[ThresholdLevel]:
        """Every threshold level in ascending points; a higher-ranked effect wins a tie.

        Repeating thresholds stop at ``until`` or, failing that, at the highest
        one-off threshold (a store closed at 48 is not also "frozen at 48").
        """
        ceiling = max((t.points for t in self.thresholds if t.every is None), default=0)
        by_points: dict[int, ThresholdLevel] = {}
        for threshold in self.thresholds:
            points = [threshold.points]
            if threshold.every:
                stop = threshold.until or ceiling or threshold.points + 10 * threshold.every
                points = list(range(threshold.points, stop, threshold.every)) or points
            for value in points:
                # One-off thresholds (closed) beat repeating ones (frozen) at equal points.
                if value not in by_points or threshold.every is None:
                    by_points[value] = ThresholdLevel(value, threshold)
        return [by_points[p] for p in sorted(by_points)]


@dataclass(frozen=True)
class PlatformProfile:
    """One platform's rules, as read from its profile file."""

    name: str
    label: str
    country: str
    timezone: str
    path: Path
    rules: tuple[Rule, ...]
    points: PointsPolicy | None = None
    notes: str = ""

    @property
    def zone(self) -> ZoneInfo:
        """The platform's time zone (deadlines are counted in it)."""
        return ZoneInfo(self.timezone)

    def rule(self, name: str, mode: str | None = None) -> Rule | None:
        """The rule called ``name``, if the profile has one (for ``mode``, if given)."""
        return next((r for r in self.rules_for(mode) if r.name == name), None)

    def rules_for(self, mode: str | None) -> tuple[Rule, ...]:
        """The rules that bind a case in ``mode``; every rule when ``mode`` is None."""
        return tuple(r for r in self.rules if mode is None or r.applies_to(mode))

    def is_business_day(self, day: date) -> bool:
        """True on a working day in the platform's country.

        Weekends and public holidays are off; official make-up working days on a
        weekend (China's "adjusted working days") count as working days, as far as
        the ``holidays`` library knows them (years not yet announced have none).
        """
        return _is_working_day(self.country, day)

    def add(self, start: datetime, amount: int, unit: Unit) -> datetime:
        """``start`` plus ``amount`` units, counted the way the platform counts.

        - hours: elapsed time, so a DST change anywhere does not shift it;
        - calendar days: same wall-clock time N days later in the platform's zone;
        - business days: same wall-clock time on the Nth working day after the start
          day (the start day never counts, even when it is a working day).
        The result is in the platform's zone.
        """
        zone = self.zone
        if unit == "hours":
            return (start.astimezone(UTC) + timedelta(hours=amount)).astimezone(zone)
        local = start.astimezone(zone)
        if unit == "calendar-days":
            day = local.date() + timedelta(days=amount)
        else:
            day = local.date()
            counted = 0
            while counted < amount:
                day += timedelta(days=1)
                if self.is_business_day(day):
                    counted += 1
        wall = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)
        # Round-trip through UTC so a wall time that does not exist (spring-forward
        # gap) lands on a real instant.
        return wall.astimezone(UTC).astimezone(zone)


@functools.lru_cache(maxsize=16)
def _holiday_calendar(country: str) -> Any:
    # Imported here: the holidays package is large, and only a business-day count needs it.
    import holidays

    return holidays.country_holidays(country)


def _is_working_day(country: str, day: date) -> bool:
    calendar = _holiday_calendar(country)
    # Membership test first: it loads the year, which also fills weekend_workdays.
    if day in calendar:
        return False
    weekend = getattr(calendar, "weekend", {5, 6})
    if day.weekday() in weekend:
        return day in getattr(calendar, "weekend_workdays", set())
    return True


def available_profiles() -> list[str]:
    """Names of the bundled platform profiles, sorted."""
    folder = templates_dir() / "platforms"
    return sorted(p.stem for p in folder.glob("*.toml"))


def load_profile(name: str) -> PlatformProfile:
    """Read and validate ``templates/platforms/NAME.toml``.

    Raises ``CaseConfigError`` naming the profile file and the field for a bad
    profile, and listing the available profiles for an unknown name.
    """
    return _load_profile_cached(name.strip().lower())


@functools.lru_cache(maxsize=32)
def _load_profile_cached(name: str) -> PlatformProfile:
    path = platform_profile_path(name)
    if not name or not path.is_file():
        available = available_profiles()
        raise CaseConfigError(
            __("unknown platform '{name}'", name=name),
            path=path,
            field="platform",
            hint=__("set platform in case.toml to one of: {choices}", choices=", ".join(available)),
        )
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseConfigError(
            __("platform profile is not valid TOML: {exc}", exc=exc),
            path=path,
            hint=__("fix the profile file or reinstall appeal-kit"),
        ) from None
    return _ProfileReader(path, text).profile(name, data)


class _ProfileReader:
    """Validates a parsed profile; every error names the profile file and field."""

    def __init__(self, path: Path, text: str = "") -> None:
        self.path = path
        self.text_lines = text.splitlines()

    def fail(self, field: str, message: str) -> CaseConfigError:
        return CaseConfigError(
            message,
            path=self.path,
            line=self.line_of(field),
            field=field,
            hint=__(
                "compare with templates/platforms/aliexpress.toml, whose comments "
                "document every key"
            ),
        )

    def line_of(self, field: str) -> int | None:
        """The line of ``rules[N].key`` in the file, so an error points at it.

        Only rule fields: other keys are unique in the file, and their name alone
        finds them. None when the key is not written (a missing required key).
        """
        found = re.fullmatch(r"rules\[([0-9]+)\]\.(\w+)", field)
        if found is None:
            return None
        index, key = int(found[1]), found[2]
        seen, current = -1, None
        for number, line in enumerate(self.text_lines, start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                # Another table header ([points], ...) ends the current rule.
                is_rule = stripped.replace(" ", "") == "[[rules]]"
                seen += is_rule
                current = seen if is_rule else None
            elif current == index and re.match(rf"{re.escape(key)}\s*=", stripped):
                return number
        return None

    def modes(self, data: dict[str, Any], where: str) -> tuple[Mode, ...]:
        value = data.get("modes", list(MODES))
        if (
            not isinstance(value, list)
            or not value
            or any(item not in MODES for item in value)
            or len(set(value)) != len(value)
        ):
            raise CaseConfigError(
                __(
                    "'modes' is {value!r}; it must list one or both of: {choices}",
                    value=value,
                    choices=", ".join(MODES),
                ),
                path=self.path,
                line=self.line_of(f"{where}modes"),
                field=f"{where}modes",
                hint=__(
                    'write modes = ["appeal"] for a rule only the accused side must meet, '
                    "or leave modes out when it binds both sides"
                ),
            )
        return tuple(cast(Mode, item) for item in value)

    def keys(self, data: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in data:
            if key not in allowed:
                raise self.fail(f"{where}.{key}".lstrip("."), __("unknown key '{key}'", key=key))

    def text(self, data: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = data.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{where}{key}", __("'{key}' must be non-empty text", key=key))
        return value.strip()

    def count(self, data: dict[str, Any], key: str, where: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(
                f"{where}{key}", __("'{key}' must be a whole number, 0 or more", key=key)
            )
        return value

    def day(self, data: dict[str, Any], key: str, where: str) -> date:
        value = data.get(key)
        if not isinstance(value, date) or isinstance(value, datetime):
            raise self.fail(f"{where}{key}", __("'{key}' must be a date like 2026-11-22", key=key))
        return value

    def choice(self, data: dict[str, Any], key: str, where: str, allowed: tuple[str, ...]) -> str:
        value = data.get(key)
        if value not in allowed:
            raise self.fail(
                f"{where}{key}",
                __(
                    "'{key}' is {value!r}; allowed: {choices}",
                    key=key,
                    value=value,
                    choices=", ".join(allowed),
                ),
            )
        return cast(str, value)

    def profile(self, name: str, data: dict[str, Any]) -> PlatformProfile:
        self.keys(data, PROFILE_KEYS, "")
        if self.text(data, "name", "") != name:
            raise self.fail("name", __("'name' must equal the file name '{name}'", name=name))
        timezone = self.text(data, "timezone", "")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(
                "timezone", __("unknown time zone '{timezone}'", timezone=timezone)
            ) from None
        country = self.text(data, "country", "")
        try:
            _holiday_calendar(country)
        except NotImplementedError:
            raise self.fail(
                "country", __("no holiday calendar for country '{country}'", country=country)
            ) from None
        raw_rules = data.get("rules", [])
        if not isinstance(raw_rules, list):
            raise self.fail("rules", __("write each rule under its own [[rules]] header"))
        rules = tuple(self.rule(i, r) for i, r in enumerate(raw_rules))
        names = [r.name for r in rules]
        if len(set(names)) != len(names):
            raise self.fail("rules", __("two rules share a name; names must be unique"))
        points = data.get("points")
        return PlatformProfile(
            name=name,
            label=self.text(data, "label", ""),
            country=country,
            timezone=timezone,
            path=self.path,
            rules=rules,
            points=self.points(points) if points is not None else None,
            notes=self.text(data, "notes", "", required=False),
        )

    def rule(self, index: int, data: Any) -> Rule:
        where = f"rules[{index}]."
        if not isinstance(data, dict):
            raise self.fail(where.rstrip("."), __("a rule must be a table"))
        self.keys(data, RULE_KEYS, where.rstrip("."))
        amount = self.count(data, "amount", where)
        if amount is None:
            raise self.fail(f"{where}amount", __("'amount' is required"))
        earliest = self.count(data, "earliest", where)
        if earliest is not None and earliest > amount:
            raise self.fail(f"{where}earliest", __("'earliest' must not exceed 'amount'"))
        only_after = data.get("only_after")
        if only_after is not None:
            only_after = self.choice(data, "only_after", where, STARTS)
        return Rule(
            name=self.text(data, "name", where),
            label=self.text(data, "label", where),
            amount=amount,
            unit=cast(Unit, self.choice(data, "unit", where, UNITS)),
            starts_from=cast(StartsFrom, self.choice(data, "starts_from", where, STARTS)),
            kind=cast(RuleKind, self.choice(data, "kind", where, KINDS)),
            source=self.text(data, "source", where),
            checked=self.day(data, "checked", where),
            earliest=earliest,
            only_after=cast("StartsFrom | None", only_after),
            modes=self.modes(data, where),
        )

    def points(self, data: Any) -> PointsPolicy:
        if not isinstance(data, dict):
            raise self.fail("points", __("'points' must be a table"))
        self.keys(data, POINTS_KEYS, "points")
        by_violation = data.get("by_violation", {})
        if not isinstance(by_violation, dict):
            raise self.fail("points.by_violation", __("'by_violation' must be a table"))
        for key in by_violation:
            self.count(by_violation, key, "points.by_violation.")
        expiry = self.count(data, "expiry_days", "points.")
        if not expiry:
            raise self.fail("points.expiry_days", __("'expiry_days' is required and above 0"))
        raw = data.get("thresholds", [])
        if not isinstance(raw, list):
            raise self.fail("points.thresholds", __("write each under [[points.thresholds]]"))
        thresholds: list[Threshold] = []
        for i, entry in enumerate(raw):
            where = f"points.thresholds[{i}]."
            if not isinstance(entry, dict):
                raise self.fail(where.rstrip("."), __("a threshold must be a table"))
            self.keys(entry, THRESHOLD_KEYS, where.rstrip("."))
            at = self.count(entry, "points", where)
            if not at:
                raise self.fail(f"{where}points", __("'points' is required and above 0"))
            thresholds.append(
                Threshold(
                    name=self.text(entry, "name", where),
                    points=at,
                    effect=self.text(entry, "effect", where),
                    source=self.text(entry, "source", where, required=False),
                    every=self.count(entry, "every", where) or None,
                    until=self.count(entry, "until", where),
                    duration_days=self.count(entry, "duration_days", where),
                )
            )
        return PointsPolicy(
            by_violation={k: int(v) for k, v in by_violation.items()},
            expiry_days=expiry,
            thresholds=tuple(thresholds),
            source=self.text(data, "source", "points."),
            checked=self.day(data, "checked", "points."),
        )

"""How the dossier names the other side, compares times and says whole sentences.

Below ``facts`` and the page builders, which all read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from appeal_kit.i18n.document import N_, TextLang, format_date, format_day, translate
from appeal_kit.models import ImageMetadata, MatchResult

if TYPE_CHECKING:
    from pathlib import Path

    from appeal_kit.case.config import Case
    from appeal_kit.evidence.shoots import Shoot


class Say:
    """Whole sentences in the dossier's language: ``say(N_("... {x} ..."), x=1)``.

    Messages are marked with ``N_`` where they are written, so Babel extracts them;
    ``n`` picks the singular or plural whole sentence and fills ``{count}``.
    """

    def __init__(self, lang: TextLang = "en") -> None:
        self.lang: TextLang = lang

    def __call__(self, message: str, **fields: str | int) -> str:
        return _one_stop(translate(message, self.lang, **fields))

    def n(self, count: int, one: str, many: str, **fields: str | int) -> str:
        """``one`` when ``count`` is 1, else ``many``, with ``{count}`` filled in."""
        return _one_stop(translate(one if count == 1 else many, self.lang, count=count, **fields))

    def day(self, value: datetime) -> str:
        """A day as this language writes it: 2024-10-15, or 2024年10月15日 in Chinese."""
        return format_day(value, self.lang)

    def time(self, value: datetime) -> str:
        """A time in its own zone: 2024-10-16 11:20 +08:00, or 2024年10月16日 11:20（北京时间）."""
        if self.lang == "zh":
            return format_date(value, "zh", getattr(value.tzinfo, "key", None))
        text = value.strftime("%Y-%m-%d %H:%M")
        offset = value.strftime("%z")  # a time without its zone is hours off for a reviewer
        return f"{text} {offset[:3]}:{offset[3:]}" if offset else text

    def join(self, sentences: Iterable[str]) -> str:
        """Sentences as one paragraph; Chinese sentences follow each other without a space."""
        return ("" if self.lang == "zh" else " ").join(sentences)


def _one_stop(sentence: str) -> str:
    """One full stop where a filled-in name already ends with one ("Co.." -> "Co.")."""
    if sentence.endswith("..") and not sentence.endswith("..."):
        return sentence[:-1]
    return sentence


# --------------------------------------------------------------------------- facts

# Where in the dossier a fact's evidence is (part titles as the contents list them).
ON_ORIGINALS = "Evidence: our originals"
ON_COMPARISONS = "Comparisons"
ON_TIMELINE = "Timeline"
ON_FRAMES = "Other frames from our shoots"
ON_DOCUMENTS = "Supporting documents"
ON_COVER = "Cover"


@dataclass(frozen=True)
class Fact:
    """One thing the build established, and how the dossier says it.

    ``sentence`` is the claim when ``holds``, else what is known instead ("" when
    nothing needs saying). ``evidence`` names the part of the dossier that shows
    it. ``weight`` ranks the facts for page 1 (0: never a headline).
    """

    key: str
    holds: bool
    sentence: str
    evidence: str
    weight: int = 0


# --------------------------------------------------------------------------- matches


def confirmed_originals(matches: Iterable[MatchResult]) -> set[Path]:
    """Originals an image of theirs is confirmed as a copy of (verdict ``match`` only).

    A 'possible' pair is shown, with its doubt, but never argued from: capture
    dates, cameras and shoots are said only of confirmed originals.
    """
    return {m.original for m in matches if m.verdict == "match" and m.original is not None}


def outtake_frames(shoots: Iterable[Shoot], matches: Iterable[MatchResult]) -> list[ImageMetadata]:
    """Other frames of the shoots of confirmed originals, not themselves in a comparison.

    ``check`` ("belongs to no shoot of a matched original") and the dossier's
    other-frames page both use this, so they agree on which frames count.
    """
    matches = list(matches)
    confirmed = confirmed_originals(matches)
    compared = {m.original for m in matches if m.original is not None and m.verdict != "none"}
    return [
        frame
        for shoot in shoots
        if any(f.path in confirmed for f in shoot.frames)
        for frame in shoot.frames
        if frame.path not in compared
    ]


def frame_shoots(shoots: Iterable[Shoot], frames: Iterable[ImageMetadata]) -> list[Shoot]:
    """The shoots (as ``group_shoots`` formed them) that hold any of ``frames``, in order."""
    paths = {f.path for f in frames}
    return sorted(
        (s for s in shoots if any(f.path in paths for f in s.frames)), key=lambda s: s.index
    )


def shoot_days(shoots: Iterable[Shoot], lang: TextLang) -> str:
    """Shoots named by when each began: ``2024-03-10, 2024-03-12`` (``、`` in Chinese).

    Two shoots on one day are told apart by their start time as well.
    """
    shoots = list(shoots)
    days = [format_day(s.start, lang) for s in shoots]
    if len(set(days)) < len(days):
        days = [f"{d} {s.start:%H:%M}" for d, s in zip(days, shoots, strict=True)]
    return ("、" if lang == "zh" else ", ").join(days)


# --------------------------------------------------------------------------- roles


@dataclass(frozen=True)
class Roles:
    """The other side and their listing, named as the platform names them.

    In an appeal the other side is the complainant; "accused" would point at the
    seller who is appealing. In a complaint we accuse, so theirs is the infringing
    listing. The case folder keeps ``accused/`` for both (compatibility).
    """

    party: str  # "the complainant"
    listing: str  # "the complainant's listing"
    listings: str  # heading for the list of their listings
    image: str  # "the complainant's image"
    image_label: str  # column or caption label for one of their images
    listing_label: str  # table label for their listing ("The complainant's listing")


# Marked for the catalog; pass each through ``translate`` where it is shown.
APPEAL_ROLES = Roles(
    party=N_("the complainant"),
    listing=N_("the complainant's listing"),
    listings=N_("The complainant's listings"),
    image=N_("the complainant's image"),
    image_label=N_("Complainant's listing image"),
    listing_label=N_("The complainant's listing"),
)
COMPLAINT_ROLES = Roles(
    party=N_("the infringing seller"),
    listing=N_("the infringing listing"),
    listings=N_("The infringing listings"),
    image=N_("the infringing image"),
    image_label=N_("Infringing listing image"),
    listing_label=N_("The infringing listing"),
)


def roles_for(case: Case) -> Roles:
    """How this case names the other side."""
    return COMPLAINT_ROLES if case.mode == "complaint" else APPEAL_ROLES


# --------------------------------------------------------------------------- times


def calendar_days(earlier: datetime, later: datetime) -> int:
    """Calendar days between the two days as ``Say.day`` prints them (negative when reversed).

    Each day is read in the zone its value is printed in, so a reviewer who counts
    on a calendar from one printed date to the other gets the same number; whole
    24-hour periods would be one short when the earlier time is later in its day.
    """
    return (later.date() - earlier.date()).days


@dataclass(frozen=True)
class TimeRule:
    """How capture times are compared when some have no UTC offset.

    With the case's ``timezone`` set, a time without an offset is read in that zone
    and everything is compared in UTC. Without it, and with some offsets missing,
    every time is compared as the local clock time it shows (offsets dropped), so a
    day count can be off by one; ``note`` says so on the page.
    """

    zone: tzinfo | None
    zone_name: str
    missing_offsets: int

    @property
    def local_clock(self) -> bool:
        """True when times are compared as local clock times (no zone to read them in)."""
        return self.zone is None and self.missing_offsets > 0

    def at(self, value: datetime) -> datetime:
        """``value`` in the rule's common frame (UTC, or naive local clock time)."""
        if self.local_clock:
            return value.replace(tzinfo=None)
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone or UTC)
        return value.astimezone(UTC)

    def days(self, earlier: datetime, later: datetime) -> int:
        """Calendar days from ``earlier`` to ``later`` (negative when reversed)."""
        return calendar_days(earlier, later)

    def note(self, say: Say) -> str:
        """The rule in one sentence for the page, or "" when every time has an offset."""
        if self.missing_offsets == 0:
            return ""
        if self.local_clock:
            return say.n(
                self.missing_offsets,
                N_(
                    "One original records no UTC offset and the case sets no time zone, so "
                    "capture times are compared as local clock times; a day count can be off "
                    "by one."
                ),
                N_(
                    "{count} originals record no UTC offset and the case sets no time zone, so "
                    "capture times are compared as local clock times; a day count can be off "
                    "by one."
                ),
            )
        return say(
            N_(
                "Capture times without a UTC offset are read as {zone} time, the seller's time zone."
            ),
            zone=self.zone_name,
        )


def time_rule(case: Case, originals: list[ImageMetadata]) -> TimeRule:
    """The rule for this case's originals (see ``TimeRule``)."""
    missing = sum(
        1 for m in originals if m.ok and m.captured_at is not None and m.captured_at.tzinfo is None
    )
    zone: tzinfo | None = None
    if case.timezone:
        try:
            zone = ZoneInfo(case.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
    return TimeRule(zone, case.timezone or "", missing)

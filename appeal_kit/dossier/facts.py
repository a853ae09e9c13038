"""The facts the build established, and every sentence the dossier says about them.

``establish`` turns an ``Analysis`` into ``CaseFacts``: one ``Fact`` per claim the
dossier could make (captured before the complainant's listing, a crop of our
frame, the originals still matching their camera thumbnails, ...). A fact knows whether it
holds, which part of the dossier shows its evidence, and one whole sentence: the
claim when it holds, what *is* known when it does not. The statement, the cover
and the timeline take their sentences from here, so no page can claim what
another page disproves.

Capture times without a UTC offset are compared under one stated rule
(``TimeRule``): in the case's ``timezone`` when it is set, else every time as a
local clock time, and the dossier says a day count can then be off by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from appeal_kit.dossier.copy_facts import crop_fact, larger_fact, match_fact
from appeal_kit.dossier.rules import (
    APPEAL_ROLES,
    ON_COVER,
    ON_DOCUMENTS,
    ON_FRAMES,
    ON_ORIGINALS,
    ON_TIMELINE,
    Fact,
    Roles,
    Say,
    TimeRule,
    confirmed_originals,
    frame_shoots,
    outtake_frames,
    roles_for,
    shoot_days,
    time_rule,
)
from appeal_kit.i18n.document import N_, TextLang
from appeal_kit.models import ImageMetadata

if TYPE_CHECKING:
    from appeal_kit.analysis import Analysis
    from appeal_kit.case.config import Case

# ``Fact`` lives in ``rules`` (shared with ``copy_facts``); importers keep reading it here.
__all__ = [
    "PLATFORM_NAMES",
    "CaseFacts",
    "Fact",
    "establish",
    "iso_day",
    "matched_originals",
]

# Marked for the catalog: Chinese sellers say 速卖通, 亚马逊.
PLATFORM_NAMES = {
    "aliexpress": N_("AliExpress"),
    "alibaba-ipp": N_("Alibaba IPP"),
    "amazon": N_("Amazon"),
    "ebay-vero": N_("eBay VeRO"),
    "dmca": N_("DMCA"),
}


def iso_day(value: datetime) -> str:
    """A date as YYYY-MM-DD (language-neutral; the same in every translation)."""
    return value.strftime("%Y-%m-%d")


# --------------------------------------------------------------------------- facts


@dataclass
class CaseFacts:
    """Every fact of a case, in the order the statement says them."""

    facts: list[Fact]
    rule: TimeRule
    roles: Roles = APPEAL_ROLES
    # Whole days from our earliest matched capture to the first sighting, when both are known.
    days_before: int | None = None
    lang: TextLang = "en"

    def get(self, key: str) -> Fact | None:
        """The fact named ``key``, if the case has one."""
        return next((f for f in self.facts if f.key == key), None)

    def holds(self, key: str) -> bool:
        """True when the fact ``key`` exists and holds."""
        fact = self.get(key)
        return fact is not None and fact.holds

    def headlines(self, limit: int = 4) -> list[Fact]:
        """The strongest facts that hold, strongest first (page 1)."""
        strong = [f for f in self.facts if f.holds and f.weight > 0 and f.sentence]
        return sorted(strong, key=lambda f: -f.weight)[:limit]

    def sentences(self) -> list[str]:
        """The statement's sentences, in order (holding or not), without empty ones.

        The filed-in-time line is the cover's: the statement is written before filing.
        """
        return [f.sentence for f in self.facts if f.sentence and f.evidence != ON_COVER]


def matched_originals(analysis: Analysis) -> list[ImageMetadata]:
    """Metadata of the originals an image of theirs is confirmed as a copy of, by path.

    Only ``match`` pairs: a dossier argues from capture dates and cameras of
    originals it has shown were copied, never of a pair it calls 'possible'.
    """
    wanted = confirmed_originals(analysis.matches)
    return sorted((m for m in analysis.originals if m.path in wanted), key=lambda m: m.display_path)


def _name(meta: ImageMetadata) -> str:
    return meta.display_path.rsplit("/", 1)[-1]


def _as_camera_wrote(meta: ImageMetadata) -> bool:
    """True when nothing says the file changed since capture and its thumbnail agrees."""
    changed = {"modified-after-capture", "edited-with-software", "thumbnail-differs"}
    return meta.thumbnail_matches is True and not any(f.code in changed for f in meta.findings)


def _unconfirmed_capture_fact(
    originals: list[ImageMetadata], rule: TimeRule, say: Say, roles: Roles
) -> Fact:
    """No copy confirmed: when our originals were taken, and that none is shown copied."""
    dated = sorted((m.captured_at for m in originals if m.captured_at is not None), key=rule.at)
    if not dated:
        return Fact("captured", False, "", ON_ORIGINALS)
    fields: dict[str, str | int] = {
        "first": say.day(dated[0]),
        "last": say.day(dated[-1]),
        "listing": say(roles.listing),
    }
    if fields["first"] == fields["last"]:
        sentence = say.n(
            len(dated),
            N_(
                "Our original was captured on {first}; it is not confirmed as the source of an "
                "image of {listing}."
            ),
            N_(
                "Our {count} originals were captured on {first}; none is confirmed as the "
                "source of an image of {listing}."
            ),
            **fields,
        )
    else:
        sentence = say.n(
            len(dated),
            N_(
                "Our original was captured on {first}; it is not confirmed as the source of an "
                "image of {listing}."
            ),
            N_(
                "Our {count} originals were captured from {first} to {last}; none is "
                "confirmed as the source of an image of {listing}."
            ),
            **fields,
        )
    return Fact("captured", False, sentence, ON_ORIGINALS)


def _capture_fact(matched: list[ImageMetadata], rule: TimeRule, say: Say) -> Fact:
    dated = [m for m in matched if m.captured_at is not None]
    if not matched:
        return Fact("captured", False, "", ON_ORIGINALS)
    if not dated:
        sentence = say(N_("None of the matched originals records a capture time."))
        return Fact("captured", False, sentence, ON_ORIGINALS)
    dated.sort(key=lambda m: rule.at(m.captured_at))  # type: ignore[arg-type]
    first, last = dated[0].captured_at, dated[-1].captured_at
    assert first is not None and last is not None
    bodies: list[str] = []
    for meta in dated:
        if not meta.camera:
            continue
        body = (
            say(N_("{camera} (serial {serial})"), camera=meta.camera, serial=meta.serial)
            if meta.serial
            else say(N_("{camera} (serial not recorded)"), camera=meta.camera)
        )
        if body not in bodies:
            bodies.append(body)
    days = {"first": say.day(first), "last": say.day(last), "cameras": "; ".join(bodies)}
    one_day = days["first"] == days["last"]
    if not bodies:
        sentence = (
            say(N_("Our matched originals were captured on {first}; they name no camera."), **days)
            if one_day
            else say(
                N_(
                    "Our matched originals were captured from {first} to {last}; they name no camera."
                ),
                **days,
            )
        )
    elif one_day:
        sentence = say.n(
            len(bodies),
            N_("Our matched originals were captured on {first} with one camera: {cameras}."),
            N_("Our matched originals were captured on {first} with {count} cameras: {cameras}."),
            **days,
        )
    else:
        sentence = say.n(
            len(bodies),
            N_(
                "Our matched originals were captured from {first} to {last} with one camera: {cameras}."
            ),
            N_(
                "Our matched originals were captured from {first} to {last} with {count} "
                "cameras: {cameras}."
            ),
            **days,
        )
    return Fact("captured", True, sentence, ON_ORIGINALS)


def _before_fact(
    matched: list[ImageMetadata], case: Case, rule: TimeRule, say: Say, roles: Roles
) -> tuple[Fact, int | None]:
    dated = [m.captured_at for m in matched if m.captured_at is not None]
    first_seen = case.first_seen()
    listing = say(roles.listing)
    if first_seen is None:
        sentence = say(
            N_("The date {listing} was first seen is not recorded in this case."), listing=listing
        )
        return Fact("captured-before", False, sentence, ON_TIMELINE), None
    if not dated:
        return Fact("captured-before", False, "", ON_TIMELINE), None
    earliest = min(dated, key=rule.at)
    days = rule.days(earliest, first_seen)
    fields: dict[str, str | int] = {
        "capture_day": say.day(earliest),
        "seen_day": say.day(first_seen),
        "listing": listing,
    }
    if days >= 0:
        sentence = say.n(
            days,
            N_(
                "Our earliest matched original was captured on {capture_day}, 1 day before "
                "{listing} was first seen ({seen_day})."
            ),
            N_(
                "Our earliest matched original was captured on {capture_day}, {count} days "
                "before {listing} was first seen ({seen_day})."
            ),
            **fields,
        )
        return Fact("captured-before", True, sentence, ON_TIMELINE, 100), days
    sentence = say.n(
        -days,
        N_(
            "Our earliest matched original was captured on {capture_day}, 1 day after "
            "{listing} was first seen ({seen_day})."
        ),
        N_(
            "Our earliest matched original was captured on {capture_day}, {count} days after "
            "{listing} was first seen ({seen_day})."
        ),
        **fields,
    )
    return Fact("captured-before", False, sentence, ON_TIMELINE), days


def _listing_fact(case: Case, rule: TimeRule, say: Say, roles: Roles) -> Fact | None:
    own, first_seen = case.own_listing_date, case.first_seen()
    if own is None:
        return None
    if first_seen is None:
        sentence = say(N_("Our own listing has been live since {day}."), day=say.day(own))
        return Fact("listing-before", False, sentence, ON_TIMELINE)
    days = rule.days(own, first_seen)
    fields: dict[str, str | int] = {"day": say.day(own), "listing": say(roles.listing)}
    if days > 0:
        sentence = say.n(
            days,
            N_("Our own listing has been live since {day}, 1 day before {listing} was first seen."),
            N_(
                "Our own listing has been live since {day}, {count} days before {listing} was "
                "first seen."
            ),
            **fields,
        )
        return Fact("listing-before", True, sentence, ON_TIMELINE, 90)
    sentence = say(
        N_("Our own listing went live on {day}, not before {listing} was first seen."), **fields
    )
    return Fact("listing-before", False, sentence, ON_TIMELINE)


def _frames_fact(analysis: Analysis, say: Say) -> Fact:
    # The frames the other-frames page shows: shoots of confirmed originals only.
    others = outtake_frames(analysis.shoots, analysis.matches)
    if not others:
        return Fact("other-frames", False, "", ON_FRAMES)
    # Only the shoots that have other frames: their camera is "the same camera".
    shoots = frame_shoots(analysis.shoots, others)
    serials = sorted({s.serial for s in shoots if s.serial})
    cameras = sorted({s.camera for s in shoots if s.camera})
    # Shoots as group_shoots formed them (a pause of hours starts a new one), named by
    # day: "the same shoot" of frames from two shoots would be false.
    if len(serials) > 1 or len(cameras) > 1:
        sentence = say(
            N_(
                "{count} more frames from {shoots} shoots ({days}) are included, each from the "
                "camera of its shoot; only the photographer holds the whole shoots."
            ),
            count=len(others),
            shoots=len(shoots),
            days=shoot_days(shoots, say.lang),
        )
    elif len(shoots) > 1:
        sentence = say(
            N_(
                "{count} more frames from {shoots} shoots ({days}) with the same camera "
                "({camera}) are included; only the photographer holds the whole shoots."
            ),
            count=len(others),
            shoots=len(shoots),
            days=shoot_days(shoots, say.lang),
            camera=say(N_("serial {serial}"), serial=serials[0])
            if serials
            else ", ".join(cameras) or say(N_("camera not recorded")),
        )
    elif serials:
        sentence = say.n(
            len(others),
            N_(
                "1 more frame of the same shoot, from the same camera (serial {serial}), is "
                "included; only the photographer holds the whole shoot."
            ),
            N_(
                "{count} more frames of the same shoot, from the same camera (serial {serial}), "
                "are included; only the photographer holds the whole shoot."
            ),
            serial=", ".join(serials),
        )
    else:
        sentence = say.n(
            len(others),
            N_(
                "1 more frame of the same shoot, from the same camera model ({camera}), is "
                "included; only the photographer holds the whole shoot."
            ),
            N_(
                "{count} more frames of the same shoot, from the same camera model ({camera}), "
                "are included; only the photographer holds the whole shoot."
            ),
            camera=", ".join(cameras) or say(N_("camera not recorded")),
        )
    return Fact("other-frames", True, sentence, ON_FRAMES, 70)


def _in_a_shoot(analysis: Analysis, meta: ImageMetadata) -> bool:
    """True when ``meta`` belongs to a shoot with other frames (same body, same session)."""
    return any(len(s.frames) > 1 and meta in s.frames for s in analysis.shoots)


def _originals_facts(analysis: Analysis, say: Say) -> list[Fact]:
    """Unchanged since capture: said only of files whose camera thumbnail agrees."""
    originals = sorted(analysis.usable_originals, key=lambda m: m.display_path)
    if not originals:
        return [Fact("unchanged", False, say(N_("No usable original was supplied.")), ON_ORIGINALS)]
    kept = [m for m in originals if _as_camera_wrote(m)]
    if len(kept) == len(originals):
        sentence = say.n(
            len(originals),
            N_(
                "Our original still matches the thumbnail the camera embedded in it: not "
                "re-framed since capture. Its SHA-256 is in the manifest."
            ),
            N_(
                "All {count} originals still match the thumbnails the camera embedded in them: "
                "not re-framed since capture. Each SHA-256 is in the manifest."
            ),
        )
        return [Fact("unchanged", True, sentence, ON_ORIGINALS, 40)]
    facts: list[Fact] = []
    for meta in originals:
        if meta in kept:
            continue
        name, of_shoot = _name(meta), _in_a_shoot(analysis, meta) and meta.serial
        if meta.thumbnail_matches is False:
            text = (
                say(
                    N_(
                        "{name} was re-saved after capture (its camera thumbnail differs); its "
                        "capture time and serial are those of the shoot."
                    ),
                    name=name,
                )
                if of_shoot
                else say(
                    N_("{name} was re-saved after capture (its camera thumbnail differs)."),
                    name=name,
                )
            )
        elif any(
            f.code in ("modified-after-capture", "edited-with-software") for f in meta.findings
        ):
            text = (
                say(
                    N_(
                        "{name} was saved again after capture (its metadata says so); its "
                        "capture time and serial are those of the shoot."
                    ),
                    name=name,
                )
                if of_shoot
                else say(
                    N_("{name} was saved again after capture (its metadata says so)."), name=name
                )
            )
        else:
            continue  # not checked (no thumbnail): neither claimed unchanged nor edited
        facts.append(Fact("re-saved", False, text, ON_ORIGINALS))
    if kept:
        facts.append(
            Fact(
                "unchanged-some",
                True,
                say.n(
                    len(kept),
                    N_(
                        "1 other original still matches the thumbnail the camera embedded "
                        "in it: not re-framed since capture."
                    ),
                    N_(
                        "{count} other originals still match the thumbnails the camera "
                        "embedded in them: not re-framed since capture."
                    ),
                ),
                ON_ORIGINALS,
            )
        )
    hashed = say.n(
        len(originals),
        N_("The original is listed with its SHA-256 in the manifest."),
        N_("All {count} originals are listed with their SHA-256 in the manifest."),
    )
    return [*facts, Fact("hashed", True, hashed, ON_ORIGINALS)]


def _filed_fact(analysis: Analysis, say: Say) -> Fact | None:
    """In an appeal: the appeal went in within the platform's window."""
    from appeal_kit.models import DeadlineState

    if analysis.case.mode == "complaint":
        return None
    for deadline in analysis.deadlines:
        if deadline.kind != "deadline" or deadline.settled_at is None:
            continue
        if deadline.state == DeadlineState.DONE:
            zone = deadline.due.tzinfo
            sentence = say(
                N_("This appeal was filed on {filed}, within the platform's window (due {due})."),
                filed=say.time(deadline.settled_at.astimezone(zone)),
                due=say.time(deadline.due),
            )
            return Fact("filed-in-time", True, sentence, ON_COVER)
    return None


def establish(analysis: Analysis, lang: TextLang = "en") -> CaseFacts:
    """Every fact of the case, each with its sentence (in ``lang``) and its evidence part."""
    case, say = analysis.case, Say(lang)
    roles = roles_for(case)
    matched = matched_originals(analysis)
    rule = time_rule(case, analysis.originals)
    before, days_before = _before_fact(matched, case, rule, say, roles)
    facts: list[Fact] = [before]
    optional = [
        _listing_fact(case, rule, say, roles),
        match_fact(analysis, say, roles),
        crop_fact(analysis, say),
        larger_fact(analysis, say),
        _capture_fact(matched, rule, say)
        if matched
        else _unconfirmed_capture_fact(analysis.usable_originals, rule, say, roles),
    ]
    facts += [f for f in optional if f is not None]
    facts += _originals_facts(analysis, say)
    facts.append(_frames_fact(analysis, say))
    if rule.missing_offsets:
        facts.append(Fact("time-rule", True, rule.note(say), ON_ORIGINALS))
    if analysis.documents:
        attached = say.n(
            len(analysis.documents),
            N_("1 supporting document is attached."),
            N_("{count} supporting documents are attached."),
        )
        facts.append(Fact("documents", True, attached, ON_DOCUMENTS))
    filed = _filed_fact(analysis, say)
    if filed is not None:
        facts.append(filed)
    return CaseFacts(facts=facts, rule=rule, roles=roles, days_before=days_before, lang=lang)

"""Pre-flight: every weakness of a case before the seller submits it.

Each finding has a severity (blocker, warning, info) and says what to do. The
``check`` command exits non-zero on blockers; ``build`` prints the same list.
Findings stay out of the PDF: they are advice to the seller, not evidence.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PIL import Image

from appeal_kit.dossier.rules import outtake_frames, time_rule
from appeal_kit.evidence.metadata import TIMEZONE_UNKNOWN, timezone_advice
from appeal_kit.i18n import __, console_language, duration__, english, zone_name
from appeal_kit.i18n.console import Translated
from appeal_kit.models import DeadlineState, Finding, ImageMetadata, MatchResult
from appeal_kit.options import BuildOptions

if TYPE_CHECKING:
    from appeal_kit.analysis import Analysis

SEVERITY_ORDER = {"blocker": 0, "warning": 1, "info": 2}
# Violation types for which a reviewer expects a certificate, licence or registration.
NEEDS_DOCUMENT = ("copyright-trademark",)


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.path or ""))


def run_checks(analysis: Analysis, *, now: datetime | None = None) -> list[Finding]:
    """All findings for an analysed case, worst first.

    ``now`` decides "due soon" and "missed"; it defaults to ``options.as_of`` or the clock.
    """
    from appeal_kit.tracking.deadlines import compute_deadlines

    case = analysis.case
    found: list[Finding] = []
    originals = analysis.usable_originals
    dated = [m for m in originals if m.captured_at is not None]
    if not originals:
        found.append(
            Finding(
                "blocker",
                "no-originals",
                __("No usable original image in originals/."),
                __("Copy the full-size files from your camera or phone into originals/."),
            )
        )
    elif not dated:
        found.append(
            Finding(
                "blocker",
                "no-capture-time",
                __("No original has a capture time (EXIF DateTimeOriginal)."),
                __(
                    "Use the files straight from the camera; exports and messaging apps "
                    "often strip EXIF."
                ),
            )
        )
    first_seen = case.first_seen()
    matched = {m.original for m in analysis.paired}
    rule = time_rule(case, analysis.originals)
    for meta in dated:
        assert meta.captured_at is not None
        if first_seen is None:
            break
        taken = meta.captured_at
        # The dossier's rule for times without an offset, so check and the pages agree.
        if rule.at(taken) > rule.at(first_seen):
            found.append(
                Finding(
                    "blocker" if meta.path in matched else "warning",
                    "captured-after-listing",
                    __(
                        "{display_path} was captured {taken:%Y-%m-%d}, after the accused listing was first seen ({first_seen:%Y-%m-%d}).",
                        display_path=meta.display_path,
                        taken=taken,
                        first_seen=first_seen,
                    ),
                    __(
                        "Check the camera clock and the first-seen date; use an earlier original if "
                        "you have one."
                    ),
                    meta.display_path,
                )
            )
    for match in analysis.paired:
        paired_meta = analysis.metadata_for(match.original)
        shown = case.display(match.accused)
        if match.accused_contains_more:
            found.append(
                Finding(
                    "blocker",
                    "accused-shows-more",
                    __(
                        "{shown} shows more of the scene than our original {value}: ours may look like the copy.",
                        shown=shown,
                        value=paired_meta.display_path if paired_meta else "",
                    ),
                    __("Find the wider, uncropped original and add it to originals/."),
                    shown,
                )
            )
        if (
            paired_meta
            and paired_meta.width
            and paired_meta.height
            and _accused_larger(match, paired_meta)
        ):
            found.append(
                Finding(
                    "warning",
                    "original-smaller",
                    __(
                        "Original {display_path} has fewer pixels than the accused image {shown}.",
                        display_path=paired_meta.display_path,
                        shown=shown,
                    ),
                    __("Add the full-resolution original (not a resized export)."),
                    paired_meta.display_path,
                )
            )
        if match.verdict == "possible":
            found.append(_weak_match(match, shown, paired_meta.display_path if paired_meta else ""))
    paired = {m.accused for m in analysis.paired}
    for accused in analysis.accused:
        if accused not in paired:
            found.append(
                Finding(
                    "warning",
                    "unpaired-accused",
                    __("{display} matches none of the originals.", display=case.display(accused)),
                    __(
                        "Add the original it was copied from, pair it in case.toml [[pairs]], "
                        "or remove it from accused/."
                    ),
                    case.display(accused),
                )
            )
    # The frames the dossier's other-frames page shows (shoots of confirmed originals).
    in_matched_shoot = {frame.path for frame in outtake_frames(analysis.shoots, analysis.matches)}
    confirmed = any(m.verdict == "match" for m in analysis.matches)
    if case.files().accused and not confirmed:
        # Without one confirmed copy the dossier proves nothing: it must stay a DRAFT.
        found.append(
            Finding(
                "blocker",
                "no-confirmed-match",
                __("No accused image is confirmed as a copy of one of your originals."),
                __(
                    "Add the originals the accused images were taken from, or pair each with "
                    "its original in case.toml [[pairs]] if you are sure."
                ),
            )
        )
    for meta in originals:
        # With nothing confirmed the blocker above says it once, not once per original.
        unused = meta.path not in matched and meta.path not in in_matched_shoot
        if analysis.accused and confirmed and unused:
            found.append(
                Finding(
                    "warning",
                    "original-unused",
                    __(
                        "{display_path} matches no accused image and belongs to no shoot of a matched original.",
                        display_path=meta.display_path,
                    ),
                    __("Remove it from originals/ if it is unrelated; it is listed as evidence."),
                    meta.display_path,
                )
            )
        # The time-zone advice concerns the case, not each file: given once, below.
        found.extend(f for f in meta.findings if f.code != TIMEZONE_UNKNOWN)
        if meta.has_gps and not analysis.options.include_gps:
            found.append(
                Finding(
                    "info",
                    "gps-redacted",
                    __(
                        "{display_path} contains GPS coordinates; they are left out of the dossier.",
                        display_path=meta.display_path,
                    ),
                    __("Nothing to do; pass --include-gps only if location helps."),
                    meta.display_path,
                )
            )
    for item in analysis.excluded:
        found.append(
            Finding(
                "warning",
                "excluded-file",
                __("{path} {reason}", path=item.display_path, reason=item.reason),
                item.fix
                or __("Replace or remove the file; it is listed as excluded in the dossier."),
                item.display_path,
            )
        )
    if case.violation in NEEDS_DOCUMENT and not analysis.documents:
        found.append(
            Finding(
                "blocker",
                "missing-licence",
                __(
                    "The complaint is about copyright or trademark, but documents/ has "
                    "no certificate or licence."
                ),
                __(
                    "Add your trademark registration, copyright certificate or "
                    "licence (PDF or image) to documents/."
                ),
            )
        )
    found += _case_field_findings(analysis)
    clock = now or analysis.options.as_of or datetime.now(UTC)
    for deadline in compute_deadlines(case, analysis.profile, as_of=clock):
        if deadline.state == DeadlineState.MISSED:
            found.append(
                Finding(
                    "blocker",
                    "deadline-missed",
                    __(
                        "{label} was due {due:%Y-%m-%d %H:%M} ({zone}) and has passed.",
                        label=__(deadline.label),
                        due=deadline.due,
                        zone=_zone_words(deadline.due),
                    ),
                    __(
                        "Submit anyway as soon as possible and say why it is late; "
                        "contact platform support."
                    ),
                )
            )
        elif deadline.state == DeadlineState.LATE and deadline.settled_at is not None:
            # Settled, so not a blocker: nothing can be done about the date now.
            found.append(
                Finding(
                    "warning",
                    "deadline-late",
                    __(
                        "{label} was due {due:%Y-%m-%d %H:%M} ({zone}) and was done {late} after "
                        "it ({done:%Y-%m-%d %H:%M}); the platform may refuse it.",
                        label=__(deadline.label),
                        due=deadline.due,
                        zone=_zone_words(deadline.due),
                        late=duration__((deadline.settled_at - deadline.due).total_seconds()),
                        done=deadline.settled_at.astimezone(deadline.due.tzinfo),
                    ),
                    __(
                        "Say in the complaint why it is late, and keep proof; if it is refused, "
                        "contact platform support."
                    )
                    if case.mode == "complaint"
                    else __(
                        "Say in the appeal why it is late, and keep proof; if it is refused, "
                        "contact platform support."
                    ),
                )
            )
        elif deadline.state == DeadlineState.DUE_SOON:
            found.append(
                Finding(
                    "warning",
                    "deadline-soon",
                    __(
                        "{label} is due {due:%Y-%m-%d %H:%M} ({zone}), in under 12 hours.",
                        label=__(deadline.label),
                        due=deadline.due,
                        zone=_zone_words(deadline.due),
                    ),
                    __("Submit what you have now; you can resubmit with more evidence."),
                )
            )
    if case.timezone is None:
        found += timezone_advice(originals)
    return _sorted(_unique(found))


def _case_field_findings(analysis: Analysis) -> list[Finding]:
    """What the case lacks for a complete dossier; a gap the statement needs blocks it."""
    from appeal_kit.dossier.statement import statement_gaps
    from appeal_kit.i18n.console import __

    case = analysis.case
    found: list[Finding] = []
    # A field the statement needs is one blocker below; no second warning for it.
    gaps = statement_gaps(analysis)
    # A complainant received no notice: ask for one only where a rule counts from it.
    needs_notice = case.mode != "complaint" or any(
        rule.starts_from == "notice" for rule in analysis.profile.rules_for(case.mode)
    )
    if case.notice_received is None and needs_notice and "notice_received" not in gaps:
        found.append(
            Finding(
                "warning",
                "no-notice-time",
                __("case.toml has no notice_received, so no deadline can be computed."),
                __("Add notice_received = 2024-10-10T09:30:00+08:00 (from the notice)."),
            )
        )
    if not case.files().accused:
        found.append(
            Finding(
                "blocker",
                "no-accused",
                __("Nothing in accused/: there is no copied image to compare with your originals."),
                __(
                    "Save the images (or screenshots) of the other listing into accused/ and "
                    "build again."
                ),
            )
        )
    named = [
        ("case_id", __("case id"), __('Add case_id = "..." (the id on the notice) to case.toml.')),
        ("store", __("store name"), __('Add store = "..." (your store name) to case.toml.')),
        ("seller_id", __("seller id"), __('Add seller_id = "..." to case.toml.')),
    ]
    if case.mode != "complaint":
        named.append(
            ("complainant", __("complainant"), __('Add complainant = "..." to case.toml.'))
        )
    for key, what, fix in named:
        if not getattr(case, key) and key not in gaps:
            found.append(
                Finding(
                    "warning",
                    f"no-{key.replace('_', '-')}",
                    __("case.toml has no {what}, so the dossier cannot name it.", what=what),
                    fix,
                )
            )
    if not any(a.url for a in case.accused_listings):
        found.append(
            Finding(
                "warning",
                "no-listing-url",
                __("case.toml names no URL for the other listing, so a reviewer cannot open it."),
                __('Add an [[accused]] table with url = "https://..." (the listing\'s address).'),
            )
        )
    if case.first_seen() is None:
        found.append(
            Finding(
                "warning",
                "no-first-seen",
                __(
                    "case.toml has no first_seen date for the other listing, so the dossier "
                    "cannot say how long before it your photos were taken."
                ),
                __(
                    "Add first_seen = 2024-10-10 (when you first saw their listing) to [[accused]]."
                ),
            )
        )
    for name, fix in sorted(gaps.items()):
        found.append(
            Finding(
                "blocker",
                "statement-placeholder",
                __(
                    "The statement needs the value {name}, which the case does not give, so "
                    "the dossier would show a placeholder.",
                    name=name,
                ),
                fix,
            )
        )
    return found


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str | None]] = set()
    kept = []
    for item in findings:
        key = (item.code, item.message, item.path)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _accused_larger(match: MatchResult, meta: ImageMetadata) -> bool:
    """True when the accused image has more pixels than the original it matched."""
    if match.accused_rect is not None:
        width, height = match.accused_rect[2], match.accused_rect[3]
    else:
        with Image.open(match.accused) as img:  # reads the header only, no decode
            width, height = img.size
    return (meta.width or 0) * (meta.height or 0) < width * height


def with_size_check(findings: list[Finding], size: int, options: BuildOptions) -> list[Finding]:
    """Add a finding when the dossier exceeds the size budget (``--max-size``)."""
    budget = int(options.max_size_mb * 1_000_000)
    if size <= budget:
        return findings
    return _sorted(
        [
            *findings,
            Finding(
                "warning",
                "dossier-too-large",
                __(
                    "The dossier is {value:.1f} MB, over the {max_size_mb:g} MB budget.",
                    value=size / 1e6,
                    max_size_mb=options.max_size_mb,
                ),
                __("Remove large supporting documents or split them; platforms often cap uploads."),
            ),
        ]
    )


def has_blockers(findings: list[Finding]) -> bool:
    """True when any finding is a blocker."""
    return any(f.severity == "blocker" for f in findings)


# Blockers about *when* the seller acts, not about what the dossier contains: a missed
# deadline is advice to submit at once ("submit anyway"), so it must not stamp the very
# dossier the seller is told to send with "DRAFT: not ready to submit".
TIMING_CODES = frozenset({"deadline-missed"})


def draft_blockers(findings: list[Finding]) -> list[Finding]:
    """The blockers that make a dossier a DRAFT: what it lacks, not when it is sent."""
    return [f for f in findings if f.severity == "blocker" and f.code not in TIMING_CODES]


def _weak_match(match: MatchResult, shown: str, original: str) -> Finding:
    """A pair only partly confirmed: say which case applies, with the matcher's figures.

    The pixels either show another frame or exposure of the scene (displaced
    detail, grain of its own), or other photographic content around what
    agrees, or simply too little of the picture to be sure (covered by
    overlays, little detail). ``[[pairs]]`` verifies with the same test, so it
    is offered only where it can help.
    """
    note = english(match.note)  # the matcher's English wording decides; it is shown translated
    if "not a copy" in note:
        message = __(
            "{shown} shows the same scene as {value} but not the same photograph: {why}.",
            shown=shown,
            value=original,
            why=match.note,
        )
        fix = __("Add the original of that frame or exposure; pairing it will not make it a copy.")
    elif "not the same photograph" in note:
        message = __(
            "{shown} shares only part of its picture with {value}: {why}.",
            shown=shown,
            value=original,
            why=match.note,
        )
        fix = __("Add the original it was taken from, if you have it.")
    else:
        message = __(
            "{shown} is partly confirmed as a copy of {value}: {why}.",
            shown=shown,
            value=original,
            why=match.note,
        )
        fix = __(
            "Add the full-size original it was taken from; pairing it in case.toml "
            "[[pairs]] runs the same pixel check."
        )
    return Finding("warning", "weak-match", message, fix, shown)


def _zone_words(moment: datetime) -> str:
    """The zone of a due time as people name it: 北京时间 / Asia/Shanghai, not the ambiguous CST."""
    key = getattr(moment.tzinfo, "key", None)
    if key:
        # The English (for --json) is the IANA name; the console shows its own word for it.
        return Translated(zone_name(key, console_language(), moment), key, {})
    offset = moment.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"

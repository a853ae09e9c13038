"""Plain-language sentences built from the evidence.

The cover summary, and the facts a statement template is filled with.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from appeal_kit.evidence.images import RAW_EXTENSIONS
from appeal_kit.models import ImageMetadata

if TYPE_CHECKING:
    from appeal_kit.analysis import Analysis

PLATFORM_NAMES = {
    "aliexpress": "AliExpress",
    "alibaba-ipp": "Alibaba IPP",
    "amazon": "Amazon",
    "ebay-vero": "eBay VeRO",
    "dmca": "DMCA",
}


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "unknown"


def _span(times: list[datetime]) -> str:
    """Words for the capture days, e.g. on 2024-03-10, or from 2024-03-10 to 2024-03-12."""
    if not times:
        return "at an unknown time"
    first, last = _day(times[0]), _day(times[-1])
    return f"on {first}" if first == last else f"from {first} to {last}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def matched_originals(analysis: Analysis) -> list[ImageMetadata]:
    """Metadata of the originals that accused images were matched to, sorted by path."""
    wanted = {m.original for m in analysis.paired}
    return sorted((m for m in analysis.originals if m.path in wanted), key=lambda m: m.display_path)


def facts(analysis: Analysis) -> dict[str, str]:
    """Named facts for statement templates (``{store}``, ``{days_before}``, ...)."""
    case = analysis.case
    matched = matched_originals(analysis)
    times = sorted(m.captured_at for m in matched if m.captured_at)
    first_seen = case.first_seen()
    cameras = sorted({m.camera for m in matched if m.camera})
    serials = sorted({m.serial for m in matched if m.serial})
    days_before = ""
    if times and first_seen:
        earliest = times[0] if times[0].tzinfo else times[0].replace(tzinfo=first_seen.tzinfo)
        days_before = str((first_seen - earliest).days)
    strong = [m for m in analysis.paired if m.verdict == "match"]
    return {
        "platform": PLATFORM_NAMES.get(case.platform, case.platform),
        "case_id": case.case_id or "(no case id)",
        "store": case.store or "(store name)",
        "seller_id": case.seller_id or "(seller id)",
        "complainant": case.complainant or "the complainant",
        "notice_received": case.notice_received.isoformat(sep=" ") if case.notice_received else "",
        "accused_count": str(len(analysis.accused)),
        "matched_count": str(len(strong)),
        "matched_phrase": (
            f"All {len(strong)} accused images"
            if len(strong) == len(analysis.accused) and len(strong) > 1
            else f"{len(strong)} of the {len(analysis.accused)} accused images"
        ),
        "possible_count": str(len(analysis.paired) - len(strong)),
        "original_count": str(len(analysis.usable_originals)),
        "first_capture": _day(times[0]) if times else "unknown",
        "last_capture": _day(times[-1]) if times else "unknown",
        "capture_span": _span(times),
        # Offer RAW files only when the case holds some.
        "files_offer": "the original files and the camera's RAW files"
        if any(m.path.suffix.lower() in RAW_EXTENSIONS for m in analysis.originals)
        else "the original files",
        "first_seen": _day(first_seen),
        "days_before": days_before or "unknown",
        "camera": ", ".join(cameras) or "unknown camera",
        "serial": ", ".join(serials) or "not recorded",
        "accused_urls": ", ".join(a.url for a in case.accused_listings if a.url) or "(not given)",
        "own_listing_url": case.own_listing_url or "",
        "documents_count": str(len(analysis.documents)),
        "summary": evidence_summary(analysis),
    }


def evidence_summary(analysis: Analysis) -> str:
    """One paragraph for the cover, e.g. "4 accused images match originals captured ..."."""
    from appeal_kit.evidence.shoots import describe_shoots

    case = analysis.case
    matched = matched_originals(analysis)
    strong = [m for m in analysis.paired if m.verdict == "match"]
    possible = [m for m in analysis.paired if m.verdict == "possible"]
    parts: list[str] = []
    if not analysis.accused:
        parts.append("No accused images were supplied.")
    elif not analysis.paired:
        parts.append(
            f"None of the {_plural(len(analysis.accused), 'accused image')} could be matched "
            "to an original."
        )
    else:
        times = sorted(m.captured_at for m in matched if m.captured_at)
        cameras = sorted({m.camera for m in matched if m.camera})
        serials = sorted({m.serial for m in matched if m.serial})
        verb = "match" if len(strong) != 1 else "matches"
        sentence = f"{_plural(len(strong), 'accused image')} {verb} " if strong else ""
        if possible:
            sentence += ("and " if strong else "") + (
                f"{_plural(len(possible), 'accused image')} possibly "
                + ("match " if len(possible) != 1 else "matches ")
            )
        sentence += "originals" if len(matched) != 1 else "an original"
        if times:
            span = (
                _day(times[0])
                if _day(times[0]) == _day(times[-1])
                else (f"{_day(times[0])} to {_day(times[-1])}")
            )
            sentence += f" captured {span}"
        if cameras:
            sentence += f" on {'a ' if len(cameras) == 1 else ''}{' and '.join(cameras)}"
            if serials:
                sentence += f" (serial {', '.join(serials)})"
        first_seen = case.first_seen()
        if times and first_seen:
            earliest = times[0] if times[0].tzinfo else times[0].replace(tzinfo=first_seen.tzinfo)
            days = (first_seen - earliest).days
            if days >= 0:
                sentence += f", {_plural(days, 'day')} before the accused listing was first seen"
            else:
                sentence += f", {_plural(-days, 'day')} AFTER the accused listing was first seen"
        parts.append(sentence + ".")
    if analysis.shoots:
        parts.append(f"The originals come from {describe_shoots(analysis.shoots)}.")
    if analysis.documents:
        parts.append(f"{_plural(len(analysis.documents), 'supporting document')} attached.")
    return " ".join(parts)


def statement_text(analysis: Analysis) -> str:
    """The appeal (or complaint) statement: the user's file, or the filled template."""
    from appeal_kit.dossier.content import fill_statement
    from appeal_kit.resources import templates_dir

    case = analysis.case
    if case.statement is not None:
        template = case.statement.read_text(encoding="utf-8")
    else:
        template = (templates_dir() / "statements" / f"{case.mode}.md").read_text(encoding="utf-8")
    return fill_statement(template, case, facts(analysis))

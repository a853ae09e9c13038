"""The statement and the cover summary, filled from the facts the build established.

``statement_values`` gives every placeholder a template may use; what the case
cannot fill is listed with its fix (``statement_gaps``), which ``check`` reports
as a blocker, so a placeholder only ever appears in a dossier marked DRAFT.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from appeal_kit.dossier.facts import (
    PLATFORM_NAMES,
    CaseFacts,
    Fact,
    establish,
    iso_day,
    matched_originals,
)
from appeal_kit.dossier.rules import Say
from appeal_kit.evidence.images import RAW_EXTENSIONS
from appeal_kit.i18n.console import __
from appeal_kit.i18n.document import N_, TextLang

if TYPE_CHECKING:
    from appeal_kit.analysis import Analysis
    from appeal_kit.case.config import Case


def statement_values(
    analysis: Analysis, found: CaseFacts | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Statement placeholders: the known ones, and the unknown ones with what to add."""
    found = found or establish(analysis)
    case, roles, days_before = analysis.case, found.roles, found.days_before
    matched = matched_originals(analysis)
    rule = found.rule
    times = sorted((m.captured_at for m in matched if m.captured_at), key=rule.at)
    cameras = sorted({m.camera for m in matched if m.camera})
    serials = sorted({m.serial for m in matched if m.serial})
    strong = [m for m in analysis.paired if m.verdict == "match"]
    first_seen = case.first_seen()
    urls = [a.url for a in case.accused_listings if a.url]
    missing: dict[str, str] = {}
    values: dict[str, str] = {}

    def need(key: str, value: str, fix: str) -> None:
        if value:
            values[key] = value
        else:
            missing[key] = fix

    notice_fix = __(
        "Add notice_received = 2024-10-10T09:30:00+08:00 (the time on the notice) to case.toml."
    )
    dated_fix = __("Add originals straight from the camera, with their capture time.")
    need("case_id", case.case_id, __('Add case_id = "..." (the id on the notice) to case.toml.'))
    need("store", case.store, __('Add store = "..." (your store name) to case.toml.'))
    need("seller_id", case.seller_id, __('Add seller_id = "..." to case.toml.'))
    need("complainant", case.complainant, __('Add complainant = "..." to case.toml.'))
    need(
        "notice_received",
        case.notice_received.isoformat(sep=" ") if case.notice_received else "",
        notice_fix,
    )
    need(
        "notice_day",
        Say(found.lang).day(case.notice_received) if case.notice_received else "",
        notice_fix,
    )
    need("accused_urls", ", ".join(urls), __('Add url = "..." to the [[accused]] table.'))
    need(
        "first_seen",
        iso_day(first_seen) if first_seen else "",
        __("Add first_seen = 2024-10-10 (when you first saw their listing) to [[accused]]."),
    )
    need(
        "days_before",
        str(days_before) if days_before is not None and days_before >= 0 else "",
        __("Add first_seen to [[accused]], and originals captured before that day."),
    )
    need("first_capture", iso_day(times[0]) if times else "", dated_fix)
    need("last_capture", iso_day(times[-1]) if times else "", dated_fix)
    need("camera", ", ".join(cameras), __("Add originals that name their camera."))
    need("serial", ", ".join(serials), __("Add originals that record the camera's serial."))
    say = Say(found.lang)
    values.update(
        {
            "platform": say(PLATFORM_NAMES.get(case.platform, case.platform)),
            "party": say(roles.party),
            "their_listing": say(roles.listing),
            "accused_count": str(len(analysis.accused)),
            "matched_count": str(len(strong)),
            "possible_count": str(len(analysis.paired) - len(strong)),
            "original_count": str(len(analysis.usable_originals)),
            "documents_count": str(len(analysis.documents)),
            "own_listing_url": case.own_listing_url,
            "files_offer": say(N_("the original files and the camera's RAW files"))
            if any(m.path.suffix.lower() in RAW_EXTENSIONS for m in analysis.originals)
            else say(N_("the original files")),
            "matched_phrase": (found.get("matched") or Fact("", False, "", "")).sentence,
            "capture_span": (
                ""
                if not times
                else say(N_("on {day}"), day=say.day(times[0]))
                if iso_day(times[0]) == iso_day(times[-1])
                else say(
                    N_("from {first} to {last}"), first=say.day(times[0]), last=say.day(times[-1])
                )
            ),
            "summary": say.join(f.sentence for f in found.headlines()) or evidence_text(found),
            "evidence_points": "\n".join(f"- {s}" for s in found.sentences()),
        }
    )
    if not times:
        missing["capture_span"] = dated_fix
        values.pop("capture_span")
    values["opening"] = _opening(case, values, say)
    if case.mode != "complaint":
        # The appeal's opening names the case, the store and the notice: without them
        # the statement cannot be sent.
        for key in ("case_id", "store", "notice_received"):
            if key in missing:
                missing["opening"] = missing[key]
                values.pop("opening", None)
    elif "store" in missing:
        missing["opening"] = missing["store"]
        values.pop("opening", None)
    return values, missing


def _opening(case: Case, values: dict[str, str], say: Say) -> str:
    """The statement's first paragraph, from whole sentences for what the case holds."""
    sentences: list[str] = []
    if case.mode == "complaint":
        sentences.append(
            say(
                N_(
                    "We, **{store}**, report that the listings named in this dossier use "
                    "photographs we shot ourselves, without our permission."
                ),
                store=case.store,
            )
        )
        if case.case_id:
            sentences.append(say(N_("Our reference: {case_id}."), case_id=case.case_id))
    else:
        sentences.append(
            say(
                N_(
                    "We, **{store}**, appeal the image-theft complaint {case_id}, received on {day}."
                ),
                store=case.store,
                case_id=case.case_id,
                day=values.get("notice_day", ""),
            )
        )
        if case.complainant:
            sentences.append(
                say(N_("The complaint was filed by {complainant}."), complainant=case.complainant)
            )
        sentences.append(
            say(
                N_(
                    "The photographs in question are our own work: they were shot for our "
                    "store, and we hold the camera originals."
                )
            )
        )
    if case.seller_id:
        sentences.append(say(N_("Our seller id is {seller_id}."), seller_id=case.seller_id))
    return say.join(sentences)


def evidence_text(found: CaseFacts) -> str:
    """Every fact's sentence as one paragraph."""
    return Say(found.lang).join(found.sentences())


def facts(analysis: Analysis) -> dict[str, str]:
    """Named values for statement templates (``{store}``, ``{days_before}``, ...).

    Unknown values are absent; ``statement_gaps`` names them with their fixes.
    """
    return statement_values(analysis)[0]


def evidence_summary(analysis: Analysis) -> str:
    """The strongest facts as one paragraph (cover and ``{summary}``)."""
    return statement_values(analysis)[0]["summary"]


def _template(analysis: Analysis, lang: TextLang = "en") -> str:
    from appeal_kit.resources import templates_dir

    case = analysis.case
    if case.statement is not None:
        return case.statement.read_text(encoding="utf-8")
    # The Chinese template is a 申诉书 / 投诉函 in its own right, with the same placeholders.
    name = f"{case.mode}.zh.md" if lang == "zh" else f"{case.mode}.md"
    return (templates_dir() / "statements" / name).read_text(encoding="utf-8")


def statement_gaps(analysis: Analysis, found: CaseFacts | None = None) -> dict[str, str]:
    """Placeholders the statement uses that the case cannot fill -> what to add."""
    from appeal_kit.dossier.content import placeholders

    _values, missing = statement_values(analysis, found)
    used = placeholders(_template(analysis))
    if "opening" in used:
        # Name what the opening lacks (case.toml's fields), not the opening itself.
        used |= {"store"} if analysis.case.mode == "complaint" else OPENING_NEEDS
        used.discard("opening")
    return {name: fix for name, fix in missing.items() if name in used}


# The appeal's opening sentence names these; without them the statement cannot be sent.
OPENING_NEEDS = {"case_id", "store", "notice_received"}


def statement_text(analysis: Analysis, found: CaseFacts | None = None) -> str:
    """The appeal (or complaint) statement: the user's file, or the filled template.

    A placeholder the case cannot fill shows as ``[not known: NAME]``; ``check``
    reports it as a blocker, so such a statement only ever appears in a DRAFT.
    """
    from appeal_kit.dossier.content import fill_statement

    found = found or establish(analysis)
    say = Say(found.lang)
    values, missing = statement_values(analysis, found)
    for name in missing:
        values[name] = say(N_("[not known: {name}]"), name=name)
    if "opening" in missing:
        # Name the case.toml fields the opening lacks, as check and the DRAFT box do.
        needs = ("store",) if analysis.case.mode == "complaint" else sorted(OPENING_NEEDS)
        lacking = ", ".join(k for k in needs if k in missing) or "opening"
        values["opening"] = say(N_("[not known: {name}]"), name=lacking)
    return fill_statement(_template(analysis, found.lang), analysis.case, values)

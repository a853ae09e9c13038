"""The dossier PDF: ``DossierContent`` in, one deterministic PDF out.

``write_dossier`` lays the parts out with reportlab platypus (``invariant=1``: no
dates, fixed document id), twice: the first pass learns where each supporting PDF
goes and how many pages everything takes, so that every header can say "Page n of
N" with the appended PDF pages counted. Supporting PDFs are then inserted with
pypdf, page for page and unchanged, with only the page header stamped on top.
The same content always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from appeal_kit.case.config import Case
from appeal_kit.errors import AppealKitError, ExitCode
from appeal_kit.i18n.document import N_, DocLang, both
from appeal_kit.models import Deadline, ExcludedFile, Finding, ImageMetadata, MatchResult

if TYPE_CHECKING:
    from appeal_kit.comparison.pictures import ComparisonImage
    from appeal_kit.dossier.facts import CaseFacts


@dataclass(frozen=True)
class Wording:
    """The statement, summary and facts in one language (the English of a zh+en dossier)."""

    statement_text: str
    summary: str
    facts: CaseFacts | None = None


@dataclass
class DossierContent:
    """Everything the PDF shows. The pipeline fills it in; nothing here reads the case folder.

    ``comparisons`` line up with ``matches`` (one rendered image per paired match);
    ``shoots`` are ``appeal_kit.evidence.shoots.Shoot`` objects (``index``, ``camera``,
    ``serial``, ``start``, ``end``, ``frames``, ``label``).
    """

    case: Case
    summary: str = ""
    originals: list[ImageMetadata] = field(default_factory=list)
    matches: list[MatchResult] = field(default_factory=list)
    comparisons: list[ComparisonImage] = field(default_factory=list)
    # Accused images examined that no original matched (verdict "none").
    unmatched: list[MatchResult] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    platform_timezone: str = "Asia/Shanghai"
    local_timezone: str | None = None
    as_of: datetime | None = None
    statement_text: str = ""
    documents: list[Path] = field(default_factory=list)
    excluded: list[ExcludedFile] = field(default_factory=list)
    manifest_entries: list[tuple[str, str, int]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    shoots: Sequence[Any] = field(default_factory=list)
    outtakes: list[ImageMetadata] = field(default_factory=list)
    include_gps: bool = False
    page_size: Literal["a4", "letter"] = "a4"
    # en, zh or zh+en (case.toml ``language``, ``build --lang``): every word on the pages.
    language: DocLang = "en"
    # Supporting document images are decoded no larger than this (pixels, longer side).
    document_max_side: int = 2000
    # Contact-sheet thumbnails, longer side in pixels.
    thumbnail_max_side: int = 360
    # Outtakes beyond this many are counted, not shown, to keep the PDF small.
    max_outtakes: int = 60
    # What the build established (cover headlines, timeline sentences); None: no claims.
    facts: CaseFacts | None = None
    # In zh+en the fields above (statement, summary, facts) are Chinese; this is their English.
    english: Wording | None = None
    # Blockers from ``check``: when any, every page is marked DRAFT and the cover lists them.
    draft_reasons: list[str] = field(default_factory=list)

    @property
    def draft(self) -> bool:
        """True when the dossier is not ready to submit."""
        return bool(self.draft_reasons)


@dataclass
class DossierInfo:
    """What ``write_dossier`` produced."""

    path: Path
    page_count: int
    size_bytes: int
    appended_pages: int = 0
    # Supporting documents that could not be placed (also listed in the PDF).
    problems: list[ExcludedFile] = field(default_factory=list)


class StatementError(AppealKitError):
    """A statement template uses a placeholder appeal-kit cannot fill."""

    exit_code = ExitCode.CASE_CONFIG


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def statement_values(case: Case, facts: dict[str, str]) -> dict[str, str]:
    """The values ``fill_statement`` knows: case fields, overridden by ``facts``."""
    values = {
        "platform": case.platform,
        "mode": case.mode,
        "case_id": case.case_id,
        "store": case.store,
        "seller_id": case.seller_id,
        "complainant": case.complainant,
        "violation": case.violation,
        "points_at_stake": "" if case.points_at_stake is None else str(case.points_at_stake),
        "notice_received": case.notice_received.isoformat(sep=" ") if case.notice_received else "",
        "own_listing_url": case.own_listing_url,
        "own_listing_date": case.own_listing_date.date().isoformat()
        if case.own_listing_date
        else "",
        "accused_urls": ", ".join(a.url for a in case.accused_listings if a.url),
    }
    values.update(facts)
    return values


def placeholders(template_text: str) -> set[str]:
    """The ``{name}`` placeholders a statement template uses."""
    return {m.group(1) for m in _PLACEHOLDER.finditer(template_text) if m.group(1)}


def fill_statement(template_text: str, case: Case, facts: dict[str, str]) -> str:
    """Fill ``{placeholder}`` fields of a statement template; ``{{`` and ``}}`` are braces.

    Raises ``StatementError`` naming every unknown placeholder and the known ones.
    Other braces (not around a plain name) are left as they are.
    """
    values = statement_values(case, facts)
    unknown = sorted(
        {
            m.group(1)
            for m in _PLACEHOLDER.finditer(template_text)
            if m.group(1) and m.group(1) not in values
        }
    )
    if unknown:
        names = ", ".join("{" + name + "}" for name in unknown)
        known = ", ".join("{" + name + "}" for name in sorted(values))
        raise StatementError(
            f"the statement uses {names}, which appeal-kit cannot fill",
            hint=f"use only these placeholders: {known}; write '{{{{' and '}}}}' for literal braces",
        )

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return values[match.group(1)]

    return _PLACEHOLDER.sub(replace, template_text)


def document_title(content: DossierContent) -> str:
    """PDF title: "Appeal dossier — CASE_ID"; "申诉材料 / Appeal dossier — CASE_ID" in zh+en."""
    kind = N_("Complaint dossier") if content.case.mode == "complaint" else N_("Appeal dossier")
    kinds = " / ".join(text for _, text in both(kind, content.language))
    return f"{kinds} — {content.case.title}"


def deterministic_id(*parts: bytes) -> bytes:
    """A 16-byte PDF file id derived from the content (same content, same id)."""
    digest = hashlib.md5(usedforsecurity=False)
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.digest()

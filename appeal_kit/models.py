"""Plain data passed between the stages.

Each stage module (``metadata``, ``matching``, ``deadlines``, ...) produces one of
these; ``dossier`` and the CLI only read them. Keeping them here, apart from the
code that fills them, lets a stage be replaced without touching its consumers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, Protocol

from appeal_kit.i18n.console import english

Verdict = Literal["match", "possible", "none"]
Severity = Literal["blocker", "warning", "info"]
Role = Literal["original", "accused", "document"]


def iso(value: datetime | None) -> str | None:
    """ISO 8601 text for JSON, keeping the offset when the time has one."""
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Finding:
    """A weakness or remark about the evidence, with what to do about it."""

    severity: Severity
    code: str
    message: str
    fix: str = ""
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Stable JSON form."""
        return {
            "severity": self.severity,
            "code": self.code,
            # JSON is an API: English even when the terminal shows these in Chinese.
            "message": english(self.message),
            "fix": english(self.fix),
            "path": self.path,
        }


@dataclass
class ImageMetadata:
    """What we read from one image file. ``error`` set means the file is unusable."""

    path: Path
    display_path: str
    sha256: str = ""
    size_bytes: int = 0
    format: str | None = None
    width: int | None = None
    height: int | None = None
    orientation: int | None = None
    captured_at: datetime | None = None
    captured_at_tag: str | None = None
    modified_at: datetime | None = None
    make: str | None = None
    model: str | None = None
    lens: str | None = None
    lens_serial: str | None = None
    serial: str | None = None
    software: str | None = None
    artist: str | None = None
    copyright: str | None = None
    image_unique_id: str | None = None
    document_id: str | None = None
    original_document_id: str | None = None
    history: list[str] = field(default_factory=list)
    has_gps: bool = False
    gps: tuple[float, float] | None = None
    has_thumbnail: bool = False
    # None: not checked; True: thumbnail agrees with the image; False: it differs.
    thumbnail_matches: bool | None = None
    warnings: list[str] = field(default_factory=list)
    # What was wrong with the EXIF block, when it was damaged (one of ``warnings``).
    exif_problem: str = ""
    findings: list[Finding] = field(default_factory=list)
    # Why the file cannot be used (reviewer-facing); ``error_fix`` says what to do about it.
    error: str | None = None
    error_fix: str = ""

    @property
    def camera(self) -> str | None:
        """Make and model without the make repeated (``Canon Canon EOS R6``)."""
        make = (self.make or "").strip()
        model = (self.model or "").strip()
        if make and model.lower().startswith(make.split()[0].lower()):
            return model
        joined = f"{make} {model}".strip()
        return joined or None

    @property
    def ok(self) -> bool:
        """True when the file can be used as evidence."""
        return self.error is None

    def to_json(self, *, include_gps: bool = False) -> dict[str, Any]:
        """Stable JSON keys, documented in the README (``appeal-kit exif --json``)."""
        data: dict[str, Any] = {
            "path": self.display_path,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "orientation": self.orientation,
            "captured_at": iso(self.captured_at),
            "captured_at_tag": self.captured_at_tag,
            "modified_at": iso(self.modified_at),
            "make": self.make,
            "model": self.model,
            "lens": self.lens,
            "lens_serial": self.lens_serial,
            "serial": self.serial,
            "software": self.software,
            "artist": self.artist,
            "copyright": self.copyright,
            "image_unique_id": self.image_unique_id,
            "document_id": self.document_id,
            "original_document_id": self.original_document_id,
            "history": list(self.history),
            "has_gps": self.has_gps,
            "has_thumbnail": self.has_thumbnail,
            "thumbnail_matches": self.thumbnail_matches,
            "warnings": [english(w) for w in self.warnings],
            "findings": [f.to_json() for f in self.findings],
        }
        if include_gps:
            data["gps"] = list(self.gps) if self.gps else None
        if self.error is not None:
            data["error"] = english(self.error)
            data["error_fix"] = english(self.error_fix) if self.error_fix else self.error_fix
        return data


@dataclass
class MatchResult:
    """How one accused image relates to the originals.

    Coordinates are in the original's pixels after EXIF orientation.
    ``homography`` maps accused-image pixels to original pixels (3x3, row-major).
    """

    accused: Path
    original: Path | None
    verdict: Verdict
    score: float = 0.0
    inliers: int = 0
    coverage: float = 0.0
    global_similarity: float = 0.0
    mirrored: bool = False
    rotation: float = 0.0
    scale: float = 1.0
    region: tuple[int, int, int, int] | None = None
    quad: list[tuple[float, float]] | None = None
    # Where the photo sits inside the accused image when it is a screenshot.
    accused_rect: tuple[int, int, int, int] | None = None
    is_screenshot: bool = False
    homography: list[list[float]] | None = None
    # True when the original shows more of the scene than the copy (it was cut from ours).
    original_contains_more: bool = False
    # True when the copy shows more than our original: ours may be the copy.
    accused_contains_more: bool = False
    # The copy model: share of the copy's photo area (where our frame lands) hidden
    # by overlays, and share of the visible rest that agrees with ours.
    covered: float = 0.0
    agreement: float = 0.0
    method: str = "features"
    note: str = ""

    def to_json(self, base: Path | None = None) -> dict[str, Any]:
        """Stable JSON keys (``appeal-kit match --json``)."""

        def show(p: Path | None) -> str | None:
            if p is None:
                return None
            if base is not None:
                try:
                    return p.relative_to(base).as_posix()
                except ValueError:
                    pass
            return str(p)

        return {
            "accused": show(self.accused),
            "original": show(self.original),
            "verdict": self.verdict,
            "score": round(self.score, 4),
            "inliers": self.inliers,
            "coverage": round(self.coverage, 4),
            "global_similarity": round(self.global_similarity, 4),
            "mirrored": self.mirrored,
            "rotation": round(self.rotation, 2),
            "scale": round(self.scale, 4),
            "region": list(self.region) if self.region else None,
            "quad": [[round(x, 1), round(y, 1)] for x, y in self.quad] if self.quad else None,
            "accused_rect": list(self.accused_rect) if self.accused_rect else None,
            "is_screenshot": self.is_screenshot,
            "original_contains_more": self.original_contains_more,
            "accused_contains_more": self.accused_contains_more,
            "covered": round(self.covered, 4),
            "agreement": round(self.agreement, 4),
            "method": self.method,
            "note": english(self.note) if self.note else self.note,
        }


class Matcher(Protocol):
    """Anything that pairs accused images with originals.

    ``explicit`` holds pairs the user fixed in ``case.toml`` (accused -> original);
    a matcher still measures them but must not re-pair them.
    """

    def match(
        self,
        accused: list[Path],
        originals: list[Path],
        *,
        explicit: dict[Path, Path] | None = None,
    ) -> list[MatchResult]:
        """Return one result per accused image, in the order given."""
        ...


class DeadlineState(StrEnum):
    """Where a deadline stands at the reference time."""

    OPEN = "open"
    DUE_SOON = "due-soon"
    MISSED = "missed"
    DONE = "done"
    INFO = "info"
    # Settled, but by a submission after the due time: nothing left to do, yet
    # the platform may refuse the late appeal (kind "deadline" only).
    LATE = "late"


@dataclass(frozen=True)
class Deadline:
    """One dated obligation or expectation, with the rule it came from."""

    name: str
    label: str
    due: datetime
    state: DeadlineState
    basis: str
    source: str = ""
    # "rule" (platform profile), "case" (override in case.toml) or "notice".
    origin: str = "rule"
    earliest: datetime | None = None
    # "deadline" (the user must act) or "expectation" (the platform should act).
    kind: str = "deadline"
    # When the event that settled it happened (DONE or LATE), else None.
    settled_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """Stable JSON keys (``appeal-kit deadlines --json``)."""
        return {
            "name": self.name,
            "label": self.label,
            "due": self.due.isoformat(),
            "earliest": iso(self.earliest),
            "state": self.state.value,
            "basis": self.basis,
            "source": self.source,
            "origin": self.origin,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class ExcludedFile:
    """An input that could not be used: why (``reason``) and what to do (``fix``)."""

    display_path: str
    role: Role
    reason: str
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        """Stable JSON form."""
        return {
            "path": self.display_path,
            "role": self.role,
            "reason": english(self.reason),
            "fix": english(self.fix) if self.fix else self.fix,
        }

"""What the build knows about a case before anything is written (``Analysis``).

It sits below the pipeline, the pre-flight checks and the dossier's facts, which all read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from appeal_kit.case.config import Case
from appeal_kit.dossier.manifest import ManifestEntry
from appeal_kit.evidence.shoots import Shoot
from appeal_kit.models import Deadline, ExcludedFile, Finding, ImageMetadata, MatchResult
from appeal_kit.options import BuildOptions
from appeal_kit.tracking.platforms import PlatformProfile


@dataclass
class Analysis:
    """Everything known about a case before anything is written."""

    case: Case
    options: BuildOptions
    profile: PlatformProfile
    originals: list[ImageMetadata]
    accused: list[Path]
    documents: list[Path]
    excluded: list[ExcludedFile]
    matches: list[MatchResult]
    deadlines: list[Deadline]
    shoots: list[Shoot]
    inputs: list[ManifestEntry]
    findings: list[Finding] = field(default_factory=list)

    @property
    def usable_originals(self) -> list[ImageMetadata]:
        """Originals whose pixels or metadata can serve as evidence."""
        return [m for m in self.originals if m.ok]

    def metadata_for(self, path: Path | None) -> ImageMetadata | None:
        """The metadata read from original ``path``."""
        return self._by_path.get(path) if path is not None else None

    def __post_init__(self) -> None:
        self._by_path = {item.path: item for item in self.originals}

    @property
    def paired(self) -> list[MatchResult]:
        """Matches that name an original (``match`` or ``possible``)."""
        return [m for m in self.matches if m.original is not None and m.verdict != "none"]

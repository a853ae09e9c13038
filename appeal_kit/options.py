"""The one typed options object that both the CLI and the Python API fill in."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from appeal_kit.i18n.document import DocLang

PageSize = Literal["a4", "letter"]

DEFAULT_MAX_SIZE_MB = 10.0


def default_jobs() -> int:
    """Both cores of a typical laptop, never more than the machine has."""
    return max(1, min(os.cpu_count() or 1, 8))


@dataclass(frozen=True)
class BuildOptions:
    """Everything that changes what ``build_dossier`` does.

    ``as_of`` is the reference time for deadline states. When it is ``None`` the
    dossier shows deadlines without "time left", so the PDF does not depend on
    the clock (deterministic output); the terminal still shows live states.
    """

    out_dir: Path | None = None
    force: bool = False
    include_gps: bool = False
    page_size: PageSize = "a4"
    as_of: datetime | None = None
    jobs: int = 0
    cache_dir: Path | None = None
    originals_library: Path | None = None
    max_size_mb: float = DEFAULT_MAX_SIZE_MB
    local_timezone: str | None = None
    # The dossier's language; None follows case.toml ``language`` (default English).
    lang: DocLang | None = None

    @property
    def worker_count(self) -> int:
        """Resolved worker count (``jobs=0`` means "use the machine's cores")."""
        return self.jobs if self.jobs > 0 else default_jobs()

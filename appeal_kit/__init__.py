"""appeal-kit: turn a marketplace image-theft case folder into a verifiable PDF dossier.

The one-call API is ``build_dossier(case_dir, options) -> BuildResult``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from appeal_kit.options import BuildOptions

__all__ = [
    "Analysis",
    "BuildOptions",
    "BuildResult",
    "ExcludedFile",
    "Finding",
    "MatchResult",
    "__version__",
    "analyse_case",
    "build_dossier",
]


def __getattr__(name: str) -> object:
    # The pipeline imports OpenCV and reportlab; load it only when the API is used,
    # so `appeal-kit --help` and the metadata commands start fast.
    if name in ("build_dossier", "analyse_case", "BuildResult", "Analysis"):
        from appeal_kit import pipeline

        return getattr(pipeline, name)
    if name in ("ExcludedFile", "Finding", "MatchResult"):
        from appeal_kit import models

        return getattr(models, name)
    raise AttributeError(name)

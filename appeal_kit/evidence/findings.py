"""What in an original's metadata weakens it as proof, each with a fix.

``consistency_findings`` judges one file (an editor's Software tag, stripped
metadata, no time zone, a thumbnail that differs); ``timezone_advice`` gives the
time-zone advice once for a whole case.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from appeal_kit.evidence.images import RAW_EXTENSIONS
from appeal_kit.i18n import __
from appeal_kit.models import Finding, ImageMetadata

TIMEZONE_UNKNOWN = "timezone-unknown"

# Software names that mean a person edited the pixels (lower case, substring match).
# Camera firmware ("Ver.1.00", "ILCE-7M3 v4.01") and plain converters (Adobe DNG
# Converter) are deliberately absent: they do not change what the photo shows.
EDITOR_SOFTWARE = tuple(
    [
        "photoshop",
        "lightroom",
        "camera raw",
        "gimp",
        "snapseed",
        "canva",
        "meitu",
        "picsart",
        "affinity photo",
        "pixelmator",
        "luminar",
        "capture one",
        "darktable",
        "rawtherapee",
        "paint.net",
        "fotor",
        "vsco",
        "facetune",
        "photopea",
        "photoscape",
        "acdsee",
        "picasa",
        "nikon capture",
        "capture nx",
        "digital photo professional",
        "dxo",
        "on1 photo",
        "polarr",
        "lightx",
        "inshot",
        "airbrush",
        "beautyplus",
        "remini",
        "pixlr",
    ]
)


def is_editor(software: str | None) -> bool:
    """True when the Software tag names a photo editor rather than camera firmware."""
    lowered = (software or "").lower()
    return any(name in lowered for name in EDITOR_SOFTWARE)


def naive_time(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None, microsecond=0)


def consistency_findings(meta: ImageMetadata) -> list[Finding]:
    """What in this file's metadata weakens it as proof, each with a fix."""
    found: list[Finding] = []

    def add(severity: Any, code: str, message: str, fix: str) -> None:
        found.append(Finding(severity, code, message, fix, meta.display_path))

    raw = meta.format in {ext.lstrip(".").upper() for ext in RAW_EXTENSIONS}
    if meta.camera is None and meta.captured_at is None:
        if raw:
            add(
                "info",
                "raw-metadata-unread",
                __("appeal-kit cannot read the capture metadata of this RAW format."),
                __("Keep the RAW as proof and add a JPEG exported from it with metadata kept."),
            )
        else:
            add(
                "warning",
                "metadata-stripped",
                __("No camera and no capture time: the capture metadata was removed."),
                __(
                    "Use the file exactly as it came off the camera or phone (not an export, "
                    "a messenger copy or a screenshot); add the RAW if you have one."
                ),
            )
    elif meta.captured_at is None:
        add(
            "warning",
            "no-capture-time",
            __("The file names a camera but has no capture time."),
            __("Add the camera's untouched file or RAW, which carries DateTimeOriginal."),
        )
    elif meta.camera is None:
        add(
            "info",
            "no-camera",
            __("The file has a capture time but names no camera."),
            __("If you have the camera's untouched file or RAW, add it as well."),
        )
    if meta.exif_problem:
        add(
            "warning",
            "exif-damaged",
            __("The {exif_problem}.", exif_problem=meta.exif_problem),
            __(
                "Copy the file again from the camera's card or the phone; if that copy is damaged "
                "too, add the RAW or another untouched file from the same shoot."
            ),
        )
    if is_editor(meta.software):
        add(
            "warning",
            "edited-with-software",
            __("Saved by an image editor ({software}).", software=meta.software),
            __(
                "Also add the unedited camera file (or the RAW) to originals/: it shows the "
                "edit started from your photo."
            ),
        )
    if meta.captured_at is not None and meta.modified_at is not None:
        both_aware = meta.captured_at.tzinfo is not None and meta.modified_at.tzinfo is not None
        later = (
            meta.modified_at.replace(microsecond=0) - meta.captured_at.replace(microsecond=0)
            if both_aware
            else naive_time(meta.modified_at) - naive_time(meta.captured_at)
        )
        if abs(later) > timedelta(seconds=1):
            add(
                "info",
                "modified-after-capture",
                __(
                    "Saved again {span} after it was taken (ModifyDate differs from the capture time).",
                    span=_span(later),
                ),
                __(
                    "Normal for an export or edit; say which program saved it and keep the "
                    "unedited file too."
                ),
            )
    if meta.captured_at is not None and meta.captured_at.tzinfo is None:
        add(
            "info",
            TIMEZONE_UNKNOWN,
            __("The capture time has no time zone (the camera wrote no UTC offset)."),
            __('Set timezone = "Region/City" in case.toml to the zone the photos were taken in.'),
        )
    if meta.thumbnail_matches is False:
        add(
            "warning",
            "thumbnail-differs",
            __(
                "The embedded EXIF thumbnail shows a different picture than the image: "
                "the image was changed after the camera saved it."
            ),
            __(
                "Use the camera's unedited file as the original, or explain the edit and "
                "include the unedited file."
            ),
        )
    return found


def timezone_advice(originals: Sequence[ImageMetadata]) -> list[Finding]:
    """One case-wide finding when capture times lack a zone (for a case without ``timezone``).

    Each file's own ``timezone-unknown`` finding stays on the file (``exif`` shows it);
    ``check`` and ``build`` give this single one instead of one per original.
    """
    naive = [m for m in originals if m.captured_at is not None and m.captured_at.tzinfo is None]
    if not naive:
        return []
    return [
        Finding(
            "info",
            TIMEZONE_UNKNOWN,
            __(
                "{count} of {count2} originals have a capture time without a time zone (the camera wrote no UTC offset), e.g. {display_path}.",
                count=len(naive),
                count2=len(originals),
                display_path=naive[0].display_path,
            ),
            __('Set timezone = "Region/City" in case.toml to the zone the photos were taken in.'),
        )
    ]


def _span(delta: timedelta) -> str:
    seconds = abs(int(delta.total_seconds()))
    if seconds >= 2 * 86400:
        text = f"{seconds // 86400} days"
    elif seconds >= 2 * 3600:
        text = f"{seconds // 3600} hours"
    elif seconds >= 120:
        text = f"{seconds // 60} minutes"
    else:
        text = f"{seconds} seconds"
    return text if delta >= timedelta(0) else f"-{text} (before)"

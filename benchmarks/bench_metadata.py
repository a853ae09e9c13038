"""Metadata agreement with exiftool: capture time, make, model, size, GPS, thumbnail.

    .venv/bin/python benchmarks/bench_metadata.py            # both corpora
    .venv/bin/python benchmarks/bench_metadata.py --verbose  # list every disagreement

Two corpora under ``../shared/corpus``:

* ``camera-files/``: 77 camera, phone, RAW and software files; the truth is the
  stored ``exiftool-truth.json`` (exiftool 12.57, ``-json -n -G -a``).
* ``real-photos/``: full-size JPEGs from real cameras; the truth is computed here
  by running ``exiftool -json -n -G -a`` when exiftool is installed (Debian:
  ``apt-get install libimage-exiftool-perl``). Tests never need exiftool.

Six fields per file, each compared only where the rule below defines an answer:

* capture time: exiftool's best capture time from EXIF DateTimeOriginal /
  CreateDate or XMP; ours must show the same wall-clock time (none where it has none);
* make and model: where exiftool took them from EXIF or XMP;
* size after rotation: exiftool's ImageWidth x ImageHeight (turned for EXIF
  orientations 5-8), for files whose pixels we decode (RAW sizes are a container matter);
* GPS present and EXIF thumbnail present: yes/no must agree.

Files appeal-kit refuses on purpose (JPEG XL, JPEG 2000, PSD, a truncated HEVC,
a HEIC named .jpg) count as a disagreement in every field exiftool answers, so
the figure is not flattered by what we leave out.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from appeal_kit.evidence.metadata import read_metadata
from appeal_kit.models import ImageMetadata

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
CAMERA_FILES = SHARED / "camera-files"
REAL_PHOTOS = SHARED / "real-photos"
FIELDS = ("capture time", "make", "model", "size", "gps", "thumbnail")
RAW_FORMATS = {"CR2", "CR3", "CRW", "NEF", "ARW", "DNG", "RAF", "RW2", "MRW", "IIQ", "X3F", "RAW"}
# The stored truth lists its own capture-time choice; for real photos we choose alike.
CAPTURE_TAGS = (
    "EXIF:DateTimeOriginal",
    "EXIF:CreateDate",
    "XMP:DateTimeOriginal",
    "XMP:CreateDate",
)


def _wall(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.replace("-", ":")[:19].replace("T", " "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _from_exif_or_xmp(record: dict[str, Any], key: str) -> bool:
    return record.get(key) is not None and record["value_groups"].get(key) in ("EXIF", "XMP")


def field_agreement(meta: ImageMetadata, record: dict[str, Any]) -> dict[str, bool]:
    """Per field, whether ``meta`` agrees with exiftool's ``record``; absent: not compared."""
    result: dict[str, bool] = {}
    best = record.get("capture_time_best") or {}
    tag = best.get("tag") or ""
    if tag in CAPTURE_TAGS or tag.startswith("XMP:"):
        ours = meta.captured_at.replace(tzinfo=None, microsecond=0) if meta.captured_at else None
        result["capture time"] = ours is not None and ours == _wall(best["value"])
    elif not meta.error:
        result["capture time"] = meta.captured_at is None or (
            bool(best)
            and meta.captured_at.replace(tzinfo=None, microsecond=0) == _wall(best["value"])
        )
    for key, ours_text in (("Make", meta.make), ("Model", meta.model)):
        if _from_exif_or_xmp(record, key):
            result[key.lower()] = ours_text == str(record[key]).strip()
    raw = (meta.format or "").upper() in RAW_FORMATS or record.get("FileType") in RAW_FORMATS
    if record.get("ImageWidth") and record.get("ImageHeight") and not raw:
        width, height = record["ImageWidth"], record["ImageHeight"]
        orientation = record.get("Orientation") if _from_exif_or_xmp(record, "Orientation") else 1
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        result["size"] = (meta.width, meta.height) == (width, height)
    if not meta.error or record.get("GPSLatitude") is not None:
        result["gps"] = meta.has_gps == (record.get("GPSLatitude") is not None)
    if not meta.error or record.get("has_thumbnail"):
        result["thumbnail"] = meta.has_thumbnail == bool(record.get("has_thumbnail"))
    return result


def camera_files_truth() -> dict[Path, dict[str, Any]]:
    """The stored exiftool truth for ``camera-files/``, by absolute path."""
    truth = CAMERA_FILES / "exiftool-truth.json"
    if not truth.is_file():
        return {}
    files: dict[str, dict[str, Any]] = json.loads(truth.read_text("utf-8"))["files"]
    return {CAMERA_FILES / name: record for name, record in files.items()}


def _record_from_exiftool(item: dict[str, Any]) -> dict[str, Any]:
    """One ``exiftool -json -n -G -a`` object in the stored truth's shape."""
    record: dict[str, Any] = {"value_groups": {}}
    for key in ("Make", "Model", "Orientation", "GPSLatitude", "ImageWidth", "ImageHeight"):
        for group in ("EXIF", "XMP", "File", "Composite"):
            if f"{group}:{key}" in item and key not in record:
                record[key] = item[f"{group}:{key}"]
                record["value_groups"][key] = group
    record["FileType"] = item.get("File:FileType")
    record["has_thumbnail"] = "EXIF:ThumbnailImage" in item or "EXIF:ThumbnailOffset" in item
    record["capture_time_best"] = next(
        ({"tag": tag, "value": item[tag]} for tag in CAPTURE_TAGS if item.get(tag)), None
    )
    return record


def real_photos_truth() -> dict[Path, dict[str, Any]]:
    """exiftool's reading of ``real-photos/`` (empty without exiftool or the folder)."""
    exiftool = shutil.which("exiftool")
    photos = sorted(p for p in REAL_PHOTOS.glob("*") if p.suffix.lower() in (".jpg", ".jpeg"))
    if not exiftool or not photos:
        return {}
    out = subprocess.run(
        [exiftool, "-json", "-n", "-G", "-a", *map(str, photos)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return {Path(item["SourceFile"]): _record_from_exiftool(item) for item in json.loads(out)}


def measure(truth: dict[Path, dict[str, Any]], verbose: bool) -> tuple[int, int]:
    """(agreeing fields, compared fields) over one corpus; prints disagreements if asked."""
    agree = total = 0
    for path, record in sorted(truth.items()):
        meta = read_metadata(path, display_path=path.name)
        for field, ok in field_agreement(meta, record).items():
            total += 1
            agree += ok
            if not ok and verbose:
                print(f"  {path.name}: {field} differs ({meta.error or ''})")
    return agree, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    args = parser.parse_args()
    grand_agree = grand_total = 0
    for name, truth in (
        ("camera-files", camera_files_truth()),
        ("real-photos", real_photos_truth()),
    ):
        if not truth:
            print(f"{name}: skipped (corpus or exiftool absent)")
            continue
        agree, total = measure(truth, args.verbose)
        grand_agree += agree
        grand_total += total
        print(
            f"{name}: {agree}/{total} fields agree ({100 * agree / total:.1f} %), {len(truth)} files"
        )
    if grand_total:
        print(f"overall: {grand_agree}/{grand_total} ({100 * grand_agree / grand_total:.1f} %)")


if __name__ == "__main__":
    main()

"""read_metadata against exiftool on 77 real camera, phone and software files.

The truth is ``exiftool -json -n -G -a`` output (``../shared/corpus/camera-files/
exiftool-truth.json``). Values are compared where exiftool took them from EXIF or
XMP (``value_groups``); maker-note values are a bonus we do not require.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from appeal_kit.evidence.metadata import read_metadata
from appeal_kit.models import ImageMetadata

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "camera-files"
TRUTH = CORPUS / "exiftool-truth.json"

pytestmark = pytest.mark.corpus

# Files appeal-kit refuses on purpose: the error it must give, and why.
EXPECTED_ERRORS: dict[str, tuple[str, str]] = {
    "exif-py/heic/heic_hdlr_box.jpg": ("wrongly named", "a HEIC file named .jpg"),
    "exif-py/jxl/test_0001.jxl": ("unsupported format JXL", "Pillow 13 cannot decode JPEG XL"),
    "exiftool/JXL.jxl": ("unsupported format JXL", "Pillow 13 cannot decode JPEG XL"),
    "exiftool/JXL2.jxl": ("unsupported format JXL", "Pillow 13 cannot decode JPEG XL"),
    "exiftool/Jpeg2000.j2c": ("unsupported format JPEG2000", "not a seller's photo format"),
    "exiftool/Jpeg2000.jp2": ("unsupported format JPEG2000", "not a seller's photo format"),
    "exiftool/Photoshop.psd": ("unsupported format PSD", "a layered document, not a photo"),
    "exiftool/QuickTime.heic": ("truncated", "the sample's HEVC data is cut off"),
}

# RAWs whose IFD0 is a preview (CR2) or placeholder (IIQ): exiftool's ImageWidth
# is that preview's, while we report the sensor image, ExifImageWidth/Height.
SIZE_FROM_EXIF_IMAGE_SIZE = {
    "exiftool/CanonRaw.cr2": "IFD0 holds a 1536x1024 preview; the sensor image is 3456x2304",
    "exiftool/PhaseOne.iiq": "IFD0 is a 1x1 placeholder; the sensor image is 7320x5484",
}

# No EXIF OffsetTimeOriginal, but the XMP packet repeats DateTimeOriginal with a
# zone (exif:DateTimeOriginal="2005-08-03T18:59:18-04:00"); we adopt that offset.
OFFSET_FROM_XMP = {"exiftool/DNG.dng": "-04:00"}

RAW_FORMATS = {"CR2", "CR3", "CRW", "NEF", "ARW", "DNG", "RAF", "RW2", "MRW", "IIQ", "X3F", "RAW"}


@cache
def truth() -> dict[str, dict[str, Any]]:
    if not TRUTH.is_file():
        return {}
    files: dict[str, dict[str, Any]] = json.loads(TRUTH.read_text("utf-8"))["files"]
    return files


def corpus_files() -> list[Any]:
    names = sorted(truth())
    if not names:
        return [pytest.param("", marks=pytest.mark.skip(reason=f"corpus absent: {CORPUS}"))]
    return names


@cache
def read(name: str) -> ImageMetadata:
    return read_metadata(CORPUS / name, display_path=name)


def from_exif_or_xmp(record: dict[str, Any], key: str) -> bool:
    return record.get(key) is not None and record["value_groups"].get(key) in ("EXIF", "XMP")


def exif_time(text: str) -> datetime:
    return datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")


def wall_clock(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=None, microsecond=0) if moment else None


@pytest.mark.parametrize("name", corpus_files())
def test_never_raises_and_errors_only_where_expected(name: str) -> None:
    record = truth()[name]
    meta = read(name)
    assert meta.size_bytes == record["bytes"]
    if name in EXPECTED_ERRORS:
        phrase, _why = EXPECTED_ERRORS[name]
        assert meta.error is not None and phrase in meta.error
        assert meta.error_fix and " — " not in meta.error  # what to do comes separately
        return
    assert meta.error is None, meta.error
    assert meta.sha256 == record["sha256"]
    json.dumps(meta.to_json(include_gps=True))  # always serialisable


@pytest.mark.parametrize("name", corpus_files())
def test_capture_time_agrees_with_exiftool(name: str) -> None:
    record, meta = truth()[name], read(name)
    if meta.error:
        pytest.skip(f"refused on purpose: {EXPECTED_ERRORS[name][1]}")
    best = record["capture_time_best"]
    tag = best["tag"] if best else None
    if tag in ("EXIF:DateTimeOriginal", "EXIF:CreateDate") or (tag or "").startswith("XMP:"):
        assert meta.captured_at_tag == tag
        assert wall_clock(meta.captured_at) == exif_time(best["value"])
    elif tag == "EXIF:ModifyDate":  # a save time is not a capture time
        assert meta.captured_at is None
        assert wall_clock(meta.modified_at) == exif_time(best["value"])
    else:  # none, or only in maker notes / IPTC: we may not know it, but must not invent it
        assert meta.captured_at is None or wall_clock(meta.captured_at) == exif_time(best["value"])
    if tag == "EXIF:DateTimeOriginal" and from_exif_or_xmp(record, "SubSecTimeOriginal"):
        digits = str(record["SubSecTimeOriginal"]).strip()
        assert meta.captured_at is not None
        assert meta.captured_at.microsecond == int(digits[:6].ljust(6, "0"))
    if tag == "EXIF:DateTimeOriginal" and from_exif_or_xmp(record, "OffsetTimeOriginal"):
        sign, hours, minutes = (
            record["OffsetTimeOriginal"][0],
            *record["OffsetTimeOriginal"][1:].split(":"),
        )
        offset = timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if sign == "-" else 1)
        assert meta.captured_at is not None and meta.captured_at.utcoffset() == offset
    elif name in OFFSET_FROM_XMP:
        expected = datetime.fromisoformat(f"2000-01-01T00:00:00{OFFSET_FROM_XMP[name]}")
        assert meta.captured_at is not None
        assert meta.captured_at.utcoffset() == expected.utcoffset()
    elif meta.captured_at is not None:
        assert meta.captured_at.tzinfo is None, "an offset nobody wrote"


@pytest.mark.parametrize("name", corpus_files())
def test_camera_lens_and_software_agree_with_exiftool(name: str) -> None:
    record, meta = truth()[name], read(name)
    if meta.error:
        pytest.skip(f"refused on purpose: {EXPECTED_ERRORS[name][1]}")
    compared = 0
    for key, ours in (
        ("Make", meta.make),
        ("Model", meta.model),
        ("LensModel", meta.lens),
        ("Software", meta.software),
        ("SerialNumber", meta.serial),
    ):
        if from_exif_or_xmp(record, key):
            assert ours == str(record[key]).strip(), key
            compared += 1
    if record.get("GPSLatitude") is not None:
        assert meta.has_gps and meta.gps is not None
        assert meta.gps == pytest.approx((record["GPSLatitude"], record["GPSLongitude"]), abs=1e-5)
    if not compared and record.get("GPSLatitude") is None:
        assert meta.make is None and meta.model is None  # nothing to compare: nothing invented


@pytest.mark.parametrize("name", corpus_files())
def test_size_and_orientation_agree_with_exiftool(name: str) -> None:
    record, meta = truth()[name], read(name)
    if meta.error:
        pytest.skip(f"refused on purpose: {EXPECTED_ERRORS[name][1]}")
    if from_exif_or_xmp(record, "Orientation"):
        assert meta.orientation == record["Orientation"]
    if name in SIZE_FROM_EXIF_IMAGE_SIZE:
        width, height = record["ExifImageWidth"], record["ExifImageHeight"]
    elif from_exif_or_xmp(record, "ImageWidth") or (
        record.get("ImageWidth") is not None and meta.format not in RAW_FORMATS
    ):
        width, height = record["ImageWidth"], record["ImageHeight"]
    else:
        pytest.skip("exiftool's size comes from a RAW container or preview, not EXIF")
    if (meta.orientation or 1) in (5, 6, 7, 8):
        width, height = height, width
    assert (meta.width, meta.height) == (width, height)


def test_a_typical_raw_reads_fast_enough() -> None:
    """RAW metadata must not make a folder of originals slow (exifread walks the IFDs)."""
    import time

    raw = CORPUS / "exif-py/raw/sony_alpha_a7iii_raw_image.ARW"
    if not raw.is_file():
        pytest.skip(f"corpus absent: {CORPUS}")
    start = time.perf_counter()
    meta = read_metadata(raw)
    assert time.perf_counter() - start < 2.0
    assert meta.model == "ILCE-7M3"


# --- agreement with exiftool, as the README states it (issue 14) ----------------------------


@pytest.mark.parametrize("name", corpus_files())
def test_thumbnail_presence_agrees_with_exiftool(name: str) -> None:
    """Found where exiftool extracts one: IFD1 (even a dummy), JFIF/JFXX, DNG IFD0, CR3 THMB."""
    record, meta = truth()[name], read(name)
    if meta.error:
        pytest.skip(f"refused on purpose: {EXPECTED_ERRORS[name][1]}")
    assert meta.has_thumbnail == bool(record["has_thumbnail"]), record["thumbnail_tags"]


def test_refused_files_still_show_their_headers() -> None:
    """A HEIC named .jpg and a JPEG XL are refused, but their headers are read as exiftool does."""
    if not truth():
        pytest.skip(f"corpus absent: {CORPUS}")
    heic = read("exif-py/heic/heic_hdlr_box.jpg")
    assert heic.error is not None and "wrongly named" in heic.error
    record = truth()["exif-py/heic/heic_hdlr_box.jpg"]
    assert (heic.width, heic.height) == (record["ImageWidth"], record["ImageHeight"])
    jxl = read("exif-py/jxl/test_0001.jxl")
    record = truth()["exif-py/jxl/test_0001.jxl"]
    assert jxl.error is not None and "JXL" in jxl.error
    assert (jxl.make, jxl.model) == (record["Make"].strip(), record["Model"].strip())
    assert wall_clock(jxl.captured_at) == exif_time(record["DateTimeOriginal"])
    assert jxl.has_gps
    assert (read("exiftool/JXL.jxl").width, read("exiftool/JXL.jxl").height) == (200, 130)


def test_at_least_99_percent_of_fields_agree_with_exiftool() -> None:
    """The README's figure: capture time, make, model, size, GPS, thumbnail over the corpus."""
    from benchmarks.bench_metadata import camera_files_truth, field_agreement

    records = camera_files_truth()
    if not records:
        pytest.skip(f"corpus absent: {CORPUS}")
    results = [
        ok
        for path, record in records.items()
        for ok in field_agreement(read(path.relative_to(CORPUS).as_posix()), record).values()
    ]
    assert len(results) > 350
    assert sum(results) / len(results) >= 0.99, f"{sum(results)}/{len(results)}"

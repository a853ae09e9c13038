"""The metadata stage: what each original says about when, and with what, it was taken.

``read_metadata`` turns one file into an ``ImageMetadata``: hash, size, pixel
dimensions after EXIF orientation, capture time (with sub-seconds and UTC offset
when the camera wrote them, and the tag it came from), camera, lens, serials,
software, XMP document ids and edit history, GPS presence, and whether the EXIF
thumbnail still shows the main image. It adds ``Finding``s for what weakens the
file as evidence (an editor's Software tag, stripped metadata, unknown time
zone, a thumbnail that differs).

It never raises for a bad file. Unusable files get ``error`` (the reason) and
``error_fix`` (what to do about it); oddities that leave the file usable
(malformed EXIF, garbage strings) become ``warnings``.
Files are opened read-only; headers are read without decoding pixels, and the
pixels are decoded at most once, at 256 px, for the thumbnail check (which also
proves the image data is complete). ``exif`` asks for headers only, as exiftool
reads them; ``build`` and ``exif --verify`` decode. Either way a JPEG without an
end marker after its scan is reported as cut off, which needs no decode. Camera
RAW files get their metadata through ``metadata_raw`` although their pixels are
never decoded.

The JSON form (``ImageMetadata.to_json``, used by ``appeal-kit exif --json``) is
a stable interface: its keys are defined in ``appeal_kit.models`` and documented
in the README; this module only fills the fields.
"""

from __future__ import annotations

import math
import warnings as pywarnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import as_completed
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, UnidentifiedImageError

from appeal_kit.errors import (
    ImageTooLargeError,
    InputFileError,
    UnreadableImageError,
    UnsupportedFormatError,
)
from appeal_kit.evidence.findings import (
    EDITOR_SOFTWARE,
    TIMEZONE_UNKNOWN,
    consistency_findings,
    is_editor,
    naive_time,
    timezone_advice,
)
from appeal_kit.evidence.images import (
    MAX_PIXELS,
    RAW_EXTENSIONS,
    LoadedImage,
    Problem,
    check_file,
    cut_off,
    describe_error,
    open_image,
    sha256_file,
    sniff_format,
)
from appeal_kit.evidence.pixelcheck import CheckMemo, store
from appeal_kit.evidence.pixelcheck import heif_thumbnail_decodes as _heif_thumbnail_decodes
from appeal_kit.evidence.raw import (
    TagSet,
    clean_text,
    compare_thumbnail,
    jfif_thumbnail,
    jxl_tags,
    parse_datetime,
    plain,
    read_raw_tags,
    tags_from_pillow,
    thumbnail_declared,
    thumbnail_from_exif,
)
from appeal_kit.evidence.workers import worker_pool
from appeal_kit.evidence.xmp import XmpData, find_packet, parse_xmp
from appeal_kit.i18n import __
from appeal_kit.models import ImageMetadata

# IFD0 tags
MAKE, MODEL, ORIENTATION, SOFTWARE, MODIFY_DATE = 0x010F, 0x0110, 0x0112, 0x0131, 0x0132
ARTIST, COPYRIGHT, XMP_PACKET, CAMERA_SERIAL = 0x013B, 0x8298, 0x02BC, 0xC62F
# Exif IFD tags
DATE_TIME_ORIGINAL, CREATE_DATE = 0x9003, 0x9004
OFFSET_TIME, OFFSET_TIME_ORIGINAL, OFFSET_TIME_DIGITIZED = 0x9010, 0x9011, 0x9012
SUBSEC_TIME, SUBSEC_TIME_ORIGINAL, SUBSEC_TIME_DIGITIZED = 0x9290, 0x9291, 0x9292
IMAGE_UNIQUE_ID, BODY_SERIAL, LENS_MODEL, LENS_SERIAL = 0xA420, 0xA431, 0xA434, 0xA435
SIZE_TAGS = ((0x0100, 0x0101), (0xA002, 0xA003))

# A refused file's headers (JPEG XL boxes, a misnamed JPEG's EXIF) are near its start.
HEADER_SCAN_BYTES = 1 << 20
# Below this many files a process pool costs more to start than it saves.
POOL_MIN_FILES = 8
THUMBNAIL_SIDE = 256


# --- filling ImageMetadata -------------------------------------------------------


def _get(tags: TagSet, tag_id: int) -> Any:
    """A tag from its own IFD, falling back to the other (some writers misplace them)."""
    first, second = (tags.ifd0, tags.exif) if tag_id < 0x8000 else (tags.exif, tags.ifd0)
    value = first.get(tag_id)
    return value if value is not None else second.get(tag_id)


def _text(tags: TagSet, tag_id: int, meta: ImageMetadata) -> str | None:
    name = ExifTags.TAGS.get(tag_id, hex(tag_id))
    return clean_text(
        _get(tags, tag_id), f"EXIF {name}", meta.warnings, two_parts=tag_id == COPYRIGHT
    )


def _time(
    meta: ImageMetadata, tags: TagSet, tag_id: int, subsec_id: int, offset_ids: Sequence[int]
) -> datetime | None:
    text = _text(tags, tag_id, meta)
    subsec = _text(tags, subsec_id, meta)
    offset = next((o for o in (_text(tags, i, meta) for i in offset_ids) if o), None)
    try:
        return parse_datetime(text, subsec, offset)
    except ValueError as exc:
        meta.warnings.append(
            __("EXIF {value} ignored: {exc}", value=ExifTags.TAGS.get(tag_id, hex(tag_id)), exc=exc)
        )
        return None


def _dms(value: Any, ref: Any, negative: str) -> float | None:
    """Degrees/minutes/seconds (three numbers) to signed decimal degrees."""
    value = plain(value)
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    try:
        deg, minutes, seconds = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    result = deg + minutes / 60 + seconds / 3600
    if not math.isfinite(result):
        return None
    ref_text = ref.decode("latin-1") if isinstance(ref, bytes) else str(ref or "")
    return -result if ref_text.strip("\x00 ").upper() == negative else result


def _apply_tags(meta: ImageMetadata, tags: TagSet) -> None:
    """Copy EXIF values into ``meta``; XMP fills gaps later."""
    meta.make = _text(tags, MAKE, meta)
    meta.model = _text(tags, MODEL, meta)
    meta.software = _text(tags, SOFTWARE, meta)
    meta.artist = _text(tags, ARTIST, meta)
    meta.copyright = _text(tags, COPYRIGHT, meta)
    meta.lens = _text(tags, LENS_MODEL, meta)
    # BodySerialNumber, else DNG's CameraSerialNumber, else the maker note's.
    meta.serial = (
        _text(tags, BODY_SERIAL, meta) or _text(tags, CAMERA_SERIAL, meta) or tags.maker_serial
    )
    meta.lens_serial = _text(tags, LENS_SERIAL, meta)
    meta.image_unique_id = _text(tags, IMAGE_UNIQUE_ID, meta)
    orientation = plain(_get(tags, ORIENTATION))
    if isinstance(orientation, int) and 1 <= orientation <= 8:
        meta.orientation = orientation
    elif orientation is not None:
        meta.warnings.append(
            __(
                "EXIF Orientation has an invalid value ({orientation!r}); ignored",
                orientation=orientation,
            )
        )
    # The capture time: DateTimeOriginal, else the digitized time (CreateDate).
    for tag_id, subsec_id, offsets, label in (
        (
            DATE_TIME_ORIGINAL,
            SUBSEC_TIME_ORIGINAL,
            (OFFSET_TIME_ORIGINAL, OFFSET_TIME),
            "DateTimeOriginal",
        ),
        (CREATE_DATE, SUBSEC_TIME_DIGITIZED, (OFFSET_TIME_DIGITIZED, OFFSET_TIME), "CreateDate"),
    ):
        captured = _time(meta, tags, tag_id, subsec_id, offsets)
        if captured is not None:
            meta.captured_at, meta.captured_at_tag = captured, f"EXIF:{label}"
            break
    meta.modified_at = _time(meta, tags, MODIFY_DATE, SUBSEC_TIME, (OFFSET_TIME,))
    lat = _dms(tags.gps.get(2), tags.gps.get(1), "S")
    lon = _dms(tags.gps.get(4), tags.gps.get(3), "W")
    if lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180:
        meta.has_gps, meta.gps = True, (round(lat, 6), round(lon, 6))


# Capture-time properties in XMP, best first. This follows the Metadata Working
# Group's mapping: exif:DateTimeOriginal and photoshop:DateCreated both mean "when
# the photo was taken"; xmp:CreateDate is the digitizing time (EXIF CreateDate).
XMP_CAPTURE_TAGS = (
    ("exif:DateTimeOriginal", "XMP:DateTimeOriginal"),
    ("photoshop:DateCreated", "XMP:DateCreated"),
    ("xmp:CreateDate", "XMP:CreateDate"),
)


def _xmp_time(meta: ImageMetadata, xmp: XmpData, key: str) -> datetime | None:
    try:
        return parse_datetime(xmp.get(key))
    except ValueError as exc:
        meta.warnings.append(__("XMP {key} ignored: {exc}", key=key, exc=exc))
        return None


def _apply_xmp(meta: ImageMetadata, xmp: XmpData) -> None:
    """Fill what EXIF did not give from XMP, and take XMP-only fields."""
    for key, label in XMP_CAPTURE_TAGS:
        captured = _xmp_time(meta, xmp, key)
        if captured is None:
            continue
        if meta.captured_at is None:
            meta.captured_at, meta.captured_at_tag = captured, label
        elif (
            meta.captured_at.tzinfo is None
            and captured.tzinfo is not None
            and naive_time(captured) == naive_time(meta.captured_at)
        ):
            # Same wall-clock time, and XMP (Lightroom, DNG Converter) knows the zone.
            meta.captured_at = meta.captured_at.replace(tzinfo=captured.tzinfo)
        break
    if meta.modified_at is None:
        meta.modified_at = _xmp_time(meta, xmp, "xmp:ModifyDate")
    fallbacks = {
        "make": ("tiff:Make",),
        "model": ("tiff:Model",),
        "lens": ("exifEX:LensModel", "aux:Lens"),
        "serial": ("exifEX:BodySerialNumber", "aux:SerialNumber"),
        "lens_serial": ("exifEX:LensSerialNumber", "aux:LensSerialNumber"),
        "software": ("xmp:CreatorTool",),
        "artist": ("dc:creator",),
        "copyright": ("dc:rights",),
        "image_unique_id": ("exif:ImageUniqueID",),
    }
    for attribute, keys in fallbacks.items():
        if getattr(meta, attribute) is None:
            value = next((v for v in (xmp.get(k) for k in keys) if v), None)
            setattr(meta, attribute, clean_text(value, attribute, meta.warnings))
    meta.document_id = xmp.get("xmpMM:DocumentID")
    meta.original_document_id = xmp.get("xmpMM:OriginalDocumentID")
    meta.history = list(xmp.history)


def _upright_size(meta: ImageMetadata, width: int, height: int) -> None:
    if meta.orientation in (5, 6, 7, 8):
        width, height = height, width
    meta.width, meta.height = width, height


# --- reading one file -------------------------------------------------------------


def _is_raw(path: Path) -> bool:
    """True for camera RAW files, whose metadata we read without their pixels."""
    if path.suffix.lower() in RAW_EXTENSIONS:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(32)
    except OSError:
        return False
    return sniff_format(head) in ("RAW", "CR3", "RAF")


def _read_image(
    meta: ImageMetadata,
    path: Path,
    kind: str,
    check_thumbnail: bool,
    memo: CheckMemo | None = None,
) -> None:
    """Headers (and a 256 px decode for the thumbnail check) of a decodable image.

    ``memo``: that decode when the caller made it, and the check's cache (``read_metadata``).
    """
    thumbnail: bytes | None = None
    declared = kind == "JPEG" and _jfif_thumbnail(path)
    with pywarnings.catch_warnings(record=True) as caught:
        pywarnings.simplefilter("always")  # Pillow warns on odd EXIF; we report it our way
        meta.format = kind
        with Image.open(path) as img:
            before = len(meta.warnings)
            tags, exif = tags_from_pillow(img, meta.warnings)
            if exif is None and len(meta.warnings) > before:
                meta.exif_problem = meta.warnings[before]
            info = {str(k): v for k, v in img.info.items()}
            size = img.size
            if exif is not None:
                thumbnail = thumbnail_from_exif(info.get("exif"), exif, meta.warnings)
                declared = declared or thumbnail_declared(info.get("exif"), exif)
    if size[0] * size[1] > MAX_PIXELS:
        raise ImageTooLargeError(
            path,
            __(
                "is too large to open safely ({size_0}x{size_1} pixels)",
                size_0=size[0],
                size_1=size[1],
            ),
        )
    if any("EXIF" in str(w.message) or "TiffImagePlugin" in w.filename for w in caught):
        meta.warnings.append(__("EXIF block is damaged; tags after the damage may be missing"))
        meta.exif_problem = meta.exif_problem or meta.warnings[-1]
    _apply_tags(meta, tags)
    if kind == "HEIF":
        # pillow-heif hands over upright pixels and resets EXIF orientation to 1.
        meta.orientation = info.get("original_orientation") or meta.orientation
        meta.width, meta.height = size
    else:
        _upright_size(meta, *size)
    packet = find_packet(info) or _xmp_from_tiff(tags.ifd0.get(XMP_PACKET))
    if packet:
        xmp, problem = parse_xmp(packet)
        if problem:
            meta.warnings.append(problem)
        _apply_xmp(meta, xmp)
    # Present as exiftool counts it: declared in IFD1 with its bytes there, or JFIF's.
    meta.has_thumbnail = thumbnail is not None or declared
    if cut_off(path, kind):
        # Found without decoding, so exif reports it without --verify too; the 1/8
        # decode itself passes a JPEG whose tail was filled with zeros.
        raise UnreadableImageError(
            path,
            __("is truncated: the file ends before the image data does"),
            hint=__("copy the file again from the camera, phone or download"),
        )
    memo = memo or CheckMemo()
    if not check_thumbnail or memo.recall(meta):
        return  # not asked for, or these very bytes were checked by an earlier build
    before = len(meta.warnings)
    _pixel_check(meta, path, kind, thumbnail, memo.view)
    memo.remember(meta, before)


def _pixel_check(
    meta: ImageMetadata, path: Path, kind: str, thumbnail: bytes | None, view: LoadedImage | None
) -> None:
    """Decode at 256 px (or take ``view``) and compare the EXIF thumbnail with the picture."""
    if kind == "HEIF" and _heif_thumbnail_decodes(path):
        return  # HEIF thumbnails are not compared: pillow-heif hands over upright pixels
    with pywarnings.catch_warnings():
        # Already reported from the header read.
        pywarnings.filterwarnings("ignore", category=UserWarning, module="PIL.TiffImagePlugin")
        loaded = view or open_image(path, max_side=THUMBNAIL_SIDE)
    if thumbnail is not None and kind != "HEIF":
        meta.thumbnail_matches = compare_thumbnail(
            thumbnail, loaded.image, meta.orientation or 1, meta.warnings
        )


def _jfif_thumbnail(path: Path) -> bool:
    with path.open("rb") as handle:
        return jfif_thumbnail(handle.read(1 << 16))


def _xmp_from_tiff(value: Any) -> bytes | None:
    """TIFF tag 700 (XMLPacket) as bytes; Pillow gives bytes or a tuple of ints."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        return bytes(v & 0xFF for v in value)
    return None


def _read_raw(meta: ImageMetadata, path: Path) -> None:
    """Capture metadata of a camera RAW file; its pixels are not decoded."""
    meta.format = path.suffix.lstrip(".").upper() or "RAW"
    tags, problems = read_raw_tags(path)
    meta.warnings.extend(problems)
    meta.warnings.append(
        __(
            "camera RAW file: metadata read, pixels not decoded (export a full-size JPEG "
            "from it for the picture comparisons and keep the RAW as proof)"
        )
    )
    _apply_tags(meta, tags)
    meta.has_thumbnail = tags.has_thumbnail
    sizes = list(tags.sizes)
    for width_id, height_id in SIZE_TAGS:
        width, height = plain(_get(tags, width_id)), plain(_get(tags, height_id))
        if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
            sizes.append((width, height))
    if sizes and not tags.preview_only:
        # The sensor image is the largest one a RAW declares; IFD0 is often a preview.
        _upright_size(meta, *max(sizes, key=lambda s: (s[0] * s[1], s)))
    packet = _xmp_from_tiff(tags.ifd0.get(XMP_PACKET))
    if packet:
        xmp, problem = parse_xmp(packet)
        if problem:
            meta.warnings.append(problem)
        _apply_xmp(meta, xmp)


def read_metadata(
    path: Path,
    *,
    display_path: str | None = None,
    check_thumbnail: bool = True,
    view: LoadedImage | None = None,
    memo: CheckMemo | None = None,
) -> ImageMetadata:
    """Everything appeal-kit uses from one file's metadata; never raises for a bad file.

    ``display_path`` is how the file is named in reports (default: ``str(path)``).
    With ``check_thumbnail`` the image is decoded once at 256 px to compare it
    with its EXIF thumbnail, which also catches truncated image data; without it
    only headers are read. ``view``: that 256 px decode when the caller already
    made it, exactly as ``open_image(path, max_side=THUMBNAIL_SIDE)`` returns it (a
    cold build decodes each big original once for this and its features). ``memo``:
    the same, with where the check's outcome is cached (``evidence.pixelcheck``).
    """
    meta = ImageMetadata(path=path, display_path=display_path or str(path))
    problem = _read_into(meta, path, check_thumbnail, memo or CheckMemo(view))
    if problem is not None:
        meta.error, meta.error_fix = problem
        return meta
    meta.findings = consistency_findings(meta)
    return meta


def _read_into(
    meta: ImageMetadata, path: Path, check_thumbnail: bool, memo: CheckMemo
) -> Problem | None:
    """Fill ``meta`` from ``path``; the problem that stopped it, or None."""
    try:
        meta.size_bytes = path.stat().st_size
    except OSError as exc:
        return Problem(
            __("cannot be read ({value})", value=exc.strerror or exc),
            __("check the path and permissions"),
        )
    try:
        kind = check_file(path)
        if kind == "PDF":
            raise UnsupportedFormatError(
                path, __("is a PDF, not an image"), hint=__("put PDFs in documents/")
            )
    except UnsupportedFormatError as exc:
        if not _is_raw(path):
            return _headers_only(meta, path, describe_error(exc))
        kind = "RAW"
    except InputFileError as exc:
        return _headers_only(meta, path, describe_error(exc))
    try:
        meta.sha256 = sha256_file(path)
        if kind == "RAW":
            _read_raw(meta, path)
        else:
            _read_image(meta, path, kind, check_thumbnail, memo)
    except InputFileError as exc:
        return describe_error(exc)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Problem(__("is too large to open safely"), __("export a smaller JPEG and use that"))
    except UnidentifiedImageError:
        # pillow-heif cannot open a HEIC cut off mid-file: say what happened.
        cut = meta.format in ("HEIF", "AVIF") and cut_off(path, meta.format)
        return Problem(
            __("is truncated: the file ends before the image data does")
            if cut
            else __("is corrupt: the {value} data cannot be decoded", value=meta.format or "image"),
            __("copy the file again from the camera, phone or download"),
        )
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        return Problem(
            __("is corrupt: {value}", value=exc or type(exc).__name__),
            __("copy the file again from the camera"),
        )
    except Exception as exc:  # a decoder bug must cost one file, not the whole build
        return Problem(
            __("could not be read ({type})", type=type(exc).__name__),
            __(
                "re-save it as JPEG and add that; please report the original file as an appeal-kit bug"
            ),
        )
    return None


def _headers_only(meta: ImageMetadata, path: Path, problem: Problem) -> Problem:
    """Read what the headers say of a file that is still refused, then return why.

    A JPEG named ``.nef``, a PSD or a JPEG XL cannot be evidence as they are, but
    ``exif`` should still show what exiftool shows (camera, capture time, size)
    next to the reason. Reading headers here must never raise.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(HEADER_SCAN_BYTES)
        kind = sniff_format(head[:32])
        if kind == "JXL":
            meta.format = kind
            tags = jxl_tags(head)
            _apply_tags(meta, tags)
            if tags.sizes:
                _upright_size(meta, *tags.sizes[0])
        elif kind is not None and kind not in ("PDF", "RAW", "CR3", "RAF"):
            meta.sha256 = sha256_file(path)
            _read_image(meta, path, kind, check_thumbnail=False)
    except Exception:  # headers of a refused file are a bonus, never a second error
        pass
    return problem


# --- many files -------------------------------------------------------------------


def _read_one(job: tuple[Path, str, bool, CheckMemo]) -> tuple[ImageMetadata, str | None, bool]:
    """The metadata, and the pixel check's new outcome to store, or whether it was read."""
    meta = read_metadata(job[0], display_path=job[1], check_thumbnail=job[2], memo=job[3])
    return meta, job[3].fresh, job[3].hit


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_many(
    paths: Sequence[Path],
    *,
    display: Callable[[Path], str] | None = None,
    jobs: int = 1,
    on_progress: Callable[[int, int], None] | None = None,
    check_thumbnail: bool = True,
    views: Mapping[Path, LoadedImage] | None = None,
    check_cache: Path | None = None,
) -> list[ImageMetadata]:
    """``read_metadata`` for each path, in the order given.

    With ``jobs > 1`` and more than a handful of files the work is spread over a
    process pool. ``display`` names each file for reports; ``on_progress`` is
    called with (done, total) in this process after each file. ``check_thumbnail``
    is ``read_metadata``'s: without it only headers are read, as exiftool does.
    ``views``: decodes already made for the thumbnail check (``read_metadata``'s ``view``).
    ``check_cache``: the database where its outcomes are kept per content hash (a build's).
    """
    views = views or {}
    work = [
        (
            p,
            display(p) if display else str(p),
            check_thumbnail,
            CheckMemo(views.get(p), check_cache),
        )
        for p in paths
    ]
    total = len(work)
    results: list[tuple[ImageMetadata, str | None, bool] | None] = [None] * total
    if jobs > 1 and total >= POOL_MIN_FILES:
        if check_thumbnail:
            # The thumbnail comparison needs NumPy: import it once here, before the
            # workers are forked, rather than once in each of them.
            import numpy  # noqa: F401
        # Workers die with the build and share its memory budget (evidence.workers).
        with worker_pool(min(jobs, total)) as pool:
            # Biggest files first, so no worker is left with a 30 MB file while the others idle.
            order = sorted(range(total), key=lambda i: -_size_of(work[i][0]))
            futures = {pool.submit(_read_one, work[i]): i for i in order}
            for done, future in enumerate(as_completed(futures), start=1):
                index = futures[future]
                try:
                    results[index] = future.result()
                except Exception:  # a crashed worker: read that file here instead
                    results[index] = _read_one(work[index])
                if on_progress:
                    on_progress(done, total)
    else:
        for index, job in enumerate(work):
            results[index] = _read_one(job)
            if on_progress:
                on_progress(index + 1, total)
    read = [r for r in results if r is not None]
    fresh = {m.sha256: new for m, new, _ in read if new and m.sha256}
    store(check_cache, fresh, {m.sha256 for m, _, hit in read if hit and m.sha256})
    return [meta for meta, _, _ in read]


__all__ = [
    "EDITOR_SOFTWARE",
    "TIMEZONE_UNKNOWN",
    "clean_text",
    "consistency_findings",
    "is_editor",
    "parse_datetime",
    "read_many",
    "read_metadata",
    "timezone_advice",
]

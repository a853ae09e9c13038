"""EXIF blocks: tags as plain dictionaries (from Pillow or a camera RAW) and the thumbnail.

A RAW file is the strongest proof of authorship, but Pillow cannot open most of
them. Their capture metadata is read with exifread (TIFF-based RAWs: DNG, CR2,
NEF, ARW, RW2, ORF, PEF, IIQ ...). For containers exifread does not know
(CR3, RAF, MRW, X3F) we only *locate* the TIFF block the camera embedded (the
CR3 ``CMT1``/``CMT2`` boxes, a preview JPEG's ``Exif`` segment, the MRW ``TTW``
block) and let Pillow's EXIF parser read it. No pixel data is touched.

Both paths produce a ``TagSet``: tag id -> value for IFD0, the Exif IFD and the
GPS IFD, so one function turns either into an ``ImageMetadata``.

The EXIF thumbnail is written by the camera together with the image. Editors
often rewrite the image and keep the old thumbnail, so ``compare_thumbnail``
checking that both show the same picture is a cheap test for later edits.

Tag values are untrusted text: ``clean_text`` and ``parse_datetime`` (in
``evidence.tagtext``) turn NUL padding, bytes, wrong types and odd date spellings
into clean values or ``None``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from numbers import Rational
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import ExifTags, Image

from appeal_kit.evidence.tagtext import clean_text, parse_datetime
from appeal_kit.i18n import __

if TYPE_CHECKING:  # NumPy costs 0.1 s to import; only the thumbnail comparison needs it
    import numpy as np

# Re-exported: metadata and older callers import them from here.
__all__ = [
    "TagSet",
    "clean_text",
    "compare_thumbnail",
    "embedded_thumbnail",
    "jfif_thumbnail",
    "jxl_tags",
    "parse_datetime",
    "plain",
    "read_raw_tags",
    "tags_from_pillow",
    "thumbnail_declared",
    "thumbnail_from_exif",
    "upright_thumbnail",
]

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
IMAGE_WIDTH = 0x0100
IMAGE_LENGTH = 0x0101
EXIF_IMAGE_WIDTH = 0xA002
EXIF_IMAGE_LENGTH = 0xA003

# Embedded-TIFF markers sit in a RAW's first few hundred kB; 8 MB bounds the read.
# When exifread found the basics, only a quick look for missing tags is worth it.
_SCAN_BYTES = 8 << 20
_SMALL_SCAN_BYTES = 1 << 20
MAKE, SOFTWARE, XMP_TAG, DATE_TIME_ORIGINAL = 0x010F, 0x0131, 0x02BC, 0x9003
NEW_SUBFILE_TYPE, COMPRESSION, DNG_VERSION = 0x00FE, 0x0103, 0xC612
THUMBNAIL_OFFSET, THUMBNAIL_LENGTH = 0x0201, 0x0202


@dataclass
class TagSet:
    """EXIF values by tag id, grouped by IFD, plus what a RAW adds."""

    ifd0: dict[int, Any] = field(default_factory=dict)
    exif: dict[int, Any] = field(default_factory=dict)
    gps: dict[int, Any] = field(default_factory=dict)
    # (width, height) of every image the file declares (sub-IFDs of a RAW).
    sizes: list[tuple[int, int]] = field(default_factory=list)
    maker_serial: str | None = None
    has_thumbnail: bool = False
    # True when the tags came from a preview JPEG inside the RAW (RAF, X3F): its
    # sizes describe the preview, not the sensor image.
    preview_only: bool = False
    source: str = "EXIF"

    @property
    def empty(self) -> bool:
        """True when no camera or time tag was found."""
        return not (self.ifd0 or self.exif)


def plain(value: Any) -> Any:
    """exifread/Pillow values as Python scalars: one-item lists unwrapped, ratios as float."""
    if isinstance(value, list | tuple):
        items = [plain(v) for v in value]
        return items[0] if len(items) == 1 else tuple(items)
    if isinstance(value, Rational) and not isinstance(value, int):
        # Pillow's IFDRational and exifread's Ratio; x/0 is a camera's "unknown".
        return float(value) if value.denominator else None
    return value


@contextlib.contextmanager
def _quiet_exifread() -> Iterator[None]:
    """Exifread logs every oddity of a file as a warning; we report our own."""
    logger = logging.getLogger("exifread")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _int(value: Any) -> int | None:
    value = plain(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _from_exifread(tags: dict[str, Any]) -> TagSet:
    """Group exifread's ``"EXIF DateTimeOriginal"``-style keys by IFD."""
    found = TagSet(source="exifread")
    sub_sizes: dict[str, dict[int, int]] = {}
    for key, tag in tags.items():
        tag_id = getattr(tag, "tag", None)
        values = getattr(tag, "values", None)
        if not isinstance(tag_id, int) or values is None:
            continue
        group, _, rest = key.partition(" ")
        if group == "Image":
            found.ifd0.setdefault(tag_id, plain(values))
        elif group == "EXIF" and rest.startswith("SubIFD"):
            sub = rest.split(" ", 1)[0]
            if tag_id in (IMAGE_WIDTH, IMAGE_LENGTH) and _int(values):
                sub_sizes.setdefault(sub, {})[tag_id] = _int(values) or 0
        elif group == "EXIF":
            found.exif.setdefault(tag_id, plain(values))
        elif group == "GPS":
            found.gps.setdefault(tag_id, plain(values))
        elif group == "MakerNote" and rest in ("SerialNumber", "InternalSerialNumber"):
            text = str(plain(values)).strip("\x00 ")
            if text and found.maker_serial is None:
                found.maker_serial = text
        elif group == "Thumbnail":
            found.has_thumbnail = True
    for dims in sub_sizes.values():
        if IMAGE_WIDTH in dims and IMAGE_LENGTH in dims:
            found.sizes.append((dims[IMAGE_WIDTH], dims[IMAGE_LENGTH]))
    if "JPEGThumbnail" in tags:
        found.has_thumbnail = True
    # A DNG's IFD0 is itself an uncompressed reduced-resolution image (exiftool's
    # ThumbnailTIFF): NewSubfileType 1, Compression 1. (A NEF's looks alike, but
    # exiftool calls that a preview, not a thumbnail.)
    ifd0 = found.ifd0
    if DNG_VERSION in ifd0 and ifd0.get(NEW_SUBFILE_TYPE) == 1 and ifd0.get(COMPRESSION) == 1:
        found.has_thumbnail = True
    return found


def _load_tiff(block: bytes) -> Image.Exif | None:
    """Pillow's parser on an embedded TIFF block; ``None`` when it is not one."""
    exif = Image.Exif()
    try:
        exif.load(block)
    except (SyntaxError, ValueError, OSError, EOFError, KeyError, IndexError, TypeError):
        return None
    return exif if len(exif) else None


def _tiff_at(data: bytes, start: int) -> bytes | None:
    """The bytes from ``start`` when a TIFF header begins there."""
    return data[start:] if data[start : start + 4] in (b"II*\x00", b"MM\x00*") else None


def _from_embedded(data: bytes) -> TagSet:
    """Find the TIFF block(s) a CR3, RAF, MRW or X3F carries, and parse them."""
    found = TagSet(source="embedded EXIF")
    cmt1 = data.find(b"CMT1")
    if cmt1 >= 4:  # Canon CR3: CMT1 = IFD0, CMT2 = Exif IFD, CMT4 = GPS IFD
        boxes = {b"CMT1": found.ifd0, b"CMT2": found.exif, b"CMT4": found.gps}
        for name, target in boxes.items():
            at = data.find(name, cmt1 - 4, cmt1 + (1 << 20))
            block = _tiff_at(data, at + 4) if at >= 0 else None
            parsed = _load_tiff(block) if block else None
            if parsed is not None:
                target.update({k: plain(v) for k, v in parsed.items()})
        # The THMB box holds the 160x120 JPEG exiftool extracts as ThumbnailImage.
        found.has_thumbnail = data.find(b"THMB", cmt1 - 4, cmt1 + (1 << 20)) >= 0
        return found
    candidates = []
    exif_at = data.find(b"Exif\x00\x00")
    if exif_at >= 0:
        candidates.append(exif_at + 6)
    ttw_at = data.find(b"\x00TTW")  # Minolta MRW: a TIFF after the 8-byte block header
    if ttw_at >= 0:
        candidates.append(ttw_at + 8)
    for start in candidates:
        block = _tiff_at(data, start)
        parsed = _load_tiff(block) if block else None
        if parsed is None:
            continue
        found.ifd0.update({k: plain(v) for k, v in parsed.items()})
        with contextlib.suppress(Exception):  # a bad sub-IFD pointer leaves IFD0 usable
            found.exif.update({k: plain(v) for k, v in parsed.get_ifd(EXIF_IFD).items()})
        with contextlib.suppress(Exception):
            found.gps.update({k: plain(v) for k, v in parsed.get_ifd(GPS_IFD).items()})
        with contextlib.suppress(Exception):
            found.has_thumbnail = thumbnail_declared(block, parsed)
        found.preview_only = data[start - 6 : start] == b"Exif\x00\x00"
        break
    return found


def jxl_tags(data: bytes) -> TagSet:
    """EXIF tags and the image size of a JPEG XL file (container ``Exif`` box, SizeHeader).

    Pillow cannot open JPEG XL, so appeal-kit does not use it as evidence; ``exif``
    still reports what its headers say.
    """
    found = TagSet(source="JPEG XL Exif box")
    at = data.find(b"Exif", 4)
    if at >= 4:
        box_size = int.from_bytes(data[at - 4 : at], "big")
        payload = data[at + 4 : at - 4 + box_size] if box_size >= 12 else data[at + 4 :]
        skip = int.from_bytes(payload[:4], "big") if len(payload) >= 4 else 0
        block = _tiff_at(payload, 4 + skip)
        parsed = _load_tiff(block) if block else None
        if parsed is not None:
            found.ifd0.update({k: plain(v) for k, v in parsed.items()})
            with contextlib.suppress(Exception):
                found.exif.update({k: plain(v) for k, v in parsed.get_ifd(EXIF_IFD).items()})
            with contextlib.suppress(Exception):
                found.gps.update({k: plain(v) for k, v in parsed.get_ifd(GPS_IFD).items()})
    stream = data.find(b"\xff\x0a")
    size = _jxl_size(data[stream + 2 : stream + 16]) if stream >= 0 else None
    if size:
        found.sizes.append(size)
    return found


# SizeHeader aspect ratios (JPEG XL, ISO/IEC 18181-1, Table D.2): width from height.
_JXL_RATIOS = {1: (1, 1), 2: (12, 10), 3: (4, 3), 4: (3, 2), 5: (16, 9), 6: (5, 4), 7: (2, 1)}


def _jxl_size(header: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG XL codestream's SizeHeader (the bytes after FF 0A)."""
    bits = int.from_bytes(header, "little")
    position = 0

    def read(count: int) -> int:
        nonlocal position
        value = (bits >> position) & ((1 << count) - 1)
        position += count
        return value

    def dimension() -> int:
        return 1 + read((9, 13, 18, 30)[read(2)])

    small = read(1)
    height = (read(5) + 1) * 8 if small else dimension()
    ratio = read(3)
    if ratio:
        num, den = _JXL_RATIOS[ratio]
        width = height * num // den
    else:
        width = (read(5) + 1) * 8 if small else dimension()
    return (width, height) if width > 0 and height > 0 else None


def _merge_missing(found: TagSet, extra: TagSet) -> None:
    """Fill tags exifread did not find from an embedded block; never its preview's size."""
    for target, source in (
        (found.ifd0, extra.ifd0),
        (found.exif, extra.exif),
        (found.gps, extra.gps),
    ):
        for tag_id, value in source.items():
            if tag_id not in (EXIF_IMAGE_WIDTH, EXIF_IMAGE_LENGTH):
                target.setdefault(tag_id, value)
    found.has_thumbnail = found.has_thumbnail or extra.has_thumbnail


def _tiff_xmp(path: Path) -> bytes | None:
    """The XMP packet (tag 700) of a TIFF-based RAW; exifread does not return it.

    Pillow's TIFF reader parses IFD0 on open without decoding any pixels.
    """
    try:
        with Image.open(path) as img:
            value = img.getexif().get(XMP_TAG)
    except Exception:  # not a TIFF Pillow understands (CR3, RAF, ...): no packet then
        return None
    return value if isinstance(value, bytes) else None


def read_raw_tags(path: Path) -> tuple[TagSet, list[str]]:
    """EXIF tags of a camera RAW file, and warnings about what could not be read."""
    import exifread  # only RAW files need it: 10 ms less for every other exif run

    warnings: list[str] = []
    found = TagSet()
    try:
        with _quiet_exifread(), path.open("rb") as handle:
            tags = exifread.process_file(handle, details=True, extract_thumbnail=False)
        found = _from_exifread(tags)
    except Exception as exc:  # exifread raises anything on a hostile file
        warnings.append(
            __("the RAW file's EXIF could not be parsed ({type})", type=type(exc).__name__)
        )
    basics = (MAKE in found.ifd0, SOFTWARE in found.ifd0, DATE_TIME_ORIGINAL in found.exif)
    if not all(basics):
        # Some RAWs (RW2, RAF, X3F, CR3) keep the full EXIF in an embedded preview
        # or box near the start; when exifread found nothing, look further.
        try:
            with path.open("rb") as handle:
                head = handle.read(_SCAN_BYTES if found.empty else _SMALL_SCAN_BYTES)
        except OSError as exc:
            warnings.append(__("the RAW file cannot be read ({value})", value=exc.strerror or exc))
            return found, warnings
        embedded = _from_embedded(head)
        if found.empty:
            found = embedded
        else:
            _merge_missing(found, embedded)
    if not found.ifd0.get(XMP_TAG):  # exifread leaves tag 700 empty
        packet = _tiff_xmp(path)
        if packet:
            found.ifd0[XMP_TAG] = packet
    return found, warnings


def tags_from_pillow(img: Image.Image, warnings: list[str]) -> tuple[TagSet, Image.Exif | None]:
    """IFD0, Exif and GPS tags of an opened image; malformed EXIF becomes a warning."""
    tags = TagSet(source="EXIF")
    try:
        exif = img.getexif()
    except Exception as exc:  # Pillow raises many types on a hostile EXIF block
        warnings.append(
            __("EXIF block is malformed and was ignored ({type})", type=type(exc).__name__)
        )
        return tags, None
    tags.ifd0 = {k: plain(v) for k, v in exif.items() if k not in (EXIF_IFD, GPS_IFD)}
    for ifd_id, target, name in ((EXIF_IFD, tags.exif, "Exif"), (GPS_IFD, tags.gps, "GPS")):
        try:
            target.update({k: plain(v) for k, v in exif.get_ifd(ifd_id).items()})
        except Exception as exc:
            warnings.append(
                __(
                    "EXIF {name} directory is malformed ({type})",
                    name=name,
                    type=type(exc).__name__,
                )
            )
    return tags, exif


def thumbnail_from_exif(raw: bytes | None, exif: Image.Exif, warnings: list[str]) -> bytes | None:
    """The JPEG thumbnail IFD1 points at, when it is really there.

    IFD1 offsets count from the TIFF header inside the EXIF block, which JPEG
    prefixes with ``Exif`` and two NULs (other containers may not).
    """
    if not raw:
        return None
    try:
        ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
    except Exception:
        warnings.append(__("EXIF thumbnail directory is malformed; thumbnail not checked"))
        return None
    offset, length = plain(ifd1.get(0x0201)), plain(ifd1.get(0x0202))
    if not (isinstance(offset, int) and isinstance(length, int)) or length <= 0:
        return None
    start = next(
        (raw.find(m, 0, 16) for m in (b"II*\x00", b"MM\x00*") if raw.find(m, 0, 16) >= 0), -1
    )
    if start < 0:
        return None
    data = raw[start + offset : start + offset + length]
    if len(data) != length or not data.startswith(b"\xff\xd8"):
        warnings.append(__("EXIF thumbnail is declared but its data is missing or not a JPEG"))
        return None
    return data


def thumbnail_declared(raw: bytes | None, exif: Image.Exif) -> bool:
    """True when IFD1 declares a thumbnail whose bytes are all in the EXIF block.

    This is what exiftool reports as ThumbnailImage, whatever the bytes are; whether
    they are a JPEG matters only to ``thumbnail_from_exif``, which compares pictures.
    """
    if not raw:
        return False
    try:
        ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
    except Exception:
        return False
    offset, length = plain(ifd1.get(THUMBNAIL_OFFSET)), plain(ifd1.get(THUMBNAIL_LENGTH))
    if not (isinstance(offset, int) and isinstance(length, int)) or length <= 0 or offset < 0:
        return False
    start = next(
        (raw.find(m, 0, 16) for m in (b"II*\x00", b"MM\x00*") if raw.find(m, 0, 16) >= 0), -1
    )
    return start >= 0 and start + offset + length <= len(raw)


def jfif_thumbnail(head: bytes) -> bool:
    """True when a JPEG's APP0 carries a thumbnail (JFIF with thumbnail pixels, or JFXX)."""
    pos = 2
    while pos + 4 <= len(head) and head[pos] == 0xFF:
        marker, length = head[pos + 1], int.from_bytes(head[pos + 2 : pos + 4], "big")
        body = head[pos + 4 : pos + 2 + length]
        if marker == 0xE0 and body.startswith(b"JFXX\x00"):
            return True
        jfif = marker == 0xE0 and body.startswith(b"JFIF\x00") and len(body) >= 14
        if jfif and body[12] * body[13] > 0:  # XThumbnail x YThumbnail
            return True
        if marker == 0xDA or length < 2:  # image data starts: no more headers
            break
        pos += 2 + length
    return False


# --- the EXIF thumbnail check ------------------------------------------------------

# How the thumbnail must be turned to stand like the upright main image.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_COMPARE_SIDE = 64
# Grey levels 0..1. A re-encoded, resampled thumbnail of the same picture
# correlates above ~0.97 with it and no 8x8 block mean moves by more than ~0.06;
# a local edit (a removed logo, a pasted product) moves some block by far more.
MIN_CORRELATION = 0.85
MAX_MEAN_DIFFERENCE = 0.10
MAX_BLOCK_DIFFERENCE = 0.20


def _fitted_box(size: tuple[int, int], aspect: float) -> tuple[int, int, int, int] | None:
    """Where a picture of ``aspect`` sits when fitted into a thumbnail of ``size``.

    Cameras store 160x120 thumbnails; a 3:2 or 16:9 photo is fitted inside with
    bars. ``None`` when the aspects agree and there are no bars to cut.
    """
    width, height = size
    if abs((width / height) / aspect - 1) < 0.03:
        return None
    if width / height > aspect:
        inner = round(height * aspect)
        return ((width - inner) // 2, 0, (width - inner) // 2 + inner, height)
    inner = round(width / aspect)
    return (0, (height - inner) // 2, width, (height - inner) // 2 + inner)


def _same_picture(thumb: Image.Image, main: Image.Image) -> bool:
    import numpy as np

    a, b = _grey(thumb), _grey(main)
    mean_difference = float(np.abs(a - b).mean())
    blocks = np.abs(a - b).reshape(8, 8, 8, 8).mean(axis=(1, 3))
    if a.std() < 0.02 or b.std() < 0.02:  # flat pictures: correlation is meaningless
        correlation = 1.0 if mean_difference <= MAX_MEAN_DIFFERENCE else 0.0
    else:
        correlation = float(np.corrcoef(a.ravel(), b.ravel())[0, 1])
    return (
        correlation >= MIN_CORRELATION
        and mean_difference <= MAX_MEAN_DIFFERENCE
        and float(blocks.max()) <= MAX_BLOCK_DIFFERENCE
    )


def _grey(img: Image.Image) -> np.ndarray[Any, np.dtype[np.float32]]:
    import numpy as np

    small = img.convert("L").resize((_COMPARE_SIDE, _COMPARE_SIDE), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float32) / 255.0


def compare_thumbnail(
    thumbnail: bytes, main: Image.Image, orientation: int, warnings: list[str]
) -> bool | None:
    """Does the EXIF thumbnail show the upright ``main`` image? ``None``: cannot tell."""
    try:
        with Image.open(io.BytesIO(thumbnail)) as opened:
            opened.load()
            thumb = opened.convert("RGB")
    except Exception as exc:
        warnings.append(
            __("EXIF thumbnail cannot be decoded ({type}); not checked", type=type(exc).__name__)
        )
        return None
    if orientation in _TRANSPOSE:
        thumb = thumb.transpose(_TRANSPOSE[orientation])
    if min(thumb.size) < 8 or min(main.size) < 16:
        warnings.append(__("image or EXIF thumbnail too small to compare"))
        return None
    # A thumbnail either fills its frame (stretched) or is letterboxed; try both.
    box = _fitted_box(thumb.size, main.width / main.height)
    candidates = [thumb] if box is None else [thumb.crop(box), thumb]
    return any(_same_picture(candidate, main) for candidate in candidates)


# --- the EXIF thumbnail for display ------------------------------------------------

# A real EXIF thumbnail is about 160x120; a "thumbnail" of more pixels than this is
# not one, and decoding it could be a decompression bomb hidden in the EXIF block.
_MAX_THUMBNAIL_PIXELS = 1 << 20


def embedded_thumbnail(path: Path) -> bytes | None:
    """The JPEG thumbnail in a file's EXIF block, or ``None`` (none, or unreadable).

    Reads headers only (no pixel data) and never raises: a damaged file simply has
    no thumbnail to show.
    """
    try:
        # Pillow warns on damaged EXIF; read_metadata reports that, so stay quiet here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                exif = img.getexif()
                raw = img.info.get("exif")
                return thumbnail_from_exif(raw if isinstance(raw, bytes) else None, exif, [])
    except Exception:  # Pillow raises many types on a hostile file
        return None


def upright_thumbnail(data: bytes, orientation: int) -> Image.Image | None:
    """An EXIF thumbnail decoded to RGB and turned like the upright main image.

    ``orientation`` is the main image's EXIF orientation (the thumbnail is stored
    the way the sensor saw it). ``None`` when the data does not decode.
    """
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > _MAX_THUMBNAIL_PIXELS:
                return None
            opened.load()
            thumb = opened.convert("RGB")
    except Exception:
        return None
    return thumb.transpose(_TRANSPOSE[orientation]) if orientation in _TRANSPOSE else thumb

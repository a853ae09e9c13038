"""Opening input images safely: read-only, once, at the smallest scale a step needs.

Every stage decodes through ``open_image``. It turns every way a file can be bad
(empty, truncated, corrupt, misnamed, a decompression bomb, an unsupported type)
into an ``InputFileError`` subclass with a reason a seller can act on.
"""

from __future__ import annotations

import codecs
import hashlib
import math
import mmap
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from PIL import Image, ImageOps, UnidentifiedImageError

from appeal_kit.errors import (
    ImageTooLargeError,
    InputFileError,
    UnreadableImageError,
    UnsupportedFormatError,
)
from appeal_kit.evidence.workers import decode_slot
from appeal_kit.i18n import __

try:  # iPhone originals; optional at import so a broken wheel never stops the CLI
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the platform's wheels
    HEIF_AVAILABLE = False

# 24 MP originals are normal; 200 MP is far beyond any camera a seller uses and
# is where a crafted file would start to exhaust a laptop's memory.
MAX_PIXELS = 200_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Formats we decode, by the name ``sniff_format`` returns.
DECODABLE = ("JPEG", "PNG", "WEBP", "TIFF", "HEIF", "AVIF", "BMP", "GIF")
# Extensions a file of each format may carry; anything else is "wrongly named".
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "JPEG": (".jpg", ".jpeg", ".jpe", ".jfif", ".jps", ".mpo"),
    "PNG": (".png",),
    "WEBP": (".webp",),
    "TIFF": (".tif", ".tiff", ".btf", ".tf8"),
    "HEIF": (".heic", ".heif", ".hif"),
    "AVIF": (".avif",),
    "BMP": (".bmp",),
    "GIF": (".gif",),
    "PDF": (".pdf",),
}
RAW_EXTENSIONS = (
    ".dng",
    ".cr2",
    ".cr3",
    ".crw",
    ".nef",
    ".nrw",
    ".arw",
    ".srf",
    ".sr2",
    ".raf",
    ".rw2",
    ".orf",
    ".pef",
    ".mrw",
    ".iiq",
    ".x3f",
    ".raw",
    ".3fr",
    ".erf",
    ".kdc",
)

_CHUNK = 1 << 20
# A HEIF file's ftyp and meta boxes (item locations, EXIF offsets) are near its start.
HEADER_BOX_BYTES = 1 << 18


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks (inputs can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def cut_off(path: Path, kind: str) -> bool:
    """Does a JPEG, HEIF or AVIF file end before its image data does? Nothing is decoded."""
    if kind == "JPEG":
        return jpeg_cut_off(path)
    return kind in ("HEIF", "AVIF") and heif_cut_off(path)


def jpeg_cut_off(path: Path) -> bool:
    """True when a JPEG has no end-of-image marker after its first scan: it was cut off.

    What ``exif`` can tell without decoding (an interrupted copy or download, a
    zero-filled tail). Entropy-coded data stuffs every 0xFF with 0x00, so FF D9
    after the scan header is the end marker itself; a trailer after it (a motion
    photo's video) does not hide it. Bytes garbled mid-file need the decode
    (``exif --verify``, ``build``). Pillow reports a JPEG without this marker as
    truncated too.
    """
    with path.open("rb") as handle:
        try:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # empty file: refused before this is asked
            return True
    with data:
        pos, size = 2, len(data)  # after SOI
        while pos + 4 <= size:
            if data[pos] != 0xFF:
                return False  # not a segment we understand: leave it to the decoder
            marker = data[pos + 1]
            if marker == 0xFF:  # fill byte before a marker
                pos += 1
            elif 0xD0 <= marker <= 0xD8 or marker == 0x01:  # markers without a length
                pos += 2
            elif marker == 0xD9:
                return False  # EOI before any scan: nothing to check
            elif marker == 0xDA:  # SOS
                return data.rfind(b"\xff\xd9", pos) < 0
            else:
                pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        return True  # the file ends inside its headers


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """ISO BMFF boxes between ``start`` and ``end``: (type, content start, box end)."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1 and pos + 16 <= end:
            size, header = struct.unpack(">Q", data[pos + 8 : pos + 16])[0], 16
        elif size == 0:  # runs to the end of its parent
            size = end - pos
        if size < header:
            return
        yield kind, pos + header, pos + size
        pos += size


def heif_cut_off(path: Path) -> bool:
    """True when a HEIF file ends before the data its ``iloc`` box says it holds.

    The header-level truncation check (an interrupted copy or AirDrop): the item
    locations are read, nothing is decoded. False when the boxes cannot be read
    this way (left to the decoder and to ``exif --verify``).
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(HEADER_BOX_BYTES)
    except OSError:  # asked while explaining another failure: never a second error
        return False
    meta = next(((s, e) for kind, s, e in _boxes(head, 0, len(head)) if kind == b"meta"), None)
    if meta is None:
        return False
    if meta[1] > size:
        return True  # the file ends inside its metadata
    iloc = next(
        ((s, e) for kind, s, e in _boxes(head, meta[0] + 4, meta[1]) if kind == b"iloc"), None
    )
    if iloc is None or iloc[1] > len(head):
        return False
    try:
        return _iloc_end(head[iloc[0] : iloc[1]]) > size
    except (struct.error, IndexError, ValueError):
        return False  # a layout this reader does not know: the decoder will tell


def _iloc_end(box: bytes) -> int:
    """The furthest byte a HEIF ``iloc`` box places item data at, within the file."""
    version = box[0]
    offset_size, length_size = box[4] >> 4, box[4] & 0x0F
    base_size, index_size = box[5] >> 4, (box[5] & 0x0F if version in (1, 2) else 0)
    pos = 6

    def number(width: int) -> int:
        nonlocal pos
        if width not in (0, 2, 4, 8):
            raise ValueError(f"field width {width}")
        value = int.from_bytes(box[pos : pos + width], "big") if width else 0
        if pos + width > len(box):
            raise IndexError("iloc box ends early")
        pos += width
        return value

    count = number(2 if version < 2 else 4)
    furthest = 0
    for _ in range(count):
        number(2 if version < 2 else 4)  # item ID
        method = number(2) & 0x0F if version in (1, 2) else 0
        number(2)  # data reference index: 0 is this file
        base = number(base_size)
        for _ in range(number(2)):
            number(index_size)
            offset, length = number(offset_size), number(length_size)
            if method == 0:  # in this file (1: inside idat, 2: another item)
                furthest = max(furthest, base + offset + length)
    return furthest


def sniff_format(head: bytes) -> str | None:
    """The format a file's first bytes announce, or ``None`` when unknown."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "AVIF"
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis"):
            return "HEIF"
        if brand == b"crx ":
            return "CR3"
        return "ISOBMFF"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith(b"BM"):
        return "BMP"
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith(b"8BPS"):
        return "PSD"
    if head.startswith(b"FUJIFILMCCD-RAW"):
        return "RAF"
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL ")):
        return "JXL"
    if head.startswith(b"\x00\x00\x00\x0cjP  ") or head.startswith(b"\xff\x4f\xff\x51"):
        return "JPEG2000"
    if head.startswith((b"IIRO", b"IIRS", b"IIU\x00", b"\x00MRM", b"FOVb")):
        return "RAW"
    if head[6:14] == b"HEAPCCDR":
        return "RAW"
    return None


def _is_plain_text(head: bytes) -> bool:
    """UTF-8 text that is not a web page (HTML keeps the "saved a web page" advice)."""
    if not head or b"\x00" in head or head.lstrip().startswith(b"<"):
        return False
    try:  # not final: the 32 bytes may end inside a character
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\r\n" for ch in text.lstrip("\ufeff"))


def check_file(path: Path) -> str:
    """Cheap checks before decoding; returns the sniffed format.

    Raises for an empty file, an unknown or undecodable type, and a file whose
    name says one format while its bytes say another.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(32)
    except OSError as exc:
        raise UnreadableImageError(
            path, __("cannot be read ({value})", value=exc.strerror or exc)
        ) from None
    if size == 0:
        raise UnreadableImageError(
            path, __("is empty (0 bytes)"), hint=__("copy or download the file again")
        )
    kind = sniff_format(head)
    suffix = path.suffix.lower()
    if kind is None:
        if suffix in RAW_EXTENSIONS:
            kind = "RAW"
        elif _is_plain_text(head) and not any(suffix in names for names in EXTENSIONS.values()):
            # Notes kept beside the evidence: "a download saved a web page" would mislead.
            # Text under an image's name (photo.jpg) keeps the "is not an image" advice.
            raise UnreadableImageError(
                path,
                __("is a text file, not an image"),
                hint=__(
                    "keep notes outside originals/, accused/ and documents/, e.g. next to case.toml"
                ),
            )
        else:
            named = suffix.lstrip(".").upper() or "no extension"
            # Text that is no web page (notes saved as photo.jpg): the web-page advice
            # would mislead; say what it holds.
            notes = _is_plain_text(head) and head.lstrip()[:1] != b"<"
            raise UnreadableImageError(
                path,
                __(
                    "is not an image (named {named}, but its content is no image format we know)",
                    named=named,
                ),
                hint=__(
                    "check that this is the right file: it holds plain text; keep notes "
                    "outside originals/, accused/ and documents/ (e.g. next to case.toml)"
                )
                if notes
                else __(
                    "check that this is the right file; a download may have saved a web page instead"
                ),
            )
    if kind == "TIFF" and suffix in RAW_EXTENSIONS:
        kind = "RAW"  # DNG, CR2, NEF, ARW ... are TIFF containers
    if kind in ("RAW", "CR3", "RAF"):
        raise UnsupportedFormatError(
            path,
            __("is a camera RAW file ({value}); its pixels are not decoded", value=suffix or kind),
            hint=__("export a full-size JPEG from it and add that too; keep the RAW as proof"),
        )
    if kind not in DECODABLE and kind != "PDF":
        raise UnsupportedFormatError(
            path,
            __("unsupported format {kind}", kind=kind),
            hint=__("export it as JPEG or PNG at full size"),
        )
    if kind == "HEIF" and not HEIF_AVAILABLE:  # pragma: no cover - platform dependent
        raise UnsupportedFormatError(path, __("HEIC support (pillow-heif) is not installed"))
    expected = EXTENSIONS.get(kind, ())
    if suffix not in expected:
        raise UnreadableImageError(
            path,
            __(
                "is wrongly named: the name says {value} but the content is {kind}",
                value=suffix or "nothing",
                kind=kind,
            ),
            hint=__(
                "rename it to {stem}{expected_0} and build again",
                stem=path.stem,
                expected_0=expected[0],
            )
            if expected
            else None,
        )
    return kind


@dataclass
class LoadedImage:
    """A decoded, upright RGB (or L) image and the size of the full-resolution original."""

    image: Image.Image
    full_width: int
    full_height: int
    format: str

    @property
    def scale(self) -> float:
        """Decoded width divided by full width (1.0 when decoded at full size)."""
        return self.image.width / self.full_width if self.full_width else 1.0


def open_image(path: Path, *, max_side: int | None = None, gray: bool = False) -> LoadedImage:
    """Decode ``path`` read-only, upright (EXIF orientation), RGB (or luminance with ``gray``).

    ``max_side`` asks for an image whose longer side is at most that many pixels;
    JPEGs then use draft mode, which decodes at 1/2, 1/4 or 1/8 scale directly.
    ``gray`` lets a JPEG skip its colour planes entirely, for steps that only
    look at luminance (feature extraction).
    """
    kind = check_file(path)
    if kind == "PDF":
        raise UnsupportedFormatError(
            path, __("is a PDF, not an image"), hint=__("put PDFs in documents/")
        )
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_PIXELS and 2x; we refuse from MAX_PIXELS on.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                orientation = (
                    img.getexif().get(0x0112, 1)
                    if kind in ("JPEG", "TIFF", "WEBP", "PNG", "HEIF", "AVIF")
                    else 1
                )
                width, height = img.size
                if orientation in (5, 6, 7, 8):
                    width, height = height, width
                if max_side and kind == "JPEG":
                    # draft() keeps at least the requested size, so ask for the box
                    # that still covers max_side on the longer side after rotation.
                    # Round up, never past: max_side 3000 of a 6000 px JPEG must pick 1/2 scale.
                    ratio = max_side / max(img.size)
                    img.draft(
                        "L" if gray else "RGB",
                        (math.ceil(img.size[0] * ratio), math.ceil(img.size[1] * ratio)),
                    )
                # A big image waits for a slot of the build's memory budget (evidence.workers).
                with decode_slot(img.size[0] * img.size[1]):
                    img.load()
                    upright = ImageOps.exif_transpose(img) if orientation != 1 else img
                    rgb = _to_gray(upright) if gray else _to_rgb(upright)
                    if max_side and max(rgb.size) > max_side:
                        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLargeError(
            path,
            __(
                "is too large to open safely (over {value} megapixels; possibly a decompression bomb)",
                value=MAX_PIXELS // 1_000_000,
            ),
            hint=__("if it is a genuine photo, export a smaller JPEG (e.g. 50 MP) and use that"),
        ) from None
    except UnidentifiedImageError:
        raise UnreadableImageError(
            path, __("is corrupt: the {kind} data cannot be decoded", kind=kind)
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        text = str(exc)
        reason = (
            __("is truncated: the file ends before the image data does")
            if "truncated" in text.lower() or isinstance(exc, EOFError)
            else __("is corrupt: {value}", value=text or type(exc).__name__)
        )
        raise UnreadableImageError(
            path, reason, hint=__("copy the file again from the camera, phone or download")
        ) from None
    return LoadedImage(image=rgb, full_width=width, full_height=height, format=kind)


# Greyscale modes of more than 8 bits (16-bit PNG and TIFF, 32-bit integer, float).
# Pillow's convert() clips them at 255 instead of scaling, so a 16-bit scan turns white.
WIDE_GREY_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")


def _eight_bit_grey(img: Image.Image) -> Image.Image:
    """An ``L`` image of a wide greyscale image, its full range scaled to 0..255."""
    import numpy as np  # rare (scans), and 0.1 s of every start-up otherwise

    values = np.asarray(img, dtype=np.float64)
    if img.mode == "F":
        # Float images are 0..1 (scientific TIFFs) or already 0..255.
        top = 1.0 if values.size and float(np.nanmax(values)) <= 1.0 else 255.0
    elif img.mode == "I" and values.size and float(values.max()) <= 255:
        top = 255.0  # an 8-bit image that merely sits in a 32-bit container
    else:
        top = 65535.0  # 16-bit samples (PNG and TIFF store the full 0..65535 range)
    scaled = np.clip(np.nan_to_num(values) * (255.0 / top), 0, 255)
    return Image.fromarray(np.rint(scaled).astype(np.uint8), mode="L")


def _to_rgb(img: Image.Image) -> Image.Image:
    """RGB copy; transparency is flattened onto white, as a listing page shows it."""
    if img.mode == "RGB":
        return img.copy()
    if img.mode in WIDE_GREY_MODES:
        return _eight_bit_grey(img).convert("RGB")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return img.convert("RGB")


def _to_gray(img: Image.Image) -> Image.Image:
    """Luminance copy (ITU-R 601, as OpenCV's RGB2GRAY), transparency flattened onto white."""
    if img.mode == "L":
        return img.copy()
    if img.mode in WIDE_GREY_MODES:
        return _eight_bit_grey(img)
    # Every other mode goes through the RGB path, so both agree on 16-bit and alpha.
    return (img if img.mode == "RGB" else _to_rgb(img)).convert("L")


# A scanned document saved as one multi-page TIFF (a fax, a 40-page certificate
# bundle). The dossier places page 1, like every image document, and says so: a
# reviewer must never take page 1 for the whole file. Pages are counted up to a
# cap, so a crafted file of a million empty pages costs no time.
MAX_COUNTED_PAGES = 10_000
PAGE_ONE_NOTE = (
    "Only page 1 of the {pages} pages in this {kind} file is shown here. The file "
    "itself, with every page, is listed with its SHA-256 in the manifest."
)


def frame_count(path: Path) -> int:
    """Pages (frames) in an image file, counted up to ``MAX_COUNTED_PAGES``; 1 when unknown."""
    count = 1
    try:
        with Image.open(path) as img:
            while count < MAX_COUNTED_PAGES:
                img.seek(count)
                count += 1
    except EOFError:  # past the last page
        pass
    except Exception:  # page 1 decoded already; a damaged later page only ends the count
        pass
    return count


class Problem(NamedTuple):
    """Why an input cannot be used, and what the seller can do about it.

    Kept apart all the way: the dossier shows reviewers the reason only, the
    terminal and the manifest show both.
    """

    reason: str
    fix: str = ""


def describe_error(exc: InputFileError) -> Problem:
    """The reason and its fix (empty when there is none), for the excluded-files list."""
    return Problem(exc.reason, exc.hint or "")

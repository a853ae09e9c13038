"""What every part of the dossier shares while the story is built and drawn.

Kept below the renderer and the page builders so that neither imports the other back.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PIL import Image
from pypdf import PdfReader
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from appeal_kit.dossier.style import MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, PAGE_SIZES, Styles
from appeal_kit.i18n.document import N_, DocLang, both
from appeal_kit.models import ExcludedFile

if TYPE_CHECKING:
    from appeal_kit.dossier.content import DossierContent

AttachmentKind = Literal["pdf", "image", "unusable"]


@dataclass
class Attachment:
    """One supporting document, read once."""

    path: Path
    display: str
    sha256: str
    kind: AttachmentKind
    pages: int = 0
    pdf: PdfReader | None = None
    jpeg: bytes | None = None
    pixel_size: tuple[int, int] = (0, 0)
    # Why the document cannot be used (shown to the reviewer); ``error_fix`` is the seller's to-do.
    error: str | None = None
    error_fix: str = ""
    # What the reviewer should know about what is shown (only page 1 of a multi-page TIFF).
    note: str = ""


# An embedded picture for the page: JPEG bytes and their pixel size.
Picture = tuple[bytes, tuple[int, int]]


@dataclass(frozen=True)
class ThumbnailPair:
    """An original whose EXIF thumbnail differs: both pictures, ready to embed."""

    embedded: Picture
    current: Picture


@dataclass
class RenderState:
    """Shared by every part while the story is built and drawn."""

    content: DossierContent
    styles: Styles
    page_w: float
    page_h: float
    platform_tz: tzinfo | None
    local_tz: tzinfo | None
    title: str
    attachments: list[Attachment] = field(default_factory=list)
    thumbnails: dict[Path, tuple[bytes, tuple[int, int]] | None] = field(default_factory=dict)
    # Originals whose thumbnail check failed -> both pictures (None: cannot be shown).
    thumbnail_pairs: dict[Path, ThumbnailPair | None] = field(default_factory=dict)
    problems: list[ExcludedFile] = field(default_factory=list)
    # Filled while drawing: attachment number -> reportlab page it follows.
    markers: dict[int, int] = field(default_factory=dict)
    page_map: dict[int, int] = field(default_factory=dict)
    total_pages: int | None = None

    @property
    def frame_w(self) -> float:
        """Width of the text frame in points."""
        return float(self.page_w - 2 * MARGIN_X)

    @property
    def frame_h(self) -> float:
        """Height of the text frame in points (what one flowable may use)."""
        return float(self.page_h - MARGIN_TOP - MARGIN_BOTTOM - 2)  # frame padding

    def page_label(self, rl_page: int) -> str:
        """The "Page n of N" label of a reportlab page."""
        number = self.page_map.get(rl_page, rl_page)
        total = self.total_pages if self.total_pages is not None else "?"
        return page_words(self.content.language, number, total)


def page_words(lang: DocLang, number: int, total: int | str) -> str:
    """The "Page 3 of 13" label in the dossier's language(s)."""
    versions = both(N_("Page {number} of {total}"), lang, number=number, total=total)
    return " · ".join(text for _, text in versions)


# Comparison pictures are embedded at this resolution; reviewers zoom in to about 2x.
EMBED_DPI = 250


def jpeg_bytes(img: Image.Image, quality: int = 85) -> bytes:
    """Encode for embedding: reportlab passes JPEG through unchanged (small PDFs)."""
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def page_width_px(page_size: str) -> int:
    """Pixels across the text frame at ``EMBED_DPI``: the widest a picture is drawn."""
    page_w, _page_h = PAGE_SIZES[page_size]
    frame_w: float = page_w - 2 * MARGIN_X
    return round(frame_w / 72 * EMBED_DPI)


@functools.lru_cache(maxsize=64)  # the cover and the comparison page may ask for one picture
def at_page_resolution(data: bytes, width_pt: float) -> bytes:
    """A JPEG no finer than ``EMBED_DPI`` at ``width_pt`` points wide.

    The comparison JPEGs in comparisons/ keep their full size for close
    inspection; the PDF only needs what its page can show, so a 20-pair dossier
    stays within an upload limit.
    """
    wanted = round(width_pt / 72 * EMBED_DPI)
    with Image.open(io.BytesIO(data)) as img:
        if img.width <= wanted * 1.1:
            return data
        size = (wanted, max(1, round(img.height * wanted / img.width)))
        img.draft("RGB", size)
        return jpeg_bytes(img.convert("RGB").resize(size, Image.Resampling.LANCZOS))


class _KnownJpeg(ImageReader):  # type: ignore[misc]
    """A JPEG whose pixel size we know, for ``Canvas.drawImage``: nothing is decoded.

    reportlab embeds a JPEG as is (DCTDecode), but names each image after a hash
    of its decoded pixels, which decodes it in full on every layout. This reader
    gives the size it is told and the hash of its bytes instead.
    """

    def __init__(self, data: bytes, pixels: tuple[int, int]) -> None:
        # ImageReader.__init__ would open the bytes with Pillow; only these fields are read.
        self.fileName = "jpeg"
        self._ident = None
        self._image = None
        self._dataA = None
        self.fp = io.BytesIO(data)
        self.jpeg_fh = self._jpeg_fh
        self._pixels = pixels
        self._key = hashlib.sha256(data).digest()

    def getSize(self) -> tuple[int, int]:  # noqa: N802 - reportlab's name
        """The pixel size given, not read from the data."""
        return self._pixels

    def getRGBData(self) -> bytes:  # noqa: N802 - reportlab's name
        """What drawImage hashes into the image's name: here, the bytes' own hash."""
        self._dataA = None
        return self._key


class PageImage(Flowable):  # type: ignore[misc]
    """A JPEG drawn ``width`` x ``height`` points, embedded without being decoded."""

    def __init__(self, data: bytes, pixels: tuple[int, int], width: float, height: float) -> None:
        super().__init__()
        self.data, self.pixels = data, pixels
        self.width, self.height = width, height
        self.hAlign = "CENTER"

    def wrap(self, _avail_w: float, _avail_h: float) -> tuple[float, float]:
        """Always its own size."""
        return self.width, self.height

    def draw(self) -> None:
        """Place the image in the flowable's box."""
        self.canv.drawImage(
            _KnownJpeg(self.data, self.pixels), 0, 0, width=self.width, height=self.height
        )


def page_image(picture: Picture, width: float, height: float) -> PageImage:
    """``picture`` (JPEG bytes, pixel size) drawn ``width`` x ``height`` points.

    Brought down to ``EMBED_DPI`` first when it is much finer than that box needs.
    """
    data, pixels = picture
    if pixels[0] > round(width / 72 * EMBED_DPI) * 1.1:
        data = at_page_resolution(data, width)
        with Image.open(io.BytesIO(data)) as img:  # the header only
            pixels = img.size
    return PageImage(data, pixels, width, height)


class Marker(Flowable):  # type: ignore[misc]
    """Zero-size flowable recording the page a supporting PDF is inserted after."""

    def __init__(self, state: RenderState, number: int) -> None:
        super().__init__()
        self.state = state
        self.number = number
        self.width = self.height = 0

    def draw(self) -> None:
        """Record the current page."""
        self.state.markers[self.number] = self.canv.getPageNumber()


class Bookmark(Flowable):  # type: ignore[misc]
    """Zero-size flowable adding an outline (bookmark) entry for a part."""

    def __init__(self, key: str, title: str, level: int = 0) -> None:
        super().__init__()
        self.key, self.title, self.level = key, title, level
        self.width = self.height = 0

    def draw(self) -> None:
        """Bookmark this page under ``title``."""
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, level=self.level, closed=True)

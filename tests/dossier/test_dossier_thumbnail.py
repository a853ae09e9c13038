"""Issue #4: an original whose EXIF thumbnail differs is shown beside its thumbnail."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import piexif
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject

from appeal_kit.case.config import Case
from appeal_kit.dossier.content import DossierContent
from appeal_kit.dossier.evidence_pages import PAIR_GAP, PAIR_HEIGHT, pair_sizes
from appeal_kit.dossier.render import write_dossier
from appeal_kit.evidence.metadata import read_metadata
from appeal_kit.evidence.raw import embedded_thumbnail, upright_thumbnail
from appeal_kit.models import ImageMetadata

HEADING = "Originals whose embedded thumbnail differs"
SCENE_SIZE = (1200, 800)


def scene(seed: int = 7) -> Image.Image:
    """A smooth random picture: any re-framing of it changes what the thumbnail shows."""
    rng = np.random.default_rng(seed)
    small = (rng.random((10, 15, 3)) * 255).astype("uint8")
    return Image.fromarray(small).resize(SCENE_SIZE, Image.Resampling.BICUBIC)


def jpeg_with_thumbnail(
    path: Path, image: Image.Image, thumbnail: Image.Image, orientation: int = 1
) -> Path:
    """Write ``image`` as a JPEG whose EXIF thumbnail (IFD1) is ``thumbnail``."""
    buffer = io.BytesIO()
    thumbnail.save(buffer, "JPEG", quality=85)
    exif = {
        "0th": {piexif.ImageIFD.Make: b"Canon", piexif.ImageIFD.Orientation: orientation},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2024:03:10 14:22:05"},
        "1st": {piexif.ImageIFD.JPEGInterchangeFormat: 0},
        "thumbnail": buffer.getvalue(),
    }
    image.save(path, "JPEG", quality=90, exif=piexif.dump(exif))
    return path


def edited_original(root: Path) -> Path:
    """Captured as the whole scene, later cropped to its right half and saved over."""
    full = scene()
    cropped = full.crop((600, 0, 1200, 800)).resize((900, 1200))
    return jpeg_with_thumbnail(root / "IMG_0001.JPG", cropped, full.resize((160, 107)))


def untouched_original(root: Path) -> Path:
    full = scene()
    return jpeg_with_thumbnail(root / "IMG_0001.JPG", full, full.resize((160, 107)))


def build(root: Path, original: Path, name: str = "dossier.pdf") -> tuple[ImageMetadata, Path]:
    meta = read_metadata(original, display_path=f"originals/{original.name}")
    case = Case(root=root, case_file=root / "case.toml", case_id="AE-THUMB-1")
    content = DossierContent(case=case, originals=[meta])
    info = write_dossier(content, root / name)
    return meta, info.path


def page_text(page: PageObject) -> str:
    return re.sub(r"\s+", " ", page.extract_text() or "")


def evidence_page(pdf: Path) -> tuple[int, str, list[tuple[int, int]]]:
    """Index, text and embedded image sizes of the page titled "3. Evidence"."""
    reader = PdfReader(pdf)
    for index, page in enumerate(reader.pages):
        text = page_text(page)
        if "2. Evidence: our originals" in text and "SHA-256 (start)" in text:
            return index, text, image_sizes(page)
    raise AssertionError("no evidence page")


def image_sizes(page: PageObject) -> list[tuple[int, int]]:
    """Pixel size of every image XObject on a page."""
    resources = page["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    xobjects = resources.get("/XObject", DictionaryObject()).get_object()
    assert isinstance(xobjects, DictionaryObject)
    sizes = []
    for ref in xobjects.values():
        obj = ref.get_object()
        if obj["/Subtype"] == "/Image":
            sizes.append((int(obj["/Width"]), int(obj["/Height"])))
    return sorted(sizes)


@pytest.fixture(scope="module")
def mismatch(tmp_path_factory: pytest.TempPathFactory) -> tuple[ImageMetadata, Path, Path]:
    root = tmp_path_factory.mktemp("edited")
    (root / "originals").mkdir()
    meta, pdf = build(root, edited_original(root / "originals"))
    return meta, pdf, root


def test_edited_original_shows_both_pictures(
    mismatch: tuple[ImageMetadata, Path, Path], tmp_path: Path
) -> None:
    meta, pdf, _root = mismatch
    assert meta.thumbnail_matches is False, meta.warnings
    _index, text, sizes = evidence_page(pdf)
    assert HEADING in text
    assert "Embedded EXIF thumbnail (written by the camera at capture)" in text
    assert "The image as it is now" in text
    assert "originals/IMG_0001.JPG" in text

    (tmp_path / "originals").mkdir()
    baseline_meta, baseline = build(tmp_path, untouched_original(tmp_path / "originals"))
    assert baseline_meta.thumbnail_matches is True, baseline_meta.warnings
    _index, baseline_text, baseline_sizes = evidence_page(baseline)
    assert HEADING not in baseline_text
    assert HEADING not in " ".join(page_text(p) for p in PdfReader(baseline).pages)
    assert "the embedded thumbnail matches the image" in baseline_text

    assert len(sizes) == len(baseline_sizes) + 2
    # The camera's thumbnail as stored, and the image now, downscaled (360 px side).
    assert (160, 107) in sizes
    assert (270, 360) in sizes


def test_pictures_stand_at_the_same_height(mismatch: tuple[ImageMetadata, Path, Path]) -> None:
    """Both images are drawn with one height: read the ``cm`` matrices of the page."""
    _meta, pdf, _root = mismatch
    index, _text, _sizes = evidence_page(pdf)
    page = PdfReader(pdf).pages[index]
    stream = page.get_contents().get_data().decode("latin-1")  # type: ignore[union-attr]
    drawn = re.findall(
        r"([-\d.]+) [-\d.]+ [-\d.]+ ([-\d.]+) [-\d.]+ [-\d.]+ cm\s*/(\S+) Do", stream
    )
    assert len(drawn) == 2
    (w1, h1, _), (w2, h2, _) = ((float(w), float(h), n) for w, h, n in drawn)
    assert h1 == pytest.approx(h2, abs=0.01)
    assert h1 == pytest.approx(PAIR_HEIGHT, abs=0.01)
    assert w1 / h1 == pytest.approx(160 / 107, rel=1e-3)
    assert w2 / h2 == pytest.approx(900 / 1200, rel=1e-3)


def test_same_input_same_bytes(mismatch: tuple[ImageMetadata, Path, Path]) -> None:
    meta, pdf, root = mismatch
    case = Case(root=root, case_file=root / "case.toml", case_id="AE-THUMB-1")
    again = write_dossier(DossierContent(case=case, originals=[meta]), root / "again.pdf")
    assert again.path.read_bytes() == pdf.read_bytes()


def test_embedded_thumbnail_reads_exif_thumbnail(tmp_path: Path) -> None:
    thumb = Image.new("RGB", (160, 120), (200, 30, 40))
    path = jpeg_with_thumbnail(tmp_path / "a.jpg", scene(), thumb)
    data = embedded_thumbnail(path)
    assert data is not None and data.startswith(b"\xff\xd8")
    with Image.open(io.BytesIO(data)) as decoded:
        assert decoded.size == (160, 120)
        red, green, _blue = decoded.convert("RGB").getpixel((80, 60))  # type: ignore[misc]
        assert red > 180 and green < 60


def test_embedded_thumbnail_none_for_no_exif_or_garbage(tmp_path: Path) -> None:
    plain = tmp_path / "plain.jpg"
    scene().save(plain, quality=80)
    garbage = tmp_path / "garbage.jpg"
    garbage.write_bytes(b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00II*\x00junk")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    for path in (plain, garbage, empty, tmp_path / "missing.jpg"):
        assert embedded_thumbnail(path) is None


def test_upright_thumbnail_turns_like_the_image(tmp_path: Path) -> None:
    thumb = Image.new("RGB", (160, 120), (0, 0, 0))
    thumb.paste((255, 255, 255), (0, 0, 40, 120))  # white band on the left
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=95)
    upright = upright_thumbnail(buffer.getvalue(), 6)  # camera held rotated: turn 90° cw
    assert upright is not None and upright.size == (120, 160)
    assert upright.getpixel((60, 10)) > (200, 200, 200)  # type: ignore[operator]
    assert upright.getpixel((60, 150)) < (60, 60, 60)  # type: ignore[operator]
    assert upright_thumbnail(b"not a jpeg", 1) is None


def test_rotated_edited_original_shows_upright_thumbnail(tmp_path: Path) -> None:
    """Orientation 6: stored landscape, shown portrait; the thumbnail must turn too."""
    full = scene()
    edited = full.crop((0, 0, 600, 800)).resize((1200, 800))
    path = jpeg_with_thumbnail(tmp_path / "IMG_0002.JPG", edited, full.resize((160, 107)), 6)
    meta, pdf = build(tmp_path, path)
    assert meta.thumbnail_matches is False, meta.warnings
    _index, text, sizes = evidence_page(pdf)
    assert HEADING in text
    assert (107, 160) in sizes  # the thumbnail, upright like the image
    assert (240, 360) in sizes


@given(
    st.tuples(st.integers(1, 5000), st.integers(1, 5000)),
    st.tuples(st.integers(1, 5000), st.integers(1, 5000)),
    st.floats(100, 600),
)
def test_pair_sizes_share_one_height_and_fit(
    embedded: tuple[int, int], current: tuple[int, int], frame_w: float
) -> None:
    (w1, h1), (w2, h2) = pair_sizes(embedded, current, frame_w)
    assert h1 == h2 <= PAIR_HEIGHT
    assert w1 + w2 + PAIR_GAP <= frame_w + 1e-6
    assert w1 / h1 == pytest.approx(embedded[0] / embedded[1])
    assert w2 / h2 == pytest.approx(current[0] / current[1])

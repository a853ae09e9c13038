"""16-bit greyscale images and multi-page TIFF documents (issue 14, items 9 and 10)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from appeal_kit import BuildOptions, build_dossier
from appeal_kit.dossier.render import _load_attachment
from appeal_kit.evidence.images import frame_count, open_image
from tests.conftest import textured_photo


def sixteen_bit(img: Image.Image, path: Path) -> Path:
    """Save ``img``'s luminance as a 16-bit greyscale file (mode I;16)."""
    grey = np.asarray(img.convert("L"), dtype=np.uint16) * 257
    Image.fromarray(grey).save(path)
    with Image.open(path) as check:
        assert check.mode == "I;16"
    return path


def mean(img: Image.Image) -> float:
    return float(np.asarray(img.convert("L"), dtype=np.float64).mean())


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16_bit_grey_decodes_to_its_real_tones(tmp_path: Path, suffix: str) -> None:
    photo = textured_photo(3, (400, 300))
    path = sixteen_bit(photo, tmp_path / f"scan{suffix}")
    expected = mean(photo)
    for gray in (False, True):
        loaded = open_image(path, gray=gray)
        assert abs(mean(loaded.image) - expected) < 2, gray  # was 254-255: white
        assert np.asarray(loaded.image).std() > 20


def test_16_bit_document_is_not_white(tmp_path: Path) -> None:
    path = sixteen_bit(textured_photo(4, (400, 300)), tmp_path / "licence.png")
    item = _load_attachment(path, "documents/licence.png", "", 800)
    assert item.kind == "image" and item.jpeg is not None
    with Image.open(io.BytesIO(item.jpeg)) as embedded:
        assert mean(embedded) < 200


def test_thousand_page_tiff_says_only_page_one_is_shown(make_case, tmp_path: Path) -> None:
    case = make_case(1)
    pages = [Image.new("L", (300, 420), 40 + (i % 150)) for i in range(1000)]  # a scan: 1,000 pages
    tiff = case / "documents" / "scan.tif"
    pages[0].save(tiff, save_all=True, append_images=pages[1:], compression="tiff_deflate")
    assert frame_count(tiff) == 1000
    # Originals and accused as 16-bit greyscale too: the comparison must not be white.
    for path in [*case.glob("originals/*"), *case.glob("accused/*")]:
        with Image.open(path) as img:
            sixteen_bit(img, path.with_suffix(".png"))
        path.unlink()
    result = build_dossier(case, BuildOptions(cache_dir=tmp_path / "cache", jobs=1))
    pages = PdfReader(result.pdf_path).pages
    noted = [
        page
        for page in pages
        if "Only page 1 of the 1,000 pages in this TIFF file is shown here"
        in " ".join((page.extract_text() or "").split())
    ]
    assert len(noted) == 1
    assert len(noted[0].images) == 1  # the note and page 1 share the page
    assert result.comparison_paths, "the 16-bit accused image matched its 16-bit original"
    with Image.open(result.comparison_paths[0]) as comparison:
        assert mean(comparison) < 200  # was white where the pictures stand

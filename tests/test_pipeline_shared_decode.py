"""One decode per big original on a cold build: features and the thumbnail check share it."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import piexif
import pytest
from PIL import Image

from appeal_kit import BuildOptions, build_dossier
from appeal_kit.evidence import metadata
from appeal_kit.evidence.images import open_image
from appeal_kit.matching import index
from appeal_kit.matching.decode import shared_decode, ycc_to_rgb
from tests.conftest import CASE_TOML, save_jpeg, textured_photo


def _exif(orientation: int, thumbnail: Image.Image | None = None) -> bytes:
    data: dict[str, object] = {
        "0th": {
            piexif.ImageIFD.Make: b"Canon",
            piexif.ImageIFD.Model: b"Canon EOS R5",
            piexif.ImageIFD.Orientation: orientation,
        },
        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2024:03:10 14:02:11"},
        "GPS": {},
        "1st": {},
        "thumbnail": None,
    }
    if thumbnail is not None:
        buffer = io.BytesIO()
        thumbnail.save(buffer, "JPEG", quality=75)
        data["1st"] = {piexif.ImageIFD.Compression: 6}
        data["thumbnail"] = buffer.getvalue()
    return piexif.dump(data)


def _same(a: Image.Image, b: Image.Image) -> bool:
    return a.mode == b.mode and a.size == b.size and np.array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
@pytest.mark.parametrize("subsampling", [0, 1, 2])
def test_one_decode_gives_both_decodes_bit_for_bit(
    tmp_path: Path, orientation: int, subsampling: int
) -> None:
    photo = textured_photo(7, (1608, 1200))
    path = tmp_path / "big.jpg"
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=88, subsampling=subsampling, exif=_exif(orientation))
    path.write_bytes(buffer.getvalue())
    # Both sides at 1/8 scale (201 x 150 decoded), as 256 and 640 px are of a 24 MP file.
    shared = shared_decode(path, rgb_side=80, gray_side=190)
    assert shared is not None
    rgb, gray = shared
    expected_rgb = open_image(path, max_side=80)
    expected_gray = open_image(path, max_side=190, gray=True)
    assert _same(rgb.image, expected_rgb.image)
    assert _same(gray.image, expected_gray.image)
    for mine, theirs in ((rgb, expected_rgb), (gray, expected_gray)):
        assert (mine.full_width, mine.full_height) == (theirs.full_width, theirs.full_height)


def test_colour_conversion_is_libjpegs() -> None:
    # Every (Cb, Cr) pair at three luminances, against libjpeg's own RGB decode.
    cb, cr = np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8))
    for y in (16, 128, 235):
        ycc = np.dstack([np.full_like(cb, y), cb, cr])
        buffer = io.BytesIO()
        Image.fromarray(ycc, "YCbCr").save(buffer, "JPEG", quality=100, subsampling=0)
        with Image.open(buffer) as decoded_rgb:
            rgb = np.asarray(decoded_rgb.convert("RGB"))
        with Image.open(io.BytesIO(buffer.getvalue())) as raw:
            raw.draft("YCbCr", raw.size)
            assert raw.mode == "YCbCr"
            assert np.array_equal(ycc_to_rgb(np.asarray(raw)), rgb)


def test_declines_when_the_two_need_different_scales_or_it_is_no_jpeg(tmp_path: Path) -> None:
    photo = textured_photo(8, (1600, 1200))
    jpeg = save_jpeg(photo, tmp_path / "a.jpg")
    assert shared_decode(jpeg, rgb_side=80, gray_side=800) is None  # 1/8 and 1/2
    png = tmp_path / "a.png"
    photo.save(png)
    assert shared_decode(png, rgb_side=80, gray_side=190) is None
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(jpeg.read_bytes()[:5000])
    assert shared_decode(cut, rgb_side=80, gray_side=190) is None


def test_cold_build_decodes_a_big_original_once(tmp_path: Path, monkeypatch) -> None:
    # 5,200 px wide: the thumbnail check (256 px) and SIFT (640 px) both decode at 1/8.
    small = textured_photo(21, (1300, 866))
    big = small.resize((5200, 3464), Image.Resampling.BICUBIC)
    root = tmp_path / "case"
    for folder in ("originals", "accused", "documents"):
        (root / folder).mkdir(parents=True)
    (root / "case.toml").write_text(CASE_TOML, encoding="utf-8")
    original = save_jpeg(
        big, root / "originals" / "IMG_0001.JPG", exif=_exif(1, big.resize((160, 107)))
    )
    save_jpeg(small.crop((100, 100, 1100, 766)), root / "accused" / "listing.jpg", quality=80)
    alone = metadata.read_metadata(original)
    assert alone.thumbnail_matches is True

    decoded: list[tuple[str, int | None]] = []

    def spy(module: object):
        real = module.open_image  # type: ignore[attr-defined]

        def counting(path: Path, *, max_side: int | None = None, gray: bool = False):
            if Path(path) == original:
                decoded.append((module.__name__, max_side))  # type: ignore[attr-defined]
            return real(path, max_side=max_side, gray=gray)

        monkeypatch.setattr(module, "open_image", counting)

    spy(metadata)
    spy(index)
    cache = tmp_path / "cache"
    result = build_dossier(
        root, BuildOptions(jobs=1, cache_dir=cache, out_dir=tmp_path / "out", force=True)
    )
    # Neither the metadata step nor feature extraction decoded the original again.
    assert decoded == []
    meta = result.analysis.metadata_for(original)
    assert meta is not None and meta.thumbnail_matches is alone.thumbnail_matches
    assert result.analysis.paired and result.analysis.paired[0].original == original
    # The features cached are the ones extraction makes on its own.
    with index.opened_cache(cache / index.CACHE_FILE) as features:
        cached = features.get(alone.sha256 or "", "original")
    assert cached is not None
    own = index.extract(original, accused=False)
    assert (cached.width, cached.height) == (own.width, own.height)
    assert np.array_equal(cached.points, own.points)
    assert np.array_equal(cached.descriptors, own.descriptors)

"""The synthetic photo generator: deterministic, and its ground truth is exact."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from devtools import synthetic as syn

SIZE = (640, 480)


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return syn.make_photo(3, SIZE)


def _blurred(img: Image.Image) -> np.ndarray:
    return cv2.GaussianBlur(np.asarray(img, np.float32), (0, 0), 2.5)


def _mapping_error(derived: syn.Derived, source: Image.Image) -> float:
    """Median colour difference between derived pixels and the source pixels they map to."""
    out, src = _blurred(derived.image), _blurred(source)
    x, y, w, h = derived.photo_rect or (0, 0, *derived.image.size)
    gen = np.random.default_rng(0)
    errors = []
    for _ in range(300):
        px, py = gen.uniform(x + 8, x + w - 8), gen.uniform(y + 8, y + h - 8)
        sx, sy = syn._apply(derived.to_source, np.array([[px, py]]))[0]
        if 8 < sx < source.width - 8 and 8 < sy < source.height - 8:
            errors.append(np.abs(out[int(py), int(px)] - src[int(sy), int(sx)]).mean())
    assert len(errors) > 50
    return float(np.median(errors))


def test_photo_is_deterministic_and_detailed() -> None:
    a, b = syn.make_photo(11, SIZE), syn.make_photo(11, SIZE)
    assert a.size == SIZE and a.mode == "RGB"
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(syn.make_photo(12, SIZE)))
    gray = cv2.cvtColor(np.asarray(a), cv2.COLOR_RGB2GRAY)
    keypoints = cv2.SIFT.create().detect(gray, None)
    assert len(keypoints) > 300  # enough local detail for feature matching


def test_shoot_frames_differ_from_the_first_frame(photo: Image.Image) -> None:
    frames = syn.make_shoot(3, 3, SIZE)
    assert np.array_equal(np.asarray(frames[0]), np.asarray(photo))
    for other in [*frames[1:], syn.bracketed(3, 1.0, SIZE), syn.stereo_other_half(3, SIZE)]:
        diff = np.abs(np.asarray(other, np.int16) - np.asarray(photo, np.int16)).mean()
        assert diff > 3.0


@pytest.mark.parametrize(
    "make",
    [
        lambda p: syn.crop(p, 0.3, syn.rng(1)),
        lambda p: syn.Derived(p).then(syn.crop, 0.5, syn.rng(2)).then(syn.pad_square),
        lambda p: syn.Derived(p).then(syn.orient, 5).then(syn.resize, 0.6),
        lambda p: syn.Derived(p).then(syn.rotate_small, -8),
        lambda p: (
            syn.Derived(p).then(syn.crop, 0.4, syn.rng(3)).then(syn.listing_screenshot, syn.rng(4))
        ),
    ],
)
def test_edits_map_back_to_the_source(photo: Image.Image, make: object) -> None:
    derived = make(photo)  # type: ignore[operator]
    assert _mapping_error(derived, photo) < 6.0


@pytest.mark.parametrize("k", range(8))
def test_orientation_truth(photo: Image.Image, k: int) -> None:
    derived = syn.orient(photo, k)
    assert syn.is_mirrored(derived) == (k >= 4)
    expected = {0: 0.0, 1: 90.0, 2: 180.0, 3: -90.0}[k % 4]
    assert syn.rotation_of(derived) == pytest.approx(expected, abs=1e-6)
    assert syn.source_region(derived, photo.size) == (0, 0, *photo.size)
    assert _mapping_error(derived, photo) < 1.0


def test_crop_region_and_area(photo: Image.Image) -> None:
    derived = syn.crop(photo, 0.3, syn.rng(5))
    _x, _y, w, h = syn.source_region(derived, photo.size)
    assert (w, h) == derived.image.size
    assert w * h / (photo.width * photo.height) == pytest.approx(0.3, rel=0.05)


def test_turned_crop_shows_only_the_crop(photo: Image.Image) -> None:
    # The fill in the corners of the enlarged canvas is not part of the source.
    cropped = syn.crop(photo, 0.4, syn.rng(6))
    turned = cropped.then(syn.rotate_small, 10)
    assert syn.source_region(turned, photo.size) == syn.source_region(cropped, photo.size)
    whole = syn.Derived(photo).then(syn.rotate_small, 10)
    assert syn.source_region(whole, photo.size) == (0, 0, *photo.size)


def test_screenshot_rect_shows_the_photo(photo: Image.Image) -> None:
    shot = syn.listing_screenshot(photo, syn.rng(6))
    assert shot.photo_rect is not None
    _x, _y, w, h = shot.photo_rect
    assert w / h == pytest.approx(photo.width / photo.height, rel=0.02)
    assert shot.image.size == (1366, 900)
    assert syn.source_region(shot, photo.size) == (0, 0, *photo.size)


def test_jpeg_and_overlays_change_pixels_not_geometry(photo: Image.Image) -> None:
    for derived in (
        syn.jpeg_recompress(photo, 50),
        syn.watermark(photo, "© SHOP", 0.35),
        syn.overlay_banner(photo),
        syn.colour_shift(photo, 1.2, 0.8, 1.5),
    ):
        assert derived.image.size == photo.size
        assert np.allclose(derived.to_source, np.eye(3))
        assert not np.array_equal(np.asarray(derived.image), np.asarray(photo))


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-12, 12),
    st.integers(0, 7),
    st.floats(0.3, 1.5),
)
def test_rotation_truth_composes(degrees: float, k: int, factor: float) -> None:
    small = Image.new("RGB", (120, 90), (128, 128, 128))
    derived = syn.Derived(small).then(syn.orient, k).then(syn.resize, factor)
    derived = derived.then(syn.rotate_small, degrees)
    expected = {0: 0.0, 1: 90.0, 2: 180.0, 3: -90.0}[k % 4] + degrees
    expected = (expected + 180.0) % 360.0 - 180.0
    got = syn.rotation_of(derived)
    assert math.isclose((got - expected + 180.0) % 360.0 - 180.0, 0.0, abs_tol=1e-6)
    assert syn.is_mirrored(derived) == (k >= 4)


def test_iou() -> None:
    assert syn.iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert syn.iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert syn.iou((0, 0, 10, 10), (20, 20, 5, 5)) == 0.0

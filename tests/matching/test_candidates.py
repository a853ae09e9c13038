"""Proposing the right original, and a warp that settles (issue 10, second round).

Each test names the cause it guards; each failed before its change. The
real-photo tests use ``../shared/corpus/real-photos`` with the benchmark's own
copies (``bench_match --real`` seeds), against the whole corpus as the library
so the prefilter is in play, and skip where that folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from appeal_kit.matching import index
from appeal_kit.matching.geometry import good_matches, rootsift
from appeal_kit.matching.matcher import DIRECT_LIMIT, FeatureMatcher
from appeal_kit.models import MatchResult
from devtools import competitor_copies as cc

REAL = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real-photos"

# (photo, category): the copy, and the cause that made it a miss before.
CASES = {
    # A banner's dense text held the copy's strongest corners: the prefilter
    # voted for whichever original had most texture, never this one.
    "banner-outvoted": ("Canon EOS 1000D.jpg", "banner_top"),
    # A bubble in a blue sky: 32 features at the fixed contrast threshold,
    # too few to be shortlisted or to fit a crop.
    "plain-photo-crop": ("Canon PowerShot A80.jpg", "crop"),
    # The same photo under a tiled watermark: many glyph corners paired with
    # the same few features of the plain original, a collapsed fit.
    "plain-photo-watermark": ("Canon PowerShot A80.jpg", "watermark"),
    # A soft sunset crop: too few tiles at every other position to refine the
    # warp, so its far side read as displaced detail.
    "soft-crop-unrefined": ("Canon PowerShot G11.jpg", "crop"),
    # An upscaled crop: soft tiles peaking off by tenths of a pixel made each
    # refinement round jump instead of settle.
    "upscale-refinement": ("Canon EOS 450D.jpg", "upscale"),
    # A soft portrait under a banner: three detail tiles at the copy's own
    # scale, too few to judge; at a coarser scale its hair and glasses show.
    "soft-portrait-banner": ("Canon IXUS v2.jpg", "banner_bottom"),
    # A price sticker and banner text recompressed at JPEG 55-70: ringing left
    # only a ring of solid colour round the sticker and broke the banner's fill
    # round its text, so both read as other photographic content.
    "sticker-recompressed": ("Canon PowerShot SD600.jpg", "banner+jpeg"),
    # An upscaled crop under a tiled watermark: the strokes left one side of
    # the frame few sharp tiles, the refinement fit the other side only, and
    # that side's tiles read as a pixel off (refit once on every tile).
    "watermark-upscale-one-sided-fit": ("Canon EOS 450D.jpg", "watermark+upscale"),
    # White lettering over a pen drawing, upscaled: under the analysis blur
    # the strokes held no one opacity, so no mark was found, and every tile a
    # letter crossed disagreed (blend found on unblurred pixels; tiles judged
    # on what the strokes leave visible).
    "watermark-strokes-over-lines": ("Canon Powershot A2500.JPG", "watermark+upscale"),
    # The bubble sky under the same: the letters were the copy's only detail.
    "plain-photo-watermark-upscale": ("Canon PowerShot A80.jpg", "watermark+upscale"),
}


def _photos() -> list[Path]:
    if not REAL.is_dir():
        pytest.skip("../shared/corpus/real-photos is not present")
    return sorted(p for p in REAL.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))


@pytest.fixture(scope="module")
def real_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, MatchResult]]:
    """Every case matched in one run against the whole corpus (more than DIRECT_LIMIT)."""
    photos = _photos()
    assert len(photos) > DIRECT_LIMIT  # the prefilter decides what is verified
    folder = tmp_path_factory.mktemp("candidates")
    copies: list[Path] = []
    truth: list[Path] = []
    for name, (photo, category) in CASES.items():
        source = REAL / photo
        g = cc.rng(1000 * photos.index(source) + list(cc.CATEGORIES).index(category))
        copy = cc.make_copy(cc.load_upright(source), category, g)
        copies.append(cc.save_copy(copy, folder / f"{name}.jpg", g))
        truth.append(source)
    results = FeatureMatcher(jobs=2).match(copies, photos)  # no cache file: nothing written
    return {
        name: (source, result) for name, source, result in zip(CASES, truth, results, strict=True)
    }


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_real_copy_is_found_among_the_whole_library(
    real_results: dict[str, tuple[Path, MatchResult]], case: str
) -> None:
    source, result = real_results[case]
    assert result.original == source, result.note
    assert result.verdict == "match", result.note


def test_pairs_are_one_to_one() -> None:
    # Forty copies of one corner (a tiled watermark's glyph) against a plain
    # original's three features: one pair survives, not a pile on one point.
    rng = np.random.default_rng(3)
    train = rng.integers(0, 255, (3, 128)).astype(np.uint8)
    query = np.repeat(train[:1], 40, axis=0)
    query[:, :8] = np.clip(query[:, :8].astype(int) + rng.integers(-3, 4, (40, 8)), 0, 255)
    pairs = good_matches(rootsift(query), rootsift(train), cv2.BFMatcher(cv2.NORM_L2))
    assert len(pairs) == 1
    assert pairs[0][1] == 0
    assert len({t for _, t in pairs}) == len(pairs)


def test_a_plain_low_contrast_photo_keeps_enough_features() -> None:
    # A smooth blue-sky gradient with a few faint bubbles, like the corpus's
    # soap-bubble photo: the fixed threshold kept a few dozen features.
    h, w = 480, 640
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    sky = 70 + 40 * yy / h + 10 * xx / w
    rng = np.random.default_rng(8)
    for _ in range(14):
        cx, cy, r = rng.uniform(40, w - 40), rng.uniform(40, h - 40), rng.uniform(4, 16)
        ring = np.exp(-(((np.hypot(xx - cx, yy - cy) - r) / 1.5) ** 2))
        sky += 9 * ring
    sky += rng.normal(0, 1.2, sky.shape)
    gray = np.clip(sky, 0, 255).astype(np.uint8)
    points, _desc, _mp, _md = index._sift(gray, index.ORIGINAL_FEATURES)
    assert len(points) >= index.SPARSE_SHARE * index.ORIGINAL_FEATURES


@pytest.mark.slow
def test_darkened_copy_of_another_product_on_the_same_backdrop_is_not_a_match(
    tmp_path: Path,
) -> None:
    # Two products shot on one backdrop with one label template (the synthetic
    # shoots 500 and 503). A darkened copy of the first fits the second blended
    # with black at one opacity over broad stretches of backdrop; that was
    # taken for a watermark covering them, which hid the backdrop's other
    # detail, and the pair read as "match".
    from devtools import synthetic as syn

    ours = syn.make_shoot(503, 2, (1200, 900))[1]
    other = syn.make_shoot(500, 1, (1200, 900))[0]
    copy = syn.colour_shift(other, 0.65, 1.0, 1.0).then(lambda img: syn.rotate_small(img, -6))
    original = tmp_path / "ours.jpg"
    ours.save(original, quality=92)
    accused = tmp_path / "theirs.jpg"
    copy.image.save(accused, quality=92)
    [result] = FeatureMatcher(jobs=2).match([accused], [original])
    assert result.verdict != "match", result.note


def test_part_of_our_photo_inside_other_photographic_content_is_not_a_match(
    tmp_path: Path,
) -> None:
    # Two small product photos sharing the bottle and label template on the
    # same backdrop (synthetic seeds 31637 and 20154, the --scale benchmark's
    # one false match): only the bottle agrees and their image goes on with
    # other photographic content around it, so it is at most "possible".
    from devtools import synthetic as syn

    original = tmp_path / "ours.jpg"
    syn.make_photo(31637, (480, 360)).save(original, quality=92)
    accused = tmp_path / "theirs.jpg"
    syn.make_photo(20154, (480, 360)).save(accused, quality=92)
    [result] = FeatureMatcher(jobs=2).match([accused], [original])
    assert result.verdict != "match", result.note


def test_watermark_over_a_plain_backdrop_neither_shrinks_the_photo_nor_picks_a_sibling() -> None:
    # The demo's sticker copy: a frame of our shoot on a white square, under
    # thin white lettering (BRIGHTWAY, tiled) over a plain backdrop, with a
    # price sticker. The lettering read as detail of the copy's own against our
    # flat backdrop, so the photo's rectangle shrank to the bottle, the copy
    # was called a screenshot, and the neighbouring frame IMG_0415 (whose
    # bottle is the only other place that agreed) was named as its original.
    demo = Path(__file__).resolve().parents[2] / "samples" / "demo-case"
    accused = demo / "accused" / "listing-square-sticker.jpg"
    originals = sorted((demo / "originals").glob("*.JPG"))
    [result] = FeatureMatcher(jobs=2).match([accused], originals)
    assert result.verdict == "match", result.note
    assert result.original is not None and result.original.name == "IMG_0414.JPG"
    assert not result.is_screenshot
    # The photo on the square: rows and columns mostly not white padding.
    from PIL import Image

    with Image.open(accused) as img:
        grey = np.asarray(img.convert("L"), np.float32)
    photo_rows = np.flatnonzero((grey < 235).mean(axis=1) > 0.5)
    photo_cols = np.flatnonzero((grey < 235).mean(axis=0) > 0.5)
    top, bottom = int(photo_rows[0]), int(photo_rows[-1]) + 1
    left, right = int(photo_cols[0]), int(photo_cols[-1]) + 1
    assert result.accused_rect is not None
    x, y, w, h = result.accused_rect
    inter = max(0, min(x + w, right) - max(x, left)) * max(0, min(y + h, bottom) - max(y, top))
    union = w * h + (right - left) * (bottom - top) - inter
    assert inter / union >= 0.95, (result.accused_rect, (left, top, right - left, bottom - top))


@pytest.mark.slow
def test_crop_of_a_neighbouring_frame_with_grain_of_its_own_is_not_a_match(tmp_path: Path) -> None:
    # Two frames of one synthetic shoot (the bench's scene 0): a 30 % crop of
    # frame 0, at its own scale, against frame 1 only. Everything agrees in
    # place, but the crop's strong grain correlates with frame 1's at about
    # 0.2, where a copy's keeps 0.5 or more; the old limit (0.15) let it pass.
    from devtools import synthetic as syn

    frames = syn.make_shoot(500, 3, (1200, 900))
    ours = tmp_path / "frame1.jpg"
    frames[1].save(ours, quality=92)
    copy = syn.crop(frames[0], 0.3, syn.rng(500)).image
    accused = tmp_path / "crop.jpg"
    copy.save(accused, quality=92)
    [result] = FeatureMatcher(jobs=2).match([accused], [ours])
    assert result.verdict != "match", result.note
    # The same crop against the frame it was cut from stays a match.
    own = tmp_path / "frame0.jpg"
    frames[0].save(own, quality=92)
    [result] = FeatureMatcher(jobs=2).match([accused], [own])
    assert result.verdict == "match", result.note


@pytest.mark.slow
def test_crop_of_another_product_sharing_our_label_is_not_a_match(tmp_path: Path) -> None:
    # The same crop against a photo of another product of the shop (the bench's
    # scene 1: same label template, another backdrop). Only the label agrees:
    # less than a third of where our frame lands on their image, with other
    # photographic content around it. It had passed as a match.
    from devtools import synthetic as syn

    ours = tmp_path / "other-product.jpg"
    syn.make_shoot(501, 1, (1200, 900))[0].save(ours, quality=92)
    copy = syn.crop(syn.make_shoot(500, 1, (1200, 900))[0], 0.3, syn.rng(500)).image
    accused = tmp_path / "crop.jpg"
    copy.save(accused, quality=92)
    [result] = FeatureMatcher(jobs=2).match([accused], [ours])
    assert result.verdict != "match", result.note


@pytest.mark.slow
def test_brighter_bracketed_exposure_with_grain_correlating_weakly_is_not_a_match(
    tmp_path: Path,
) -> None:
    # The bench's scene 2 and its +1 EV bracket: same scene and framing, grain
    # 1.19 grey levels correlating with ours at 0.28, below the 0.5 a copy's
    # keeps through one resampling. The limit had been 0.15 under 1.2 levels.
    from devtools import synthetic as syn

    ours = tmp_path / "frame.jpg"
    syn.make_shoot(502, 1, (1200, 900))[0].save(ours, quality=92)
    accused = tmp_path / "bracket.jpg"
    syn.bracketed(502, 1.0, (1200, 900)).save(accused, quality=92)
    [result] = FeatureMatcher(jobs=2).match([accused], [ours])
    assert result.verdict != "match", result.note

"""Matching accused images to originals: real images, known truth, measured outcomes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from appeal_kit.matching.geometry import decompose
from appeal_kit.matching.matcher import FeatureMatcher, match_images
from appeal_kit.models import MatchResult
from devtools import synthetic as syn

SIZE = (960, 720)
Edit = Callable[[Image.Image], syn.Derived]


def _save(img: Image.Image, path: Path, quality: int = 92) -> Path:
    if path.suffix == ".png":
        img.save(path)
    else:
        img.save(path, quality=quality)
    return path


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Image.Image]]:
    """Three scenes; scene 41 also has a second frame of the same shoot as an original."""
    folder = tmp_path_factory.mktemp("originals")
    out = {}
    for seed in (41, 42, 43):
        img = syn.make_photo(seed, SIZE)
        out[f"s{seed}"] = (_save(img, folder / f"IMG_{seed}.jpg"), img)
    frame = syn.make_shoot(41, 2, SIZE)[1]
    out["s41b"] = (_save(frame, folder / "IMG_41b.jpg"), frame)
    return out


def _region_iou(result: MatchResult, derived: syn.Derived, size: tuple[int, int]) -> float:
    assert result.region is not None
    return syn.iou(syn.source_region(derived, size), result.region)


def test_crop_is_matched_with_its_region(
    library: dict[str, tuple[Path, Image.Image]], tmp_path: Path
) -> None:
    path, img = library["s42"]
    derived = syn.crop(img, 0.35, syn.rng(7))
    accused = _save(derived.image, tmp_path / "crop.jpg")
    [result] = match_images([accused], [p for p, _ in library.values()])
    assert result.original == path
    assert result.verdict == "match"
    assert _region_iou(result, derived, img.size) > 0.95
    assert result.original_contains_more and not result.accused_contains_more
    assert not result.mirrored and abs(result.rotation) < 0.5
    assert result.scale == pytest.approx(1.0, abs=0.02)
    assert result.inliers >= 25 and 0.95 <= result.coverage <= 1.0
    # The homography maps the accused's corners onto the region's corners.
    h = np.array(result.homography)
    w, hh = derived.image.size
    corner = h @ np.array([w, hh, 1.0])
    x, y, rw, rh = syn.source_region(derived, img.size)
    assert corner[:2] / corner[2] == pytest.approx([x + rw, y + rh], abs=3)


def test_other_frame_of_the_shoot_is_not_a_match(
    library: dict[str, tuple[Path, Image.Image]], tmp_path: Path
) -> None:
    path, _img = library["s41"]
    accused = _save(syn.make_shoot(41, 3, SIZE)[2], tmp_path / "frame2.jpg")
    [result] = match_images([accused], [path])
    assert result.verdict != "match"
    if result.verdict == "possible":
        assert "not a copy" in result.note or "not the same photograph" in result.note


def test_copy_of_second_frame_picks_that_frame(
    library: dict[str, tuple[Path, Image.Image]], tmp_path: Path
) -> None:
    path, img = library["s41b"]
    derived = syn.Derived(img).then(syn.orient, 4).then(syn.jpeg_recompress, 60)
    accused = _save(derived.image, tmp_path / "mirror.jpg")
    [result] = match_images([accused], [p for p, _ in library.values()], jobs=2)
    assert result.original == path and result.verdict == "match"
    assert result.mirrored


def test_screenshot_rect(library: dict[str, tuple[Path, Image.Image]], tmp_path: Path) -> None:
    path, img = library["s43"]
    shot = syn.listing_screenshot(img, syn.rng(3))
    accused = _save(shot.image, tmp_path / "shot.png")
    [result] = match_images([accused], [path])
    assert result.verdict == "match" and result.is_screenshot
    assert result.accused_rect is not None and shot.photo_rect is not None
    assert syn.iou(result.accused_rect, shot.photo_rect) > 0.95
    assert _region_iou(result, shot, img.size) > 0.95
    assert result.coverage < 0.5  # most of the screenshot is page, not photo


def test_cache_second_run_extracts_nothing(
    library: dict[str, tuple[Path, Image.Image]], tmp_path: Path
) -> None:
    path, img = library["s42"]
    accused = _save(syn.orient(img, 1).image, tmp_path / "turned.jpg")
    cache = tmp_path / "cache" / "features.sqlite"
    first = FeatureMatcher(cache_path=cache)
    a = first.match([accused], [path])
    assert first.extracted == 2
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT COUNT(*) FROM features").fetchone()[0] == 2
    second = FeatureMatcher(cache_path=cache)
    b = second.match([accused], [path])
    assert second.extracted == 0
    assert a[0].to_json() == b[0].to_json()
    assert a[0].rotation == pytest.approx(90.0, abs=0.5)


def test_bad_files_are_skipped(
    library: dict[str, tuple[Path, Image.Image]], tmp_path: Path
) -> None:
    path, img = library["s43"]
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    good = _save(syn.crop(img, 0.5, syn.rng(1)).image, tmp_path / "good.jpg")
    progress: list[tuple[str, int, int]] = []
    results = match_images([empty, good], [broken, path], on_progress=lambda *a: progress.append(a))
    assert [r.accused for r in results] == [empty, good]
    assert results[0].verdict == "none" and results[0].original is None
    assert "empty" in results[0].note
    assert results[1].verdict == "match" and results[1].original == path
    assert ("match", 2, 2) in progress and ("index originals", 2, 2) in progress


def test_explicit_pair_is_kept_and_measured(
    library: dict[str, tuple[Path, Image.Image]], tmp_path: Path
) -> None:
    right, img = library["s42"]
    wrong, _ = library["s43"]
    accused = _save(syn.crop(img, 0.6, syn.rng(2)).image, tmp_path / "a.jpg")
    [kept] = match_images([accused], [right, wrong], explicit={accused: wrong})
    assert kept.original == wrong and kept.method == "explicit"
    assert kept.verdict != "match" and "case.toml" in kept.note
    [good] = match_images([accused], [right, wrong], explicit={accused: right})
    assert good.original == right and good.verdict == "match" and good.method == "explicit"


def test_unrelated_image_is_none(
    library: dict[str, tuple[Path, Image.Image]], tmp_path: Path
) -> None:
    # Another product photo (same label layout, other scene) may share a label:
    # never a match. A page with no photo of ours on it: nothing at all.
    other = _save(syn.make_photo(77, SIZE), tmp_path / "other.jpg")
    blank = Image.new("RGB", (400, 300), (250, 250, 250))
    page = _save(syn.listing_screenshot(blank, syn.rng(9)).image, tmp_path / "page.png")
    related, unrelated = match_images([other, page], [p for p, _ in library.values()])
    assert related.verdict != "match"
    assert unrelated.verdict == "none" and unrelated.original is None
    assert unrelated.to_json()["original"] is None


def test_accused_with_more_scene_is_flagged(tmp_path: Path) -> None:
    img = syn.make_photo(44, SIZE)
    ours = syn.crop(img, 0.45, syn.rng(4))
    original = _save(ours.image, tmp_path / "ours.jpg")
    accused = _save(img, tmp_path / "theirs.jpg")
    [result] = match_images([accused], [original])
    assert result.verdict == "match"
    assert result.accused_contains_more
    assert not result.is_screenshot


def test_decompose_conventions() -> None:
    # Accused = original mirrored, then turned 30 degrees counter-clockwise at half size.
    derived = syn.Derived(Image.new("RGB", (200, 100))).then(syn.orient, 4)
    derived = derived.then(syn.resize, 0.5).then(syn.rotate_small, 30)
    mirrored, rotation, scale = decompose(derived.to_source[:2, :2])
    assert mirrored
    assert rotation == pytest.approx(30.0, abs=1e-6)
    assert scale == pytest.approx(0.5, abs=1e-3)


# ---------------------------------------------------------------- every transform


TRANSFORMS: dict[str, Edit] = {
    "crop30": lambda p: syn.crop(p, 0.3, syn.rng(11)),
    "pad_square": lambda p: syn.Derived(p).then(syn.crop, 0.6, syn.rng(12)).then(syn.pad_square),
    "watermark": lambda p: syn.watermark(p, "© COPY", 0.4),
    "banner": lambda p: syn.overlay_banner(p),
    "jpeg50_half": lambda p: syn.Derived(p).then(syn.resize, 0.5).then(syn.jpeg_recompress, 50),
    "orient3": lambda p: syn.orient(p, 3),
    "orient6": lambda p: syn.orient(p, 6),
    "rotate9": lambda p: syn.rotate_small(p, 9),
    "colour": lambda p: syn.colour_shift(p, 1.25, 0.75, 1.6),
    # A listing page around a cropped photo, and a crop turned on a white
    # canvas: the region must be the crop, not the page or the fill around it.
    "screenshot_crop": lambda p: (
        syn.Derived(p).then(syn.crop, 0.5, syn.rng(21)).then(syn.listing_screenshot, syn.rng(22))
    ),
    "crop_rotate10": lambda p: (
        syn.Derived(p).then(syn.crop, 0.5, syn.rng(23)).then(syn.rotate_small, 10)
    ),
    "screenshot_crop_mirror": lambda p: (
        syn.Derived(p)
        .then(syn.crop, 0.4, syn.rng(13))
        .then(syn.orient, 4)
        .then(syn.listing_screenshot, syn.rng(14))
    ),
}


@pytest.fixture(scope="module")
def all_results(
    library: dict[str, tuple[Path, Image.Image]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[MatchResult, syn.Derived]]:
    folder = tmp_path_factory.mktemp("accused")
    _, img = library["s42"]
    derived = {name: make(img) for name, make in TRANSFORMS.items()}
    paths = [_save(d.image, folder / f"{name}.png") for name, d in derived.items()]
    results = match_images(paths, [p for p, _ in library.values()], jobs=2)
    return {name: (r, derived[name]) for name, r in zip(derived, results, strict=True)}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_every_transform_is_matched(
    name: str,
    all_results: dict[str, tuple[MatchResult, syn.Derived]],
    library: dict[str, tuple[Path, Image.Image]],
) -> None:
    result, derived = all_results[name]
    path, img = library["s42"]
    assert result.original == path
    assert result.verdict == "match", result.note
    assert _region_iou(result, derived, img.size) > 0.9
    assert result.mirrored == syn.is_mirrored(derived)
    expected = syn.rotation_of(derived)
    assert abs((result.rotation - expected + 180) % 360 - 180) < 1.0
    assert result.quad is not None and len(result.quad) == 4

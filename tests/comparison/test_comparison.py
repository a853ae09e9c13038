"""Comparison images: geometry, outline position, warp alignment, captions, determinism."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import piexif
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from appeal_kit.case.config import AccusedListing
from appeal_kit.comparison import pictures as comparison
from appeal_kit.comparison.pictures import (
    ComparisonImage,
    describe_match,
    font,
    render_comparison,
    warp_accused,
    wrap_text,
)
from appeal_kit.models import ImageMetadata, MatchResult

CST = timezone(timedelta(hours=8))
FULL_W, FULL_H = 1200, 800
# The accused copy: this region of the original, mirrored, scaled to 60 %.
REGION = (400, 150, 500, 500)
SCALE = 0.6


def grey_texture(width: int, height: int, seed: int = 7) -> Image.Image:
    """Grey, textured (so features and warps are checkable) and free of red."""
    rng = np.random.default_rng(seed)
    small = (rng.random((height // 16, width // 16)) * 255).astype("uint8")
    grey = Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC)
    return grey.convert("RGB")


def mirrored_homography(region: tuple[int, int, int, int], scale: float) -> list[list[float]]:
    """Accused (mirrored, scaled crop) pixels -> original pixels."""
    x0, y0, w, _h = region
    return [[-1 / scale, 0.0, x0 + w], [0.0, 1 / scale, y0], [0.0, 0.0, 1.0]]


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path, MatchResult, ImageMetadata]:
    original = tmp_path / "IMG_4412.JPG"
    gps = {
        piexif.GPSIFD.GPSLatitudeRef: b"N",
        piexif.GPSIFD.GPSLatitude: ((22, 1), (32, 1), (0, 1)),
    }
    exif = piexif.dump({"0th": {}, "Exif": {}, "GPS": gps, "1st": {}})
    grey_texture(FULL_W, FULL_H).save(original, quality=92, exif=exif)
    x0, y0, w, h = REGION
    accused_img = (
        Image.open(original)
        .crop((x0, y0, x0 + w, y0 + h))
        .transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        .resize((round(w * SCALE), round(h * SCALE)), Image.Resampling.LANCZOS)
    )
    accused = tmp_path / "listing.jpg"
    accused_img.save(accused, quality=80)
    match = MatchResult(
        accused=accused,
        original=original,
        verdict="match",
        inliers=412,
        coverage=0.98,
        mirrored=True,
        scale=SCALE,
        region=REGION,
        quad=[(x0 + w, y0), (x0, y0), (x0, y0 + h), (x0 + w, y0 + h)],
        homography=mirrored_homography(REGION, SCALE),
        original_contains_more=True,
    )
    meta = ImageMetadata(
        path=original,
        display_path="originals/IMG_4412.JPG",
        width=FULL_W,
        height=FULL_H,
        captured_at=datetime(2024, 3, 10, 14, 22, 5, tzinfo=CST),
        captured_at_tag="DateTimeOriginal",
        make="Canon",
        model="Canon EOS R6",
        serial="012345678901",
    )
    return original, accused, match, meta


LISTING = AccusedListing(
    url="https://www.aliexpress.com/item/1005006789012345.html",
    first_seen=datetime(2024, 10, 10, tzinfo=CST),
)


def render(
    pair_: tuple[Path, Path, MatchResult, ImageMetadata], out: Path, height: int = 300
) -> ComparisonImage:
    original, accused, match, meta = pair_
    return render_comparison(
        original, accused, match, original_meta=meta, listing=LISTING, out_path=out, height=height
    )


def test_panels_share_height_and_caption_band_has_text(pair, tmp_path: Path) -> None:
    result = render(pair, tmp_path / "c.jpg", height=300)
    img = Image.open(result.path)
    assert img.size == (result.width, result.height)
    ox, oy, ow, oh = result.original_box
    ax, ay, aw, ah = result.accused_box
    assert oh == ah == 300 and oy == ay
    # 1200x800 at height 300 is 450 wide; the 300x300 copy is 300 wide.
    assert ow == 450 and aw == 300
    margin = ox
    assert result.width == margin + ow + margin + aw + margin
    # The panels hold the images: the accused panel is the accused image, resized.
    accused_panel = np.asarray(img.crop((ax, ay, ax + aw, ay + ah)).convert("L"), dtype=float)
    expected = np.asarray(
        Image.open(pair[1]).convert("L").resize((aw, ah), Image.Resampling.LANCZOS), dtype=float
    )
    assert np.abs(accused_panel - expected).mean() < 6
    # The caption band under the panels carries dark text pixels in both columns.
    _bx, by, _bw, bh = result.caption_band
    band = np.asarray(img.convert("L"))[by : by + bh]
    assert (band[:, ox : ox + ow] < 100).sum() > 200
    assert (band[:, ax : ax + aw] < 100).sum() > 200
    assert result.original_caption[0] == "originals/IMG_4412.JPG"
    assert "1,200 × 800 px" in result.original_caption
    assert "captured 2024-03-10 14:22:05 +08:00 (DateTimeOriginal)" in result.original_caption
    assert result.accused_caption[:2] == [LISTING.url, "first seen 2024-10-10"]


def test_outline_is_drawn_on_the_quad(pair, tmp_path: Path) -> None:
    result = render(pair, tmp_path / "c.jpg", height=300)
    img = np.asarray(Image.open(result.path).convert("RGB")).astype(int)
    ox, oy, ow, _oh = result.original_box
    factor = ow / FULL_W
    x0, y0, w, h = REGION

    def red(x: float, y: float) -> bool:
        # A 5x5 window: JPEG's chroma subsampling smears a thin line over a pixel or two.
        cy, cx = round(oy + y * factor), round(ox + x * factor)
        patch = img[cy - 2 : cy + 3, cx - 2 : cx + 3].reshape(-1, 3).astype(int)
        return bool(((patch[:, 0] > 170) & (patch[:, 1] < 100) & (patch[:, 2] < 100)).any())

    # Midpoints of all four edges are red; the middle of the region and a point
    # outside it are not (the texture is grey).
    assert red(x0 + w / 2, y0)
    assert red(x0 + w / 2, y0 + h)
    assert red(x0, y0 + h / 2)
    assert red(x0 + w, y0 + h / 2)
    assert not red(x0 + w / 2, y0 + h / 2)
    assert not red(100, 700)


def test_warp_puts_the_copy_back_onto_the_original(pair) -> None:
    original, accused, match, _meta = pair
    orig = Image.open(original).convert("RGB")
    acc = Image.open(accused).convert("RGB")
    x0, y0, w, h = REGION
    crop = np.asarray(orig.crop((x0, y0, x0 + w, y0 + h)).convert("L"), dtype=float)
    warped, mask = warp_accused(
        acc, 1.0, match.homography, crop_origin=(x0, y0), crop_size=(w, h), original_scale=1.0
    )
    assert mask[5:-5, 5:-5].all()
    diff = np.abs(np.asarray(warped.convert("L"), dtype=float) - crop)[5:-5, 5:-5].mean()
    # The same warp without the mirror must not line up: the check can fail.
    wrong, _ = warp_accused(
        acc,
        1.0,
        [[1 / SCALE, 0.0, x0], [0.0, 1 / SCALE, y0], [0.0, 0.0, 1.0]],
        crop_origin=(x0, y0),
        crop_size=(w, h),
        original_scale=1.0,
    )
    wrong_diff = np.abs(np.asarray(wrong.convert("L"), dtype=float) - crop)[5:-5, 5:-5].mean()
    assert diff < 8
    assert wrong_diff > 3 * diff


def test_proof_strip_written_with_region(pair, tmp_path: Path) -> None:
    result = render(pair, tmp_path / "c.jpg", height=300)
    assert result.detail_path == tmp_path / "c-proof.jpg"
    proof = Image.open(result.detail_path)
    assert proof.size == (result.detail_width, result.detail_height)
    assert proof.height >= 200


def test_output_is_deterministic_and_carries_no_exif(pair, tmp_path: Path) -> None:
    first = render(pair, tmp_path / "a.jpg")
    second = render(pair, tmp_path / "b.jpg")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.detail_path and second.detail_path
    assert first.detail_path.read_bytes() == second.detail_path.read_bytes()
    assert b"Exif" not in first.path.read_bytes()[:4096]
    assert not Image.open(first.path).getexif()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_decodes_at_the_scale_needed(pair, tmp_path: Path, monkeypatch) -> None:
    seen: list[int | None] = []
    real = comparison.open_image

    def spy(path: Path, *, max_side: int | None = None):
        seen.append(max_side)
        return real(path, max_side=max_side)

    monkeypatch.setattr(comparison, "open_image", spy)
    render(pair, tmp_path / "c.jpg", height=200)
    assert seen[0] is not None and seen[0] <= comparison.MAX_DECODE_SIDE


def test_caption_wording_for_each_verdict(pair) -> None:
    _o, accused, _match, _m = pair
    big = MatchResult(
        accused=accused,
        original=Path("IMG_4412.JPG"),
        verdict="match",
        inliers=412,
        mirrored=True,
        scale=0.38,
        region=(1120, 640, 2310, 2310),
        homography=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
    )
    assert describe_match(big, "IMG_4412.JPG") == (
        "Their image is the region 2,310×2,310 px at (1,120, 640) of IMG_4412.JPG, "
        "mirrored, scaled to 38 %; 412 matching points."
    )
    big.verdict = "possible"
    big.agreement, big.covered = 0.74, 0.2
    # Partly confirmed, with the figures (issue 10): never "not the same photograph".
    assert describe_match(big, "IMG_4412.JPG").startswith("Partly confirmed:")
    assert "74 % of its visible picture agrees with ours" in describe_match(big, "IMG_4412.JPG")
    assert "20 % is covered by overlays" in describe_match(big, "IMG_4412.JPG")
    big.verdict = "match"
    big.accused_contains_more = True
    assert "ours may be the copy" in describe_match(big, "IMG_4412.JPG")
    big.accused_contains_more = False
    big.original_contains_more = True
    assert "cut from the larger original" in describe_match(big, "IMG_4412.JPG")
    big.is_screenshot, big.accused_rect = True, (10, 20, 300, 400)
    assert describe_match(big, "X.JPG").startswith(
        "The photo inside the screenshot (300×400 px at (10, 20))"
    )
    none = MatchResult(accused=accused, original=Path("X.JPG"), verdict="none")
    assert "No geometric match" in describe_match(none, "X.JPG")


def test_no_geometry_gives_side_by_side_only(pair, tmp_path: Path) -> None:
    original, accused, _match, _meta = pair
    plain = MatchResult(accused=accused, original=original, verdict="none")
    result = render_comparison(
        original,
        accused,
        plain,
        original_meta=None,
        listing=None,
        out_path=tmp_path / "n.jpg",
        height=200,
    )
    assert result.detail_path is None
    assert "No geometric match" in result.caption
    assert result.accused_caption[0] == "listing.jpg"
    img = np.asarray(Image.open(result.path).convert("RGB")).astype(int)
    reds = (img[..., 0] > 170) & (img[..., 1] < 100) & (img[..., 2] < 100)
    assert reds[: 200 + result.original_box[1]].sum() == 0  # no outline drawn


def test_screenshot_rect_and_cjk_url(pair, tmp_path: Path) -> None:
    original, accused, match, meta = pair
    match.accused_rect, match.is_screenshot = (30, 30, 200, 200), True
    listing = AccusedListing(url="https://shop.example.com/商品/1", first_seen=None)
    result = render_comparison(
        original,
        accused,
        match,
        original_meta=meta,
        listing=listing,
        out_path=tmp_path / "s.jpg",
        height=240,
    )
    # Characters the caption font lacks are percent-encoded, never drawn as boxes.
    assert result.accused_caption[0] == "https://shop.example.com/%E5%95%86%E5%93%81/1"
    assert result.accused_caption[1] == "first seen date not recorded"
    assert result.caption.startswith("The photo inside the screenshot")
    assert result.detail_path is not None


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("abc XYZ/.-_0123456789"), min_size=0, max_size=200),
    width=st.integers(min_value=60, max_value=600),
)
def test_wrapped_lines_fit(text: str, width: int) -> None:
    face = font(16)
    lines = wrap_text(text, face, width, max_lines=50)
    assert all(face.getlength(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_format_time_keeps_offset_and_flags_naive() -> None:
    assert comparison.format_time(datetime(2024, 3, 10, 14, 22, 5, 120000, tzinfo=UTC)) == (
        "2024-03-10 14:22:05.12 +00:00"
    )
    assert comparison.format_time(datetime(2024, 3, 10, 14, 22, 5)).endswith(
        "(time zone not recorded)"
    )


def test_cjk_file_names_are_drawn_with_the_bundled_font() -> None:
    # A Chinese name with spaces showed as "file ?? ?? 1.jpg" inside the picture (issue 11).
    from PIL import Image, ImageDraw

    from appeal_kit.comparison.captions import draw_text, font, printable, text_length

    name = "file 商品 图片 1.jpg"
    assert printable(name) == name
    face = font(28)

    def ink(text: str) -> Image.Image:
        img = Image.new("L", (400, 50), 255)
        draw_text(ImageDraw.Draw(img), (5, 5), text, face, 0)  # type: ignore[arg-type]
        return img

    chinese, marks = np.asarray(ink("商品图片")), np.asarray(ink("????"))
    assert (chinese < 128).any()  # something was drawn ...
    # ... and it is not the question marks (or empty boxes) Vera would draw.
    assert not np.array_equal(chinese, marks)
    assert (chinese < 128).sum() > 2 * (marks < 128).sum()
    assert text_length("商品", face) > 0

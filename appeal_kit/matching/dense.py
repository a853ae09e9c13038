"""The dense check: whether our photo, warped by the fitted map, agrees pixel for pixel.

A copy of our photo, however cropped, turned, mirrored or recoloured, is related
to the original by one affine map, and after warping it agrees with the original
*pixel for pixel* wherever it was not painted over. Another frame of the same
shoot, a bracketed exposure or the other half of a stereo pair shows the same
things, but near and far objects moved by different amounts (parallax), so some
of its detail stays shifted by a pixel or more after the best single warp. The
dense check below measures exactly that, tile by tile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from appeal_kit.matching.copy_model import evidence, match_detail
from appeal_kit.matching.geometry import fit_affine, plausible
from appeal_kit.matching.region import locate, window_stats

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]
U8 = NDArray[np.uint8]

TILE = 32  # dense-check tile side, accused analysis pixels
SEARCH = 4  # +- pixels searched around each tile
WIDE_SEARCH = 28  # second search for tiles that do not agree nearby
CORR_OK = 0.7  # a tile "agrees" when its normalised correlation reaches this
MOVED_OK = 0.8  # moved content is the same texture: it correlates strongly once found
BLUR = 1.5  # Gaussian sigma, accused pixels, applied before the dense comparison
NORM_STD = 45.0  # contrast (grey-level std) that texture thresholds assume
SHARP = 0.015  # correlation-peak curvature above which a tile's shift is trusted
SUBPIXEL_LIMIT = 0.45  # px: a trusted tile further off than this has moved
SHIFT_LIMIT = 0.8  # pixels: a tile whose best match is further than this is displaced
REFINE_ROUNDS = 6  # at most; refinement stops once the warp settles
REFINE_MIN_TILES = 6  # agreeing tiles needed to refine six affine parameters


@dataclass
class Dense:
    """Tile statistics of the warped comparison (accused analysis pixels)."""

    textured: int = 0  # tiles with detail in both images
    busy: int = 0  # tiles with detail in either image: all of it should be explained
    aligned: int = 0  # agree in place
    displaced: int = 0  # agree only after a shift that their neighbours share
    similarity: float = 0.0  # median in-place correlation of the aligned tiles
    photo_rect: tuple[int, int, int, int] | None = None
    # The part of the original the agreeing pixels come from (original analysis px).
    region_box: tuple[int, int, int, int] | None = None
    # Area of photo_rect over the area where the original's frame lands.
    footprint_share: float = 0.0
    # Mean in-place correlation over all textured tiles (ranks near-identical rivals).
    agreement: float = 0.0
    # Bounding box of the aligned tiles over photo_rect, by area: agreement spread
    # over the picture, not one shared label.
    aligned_spread: float = 0.0
    conflict: float = 0.0  # see ``_around``
    busy_around: bool = False
    photo_beyond: bool = False
    zone_flat: bool = True
    grain_a: float = 0.0  # see ``_grain``
    grain_o: float = 0.0
    grain_corr: float = 0.0
    # The copy model (``copy_model.evidence``): share of our frame's area in the
    # copy hidden by overlays, share of the visible area that agrees, the lowest
    # agreement of a part of the picture, and the share showing other content.
    covered: float = 0.0
    visible_agreement: float = 0.0
    weakest_part: float = 0.0
    other_content: float = 0.0
    # Extra blur that brought the two to one level of detail (accused px).
    detail_sigma: tuple[float, float] = (0.0, 0.0)

    @property
    def displaced_share(self) -> float:
        """Of the tiles that agree somewhere, the share that agree only after shifting."""
        agreeing = self.aligned + self.displaced
        return self.displaced / agreeing if agreeing else 0.0

    @property
    def aligned_share(self) -> float:
        """Share of textured tiles that agree in place."""
        return self.aligned / self.textured if self.textured else 0.0

    @property
    def explained_share(self) -> float:
        """Share of tiles with detail in either image that agree in place."""
        return self.aligned / self.busy if self.busy else 0.0


@dataclass
class _Tile:
    x: float  # centre, accused analysis px
    y: float
    zero: float  # correlation in place
    best: float  # best correlation within the search
    dx: float  # shift of the best correlation
    dy: float
    sharpness: float  # peak curvature; ~0 when the shift is undetermined (an edge)
    clipped: bool = False  # holds blown-out or crushed pixels: edges there look shifted
    # Its search window reaches the edge of where the original lands: resampling
    # and the border there make shifts unreliable, so it never counts as displaced.
    edge: bool = False
    overlaid: bool = False  # mostly under an overlay: not counted among the detail tiles
    partial: bool = False  # judged on the pixels a watermark's strokes leave visible

    @property
    def shift(self) -> float:
        return math.hypot(self.dx, self.dy)

    @property
    def plateau(self) -> bool:
        """Its best match a whole pixel or more away is no better than in place.

        A real peak of this sharpness ``c`` that far off (``s`` px) would leave
        the in-place correlation lower by about ``c * s**2 / 2``; when it is not
        even a quarter of that lower, the tile sits on a ramp or a diagonal
        ridge whose match slides freely, and its shift means nothing.
        """
        far = round(self.dx) != 0 or round(self.dy) != 0
        return far and self.best - self.zero < 0.125 * self.sharpness * self.shift**2


def _subpixel(resp: F32, y: int, x: int) -> tuple[float, float, float]:
    """Parabola peak offset around a maximum, and the peak's sharpness.

    Sharpness is the smaller curvature of the two axes; it is zero on a straight
    edge (the match slides along it) and at the border of the search window.
    """

    def fit(a: float, b: float, c: float) -> tuple[float, float]:
        den = a - 2 * b + c
        return (0.5 * (a - c) / den if abs(den) > 1e-6 else 0.0), -den

    if not (0 < y < resp.shape[0] - 1 and 0 < x < resp.shape[1] - 1):
        return 0.0, 0.0, 0.0
    dy, cy = fit(resp[y - 1, x], resp[y, x], resp[y + 1, x])
    dx, cx = fit(resp[y, x - 1], resp[y, x], resp[y, x + 1])
    return float(np.clip(dx, -0.5, 0.5)), float(np.clip(dy, -0.5, 0.5)), float(min(cx, cy))


def _search(tile: F32, warped: F32, x0: int, y0: int, reach: int, seen: U8 | None = None) -> _Tile:
    """The tile's best shift within ``reach`` (``seen``: its pixels not under an overlay)."""
    h, w = warped.shape
    wx0, wy0 = max(0, x0 - reach), max(0, y0 - reach)
    wx1, wy1 = min(w, x0 + TILE + reach), min(h, y0 + TILE + reach)
    raw = cv2.matchTemplate(warped[wy0:wy1, wx0:wx1], tile, cv2.TM_CCOEFF_NORMED, mask=seen)
    resp: F32 = np.asarray(np.nan_to_num(raw, nan=0.0), np.float32)
    _, best, _, (bx, by) = cv2.minMaxLoc(resp)
    sx, sy, sharp = _subpixel(resp, by, bx)
    zero = float(resp[y0 - wy0, x0 - wx0])
    return _Tile(
        x0 + TILE / 2,
        y0 + TILE / 2,
        zero,
        float(best),
        bx + wx0 - x0 + sx,
        by + wy0 - y0 + sy,
        sharp,
    )


def _tiles(
    accused: F32,
    warped: F32,
    valid: NDArray[np.bool_],
    rect: tuple[int, int, int, int],
    clipped: NDArray[np.bool_] | None = None,
    covered: NDArray[np.bool_] | None = None,
    *,
    wide: bool = True,
    stride: int = 1,
) -> tuple[list[_Tile], int, int]:
    """Textured tiles inside ``rect`` and where the original lands, with their best shifts.

    Tiles that do not agree nearby get a wide second search: a product moved
    between two frames sits tens of pixels away, an overlay sits nowhere.
    """
    rx, ry, rw, rh = rect
    # Fine detail present in both images: high-pass magnitude, the smaller of the two.
    # Detail measured against each image's own contrast in the rectangle, so a
    # darkened or faded copy (or a dark exposure) is tested as widely as a bright one.
    box = (slice(ry, ry + rh), slice(rx, rx + rw))
    here = valid[box]
    if covered is not None and (here & ~covered[box]).any():
        # Contrast of the photo, not of a banner's black-on-yellow text, which
        # would scale the photo's own detail down below the threshold.
        here = here & ~covered[box]
    spread_a = float(accused[box][here].std()) if here.any() else 1.0
    spread_o = float(warped[box][here].std()) if here.any() else 1.0
    fine_a = np.abs(accused - cv2.GaussianBlur(accused, (0, 0), 3.0)) * (
        NORM_STD / max(spread_a, 1.0)
    )
    fine_o = np.abs(warped - cv2.GaussianBlur(warped, (0, 0), 3.0)) * (
        NORM_STD / max(spread_o, 1.0)
    )
    detail, either = np.minimum(fine_a, fine_o), np.maximum(fine_a, fine_o)
    nh, nw = rh // TILE, rw // TILE
    out: list[_Tile] = []
    if nh == 0 or nw == 0:
        return out, 0, 0

    def per_tile(image: NDArray[np.float32] | NDArray[np.bool_]) -> NDArray[np.float64]:
        block = image[ry : ry + nh * TILE, rx : rx + nw * TILE].astype(np.float32)
        return np.asarray(block.reshape(nh, TILE, nw, TILE).mean(axis=(1, 3)), np.float64)

    inside = per_tile(valid) >= 1.0
    # Mostly under an overlay: its detail is the overlay's, so it does not count
    # as detail that should agree. It is still searched: what looks like an
    # overlay may be a flat object that moved, and a moved object must show.
    overlaid = per_tile(covered) >= 0.5 if covered is not None else np.zeros_like(inside)
    # A tile whose search window leaves where the original lands (the warp's edge).
    reach = 2 * (SEARCH + 2) + 1
    deep = cv2.erode(valid.astype(np.uint8), np.ones((reach, reach), np.uint8)) > 0
    edge_tiles = per_tile(deep) < 1.0
    # Detail in either image should be explained; only detail in both can test alignment.
    busy_tiles = inside & (per_tile(either) >= 2.5)
    test_tiles = inside & (per_tile(detail) >= 2.5)
    clip_tiles = per_tile(clipped) > 0.01 if clipped is not None else np.zeros_like(inside)
    searched = test_tiles.copy()
    if stride > 1:
        searched[:, :] = False
        searched[::stride, ::stride] = test_tiles[::stride, ::stride]
    # A tile partly under a watermark's strokes is judged on the pixels the
    # strokes leave visible, widened by the analysis blur's reach (2 sigma each
    # side): occluders never count against a copy. Mostly covered, it is overlaid.
    halo = None
    if covered is not None and covered.any():
        reach_px = 2 * math.ceil(2 * BLUR) + 1
        halo = cv2.dilate(covered.astype(np.uint8), np.ones((reach_px, reach_px), np.uint8))
        overlaid |= per_tile(halo.astype(bool)) >= 0.5
    for ty, tx in zip(*np.nonzero(searched), strict=True):
        y0, x0 = ry + int(ty) * TILE, rx + int(tx) * TILE
        tile = np.ascontiguousarray(accused[y0 : y0 + TILE, x0 : x0 + TILE])
        seen: U8 | None = None
        if halo is not None and not overlaid[ty, tx] and halo[y0 : y0 + TILE, x0 : x0 + TILE].any():
            seen = np.ascontiguousarray(1 - halo[y0 : y0 + TILE, x0 : x0 + TILE], np.uint8)
        found = _search(tile, warped, x0, y0, SEARCH, seen)
        if wide and found.best < CORR_OK:
            found = _search(tile, warped, x0, y0, WIDE_SEARCH, seen)
        found.clipped = bool(clip_tiles[ty, tx])
        found.edge = bool(edge_tiles[ty, tx])
        found.overlaid = bool(overlaid[ty, tx])
        found.partial = seen is not None
        out.append(found)
    textured, busy = int((test_tiles & ~overlaid).sum()), int((busy_tiles & ~overlaid).sum())
    return out, textured, busy


def _classify(tiles: list[_Tile]) -> tuple[list[_Tile], list[_Tile]]:
    """Aligned tiles, and displaced ones.

    A tile is displaced when (a) its match is sharp (a corner-like detail, not
    an edge the match can slide along), free of clipped pixels, and still sits
    half a pixel or more away after the refined warp, like a neighbour: copies
    stay within ~0.3 px, while parallax between hand-held frames or bracketed
    exposures moves whole patches by 0.5-3 px; or (b) it is found
    only further away, and two neighbours share its shift (a moved product),
    which separates real motion from chance peaks on watermark text or noise.
    """
    trusted = [
        t
        for t in tiles
        if t.sharpness >= SHARP
        and t.best >= 0.9
        and not t.clipped
        and not t.edge
        and not t.plateau
        # With strokes masked out, the peak rests on a ragged part of the tile
        # and may sit a few tenths off: it shows agreement, not a shift.
        and not t.partial
        and t.shift < SEARCH
    ]
    off = [t for t in trusted if t.shift >= SUBPIXEL_LIMIT]
    # A layer that moved (parallax, a nudged product) moves several neighbouring
    # tiles alike; a lone offset tile is a resampling or overlay artefact.
    sharp_moved = [
        t
        for t in off
        if any(
            u is not t
            and abs(u.x - t.x) <= 2.5 * TILE
            and abs(u.y - t.y) <= 2.5 * TILE
            and math.hypot(u.dx - t.dx, u.dy - t.dy) < 0.6
            for u in off
        )
    ]
    aligned = [
        t for t in tiles if t.zero >= CORR_OK and (t.shift < SHIFT_LIMIT or t.best - t.zero < 0.03)
    ]
    moved = [
        t
        for t in tiles
        if t.best >= MOVED_OK
        and t.shift >= SHIFT_LIMIT
        and t.best - t.zero >= 0.03
        and not t.edge
        and not t.partial
    ]
    coherent = []
    for t in moved:
        friends = sum(
            1
            for u in moved
            if u is not t
            and abs(u.x - t.x) <= 1.5 * TILE
            and abs(u.y - t.y) <= 1.5 * TILE
            and math.hypot(u.dx - t.dx, u.dy - t.dy) < 1.5
        )
        if friends >= 2:
            coherent.append(t)
    moved_ids = {id(t) for t in sharp_moved}
    aligned = [t for t in aligned if id(t) not in moved_ids]
    return aligned, sharp_moved + [t for t in coherent if id(t) not in moved_ids]


def _anchors(tiles: list[_Tile]) -> list[_Tile]:
    """Tiles whose shift can steer the refinement of the warp.

    Those with a sharp, strong peak when there are enough of them: a tile
    under a semi-transparent watermark or on a soft, upscaled texture peaks
    weakly and a few tenths of a pixel off, and enough of those make each
    round's fit jump instead of settling. Otherwise every agreeing tile.
    """
    near = [t for t in tiles if t.best >= CORR_OK and t.shift < 2.0]
    sharp = [t for t in near if t.best >= 0.9 and t.sharpness >= SHARP and not t.clipped]
    return sharp if len(sharp) >= 2 * REFINE_MIN_TILES else near


def _warp(image: F32, affine: F64, size: tuple[int, int]) -> tuple[F32, NDArray[np.bool_]]:
    """``image`` warped onto the accused frame, and where it lands (eroded by 2 px)."""
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    inside = cv2.warpAffine(np.full(image.shape, 255, np.uint8), affine, size, flags=flags)
    return _warp_only(image, affine, size), cv2.erode(inside, np.ones((5, 5), np.uint8)) > 0


def _warp_only(image: F32, affine: F64, size: tuple[int, int]) -> F32:
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    # Border-replicated: a black surround would bleed into every window at the
    # frame's edge and read as detail that differs or moved.
    warped = cv2.warpAffine(image, affine, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(warped, np.float32)


def dense_check(
    accused: U8, original: U8, affine: F64, *, native: bool = False
) -> tuple[Dense, F64]:
    """Warp the original onto the accused image and test alignment tile by tile.

    Returns the statistics and the affine refined on the agreeing tiles (the
    keypoint fit can be off by a pixel in the corners; a copy then looks aligned
    once refined, a different frame still does not). ``native``: both images
    are at their own full resolution and one scale, so their sensor grain is
    comparable (see ``_grain``).
    """
    h, w = accused.shape
    # Compare both at the same band limit in the accused's frame: fine periodic
    # detail (print, fabric) near the pixel grid aliases differently under the
    # thief's resampling and ours, and would look like sub-pixel motion.
    a = np.asarray(cv2.GaussianBlur(accused.astype(np.float32), (0, 0), BLUR), np.float32)
    ratio = math.sqrt(abs(np.linalg.det(affine[:, :2])))
    o = np.asarray(
        cv2.GaussianBlur(original.astype(np.float32), (0, 0), BLUR * max(1.0, ratio)), np.float32
    )
    # Then to one level of detail, whichever side is finer (an upscaled crop is
    # coarser than its pixel grid; a large original is finer than the copy).
    warped, valid = _warp(o, affine, (w, h))
    a, _, sigma_a, sigma_o = match_detail(a, warped, valid)
    if sigma_o:
        o = np.asarray(cv2.GaussianBlur(o, (0, 0), sigma_o * max(ratio, 1e-3)), np.float32)
    affine = _settle(a, o, affine, (w, h), ratio, stride=2)
    dense, tiles = _measure(accused, original, a, o, affine, native=native)
    if dense.displaced:
        # Every other tile steers the refinement; where one side of the frame
        # holds few sharp ones (a watermark, sky), the fit is extrapolated
        # there and a copy's far tiles sit a pixel off. Refit once on every
        # tile the test saw: a copy then aligns everywhere, while parallax
        # between two frames stays, as no single warp removes it.
        better = _settle(a, o, affine, (w, h), ratio, stride=1, tiles=tiles)
        if better is not affine:
            retry, _ = _measure(accused, original, a, o, better, native=native)
            if retry.displaced < dense.displaced:
                dense, affine = retry, better
    dense.detail_sigma = (sigma_a, sigma_o)
    return dense, affine


def _settle(
    a: F32,
    o: F32,
    affine: F64,
    size: tuple[int, int],
    ratio: float,
    *,
    stride: int,
    tiles: list[_Tile] | None = None,
) -> F64:
    """The affine refined on agreeing tiles until it settles (``tiles``: a first round's)."""
    w, h = size
    corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], np.float64).T
    whole = (0, 0, w, h)
    # Refine until the warp settles: a fit still moving the frame's corners by
    # a twentieth of a pixel leaves a sub-pixel error at one edge, where tiles
    # would then read as displaced.
    for _ in range(REFINE_ROUNDS):
        if tiles is None:
            warped, valid = _warp(o, affine, (w, h))
            # Refinement uses tiles found within SEARCH px only: the wide search
            # could not return one within 2 px that the near search missed.
            # Every other tile each way is plenty for six affine parameters.
            tiles, _textured, _busy = _tiles(a, warped, valid, whole, wide=False, stride=stride)
        aligned = _anchors(tiles)
        if len(aligned) < 2 * REFINE_MIN_TILES and stride > 1:
            # A photo with little detail (sky, a soft portrait) may hold too few
            # tiles at every other position: an unrefined keypoint fit is off by
            # most of a pixel at the frame's far side, which reads as displaced.
            tiles, _textured, _busy = _tiles(a, warped, valid, whole, wide=False)
            aligned = _anchors(tiles)
        tiles = None
        if len(aligned) < REFINE_MIN_TILES:
            break
        src = np.array([[t.x, t.y] for t in aligned], np.float32)
        moved = src + np.array([[t.dx, t.dy] for t in aligned], np.float32)
        dst = cv2.transform(moved[None], affine)[0].astype(np.float32)
        refined, mask = fit_affine(src, dst, threshold=0.5 * max(ratio, 1e-3))
        if refined is None or mask.sum() < REFINE_MIN_TILES or not plausible(refined):
            break
        step = float(np.abs((refined - affine) @ corners).max()) / max(ratio, 1e-3)
        affine = refined
        if step < 0.05:
            break
    return affine


def _measure(
    accused: U8, original: U8, a: F32, o: F32, affine: F64, *, native: bool
) -> tuple[Dense, list[_Tile]]:
    """The dense statistics of one warp, and the tiles they rest on."""
    h, w = accused.shape
    warped, valid = _warp(o, affine, (w, h))
    # Unblurred, but band-limited to the copy's grid where ours is finer: a
    # warp that shrinks samples our fine texture sparsely, which aliases.
    ratio = math.sqrt(abs(np.linalg.det(affine[:, :2])))
    fine = original.astype(np.float32)
    if ratio > 1.0:
        fine = np.asarray(cv2.GaussianBlur(fine, (0, 0), 0.5 * ratio), np.float32)
    sharp = _warp_only(fine, affine, (w, h))
    raw = (accused.astype(np.float32), sharp)
    stats = window_stats(a, warped)
    copy, covered, marks = evidence(a, warped, valid, stats, raw)
    oh, ow = original.shape
    # A watermark's strokes are neither for nor against where the photo sits;
    # opaque fills are, as padding around a pasted crop is one.
    rect, region = locate(a, warped, valid, affine, (ow, oh), marks, stats)
    if rect is None:
        return Dense(), []
    clipped = (accused <= 3) | (accused >= 252) | (warped <= 3) | (warped >= 252)
    tiles, textured, busy = _tiles(a, warped, valid, rect, clipped, covered)
    aligned, displaced = _classify(tiles)
    # A tile under an overlay whose detail agrees anyway shows our photo through
    # it: it counts among the detail tiles, as it counts among the agreeing ones.
    textured += sum(1 for t in aligned if t.overlaid)
    dense = Dense(
        textured=textured,
        busy=busy,
        aligned=len(aligned),
        displaced=len(displaced),
        similarity=float(np.median([t.zero for t in aligned])) if aligned else 0.0,
        photo_rect=rect,
        region_box=region,
        footprint_share=rect[2] * rect[3] / max(1, int(valid.sum())),
        agreement=float(np.mean([t.zero for t in tiles])) if tiles else 0.0,
        aligned_spread=_spread_of(aligned, rect),
    )
    dense.conflict, dense.busy_around, dense.photo_beyond, dense.zone_flat = _around(
        accused, a, stats.corr, valid, rect
    )
    if native:
        dense.grain_a, dense.grain_o, dense.grain_corr = _grain(
            accused, original, affine, valid, rect, copy.gain
        )
    dense.covered, dense.visible_agreement = copy.covered, copy.agreement
    dense.weakest_part, dense.other_content = copy.weakest_part, copy.other_content
    return dense, tiles


def _grain(
    accused: U8,
    original: U8,
    affine: F64,
    valid: NDArray[np.bool_],
    rect: tuple[int, int, int, int],
    gain: float,
) -> tuple[float, float, float]:
    """Fine grain of both images in smooth areas, and how alike it is.

    A copy carries our sensor noise (until recompression or shrinking wipes it
    out); another exposure of the same scene has grain of its own that does not
    correlate with ours. Returns ``(grain_accused, grain_original, correlation)``,
    the accused's grain in its own grey levels or in our contrast, whichever is
    stronger: a copy darkened to 65 % carries our grain at 65 %, as strong a
    trace of ours as before (``gain``: the copy
    model's, learnt on detail that surely agrees, so a banner's contrast does
    not count).
    """
    h, w = accused.shape
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    o = cv2.warpAffine(original.astype(np.float32), affine, (w, h), flags=flags)
    a = accused.astype(np.float32)
    ra = a - cv2.GaussianBlur(a, (0, 0), 1.0)
    ro = o - cv2.GaussianBlur(o, (0, 0), 1.0)
    smooth = cv2.GaussianBlur(a, (0, 0), 2.0)
    structure = cv2.blur(
        np.abs(cv2.Sobel(smooth, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(smooth, cv2.CV_32F, 0, 1)),
        (7, 7),
    )
    x, y, rw, rh = rect
    sel = np.zeros((h, w), bool)
    sel[y : y + rh, x : x + rw] = True
    sel &= valid & (structure < 6.0) & (a > 8) & (a < 247) & (o > 8) & (o < 247)
    if sel.sum() < 2000:
        return 0.0, 0.0, 0.0
    va, vo = ra[sel], ro[sel]
    ga, go = float(va.std()), float(vo.std())
    if ga < 1e-3 or go < 1e-3:
        return ga, go, 0.0
    # Grain is measurable when it is strong in the copy's own grey levels (above
    # what recompression adds) or in our contrast (as strong as ours would be
    # there): a brightened bracket's grain is strong, a darkened frame's is ours-strong.
    return max(ga, ga / gain), go, float(np.corrcoef(va, vo)[0, 1])


def _around(
    raw: U8,
    accused: F32,
    corr: F32,
    valid: NDArray[np.bool_],
    rect: tuple[int, int, int, int],
) -> tuple[float, bool, bool, bool]:
    """What surrounds the matching rectangle: ``(conflict, busy, photo_beyond, zone_flat)``.

    *conflict*: where our frame lands but outside the rectangle, the share of
    pixels with detail in the accused that disagrees with ours. High when only
    a shared label or one part of a scene agrees; low around a pasted photo
    (flat padding, a mostly flat page) or a turned copy (the slivers agree).
    *busy*: outside the rectangle there is page furniture, not plain padding.
    *photo_beyond*: beyond our frame the accused image is photographic (grain
    and texture nearly everywhere), not a flat page or padding.
    """
    h, w = raw.shape
    x, y, rw, rh = rect
    margin = 16  # the correlation window and the trimming blur the rectangle's edge
    near = np.zeros((h, w), bool)
    near[max(0, y - margin) : y + rh + margin, max(0, x - margin) : x + rw + margin] = True
    zone = valid & ~near
    conflict = 0.0
    if zone.sum() >= 0.05 * rw * rh:
        k = (9, 9)
        mean = cv2.blur(accused, k)
        textured = (cv2.blur(accused * accused, k) - mean * mean) > 16.0
        conflict = float((zone & textured & (corr < 0.5)).sum() / zone.sum())
    inside = np.zeros((h, w), bool)
    inside[y : y + rh, x : x + rw] = True
    busy = False
    if (~inside).sum() >= 100:
        outside = raw[~inside].astype(np.int32)
        mode = int(np.bincount(outside // 8).argmax()) * 8 + 4
        busy = bool((np.abs(outside - mode) > 24).mean() > 0.1)
    beyond = ~valid & ~near
    detail = np.abs(raw.astype(np.float32) - cv2.GaussianBlur(raw.astype(np.float32), (0, 0), 2.0))
    photo_beyond = bool(beyond.sum() >= 400 and (detail[beyond] < 1.0).mean() < 0.65)
    # Where ours lands beside the rectangle: flat (page, padding) or photographic.
    zone_flat = bool(zone.sum() < 400 or (detail[zone] < 1.0).mean() >= 0.65)
    return conflict, busy, photo_beyond, zone_flat


def _spread_of(tiles: list[_Tile], rect: tuple[int, int, int, int]) -> float:
    if not tiles:
        return 0.0
    xs, ys = [t.x for t in tiles], [t.y for t in tiles]
    area = (max(xs) - min(xs) + TILE) * (max(ys) - min(ys) + TILE)
    return float(min(1.0, area / max(1, rect[2] * rect[3])))

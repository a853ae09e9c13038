"""The copy model: a copy is our photo, geometrically transformed, plus occluders.

Once the original is warped onto the copy, every pixel of the copy where our
frame lands is one of:

* **agreeing**: the copy shows our pixels (local correlation, or the same flat
  level once brightness and contrast are matched);
* **covered**: an occluder painted on top: a flat fill (banner, sticker, frame,
  padding) and whatever graphics sit inside it (text in any script, a price),
  or a semi-transparent mark blended over our pixels;
* **other photographic content**: detail that is neither ours nor an overlay,
  which is what another photograph (or another frame of the shoot, where
  something moved) shows.

The verdict rests on the share of the visible (not covered) area that agrees
and on how that agreement is spread over the picture; occluders never count
against a copy, other photographic content always does.

Both images are first brought to the same level of detail (``match_detail``):
an upscaled crop, or a copy seen finer than the original's decode, carries less
detail per pixel than its grid suggests, and a sharper partner would read as
disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from appeal_kit.matching.region import Window, local_correlation

F32 = NDArray[np.float32]
Mask = NDArray[np.bool_]

WINDOW = 15  # px: the local-correlation window (see ``region.local_correlation``)
# Grey-level variance below which a window is flat: 3 grey levels of standard
# deviation, about the noise of a clean JPEG in a smooth area.
FLAT_VAR = 9.0
# Variance above which a window has detail: twice the flat deviation.
BUSY_VAR = 36.0
# Correlations: 0.7 and above is the same texture (the dense check's CORR_OK);
# below 0.3 the texture is unrelated. In between (noise, a faint mark) is no evidence.
AGREE_CORR = 0.7
DIFFER_CORR = 0.3
# Flat areas agree when the levels match within 12 grey levels after the learnt
# gain and offset (4 noise deviations); they differ beyond 40 (a clearly other tone).
LEVEL_OK = 12.0
LEVEL_OFF = 40.0
# Extra blur tried on the sharper side, in px: from no change to the blur a
# 2.5x upscale adds (its interpolation kernel spans about 2.5 source pixels).
DETAIL_SIGMAS = (0.0, 0.6, 1.0, 1.6, 2.5)
# A blend of our pixel and a flat ink: opacity between 10 % (below that the mark
# hides in noise) and 70 % (above that it hides our pixel, an opaque overlay).
BLEND_RANGE = (0.1, 0.7)
JPEG_MCU = 16  # px: a JPEG block with 2x2 chroma subsampling, where ringing spreads
# Gaussian sigma, px, that spreads a stroke of watermark type (under 15 px wide,
# see ``_strokes``) over its surroundings, so that a stroke stands out of it.
STROKE_SIGMA = 4.0
SOLID_WINDOW = 5  # px: narrower than a text stroke of 40 px type at listing size
GRID = 3  # agreement spread is judged on a 3x3 grid over where our frame lands


@dataclass
class CopyEvidence:
    """Where the copy agrees with the warped original, and what covers the rest."""

    covered: float = 0.0  # share of our frame's area in the copy hidden by overlays
    agreement: float = 0.0  # share of the visible, informative area that agrees
    # Lowest agreement of a grid cell with enough visible evidence: a part of the
    # picture that shows other photographic content pulls it down.
    weakest_part: float = 0.0
    other_content: float = 0.0  # share of the visible informative area that differs
    visible: int = 0  # informative visible pixels judged
    gain: float = 1.0  # the copy's contrast over ours, learnt where the two surely agree


def match_detail(a: F32, w: F32, valid: Mask) -> tuple[F32, F32, float, float]:
    """Blur the sharper image down to the other's level of detail.

    Tries a few extra blurs on either side and keeps the one where the two agree
    best (median local correlation over textured patches). Equal detail keeps
    both as they are: extra blur on one side only lowers the agreement then.
    Returns the two images and the extra sigmas applied (accused, original).
    """
    mosaics = _patches(a, w, valid)
    if mosaics is None:
        return a, w, 0.0, 0.0
    pa, pw, core = mosaics
    best = (_median_corr(pa, pw, core), 0.0, 0.0)
    for sigma in DETAIL_SIGMAS[1:]:
        for side in (0, 1):
            aa = np.asarray(cv2.GaussianBlur(pa, (0, 0), sigma), np.float32) if side == 0 else pa
            ww = np.asarray(cv2.GaussianBlur(pw, (0, 0), sigma), np.float32) if side == 1 else pw
            score = _median_corr(aa, ww, core)
            # A real gain: a tenth less disagreement (1 - correlation), not noise.
            if 1.0 - score < 0.9 * (1.0 - best[0]):
                best = (score, sigma if side == 0 else 0.0, sigma if side == 1 else 0.0)
    _, sa, sw = best
    a2 = np.asarray(cv2.GaussianBlur(a, (0, 0), sa), np.float32) if sa else a
    w2 = np.asarray(cv2.GaussianBlur(w, (0, 0), sw), np.float32) if sw else w
    return a2, w2, sa, sw


PATCH = 32  # core of a detail-test patch, px
MARGIN = 16  # around it: the widest blur tried (3 x 2.5 px) plus half a correlation window
PATCHES = 32


def _patches(a: F32, w: F32, valid: Mask) -> tuple[F32, F32, Mask] | None:
    """Up to ``PATCHES`` textured patches of both images, side by side, and their cores.

    The detail test needs a sample of textured places, not the whole frame:
    blurring and correlating a strip of patches costs a few percent of it.
    """
    k = (WINDOW, WINDOW)
    var_a = cv2.blur(a * a, k) - cv2.blur(a, k) ** 2
    var_w = cv2.blur(w * w, k) - cv2.blur(w, k) ** 2
    h, wd = a.shape
    side = PATCH + 2 * MARGIN
    mask = valid & (var_a > BUSY_VAR) & (var_w > BUSY_VAR)
    mask[:MARGIN] = mask[h - side :] = False
    mask[:, :MARGIN] = mask[:, wd - side :] = False
    ys, xs = np.nonzero(mask[::PATCH, ::PATCH])
    if len(ys) < 4:
        return None
    pick = np.linspace(0, len(ys) - 1, min(PATCHES, len(ys))).astype(int)
    tops, lefts = ys[pick] * PATCH - MARGIN, xs[pick] * PATCH - MARGIN
    tops, lefts = np.clip(tops, 0, h - side), np.clip(lefts, 0, wd - side)
    pa = np.hstack([a[y : y + side, x : x + side] for y, x in zip(tops, lefts, strict=True)])
    pw = np.hstack([w[y : y + side, x : x + side] for y, x in zip(tops, lefts, strict=True)])
    core = np.zeros(pa.shape, bool)
    for n in range(len(tops)):
        core[MARGIN : MARGIN + PATCH, n * side + MARGIN : n * side + MARGIN + PATCH] = True
    return np.ascontiguousarray(pa), np.ascontiguousarray(pw), core


def _median_corr(a: F32, w: F32, sample: Mask) -> float:
    return float(np.median(local_correlation(a, w, WINDOW)[sample]))


def evidence(
    a: F32, w: F32, valid: Mask, stats: Window, unblurred: tuple[F32, F32] | None = None
) -> tuple[CopyEvidence, Mask, Mask]:
    """Classify every pixel where our frame lands in the copy (see the module docstring).

    ``unblurred``: the copy and the warped original before the analysis blur,
    where a watermark's thin strokes keep their one opacity (see ``_blended``).
    Returns the figures, the covered mask and the part of it that is a
    semi-transparent mark (our photo still shows through it).
    """
    if valid.sum() < 400:
        return CopyEvidence(), np.zeros(valid.shape, bool), np.zeros(valid.shape, bool)
    var_a, var_w, corr = stats.var_a, stats.var_b, stats.corr
    flat_a, flat_w = var_a < FLAT_VAR, var_w < FLAT_VAR
    busy_a, busy_w = var_a > BUSY_VAR, var_w > BUSY_VAR
    sure = valid & (corr > 0.8)
    gain, offset = 1.0, 0.0
    if sure.sum() >= 200:
        sd_w = float(w[sure].std())
        if sd_w > 1.0:
            gain = float(np.clip(a[sure].std() / sd_w, 0.25, 4.0))
        offset = float(a[sure].mean()) - gain * float(w[sure].mean())
    expected = gain * w + offset
    residual = np.abs(a - expected)
    both_flat = flat_a & flat_w
    agree = valid & ((corr >= AGREE_CORR) | (both_flat & (residual < LEVEL_OK)))
    # Solid colour of the copy where ours is not that flat tone: a banner, sticker,
    # frame or padding, and the strokes of text printed on them (solid too, seen
    # through a window smaller than a stroke). Only the blurred transitions
    # between two solid colours are left (the analysis blur spreads an edge over
    # about +-3 px), so closing by 7 px joins a banner and its text into one.
    k5 = (SOLID_WINDOW, SOLID_WINDOW)
    solid_a = (cv2.blur(a * a, k5) - cv2.blur(a, k5) ** 2) < FLAT_VAR
    fill = valid & solid_a & ~agree & (busy_w | (residual > LEVEL_OFF) | ~flat_w)
    fill_u8 = _uniform_areas(fill, a)
    edge = cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7))
    closed = _fill_printed(
        np.asarray(cv2.morphologyEx(fill_u8, cv2.MORPH_CLOSE, edge), np.uint8), agree
    )
    # Graphics hug the fill: what lies within an edge's blur of it belongs to it.
    # Recompression spreads an edge further, over its JPEG block (16 px with
    # chroma subsampling), so that much around a fill goes with it too.
    grown = cv2.dilate(fill_u8, cv2.getStructuringElement(cv2.MORPH_RECT, (JPEG_MCU, JPEG_MCU)))
    covered = valid & ~agree & ((closed > 0) | (grown > 0))
    seen, ours = unblurred if unblurred is not None else (a, w)
    marks = valid & ~agree & _blended(seen, gain * ours + offset, valid & ~agree)
    covered |= marks
    # Other content: texture unrelated to ours, or only half like it (shifted by
    # parallax, another moment): a copy's own texture agrees once the two are
    # at one level of detail, so anything short of agreement counts against it.
    differ = (
        valid
        & ~agree
        & ~covered
        & ((busy_a & busy_w & (corr < AGREE_CORR)) | (both_flat & (residual > LEVEL_OFF)))
    )
    visible_agree = agree & ~covered
    informative = visible_agree | differ
    n_inf = int(informative.sum())
    if n_inf == 0:
        return CopyEvidence(covered=float(covered.sum() / valid.sum()), gain=gain), covered, marks
    weakest = _weakest_part(visible_agree, informative, valid)
    return (
        CopyEvidence(
            covered=float(covered.sum() / valid.sum()),
            agreement=float(visible_agree.sum() / n_inf),
            weakest_part=weakest,
            other_content=float(differ.sum() / n_inf),
            visible=n_inf,
            gain=gain,
        ),
        covered,
        marks,
    )


def _uniform_areas(fill: Mask, a: F32) -> NDArray[np.uint8]:
    """Keep the parts of ``fill`` that are one tone over a sizeable area.

    A banner, sticker, frame or padding is one colour throughout; a smooth
    stretch of another photo (the gaps in wood grain, a shaded wall) changes
    tone across its extent. A fill must span at least four correlation windows
    and keep to the flat deviation (3 grey levels) over all of it.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        fill.astype(np.uint8), connectivity=8
    )
    if count <= 1:
        return np.zeros(fill.shape, np.uint8)
    big = stats[:, cv2.CC_STAT_AREA] >= 4 * WINDOW * WINDOW
    big[0] = False  # the background label
    if not big.any():
        return np.zeros(fill.shape, np.uint8)
    # Tone statistics of the big components only: most are specks.
    where = big[labels]
    flat = np.asarray(labels[where], np.intp)
    values = a[where].astype(np.float64)
    n = np.maximum(np.bincount(flat, minlength=count), 1)
    mean = np.bincount(flat, values, count) / n
    var = np.bincount(flat, values * values, count) / n - mean * mean
    keep = big & (var <= FLAT_VAR)
    return np.asarray(keep[labels], np.uint8)


def _fill_printed(fill: NDArray[np.uint8], agree: Mask) -> NDArray[np.uint8]:
    """Take in what is printed on a fill: holes narrower than the fill is deep.

    Text on a banner or a price on a sticker is a hole in the fill, and no
    larger across than the band or disc it is printed on (it needs a margin of
    fill around it). A photo inside a promo frame is a hole too, but far wider
    than the frame's border is deep, so it stays out. So does any wider hole
    that shows our photo; one that does not (a sticker whose dense price text,
    recompressed, leaves only a ring of solid colour) is printed matter.
    """
    contours, hierarchy = cv2.findContours(fill, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return fill
    holes = [i for i, h in enumerate(hierarchy[0]) if h[3] != -1]
    if not holes:
        return fill
    count, labels = cv2.connectedComponents(fill, connectivity=8)
    dist = cv2.distanceTransform(fill, cv2.DIST_L2, 3)
    depth = np.zeros(count, np.float32)
    np.maximum.at(depth, np.asarray(labels, np.intp).ravel(), np.asarray(dist, np.float32).ravel())
    out = fill.copy()
    for i in holes:
        parent = contours[int(hierarchy[0][i][3])][0][0]
        thickness = 2.0 * float(depth[labels[int(parent[1]), int(parent[0])]])
        x, y, bw, bh = cv2.boundingRect(contours[i])
        hole = np.asarray(contours[i], np.int32)
        if min(bw, bh) < thickness or _shows_little_of_ours(hole, (x, y, bw, bh), agree):
            cv2.drawContours(out, contours, i, 1, thickness=-1)
    return out


def _shows_little_of_ours(
    contour: NDArray[np.int32], box: tuple[int, int, int, int], agree: Mask
) -> bool:
    """Less than half of the hole agrees with our photo."""
    x, y, bw, bh = box
    inside = np.zeros((bh, bw), np.uint8)
    shifted = np.asarray(contour, np.int32) - np.array([x, y], np.int32)
    cv2.drawContours(inside, [shifted], 0, 1, thickness=-1)
    area = int(inside.sum())
    return area > 0 and float(agree[y : y + bh, x : x + bw][inside > 0].mean()) < 0.5


def _blended(a: F32, expected: F32, candidates: Mask) -> Mask:
    """Pixels that are our pixel blended with flat white or black ink (a watermark).

    A semi-transparent mark at opacity ``t`` turns our pixel ``e`` into
    ``e + t * (ink - e)``. One mark has one opacity: among the pixels that do
    not agree, the opacities that would explain them pile up at that value,
    while another photo's differences spread over all of them. Pixels within
    0.05 of a clear pile (at least three times the typical count of the
    opacities in ``BLEND_RANGE``) are the mark.
    """
    out = np.zeros(a.shape, bool)
    # A stroke of ink stands out of the copy around it, a ridge lighter (white
    # ink) or darker (black ink) than the copy a stroke's width away; a smooth
    # stretch of another photo that happens to fit the blend does not.
    ridge = a - np.asarray(cv2.GaussianBlur(a, (0, 0), STROKE_SIGMA), np.float32)
    for ink in (255.0, 0.0):
        span = ink - expected
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(np.abs(span) > 24.0, (a - expected) / span, -1.0).astype(np.float32)
        inside = candidates & (t >= BLEND_RANGE[0]) & (t <= BLEND_RANGE[1])
        if inside.sum() < 400:
            continue
        counts, edges = np.histogram(t[inside], bins=30, range=BLEND_RANGE)
        peak = int(np.argmax(counts))
        if counts[peak] < 3 * max(1.0, float(np.median(counts))):
            continue
        t0 = 0.5 * (edges[peak] + edges[peak + 1])
        lift = ridge if ink > 0 else -ridge
        out |= inside & (np.abs(t - t0) < 0.05) & (lift > 0.25 * t0 * np.abs(span))
    return _strokes(out)


def _strokes(mark: Mask) -> Mask:
    """The parts of ``mark`` no wider than a stroke of type.

    A watermark is lettering: its blended pixels are strokes a few pixels wide.
    A broad area that fits the blend (another photo's darker or lighter stretch,
    seen through a darkened copy) is not a mark, and calling it covered would
    hide the very detail that tells two photographs apart. What survives an
    opening by a window wider than any stroke (``WINDOW``: a stroke of the
    largest watermark type, 6 % of the side, upscaled 2.5x, is under 15 px) is
    such an area.
    """
    if not mark.any():
        return mark
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (WINDOW, WINDOW))
    broad = cv2.morphologyEx(mark.astype(np.uint8), cv2.MORPH_OPEN, disc) > 0
    # Grown by the window so the rim of a broad area goes with it.
    broad = cv2.dilate(broad.astype(np.uint8), disc) > 0
    return mark & ~broad


def _weakest_part(agree: Mask, informative: Mask, valid: Mask) -> float:
    ys, xs = np.nonzero(valid)
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    total = int(informative.sum())
    weakest = 1.0
    for i in range(GRID):
        for j in range(GRID):
            ya, yb = y0 + (y1 - y0) * i // GRID, y0 + (y1 - y0) * (i + 1) // GRID
            xa, xb = x0 + (x1 - x0) * j // GRID, x0 + (x1 - x0) * (j + 1) // GRID
            inf = int(informative[ya:yb, xa:xb].sum())
            # A cell speaks when it holds a fair share of the evidence: a quarter
            # of an even split over the grid (a mostly covered cell stays silent).
            if inf < total / (4 * GRID * GRID):
                continue
            weakest = min(weakest, float(agree[ya:yb, xa:xb].sum()) / inf)
    return weakest

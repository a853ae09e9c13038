"""Where a verified copy sits: the photo's rectangle in the copy, the region of the original.

Both come from one per-pixel map of agreement between the copy and the warped
original (see ``_evidence``). The rectangle that best holds that agreement is a
2-D maximum-subarray search over small blocks, so a chance agreement in the page
around a pasted photo does not stretch it, as it did when edges were trimmed
line by line. The region is found the same way in the original's own frame, so
a crop turned by a few degrees is reported as the upright crop it was cut as.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]
EDGE = 3  # px: the border that warping with an eroded validity mask leaves unjudged


Rect = tuple[int, int, int, int]


def locate(
    accused: F32,
    warped: F32,
    valid: NDArray[np.bool_],
    affine: F64,
    original_size: tuple[int, int],
    neutral: NDArray[np.bool_] | None = None,
    stats: Window | None = None,
) -> tuple[Rect | None, Rect | None]:
    """Where the photo sits in the accused image, and which part of the original it shows.

    Starts from where the original's frame lands, then keeps the rectangle that
    best holds the pixels agreeing with the warped original: white padding
    around a pasted crop and the page parts of a screenshot around a cropped
    photo fall away, a banner or watermark inside the photo does not. The same
    evidence, carried into the original's frame, gives the region there: a copy
    turned by a few degrees is an upright part of the original, not of the copy.
    Both are ``(x, y, w, h)``: accused analysis px, original analysis px.
    ``neutral``: pixels that count neither way (a watermark's strokes).
    ``stats``: the whole frame's window statistics, reused when our frame
    lands on all of it (the usual case), where they are the same numbers.
    """
    ys, xs = np.nonzero(valid)
    if len(xs) < 64:
        return None, None
    x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    whole = (x0, y0, x1 - x0, y1 - y0)
    acc, war, inside = accused[y0:y1, x0:x1], warped[y0:y1, x0:x1], valid[y0:y1, x0:x1]
    h, w = accused.shape
    if stats is None or whole != (0, 0, w, h):
        stats = window_stats(acc, war)
    corr = stats.corr
    if (inside & (corr > 0.8)).sum() < 200:
        return whole, None
    agree, disagree = _evidence(acc, war, stats, inside)
    if neutral is not None:
        disagree &= ~neutral[y0:y1, x0:x1]
    # Per line, as the frame's edges are judged: agreeing detail against foreign
    # detail; flat areas (a banner's plain band) count for neither.
    lines = (inside & (corr > 0.7), inside & (corr < 0.3) & (corr != 0.0))
    # The correlation window blurs the photo's edge inwards by half its size.
    box = _padded(_agreeing_box(agree, disagree, lines), agree.shape, 5.0)
    rect = (x0 + box[0], y0 + box[1], box[2], box[3]) if box else whole
    ow, oh = original_size
    shift = affine.copy()
    shift[:, 2] += affine[:, :2] @ np.array([x0, y0], np.float64)

    def carried(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
        moved = cv2.warpAffine(mask.astype(np.uint8), shift, (ow, oh), flags=cv2.INTER_NEAREST)
        return np.asarray(moved, np.uint8) > 0

    box_o = _agreeing_box(carried(agree), carried(disagree), (carried(lines[0]), carried(lines[1])))
    # The same half-window allowance as the rectangle's, on the sides where the
    # copy goes on beyond the agreement (a page); none where the copy ends there.
    ratio = math.sqrt(abs(float(np.linalg.det(affine[:, :2]))))
    region = _padded(box_o, (oh, ow), 5.0 * ratio, carried(inside))
    return rect, region


def _padded(
    box: tuple[int, int, int, int] | None,
    shape: tuple[int, ...],
    pad: float,
    frame: NDArray[np.bool_] | None = None,
) -> Rect | None:
    """``(top, bottom, left, right)`` grown by ``pad``, as ``(x, y, w, h)``.

    Not past the image's edge, and with ``frame`` only on sides where it goes on
    beyond the box (elsewhere the agreement reaches the copy's own edge).
    """
    if box is None:
        return None
    height, width = shape[0], shape[1]
    top, bottom, left, right = box
    step = round(pad)

    def goes_on(y0: int, y1: int, x0: int, x1: int) -> bool:
        if frame is None:
            return True
        strip = frame[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
        return strip.size > 0 and float(strip.mean()) >= 0.5

    top = max(0, top - step) if goes_on(top - step, top, left, right) else top
    bottom = min(height, bottom + step) if goes_on(bottom, bottom + step, left, right) else bottom
    left = max(0, left - step) if goes_on(top, bottom, left - step, left) else left
    right = min(width, right + step) if goes_on(top, bottom, right, right + step) else right
    # Within the few pixels that warping and its border mask lose, an edge is the image's edge.
    top, left = (0 if top <= EDGE else top), (0 if left <= EDGE else left)
    bottom = height if height - bottom <= EDGE else bottom
    right = width if width - right <= EDGE else right
    if bottom - top < 8 or right - left < 8:
        return None
    return left, top, right - left, bottom - top


def _evidence(
    acc: F32, war: F32, stats: Window, inside: NDArray[np.bool_]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Per pixel: whether the accused image agrees with the warped original, or not.

    Where both show detail, local correlation decides (it ignores brightness and
    contrast, so recoloured copies agree). Where both are flat, the grey level
    decides, after mapping the original's levels onto the copy's with a gain and
    offset learnt from the detail that agrees: a plain backdrop in the photo then
    agrees, while a plain page around a pasted photo does not. Detail on one side
    against flat on the other disagrees (a banner, or a page beside the photo).
    """
    k = (15, 15)
    var_a, var_w, corr = stats.var_a, stats.var_b, stats.corr
    flat_a, flat_w = var_a < 9.0, var_w < 9.0
    busy_a, busy_w = var_a > 36.0, var_w > 36.0
    sure = inside & (corr > 0.8)
    gain, offset = 1.0, 0.0
    if sure.sum() >= 200:
        sd_w = float(war[sure].std())
        if sd_w > 1.0:
            gain = float(np.clip(acc[sure].std() / sd_w, 0.25, 4.0))
        offset = float(acc[sure].mean()) - gain * float(war[sure].mean())
    expected = gain * war + offset
    signed = acc - expected
    residual = np.abs(signed)
    both_flat = flat_a & flat_w
    agree = inside & ((corr > 0.7) | (both_flat & (residual < 12.0)))
    disagree = inside & (
        ((corr < 0.3) & ~flat_a & ~flat_w)
        | (both_flat & (residual > 40.0))
        | (flat_a & busy_w)
        | (busy_a & flat_w & ~ink_over(signed, expected, k))
    )
    return agree, disagree


def ink_over(signed: F32, expected: F32, window: tuple[int, int]) -> NDArray[np.bool_]:
    """Where the copy's extra detail is semi-transparent ink over our flat area.

    A watermark only lightens (white ink) or only darkens (black ink) what it
    covers, by at most 70 % of the way to the ink (above that it is opaque
    print): over a window, the copy stays on one side of our level, within
    that reach; and it is lettering, with our level showing between its
    strokes over at least a third of the window. Text on a page beside a
    pasted photo, or another photo's detail or tone, goes both ways, further
    or everywhere, and still disagrees.
    """
    noise = 12.0  # the level tolerance of a flat area (4 noise deviations)
    between = cv2.blur((np.abs(signed) <= noise).astype(np.float32), window) >= 1 / 3
    kernel = np.ones(window, np.uint8)
    low, high = cv2.erode(signed, kernel), cv2.dilate(signed, kernel)
    reach_white = cv2.dilate(0.7 * (255.0 - expected), kernel)
    reach_black = cv2.dilate(0.7 * expected, kernel)
    lighter = (low >= -noise) & (high <= reach_white + noise)
    darker = (high <= noise) & (low >= -reach_black - noise)
    return np.asarray((lighter | darker) & between, bool)


def _agreeing_box(
    agree: NDArray[np.bool_],
    disagree: NDArray[np.bool_],
    lines: tuple[NDArray[np.bool_], NDArray[np.bool_]],
    reach: NDArray[np.bool_] | None = None,
    block: int = 8,
) -> tuple[int, int, int, int] | None:
    """Pixel bounds (top, bottom, left, right) of the rectangle that best holds the agreement.

    Each block scores its agreeing pixels minus 1.5x its disagreeing ones, and
    the rectangle of blocks with the highest total wins (2-D maximum subarray).
    The page around a pasted photo disagrees, so the rectangle stops at the
    photo's edge; a chance agreement in the page is not worth crossing that band
    of disagreement; a banner inside the photo is, when photo lies beyond it.
    The result is then tightened to the agreeing pixels inside it (or to
    ``reach``, agreement grown by the correlation window), and taken to
    the frame's edge where ``lines`` (agreeing detail, foreign detail) show the
    photo under an overlay there.
    """
    h, w = agree.shape
    bh, bw = -(-h // block), -(-w // block)

    def per_block(mask: NDArray[np.bool_]) -> NDArray[np.float64]:
        padded = np.zeros((bh * block, bw * block), np.float64)
        padded[:h, :w] = mask
        return np.asarray(padded.reshape(bh, block, bw, block).sum(axis=(1, 3)), np.float64)

    score = per_block(agree) - 1.5 * per_block(disagree)
    rows = np.vstack([np.zeros((1, bw)), np.cumsum(score, axis=0)])
    best, where = 0.0, (0, 0, 0)  # (top, bottom, right) of the best rectangle
    for bottom in range(bh):
        strips = rows[bottom + 1] - rows[: bottom + 1]  # strip sums for every top
        cols = np.hstack([np.zeros((bottom + 1, 1)), np.cumsum(strips, axis=1)])
        lowest = np.minimum.accumulate(cols[:, :-1], axis=1)
        gains = cols[:, 1:] - lowest
        first, last = divmod(int(np.argmax(gains)), gains.shape[1])
        if gains[first, last] > best:
            best, where = float(gains[first, last]), (first, bottom, last)
    if best < 4 * block * block:
        return None
    top, bottom, right = where
    strip = rows[bottom + 1] - rows[top]
    left = int(np.argmin(np.concatenate([[0.0], np.cumsum(strip)])[: right + 1]))
    inner = (agree if reach is None else reach)[
        top * block : (bottom + 1) * block, left * block : (right + 1) * block
    ]
    ys, xs = np.flatnonzero(inner.any(axis=1)), np.flatnonzero(inner.any(axis=0))
    if not len(ys):
        return None
    y0, x0 = top * block, left * block
    return _to_edges(
        *lines, (y0 + int(ys[0]), y0 + int(ys[-1]) + 1, x0 + int(xs[0]), x0 + int(xs[-1]) + 1)
    )


def _to_edges(
    lines_agree: NDArray[np.bool_],
    lines_differ: NDArray[np.bool_],
    box: tuple[int, int, int, int],
) -> tuple[int, int, int, int]:
    """Extend the box to the frame's edge when the photo shows again along that edge.

    A price banner across a copy disagrees everywhere it covers, so the best
    rectangle stops at it; but where photo shows again beyond it, along the
    frame's edge, the banner lies inside the photo and the copy is not cut there.
    The page around a pasted photo has no such lines at the frame's edge. A
    strip of at most half the box is taken in when, of its ``run`` lines
    nearest the edge, two in three show the photo (agreeing detail, at least
    twice the foreign detail).
    """
    run = 12
    top, bottom, left, right = box
    h, w = lines_agree.shape

    def shows(agree: NDArray[np.bool_], differ: NDArray[np.bool_]) -> bool:
        a, d = agree.sum(axis=1), differ.sum(axis=1)
        return len(a) >= run and int(((a >= 4) & (a >= 2 * d)).sum()) >= 2 * run // 3

    span_y, span_x = (bottom - top) / 2, (right - left) / 2
    if 0 < top <= span_y and shows(lines_agree[:run, left:right], lines_differ[:run, left:right]):
        top = 0
    if 0 < h - bottom <= span_y and shows(
        lines_agree[h - run :, left:right], lines_differ[h - run :, left:right]
    ):
        bottom = h
    if 0 < left <= span_x and shows(
        lines_agree[top:bottom, :run].T, lines_differ[top:bottom, :run].T
    ):
        left = 0
    if 0 < w - right <= span_x and shows(
        lines_agree[top:bottom, w - run :].T, lines_differ[top:bottom, w - run :].T
    ):
        right = w
    return top, bottom, left, right


@dataclass(frozen=True)
class Window:
    """Local statistics of two images over one window, computed once per warp.

    The region search, the copy model and the surroundings test all read the
    same variances and correlation of the copy against the warped original.
    """

    var_a: F32
    var_b: F32
    corr: F32


def window_stats(a: F32, b: F32, size: int = 15) -> Window:
    """Per-pixel variances of ``a`` and ``b`` and their normalised correlation over ``size``."""
    k = (size, size)
    ma, mb = cv2.blur(a, k), cv2.blur(b, k)
    va = cv2.blur(a * a, k) - ma * ma
    vb = cv2.blur(b * b, k) - mb * mb
    cov = cv2.blur(a * b, k) - ma * mb
    corr = cov / np.sqrt(np.maximum(va * vb, 1e-6))
    corr[(va < 9.0) | (vb < 9.0)] = 0.0  # flat areas carry no evidence
    return Window(
        np.asarray(va, np.float32), np.asarray(vb, np.float32), np.asarray(corr, np.float32)
    )


def local_correlation(a: F32, b: F32, size: int = 15) -> F32:
    """Per-pixel normalised correlation over a ``size`` window."""
    return window_stats(a, b, size).corr

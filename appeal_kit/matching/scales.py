"""The scales the dense check runs at: how finely to decode an original, and when to look coarser.

A copy is compared with our photo at the copy's own level of detail, which is
neither the original's (a 24 MP file shown at 1500 px) nor always the copy's
pixel grid (an upscaled crop is softer than its pixels).
"""

from __future__ import annotations

import math
from dataclasses import replace

import cv2
import numpy as np
from numpy.typing import NDArray

from appeal_kit.matching.dense import TILE, Dense, dense_check
from appeal_kit.matching.geometry import Fit
from appeal_kit.matching.index import DENSE_SIDE, Features
from appeal_kit.matching.verdict import MIN_AGREEING_TILES, _h, _index_map

F64 = NDArray[np.float64]
U8 = NDArray[np.uint8]

COARSER_TRIES = 2  # halvings tried when a copy shows too little detail (see dense_with_detail)


def dense_side(fit: Fit, org: Features) -> int:
    """Long side to decode an original at for the dense check of ``fit``.

    At least ``DENSE_SIDE``, and fine enough that one decoded pixel is no larger
    than one pixel of the copy's analysis image where the copy shows it: a copy
    seen finer than our decode would otherwise be compared against a blur of
    itself (an upscaled crop, a small crop of a large original). Never more
    than the file holds; JPEG draft mode still picks the cheapest scale that covers it.
    """
    ratio = math.sqrt(abs(float(np.linalg.det(fit.affine[:, :2]))))  # original px per copy px
    longest_full = max(org.full_width, org.full_height)
    need = math.ceil(max(org.width, org.height) / max(ratio, 1e-6))
    if need >= 0.9 * longest_full:
        # Within 10 % of the file's own size: decode it as it is; resampling that
        # little saves nothing and would blur the grain the dense check compares.
        return longest_full
    return int(min(longest_full, max(DENSE_SIDE, need)))


def dense_with_detail(
    accused: U8, original: U8, affine: F64, *, native: bool
) -> tuple[Dense, F64, F64]:
    """``dense_check`` at the finest scale where the copy shows enough detail.

    Returns the statistics, the refined affine (from the scale used) and the
    map from that scale's pixels to ``accused``'s. Too few detail tiles at the
    copy's own scale (a soft portrait, an upscaled crop) leave nothing to judge;
    high-passed at twice (then four times) the scale, the same photo shows its
    texture. Grain means nothing there; displaced detail still shows.
    """
    dense, refined = dense_check(accused, original, affine, native=native)
    to_accused: F64 = np.eye(3)
    fine, gray = dense, accused
    for _ in range(COARSER_TRIES):
        if dense.textured >= 2 * MIN_AGREEING_TILES or min(gray.shape) < 2 * 4 * TILE:
            break
        gray, to_finer = _halved(gray)
        to_here = to_accused @ to_finer
        coarse, coarse_refined = dense_check(
            gray, original, (_h(affine) @ to_here)[:2], native=False
        )
        if coarse.textured <= dense.textured:
            break
        dense, refined, to_accused = coarse, coarse_refined, to_here
    if dense is not fine:
        # Only the detail tiles come from the coarser scale. Where the photo sits,
        # what covers it and how much of it agrees are pixel-level judgements made
        # with windows sized for the copy's own scale (text strokes, banner edges).
        dense = replace(
            fine,
            textured=dense.textured,
            busy=dense.busy,
            aligned=dense.aligned,
            displaced=dense.displaced,
            similarity=dense.similarity,
            agreement=dense.agreement,
            aligned_spread=dense.aligned_spread,
        )
    return dense, refined, to_accused


def _halved(gray: U8) -> tuple[U8, F64]:
    """``gray`` at half size (area average), and the map from its pixels to ``gray``'s."""
    h, w = gray.shape
    half = np.asarray(cv2.resize(gray, (w // 2, h // 2), interpolation=cv2.INTER_AREA), np.uint8)
    # The same pixel-centre map as between a file and its analysis image.
    return half, _index_map(w, h, w // 2, h // 2)

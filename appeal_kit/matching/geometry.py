"""Geometry of a candidate pair: descriptor matching and the fitted affine transform.

A copy of our photo, however cropped, turned, mirrored or recoloured, is related
to the original by one affine map; keypoints propose it, and the dense check
(``dense``) decides whether the pixels agree under it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]
U8 = NDArray[np.uint8]

RATIO = 0.8  # Lowe's ratio test


@dataclass
class Fit:
    """A RANSAC affine map (accused analysis px -> original analysis px) and its support."""

    affine: F64  # 2 x 3
    inliers: int
    matches: int
    mirrored: bool
    inlier_points: F32  # accused analysis coordinates of the inliers


def rootsift(desc: U8) -> F32:
    """RootSIFT (Hellinger-normalised) descriptors: better nearest-neighbour matching."""
    d = desc.astype(np.float32)
    d /= np.maximum(d.sum(axis=1, keepdims=True), 1e-6)
    return np.sqrt(d)


def good_matches(query: F32, train: F32, matcher: cv2.BFMatcher) -> list[tuple[int, int]]:
    """Index pairs passing the ratio test, at most one per train feature.

    One-to-one because a plain original has few features: the many corners of
    a tiled watermark or a text banner each pass the ratio test against the
    same handful of them, and that pile of pairs onto one point is a consensus
    RANSAC would take (a collapsed, implausible map) over the photo's true one.
    Of the pairs on one train feature, the nearest stays.
    """
    if len(query) < 2 or len(train) < 2:
        return []
    best: dict[int, tuple[float, int]] = {}
    for m in matcher.knnMatch(query, train, k=2):
        if len(m) == 2 and m[0].distance < RATIO * m[1].distance:
            held = best.get(m[0].trainIdx)
            if held is None or m[0].distance < held[0]:
                best[m[0].trainIdx] = (m[0].distance, m[0].queryIdx)
    return sorted((q, t) for t, (_, q) in best.items())


def fit_affine(src: F32, dst: F32, threshold: float) -> tuple[F64 | None, NDArray[np.bool_]]:
    """RANSAC affine ``src -> dst``; deterministic (fixed RNG seed)."""
    if len(src) < 6:
        return None, np.zeros(len(src), bool)
    cv2.setRNGSeed(1234)
    affine, mask = cv2.estimateAffine2D(
        src,
        dst,
        method=cv2.RANSAC,
        ransacReprojThreshold=threshold,
        maxIters=4000,
        confidence=0.999,
        refineIters=10,
    )
    if affine is None or mask is None:
        return None, np.zeros(len(src), bool)
    return affine.astype(np.float64), mask.ravel().astype(bool)


def plausible(affine: F64) -> bool:
    """Reject degenerate maps: collapsed, absurdly scaled or strongly sheared."""
    sv = np.linalg.svd(affine[:, :2], compute_uv=False)
    return bool(sv[1] > 1e-3 and 1 / 20 < sv[0] < 20 and sv[0] / sv[1] < 2.0)


def decompose(linear: F64) -> tuple[bool, float, float]:
    """``(mirrored, rotation_deg, scale)`` of an accused -> original linear map.

    Rotation is the counter-clockwise turn of the content in the accused image
    (PIL's convention) after undoing the mirror; scale is accused size / original size.
    """
    mirrored = bool(np.linalg.det(linear) < 0)
    forward = np.linalg.inv(linear)
    if mirrored:
        forward = forward @ np.diag([-1.0, 1.0])
    angle = -math.degrees(math.atan2(forward[1, 0], forward[0, 0]))
    angle = angle + 360.0 if angle <= -180.0 else angle
    scale = math.sqrt(abs(np.linalg.det(forward)))
    return mirrored, angle + 0.0, scale

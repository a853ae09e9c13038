"""The verdict on a verified candidate, and the ``MatchResult`` that reports it.

The gates follow the copy model (``copy_model``): a copy is our photo,
transformed, plus occluders; it is "match" when the pixels say so (most of the
visible photo agrees, in every part, with no displaced detail and no grain of
its own), whatever the keypoint count. Anything short of that is "possible",
worded as partly confirmed, with the figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from appeal_kit.i18n import __
from appeal_kit.matching.dense import Dense
from appeal_kit.matching.geometry import Fit, decompose
from appeal_kit.matching.index import Features
from appeal_kit.models import MatchResult, Verdict

F64 = NDArray[np.float64]

MATCH_INLIERS = 25
MIN_AGREEING_TILES = 8
MAX_DISPLACED_SHARE = 0.02
# The copy model (``copy_model``): of the visible photo (overlays left out), the
# share that must agree. A copy disagrees only through noise, recompression and
# the few windows at an overlay's edge; another photograph sharing a label, or a
# frame where the subject moved, leaves a larger part showing other content.
MIN_AGREEMENT = 0.8
# And no part of the picture (a cell of a 3x3 grid) may agree less than half:
# other photographic content concentrated in one place (a moved product, another
# scene around a shared label) is not diluted by the agreeing rest.
MIN_PART = 0.5
# Of the detail tiles not under an overlay, the share that must agree in place.
# Overlay tiles are left out, so a copy's tiles all agree but for noise and the
# edges of overlays (real-photo copies: 1st percentile 0.88); two pictures that
# share only a label or a product leave a third or more of their detail apart.
MIN_ALIGNED_SHARE = 0.8
# Sensor grain is compared only between images at one scale: within 5 %, the
# bilinear warp keeps most of a pixel's own noise (its weights stay near one
# pixel), while a larger scale change averages grain away on one side only.
GRAIN_SCALE_TOLERANCE = 0.05
GRAIN_CORR = 0.3  # a copy's grain correlates with ours at least this much (``_own_grain``)
# Keypoints propose the alignment, pixels decide: with fewer than MATCH_INLIERS
# keypoints (low-texture photos, heavy watermarks), this many agreeing detail
# tiles at the fitted position are proof enough, since each is a 32x32 patch
# agreeing at correlation >= 0.7 exactly where the fit puts it.
PIXEL_PROOF_TILES = 2 * 8
# ... provided they come from more than one place of the picture: the agreeing
# tiles span at least a quarter of the photo's rectangle. A label or logo that
# two different photographs share sits in one place of each.
PIXEL_PROOF_SPREAD = 0.25


@dataclass
class _Candidate:
    index: int
    fit: Fit
    dense: Dense | None = None
    full: F64 | None = None  # 3x3, accused full px -> original full px
    region: tuple[int, int, int, int] | None = None  # of the original, full px
    rival: Path | None = None  # another original that also agrees cleanly
    rival_agreement: float = 0.0  # its ``Dense.agreement``
    ambiguous: bool = False  # ... and about as well

    @property
    def clean(self) -> bool:
        d = self.dense
        return bool(
            d is not None
            and (
                self.fit.inliers >= MATCH_INLIERS
                or (d.aligned >= PIXEL_PROOF_TILES and d.aligned_spread >= PIXEL_PROOF_SPREAD)
            )
            and d.aligned >= MIN_AGREEING_TILES
            and d.displaced <= max(1, MAX_DISPLACED_SHARE * (d.aligned + d.displaced))
            # Most of the visible photo agrees, in every part of it: not one shared
            # label in otherwise other pictures; overlays count for nothing.
            and d.visible_agreement >= MIN_AGREEMENT
            and d.weakest_part >= MIN_PART
            # Most detail tiles (those not under an overlay) agree in place: the
            # agreement is not carried by flat areas around one shared label.
            and d.aligned_share >= MIN_ALIGNED_SHARE
            and not _own_grain(d)
        )

    @property
    def related(self) -> bool:
        # Same scene at least: some detail agrees, in place or moved coherently.
        d = self.dense
        return (
            d is not None
            and (self.fit.inliers >= MATCH_INLIERS or d.aligned_share >= 0.3)
            and (d.aligned >= MIN_AGREEING_TILES or d.displaced >= 4)
        )

    def rank(self) -> tuple[int, int, float, int]:
        # Among clean candidates the closer agreement wins (frames seen small);
        # otherwise the stronger geometry.
        agreement = self.dense.agreement if self.dense and self.clean else 0.0
        return (int(self.clean), int(self.related), round(agreement, 3), self.fit.inliers)


def _own_grain(d: Dense) -> bool:
    """Both images show grain, and the accused's is not ours: another exposure.

    At one scale a copy's grain is ours through at most one resampling and one
    recompression. A bilinear warp at worst averages four pixels, which keeps
    a correlation of 1/sqrt(4) = 0.5 with our grain: where the copy shows grain
    of a grey level or more (above what recompression at listing qualities
    adds), less than GRAIN_CORR (0.5 with room for that noise) is grain of its
    own: another frame or a bracketed exposure.
    """
    return d.grain_a >= 1.0 and d.grain_o >= 0.8 and d.grain_corr < GRAIN_CORR


# ---------------------------------------------------------------------- reporting


def _index_map(width: int, height: int, full_width: int, full_height: int) -> F64:
    """Full-resolution px (pixel corners at integers) -> analysis px (OpenCV's pixel centres)."""
    sx, sy = width / full_width, height / full_height
    return np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1]], np.float64)


def _scaled_box(
    x: int, y: int, w: int, h: int, fx: float, fy: float, width: int, height: int
) -> tuple[int, int, int, int]:
    """An analysis-pixel box in full-resolution pixels, outward-rounded, inside the frame."""
    x0, y0 = max(0, math.floor(x * fx)), max(0, math.floor(y * fy))
    x1, y1 = min(width, math.ceil((x + w) * fx)), min(height, math.ceil((y + h) * fy))
    return x0, y0, x1 - x0, y1 - y0


def _h(affine: F64) -> F64:
    return np.vstack([affine, [0.0, 0.0, 1.0]])


def _result(
    path: Path,
    acc: Features,
    originals: list[tuple[Path, Features]],
    best: _Candidate | None,
    *,
    explicit_target: Path | None = None,
) -> MatchResult:
    method = "explicit" if explicit_target is not None else "features"
    if best is None:
        note = (
            __("the pair given in case.toml does not verify: no geometric agreement found")
            if explicit_target is not None
            else __("no original shares enough local detail with this image")
        )
        return MatchResult(
            accused=path, original=explicit_target, verdict="none", method=method, note=note
        )
    org_path, org = originals[best.index]
    if best.full is None:
        acc_map = _index_map(acc.width, acc.height, acc.full_width, acc.full_height)
        org_map = _index_map(org.width, org.height, org.full_width, org.full_height)
        best.full = np.linalg.inv(org_map) @ _h(best.fit.affine) @ acc_map
    full = best.full
    dense = best.dense or Dense()
    # Where the photo sits in the accused image (analysis px -> full px).
    sx, sy = acc.width / acc.full_width, acc.height / acc.full_height
    if dense.photo_rect is not None:
        x, y, w, h = dense.photo_rect
        rect = (round(x / sx), round(y / sy), round(w / sx), round(h / sy))
    else:
        rect = (0, 0, acc.full_width, acc.full_height)
    rx, ry, rw, rh = rect
    corners = np.array([[rx, ry], [rx + rw, ry], [rx + rw, ry + rh], [rx, ry + rh]], np.float64)
    homog = np.hstack([corners, np.ones((4, 1))]) @ full.T
    quad = homog[:, :2] / homog[:, 2:3]
    bounds = np.array(
        [[0, 0], [org.full_width, 0], [org.full_width, org.full_height], [0, org.full_height]],
        np.float32,
    )
    inter_area, inter = cv2.intersectConvexConvex(quad.astype(np.float32), bounds)
    region: tuple[int, int, int, int] | None = best.region
    if region is None and inter is not None and inter_area > 0:
        pts = inter.reshape(-1, 2)
        x0, y0 = np.floor(pts.min(axis=0))
        x1, y1 = np.ceil(pts.max(axis=0))
        region = (int(x0), int(y0), int(x1 - x0), int(y1 - y0))
    linear = full[:2, :2]
    mirrored, rotation, scale = decompose(linear)
    accused_area = float(acc.full_width * acc.full_height)
    coverage = min(1.0, float(inter_area) / max(abs(np.linalg.det(linear)), 1e-9) / accused_area)
    org_area = float(org.full_width * org.full_height)
    photo_share = rw * rh / accused_area
    verdict: Verdict = "match" if best.clean else "possible"
    score = (
        dense.similarity * (1 - min(1.0, dense.displaced_share)) * min(1.0, best.fit.inliers / 60)
    )
    shown_area = region[2] * region[3] if region else float(inter_area)
    original_contains_more = shown_area < 0.9 * org_area
    note = _note(best, dense, verdict, explicit_target is not None)
    accused_contains_more = False
    if verdict == "match" and dense.photo_beyond:
        if float(inter_area) >= 0.9 * org_area:
            # All of our picture sits inside a larger photograph: ours may be the crop.
            accused_contains_more = True
            note = _then(note, __("their image shows more of the scene than our original"))
        else:
            # Part of our picture inside other photographic content: a collage,
            # or another photograph sharing an object or a label with ours. The
            # pixels confirm only that part, so it is not the same photograph.
            verdict = "possible"
            note = _then(note, __("their image has other photographic content around this part"))
    if verdict == "match" and not dense.zone_flat and dense.footprint_share < 0.5:
        # The same inside our frame: where it lands on their image, the
        # agreement holds less than half of it and the rest is photographic
        # (another product, another backdrop), not a page or padding. Two
        # photographs sharing a label or a product agree that way.
        verdict = "possible"
        note = _then(note, __("their image has other photographic content around this part"))
    if verdict == "match" and best.ambiguous and best.rival is not None:
        verdict = "possible"
        note = __(
            "agrees equally well with {name}: another frame of the same shoot? Pair it explicitly in case.toml",
            name=best.rival.name,
        )
    elif verdict == "match" and best.rival is not None:
        note = _then(
            note,
            __(
                "{name}, a neighbouring frame of ours, also agrees, less closely "
                "(mean detail correlation {theirs:.2f}; this one {ours:.2f})",
                name=best.rival.name,
                theirs=best.rival_agreement,
                ours=dense.agreement,
            ),
        )
    is_screenshot = photo_share < 0.8 and dense.busy_around and not dense.photo_beyond
    return MatchResult(
        accused=path,
        original=org_path,
        verdict=verdict,
        score=float(score),
        inliers=best.fit.inliers,
        coverage=float(coverage),
        global_similarity=float(dense.similarity),
        mirrored=mirrored,
        rotation=float(rotation),
        scale=float(scale),
        region=region,
        quad=[(float(px), float(py)) for px, py in quad],
        accused_rect=rect if photo_share < 0.95 else None,
        is_screenshot=is_screenshot,
        homography=[[float(v) for v in row] for row in (full / full[2, 2])],
        original_contains_more=original_contains_more,
        accused_contains_more=accused_contains_more,
        covered=float(dense.covered),
        agreement=float(dense.visible_agreement),
        method=method,
        note=note,
    )


def _figures(dense: Dense) -> str:
    """What agrees and what is covered, in words: the copy model's figures."""
    if dense.covered >= 0.005:
        return __(
            "{covered:.0%} of it is covered by overlays (banners, text, stickers, watermarks); "
            "the rest agrees at {agree:.2f}",
            covered=dense.covered,
            agree=dense.visible_agreement,
        )
    return __("{agree:.0%} of the visible picture agrees with ours", agree=dense.visible_agreement)


def _then(first: str, then: str) -> str:
    # One note from two whole sentences: each keeps its own catalog entry, and the
    # dossier can say both again in its language (``retell`` follows the fields).
    return __("{first}; {then}", first=first, then=then)


def _note(best: _Candidate, dense: Dense, verdict: Verdict, explicit: bool) -> str:
    if verdict == "match":
        text = __(
            "{inliers} matching points; {aligned} of {textured} detail tiles agree closely "
            "once aligned",
            inliers=best.fit.inliers,
            aligned=dense.aligned,
            textured=dense.textured,
        )
        if dense.covered >= 0.005:
            text = _then(text, _figures(dense))
        return text
    if dense.displaced > max(1, MAX_DISPLACED_SHARE * (dense.aligned + dense.displaced)):
        why = __(
            "same scene, but {share:.0%} of the agreeing detail is shifted after the best warp: "
            "probably another frame, exposure or viewpoint, not a copy",
            share=dense.displaced_share,
        )
    elif _own_grain(dense):
        why = __(
            "same scene and framing, but its fine sensor grain is its own, not ours: "
            "another exposure of the scene (e.g. a bracketed shot), not a copy"
        )
    elif dense.visible_agreement < MIN_AGREEMENT and dense.other_content > 0.5:
        # The pixels themselves show another scene around what agrees.
        why = __(
            "only {agree:.0%} of the visible picture agrees and {other:.0%} shows other "
            "photographic content: they share some content (a label, a logo, part of a scene) "
            "but are not the same photograph",
            agree=dense.visible_agreement,
            other=dense.other_content,
        )
    elif dense.weakest_part < MIN_PART:
        why = __(
            "partly confirmed: {figures}, but {other:.0%} of the visible picture shows other "
            "photographic detail (one part agrees at only {weakest:.0%})",
            figures=_figures(dense),
            other=dense.other_content,
            weakest=dense.weakest_part,
        )
    elif dense.visible_agreement < MIN_AGREEMENT:
        why = __(
            "partly confirmed: {figures}, but {other:.0%} of the visible picture shows other "
            "photographic detail",
            figures=_figures(dense),
            other=dense.other_content,
        )
    elif dense.aligned_share < MIN_ALIGNED_SHARE:
        why = __(
            "partly confirmed: {figures}, but only {aligned} of the {textured} detail tiles "
            "outside overlays agree in place",
            figures=_figures(dense),
            aligned=dense.aligned,
            textured=dense.textured,
        )
    elif best.fit.inliers < MATCH_INLIERS and dense.aligned_spread < PIXEL_PROOF_SPREAD:
        why = __(
            "partly confirmed: {figures}, but its {aligned} agreeing detail tiles all lie in "
            "{spread:.0%} of the picture and only {inliers} matching points support them: "
            "one shared part (a label, a logo) does not show it is the same photograph",
            figures=_figures(dense),
            aligned=dense.aligned,
            spread=dense.aligned_spread,
            inliers=best.fit.inliers,
        )
    else:
        why = __(
            "partly confirmed: {figures}, but only {inliers} matching points and {aligned} "
            "agreeing detail tiles: too little detail to be sure",
            figures=_figures(dense),
            inliers=best.fit.inliers,
            aligned=dense.aligned,
        )
    if explicit:
        return __("the pair given in case.toml does not verify cleanly: {why}", why=why)
    return why

"""Find the original inside each accused image, and say how sure we are.

Pipeline per run:

1. **Index.** Every original and accused file gets SIFT features at a small
   analysis scale (``match_index``), cached per SHA-256 in SQLite; extraction
   runs on ``jobs`` processes.
2. **Prefilter.** With many originals, a few hundred spatially spread
   descriptors per original go into one approximate nearest-neighbour index;
   each accused image's descriptors (and its mirror image's) vote, and only the
   top ``CANDIDATES`` originals are verified. Cost per original is tiny.
3. **Verify.** Ratio-tested matches, a RANSAC affine (mirror handled by the
   flipped features), then the dense check of ``match_geometry``: a real copy
   agrees pixel for pixel after warping; another frame of the same shoot does not.
4. **Report.** Verdict, numbers and the region in the original's full-resolution
   pixels (after EXIF orientation), as ``MatchResult``.

A false match in a legal dossier is worse than a miss, so anything short of a
clean dense agreement is ``possible``, never ``match``.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from appeal_kit.errors import InputFileError
from appeal_kit.evidence.images import Problem, open_image, sha256_file
from appeal_kit.evidence.workers import worker_pool
from appeal_kit.i18n import __
from appeal_kit.matching.geometry import (
    Dense,
    Fit,
    decompose,
    dense_check,
    fit_affine,
    good_matches,
    plausible,
    rootsift,
)
from appeal_kit.matching.index import (
    ACCUSED_SIDE,
    DENSE_SIDE,
    FeatureCache,
    Features,
    extract_job,
    gray_of,
    opencv_threads,
    opened_cache,
)
from appeal_kit.models import MatchResult, Verdict

Progress = Callable[[str, int, int], None]
F32 = NDArray[np.float32]
F64 = NDArray[np.float64]
U8 = NDArray[np.uint8]

MAX_DENSE_CHECKS = 3
CANDIDATES = 6  # originals verified per accused image after the prefilter
DIRECT_LIMIT = 12  # below this many originals, verify them all
PREFILTER_PER_ORIGINAL = 256
MATCH_INLIERS = 25
POSSIBLE_INLIERS = 12
CONFIDENT_INLIERS = 60
WEAK_VOTE_SHARE = 0.3  # after a confident fit, skip candidates with fewer votes than this
VERIFY_FEATURES = 1500  # accused descriptors used in verification (strongest first)
MIN_AGREEING_TILES = 8
MAX_DISPLACED_SHARE = 0.02
MIN_ALIGNED_SHARE = 0.5
MAX_CONFLICT = 0.15


def _noop(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class _Candidate:
    index: int
    fit: Fit
    dense: Dense | None = None
    full: F64 | None = None  # 3x3, accused full px -> original full px
    region: tuple[int, int, int, int] | None = None  # of the original, full px
    rival: Path | None = None  # another original that also agrees cleanly
    ambiguous: bool = False  # ... and about as well

    @property
    def clean(self) -> bool:
        d = self.dense
        return bool(
            d is not None
            and self.fit.inliers >= MATCH_INLIERS
            and d.aligned >= MIN_AGREEING_TILES
            and d.displaced <= max(1, MAX_DISPLACED_SHARE * (d.aligned + d.displaced))
            # Most detail agrees, and it is not one shared label in otherwise other
            # pictures (two packshots of one product line agree only on the label).
            and d.aligned_share >= MIN_ALIGNED_SHARE
            # Where our frame lands beside the agreeing rectangle there is page or
            # padding; or the rectangle fills most of it and the rest does not differ.
            and (d.zone_flat or (d.footprint_share >= 0.6 and d.conflict <= MAX_CONFLICT))
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
    """Both images show grain, and the accused's is not ours: another exposure."""
    return d.grain_a >= 1.0 and d.grain_o >= 0.8 and d.grain_corr < 0.15


class FeatureMatcher:
    """Local-feature matcher implementing ``models.Matcher``.

    ``cache_path`` is an SQLite file for features (created when missing);
    ``jobs`` processes extract features; ``on_progress(stage, done, total)``
    reports the stages ``"index originals"``, ``"index accused"`` and ``"match"``.
    """

    def __init__(
        self,
        *,
        cache_path: Path | None = None,
        jobs: int = 1,
        on_progress: Progress | None = None,
    ) -> None:
        self.cache_path = cache_path
        self.jobs = max(1, jobs)
        self.on_progress = on_progress or _noop
        self.extracted = 0  # features computed (not read from the cache) in the last run
        # Accused images the last run could not analyse: why, and what the seller can do.
        self.unreadable: dict[Path, Problem] = {}
        self._bf = cv2.BFMatcher(cv2.NORM_L2)
        self._gray_cache: OrderedDict[Path, U8] = OrderedDict()
        self._gray_lock = threading.Lock()

    # ------------------------------------------------------------------ indexing

    def _features(
        self, paths: Sequence[Path], *, accused: bool, cache: FeatureCache
    ) -> dict[Path, Features | Problem]:
        stage = "index accused" if accused else "index originals"
        role = "accused" if accused else "original"
        out: dict[Path, Features | Problem] = {}
        todo: list[tuple[str, bool, str]] = []
        for path in paths:
            try:
                digest = sha256_file(path)
            except OSError as exc:
                out[path] = Problem(
                    __("cannot be read ({value})", value=exc.strerror or exc),
                    __("check the path and permissions"),
                )
                continue
            cached = cache.get(digest, role)
            if cached is not None:
                out[path] = cached
            else:
                todo.append((str(path), accused, digest))
        total = len(paths)
        self.on_progress(stage, total - len(todo), total)
        fresh: list[tuple[str, Features]] = []
        done = total - len(todo)
        if self.jobs > 1 and len(todo) > 1:
            with opencv_threads(1), worker_pool(self.jobs) as pool:
                results = pool.map(
                    extract_job, todo, chunksize=max(1, len(todo) // (8 * self.jobs))
                )
                for path_text, item in results:
                    out[Path(path_text)] = item
                    done += 1
                    self.on_progress(stage, done, total)
                    if isinstance(item, Features):
                        fresh.append((role, item))
        else:
            for job in todo:
                path_text, item = extract_job(job)
                out[Path(path_text)] = item
                done += 1
                self.on_progress(stage, done, total)
                if isinstance(item, Features):
                    fresh.append((role, item))
        self.extracted += len(todo)
        cache.put_many(fresh)
        return out

    # ------------------------------------------------------------------ prefilter

    def _shortlist(
        self, originals: list[Features]
    ) -> Callable[[Features], list[tuple[int, float]]]:
        """A function from accused features to (original index, votes), most voted first."""
        keep = len(originals) if len(originals) <= DIRECT_LIMIT else CANDIDATES
        if not originals:
            return lambda _features: []
        rows, owners = [], []
        for i, feats in enumerate(originals):
            picked = _spread(feats, PREFILTER_PER_ORIGINAL)
            rows.append(rootsift(feats.descriptors[picked]))
            owners.append(np.full(len(picked), i, np.int32))
        data = np.ascontiguousarray(np.vstack(rows))
        owner = np.concatenate(owners)
        cv2.setRNGSeed(4321)  # randomised kd-trees, made reproducible
        index = cv2.flann.Index(data, {"algorithm": 1, "trees": 4})

        def shortlist(feats: Features) -> list[tuple[int, float]]:
            votes = np.zeros(len(originals), np.float64)
            for desc in (feats.descriptors, feats.mirror_descriptors):
                if desc is None or len(desc) == 0:
                    continue
                query = rootsift(desc[:1500])
                found, found_dist = index.knnSearch(query, 3, params={"checks": 48})
                idx, dist = np.asarray(found, np.intp), np.asarray(found_dist, np.float64)
                who = owner[idx]
                d = np.sqrt(np.maximum(dist, 0))
                # A vote counts when the nearest neighbour is clearly nearer than
                # the nearest one from any *other* original (a cross-image ratio test).
                other = np.where(who[:, 1] != who[:, 0], d[:, 1], d[:, 2])
                distinct = (who[:, 1] != who[:, 0]) | (who[:, 2] != who[:, 0])
                strong = ~distinct | (d[:, 0] < 0.85 * other)
                np.add.at(votes, who[strong, 0], 1.0)
                np.add.at(votes, who[~strong, 0], 0.3)
            order = np.lexsort((np.arange(len(votes)), -votes))
            # Few originals: verify them all, most voted first (verification stops
            # at the first clean match). Many: only the best voted.
            return [
                (int(i), float(votes[i]))
                for i in order[:keep]
                if votes[i] > 0 or keep == len(originals)
            ]

        return shortlist

    # ------------------------------------------------------------------ verification

    def _gray(self, path: Path, side: int) -> U8:
        with self._gray_lock:
            if path in self._gray_cache:
                self._gray_cache.move_to_end(path)
                return self._gray_cache[path]
        gray = gray_of(np.asarray(open_image(path, max_side=side).image))
        with self._gray_lock:
            self._gray_cache[path] = gray
            if len(self._gray_cache) > 24:
                self._gray_cache.popitem(last=False)
        return gray

    def _fit(self, acc: Features, org: Features) -> Fit | None:
        train = rootsift(org.descriptors)
        best: Fit | None = None
        sets = [(acc.points, acc.descriptors, False)]
        if acc.mirror_points is not None and acc.mirror_descriptors is not None:
            sets.append((acc.mirror_points, acc.mirror_descriptors, True))
        for points, desc, mirrored in sets:
            pairs = good_matches(rootsift(desc[:VERIFY_FEATURES]), train, self._bf)
            if len(pairs) < 6:
                continue
            src = points[[q for q, _ in pairs]]
            dst = org.points[[t for _, t in pairs]]
            affine, mask = fit_affine(src, dst, threshold=3.0)
            if affine is None or not plausible(affine):
                continue
            inliers = int(mask.sum())
            fit = Fit(affine, inliers, len(pairs), mirrored, src[mask])
            if best is None or inliers > best.inliers:
                best = fit
            if inliers >= CONFIDENT_INLIERS:
                break  # a clear unmirrored fit: the mirrored search cannot beat it meaningfully
        return best

    def _verify(
        self,
        acc_path: Path,
        acc: Features,
        originals: list[tuple[Path, Features]],
        pool: list[int],
        votes: list[float] | None = None,
    ) -> _Candidate | None:
        try:
            accused_gray = self._gray(acc_path, ACCUSED_SIDE)
        except InputFileError:
            return None
        fits: list[_Candidate] = []
        for rank, i in enumerate(pool):
            if (
                votes
                and votes[rank] < WEAK_VOTE_SHARE * votes[0]
                and any(c.fit.inliers >= CONFIDENT_INLIERS for c in fits)
            ):
                # A confident fit exists and the rest drew few prefilter votes: they are
                # other scenes, not rival frames (those share features and vote high).
                break
            fit = self._fit(acc, originals[i][1])
            if fit is not None and fit.inliers >= POSSIBLE_INLIERS:
                fits.append(_Candidate(i, fit))
        if not fits:
            return None
        fits.sort(key=lambda c: (-c.fit.inliers, c.index))
        checked: list[_Candidate] = []
        for cand in fits[:MAX_DENSE_CHECKS]:
            if any(c.clean and cand.fit.inliers < 0.5 * c.fit.inliers for c in checked):
                break  # far weaker than a clean match: cannot be a rival frame
            checked.append(cand)
            path, org = originals[cand.index]
            try:
                original_gray = self._gray(path, DENSE_SIDE)
            except InputFileError:
                continue
            acc_map = _index_map(acc.width, acc.height, acc.full_width, acc.full_height)
            feat_map = _index_map(org.width, org.height, org.full_width, org.full_height)
            oh, ow = original_gray.shape
            dense_map = _index_map(ow, oh, org.full_width, org.full_height)
            to_full = np.linalg.inv(feat_map) @ _h(cand.fit.affine) @ acc_map
            affine = (dense_map @ to_full @ np.linalg.inv(acc_map))[:2]
            cand.dense, refined = dense_check(accused_gray, original_gray, affine)
            cand.full = np.linalg.inv(dense_map) @ _h(refined) @ acc_map
            if cand.dense.region_box is not None:
                x, y, w, h = cand.dense.region_box
                fx, fy = org.full_width / ow, org.full_height / oh
                cand.region = _scaled_box(x, y, w, h, fx, fy, org.full_width, org.full_height)
        best = max(checked, key=lambda c: (*c.rank(), -c.index))
        # Two of our pictures both agree (frames of one shoot seen small): name the
        # rival, and only keep "match" when the winner agrees clearly better.
        for other in checked:
            if other is not best and other.clean and best.dense and other.dense:
                best.rival = originals[other.index][0]
                if best.dense.agreement - other.dense.agreement < 0.02:
                    best.ambiguous = True
        return best if best.related else None

    # ------------------------------------------------------------------ public

    def match(
        self,
        accused: list[Path],
        originals: list[Path],
        *,
        explicit: dict[Path, Path] | None = None,
    ) -> list[MatchResult]:
        """One ``MatchResult`` per accused image, in the order given."""
        explicit = explicit or {}
        self.extracted = 0
        ordered_originals = sorted(set(originals) | set(explicit.values()))
        with opened_cache(self.cache_path) as cache:
            org_feats = self._features(ordered_originals, accused=False, cache=cache)
            acc_feats = self._features(sorted(set(accused)), accused=True, cache=cache)
        self.unreadable = {p: f for p, f in acc_feats.items() if isinstance(f, Problem)}
        usable = [(p, f) for p, f in org_feats.items() if isinstance(f, Features)]
        usable.sort(key=lambda item: item[0])
        position = {p: i for i, (p, _) in enumerate(usable)}
        library = [i for i, (p, _) in enumerate(usable) if p in set(originals)]
        shortlist = self._shortlist([usable[i][1] for i in library])

        def one(path: Path) -> MatchResult:
            feats = acc_feats.get(path)
            if not isinstance(feats, Features):
                return MatchResult(
                    accused=path,
                    original=explicit.get(path),
                    verdict="none",
                    method="skipped",
                    note=f"not analysed: {feats.reason if feats else 'unreadable'}",
                )
            if path in explicit:
                target = explicit[path]
                if target not in position:
                    problem = org_feats.get(target)
                    reason = problem.reason if isinstance(problem, Problem) else __("unreadable")
                    return MatchResult(
                        accused=path,
                        original=target,
                        verdict="none",
                        method="explicit",
                        note=f"the original named in case.toml could not be analysed: {reason}",
                    )
                best = self._verify(path, feats, usable, [position[target]])
                return _result(path, feats, usable, best, explicit_target=target)
            ranked = shortlist(feats)
            pool = [library[i] for i, _ in ranked]
            votes = [v for _, v in ranked]
            return _result(path, feats, usable, self._verify(path, feats, usable, pool, votes))

        total = len(accused)
        self.on_progress("match", 0, total)
        results: list[MatchResult] = []
        with ThreadPoolExecutor(max_workers=self.jobs) as threads:
            # OpenCV releases the GIL in matching and warping, so threads use both cores.
            for done, result in enumerate(threads.map(one, accused), start=1):
                results.append(result)
                self.on_progress("match", done, total)
        return results


def match_images(
    accused: list[Path],
    originals: list[Path],
    *,
    explicit: dict[Path, Path] | None = None,
    cache_path: Path | None = None,
    jobs: int = 1,
    on_progress: Progress | None = None,
) -> list[MatchResult]:
    """Match with a fresh ``FeatureMatcher`` (see its docstring)."""
    matcher = FeatureMatcher(cache_path=cache_path, jobs=jobs, on_progress=on_progress)
    return matcher.match(accused, originals, explicit=explicit)


def _spread(feats: Features, limit: int, grid: int = 4) -> NDArray[np.intp]:
    """Indices of up to ``limit`` strongest features, spread over a grid of cells."""
    if len(feats.points) <= limit:
        return np.arange(len(feats.points))
    cx = np.minimum((feats.points[:, 0] * grid / max(feats.width, 1)).astype(int), grid - 1)
    cy = np.minimum((feats.points[:, 1] * grid / max(feats.height, 1)).astype(int), grid - 1)
    cell = cy * grid + cx
    per_cell = limit // (grid * grid)
    picked: list[int] = []
    for c in range(grid * grid):
        picked.extend(np.flatnonzero(cell == c)[:per_cell].tolist())  # already strongest-first
    rest = np.setdiff1d(np.arange(len(feats.points)), picked)[: limit - len(picked)]
    return np.sort(np.concatenate([np.array(picked, np.intp), rest]))


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
            note += "; the accused picture shows more of the scene than our original"
        else:
            note += "; the accused picture has other photographic content around this part"
    if verdict == "match" and best.ambiguous and best.rival is not None:
        verdict = "possible"
        note = __(
            "agrees equally well with {name}: another frame of the same shoot? Pair it explicitly in case.toml",
            name=best.rival.name,
        )
    elif verdict == "match" and best.rival is not None:
        note += f"; {best.rival.name}, a neighbouring frame of ours, also agrees, less closely"
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
        method=method,
        note=note,
    )


def _note(best: _Candidate, dense: Dense, verdict: Verdict, explicit: bool) -> str:
    if verdict == "match":
        text = f"{best.fit.inliers} matching points; {dense.aligned} of {dense.textured} detail tiles agree closely once aligned"
        return text
    if dense.displaced > max(1, MAX_DISPLACED_SHARE * (dense.aligned + dense.displaced)):
        why = (
            f"same scene, but {dense.displaced_share:.0%} of the agreeing detail is shifted "
            "after the best warp: probably another frame, exposure or viewpoint, not a copy"
        )
    elif best.fit.inliers < MATCH_INLIERS:
        why = f"only {best.fit.inliers} matching points: too few to be sure"
    elif _own_grain(dense):
        why = (
            "same scene and framing, but its fine sensor grain is its own, not ours: "
            "another exposure of the scene (e.g. a bracketed shot), not a copy"
        )
    elif not (dense.zone_flat or (dense.footprint_share >= 0.6 and dense.conflict <= MAX_CONFLICT)):
        why = (
            "only one part of the pictures agrees and the detail around it differs: "
            "they share some content (a label, a logo, part of a scene) but are not "
            "the same photograph"
        )
    else:
        why = (
            f"only {dense.aligned} of {dense.busy} detail tiles agree: the pictures share "
            "some content (a label, a logo) but are not the same photograph"
        )
    return ("the pair given in case.toml does not verify cleanly: " if explicit else "") + why

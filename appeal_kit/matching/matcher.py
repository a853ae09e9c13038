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

import contextlib
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
from appeal_kit.matching.geometry import Fit, fit_affine, good_matches, plausible, rootsift
from appeal_kit.matching.index import (
    ACCUSED_SIDE,
    FeatureCache,
    Features,
    extract_job,
    gray_of,
    opencv_threads,
    opened_cache,
)
from appeal_kit.matching.scales import dense_side, dense_with_detail
from appeal_kit.matching.verdict import (
    GRAIN_SCALE_TOLERANCE,
    _Candidate,
    _h,
    _index_map,
    _result,
    _scaled_box,
)
from appeal_kit.matching.verdict_cache import VerdictStore, decode, encode, verdict_key
from appeal_kit.models import MatchResult

Progress = Callable[[str, int, int], None]
F32 = NDArray[np.float32]
F64 = NDArray[np.float64]
U8 = NDArray[np.uint8]

MAX_DENSE_CHECKS = 3
CANDIDATES = 6  # originals verified per accused image after the prefilter
DIRECT_LIMIT = 12  # below this many originals, verify them all
PREFILTER_PER_ORIGINAL = 256
POSSIBLE_INLIERS = 8
CONFIDENT_INLIERS = 60
WEAK_VOTE_SHARE = 0.3  # after a confident fit, skip candidates with fewer votes than this
VERIFY_FEATURES = 1500  # accused descriptors used in verification (strongest first)


def _noop(stage: str, done: int, total: int) -> None:
    return None


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
        self._gray_cache: OrderedDict[tuple[Path, int], U8] = OrderedDict()
        self._gray_lock = threading.Lock()
        self.recalled = 0  # verifications read from the cache (not made again) in the last run

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
        # Chance votes for an original grow with how many of its descriptors are
        # indexed, and their spread (a Poisson count's) with the square root of
        # that: votes are scored in those units, so a plain photo with few
        # features (a bubble in a blue sky) is not outvoted by the noise that a
        # busy one collects.
        indexed = np.array([len(o) for o in owners], np.float64)
        weight = np.sqrt(indexed.max() / np.maximum(indexed, 1.0))
        cv2.setRNGSeed(4321)  # randomised kd-trees, made reproducible
        index = cv2.flann.Index(data, {"algorithm": 1, "trees": 4})

        def shortlist(feats: Features) -> list[tuple[int, float]]:
            votes = np.zeros(len(originals), np.float64)
            # Spread over the image, not the strongest: a banner of dense text or
            # a tiled watermark holds a copy's strongest corners and would
            # otherwise cast every vote (for whichever original has most texture).
            head = _spread(feats, VERIFY_FEATURES)
            for desc in (feats.descriptors, feats.mirror_descriptors):
                if desc is None or len(desc) == 0:
                    continue
                query = rootsift(desc[head])
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
            votes = votes * weight
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
        key = (path, side)
        with self._gray_lock:
            if key in self._gray_cache:
                self._gray_cache.move_to_end(key)
                return self._gray_cache[key]
        gray = gray_of(np.asarray(open_image(path, max_side=side).image))
        with self._gray_lock:
            self._gray_cache[key] = gray
            if len(self._gray_cache) > 24:
                self._gray_cache.popitem(last=False)
        return gray

    def _fit(
        self, acc: Features, org: Features, queries: dict[tuple[bool, bool], F32]
    ) -> Fit | None:
        """The best affine fit of ``acc`` onto ``org``.

        ``queries`` keeps the accused's RootSIFT descriptors (upright or
        mirrored, head or every feature) between the candidates of one image.
        """
        train = rootsift(org.descriptors)
        best: Fit | None = None
        sets = [(acc.points, acc.descriptors, False)]
        if acc.mirror_points is not None and acc.mirror_descriptors is not None:
            sets.append((acc.mirror_points, acc.mirror_descriptors, True))
        head = _spread(acc, VERIFY_FEATURES)  # spread, for the reason given in _shortlist
        every = np.arange(len(acc.descriptors))
        for points, desc, mirrored in sets:
            for chosen in (head, every):
                if chosen is every and (
                    len(desc) <= VERIFY_FEATURES
                    or (best is not None and best.inliers >= CONFIDENT_INLIERS)
                ):
                    break  # the head was all there is, or it already fits clearly
                # Otherwise (a plain photo beside heavy overlays) the rest are tried too.
                key = (mirrored, chosen is every)
                if key not in queries:
                    queries[key] = rootsift(desc[chosen])
                fit = self._fit_set(points, queries[key], chosen, org, train, mirrored)
                if fit is not None and (best is None or fit.inliers > best.inliers):
                    best = fit
            if best is not None and best.inliers >= CONFIDENT_INLIERS:
                break  # a clear unmirrored fit: the mirrored search cannot beat it meaningfully
        return best

    def _fit_set(
        self,
        points: F32,
        query: F32,
        chosen: NDArray[np.intp],
        org: Features,
        train: F32,
        mirrored: bool,
    ) -> Fit | None:
        """The affine fit of the ``chosen`` accused features (``query``: their RootSIFT) onto ``org``."""
        pairs = good_matches(query, train, self._bf)
        if len(pairs) < 6:
            return None
        src = points[chosen[[q for q, _ in pairs]]]
        dst = org.points[[t for _, t in pairs]]
        affine, mask = fit_affine(src, dst, threshold=3.0)
        if affine is None or not plausible(affine):
            return None
        return Fit(affine, int(mask.sum()), len(pairs), mirrored, src[mask])

    def _verify_now(
        self,
        acc_path: Path,
        acc: Features,
        originals: list[tuple[Path, Features]],
        pool: list[int],
        votes: list[float] | None = None,
    ) -> tuple[_Candidate | None, bool]:
        """The best related candidate, and whether every image it needed could be decoded."""
        try:
            accused_gray = self._gray(acc_path, ACCUSED_SIDE)
        except InputFileError:
            return None, False
        complete = True
        fits: list[_Candidate] = []
        queries: dict[tuple[bool, bool], F32] = {}
        for rank, i in enumerate(pool):
            if (
                votes
                and votes[rank] < WEAK_VOTE_SHARE * votes[0]
                and any(c.fit.inliers >= CONFIDENT_INLIERS for c in fits)
            ):
                # A confident fit exists and the rest drew few prefilter votes: they are
                # other scenes, not rival frames (those share features and vote high).
                break
            fit = self._fit(acc, originals[i][1], queries)
            if fit is not None and fit.inliers >= POSSIBLE_INLIERS:
                fits.append(_Candidate(i, fit))
        if not fits:
            return None, True
        fits.sort(key=lambda c: (-c.fit.inliers, c.index))
        checked: list[_Candidate] = []
        for cand in fits[:MAX_DENSE_CHECKS]:
            if any(c.clean and cand.fit.inliers < 0.5 * c.fit.inliers for c in checked):
                break  # far weaker than a clean match: cannot be a rival frame
            checked.append(cand)
            path, org = originals[cand.index]
            try:
                original_gray = self._gray(path, dense_side(cand.fit, org))
            except InputFileError:
                complete = False
                continue
            acc_map = _index_map(acc.width, acc.height, acc.full_width, acc.full_height)
            feat_map = _index_map(org.width, org.height, org.full_width, org.full_height)
            oh, ow = original_gray.shape
            dense_map = _index_map(ow, oh, org.full_width, org.full_height)
            to_full = np.linalg.inv(feat_map) @ _h(cand.fit.affine) @ acc_map
            affine = (dense_map @ to_full @ np.linalg.inv(acc_map))[:2]
            # Grain is comparable only between two undecoded-at-scale images seen
            # at one scale: resampling either side averages it differently.
            native = (
                acc.width == acc.full_width
                and ow == org.full_width
                and abs(math.sqrt(abs(np.linalg.det(affine[:, :2]))) - 1.0) < GRAIN_SCALE_TOLERANCE
            )
            cand.dense, refined, to_accused = dense_with_detail(
                accused_gray, original_gray, affine, native=native
            )
            cand.full = np.linalg.inv(dense_map) @ _h(refined) @ np.linalg.inv(to_accused) @ acc_map
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
                best.rival_agreement = other.dense.agreement
                if best.dense.agreement - other.dense.agreement < 0.02:
                    best.ambiguous = True
        return (best if best.related else None), complete

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

        def plan(path: Path) -> MatchResult | _Job:
            """The result when no verification is needed, else the verification to make."""
            feats = acc_feats.get(path)
            if not isinstance(feats, Features):
                return MatchResult(
                    accused=path,
                    original=explicit.get(path),
                    verdict="none",
                    method="skipped",
                    note=__(
                        "not analysed: {reason}",
                        reason=feats.reason if feats else __("unreadable"),
                    ),
                )
            target = explicit.get(path)
            if target is not None and target not in position:
                problem = org_feats.get(target)
                reason = problem.reason if isinstance(problem, Problem) else __("unreadable")
                return MatchResult(
                    accused=path,
                    original=target,
                    verdict="none",
                    method="explicit",
                    note=__(
                        "the original named in case.toml could not be analysed: {reason}",
                        reason=reason,
                    ),
                )
            if target is not None:
                pool, votes = [position[target]], None
            else:
                ranked = shortlist(feats)
                pool, votes = [library[i] for i, _ in ranked], [v for _, v in ranked]
            job = _Job(path, feats, pool, votes, target)
            job.key = verdict_key(feats.sha256, [usable[i][1].sha256 for i in pool], votes)
            stored = verdicts.get(job.key)
            if stored is not None:
                # A row that does not read back (damaged, hand-edited) is checked afresh.
                with contextlib.suppress(ValueError, KeyError, TypeError, IndexError):
                    outcome, points = stored
                    job.found, job.ready = decode(outcome, points, pool, job.paths(usable)), True
            return job

        total = len(accused)
        self.on_progress("match", 0, total)
        verdicts = VerdictStore(self.cache_path)
        try:
            plans = [plan(path) for path in accused]
            verdicts.stop_reading()
            pending = [p for p in plans if isinstance(p, _Job) and not p.ready]
            done = total - len(pending)
            self.on_progress("match", done, total)
            for job, (found, complete) in zip(pending, self._run(pending, usable), strict=True):
                job.found = found
                encoded = encode(found, job.pool, job.paths(usable)) if complete else None
                if encoded is not None:
                    verdicts.put(job.key, encoded)
                done += 1
                self.on_progress("match", done, total)
        finally:
            self.recalled = verdicts.hits
            verdicts.close()
        return [
            p
            if isinstance(p, MatchResult)
            else _result(p.path, p.feats, usable, p.found, explicit_target=p.target)
            for p in plans
        ]

    def _run(
        self, pending: list[_Job], usable: list[tuple[Path, Features]]
    ) -> list[tuple[_Candidate | None, bool]]:
        """Each pending verification's outcome, in order, on ``jobs`` threads.

        Threads, not processes: OpenCV and most NumPy calls release the GIL, so
        two threads keep about 1.8 of 2 cores busy, share one decode cache, and
        measured as fast as two worker processes (6 x 24 MP case, same run).
        """

        def verify(job: _Job) -> tuple[_Candidate | None, bool]:
            return self._verify_now(job.path, job.feats, usable, job.pool, job.votes)

        if self.jobs > 1 and len(pending) > 1:
            with ThreadPoolExecutor(max_workers=min(self.jobs, len(pending))) as threads:
                return list(threads.map(verify, pending))
        return [verify(job) for job in pending]


@dataclass
class _Job:
    """One accused image's verification against the originals of ``pool`` (indices)."""

    path: Path
    feats: Features
    pool: list[int]
    votes: list[float] | None
    target: Path | None  # the original named in case.toml, if any
    key: str = ""
    found: _Candidate | None = None
    ready: bool = False  # recalled from the cache

    def paths(self, usable: list[tuple[Path, Features]]) -> list[Path]:
        return [usable[i][0] for i in self.pool]


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

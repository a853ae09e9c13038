"""Verification outcomes cached per content: a rebuild re-checks no unchanged pair.

Verifying one accused image (the fits and the dense pixel check of its
candidates) is most of a build's time, and its outcome depends on nothing but
the bytes of the accused image and of the originals it was checked against, the
order they were tried in and the code that checked them. A seller rebuilds a case
many times while writing it (a corrected date, a new certificate, another
language); none of that changes a pair. So the outcome is stored in the feature
cache database (table ``verdicts``) under a key made of all of those:

- the accused file's SHA-256 and every candidate original's SHA-256, in the order
  they were verified, with the prefilter votes that may stop the search early;
- ``code_digest()`` (``fsutil.package_digest``): the SHA-256 of appeal-kit's code,
  with the versions of OpenCV, NumPy and Pillow. Any change to any of them, even
  one that should not change a verdict, makes every stored outcome unreachable:
  a stale verdict is never shown.

What is stored is the verification's raw outcome (the chosen candidate, its fit
and its dense statistics), not the ``MatchResult``: its note is worded afresh in
the build's language. A verification that met an unreadable file is not stored,
so the file is decoded, and named, again next time. Rows least recently used
beyond ``VERDICTS_SHARE`` of the cache's cap are dropped; ``appeal-kit cache
--clear`` drops them all.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from appeal_kit.fsutil import CacheTable
from appeal_kit.fsutil import package_digest as code_digest  # one digest for every cache
from appeal_kit.matching.dense import Dense
from appeal_kit.matching.geometry import Fit
from appeal_kit.matching.index import cache_limit_bytes
from appeal_kit.matching.verdict import _Candidate

# A row is a few hundred bytes of JSON and up to 12 kB of inlier points; the rows
# together may take this share of the cache's cap (see ``index.FEATURES_SHARE``).
VERDICTS_SHARE = 0.05


def verdict_key(accused_sha: str, candidates: list[str], votes: list[float] | None) -> str:
    """The key of one verification (``candidates``: originals' SHA-256, in the order tried)."""
    text = json.dumps([code_digest(), accused_sha, candidates, votes])
    return hashlib.sha256(text.encode()).hexdigest()


def encode(
    cand: _Candidate | None, candidates: list[int], paths: list[Path]
) -> tuple[str, bytes | None] | None:
    """The outcome as stored, or None when it cannot be.

    ``candidates``: the originals tried (indices into the matcher's list), in order;
    ``paths``: theirs. Positions in that order are stored, never indices or paths.
    """
    if cand is None:
        return json.dumps(None), None
    try:
        outcome = {
            "candidate": candidates.index(cand.index),
            "affine": cand.fit.affine.tolist(),
            "inliers": cand.fit.inliers,
            "matches": cand.fit.matches,
            "mirrored": cand.fit.mirrored,
            "dense": dataclasses.asdict(cand.dense) if cand.dense is not None else None,
            "full": cand.full.tolist() if cand.full is not None else None,
            "region": list(cand.region) if cand.region is not None else None,
            "rival": paths.index(cand.rival) if cand.rival is not None else None,
            "rival_agreement": cand.rival_agreement,
            "ambiguous": cand.ambiguous,
        }
        # Plain JSON only: a NumPy scalar that slipped into the statistics would
        # not read back as the same type, so such an outcome is not stored.
        text = json.dumps(outcome, allow_nan=True)
    except (TypeError, ValueError):
        return None
    points = np.ascontiguousarray(cand.fit.inlier_points, np.float32).tobytes()
    return text, points


def decode(
    text: str, points: bytes | None, candidates: list[int], paths: list[Path]
) -> _Candidate | None:
    """The stored outcome, with positions turned back into this run's indices and paths."""
    outcome: dict[str, Any] | None = json.loads(text)
    if outcome is None:
        return None
    inlier_points = np.frombuffer(points or b"", np.float32).reshape(-1, 2).copy()
    fit = Fit(
        np.array(outcome["affine"], np.float64),
        int(outcome["inliers"]),
        int(outcome["matches"]),
        bool(outcome["mirrored"]),
        inlier_points,
    )
    dense = None
    if outcome["dense"] is not None:
        stats: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in outcome["dense"].items()
        }
        dense = Dense(**stats)
    rival = outcome["rival"]
    return _Candidate(
        index=candidates[outcome["candidate"]],
        fit=fit,
        dense=dense,
        full=np.array(outcome["full"], np.float64) if outcome["full"] is not None else None,
        region=tuple(outcome["region"]) if outcome["region"] is not None else None,
        rival=paths[rival] if rival is not None else None,
        rival_agreement=float(outcome["rival_agreement"]),
        ambiguous=bool(outcome["ambiguous"]),
    )


class VerdictStore(CacheTable):
    """Stored verification outcomes in ``db`` (``None``: nothing is kept): ``(outcome, points)``.

    A cache that cannot be read or written costs a verification, never a build.
    """

    def __init__(self, db: Path | None) -> None:
        limit = int(cache_limit_bytes() * VERDICTS_SHARE)
        super().__init__(db, "verdicts", ("outcome", "points"), limit)

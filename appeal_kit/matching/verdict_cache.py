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
- ``code_digest()``: the SHA-256 of the matching code and of the image decoding
  it relies on, with the versions of OpenCV, NumPy and Pillow. Any change to any
  of them, even one that should not change a verdict, makes every stored outcome
  unreachable: a stale verdict is never shown.

What is stored is the verification's raw outcome (the chosen candidate, its fit
and its dense statistics), not the ``MatchResult``: its note is worded afresh in
the build's language. A verification that met an unreadable file is not stored,
so the file is decoded, and named, again next time. Rows least recently used
beyond ``VERDICTS_SHARE`` of the cache's cap are dropped; ``appeal-kit cache
--clear`` drops them all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import sqlite3
import threading
import time
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from appeal_kit.matching.dense import Dense
from appeal_kit.matching.geometry import Fit
from appeal_kit.matching.index import cache_limit_bytes
from appeal_kit.matching.verdict import _Candidate

# A row is a few hundred bytes of JSON and up to 12 kB of inlier points; the rows
# together may take this share of the cache's cap (see ``index.FEATURES_SHARE``).
VERDICTS_SHARE = 0.05
_PRUNE_TO = 0.8
_SCHEMA = """
CREATE TABLE IF NOT EXISTS verdicts (
    key TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    points BLOB,
    used REAL NOT NULL
)
"""


@cache
def code_digest() -> str:
    """SHA-256 of what decides a verification: our matching and decoding code, and its libraries."""
    import cv2
    import PIL

    package = Path(__file__).resolve().parent.parent
    sources = [*sorted((package / "matching").glob("*.py")), package / "evidence" / "images.py"]
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    digest.update(f"{cv2.__version__} {np.__version__} {PIL.__version__}".encode())
    return digest.hexdigest()


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


def _prune(conn: sqlite3.Connection, limit: int) -> None:
    """Over ``limit`` bytes: drop the least recently used down to ``_PRUNE_TO`` of it."""
    size = "length(outcome) + ifnull(length(points), 0)"
    total = conn.execute(f"SELECT ifnull(sum({size}), 0) FROM verdicts").fetchone()[0]
    if total <= limit:
        return
    excess = total - int(limit * _PRUNE_TO)
    doomed = []
    for key, row_size in conn.execute(f"SELECT key, {size} FROM verdicts ORDER BY used, key"):
        if excess <= 0:
            break
        doomed.append((key,))
        excess -= row_size
    conn.executemany("DELETE FROM verdicts WHERE key = ?", doomed)


class VerdictStore:
    """Stored verification outcomes in ``db`` (``None``: nothing is kept).

    Lookups may come from several threads; new outcomes are written in one
    transaction by ``close``. A cache that cannot be read or written costs a
    verification, never a build.
    """

    def __init__(self, db: Path | None) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._fresh: dict[str, tuple[str, bytes | None]] = {}
        self._used: set[str] = set()
        self._conn: sqlite3.Connection | None = None
        self.hits = 0
        if db is not None and db.is_file():
            with contextlib.suppress(sqlite3.Error):
                uri = db.resolve().as_uri() + "?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False)

    def get(self, key: str) -> tuple[str, bytes | None] | None:
        """The stored ``(outcome, points)`` under ``key``, or None."""
        if self._conn is None:
            return None
        with self._lock:
            try:
                row = self._conn.execute(
                    "SELECT outcome, points FROM verdicts WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error:  # no table yet, or a busy or damaged file
                return None
            if row is not None:
                self._used.add(key)
                self.hits += 1
        return None if row is None else (str(row[0]), row[1])

    def stop_reading(self) -> None:
        """Close the reading connection (no lookups follow; a forked worker must not inherit it)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def put(self, key: str, stored: tuple[str, bytes | None]) -> None:
        with self._lock:
            self._fresh[key] = stored

    def close(self) -> None:
        """Write new outcomes and last-used stamps, then keep the table under its cap."""
        self.stop_reading()
        if self.db is None or not (self._fresh or self._used):
            return
        now = time.time()
        with contextlib.suppress(sqlite3.Error, OSError):
            self.db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(str(self.db), timeout=30)) as conn, conn:
                conn.execute(_SCHEMA)
                conn.executemany(
                    "INSERT OR REPLACE INTO verdicts (key, outcome, points, used) VALUES (?, ?, ?, ?)",
                    [(key, text, blob, now) for key, (text, blob) in sorted(self._fresh.items())],
                )
                conn.executemany(
                    "UPDATE verdicts SET used = ? WHERE key = ?",
                    [(now, key) for key in sorted(self._used)],
                )
                _prune(conn, int(cache_limit_bytes() * VERDICTS_SHARE))
        self._fresh.clear()
        self._used.clear()

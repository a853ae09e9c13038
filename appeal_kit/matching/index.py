"""Local features of one image, extracted once and cached per content hash.

Matching needs, for every original and every accused image, SIFT keypoints and
descriptors at a modest analysis scale. Extracting them is the expensive step,
so they are stored in an embedded SQLite file keyed by the file's SHA-256 and
the extraction settings: a second run over a library only decodes new files.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from appeal_kit.errors import InputFileError
from appeal_kit.evidence.images import (
    LoadedImage,
    Problem,
    describe_error,
    open_image,
    sha256_file,
)
from appeal_kit.i18n import __
from appeal_kit.matching.decode import shared_decode

# Bump when extraction changes, so stale cache rows are ignored rather than misused.
FEATURE_VERSION = 7  # 7: the mirror set is derived by permutation
# Originals: features at 640 px on the long side. A 30 % crop still spans about
# 350 px there, plenty for SIFT (which doubles the image internally). The JPEG is
# decoded at the smallest draft scale that covers it (6000 px -> 1/8 = 750 px),
# the cheapest decode there is. bench_match measured the same recall, precision
# and region accuracy at 640 px as at 768 px, with 18 % less indexing time.
ORIGINAL_MIN_SIDE = 640
ORIGINAL_SIDE = 640
# Accused images may be screenshots where the photo is a fraction of the frame.
# (1024 px was tried: a screenshot of a mirrored crop then fell to "possible".)
ACCUSED_SIDE = 1400
# The dense pixel comparison needs finer detail than the features (sub-pixel
# parallax); it decodes the few verified originals again at this size.
DENSE_SIDE = 1024
ORIGINAL_FEATURES = 2500
# An image with fewer features than this share of its limit is detected again at
# a lower contrast threshold (halved each time, down to the floor): see ``_sift``.
SPARSE_SHARE = 0.1
SPARSE_FLOOR = 0.004
ACCUSED_FEATURES = 3500

U8 = NDArray[np.uint8]
F32 = NDArray[np.float32]


@dataclass
class Features:
    """Keypoints (x, y in analysis pixels) and SIFT descriptors of one upright image.

    ``mirror_*`` hold the features of the left-right flipped image, with x already
    mapped back to unflipped coordinates; only accused images carry them.
    """

    sha256: str
    width: int  # analysis image size
    height: int
    full_width: int  # full-resolution size after EXIF orientation
    full_height: int
    points: F32
    descriptors: U8
    mirror_points: F32 | None = None
    mirror_descriptors: U8 | None = None

    @property
    def scale(self) -> float:
        """Analysis pixels per full-resolution pixel."""
        return self.width / self.full_width if self.full_width else 1.0


def _sift(gray: U8, limit: int, *, mirror: bool = False) -> tuple[F32, U8, F32 | None, U8 | None]:
    """Strongest ``limit`` SIFT features; with ``mirror``, also their mirror images.

    The mirrored set describes the same keypoints on the left-right flipped image
    (x and orientation reflected), so a mirrored copy matches without detecting
    twice. It is derived from the upright descriptors (``mirror_descriptors``)
    instead of describing the flipped image again.
    """
    # Copies (``mirror``) get a low contrast threshold, which keeps features on
    # faded or darkened images. Originals are pristine: their counterparts of a
    # copy's faint features are stronger, so a middle threshold keeps them and
    # skips describing the faintest (describing is a third of the time).
    threshold = 0.02 if mirror else 0.03
    sift = cv2.SIFT.create(nfeatures=limit, contrastThreshold=threshold)
    keypoints, desc = sift.detectAndCompute(gray, None)
    # SIFT's contrast threshold is absolute, so a plain, low-contrast photo (a
    # bubble in a blue sky) keeps only a few dozen features, too few to align a
    # crop of it. Such an image is detected again at a threshold scaled down
    # to its own contrast, until it holds a fair share of the limit.
    while len(keypoints) < limit * SPARSE_SHARE and threshold > SPARSE_FLOOR:
        threshold /= 2
        sift = cv2.SIFT.create(nfeatures=limit, contrastThreshold=threshold)
        keypoints, desc = sift.detectAndCompute(gray, None)
    if desc is None or not keypoints:
        empty = np.zeros((0, 2), np.float32), np.zeros((0, 128), np.uint8)
        return (*empty, *empty) if mirror else (*empty, None, None)
    # Strongest first, so the prefilter can take the head of each spatial cell.
    order = np.argsort([-kp.response for kp in keypoints], kind="stable")
    kept = [keypoints[i] for i in order]
    points = np.array([kp.pt for kp in kept], np.float32)
    descs = np.clip(desc[order], 0, 255).astype(np.uint8)
    if not mirror:
        return points, descs, None, None
    # Same points in unflipped coordinates, so a fit gives accused -> original directly.
    return points, descs, points.copy(), mirror_descriptors(descs)


# SIFT's descriptor is a 4 x 4 grid of 8-bin orientation histograms in the keypoint's
# own frame (row-major: grid row, grid column, bin). Mirroring the image reflects that
# frame: the grid rows come in reverse order and an orientation bin o becomes -o.
_MIRROR_ORDER = np.arange(128).reshape(4, 4, 8)[::-1][:, :, (-np.arange(8)) % 8].reshape(128)


def mirror_descriptors(descs: U8) -> U8:
    """The SIFT descriptors of the same keypoints on the left-right flipped image.

    Describing the flipped image again cost 40 % of an accused image's extraction.
    At the exactly mirrored keypoint (x -> w - 0.5 - x, the pixel grid reflected)
    OpenCV's own descriptor of the flipped image is this permutation, bit for bit,
    for keypoints of the first (doubled) octave, two thirds of them; on coarser
    octaves, whose pixel grids reflect about a slightly different centre, they
    differ by a few percent of the descriptor's length. bench_match measured the
    same recall (tests/matching/test_mirror_descriptors.py checks the permutation).
    """
    return np.ascontiguousarray(descs[:, _MIRROR_ORDER])


def gray_of(image: np.ndarray) -> U8:
    """Luminance as uint8 (the one conversion every step uses)."""
    return np.asarray(cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2GRAY), np.uint8)


def original_side(path: Path) -> int:
    """Long side for an original's features: the smallest draft scale of at least 640 px."""
    try:
        with Image.open(path) as img:
            longest = max(img.size)
    except Exception:  # open_image raises the proper, explained error later
        return ORIGINAL_SIDE
    for divisor in (8, 4, 2):
        if longest / divisor >= ORIGINAL_MIN_SIDE:
            # Rounded down, so draft() settles on exactly this scale. Camera sizes
            # divide evenly, so the decode is used as is, without a resample.
            return min(ORIGINAL_SIDE, longest // divisor)
    return min(ORIGINAL_SIDE, longest)


def extract(path: Path, *, accused: bool, sha256: str | None = None) -> Features:
    """Decode ``path`` at analysis scale and extract its features.

    Raises ``InputFileError`` for files that cannot be decoded.
    """
    digest = sha256 or sha256_file(path)
    loaded = open_image(path, max_side=ACCUSED_SIDE if accused else original_side(path), gray=True)
    return _describe(loaded, digest, accused=accused)


def _describe(loaded: LoadedImage, digest: str, *, accused: bool) -> Features:
    """The features of a grey analysis image."""
    gray = np.asarray(loaded.image, np.uint8)
    h, w = gray.shape
    limit = ACCUSED_FEATURES if accused else ORIGINAL_FEATURES
    points, desc, m_points, m_desc = _sift(gray, limit, mirror=accused)
    return Features(
        digest, w, h, loaded.full_width, loaded.full_height, points, desc, m_points, m_desc
    )


def extract_original_job(
    job: tuple[str, str, int],
) -> tuple[str, Features | Problem, LoadedImage | None]:
    """Process-pool entry: ``(path, sha256, view_side)`` -> an original's features and view.

    With the features comes its colour view at ``view_side`` when one decode gave
    both (``decode.shared_decode``). The view is what ``open_image(path, max_side=view_side)`` returns, for the
    metadata step's thumbnail check; None when the two needed separate decodes.
    """
    path_text, digest, view_side = job
    path = Path(path_text)
    shared = shared_decode(path, rgb_side=view_side, gray_side=original_side(path))
    if shared is None:
        return (*extract_job((path_text, False, digest)), None)
    view, gray = shared
    try:
        return path_text, _describe(gray, digest, accused=False), view
    except (cv2.error, MemoryError):
        return (*extract_job((path_text, False, digest)), None)


@contextlib.contextmanager
def opencv_threads(count: int) -> Iterator[None]:
    """Run the block with OpenCV limited to ``count`` threads.

    When our own processes or threads already keep every core busy, OpenCV's
    threads on top only make them fight for the same cores. Set in the parent,
    before the pool forks: reconfiguring OpenCV's thread pool inside a forked
    child can deadlock.
    """
    previous = cv2.getNumThreads()
    cv2.setNumThreads(count)
    try:
        yield
    finally:
        cv2.setNumThreads(previous)


def extract_job(job: tuple[str, bool, str]) -> tuple[str, Features | Problem]:
    """Process-pool entry: ``(path, accused, sha256)`` -> features, or why not and the fix."""
    path_text, accused, digest = job
    try:
        return path_text, extract(Path(path_text), accused=accused, sha256=digest)
    except InputFileError as exc:
        return path_text, describe_error(exc)
    except (cv2.error, MemoryError) as exc:  # a pathological image must not stop the run
        return path_text, Problem(
            __("could not be analysed ({type})", type=type(exc).__name__),
            __("re-save it as JPEG and build again"),
        )


def index_originals(
    paths: Sequence[Path],
    cache_path: Path | None,
    *,
    jobs: int,
    view_side: int,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[Path, LoadedImage]:
    """Extract and cache the features of the originals not cached yet; returns their views.

    A build calls this before its metadata step. A view is the colour decode at
    ``view_side`` that step compares with the EXIF thumbnail, made by the same
    decode as the features where one can serve both (``extract_original_job``:
    24 MP and larger JPEGs, both at 1/8 scale). The matcher then finds the
    features cached. Files that fail here are left to the metadata step, which
    names the problem.
    """
    from appeal_kit.evidence.workers import worker_pool

    views: dict[Path, LoadedImage] = {}
    with opened_cache(cache_path) as cache:
        todo: list[tuple[str, str, int]] = []
        for path in paths:
            try:
                digest = sha256_file(path)
            except OSError:
                continue
            if not cache.has(digest, "original"):
                todo.append((str(path), digest, view_side))
        fresh: list[tuple[str, Features]] = []
        if on_progress and todo:
            on_progress(0, len(todo))

        def keep(done: int, result: tuple[str, Features | Problem, LoadedImage | None]) -> None:
            path_text, features, view = result
            if isinstance(features, Features):
                fresh.append(("original", features))
            if view is not None:
                views[Path(path_text)] = view
            if on_progress:
                on_progress(done, len(todo))

        if jobs > 1 and len(todo) > 1:
            # As the matcher does: one OpenCV thread per worker, set before the fork.
            with opencv_threads(1), worker_pool(min(jobs, len(todo))) as pool:
                for done, result in enumerate(pool.map(extract_original_job, todo), start=1):
                    keep(done, result)
        else:
            for done, job in enumerate(todo, start=1):
                keep(done, extract_original_job(job))
        cache.put_many(fresh)
    return views


# --------------------------------------------------------------------------- cache

# ``size`` (bytes of the four blobs) and ``used`` (Unix time of the last read or
# write) drive the least-recently-used pruning that keeps the file under its cap.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS features (
    sha256 TEXT NOT NULL,
    role TEXT NOT NULL,
    version INTEGER NOT NULL,
    width INTEGER NOT NULL, height INTEGER NOT NULL,
    full_width INTEGER NOT NULL, full_height INTEGER NOT NULL,
    points BLOB NOT NULL, descriptors BLOB NOT NULL,
    mirror_points BLOB, mirror_descriptors BLOB,
    size INTEGER NOT NULL DEFAULT 0,
    used REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (sha256, role, version)
)
"""
_COLUMNS = (
    "sha256, role, version, width, height, full_width, full_height, "
    "points, descriptors, mirror_points, mirror_descriptors, size, used"
)
# A cache made before the size cap existed lacks the two bookkeeping columns.
_UPGRADE = (
    "ALTER TABLE features ADD COLUMN size INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE features ADD COLUMN used REAL NOT NULL DEFAULT 0",
    "UPDATE features SET size = length(points) + length(descriptors) "
    "+ ifnull(length(mirror_points), 0) + ifnull(length(mirror_descriptors), 0) WHERE size = 0",
)
CACHE_FILE = "features.sqlite"
# Its features share (below) holds about 1,000 originals at 24 MP (or 350 accused
# screenshots with their mirror set); APPEAL_KIT_CACHE_MAX_MB changes it.
DEFAULT_CACHE_MAX_MB = 512
# Pruning removes down to this share of the cap, so it does not run on every write.
_PRUNE_TO = 0.8
# The cap is shared: features take this much of it, comparison pictures a quarter
# (``comparison.cache.PICTURES_SHARE``) and pair checks the rest
# (``verdict_cache.VERDICTS_SHARE``), so the whole file stays under the cap.
FEATURES_SHARE = 0.7


def cache_dir_for(cache_dir: Path | None) -> Path:
    """The cache folder: ``--cache-dir``, ``$APPEAL_KIT_CACHE``, or the user cache folder."""
    if cache_dir is not None:
        return cache_dir
    if os.environ.get("APPEAL_KIT_CACHE"):
        return Path(os.environ["APPEAL_KIT_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "appeal-kit"


def cache_limit_bytes() -> int:
    """The size cap in bytes (``$APPEAL_KIT_CACHE_MAX_MB``, default 512 MB)."""
    text = os.environ.get("APPEAL_KIT_CACHE_MAX_MB", "")
    try:
        megabytes = float(text) if text else DEFAULT_CACHE_MAX_MB
    except ValueError:
        megabytes = DEFAULT_CACHE_MAX_MB
    return max(0, int(megabytes * 1_000_000))


def _blob(array: np.ndarray | None) -> bytes | None:
    return None if array is None else np.ascontiguousarray(array).tobytes()


def _points(blob: bytes | None) -> F32 | None:
    return None if blob is None else np.frombuffer(blob, np.float32).reshape(-1, 2).copy()


def _descs(blob: bytes | None) -> U8 | None:
    return None if blob is None else np.frombuffer(blob, np.uint8).reshape(-1, 128).copy()


class FeatureCache:
    """SQLite store of ``Features`` by (content hash, role). ``path=None`` keeps nothing.

    The file stays under ``max_bytes`` of features: after writing, the least
    recently used rows (by last read or write) are removed. Reads are stamped in
    memory and written with the next write or on ``close``, so a warm run does
    not turn every lookup into a transaction.
    """

    def __init__(self, path: Path | None, *, max_bytes: int | None = None) -> None:
        self.path = path
        self.max_bytes = (
            int(cache_limit_bytes() * FEATURES_SHARE) if max_bytes is None else max_bytes
        )
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._read: set[tuple[str, str]] = set()
        if path is not None:
            # Private: the cache holds comparison pictures of the seller's photos.
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
            with self._db:
                # Before the first table only; lets pruning hand pages back to the disk.
                self._db.execute("PRAGMA auto_vacuum=INCREMENTAL")
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute(_SCHEMA)
                known = {row[1] for row in self._db.execute("PRAGMA table_info(features)")}
                if "used" not in known:
                    for statement in _UPGRADE:
                        self._db.execute(statement)

    def has(self, sha256: str, role: str) -> bool:
        """Whether features of this content and role are cached (no blobs read)."""
        if self._db is None:
            return False
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM features WHERE sha256 = ? AND role = ? AND version = ?",
                (sha256, role, FEATURE_VERSION),
            ).fetchone()
        return row is not None

    def get(self, sha256: str, role: str) -> Features | None:
        """Cached features, or ``None``."""
        if self._db is None:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT width, height, full_width, full_height, points, descriptors, "
                "mirror_points, mirror_descriptors FROM features "
                "WHERE sha256 = ? AND role = ? AND version = ?",
                (sha256, role, FEATURE_VERSION),
            ).fetchone()
        if row is None:
            return None
        self._read.add((sha256, role))
        points, descs = _points(row[4]), _descs(row[5])
        assert points is not None and descs is not None
        return Features(
            sha256, row[0], row[1], row[2], row[3], points, descs, _points(row[6]), _descs(row[7])
        )

    def put_many(self, items: list[tuple[str, Features]]) -> None:
        """Store ``(role, features)`` pairs in one transaction, then keep under the cap."""
        if self._db is None or not items:
            return
        now = time.time()
        rows = [
            (
                f.sha256,
                role,
                FEATURE_VERSION,
                f.width,
                f.height,
                f.full_width,
                f.full_height,
                _blob(f.points),
                _blob(f.descriptors),
                _blob(f.mirror_points),
                _blob(f.mirror_descriptors),
                _size(f),
                now,
            )
            for role, f in items
        ]
        with self._lock, self._db:
            self._db.executemany(
                f"INSERT OR REPLACE INTO features ({_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self._stamp_reads(now)
            self._prune()

    def _stamp_reads(self, now: float) -> None:
        """Write the last-used time of the rows read since the last write (lock held)."""
        assert self._db is not None
        if self._read:
            self._db.executemany(
                "UPDATE features SET used = ? WHERE sha256 = ? AND role = ?",
                [(now, sha, role) for sha, role in sorted(self._read)],
            )
            self._read.clear()

    def _prune(self) -> None:
        """Over the cap: drop least recently used rows down to ``_PRUNE_TO`` of it."""
        assert self._db is not None
        total = self._db.execute("SELECT ifnull(sum(size), 0) FROM features").fetchone()[0]
        if total <= self.max_bytes:
            return
        excess = total - int(self.max_bytes * _PRUNE_TO)
        doomed: list[tuple[str, str, int]] = []
        rows = self._db.execute(
            "SELECT sha256, role, version, size FROM features ORDER BY used, sha256, role"
        )
        for sha, role, version, size in rows:
            if excess <= 0:
                break
            doomed.append((sha, role, version))
            excess -= size
        self._db.executemany(
            "DELETE FROM features WHERE sha256 = ? AND role = ? AND version = ?", doomed
        )

    def close(self) -> None:
        """Stamp pending reads, give freed pages back, and close the database file."""
        if self._db is None:
            return
        with contextlib.suppress(sqlite3.Error):  # a read-only or busy file keeps its stamps
            with self._lock, self._db:
                self._stamp_reads(time.time())
            self._db.execute("PRAGMA incremental_vacuum").fetchall()  # runs it to the end
        self._db.close()
        self._db = None


def _size(features: Features) -> int:
    """Bytes the row's blobs take (what the cap counts)."""
    arrays = (
        features.points,
        features.descriptors,
        features.mirror_points,
        features.mirror_descriptors,
    )
    return sum(a.nbytes for a in arrays if a is not None)


@dataclass(frozen=True)
class CacheSummary:
    """What ``appeal-kit cache`` shows."""

    folder: Path
    file_bytes: int  # on disk, with SQLite's journal files
    feature_bytes: int  # what the cap counts
    entries: int
    limit_bytes: int
    verdicts: int = 0  # stored pair checks (``verdict_cache``)
    pictures: int = 0  # stored comparison pictures (``comparison.cache``), one per pair


def cache_files(folder: Path) -> list[Path]:
    """The cache's files in ``folder`` that exist (database and its WAL journal)."""
    names = (CACHE_FILE, f"{CACHE_FILE}-wal", f"{CACHE_FILE}-shm")
    return [folder / name for name in names if (folder / name).is_file()]


def summarize_cache(folder: Path) -> CacheSummary:
    """Size and entry count of the cache in ``folder`` (zeros when there is none)."""
    files = cache_files(folder)
    on_disk = sum(f.stat().st_size for f in files)
    entries = feature_bytes = verdicts = pictures = 0
    if (folder / CACHE_FILE).is_file():
        uri = (folder / CACHE_FILE).resolve().as_uri() + "?mode=ro"
        try:
            with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5)) as db:
                entries, feature_bytes = db.execute(
                    "SELECT count(*), ifnull(sum(length(points) + length(descriptors) "
                    "+ ifnull(length(mirror_points), 0) + ifnull(length(mirror_descriptors), 0)),"
                    " 0) FROM features"
                ).fetchone()
                tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
                if "verdicts" in tables:
                    verdicts = db.execute("SELECT count(*) FROM verdicts").fetchone()[0]
                if "pictures" in tables:
                    pictures = db.execute("SELECT count(*) FROM pictures").fetchone()[0]
        except sqlite3.Error:  # not (yet) a cache: show the bytes on disk only
            pass
    limit = cache_limit_bytes()
    return CacheSummary(folder, on_disk, feature_bytes, entries, limit, verdicts, pictures)


def clear_cache(folder: Path) -> int:
    """Delete the cache files in ``folder``; returns the bytes freed."""
    freed = 0
    for path in cache_files(folder):
        freed += path.stat().st_size
        path.unlink()
    return freed


@contextlib.contextmanager
def opened_cache(path: Path | None) -> Iterator[FeatureCache]:
    """A ``FeatureCache`` closed on exit."""
    cache = FeatureCache(path)
    try:
        yield cache
    finally:
        cache.close()

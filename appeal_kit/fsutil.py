"""Atomic writes and folder swaps: a crash never leaves a half-written output that looks complete.

Also ``CacheTable``: one table of the cache database, for what a build can recall
instead of computing again.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import hashlib
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, fsync it, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); outputs are meant to be shared.
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Text flavour of ``atomic_write_bytes`` (UTF-8)."""
    atomic_write_bytes(path, text.encode("utf-8"))


WORK_MARK = ".work-"
ASIDE_MARK = ".old-"
RENAME_EXCHANGE = 2  # renameat2 flag: swap two paths in one step


@contextlib.contextmanager
def work_folder(beside: Path) -> Iterator[Path]:
    """A scratch folder next to ``beside`` (same file system, so renames are atomic).

    Its name carries this process's id (``.dossier.work-PID-xxxx``), so that a later
    build can tell a folder left by a killed build from one still being written.
    Removed on exit, whatever happens; the caller moves finished output out of it.
    """
    beside.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{beside.name}{WORK_MARK}{os.getpid()}-"
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=beside.parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def replace_folder(finished: Path, target: Path) -> None:
    """Move ``finished`` to ``target``, replacing an existing ``target`` folder.

    At every instant ``target`` is the old or the new complete output, even if the
    process is killed: on Linux the two folders are swapped in one system call
    (``renameat2(RENAME_EXCHANGE)``) and the old one, now at ``finished``, is deleted
    after. Where that call does not exist, the old folder is renamed aside first;
    a kill between the two renames leaves it there for ``recover_folder`` to put back.
    """
    finished.chmod(0o755)  # mkdtemp made it private; a dossier is meant to be shared
    if not target.exists():
        os.replace(finished, target)
        return
    if _exchange(finished, target):
        shutil.rmtree(finished, ignore_errors=True)
        return
    aside = target.with_name(f".{target.name}{ASIDE_MARK}{os.getpid()}")
    shutil.rmtree(aside, ignore_errors=True)
    os.replace(target, aside)
    try:
        os.replace(finished, target)
    except BaseException:
        os.replace(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the system cannot (then nothing moved)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # glibc before 2.28, or musl
        return False
    at_cwd = -100
    done = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), RENAME_EXCHANGE)
    if done == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # file system without it
        return False
    raise OSError(error, os.strerror(error), str(second))


def recover_folder(target: Path) -> list[Path]:
    """Tidy what a killed build left beside ``target``; returns what was removed.

    * ``.NAME.old-PID`` (killed between the two renames of ``replace_folder``): put
      back as ``target`` when ``target`` is missing, else deleted.
    * ``.NAME.work-PID-xxxx``: deleted once process PID no longer runs.

    Folders of a build that is still running are left alone.
    """
    parent = target.parent
    if not parent.is_dir():
        return []
    removed: list[Path] = []
    for aside in sorted(parent.glob(f".{target.name}{ASIDE_MARK}*")):
        if _owner_alive(aside.name.rsplit(ASIDE_MARK, 1)[1]):
            continue
        if not target.exists():
            os.replace(aside, target)
        else:
            shutil.rmtree(aside, ignore_errors=True)
            removed.append(aside)
    for work in sorted(parent.glob(f".{target.name}{WORK_MARK}*")):
        owner = work.name.rsplit(WORK_MARK, 1)[1].split("-", 1)[0]
        if not _owner_alive(owner):
            shutil.rmtree(work, ignore_errors=True)
            removed.append(work)
    return removed


def _owner_alive(pid_text: str) -> bool:
    """True when the process named in a folder's name still runs (or cannot be told)."""
    if not pid_text.isdigit():
        return False  # a folder from before pids were in the name: long dead
    pid = int(pid_text)
    if pid == os.getpid() or sys.platform == "win32":
        # On Windows os.kill(pid, 0) would send that process a Ctrl-C: never probe there.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process of that id: leave its folder be
    return True


@functools.cache
def package_digest() -> str:
    """SHA-256 of appeal-kit's code, catalogs and fonts, and of the libraries it computes with.

    Part of every cache key that stores a result rather than an input's features:
    any change to the code that made a result, even one that should not change
    it, makes the stored result unreachable, so a stale one is never shown.
    """
    import cv2
    import numpy
    import PIL
    import reportlab

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for pattern in ("**/*.py", "**/*.mo", "fonts/*"):
        for source in sorted(package.glob(pattern)):
            digest.update(source.relative_to(package).as_posix().encode() + b"\0")
            digest.update(source.read_bytes() + b"\0")
    versions = (cv2.__version__, numpy.__version__, PIL.__version__, reportlab.Version)
    digest.update(" ".join(versions).encode())
    return digest.hexdigest()


class CacheTable:
    """One table of the cache database: values by key, looked up from many threads.

    Lookups share one read-only connection; new rows and last-used stamps are
    written in one transaction by ``close``, then the least recently used rows go
    until the table's bytes are under ``limit`` (down to 80 % of it, so pruning
    does not run on every build). A table of another shape, left by an older
    appeal-kit, is replaced: it only ever holds what can be computed again. A
    cache that cannot be read or written costs that work again, never a build.
    """

    def __init__(self, db: Path | None, name: str, columns: tuple[str, ...], limit: int) -> None:
        self.db, self.name, self.columns, self.limit = db, name, columns, limit
        self.hits = 0
        self._lock = threading.Lock()
        self._fresh: dict[str, tuple[object, ...]] = {}
        self._used: set[str] = set()
        self._conn: sqlite3.Connection | None = None
        if db is not None and db.is_file():
            with contextlib.suppress(sqlite3.Error):
                uri = db.resolve().as_uri() + "?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False)

    def get(self, key: str) -> tuple[Any, ...] | None:
        """The values stored under ``key``, or None."""
        with self._lock:
            if self._conn is None:
                return None
            try:
                row = self._conn.execute(
                    f"SELECT {', '.join(self.columns)} FROM {self.name} WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error:  # no table yet, another shape, or a busy or damaged file
                return None
            if row is not None:
                self._used.add(key)
                self.hits += 1
        return None if row is None else tuple(row)

    def put(self, key: str, values: tuple[object, ...]) -> None:
        with self._lock:
            self._fresh[key] = values

    def stop_reading(self) -> None:
        """Close the reading connection (no lookups follow)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def close(self) -> None:
        """Write new rows and last-used stamps, then keep the table under its limit."""
        self.stop_reading()
        if self.db is None or not (self._fresh or self._used):
            return
        now = time.time()
        rows = [(key, *values, _bytes(values), now) for key, values in sorted(self._fresh.items())]
        names = ("key", *self.columns, "size", "used")
        with contextlib.suppress(sqlite3.Error, OSError):
            # Private: the cache holds comparison pictures of the seller's photos.
            self.db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(str(self.db), timeout=30)) as conn, conn:
                shape = [row[1] for row in conn.execute(f"PRAGMA table_info({self.name})")]
                if shape and tuple(shape) != names:
                    conn.execute(f"DROP TABLE {self.name}")
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.name} (key TEXT PRIMARY KEY, "
                    f"{', '.join(self.columns)}, size INTEGER NOT NULL, used REAL NOT NULL)"
                )
                conn.executemany(
                    f"INSERT OR REPLACE INTO {self.name} ({', '.join(names)}) "
                    f"VALUES ({', '.join('?' for _ in names)})",
                    rows,
                )
                conn.executemany(
                    f"UPDATE {self.name} SET used = ? WHERE key = ?",
                    [(now, key) for key in sorted(self._used)],
                )
                self._prune(conn)
        self._fresh.clear()
        self._used.clear()

    def _prune(self, conn: sqlite3.Connection) -> None:
        total = conn.execute(f"SELECT ifnull(sum(size), 0) FROM {self.name}").fetchone()[0]
        if total <= self.limit:
            return
        excess = total - int(self.limit * 0.8)
        doomed = []
        for key, size in conn.execute(f"SELECT key, size FROM {self.name} ORDER BY used, key"):
            if excess <= 0:
                break
            doomed.append((key,))
            excess -= size
        conn.executemany(f"DELETE FROM {self.name} WHERE key = ?", doomed)


def _bytes(values: tuple[object, ...]) -> int:
    """What a row's values take (what the limit counts)."""
    return sum(
        len(v) if isinstance(v, bytes) else len(v.encode()) if isinstance(v, str) else 0
        for v in values
    )

"""Atomic writes and folder swaps: a crash never leaves a half-written output that looks complete."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


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

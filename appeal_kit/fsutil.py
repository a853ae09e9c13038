"""Atomic writes: a crash never leaves a half-written file that looks complete."""

from __future__ import annotations

import contextlib
import os
import shutil
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


@contextlib.contextmanager
def work_folder(beside: Path) -> Iterator[Path]:
    """A scratch folder next to ``beside`` (same file system, so renames are atomic).

    Removed on exit, whatever happens; the caller moves finished output out of it.
    """
    beside.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{beside.name}.work-", dir=beside.parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def replace_folder(finished: Path, target: Path) -> None:
    """Move ``finished`` to ``target``, replacing an existing ``target`` folder.

    The old folder is renamed aside first and deleted only after the new one is in
    place, so at every instant ``target`` is either the old or the new complete output.
    """
    finished.chmod(0o755)  # mkdtemp made it private; a dossier is meant to be shared
    if target.exists():
        aside = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(target, aside)
        try:
            os.replace(finished, target)
        except BaseException:
            os.replace(aside, target)
            raise
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(finished, target)

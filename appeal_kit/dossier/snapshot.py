"""One snapshot of a case's inputs: what the manifest lists is what the pages show.

A build takes minutes; a sync client or the seller may add, remove or rewrite files
meanwhile. The inputs are listed and hashed once, at the start; the manifest is
made from that snapshot. Before the finished dossier replaces the old one, every
input is checked against it again (size and modification time, the hash when those
moved). A file that vanished or changed is then excluded with that reason and the
dossier is built again without it, so the pages and the manifest never disagree.
A file added meanwhile is simply not part of this build.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from appeal_kit.dossier.manifest import ManifestEntry
from appeal_kit.evidence.images import Problem, sha256_file
from appeal_kit.i18n import __


def vanished() -> Problem:
    """Why a file that was removed mid-build is excluded, and what to do."""
    return Problem(
        __("was removed while the dossier was being built"),
        __("put the file back if it belongs to the case and build again"),
    )


def changed_meanwhile() -> Problem:
    """Why a file that changed mid-build is excluded, and what to do."""
    return Problem(
        __("changed while the dossier was being built, so this build could not use it"),
        __("wait until the file is no longer being written or synced, then build again"),
    )


@dataclass(frozen=True)
class Snapped:
    """One input as the snapshot saw it; ``sha256`` is None when it could not be read."""

    path: Path
    shown_as: str
    role: str
    size: int
    mtime_ns: int
    sha256: str | None


def _snap(path: Path, shown_as: str, role: str) -> Snapped:
    try:
        before = os.stat(path)
        digest = sha256_file(path)
        after = os.stat(path)
    except OSError:  # unreadable: excluded with its reason by the stage that reads it
        return Snapped(path, shown_as, role, 0, 0, None)
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        digest = ""  # written to while being hashed: cannot match anything later
    return Snapped(path, shown_as, role, after.st_size, after.st_mtime_ns, digest)


class InputSnapshot:
    """The hashed inputs of one build, in the order they were given."""

    def __init__(self, items: Iterable[tuple[Path, str, str]], *, jobs: int = 1) -> None:
        work = list(items)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            self.entries = list(pool.map(lambda item: _snap(*item), work))

    def manifest_entries(self) -> list[ManifestEntry]:
        """Every readable input, with the hash taken at the start."""
        return [
            ManifestEntry(e.shown_as, e.role, e.sha256, e.size)
            for e in self.entries
            if e.sha256 is not None
        ]

    def changed(self) -> dict[Path, Problem]:
        """Inputs that are gone or differ from the snapshot now, with the reason."""
        found: dict[Path, Problem] = {}
        for entry in self.entries:
            if entry.sha256 is None:
                continue
            try:
                now = os.stat(entry.path)
            except FileNotFoundError:
                found[entry.path] = vanished()
                continue
            except OSError:
                found[entry.path] = changed_meanwhile()
                continue
            if (now.st_size, now.st_mtime_ns) == (entry.size, entry.mtime_ns) and entry.sha256:
                continue
            try:
                same = entry.sha256 != "" and sha256_file(entry.path) == entry.sha256
            except OSError:
                same = False
            if not same:
                found[entry.path] = changed_meanwhile()
        return found

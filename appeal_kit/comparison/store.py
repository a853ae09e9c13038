"""The originals of one build's comparisons, each decoded once.

An original stolen by several listings is shown in several comparisons; each
needs it at some size (``pictures.original_decode_side``). It is decoded once, at
the largest of them, shared by those comparisons (every smaller size is derived
from that decode), and let go after the last one, so memory holds only the
originals still being drawn.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from appeal_kit.evidence.images import LoadedImage, open_image


class DecodedOriginals:
    """Thread-safe: comparisons are drawn in a thread pool."""

    def __init__(self, needs: Iterable[tuple[Path, int]]) -> None:
        """``needs``: one ``(original, max_side)`` per comparison that will show it."""
        self._side: dict[Path, int] = {}
        self._uses: dict[Path, int] = {}
        for path, side in needs:
            self._side[path] = max(side, self._side.get(path, 0))
            self._uses[path] = self._uses.get(path, 0) + 1
        self._locks = {path: threading.Lock() for path in self._side}
        self._images: dict[Path, LoadedImage] = {}
        self._count_lock = threading.Lock()

    def side(self, path: Path) -> int:
        """The ``max_side`` ``path`` is decoded at (0 for an original no comparison shows)."""
        return self._side.get(path, 0)

    def get(self, path: Path) -> LoadedImage:
        """The decode of ``path`` (made by the first comparison that asks).

        Raises ``InputFileError`` as ``open_image`` does.
        """
        with self._locks[path]:
            if path not in self._images:
                self._images[path] = open_image(path, max_side=self._side[path])
            return self._images[path]

    def done(self, path: Path) -> None:
        """One comparison of ``path`` is drawn; the last one frees the decode."""
        with self._count_lock:
            self._uses[path] -= 1
            if self._uses[path] <= 0:
                self._images.pop(path, None)

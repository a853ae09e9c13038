"""Comparison pictures kept per content: a rebuild draws no unchanged pair again.

Drawing a pair (decoding our original at proof scale, resizing, warping their
image, encoding four JPEGs) is most of a rebuild's time once the pair checks are
cached (``matching.verdict_cache``). The pictures are a pure function of what
goes into them, so they are stored in the feature cache database (table
``pictures``) under a key made of all of it:

- both files' SHA-256 and paths, and the size our original is decoded at;
- the match (every figure ``match --json`` shows, and its note), our original's
  metadata and their listing as the captions show them, the dossier language,
  the page width and the picture height;
- ``package_digest()``: the SHA-256 of every source file and message catalog of
  appeal-kit, the bundled fonts, and the versions of Pillow, NumPy, OpenCV and
  reportlab. Any change to the code, even one that should not change a picture,
  makes every stored picture unreachable: a stale picture is never shown.

On a hit the stored JPEG bytes are written where the drawing would have written
them, so a cached build's files and PDF are byte for byte those of a fresh one
(tests check it). The text that goes with the pictures (captions, the sentence)
is worded afresh. Pictures least recently used beyond ``PICTURES_SHARE`` of the
cache's cap are dropped; ``appeal-kit cache --clear`` drops them all.
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

from appeal_kit.case.config import AccusedListing
from appeal_kit.comparison.pictures import (
    ComparisonImage,
    comparison_texts,
    original_decode_side,
    render_comparison,
)
from appeal_kit.comparison.store import DecodedOriginals
from appeal_kit.comparison.wording import CONTAINS_MORE_WARNING
from appeal_kit.fsutil import atomic_write_bytes
from appeal_kit.i18n import english
from appeal_kit.i18n.document import DocLang, text_langs, translate
from appeal_kit.matching.index import cache_limit_bytes
from appeal_kit.models import ImageMetadata, MatchResult

# Stored pictures may take this share of the cache's cap (about 0.8 MB per pair).
PICTURES_SHARE = 0.25
_PRUNE_TO = 0.8
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pictures (
    key TEXT PRIMARY KEY,
    numbers TEXT NOT NULL,
    picture BLOB NOT NULL,
    proof BLOB,
    page_picture BLOB,
    page_proof BLOB,
    size INTEGER NOT NULL,
    used REAL NOT NULL
)
"""
_BLOBS = ("picture", "proof", "page_picture", "page_proof")


@cache
def package_digest() -> str:
    """SHA-256 of appeal-kit's code, catalogs and fonts, and of the libraries that draw."""
    import cv2
    import numpy
    import PIL
    import reportlab

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for pattern in ("**/*.py", "**/*.mo", "fonts/*"):
        for source in sorted(package.glob(pattern)):
            digest.update(source.relative_to(package).as_posix().encode() + b"\0")
            digest.update(source.read_bytes() + b"\0")
    versions = (cv2.__version__, numpy.__version__, PIL.__version__, reportlab.Version)
    digest.update(" ".join(versions).encode())
    return digest.hexdigest()


@dataclasses.dataclass
class _Stored:
    """One pair's pictures: the JPEG bytes and the numbers that place them."""

    numbers: dict[str, Any]
    blobs: dict[str, bytes | None]


class PictureCache:
    """Stored comparison pictures in ``db`` (``None``: nothing is kept). Thread-safe.

    New pictures are written in one transaction by ``close``; a cache that cannot
    be read or written costs a drawing, never a build.
    """

    def __init__(self, db: Path | None) -> None:
        self.db = db
        self.hits = 0
        self._lock = threading.Lock()
        self._fresh: dict[str, _Stored] = {}
        self._used: set[str] = set()
        self._conn: sqlite3.Connection | None = None
        if db is not None and db.is_file():
            with contextlib.suppress(sqlite3.Error):
                uri = db.resolve().as_uri() + "?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False)

    def get(self, key: str) -> _Stored | None:
        if self._conn is None:
            return None
        with self._lock:
            try:
                row = self._conn.execute(
                    f"SELECT numbers, {', '.join(_BLOBS)} FROM pictures WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error:  # no table yet, or a busy or damaged file
                return None
            if row is None:
                return None
            try:
                numbers = json.loads(row[0])
            except ValueError:
                return None
            self._used.add(key)
            self.hits += 1
        return _Stored(numbers, dict(zip(_BLOBS, row[1:], strict=True)))

    def put(self, key: str, stored: _Stored) -> None:
        with self._lock:
            self._fresh[key] = stored

    def close(self) -> None:
        """Write new pictures and last-used stamps, then keep the table under its share."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self.db is None or not (self._fresh or self._used):
            return
        now = time.time()
        rows = [
            (key, json.dumps(s.numbers), *(s.blobs[b] for b in _BLOBS), _size(s), now)
            for key, s in sorted(self._fresh.items())
        ]
        with contextlib.suppress(sqlite3.Error, OSError):
            self.db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(str(self.db), timeout=30)) as conn, conn:
                conn.execute(_SCHEMA)
                conn.executemany(
                    f"INSERT OR REPLACE INTO pictures (key, numbers, {', '.join(_BLOBS)}, "
                    "size, used) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                conn.executemany(
                    "UPDATE pictures SET used = ? WHERE key = ?",
                    [(now, key) for key in sorted(self._used)],
                )
                _prune(conn, int(cache_limit_bytes() * PICTURES_SHARE))
        self._fresh.clear()
        self._used.clear()


def _size(stored: _Stored) -> int:
    return sum(len(blob) for blob in stored.blobs.values() if blob is not None)


def _prune(conn: sqlite3.Connection, limit: int) -> None:
    """Over ``limit`` bytes: drop the least recently used down to ``_PRUNE_TO`` of it."""
    total = conn.execute("SELECT ifnull(sum(size), 0) FROM pictures").fetchone()[0]
    if total <= limit:
        return
    excess = total - int(limit * _PRUNE_TO)
    doomed = []
    for key, size in conn.execute("SELECT key, size FROM pictures ORDER BY used, key"):
        if excess <= 0:
            break
        doomed.append((key,))
        excess -= size
    conn.executemany("DELETE FROM pictures WHERE key = ?", doomed)


def draw_comparison(
    match: MatchResult,
    *,
    original_meta: ImageMetadata | None,
    listing: AccusedListing | None,
    out_path: Path,
    lang: DocLang,
    page_width: int | None,
    originals: DecodedOriginals,
    pictures: PictureCache,
    digests: dict[Path, str | None],
) -> ComparisonImage:
    """``render_comparison`` of ``match``, or its stored pictures when nothing that goes into them changed.

    ``digests``: SHA-256 of the case's files, as the build's snapshot hashed them.
    """
    original, accused = match.original, match.accused
    assert original is not None
    key = None
    if digests.get(original) and digests.get(accused):
        side = originals.side(original) or original_decode_side(match, original_meta)
        parts = [
            package_digest(),
            [digests[original], digests[accused], str(original), str(accused), side],
            [match.to_json(), english(match.note)],
            original_meta.to_json() if original_meta is not None else None,
            dataclasses.asdict(listing) if listing is not None else None,
            [lang, page_width],
        ]
        text = json.dumps(parts, sort_keys=True, default=str)
        key = hashlib.sha256(text.encode()).hexdigest()
        stored = pictures.get(key)
        if stored is not None:
            return _recalled(stored, match, original_meta, listing, out_path, lang)
    image = render_comparison(
        original,
        accused,
        match,
        original_meta=original_meta,
        listing=listing,
        out_path=out_path,
        lang=lang,
        page_width=page_width,
        originals=originals,
    )
    if key is not None:
        pictures.put(key, _stored_of(image))
    return image


def _stored_of(image: ComparisonImage) -> _Stored:
    numbers = {
        "width": image.width,
        "height": image.height,
        "original_box": image.original_box,
        "accused_box": image.accused_box,
        "caption_band": image.caption_band,
        "detail_width": image.detail_width,
        "detail_height": image.detail_height,
        "original_size": image.original_size,
        "accused_size": image.accused_size,
        "page_picture": image.page_picture[1] if image.page_picture else None,
        "page_proof": image.page_proof[1] if image.page_proof else None,
    }
    return _Stored(
        numbers,
        {
            "picture": image.path.read_bytes(),
            "proof": image.detail_path.read_bytes() if image.detail_path else None,
            "page_picture": image.page_picture[0] if image.page_picture else None,
            "page_proof": image.page_proof[0] if image.page_proof else None,
        },
    )


def _recalled(
    stored: _Stored,
    match: MatchResult,
    original_meta: ImageMetadata | None,
    listing: AccusedListing | None,
    out_path: Path,
    lang: DocLang,
) -> ComparisonImage:
    """The stored pictures written where a drawing would put them, with their text worded afresh."""
    assert match.original is not None
    n = stored.numbers
    sizes = (_pair(n["original_size"]), _pair(n["accused_size"]))
    o_lines, a_lines, sentences = comparison_texts(
        match.original, match.accused, match, original_meta, listing, sizes, lang
    )
    _write(out_path, stored.blobs["picture"])
    detail_path = None
    if stored.blobs["proof"] is not None:
        detail_path = out_path.with_name(f"{out_path.stem}-proof.jpg")
        _write(detail_path, stored.blobs["proof"])
    langs = text_langs(lang)

    def page(name: str) -> tuple[bytes, tuple[int, int]] | None:
        blob = stored.blobs[name]
        return None if blob is None else (blob, _pair(n[name]))

    return ComparisonImage(
        path=out_path,
        width=n["width"],
        height=n["height"],
        caption=sentences[0],
        caption_versions=list(zip(langs, sentences, strict=True)),
        detail_path=detail_path,
        accused=match.accused,
        original=match.original,
        verdict=match.verdict,
        original_caption=o_lines,
        accused_caption=a_lines,
        original_box=_box(n["original_box"]),
        accused_box=_box(n["accused_box"]),
        caption_band=_box(n["caption_band"]),
        detail_width=n["detail_width"],
        detail_height=n["detail_height"],
        warning=translate(CONTAINS_MORE_WARNING, langs[0]) if match.accused_contains_more else None,
        page_picture=page("page_picture"),
        page_proof=page("page_proof"),
        original_size=sizes[0],
        accused_size=sizes[1],
    )


def _pair(values: list[int]) -> tuple[int, int]:
    return int(values[0]), int(values[1])


def _box(values: list[int]) -> tuple[int, int, int, int]:
    return int(values[0]), int(values[1]), int(values[2]), int(values[3])


def _write(path: Path, data: bytes | None) -> None:
    assert data is not None
    atomic_write_bytes(path, data)
    path.chmod(0o644)  # as pictures._save_jpeg: a comparison image is meant to be shared

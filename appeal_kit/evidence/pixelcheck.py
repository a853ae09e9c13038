"""The metadata stage's pixel check: HEIF thumbnails, and outcomes cached per content hash.

``build`` and ``exif --verify`` decode each image at 256 px: it proves the image
data can be read, and shows whether the EXIF thumbnail still shows the picture
("thumbnail matches", the dossier's "as the camera wrote it"). The outcome
depends on the file's bytes only, so a build stores it in the feature cache
database (table ``pixel_checks``, keyed by SHA-256 and ``CHECK_VERSION``) and
the next build of an unchanged file reads it instead of decoding again. A check
that fails (a damaged file) is never stored: it is decoded, and named, each time.

Workers look rows up read-only; the calling process writes new rows and the
last-used stamps in one transaction (``store``).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from appeal_kit.errors import UnreadableImageError
from appeal_kit.evidence.images import LoadedImage
from appeal_kit.i18n import Translated, __
from appeal_kit.models import ImageMetadata

# Bump when the check's code changes what it finds, so older rows are not used.
CHECK_VERSION = 1
# Rows are about 100 bytes; the oldest used beyond this many are dropped.
MAX_ROWS = 20_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pixel_checks (
    sha256 TEXT NOT NULL,
    version INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    used REAL NOT NULL,
    PRIMARY KEY (sha256, version)
)
"""


@dataclass
class CheckMemo:
    """One file's check: the caller's decode, where to look the outcome up, what happened.

    ``view``: the 256 px decode when the caller already made it. ``fresh``: the
    outcome computed here, as ``store`` writes it; ``hit``: it was read instead.
    """

    view: LoadedImage | None = None
    db: Path | None = None
    fresh: str | None = None
    hit: bool = False

    def recall(self, meta: ImageMetadata) -> bool:
        """Fill ``meta`` from a stored outcome of the same bytes; False when there is none."""
        if self.db is None or not meta.sha256:
            return False
        stored = _lookup(self.db, meta.sha256)
        self.hit = stored is not None and _apply(meta, stored)
        return self.hit

    def remember(self, meta: ImageMetadata, before: int) -> None:
        """Keep the outcome just computed (``before``: warnings ``meta`` had until then)."""
        self.fresh = _encode(meta.thumbnail_matches, meta.warnings[before:])


def heif_thumbnail_decodes(path: Path) -> bool:
    """Decode a HEIF's embedded thumbnail to prove its data is whole; False when it has none.

    libheif has no reduced-size decode, and a 12 MP phone HEIC takes half a second
    to decode in full, so its thumbnail (which phones always write) stands in.
    Raises ``UnreadableImageError`` as ``open_image`` would for a damaged file.
    """
    import pillow_heif

    try:
        heif = pillow_heif.open_heif(path, convert_hdr_to_8bit=True)
        if not heif.info.get("thumbnails"):
            return False
        heif[heif.primary_index].get_thumbnail(0).to_pillow()
    except (OSError, EOFError, ValueError, RuntimeError) as exc:
        text = str(exc)
        truncated = isinstance(exc, EOFError) or "end of file" in text.lower()
        raise UnreadableImageError(
            path,
            __("is truncated: the file ends before the image data does")
            if truncated
            else __("is corrupt: {value}", value=text or type(exc).__name__),
            hint=__("copy the file again from the camera, phone or download"),
        ) from None
    return True


def _encode(matches: bool | None, added: list[str]) -> str | None:
    """The outcome as stored; None when a warning could not be said again from a row."""
    said: list[list[object]] = []
    for warning in added:
        if not isinstance(warning, Translated):
            return None
        if not all(isinstance(v, str | int) for v in warning.fields.values()):
            return None
        said.append([warning.msgid, warning.fields])
    return json.dumps({"matches": matches, "warnings": said}, sort_keys=True)


def _apply(meta: ImageMetadata, stored: str) -> bool:
    """Fill ``meta`` from a stored outcome; False (nothing changed) for a row it cannot read."""
    try:
        outcome = json.loads(stored)
        matches = outcome["matches"]
        # Said again through ``__``: in today's console language, as a fresh check would.
        warnings = [__(str(msgid), **dict(fields)) for msgid, fields in outcome["warnings"]]
    except (ValueError, KeyError, TypeError, IndexError):
        return False
    if matches not in (True, False, None):
        return False
    meta.thumbnail_matches = matches
    meta.warnings.extend(warnings)
    return True


def _lookup(db: Path, sha256: str) -> str | None:
    """The stored outcome for this content, or None (no cache, no row, unreadable)."""
    if not db.is_file():
        return None
    try:
        uri = db.resolve().as_uri() + "?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5)) as conn:
            row = conn.execute(
                "SELECT outcome FROM pixel_checks WHERE sha256 = ? AND version = ?",
                (sha256, CHECK_VERSION),
            ).fetchone()
    except sqlite3.Error:  # no table yet, or a busy or damaged file: decode instead
        return None
    return None if row is None else str(row[0])


def store(db: Path | None, fresh: dict[str, str], used: set[str]) -> None:
    """Write new outcomes (SHA-256 -> outcome) and stamp the rows read, then keep under the cap.

    A cache that cannot be written (read-only, locked) costs the next build a decode,
    never this one its result.
    """
    if db is None or not (fresh or used):
        return
    now = time.time()
    with contextlib.suppress(sqlite3.Error, OSError):
        db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(str(db), timeout=30)) as conn, conn:
            conn.execute(_SCHEMA)
            conn.executemany(
                "INSERT OR REPLACE INTO pixel_checks (sha256, version, outcome, used) "
                "VALUES (?, ?, ?, ?)",
                [(sha, CHECK_VERSION, outcome, now) for sha, outcome in sorted(fresh.items())],
            )
            conn.executemany(
                "UPDATE pixel_checks SET used = ? WHERE sha256 = ? AND version = ?",
                [(now, sha, CHECK_VERSION) for sha in sorted(used)],
            )
            # Rows of an older CHECK_VERSION are never read again; the least recently used
            # go once the table is over its cap.
            conn.execute("DELETE FROM pixel_checks WHERE version != ?", (CHECK_VERSION,))
            conn.execute(
                "DELETE FROM pixel_checks WHERE rowid IN (SELECT rowid FROM pixel_checks "
                "ORDER BY used DESC, sha256 LIMIT -1 OFFSET ?)",
                (MAX_ROWS,),
            )

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
- ``package_digest()`` (in ``fsutil``): the SHA-256 of every source file and message catalog of
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

import dataclasses
import hashlib
import json
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
from appeal_kit.fsutil import CacheTable, atomic_write_bytes, package_digest
from appeal_kit.i18n import english
from appeal_kit.i18n.document import DocLang, text_langs, translate
from appeal_kit.matching.index import cache_limit_bytes
from appeal_kit.models import ImageMetadata, MatchResult

# Stored pictures may take this share of the cache's cap (about 0.8 MB per pair).
PICTURES_SHARE = 0.25
_BLOBS = ("picture", "proof", "page_picture", "page_proof")


@dataclasses.dataclass
class _Stored:
    """One pair's pictures: the JPEG bytes and the numbers that place them."""

    numbers: dict[str, Any]
    blobs: dict[str, bytes | None]


class PictureCache(CacheTable):
    """Stored comparison pictures in ``db`` (``None``: nothing is kept). Thread-safe.

    A cache that cannot be read or written costs a drawing, never a build.
    """

    def __init__(self, db: Path | None) -> None:
        limit = int(cache_limit_bytes() * PICTURES_SHARE)
        super().__init__(db, "pictures", ("numbers", *_BLOBS), limit)

    def recall(self, key: str) -> _Stored | None:
        row = self.get(key)
        if row is None:
            return None
        try:
            numbers = json.loads(row[0])
        except (TypeError, ValueError):  # a damaged row: drawn afresh
            return None
        return _Stored(numbers, dict(zip(_BLOBS, row[1:], strict=True)))

    def keep(self, key: str, stored: _Stored) -> None:
        self.put(key, (json.dumps(stored.numbers), *(stored.blobs[b] for b in _BLOBS)))


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
        stored = pictures.recall(key)
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
        pictures.keep(key, _stored_of(image))
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

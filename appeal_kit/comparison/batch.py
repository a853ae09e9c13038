"""Every comparison of one build: each original decoded once, pairs drawn on threads.

A pair drawn by an earlier build from the same bytes, code and words is recalled
from the cache instead (``comparison.cache``).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from appeal_kit.case.config import AccusedListing
from appeal_kit.comparison.cache import PictureCache, draw_comparison
from appeal_kit.comparison.pictures import ComparisonImage, comparison_name, original_decode_side
from appeal_kit.comparison.store import DecodedOriginals
from appeal_kit.i18n.document import DocLang
from appeal_kit.models import ImageMetadata, MatchResult


def draw_comparisons(
    pairs: list[MatchResult],
    *,
    folder: Path,
    metadata_for: Callable[[Path], ImageMetadata | None],
    listing_for: Callable[[Path], AccusedListing | None],
    lang: DocLang,
    page_width: int | None,
    cache_db: Path | None,
    digests: dict[Path, str | None],
    jobs: int,
    on_done: Callable[[int, int], None] | None = None,
) -> list[ComparisonImage]:
    """The pictures of ``pairs`` (numbered from 1, in order), written into ``folder``.

    ``digests``: SHA-256 of the case's files, as the build's snapshot hashed them;
    ``on_done(done, total)`` after each pair.
    """
    # An original shown in several comparisons is decoded once, for all of them.
    originals = DecodedOriginals(
        (m.original, original_decode_side(m, metadata_for(m.original)))
        for m in pairs
        if m.original is not None
    )
    pictures = PictureCache(cache_db)

    def draw(numbered: tuple[int, MatchResult]) -> ComparisonImage:
        number, match = numbered
        assert match.original is not None
        try:
            return draw_comparison(
                match,
                original_meta=metadata_for(match.original),
                listing=listing_for(match.accused),
                out_path=folder / comparison_name(number, match.accused, match.original),
                lang=lang,
                page_width=page_width,
                originals=originals,
                pictures=pictures,
                digests=digests,
            )
        finally:
            originals.done(match.original)

    # Threads, not processes: Pillow and OpenCV release the GIL while decoding and
    # warping, and each pair writes its own files, so the order of work can't leak.
    rendered: list[ComparisonImage] = []
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for image in pool.map(draw, enumerate(pairs, start=1)):
                rendered.append(image)
                if on_done:
                    on_done(len(rendered), len(pairs))
    finally:
        pictures.close()
    return rendered

"""The ``cache`` command: how big the feature cache is, and clearing it."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from appeal_kit.errors import OutputError
from appeal_kit.i18n import __

console = Console()


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def cache(
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            help="The cache folder, if build and match use one (default: $APPEAL_KIT_CACHE "
            "or ~/.cache/appeal-kit).",
        ),
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Delete the cached image features.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Show the size of the image-feature cache, or clear it.

    build and match keep the features of every image they analyse, keyed by its
    content, and the outcome of every pair they check (build: and its comparison
    pictures), so the next build skips them. The least recently used are removed when the cache outgrows its cap
    ($APPEAL_KIT_CACHE_MAX_MB, default 512).

    Example: appeal-kit cache --clear
    """
    # The matching module loads OpenCV; only this command pays for it.
    from appeal_kit.matching.index import cache_dir_for, clear_cache, summarize_cache

    folder = cache_dir_for(cache_dir)
    summary = summarize_cache(folder)
    try:
        freed = clear_cache(folder) if clear else 0
    except OSError as exc:
        raise OutputError(
            __(
                "cannot delete the feature cache in {folder}: {reason}",
                folder=folder,
                reason=exc.strerror or exc,
            ),
            hint=__(
                "check that you may write to that folder, or delete its features.sqlite files "
                "yourself"
            ),
        ) from None
    if as_json:
        data = {
            "folder": str(folder),
            "size_bytes": 0 if clear else summary.file_bytes,
            "entries": 0 if clear else summary.entries,
            "checked_pairs": 0 if clear else summary.verdicts,
            "comparison_pictures": 0 if clear else summary.pictures,
            "limit_bytes": summary.limit_bytes,
            "freed_bytes": freed,
        }
        typer.echo(json.dumps(data, indent=2))
        return
    where = escape(str(folder))
    if clear:
        console.print(
            __(
                "Cleared the feature cache in {folder}: {size} freed. The next build analyses "
                "every image again.",
                folder=where,
                size=_megabytes(freed),
            ),
            highlight=False,
        )
        return
    console.print(
        __(
            "Feature cache in {folder}: {size} on disk (features of {entries} images, "
            "{checks} pair checks, {pictures} comparison pictures), cap {limit}.\n"
            "Clear it with: {command}",
            folder=where,
            size=_megabytes(summary.file_bytes),
            entries=summary.entries,
            checks=summary.verdicts,
            pictures=summary.pictures,
            # The folder shown, not the default one: clearing must empty what was shown.
            command=escape(
                "appeal-kit cache --clear"
                + (f" --cache-dir {shlex.quote(str(cache_dir))}" if cache_dir else "")
            ),
            limit=_megabytes(summary.limit_bytes),
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add the ``cache`` command to ``app``."""
    app.command("cache")(cache)

"""Comparison pictures recalled from the cache: the same bytes, no drawing, redrawn on any change."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from appeal_kit.comparison import cache as picture_cache
from appeal_kit.matching.index import CACHE_FILE
from appeal_kit.options import BuildOptions
from appeal_kit.pipeline import build_dossier


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and (p.suffix in (".pdf", ".jpg") or p.name == "manifest.json")
    }


def _count_drawings(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every pair drawn (not recalled) from now on."""
    drawn: list[Path] = []
    real: Callable[..., Any] = picture_cache.render_comparison

    def counting(original: Path, accused: Path, *args: Any, **kwargs: Any) -> Any:
        drawn.append(accused)
        return real(original, accused, *args, **kwargs)

    monkeypatch.setattr(picture_cache, "render_comparison", counting)
    return drawn


def test_a_rebuild_draws_nothing_and_writes_the_same_bytes(
    make_case: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = make_case(2)
    cache = tmp_path / "cache"
    first = build_dossier(case, BuildOptions(cache_dir=cache, out_dir=tmp_path / "a", jobs=2))
    drawn = _count_drawings(monkeypatch)
    second = build_dossier(case, BuildOptions(cache_dir=cache, out_dir=tmp_path / "b", jobs=2))
    assert drawn == []
    # It holds pictures of the seller's photos: a new cache folder is private.
    assert cache.stat().st_mode & 0o777 == 0o700
    assert len(first.comparison_paths) == 4  # two side-by-sides, two proof strips
    assert _outputs(tmp_path / "a") == _outputs(tmp_path / "b")
    # And both are what a build with no cache at all writes.
    build_dossier(case, BuildOptions(cache_dir=tmp_path / "empty", out_dir=tmp_path / "c"))
    assert _outputs(tmp_path / "c") == _outputs(tmp_path / "a")
    assert second.pdf_path.read_bytes() == first.pdf_path.read_bytes()


def test_other_words_or_other_code_are_drawn_again(
    make_case: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = make_case(2)
    cache = tmp_path / "cache"
    build_dossier(case, BuildOptions(cache_dir=cache, out_dir=tmp_path / "en"))
    drawn = _count_drawings(monkeypatch)
    # Another language: other captions in the pictures.
    build_dossier(case, BuildOptions(cache_dir=cache, out_dir=tmp_path / "zh", lang="zh"))
    assert len(drawn) == 2
    assert _outputs(tmp_path / "zh") != _outputs(tmp_path / "en")
    # The listing's address is printed under their image: a new one redraws.
    toml = case / "case.toml"
    toml.write_text(toml.read_text().replace("1005000000000001", "1005000000000002"))
    build_dossier(case, BuildOptions(cache_dir=cache, out_dir=tmp_path / "url"))
    assert len(drawn) == 4
    # Another version of appeal-kit.
    monkeypatch.setattr(picture_cache, "package_digest", lambda: "another version")
    build_dossier(case, BuildOptions(cache_dir=cache, out_dir=tmp_path / "code"))
    assert len(drawn) == 6


def test_stored_pictures_stay_within_their_share_of_the_cap(
    make_case: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPEAL_KIT_CACHE_MAX_MB", "2")
    case = make_case(3)
    cache = tmp_path / "cache"
    build_dossier(case, BuildOptions(cache_dir=cache, out_dir=tmp_path / "out"))
    with contextlib.closing(sqlite3.connect(cache / CACHE_FILE)) as db:
        count, stored = db.execute("SELECT count(*), ifnull(sum(size), 0) FROM pictures").fetchone()
    assert stored <= 2_000_000 * picture_cache.PICTURES_SHARE
    assert count < 3  # three pairs did not fit: the oldest went

"""The feature cache as a good citizen: private in tests, capped, prunable, clearable."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np

from appeal_kit.matching.index import (
    CACHE_FILE,
    FeatureCache,
    Features,
    cache_dir_for,
    summarize_cache,
)
from appeal_kit.matching.verdict_cache import VerdictStore
from appeal_kit.options import BuildOptions
from appeal_kit.pipeline import cache_path_for
from tests.conftest import run_cli, run_subprocess


def _features(seed: int, count: int = 100) -> Features:
    """Features of about ``count * 136`` bytes (points and descriptors)."""
    rng = np.random.default_rng(seed)
    return Features(
        f"{seed:064x}",
        640,
        480,
        6000,
        4000,
        rng.random((count, 2), dtype=np.float32),
        rng.integers(0, 255, (count, 128), dtype=np.uint8),
    )


def _stored(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT sha256 FROM features")}


def test_tests_never_use_the_real_cache() -> None:
    # conftest points every build (and every subprocess) at a temporary folder.
    home_cache = Path.home() / ".cache" / "appeal-kit"
    assert os.environ["APPEAL_KIT_CACHE"]
    assert not cache_path_for(BuildOptions()).is_relative_to(home_cache)
    assert cache_dir_for(None) == Path(os.environ["APPEAL_KIT_CACHE"])


def test_cache_over_its_cap_drops_the_least_recently_used(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILE
    one = 100 * (2 * 4 + 128)  # bytes per entry
    cache = FeatureCache(path, max_bytes=3 * one)
    cache.put_many([("original", _features(1))])
    cache.put_many([("original", _features(2))])
    cache.put_many([("original", _features(3))])
    assert cache.get(_features(1).sha256, "original") is not None  # 1 is used again
    cache.put_many([("original", _features(4))])  # over the cap: 2 is the oldest
    cache.close()
    # Pruned down to 80 % of the cap: the two least recently used (2, then 3) went.
    assert _stored(path) == {_features(1).sha256, _features(4).sha256}


def test_cache_made_before_the_cap_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILE
    with sqlite3.connect(path) as db:  # the schema of appeal-kit 0.1
        db.execute(
            "CREATE TABLE features (sha256 TEXT NOT NULL, role TEXT NOT NULL, "
            "version INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL, "
            "full_width INTEGER NOT NULL, full_height INTEGER NOT NULL, points BLOB NOT NULL, "
            "descriptors BLOB NOT NULL, mirror_points BLOB, mirror_descriptors BLOB, "
            "PRIMARY KEY (sha256, role, version))"
        )
        db.execute(
            "INSERT INTO features VALUES ('old', 'original', 1, 1, 1, 1, 1, ?, ?, NULL, NULL)",
            (b"\0" * 8, b"\0" * 128),
        )
    cache = FeatureCache(path, max_bytes=10_000_000)
    cache.put_many([("original", _features(5))])
    cache.close()
    assert _stored(path) == {"old", _features(5).sha256}
    assert summarize_cache(tmp_path).entries == 2


def test_cache_command_shows_size_and_clears(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    cache = FeatureCache(folder / CACHE_FILE)
    cache.put_many([("original", _features(n)) for n in range(3)])
    cache.close()
    verdicts = VerdictStore(folder / CACHE_FILE)
    verdicts.put("one pair", ("null", None))
    verdicts.close()

    shown = run_cli("cache", "--cache-dir", folder)
    assert shown.code == 0, shown.stdout + shown.stderr
    flat = " ".join(shown.stdout.split())
    assert "features of 3 images, 1 pair checks, 0 comparison pictures" in flat
    # The clear command shown empties the folder shown, not the default cache.
    assert f"appeal-kit cache --clear --cache-dir {folder}" in flat

    cleared = run_cli("cache", "--cache-dir", folder, "--clear")
    assert cleared.code == 0
    assert "Cleared" in cleared.stdout
    assert not (folder / CACHE_FILE).exists()
    assert summarize_cache(folder).entries == summarize_cache(folder).verdicts == 0


def test_cache_command_follows_the_environment_in_a_real_process(tmp_path: Path) -> None:
    # conftest's APPEAL_KIT_CACHE reaches the subprocess: it reports the private folder.
    result = run_subprocess("cache", "--json")
    assert result.code == 0, result.stderr
    assert os.environ["APPEAL_KIT_CACHE"] in result.stdout

"""Verification outcomes recalled from the cache: the same verdicts, words and figures, no decode."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from appeal_kit.errors import UnreadableImageError
from appeal_kit.matching import verdict_cache
from appeal_kit.matching.matcher import FeatureMatcher
from appeal_kit.models import MatchResult
from devtools import synthetic as syn

SIZE = (960, 720)


def _save(img: Image.Image, path: Path) -> Path:
    img.save(path, quality=92)
    return path


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[Path]]:
    """Two scenes and a second frame of one of them; a crop, a mirrored copy of the
    second frame, another frame, another product sharing the label, and a page without a photo."""
    folder = tmp_path_factory.mktemp("verdicts")
    scene, other = syn.make_photo(41, SIZE), syn.make_photo(43, SIZE)
    frames = syn.make_shoot(41, 3, SIZE)
    originals = [
        _save(scene, folder / "IMG_41.jpg"),
        _save(other, folder / "IMG_43.jpg"),
        _save(frames[1], folder / "IMG_41b.jpg"),
    ]
    accused = [
        _save(syn.crop(other, 0.4, syn.rng(5)).image, folder / "crop.jpg"),
        _save(syn.Derived(frames[1]).then(syn.orient, 4).image, folder / "mirror.jpg"),
        _save(frames[2], folder / "frame.jpg"),
        _save(syn.make_photo(77, SIZE), folder / "other-product.jpg"),
        _save(
            syn.listing_screenshot(Image.new("RGB", (400, 300), "white"), syn.rng(9)).image,
            folder / "page.jpg",
        ),
    ]
    return accused, originals


def _every_field(results: list[MatchResult]) -> list[str]:
    return [json.dumps(r.to_json(), sort_keys=True) + "|" + r.note for r in results]


def test_second_run_recalls_every_verification_with_identical_results(
    case: tuple[list[Path], list[Path]], tmp_path: Path
) -> None:
    accused, originals = case
    fresh = FeatureMatcher(cache_path=None).match(accused, originals)
    db = tmp_path / "features.sqlite"
    first = FeatureMatcher(cache_path=db)
    stored = first.match(accused, originals)
    assert first.recalled == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM verdicts").fetchone()[0] == len(accused)
    second = FeatureMatcher(cache_path=db)
    recalled = second.match(accused, originals)
    assert second.recalled == len(accused) and second.extracted == 0
    assert not second._gray_cache  # nothing was decoded for verification
    assert _every_field(recalled) == _every_field(stored) == _every_field(fresh)
    # The case covers what a stored outcome must carry: a match, a mirrored copy,
    # partial agreement, and nothing at all.
    verdicts = {r.accused.name: r for r in recalled}
    assert verdicts["crop.jpg"].verdict == "match" and verdicts["crop.jpg"].region
    assert verdicts["mirror.jpg"].mirrored
    assert verdicts["other-product.jpg"].verdict != "match"
    assert verdicts["page.jpg"].verdict == "none"
    assert verdicts["frame.jpg"].verdict != "match"


def test_a_recalled_note_is_worded_in_the_language_of_the_run(
    case: tuple[list[Path], list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accused, originals = case
    db = tmp_path / "features.sqlite"
    english = FeatureMatcher(cache_path=db).match(accused, originals)
    monkeypatch.setenv("APPEAL_KIT_LANG", "zh")
    chinese = FeatureMatcher(cache_path=db).match(accused, originals)
    fresh = FeatureMatcher(cache_path=None).match(accused, originals)
    noted = [i for i, r in enumerate(english) if r.note]
    assert noted, "the case should give at least one note"
    for i in noted:
        assert chinese[i].note == fresh[i].note != english[i].note


def test_changed_code_or_changed_original_is_verified_again(
    case: tuple[list[Path], list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accused, originals = case
    db = tmp_path / "features.sqlite"
    FeatureMatcher(cache_path=db).match(accused[:1], originals)
    monkeypatch.setattr(verdict_cache, "code_digest", lambda: "another version of the code")
    changed = FeatureMatcher(cache_path=db)
    changed.match(accused[:1], originals)
    assert changed.recalled == 0
    monkeypatch.undo()
    # The matched original re-saved: other bytes, so another key.
    moved = tmp_path / "IMG_43.jpg"
    Image.open(originals[1]).save(moved, quality=80)
    again = FeatureMatcher(cache_path=db)
    [result] = again.match(accused[:1], [originals[0], moved, originals[2]])
    assert again.recalled == 0 and result.original == moved and result.verdict == "match"


def test_a_verification_that_could_not_decode_is_not_stored(
    case: tuple[list[Path], list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accused, originals = case
    db = tmp_path / "features.sqlite"

    def unreadable(self: FeatureMatcher, path: Path, side: int) -> object:
        raise UnreadableImageError(path, "damaged")

    monkeypatch.setattr(FeatureMatcher, "_gray", unreadable)
    FeatureMatcher(cache_path=db).match(accused[:1], originals)
    monkeypatch.undo()
    later = FeatureMatcher(cache_path=db)
    [result] = later.match(accused[:1], originals)
    assert later.recalled == 0 and result.verdict == "match"


def test_a_damaged_row_is_verified_afresh(
    case: tuple[list[Path], list[Path]], tmp_path: Path
) -> None:
    accused, originals = case
    db = tmp_path / "features.sqlite"
    [before] = FeatureMatcher(cache_path=db).match(accused[:1], originals)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE verdicts SET outcome = '{\"candidate\": 7'")
    [after] = FeatureMatcher(cache_path=db).match(accused[:1], originals)
    assert after.to_json() == before.to_json()


def test_two_threads_give_what_one_gives_with_some_recalled(
    case: tuple[list[Path], list[Path]], tmp_path: Path
) -> None:
    accused, originals = case
    alone = FeatureMatcher(cache_path=None, jobs=1).match(accused, originals)
    db = tmp_path / "features.sqlite"
    FeatureMatcher(cache_path=db, jobs=1).match(accused[:2], originals)
    mixed = FeatureMatcher(cache_path=db, jobs=2)
    shared = mixed.match(accused, originals)
    # Two recalled, the rest verified on two threads, in the order given.
    assert mixed.recalled == 2
    assert _every_field(shared) == _every_field(alone)
    again = FeatureMatcher(cache_path=db, jobs=2)
    assert _every_field(again.match(accused, originals)) == _every_field(alone)
    assert again.recalled == len(accused)


def test_a_neighbouring_frame_is_named_with_both_figures_also_when_recalled(
    tmp_path: Path,
) -> None:
    # A crop of frame 2: frame 1 agrees too, less closely. The note gives both
    # mean detail correlations, so a reviewer sees how much closer ours is.
    frames = syn.make_shoot(41, 2, SIZE)
    originals = [_save(frames[0], tmp_path / "IMG_1.jpg"), _save(frames[1], tmp_path / "IMG_2.jpg")]
    copy = tmp_path / "crop.jpg"
    syn.crop(frames[1], 0.5, syn.rng(3)).image.save(copy, quality=80)
    db = tmp_path / "features.sqlite"
    [fresh] = FeatureMatcher(cache_path=db).match([copy], originals)
    assert fresh.verdict == "match" and fresh.original == originals[1]
    found = re.search(
        r"IMG_1\.jpg, a neighbouring frame .*correlation (\d\.\d\d); this one (\d\.\d\d)",
        fresh.note,
    )
    assert found, fresh.note
    assert float(found[1]) < float(found[2])
    again = FeatureMatcher(cache_path=db)
    [recalled] = again.match([copy], originals)
    assert again.recalled == 1 and recalled.note == fresh.note


def test_the_cache_cap_is_shared_so_the_whole_file_stays_under_it(
    case: tuple[list[Path], list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appeal_kit.comparison.cache import PICTURES_SHARE
    from appeal_kit.matching.index import FEATURES_SHARE, FeatureCache

    assert FEATURES_SHARE + PICTURES_SHARE + verdict_cache.VERDICTS_SHARE <= 1.0
    monkeypatch.setenv("APPEAL_KIT_CACHE_MAX_MB", "0.1")  # pair checks may take 5 kB
    assert FeatureCache(None).max_bytes == int(100_000 * FEATURES_SHARE)
    accused, originals = case
    db = tmp_path / "features.sqlite"
    FeatureMatcher(cache_path=db).match(accused, originals)
    with sqlite3.connect(db) as conn:
        rows, stored = conn.execute(
            "SELECT count(*), ifnull(sum(length(outcome) + ifnull(length(points), 0)), 0) "
            "FROM verdicts"
        ).fetchone()
    assert stored <= 100_000 * verdict_cache.VERDICTS_SHARE
    assert rows < len(accused)  # the least recently used went

"""Issue 13: a warm build reads the thumbnail check's outcome from the cache instead of decoding.

The outcome (``thumbnail_matches`` and the check's warnings) depends on the file's
bytes only, so it is kept per SHA-256 in the feature cache database; a change to
the check's code (``CHECK_VERSION``) makes the rows unused.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from typing import Any

import piexif
import pytest
from pypdf import PdfReader

from appeal_kit import BuildOptions, build_dossier
from appeal_kit.evidence import metadata, pixelcheck
from appeal_kit.i18n import english
from appeal_kit.matching.index import CACHE_FILE
from tests.conftest import CASE_TOML, save_jpeg, textured_photo


def _camera_jpeg(path: Path, seed: int, shown: int | None = None, *, broken: bool = False) -> Path:
    """A camera-like JPEG whose EXIF thumbnail shows it, another picture, or bytes no decoder reads."""
    photo = textured_photo(seed, (1200, 900))
    small = io.BytesIO()
    textured_photo(seed if shown is None else shown, (1200, 900)).resize((160, 120)).save(
        small, "JPEG", quality=75
    )
    # Cut off a third of the way: its headers read, its image data does not.
    thumbnail = small.getvalue()[: len(small.getvalue()) // 3] if broken else small.getvalue()
    exif = piexif.dump(
        {
            "0th": {piexif.ImageIFD.Make: b"Canon", piexif.ImageIFD.Model: b"Canon EOS R6"},
            "Exif": {piexif.ExifIFD.DateTimeOriginal: f"2024:03:10 14:0{seed % 10}:11".encode()},
            "1st": {piexif.ImageIFD.Compression: 6},
            "thumbnail": thumbnail,
        }
    )
    return save_jpeg(photo, path, exif=exif)


def _count_decodes(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """Record every decode and comparison the metadata step's check makes of a file in ``folder``."""
    calls: list[str] = []
    for name in ("open_image", "compare_thumbnail"):
        real = getattr(metadata, name)

        def counting(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            first = args[0]
            if isinstance(first, Path) and first.parent == folder:
                calls.append(f"{_name} {first.name}")
            elif _name == "compare_thumbnail":
                calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(metadata, name, counting)
    return calls


def _outcome(meta: Any) -> tuple[Any, ...]:
    warnings = [(str(w), english(w)) for w in meta.warnings]
    findings = [(f.code, str(f.message)) for f in meta.findings]
    return meta.thumbnail_matches, warnings, findings, meta.error


def test_warm_build_decodes_no_original_for_the_check_and_writes_the_same_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "case"
    for folder in ("originals", "accused", "documents"):
        (root / folder).mkdir(parents=True)
    (root / "case.toml").write_text(CASE_TOML, encoding="utf-8")
    originals = root / "originals"
    _camera_jpeg(originals / "IMG_0001.JPG", 401)
    _camera_jpeg(originals / "IMG_0002.JPG", 402, shown=977)  # the thumbnail differs
    _camera_jpeg(originals / "IMG_0003.JPG", 403, broken=True)  # cannot be compared
    crop = textured_photo(401, (1200, 900)).crop((150, 100, 1050, 800))
    save_jpeg(crop, root / "accused" / "listing.jpg", quality=80)
    calls = _count_decodes(monkeypatch, originals)
    cache = tmp_path / "cache"

    def build(out: str) -> Any:
        options = BuildOptions(jobs=1, cache_dir=cache, out_dir=tmp_path / out, force=True)
        return build_dossier(root, options)

    cold = build("cold")
    assert calls, "the cold build checks every original"
    calls.clear()
    warm = build("warm")
    assert calls == []  # no original decoded, no thumbnail compared
    before = {m.display_path: _outcome(m) for m in cold.analysis.originals}
    after = {m.display_path: _outcome(m) for m in warm.analysis.originals}
    assert after == before
    assert [before[f"originals/IMG_000{n}.JPG"][0] for n in (1, 2, 3)] == [True, False, None]
    assert "thumbnail-differs" in {code for code, _ in before["originals/IMG_0002.JPG"][2]}
    assert any("cannot be decoded" in w for w, _ in before["originals/IMG_0003.JPG"][1])
    assert warm.pdf_path.read_bytes() == cold.pdf_path.read_bytes()
    text = "".join(page.extract_text() for page in PdfReader(warm.pdf_path).pages)
    assert "IMG_0002.JPG" in text

    # A change to the check's code leaves the stored outcomes unused.
    monkeypatch.setattr(pixelcheck, "CHECK_VERSION", pixelcheck.CHECK_VERSION + 1)
    again = build("again")
    assert sorted(c for c in calls if c.startswith("open_image")) == [
        f"open_image IMG_000{n}.JPG" for n in (1, 2, 3)
    ]
    assert again.pdf_path.read_bytes() == cold.pdf_path.read_bytes()
    with sqlite3.connect(cache / CACHE_FILE) as db:
        versions = db.execute("SELECT DISTINCT version FROM pixel_checks").fetchall()
    assert versions == [(pixelcheck.CHECK_VERSION,)]


def test_pool_workers_read_and_store_the_outcomes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "originals"
    paths = [_camera_jpeg(folder / f"IMG_{n:04d}.JPG", 500 + n) for n in range(8)]
    paths.append(_camera_jpeg(folder / "IMG_0100.JPG", 600, shown=601))
    damaged = _camera_jpeg(folder / "IMG_0200.JPG", 700)
    data = damaged.read_bytes()
    middle = len(data) // 2
    damaged.write_bytes(data[:middle] + b"\xff" * 64 + data[middle + 64 :])
    paths.append(damaged)
    db = tmp_path / "cache" / CACHE_FILE
    cold = metadata.read_many(paths, jobs=2, check_cache=db)
    assert cold[-1].error is not None and cold[-1].error.startswith("is corrupt")
    assert [m.thumbnail_matches for m in cold[:-1]] == [True] * 8 + [False]
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM pixel_checks").fetchone()[0]
    assert stored == 9  # the damaged file's check failed: never stored, checked each time

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("pixels decoded")

    # Forked workers inherit the refusal: a decode would turn into an error in the result.
    for name in ("open_image", "compare_thumbnail"):
        monkeypatch.setattr(metadata, name, refuse)
    for jobs in (2, 1):
        warm = metadata.read_many(paths, jobs=jobs, check_cache=db)
        assert [_outcome(m) for m in warm[:-1]] == [_outcome(m) for m in cold[:-1]]
        assert warm[-1].error is not None  # decoded again (and refused here)
    # Without a cache (exif --verify) every file is checked as before.
    assert all(m.error is not None for m in metadata.read_many(paths[:2], jobs=1))

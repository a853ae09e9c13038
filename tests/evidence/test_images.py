"""Safe image opening: every way an input can be bad becomes a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from appeal_kit.errors import (
    ImageTooLargeError,
    InputFileError,
    UnreadableImageError,
    UnsupportedFormatError,
)
from appeal_kit.evidence.images import Problem, describe_error, open_image, sha256_file
from tests.conftest import exif_bytes, save_jpeg, textured_photo


def test_draft_mode_decodes_small_and_keeps_full_size(tmp_path: Path) -> None:
    path = save_jpeg(textured_photo(1, (2400, 1600)), tmp_path / "a.jpg")
    loaded = open_image(path, max_side=300)
    assert max(loaded.image.size) <= 300
    assert (loaded.full_width, loaded.full_height) == (2400, 1600)


def test_exif_orientation_applied(tmp_path: Path) -> None:
    path = save_jpeg(
        textured_photo(2, (800, 600)), tmp_path / "r.jpg", exif=exif_bytes(orientation=6)
    )
    loaded = open_image(path)
    assert loaded.image.size == (600, 800)
    assert (loaded.full_width, loaded.full_height) == (600, 800)


@pytest.mark.parametrize(
    ("name", "content", "error", "words"),
    [
        ("empty.jpg", b"", UnreadableImageError, "empty"),
        ("notes.jpg", b"hello, this is a text file\n" * 20, UnreadableImageError, "not an image"),
        ("photo.cr2", b"II*\x00" + b"\x00" * 100, UnsupportedFormatError, "RAW"),
        ("scan.psd", b"8BPS" + b"\x00" * 100, UnsupportedFormatError, "unsupported"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, content: bytes, error: type, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as info:
        open_image(path)
    assert words in info.value.reason


def test_truncated_jpeg(tmp_path: Path) -> None:
    path = save_jpeg(textured_photo(3, (800, 600)), tmp_path / "t.jpg")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableImageError) as info:
        open_image(path)
    assert "truncated" in info.value.reason


def test_png_named_jpg_is_wrongly_named(tmp_path: Path) -> None:
    path = tmp_path / "x.jpg"
    textured_photo(4, (400, 300)).save(path, format="PNG")
    with pytest.raises(UnreadableImageError) as info:
        open_image(path)
    assert "wrongly named" in info.value.reason
    assert "x.png" in (info.value.hint or "")
    reason, fix = describe_error(info.value)
    assert (reason, fix) == (info.value.reason, info.value.hint)
    assert "x.png" not in reason and fix == "rename it to x.png and build again"


def test_describe_error_without_hint_has_an_empty_fix(tmp_path: Path) -> None:
    problem = describe_error(InputFileError(tmp_path / "a.jpg", "is odd"))
    assert problem == Problem("is odd", "") and problem.reason == "is odd" and problem.fix == ""


def test_decompression_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.png"
    Image.new("L", (5000, 5000)).save(path)  # tiny file, 25 MP
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000_000)
    with pytest.raises(ImageTooLargeError) as info:
        open_image(path)
    assert "decompression bomb" in info.value.reason


def test_open_never_modifies_the_file(tmp_path: Path) -> None:
    path = save_jpeg(textured_photo(5, (640, 480)), tmp_path / "o.jpg", exif=exif_bytes())
    before = sha256_file(path)
    mtime = path.stat().st_mtime_ns
    open_image(path, max_side=100)
    assert sha256_file(path) == before
    assert path.stat().st_mtime_ns == mtime


def test_cut_off_checks_never_raise_on_odd_structures(tmp_path: Path) -> None:
    """Both checks read structure a crafted file controls: they answer, never crash."""
    import random
    import struct

    from appeal_kit.evidence.images import heif_cut_off, jpeg_cut_off

    rng = random.Random(7)
    path = tmp_path / "x"
    ftyp = struct.pack(">I4s4sI", 16, b"ftyp", b"heic", 0)
    for _ in range(300):
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 80)))
        iloc = struct.pack(">I4s", 8 + len(body), b"iloc") + body
        meta = struct.pack(">I4sI", 12 + len(iloc), b"meta", 0) + iloc
        path.write_bytes(ftyp + meta[: rng.randrange(1, len(meta) + 1)])
        assert heif_cut_off(path) in (True, False)
        path.write_bytes(b"\xff\xd8" + body)
        assert jpeg_cut_off(path) in (True, False)
    # A whole JPEG with a trailer (a motion photo's video) is not cut off; without EOI it is.
    save_jpeg(textured_photo(5, (320, 240)), path)
    data = path.read_bytes()
    path.write_bytes(data + b"\x00\x00\x00\x18ftypmp42" + bytes(4000))
    assert jpeg_cut_off(path) is False
    path.write_bytes(data[:-2])
    assert jpeg_cut_off(path) is True

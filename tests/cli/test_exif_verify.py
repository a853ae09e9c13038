"""``exif`` reads what exiftool reads; ``exif --verify`` (and ``build``) decode the pixels.

Issue 13: decoding each JPEG at 1/8 scale for the thumbnail check cost more than
exiftool's whole run, so the pixel checks moved behind ``--verify``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import piexif
import pytest

from appeal_kit.errors import ExitCode
from tests.conftest import run_cli, save_jpeg, textured_photo


def _refuse_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every pixel decode of the metadata step fail loudly (forked workers inherit it)."""
    from appeal_kit.evidence import metadata

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("pixels decoded")

    for name in ("open_image", "compare_thumbnail", "_heif_thumbnail_decodes"):
        monkeypatch.setattr(metadata, name, refuse)


def _photo_with_thumbnail(path: Path, seed: int, thumbnail_seed: int | None = None) -> Path:
    """A camera-like JPEG whose EXIF thumbnail shows it (or another picture)."""
    photo = textured_photo(seed, (600, 450))
    shown = photo if thumbnail_seed is None else textured_photo(thumbnail_seed, (600, 450))
    small = io.BytesIO()
    shown.resize((160, 120)).save(small, "JPEG", quality=75)
    exif = piexif.dump(
        {
            "0th": {piexif.ImageIFD.Make: b"Canon", piexif.ImageIFD.Model: b"Canon EOS R6"},
            "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2024:03:10 14:02:11"},
            "1st": {piexif.ImageIFD.Compression: 6},
            "thumbnail": small.getvalue(),
        }
    )
    return save_jpeg(photo, path, exif=exif)


@pytest.mark.parametrize("count", [2, 9])  # 9: enough files for the worker pool
def test_exif_json_reads_headers_without_decoding_pixels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    for number in range(count):
        _photo_with_thumbnail(tmp_path / f"IMG_{number:04d}.JPG", 300 + number)
    _refuse_decoding(monkeypatch)
    result = run_cli("exif", tmp_path, "--json")
    assert result.code == 0, result.stdout + result.stderr
    items = json.loads(result.stdout)
    assert len(items) == count
    for item in items:
        assert "error" not in item, item
        assert item["model"] == "Canon EOS R6" and (item["width"], item["height"]) == (600, 450)
        # Present, as exiftool says; whether it still shows the photo was not checked.
        assert item["has_thumbnail"] is True and item["thumbnail_matches"] is None
        assert len(item["sha256"]) == 64


def test_verify_compares_the_thumbnail(tmp_path: Path) -> None:
    _photo_with_thumbnail(tmp_path / "same.jpg", 310)
    _photo_with_thumbnail(tmp_path / "swapped.jpg", 311, thumbnail_seed=999)
    plain = {i["path"]: i for i in json.loads(run_cli("exif", tmp_path, "--json").stdout)}
    assert [i["thumbnail_matches"] for i in plain.values()] == [None, None]
    assert not any(f["code"] == "thumbnail-differs" for i in plain.values() for f in i["findings"])
    result = run_cli("exif", tmp_path, "--json", "--verify")
    assert result.code == 0, result.stdout
    checked = {Path(i["path"]).name: i for i in json.loads(result.stdout)}
    assert checked["same.jpg"]["thumbnail_matches"] is True
    assert checked["swapped.jpg"]["thumbnail_matches"] is False
    codes = [f["code"] for f in checked["swapped.jpg"]["findings"]]
    assert "thumbnail-differs" in codes


@pytest.mark.parametrize("verify", [False, True])
def test_a_cut_off_jpeg_is_named_with_its_reason(tmp_path: Path, verify: bool) -> None:
    path = _photo_with_thumbnail(tmp_path / "IMG_0001.JPG", 320)
    data = path.read_bytes()
    cut = tmp_path / "IMG_0002.JPG"
    cut.write_bytes(data[: len(data) * 2 // 3])  # an interrupted copy: headers whole
    # An interrupted download that reserved the whole file: its tail is zeros. The
    # 1/8 decode passes it; the missing end marker shows it, with or without --verify.
    zeros = tmp_path / "IMG_0003.JPG"
    zeros.write_bytes(data[: len(data) // 2] + bytes(len(data) - len(data) // 2))
    result = run_cli("exif", tmp_path, "--json", *(["--verify"] if verify else []))
    assert result.code == ExitCode.COMPLETED_WITH_PROBLEMS
    items = {Path(i["path"]).name: i for i in json.loads(result.stdout)}
    assert "error" not in items["IMG_0001.JPG"]
    for name in ("IMG_0002.JPG", "IMG_0003.JPG"):
        item = items[name]
        assert item["error"] == "is truncated: the file ends before the image data does"
        assert item["error_fix"] == "copy the file again from the camera, phone or download"
        assert item["model"] == "Canon EOS R6"  # the headers were read before that


def test_verify_names_a_jpeg_garbled_mid_file(tmp_path: Path) -> None:
    path = _photo_with_thumbnail(tmp_path / "IMG_0001.JPG", 321)
    data = path.read_bytes()
    middle = len(data) // 2
    path.write_bytes(data[:middle] + b"\xff" * 64 + data[middle + 64 :])
    headers = run_cli("exif", tmp_path, "--json")
    assert headers.code == 0  # whole headers and an end marker: only a decode can tell
    [item] = json.loads(headers.stdout)
    assert item["model"] == "Canon EOS R6" and "error" not in item
    result = run_cli("exif", tmp_path, "--json", "--verify")
    assert result.code == ExitCode.COMPLETED_WITH_PROBLEMS
    [item] = json.loads(result.stdout)
    assert item["error"].startswith("is corrupt: ")
    assert item["error_fix"] == "copy the file again from the camera, phone or download"


def test_header_problems_are_reported_without_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    save_jpeg(textured_photo(330, (320, 240)), tmp_path / "photo.png")  # a JPEG named .png
    _refuse_decoding(monkeypatch)
    result = run_cli("exif", tmp_path, "--json")
    assert result.code == ExitCode.COMPLETED_WITH_PROBLEMS
    errors = {Path(i["path"]).name: i["error"] for i in json.loads(result.stdout)}
    assert errors == {
        "empty.jpg": "is empty (0 bytes)",
        "photo.png": "is wrongly named: the name says .png but the content is JPEG",
    }


def test_table_says_the_pixels_were_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appeal_kit.cli import case_commands as cli_case
    from appeal_kit.i18n import set_console_language

    monkeypatch.setattr(cli_case.console, "width", 200)
    _photo_with_thumbnail(tmp_path / "IMG_0001.JPG", 340)
    note = (
        "Pixels not checked: whether each photo still matches its EXIF thumbnail and whether "
        "its image data is complete. Run appeal-kit exif --verify (or build) to check them."
    )
    assert note in run_cli("exif", tmp_path).stdout
    verified = run_cli("exif", tmp_path, "--verify").stdout
    assert "Pixels not checked" not in verified
    # What passed is said too, so a clean table does not look unchecked.
    assert "Pixels checked: image data complete in 1 of 1; 1 of them still match" in " ".join(
        verified.split()
    )
    set_console_language("zh")
    try:
        shown = run_cli("exif", tmp_path).stdout
    finally:
        set_console_language(
            None
        )  # back to the environment (en in tests), not forced for later tests
    assert "Pixels not checked" not in shown and "--verify" in shown and "build" in shown


def test_heic_headers_are_read_without_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif build cannot encode HEIC")
    exif = piexif.dump({"0th": {piexif.ImageIFD.Model: b"iPhone 15"}})
    heif = pillow_heif.from_pillow(textured_photo(350, (640, 480)))
    heif.info["thumbnails"] = [128]
    heif.save(tmp_path / "IMG_0001.HEIC", quality=80, exif=exif)
    from pillow_heif.heif import BaseImage

    decoded: list[tuple[int, int]] = []  # every libheif decode goes through BaseImage.load
    real_load = BaseImage.load

    def load(self: Any) -> None:
        decoded.append(self.size)
        real_load(self)

    monkeypatch.setattr(BaseImage, "load", load)
    [item] = json.loads(run_cli("exif", tmp_path, "--json").stdout)
    assert (item["model"], item["width"], item["height"]) == ("iPhone 15", 640, 480)
    assert decoded == []
    [item] = json.loads(run_cli("exif", tmp_path, "--json", "--verify").stdout)
    assert "error" not in item
    assert decoded and (640, 480) not in decoded  # the embedded thumbnail, not the image


def test_a_zero_filled_tail_the_decode_passes_is_still_named(corpus: Path, tmp_path: Path) -> None:
    """A camera JPEG whose second half is zeros decodes at 1/8 scale without error."""
    from appeal_kit.evidence.images import open_image

    source = corpus.parent / "real-photos" / "Minolta DiMAGE 7.jpg"
    if not source.is_file():
        pytest.skip(f"{source} is not present")
    data = source.read_bytes()
    path = tmp_path / "IMG_0001.JPG"
    path.write_bytes(data[: len(data) // 2] + bytes(len(data) - len(data) // 2))
    open_image(path, max_side=256)  # the decode alone does not see it
    for flags in ([], ["--verify"]):
        [item] = json.loads(run_cli("exif", path, "--json", *flags).stdout)
        assert item["error"] == "is truncated: the file ends before the image data does"
        assert item["model"] == "DiMAGE 7"


def test_a_cut_off_heic_is_named_without_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its item locations (``iloc``) point past the end of the file: nothing is decoded."""
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif build cannot encode HEIC")
    exif = piexif.dump({"0th": {piexif.ImageIFD.Model: b"iPhone 15"}})
    whole = tmp_path / "IMG_0001.HEIC"
    pillow_heif.from_pillow(textured_photo(360, (640, 480))).save(whole, quality=80, exif=exif)
    data = whole.read_bytes()
    (tmp_path / "IMG_0002.HEIC").write_bytes(data[: len(data) // 2])  # pillow-heif cannot open it
    (tmp_path / "IMG_0003.HEIC").write_bytes(data[:-10])  # the last few bytes missing
    _refuse_decoding(monkeypatch)
    result = run_cli("exif", tmp_path, "--json")
    assert result.code == ExitCode.COMPLETED_WITH_PROBLEMS
    items = {Path(i["path"]).name: i for i in json.loads(result.stdout)}
    assert "error" not in items["IMG_0001.HEIC"]
    for name in ("IMG_0002.HEIC", "IMG_0003.HEIC"):
        assert items[name]["error"] == "is truncated: the file ends before the image data does"


_PROBE = """
import json, sys
from appeal_kit.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def test_exif_loads_no_numpy_unless_it_verifies(tmp_path: Path) -> None:
    """NumPy takes 0.1 s to import; only the thumbnail comparison (--verify) needs it."""
    import subprocess
    import sys

    for number in range(2):
        _photo_with_thumbnail(tmp_path / f"IMG_{number:04d}.JPG", 370 + number)
    loaded = {}
    for flags in ((), ("--verify",)):
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE, "exif", str(tmp_path), "--json", *flags],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        report = json.loads(proc.stderr.strip().splitlines()[-1])
        assert report["code"] == 0, proc.stdout + proc.stderr
        loaded[flags] = set(report["modules"])
    heavy = ("numpy", "cv2", "reportlab", "pypdf")
    assert not [m for m in loaded[()] if m.split(".")[0] in heavy]
    assert "numpy" in loaded[("--verify",)]  # the probe sees what it is meant to see

"""Shared fixtures: generated case folders and three ways to run the CLI.

Like OCRmyPDF's conftest: in-process through ``main`` (exit code + output, the
real error handler), Typer's CliRunner, and a real subprocess for one smoke test.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import piexif
import pytest
from PIL import Image, ImageDraw
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "camera-files"


@pytest.fixture(autouse=True, scope="session")
def _private_feature_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """No test writes the user's real feature cache, not even through a subprocess.

    A build without ``--cache-dir`` uses ``$APPEAL_KIT_CACHE``; set in this process's
    environment, it is inherited by every CLI subprocess too.
    """
    folder = tmp_path_factory.mktemp("appeal-kit-cache")
    saved = {name: os.environ.get(name) for name in ("APPEAL_KIT_CACHE", "XDG_CACHE_HOME")}
    os.environ["APPEAL_KIT_CACHE"] = str(folder)
    os.environ["XDG_CACHE_HOME"] = str(folder / "xdg")
    try:
        yield folder
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(autouse=True, scope="session")
def _english_console() -> Iterator[None]:
    """Tests read English output unless they choose a language (a Chinese locale must not fail them).

    Tests of the console language delete or set ``APPEAL_KIT_LANG`` with monkeypatch.
    """
    saved = os.environ.get("APPEAL_KIT_LANG")
    os.environ["APPEAL_KIT_LANG"] = "en"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("APPEAL_KIT_LANG", None)
        else:
            os.environ["APPEAL_KIT_LANG"] = saved


@dataclass
class CliRun:
    """Exit code and captured output of one CLI run."""

    code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path) -> CliRun:
    """Run ``appeal-kit ARGS`` in-process through ``cli.main`` (the real error handler)."""
    from appeal_kit.cli.main import main

    runner = CliRunner()
    with runner.isolation() as streams:
        code = main([str(a) for a in args])
        sys.stdout.flush()  # plain print() output sits in the wrapper's buffer until then
        sys.stderr.flush()
        out = streams[0].getvalue().decode("utf-8", "replace")
        err = streams[1].getvalue().decode("utf-8", "replace") if streams[1] else ""
    return CliRun(code, out, err)


def run_subprocess(*args: str | Path, cwd: Path | None = None) -> CliRun:
    """Run the installed console script in a real process."""
    proc = subprocess.run(
        [sys.executable, "-m", "appeal_kit.cli.main", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )
    return CliRun(proc.returncode, proc.stdout, proc.stderr)


def textured_photo(seed: int, size: tuple[int, int] = (1200, 900)) -> Image.Image:
    """A detailed random image: local features exist and two seeds never look alike."""
    try:
        from devtools.synthetic import make_photo

        return make_photo(seed, size)
    except ImportError:  # pragma: no cover - before synthetic.py existed
        rng = np.random.default_rng(seed)
        base = rng.integers(0, 255, (size[1] // 16, size[0] // 16, 3), dtype=np.uint8)
        img = Image.fromarray(base).resize(size, Image.Resampling.BICUBIC)
        draw = ImageDraw.Draw(img)
        for _ in range(60):
            x, y = int(rng.integers(0, size[0])), int(rng.integers(0, size[1]))
            r = int(rng.integers(8, 60))
            colour = tuple(int(c) for c in rng.integers(0, 255, 3))
            draw.ellipse((x - r, y - r, x + r, y + r), outline=colour, width=3)
        return img


def exif_bytes(
    *,
    when: str = "2024:03:10 14:02:11",
    make: str = "Canon",
    model: str = "Canon EOS R6",
    serial: str = "012345678901",
    offset: str | None = "+01:00",
    subsec: str | None = "25",
    gps: bool = False,
    orientation: int = 1,
    software: str | None = None,
) -> bytes:
    """EXIF with known values, written by piexif."""
    zeroth = {
        piexif.ImageIFD.Make: make.encode(),
        piexif.ImageIFD.Model: model.encode(),
        piexif.ImageIFD.DateTime: when.encode(),
        piexif.ImageIFD.Orientation: orientation,
    }
    if software:
        zeroth[piexif.ImageIFD.Software] = software.encode()
    exif = {
        piexif.ExifIFD.DateTimeOriginal: when.encode(),
        piexif.ExifIFD.DateTimeDigitized: when.encode(),
        piexif.ExifIFD.BodySerialNumber: serial.encode(),
        piexif.ExifIFD.LensModel: b"RF24-105mm F4 L IS USM",
    }
    if offset:
        exif[piexif.ExifIFD.OffsetTimeOriginal] = offset.encode()
    if subsec:
        exif[piexif.ExifIFD.SubSecTimeOriginal] = subsec.encode()
    gps_ifd = {}
    if gps:
        gps_ifd = {
            piexif.GPSIFD.GPSLatitudeRef: b"N",
            piexif.GPSIFD.GPSLatitude: ((52, 1), (31, 1), (0, 1)),
            piexif.GPSIFD.GPSLongitudeRef: b"E",
            piexif.GPSIFD.GPSLongitude: ((13, 1), (24, 1), (0, 1)),
        }
    return piexif.dump({"0th": zeroth, "Exif": exif, "GPS": gps_ifd, "1st": {}, "thumbnail": None})


def save_jpeg(
    img: Image.Image, path: Path, *, exif: bytes | None = None, quality: int = 90
) -> Path:
    """Save deterministically as JPEG, optionally with EXIF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    kwargs = {"quality": quality}
    if exif:
        kwargs["exif"] = exif
    img.save(buffer, format="JPEG", **kwargs)
    path.write_bytes(buffer.getvalue())
    return path


def write_case(root: Path, text: str, folders: tuple[str, ...] = ("originals", "accused")) -> Path:
    """A minimal case folder: ``case.toml`` with ``text`` plus the named empty folders."""
    for name in folders:
        (root / name).mkdir(parents=True, exist_ok=True)
    (root / "case.toml").write_text(text, encoding="utf-8")
    return root


CASE_TOML = """\
# test case
platform = "aliexpress"
case_id = "AE-TEST-1"
store = "Test Store"
seller_id = "cn0001"
complainant = "Copy Shop Ltd"
notice_received = 2024-10-10T09:30:00+08:00
violation = "minor-edits"
points_at_stake = 2

[[accused]]
url = "https://www.aliexpress.com/item/1005000000000001.html"
first_seen = 2024-09-30
"""


@pytest.fixture
def make_case(tmp_path: Path):
    """Factory: a case folder with ``n`` originals and one crop of each as accused."""

    def factory(n: int = 2, *, toml: str = CASE_TOML, size=(1200, 900), name: str = "case") -> Path:
        root = tmp_path / name
        (root / "originals").mkdir(parents=True)
        (root / "accused").mkdir()
        (root / "documents").mkdir()
        (root / "case.toml").write_text(toml, encoding="utf-8")
        for i in range(n):
            photo = textured_photo(100 + i, size)
            stamp = f"2024:03:10 14:{2 + i:02d}:11"
            save_jpeg(
                photo, root / "originals" / f"IMG_{412 + i:04d}.JPG", exif=exif_bytes(when=stamp)
            )
            w, h = photo.size
            crop = photo.crop((w // 8, h // 8, w * 7 // 8, h * 7 // 8)).resize((600, 450))
            save_jpeg(crop, root / "accused" / f"listing-{i + 1}.jpg", quality=75)
        return root

    return factory


@pytest.fixture
def corpus() -> Path:
    """The shared real-camera corpus; skips when ../shared is absent."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/camera-files is not present")
    return CORPUS

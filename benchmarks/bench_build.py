"""Time ``build`` on a generated case of 24 MP originals against a plain decode.

The baseline, measured in the same run: Pillow fully decoding each of the case's
images once (originals and accused). The figure of merit is
``build time / baseline time``; the target is <= 2.

    python benchmarks/bench_build.py            # 20 originals at 24 MP, 20 accused
    python benchmarks/bench_build.py --originals 6 --megapixels 12   # quicker
"""

from __future__ import annotations

import argparse
import io
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import piexif
from PIL import Image

from appeal_kit import BuildOptions, build_dossier
from devtools.synthetic import crop, jpeg_recompress, make_photo, orient, pad_square, rng

CASE_TOML = """\
case_id = "BENCH-1"
store = "Bench Store"
notice_received = 2024-10-15T09:30:00+08:00
violation = "direct-copy"

[[accused]]
url = "https://example.com/item/1"
first_seen = 2024-10-10
"""


def make_case(root: Path, originals: int, megapixels: float) -> list[Path]:
    """Write the case; return every image path (originals then accused)."""
    for name in ("originals", "accused", "documents"):
        (root / name).mkdir(parents=True)
    (root / "case.toml").write_text(CASE_TOML)
    width = int((megapixels * 1e6 * 1.5) ** 0.5)
    height = int(width / 1.5)
    paths = []
    for i in range(originals):
        # Render at a modest size and upscale, with fresh sensor-like noise, so
        # each file has the entropy (and file size) of a real 24 MP JPEG.
        small = make_photo(1000 + i, (1500, 1000))
        big = np.asarray(small.resize((width, height), Image.Resampling.BICUBIC), np.int16)
        noise = np.random.default_rng(i).normal(0, 4, big.shape).astype(np.int16)
        full = Image.fromarray(np.clip(big + noise, 0, 255).astype(np.uint8))
        exif = piexif.dump(
            {
                "0th": {piexif.ImageIFD.Make: b"Canon", piexif.ImageIFD.Model: b"Canon EOS R6"},
                "Exif": {
                    piexif.ExifIFD.DateTimeOriginal: f"2024:03:10 14:{i // 60:02d}:{i % 60:02d}".encode()
                },
            }
        )
        target = root / "originals" / f"IMG_{i:04d}.JPG"
        full.save(target, quality=90, exif=exif)
        paths.append(target)
        # Copies are made from the published original, as a thief would: downscaled.
        published = full.resize((1500, 1000), Image.Resampling.LANCZOS)
        base = published if i % 2 else crop(published, 0.5, rng(i)).image
        edits = (
            lambda img: img,
            lambda img: orient(img, 4).image,
            lambda img: pad_square(img).image,
            lambda img: jpeg_recompress(img, 60).image,
        )
        accused = edits[i % len(edits)](base)
        buffer = io.BytesIO()
        accused.convert("RGB").save(buffer, format="JPEG", quality=80)
        (root / "accused" / f"copy-{i:04d}.jpg").write_bytes(buffer.getvalue())
        paths.append(root / "accused" / f"copy-{i:04d}.jpg")
    return paths


def full_decode(paths: list[Path]) -> float:
    """Seconds for Pillow to decode every image once at full size."""
    start = time.perf_counter()
    for path in paths:
        with Image.open(path) as img:
            img.load()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=20)
    parser.add_argument("--megapixels", type=float, default=24.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        case = work / "case"
        print(
            f"generating {args.originals} originals at {args.megapixels:g} MP "
            f"and {args.originals} accused images ..."
        )
        paths = make_case(case, args.originals, args.megapixels)
        full_decode(paths[:2])  # warm the page cache and Pillow's imports
        baseline = full_decode(paths)
        cache = work / "cache"
        start = time.perf_counter()
        result = build_dossier(case, BuildOptions(cache_dir=cache))
        cold = time.perf_counter() - start
        start = time.perf_counter()
        build_dossier(case, BuildOptions(cache_dir=cache, force=True))
        warm = time.perf_counter() - start
        paired = len(result.analysis.paired)
        print(f"baseline (Pillow full decode of {len(paths)} images once): {baseline:6.2f} s")
        print(f"build, cold cache:  {cold:6.2f} s  ratio {cold / baseline:5.2f}  (target <= 2)")
        print(f"build, warm cache:  {warm:6.2f} s  ratio {warm / baseline:5.2f}")
        print(
            f"{paired} of {args.originals} accused images paired; "
            f"{result.page_count} pages, {result.pdf_size / 1e6:.1f} MB"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

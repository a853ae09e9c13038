"""Time ``appeal-kit exif --json`` against ``exiftool -json`` on the same mixed folder.

The folder holds the camera JPEGs of the shared corpus (``../shared/corpus``) and
HEICs: the corpus's own and a few phone-sized ones (12 MP, with the 256 px
thumbnail a phone embeds) written here, since phones are where HEICs come from.
Both tools run alternately, several times, and the medians are compared; the
machine may be shared, so read the ratio, not the seconds. Needs exiftool
(``apt-get install libimage-exiftool-perl``); the figure of merit is
``appeal-kit time / exiftool time``, the target <= 1. The default ``exif`` reads
what exiftool reads (headers, tags, thumbnail presence); ``exif --verify``, timed
as a second row, also decodes each image for the thumbnail comparison and to
prove its data is whole, which exiftool does not do.

    python benchmarks/bench_exif.py               # 5 runs, 4 phone HEICs
    python benchmarks/bench_exif.py --runs 9 --heics 8
    python benchmarks/bench_exif.py --folder /tmp/photos --before ../old/   # keep the folder
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".heic", ".heif")


def corpus_files() -> list[Path]:
    """The corpus's camera JPEGs and HEICs that decode (its broken samples are left out)."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    found = []
    for folder in (CORPUS / "real-photos", CORPUS / "camera-files"):
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in PHOTO_SUFFIXES or not path.is_file():
                continue
            try:
                with Image.open(path) as img:
                    img.load()
            except Exception:  # truncated or misnamed on purpose: not a timing sample
                continue
            found.append(path)
    return found


def phone_heic(target: Path, seed: int) -> None:
    """A 4032 x 3024 HEIC with EXIF and a 256 px embedded thumbnail, as an iPhone writes."""
    import piexif
    import pillow_heif

    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (189, 252, 3), dtype=np.uint8)
    big = Image.fromarray(small).resize((4032, 3024), Image.Resampling.BICUBIC)
    noise = rng.normal(0, 6, (3024, 4032, 3))
    photo = Image.fromarray(np.clip(np.asarray(big, np.float32) + noise, 0, 255).astype(np.uint8))
    exif = piexif.dump(
        {
            "0th": {piexif.ImageIFD.Make: b"Apple", piexif.ImageIFD.Model: b"iPhone 15"},
            "Exif": {piexif.ExifIFD.DateTimeOriginal: f"2024:05:0{seed % 9 + 1} 10:00:00".encode()},
        }
    )
    heif = pillow_heif.from_pillow(photo)
    heif.info["thumbnails"] = [256]
    heif.save(target, quality=80, exif=exif)


def make_folder(root: Path, heics: int) -> list[Path]:
    """Copy the corpus photos into ``root`` and add ``heics`` phone HEICs."""
    root.mkdir(parents=True, exist_ok=True)
    files = []
    for number, path in enumerate(corpus_files()):
        target = root / f"{number:03d}-{path.name}"
        shutil.copyfile(path, target)
        files.append(target)
    for seed in range(heics):
        target = root / f"IMG_{seed:04d}.HEIC"
        phone_heic(target, seed)
        files.append(target)
    return files


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall-clock and CPU seconds (the child process tree's user + system) of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # Run outside the checkout, so ``-m appeal_kit`` imports what PYTHONPATH or the venv says.
    proc = subprocess.run(
        command, capture_output=True, check=False, env=env, cwd=tempfile.gettempdir()
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):  # exif exits 1 when a file is unreadable
        raise SystemExit(f"{command[0]} failed: {proc.stderr.decode(errors='replace')[-400:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--heics", type=int, default=4, help="phone-sized HEICs to add")
    parser.add_argument(
        "--before",
        type=Path,
        help="also time the appeal_kit in this folder (e.g. an older checkout), same runs",
    )
    parser.add_argument(
        "--folder",
        type=Path,
        help="time this folder of photos as it is, made here first when missing, and kept",
    )
    args = parser.parse_args()
    exiftool = shutil.which("exiftool")
    if exiftool is None:
        raise SystemExit("exiftool is not installed: apt-get install libimage-exiftool-perl")
    if not CORPUS.is_dir():
        raise SystemExit(f"the shared corpus is missing: {CORPUS}")
    work = Path(tempfile.mkdtemp(prefix="bench-exif-"))
    try:
        folder = work / "photos" if args.folder is None else args.folder
        if args.folder is not None and folder.is_dir():
            files = sorted(p for p in folder.iterdir() if p.is_file())
        else:
            files = make_folder(folder, args.heics)
        heic_count = sum(p.suffix.lower() in (".heic", ".heif") for p in files)
        print(f"{len(files)} files ({heic_count} HEIC) in {folder}")
        ours = [sys.executable, "-m", "appeal_kit.cli.main", "exif", str(folder), "--json"]
        theirs = [exiftool, "-json", "-q", "-q", str(folder)]
        # An installed appeal-kit has its .pyc files, as exiftool's Perl modules need none:
        # the warm-up run writes ours even where PYTHONDONTWRITEBYTECODE is set.
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        tools: dict[str, tuple[list[str], dict[str, str] | None]] = {
            "appeal-kit": (ours, cached),
            "exiftool": (theirs, None),
            # Decodes each image too: the thumbnail comparison and the image-data check.
            "--verify": ([*ours, "--verify"], cached),
        }
        if args.before is not None:
            old = dict(cached, PYTHONPATH=str(args.before.resolve()))
            tools["before"] = (ours, old)
        for command, env in tools.values():
            timed(command, env)  # warm the page cache and each tool's start-up
        walls: dict[str, list[float]] = {name: [] for name in tools}
        cpus: dict[str, list[float]] = {name: [] for name in tools}
        for _ in range(args.runs):
            for name, (command, env) in tools.items():
                wall, cpu = timed(command, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
        base_wall = statistics.median(walls["exiftool"])
        base_cpu = statistics.median(cpus["exiftool"])
        for name in walls:
            wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
            print(
                f"{name:11s} median {wall:6.2f} s wall, {cpu:6.2f} CPU-s; "
                f"ratio to exiftool {wall / base_wall:5.2f} wall, {cpu / base_cpu:5.2f} CPU"
            )
        print(f"({args.runs} runs each, alternating; target: appeal-kit / exiftool <= 1)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

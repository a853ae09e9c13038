"""Time ``build`` on a generated case of 24 MP originals against a plain decode.

The baseline, measured in the same run: Pillow fully decoding each of the case's
images once (originals and accused). The figures of merit are
``build time / baseline time`` with a cold feature cache (target <= 3) and a warm
one (target <= 2), each with a per-stage breakdown (from the progress callback:
the time between two reports goes to the stage of the later one). The
machine may be shared: ``--runs`` takes medians, and every ratio is against the
baseline measured beside it.

    python benchmarks/bench_build.py            # 20 originals at 24 MP, 20 accused
    python benchmarks/bench_build.py --originals 6 --runs 3   # the issue's 6 x 24 MP case
    python benchmarks/bench_build.py --memory   # also peak memory of a CLI build's process tree
    python benchmarks/bench_build.py --case /tmp/c   # generate once into /tmp/c, reuse after
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import piexif
from PIL import Image

from appeal_kit.options import BuildOptions
from appeal_kit.pipeline import build_dossier
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


class StageClock:
    """Progress callback that charges the time since the last report to the stage reporting.

    A stage may report in two places (a cold build indexes its originals before
    the metadata step, and the matcher reports them again, cached): each stretch
    of time goes to the stage whose report ends it.
    """

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.previous = self.start
        self.spent: dict[str, float] = {}

    def __call__(self, stage: str, _done: int, _total: int) -> None:
        now = time.perf_counter()
        self.spent[stage] = self.spent.get(stage, 0.0) + now - self.previous
        self.previous = now

    def stages(self, end: float) -> dict[str, float]:
        """Seconds per stage, in first-report order, and what came after the last report."""
        return {**self.spent, "manifest, move into place": end - self.previous}


def _forget_checks_and_pictures(cache: Path) -> None:
    """Drop the stored pair checks and comparison pictures, keeping the features."""
    with contextlib.closing(sqlite3.connect(cache / "features.sqlite")) as db, db:
        db.execute("DELETE FROM verdicts")
        db.execute("DELETE FROM pictures")


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (pool workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_build(
    case: Path, cache: Path, out: Path
) -> tuple[float, dict[str, float], object, float]:
    """Wall seconds of one ``build_dossier``, its stages, its result and its CPU seconds."""
    cpu = cpu_seconds()
    clock = StageClock()
    result = build_dossier(
        case, BuildOptions(cache_dir=cache, out_dir=out, force=True), progress=clock
    )
    end = time.perf_counter()
    return end - clock.start, clock.stages(end), result, cpu_seconds() - cpu


def _tree_memory(root: int) -> tuple[int, int]:
    """RSS and PSS (bytes) summed over ``root`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


def peak_memory(case: Path, cache: Path, out: Path) -> tuple[int, int, float]:
    """Peak RSS and PSS of ``appeal-kit build`` (default --jobs) over its process tree."""
    command = [sys.executable, "-m", "appeal_kit.cli.main", "build", str(case), "--force"]
    command += ["--out", str(out), "--cache-dir", str(cache)]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_rss = peak_pss = 0
    while proc.poll() is None:
        rss, pss = _tree_memory(proc.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.05)
    return peak_rss, peak_pss, time.perf_counter() - start


def _median_stages(runs: list[dict[str, float]]) -> dict[str, float]:
    names = list(dict.fromkeys(name for run in runs for name in run))
    return {name: statistics.median(run.get(name, 0.0) for run in runs) for name in names}


def _print_stages(title: str, stages: dict[str, float], baseline: float) -> None:
    print(f"  {title}:")
    for name, seconds in stages.items():
        print(f"    {name:28s} {seconds:6.2f} s  {seconds / baseline:5.2f}x the decode")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=20)
    parser.add_argument("--megapixels", type=float, default=24.0)
    parser.add_argument("--runs", type=int, default=1, help="cold+warm pairs; medians")
    parser.add_argument("--case", type=Path, help="generate the case here once and reuse it")
    parser.add_argument(
        "--memory", action="store_true", help="also measure a CLI build's peak memory"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        case = args.case or work / "case"
        if not (case / "case.toml").is_file():
            print(
                f"generating {args.originals} originals at {args.megapixels:g} MP "
                f"and {args.originals} accused images ..."
            )
            make_case(case, args.originals, args.megapixels)
        paths = sorted((case / "originals").iterdir()) + sorted((case / "accused").iterdir())
        full_decode(paths[:2])  # warm the page cache and Pillow's imports
        kinds = ("cold", "warm", "features only")
        ratios: dict[str, list[float]] = {kind: [] for kind in kinds}
        # CPU seconds of the build (all processes) over the decode's: steadier than wall
        # time on a machine others load, though blind to how well both cores are used.
        cpu_ratios: dict[str, list[float]] = {kind: [] for kind in kinds}
        stages: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
        baselines: list[float] = []
        result: object = None
        for run in range(args.runs):
            cache = work / f"cache-{run}"
            for kind in kinds:
                if kind == "features only":
                    _forget_checks_and_pictures(cache)
                cpu = time.process_time()
                baseline = full_decode(paths)  # beside each build: the same machine load
                cpu_baseline = time.process_time() - cpu
                seconds, split, result, build_cpu = timed_build(case, cache, work / "out")
                baselines.append(baseline)
                ratios[kind].append(seconds / baseline)
                cpu_ratios[kind].append(build_cpu / cpu_baseline)
                stages[kind].append({k: v / baseline for k, v in split.items()})
        base = statistics.median(baselines)
        print(
            f"baseline (Pillow full decode of {len(paths)} images once): median {base:6.2f} s "
            f"over {len(baselines)} measurements"
        )
        targets = {"cold": "; target <= 3", "warm": "; target <= 2", "features only": ""}
        for kind in kinds:
            print(
                f"build, {kind} cache: ratio {statistics.median(ratios[kind]):5.2f} "
                f"(median of {args.runs}{targets[kind]}); CPU seconds "
                f"{statistics.median(cpu_ratios[kind]):5.2f}x the decode's"
            )
            per_stage = {k: v * base for k, v in _median_stages(stages[kind]).items()}
            _print_stages(
                f"{kind} build by stage (median ratio x median baseline)", per_stage, base
            )
        paired = len(result.analysis.paired)  # type: ignore[attr-defined]
        print(
            f"{paired} of {len(paths) // 2} accused images paired; "
            f"{result.page_count} pages, {result.pdf_size / 1e6:.1f} MB"  # type: ignore[attr-defined]
        )
        if args.memory:
            cache = work / "cache-memory"
            for kind in ("cold", "warm"):
                rss, pss, seconds = peak_memory(case, cache, work / "out-memory")
                print(
                    f"peak memory, CLI build ({kind} cache, default --jobs), whole process "
                    f"tree: {pss / 1e6:.0f} MB PSS, {rss / 1e6:.0f} MB RSS "
                    f"(shared pages counted per process); {seconds:.1f} s"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

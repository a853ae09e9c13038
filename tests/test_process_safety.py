"""Killed builds and hungry workers (issue 14, items 7 and 13).

* A build killed with SIGKILL at any moment leaves the previous or the new complete
  dossier, never neither, and no worker process outlives it.
* The next build removes what a killed one left and puts back a half-swapped dossier.
* Big images share one memory budget across every worker process.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from appeal_kit.dossier.manifest import verify_manifest
from appeal_kit.evidence import images, workers

ROOT = Path(__file__).resolve().parents[1]
# As in issue 14: a 20-original build (small pictures keep each build to seconds).
ORIGINALS = 20


def _group_members(group: int) -> list[int]:
    """Live processes (not zombies) in process group ``group``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, pgrp = fields[0], int(fields[2])
        if pgrp == group and state != "Z":
            found.append(int(entry.name))
    return found


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _start_build(case: Path, cache: Path) -> subprocess.Popen[bytes]:
    # A session of its own: the workers share its process group, so they can be
    # found after the parent is gone (a worker that survives is re-parented to 1).
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "appeal_kit.cli.main", "build", str(case), "--force"),
            *("--jobs", "2", "--cache-dir", str(cache)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=ROOT,
    )


def _assert_complete_dossier(case: Path) -> None:
    dossier = case / "dossier"
    assert (dossier / "dossier.pdf").is_file(), sorted(p.name for p in case.iterdir())
    assert len(PdfReader(dossier / "dossier.pdf").pages) > 0
    assert verify_manifest(dossier / "manifest.json", case) == []


def _assert_no_survivors(group: int) -> None:
    deadline = time.monotonic() + 5
    while _group_members(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = _group_members(group)
    for pid in survivors:  # do not leave them running whatever the outcome
        os.kill(pid, signal.SIGKILL)
    assert survivors == [], "worker processes outlived their killed parent"


@pytest.mark.slow
def test_sigkill_at_random_points_never_leaves_the_case_without_a_dossier(
    make_case, tmp_path: Path
) -> None:
    case = make_case(ORIGINALS, size=(480, 360))
    started = time.monotonic()
    first = _start_build(case, tmp_path / "cache-0")
    assert first.wait(timeout=120) in (0, 1)
    duration = time.monotonic() - started
    _assert_complete_dossier(case)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    for attempt in range(1, 6):
        build = _start_build(case, tmp_path / f"cache-{attempt}")  # fresh: workers run
        if attempt == 1:
            # Once for certain while worker processes exist.
            deadline = time.monotonic() + 60
            while not _children(build.pid) and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.2)
        else:
            time.sleep(rng.uniform(0.05, duration))
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        _assert_no_survivors(build.pid)
        _assert_complete_dossier(case)
    # The next build clears what the killed ones left beside the dossier.
    last = _start_build(case, tmp_path / "cache-last")
    assert last.wait(timeout=120) in (0, 1), f"seed {seed}"
    _assert_complete_dossier(case)
    leftovers = [p.name for p in case.iterdir() if p.name.startswith(".dossier.")]
    assert leftovers == [], f"seed {seed}"


def _run_crashing(script: str, tmp_path: Path) -> int:
    code = textwrap.dedent(script)
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, timeout=60, check=False
    )
    return proc.returncode


def _folder(path: Path, text: str) -> Path:
    path.mkdir(parents=True)
    (path / "dossier.pdf").write_text(text)
    return path


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_kill_inside_the_swap_leaves_old_or_new_and_is_recovered(
    tmp_path: Path, exchange: bool
) -> None:
    """Killed at the worst moment of ``replace_folder``; the next build tidies up."""
    from appeal_kit import fsutil

    target = _folder(tmp_path / "dossier", "old")
    script = f"""
        import os, shutil, sys
        from pathlib import Path
        from appeal_kit import fsutil

        root = Path(sys.argv[1])
        target = root / "dossier"
        if not {exchange}:
            fsutil._exchange = lambda a, b: False
        real_replace, real_rmtree = os.replace, shutil.rmtree

        def replace(src, dst):
            real_replace(src, dst)
            if Path(dst).name.startswith(".dossier.old-"):
                os._exit(9)  # killed between the two renames

        def rmtree(path, ignore_errors=False):
            if Path(path).exists():
                os._exit(9)  # killed after the swap, before the old folder is deleted

        os.replace, shutil.rmtree = replace, rmtree
        with fsutil.work_folder(target) as work:
            (work / "dossier.pdf").write_text("new")
            fsutil.replace_folder(work, target)
    """
    assert _run_crashing(script, tmp_path) == 9
    if exchange:
        # One system call swapped the folders: the new dossier is in place at once.
        assert (target / "dossier.pdf").read_text() == "new"
    else:
        assert not target.exists()  # the window the fallback cannot close by itself
    removed = fsutil.recover_folder(target)
    assert (target / "dossier.pdf").read_text() == ("new" if exchange else "old")
    assert [p.name for p in tmp_path.iterdir()] == ["dossier"]
    assert all(p.name.startswith(".dossier.work-") for p in removed)


def test_recovery_leaves_a_running_build_alone(tmp_path: Path) -> None:
    from appeal_kit import fsutil

    target = _folder(tmp_path / "dossier", "old")
    running = _folder(tmp_path / f".dossier.work-{os.getppid()}-abcd", "half")
    dead = _folder(tmp_path / ".dossier.work-999999999-abcd", "half")
    legacy = _folder(tmp_path / ".dossier.work-k2j3h4", "half")  # before pids were in names
    fsutil.recover_folder(target)
    assert running.is_dir() and not dead.exists() and not legacy.exists()
    assert (target / "dossier.pdf").read_text() == "old"


# ------------------------------------------------------------- memory budget


def test_slots_are_sized_from_available_memory() -> None:
    per_image = workers.MAX_PIXELS * workers.PEAK_BYTES_PER_PIXEL
    assert workers.big_image_slots(1 << 30) == 1  # never zero: the build must go on
    assert workers.big_image_slots(int(per_image * 8)) == 4
    assert workers.available_memory() > 0


def _palette_png(path: Path, side: int) -> Path:
    """A big palette PNG that is tiny on disk: the shape of a decompression bomb."""
    img = Image.new("P", (side, side), 0)
    img.putpalette([0, 0, 0, 255, 255, 255] * 128)
    img.paste(1, (0, 0, side // 2, side // 2))
    img.save(path, optimize=True)
    return path


def test_big_images_are_decoded_one_at_a_time_across_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real sizes would need gigabytes; scale the budget down instead: images over
    # 1 MP count as big and the memory holds one at a time. Worker processes are
    # forked, so they see these settings and the patched decoder.
    monkeypatch.setattr(workers, "BIG_PIXELS", 1_000_000)
    monkeypatch.setattr(workers, "available_memory", lambda: 1 << 30)
    monkeypatch.setattr(workers, "_slots", None)
    log = tmp_path / "decodes.log"
    real = images._to_rgb

    def slow_decode(img: Image.Image) -> Image.Image:
        pixels = img.size[0] * img.size[1]
        with open(log, "a") as out:
            out.write(f"{time.monotonic()} 1 {pixels}\n")
        time.sleep(0.3)
        rgb = real(img)
        with open(log, "a") as out:
            out.write(f"{time.monotonic()} -1 {pixels}\n")
        return rgb

    monkeypatch.setattr(images, "_to_rgb", slow_decode)
    bombs = [_palette_png(tmp_path / f"bomb-{i}.png", 1500) for i in range(4)]
    small = [_palette_png(tmp_path / f"small-{i}.png", 600) for i in range(4)]
    with workers.worker_pool(4) as pool:
        sizes = [loaded.image.size for loaded in pool.map(images.open_image, bombs)]
    assert sizes == [(1500, 1500)] * 4
    assert _peak(log, big=True) == 1
    # Threads of the parent take the same slots; small images never wait for them.
    log.unlink()
    with ThreadPoolExecutor(4) as threads:
        assert len(list(threads.map(images.open_image, bombs[:2] + small))) == 6
    assert _peak(log, big=True) == 1
    assert _peak(log, big=False) >= 2


def _peak(log: Path, *, big: bool) -> int:
    """Most decodes of big (or of small) images that ran at the same time."""
    steps = []
    for line in log.read_text().splitlines():
        stamp, step, pixels = line.split()
        if (int(pixels) > 1_000_000) == big:
            steps.append((float(stamp), int(step)))
    running = peak = 0
    for _, step in sorted(steps):
        running += step
        peak = max(peak, running)
    return peak

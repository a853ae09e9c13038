"""Worker processes that die with the build, and one memory budget for big images.

Two promises, kept here for every process pool of a build:

* **No orphans.** A build killed with SIGKILL or SIGTERM must not leave workers
  running (they would hold the caller's pipe open and keep decoding). On Linux each
  worker asks the kernel for SIGKILL when its parent dies (``prctl
  PR_SET_PDEATHSIG``); everywhere, a watchdog thread ends it when its parent
  process is gone.
* **One memory budget.** Pillow refuses images over 200 MP, but a 196 MP palette
  PNG of 24 KB still takes about 1.2 GB to decode and convert; eight workers doing
  that at once exhaust a laptop. Images over ``BIG_PIXELS`` therefore take a slot
  of a semaphore shared by every worker process and thread of the build, sized so
  that the slots fit in half the memory available when the build starts. Ordinary
  photos never wait.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

# Over this, an image counts as big (a 50 MP camera is the largest a seller has).
BIG_PIXELS = 60_000_000
# Peak bytes per pixel of one decode: the decoded frame, its RGB or grey copy and
# the resize (1.2 GB measured for a 196 MP palette PNG).
PEAK_BYTES_PER_PIXEL = 6.5
MAX_PIXELS = 200_000_000  # the most any image may have (evidence.images refuses more)
WATCHDOG_SECONDS = 0.5
# A slot held by a worker that was killed is never given back; waiting is then
# bounded, and the decode goes ahead rather than hang the build.
SLOT_WAIT_SECONDS = 300.0
PR_SET_PDEATHSIG = 1

_slots: Any = None  # the build's semaphore (set in the parent, passed to workers)


def available_memory() -> int:
    """Bytes this process may still use: MemAvailable, capped by a cgroup limit."""
    found = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    found = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    if not found:
        try:
            found = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, AttributeError):
            found = 4 << 30  # unknown: assume a small laptop's 4 GiB
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as limit:
            text = limit.read().strip()
        if text.isdigit():
            found = min(found, int(text))
    except OSError:
        pass
    return found


def big_image_slots(memory: int | None = None) -> int:
    """How many big images may be decoded at once: half the memory, at least one."""
    memory = available_memory() if memory is None else memory
    return max(1, int(memory // 2 // (MAX_PIXELS * PEAK_BYTES_PER_PIXEL)))


def _shared_slots() -> Any:
    global _slots
    if _slots is None:
        _slots = multiprocessing.get_context().BoundedSemaphore(big_image_slots())
    return _slots


@contextmanager
def decode_slot(pixels: int) -> Iterator[None]:
    """Hold one of the build's big-image slots while decoding an image of ``pixels``."""
    if pixels <= BIG_PIXELS:
        yield
        return
    slots = _shared_slots()
    taken = slots.acquire(timeout=SLOT_WAIT_SECONDS)
    try:
        yield
    finally:
        if taken:
            slots.release()


class _Pool(ProcessPoolExecutor):
    """A pool that, left on an error (Ctrl-C, SIGTERM), drops its queued work.

    The standard one finishes every queued task first, which can take minutes.
    """

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        self.shutdown(wait=True, cancel_futures=kind is not None)


def worker_pool(max_workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process and share its memory budget."""
    return _Pool(
        max_workers=max_workers,
        initializer=_start_worker,
        initargs=(os.getpid(), _shared_slots()),
    )


def _start_worker(parent: int, slots: Any) -> None:
    global _slots
    _slots = slots
    # Ctrl-C reaches the whole process group: the parent stops the pool and says so;
    # a worker must neither print a traceback of its own nor outlive a SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog remains
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """End this worker once its parent is gone (the fallback where prctl does not exist)."""
    while True:
        time.sleep(WATCHDOG_SECONDS)
        if os.getppid() != parent:
            os._exit(1)

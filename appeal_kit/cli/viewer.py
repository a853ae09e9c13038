"""``preview --open``: start the system's PDF viewer, or say why it could not be started."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from appeal_kit.i18n import __

# xdg-open and open return at once when they hand the file to a viewer; some setups
# keep xdg-open running with the viewer, so a still-running one counts as started.
VIEWER_WAIT = 3.0


def open_in_viewer(path: Path) -> str | None:
    """Open ``path`` in the default viewer; None when it started, else the reason it did not."""
    if sys.platform == "win32":  # pragma: no cover - not run on the Linux CI
        try:
            os.startfile(path)  # type: ignore[attr-defined]
        except OSError as exc:
            return exc.strerror or str(exc)
        return None
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    graphical = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if opener == "xdg-open" and not graphical:
        return __("there is no graphical session (neither DISPLAY nor WAYLAND_DISPLAY is set)")
    program = shutil.which(opener)
    if program is None:
        return __("the program {opener} was not found", opener=opener)
    try:
        process = subprocess.Popen(
            [program, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError as exc:
        return __(
            "{opener} could not be started ({reason})", opener=opener, reason=exc.strerror or exc
        )
    try:
        code = process.wait(timeout=VIEWER_WAIT)
    except subprocess.TimeoutExpired:
        return None
    if code != 0:
        return __(
            "{opener} found no program for PDF files (exit code {code})", opener=opener, code=code
        )
    return None

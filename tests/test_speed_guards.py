"""Guards for start-up and build speed that never time anything.

Timings on a shared machine are noise; what makes a command slow is what it
loads and how often it decodes. So these tests check module sets in a fresh
process and count decodes, and the benchmarks (``benchmarks/``) measure seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CASE = ROOT / "samples" / "demo-case"

# Never needed to print help or the status dashboard: image decoding, PDF writing,
# and the network stack (reportlab's URL support pulls in urllib.request, http, ssl).
HEAVY = ("cv2", "numpy", "PIL", "reportlab", "pypdf", "pillow_heif", "sqlite3")
NETWORK = ("urllib.request", "http", "ssl")
# Loaded only by the commands that write or export (log, calendar).
WRITERS = ("tomlkit", "icalendar")

_PROBE = """
import json, sys
from appeal_kit.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _loaded_by(*args: str) -> set[str]:
    """Module names a fresh ``appeal-kit ARGS`` process has imported when it ends."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, proc.stdout + proc.stderr
    return set(report["modules"])


def _offenders(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == b or m.startswith(b + ".") for b in banned))


def test_help_loads_no_library_heavyweights() -> None:
    loaded = _loaded_by("--help")
    assert _offenders(loaded, (*HEAVY, *NETWORK, *WRITERS, "holidays")) == []
    # The case reader and the deadline rules are imported by the commands that use them.
    assert _offenders(loaded, ("appeal_kit.tracking", "appeal_kit.case", "appeal_kit.models")) == []


def test_status_loads_no_image_pdf_or_network_modules() -> None:
    loaded = _loaded_by("status", str(SAMPLE_CASE))
    assert "appeal_kit.tracking.workspace" in loaded  # the probe ran the real command
    assert _offenders(loaded, (*HEAVY, *NETWORK, *WRITERS)) == []


@pytest.mark.parametrize("command", ["deadlines", "points"])
def test_reading_commands_load_no_writers(command: str) -> None:
    target = SAMPLE_CASE if command == "deadlines" else SAMPLE_CASE.parent / "workspace"
    loaded = _loaded_by(command, str(target), "--as-of", "2024-10-11T12:00:00+08:00")
    assert _offenders(loaded, (*HEAVY, *NETWORK, *WRITERS)) == []

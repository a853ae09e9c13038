"""The package layout: stages as folders, no import cycles, nothing dev-only shipped."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYOUT_CHECK = ROOT.parent / "shared" / "tools" / "layout_check.py"
STAGES = ("case", "evidence", "matching", "comparison", "dossier", "tracking", "cli")


def test_each_stage_is_a_documented_sub_package() -> None:
    for stage in STAGES:
        init = ROOT / "appeal_kit" / stage / "__init__.py"
        assert init.is_file(), stage
        doc = init.read_text(encoding="utf-8").strip()
        assert doc.startswith('"""') and len(doc) > 40, f"{stage}/__init__.py needs a docstring"


def test_the_shipped_package_never_imports_dev_tools() -> None:
    for path in (ROOT / "appeal_kit").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "devtools" not in text, f"{path} imports the dev-only generator"
    assert not (ROOT / "appeal_kit" / "synthetic.py").exists()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["appeal_kit"]


def test_public_api_is_exported() -> None:
    import appeal_kit

    for name in ("build_dossier", "analyse_case", "BuildOptions", "BuildResult", "Analysis"):
        assert getattr(appeal_kit, name) is not None
    assert "synthetic" not in appeal_kit.__all__


@pytest.mark.skipif(not LAYOUT_CHECK.is_file(), reason="../shared/tools is absent")
def test_layout_check_passes() -> None:
    result = subprocess.run(
        [sys.executable, str(LAYOUT_CHECK), str(ROOT)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cycles=0" in result.stdout

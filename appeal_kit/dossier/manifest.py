"""``manifest.json``: the SHA-256 of every input and output, so the dossier is verifiable.

Anyone can re-hash the files and compare; ``verify_manifest`` does exactly that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appeal_kit import __version__
from appeal_kit.evidence.images import sha256_file

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class ManifestEntry:
    """One hashed file: its path as shown (relative), role, SHA-256 and size."""

    path: str
    role: str
    sha256: str
    size: int

    def to_json(self) -> dict[str, Any]:
        """Stable JSON form."""
        return {"path": self.path, "role": self.role, "sha256": self.sha256, "size": self.size}


def entry_for(path: Path, shown_as: str, role: str, sha256: str | None = None) -> ManifestEntry:
    """Hash ``path`` (unless the hash is already known) into an entry."""
    return ManifestEntry(
        path=shown_as,
        role=role,
        sha256=sha256 or sha256_file(path),
        size=path.stat().st_size,
    )


def readable_entry(path: Path, shown_as: str, role: str) -> ManifestEntry | None:
    """``entry_for``, or ``None`` when the file cannot be read (it is excluded with why)."""
    try:
        return entry_for(path, shown_as, role)
    except OSError:
        return None


def manifest_json(
    case_id: str,
    inputs: list[ManifestEntry],
    outputs: list[ManifestEntry],
    excluded: list[dict[str, str]] | None = None,
) -> str:
    """The manifest document; sorted, so the same files give the same bytes.

    ``excluded`` lists inputs that were hashed but not used as evidence, with the reason
    and the fix (``ExcludedFile.to_json``).
    """
    document = {
        "generator": f"appeal-kit {__version__}",
        "case_id": case_id,
        "algorithm": "sha256",
        "inputs": [e.to_json() for e in sorted(inputs, key=lambda e: (e.role, e.path))],
        "outputs": [e.to_json() for e in sorted(outputs, key=lambda e: e.path)],
        "excluded": sorted(excluded or [], key=lambda e: (e["role"], e["path"])),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def verify_manifest(manifest_path: Path, case_dir: Path) -> list[str]:
    """Re-hash every listed file; return a problem line per mismatch (empty: all good).

    Inputs are looked up relative to ``case_dir``, outputs relative to the manifest.
    """
    document = json.loads(manifest_path.read_text(encoding="utf-8"))
    problems: list[str] = []
    for section, base in (("inputs", case_dir), ("outputs", manifest_path.parent)):
        for item in document.get(section, []):
            target = base / item["path"]
            if not target.is_file():
                problems.append(f"missing: {item['path']}")
            elif sha256_file(target) != item["sha256"]:
                problems.append(f"changed since the dossier was built: {item['path']}")
    return problems

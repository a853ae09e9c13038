"""Evidence files sellers really have: unreadable files and links out of the case (issue 14).

Tests run as root, where ``chmod 000`` does not stop reads, so "cannot be read" is
simulated by making ``open`` refuse the file (as the kernel does for another user);
without root the real ``chmod 000`` applies too.
"""

from __future__ import annotations

import builtins
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import exif_bytes, run_cli, save_jpeg, textured_photo


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def refuse_reads(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    """Make ``open`` fail with EACCES for ``paths`` (links to them included)."""
    blocked = {os.path.realpath(p) for p in paths}
    real_open = builtins.open

    def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | bytes | os.PathLike) and os.path.realpath(file) in blocked:
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    guard: Callable[..., Any] = guarded
    monkeypatch.setattr(builtins, "open", guard)
    monkeypatch.setattr(io, "open", guard)
    for path in paths:
        path.chmod(0)  # effective when the tests do not run as root


@pytest.mark.parametrize("command", ["check", "match", "build"])
def test_unreadable_files_are_excluded_with_their_reason(
    make_case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    case = make_case(2)
    secret_original = tmp_path / "elsewhere.jpg"
    save_jpeg(textured_photo(7), secret_original, exif=exif_bytes())
    locked = case / "originals" / "IMG_0412.JPG"
    locked_accused = case / "accused" / "listing-2.jpg"
    linked = case / "documents" / "licence.jpg"
    inside_target = case / "documents" / "real-licence.jpg"
    save_jpeg(textured_photo(9, (400, 300)), inside_target)
    os.symlink(inside_target, linked)
    refuse_reads(monkeypatch, locked, locked_accused, inside_target)
    args = [command, case] + (
        ["--cache-dir", tmp_path / "cache", "--jobs", "1"] if command == "build" else []
    )
    result = run_cli(*args)
    output = result.stdout + result.stderr
    assert "internal error" not in output and "Traceback" not in output
    assert result.code == 1, output  # completed, with problems named (match too, as README says)
    flat = " ".join(output.split())
    for name in ("IMG_0412.JPG", "listing-2.jpg"):
        assert name in flat
    assert "Permission denied" in flat
    if command == "build":
        manifest = json.loads((case / "dossier" / "manifest.json").read_text("utf-8"))
        excluded = {e["path"]: e["reason"] for e in manifest["excluded"]}
        assert "cannot be read" in excluded["originals/IMG_0412.JPG"]
        assert "cannot be read" in excluded["accused/listing-2.jpg"]
        hashed = {e["path"] for e in manifest["inputs"]}
        assert "originals/IMG_0413.JPG" in hashed and "originals/IMG_0412.JPG" not in hashed


def test_links_out_of_the_case_are_named_and_never_read(make_case, tmp_path: Path) -> None:
    case = make_case(1)
    private = tmp_path / "private-folder"
    private.mkdir()
    secret_photo = private / "holiday.jpg"
    save_jpeg(textured_photo(1, (800, 600)), secret_photo, exif=exif_bytes(model="SecretCam 9"))
    (private / "passwords.txt").write_text("hunter2", "utf-8")
    os.symlink(secret_photo, case / "originals" / "IMG_9999.JPG")
    os.symlink(private / "passwords.txt", case / "documents" / "notes.txt")
    os.symlink(private, case / "accused" / "more")
    os.symlink("/etc/passwd", case / "documents" / "passwd.pdf")

    check = run_cli("check", case)
    assert check.code == 1, check.stdout + check.stderr
    assert "outside the case folder" in " ".join(check.stdout.split())

    result = run_cli("build", case, "--cache-dir", tmp_path / "cache", "--jobs", "1")
    assert result.code == 1, result.stdout + result.stderr
    dossier = case / "dossier"
    manifest_text = (dossier / "manifest.json").read_text("utf-8")
    manifest = json.loads(manifest_text)
    excluded = {e["path"]: e for e in manifest["excluded"]}
    for name, role in (
        ("originals/IMG_9999.JPG", "original"),
        ("documents/notes.txt", "document"),
        ("accused/more", "accused"),
        ("documents/passwd.pdf", "document"),
    ):
        assert excluded[name]["role"] == role
        assert "outside the case folder" in excluded[name]["reason"]
    text = pdf_text(dossier / "dossier.pdf")
    everything = manifest_text + text + result.stdout + result.stderr
    for leak in (
        str(private),
        "private-folder",
        "holiday",
        "SecretCam",
        "hunter2",
        "root:x",
        "/etc",
    ):
        assert leak not in everything, leak
    assert "IMG_9999.JPG" in text  # named on the Excluded files page

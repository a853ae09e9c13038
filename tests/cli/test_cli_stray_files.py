"""Stray files in accused/: check and build agree on the exit code, and the reason fits the file."""

from __future__ import annotations

import json
from pathlib import Path

from appeal_kit.errors import ExitCode
from tests.conftest import run_cli


def _add_strays(case: Path) -> None:
    (case / "accused" / "notes.txt").write_text("seen on 10 Oct, seller cn0002\n", "utf-8")
    (case / "accused" / "listing.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (case / "accused" / "fake.jpg").write_bytes(b"<!DOCTYPE html><html><body>hi</body></html>")


def test_check_and_build_agree_on_stray_files(make_case, tmp_path: Path) -> None:
    case = make_case(1)
    _add_strays(case)
    checked = run_cli("check", case)
    built = run_cli("build", case, "--out", tmp_path / "out")
    assert built.code == ExitCode.COMPLETED_WITH_PROBLEMS, built.stderr
    assert checked.code == built.code, checked.stdout
    assert "3 files cannot be used and build would exclude them: exit code 1." in checked.stdout
    as_json = run_cli("check", case, "--json")
    assert as_json.code == built.code
    found = {f["path"]: f for f in json.loads(as_json.stdout) if f["code"] == "excluded-file"}
    notes = found["accused/notes.txt"]
    assert "text file" in notes["message"] and "web page" not in notes["fix"]
    assert "case.toml" in notes["fix"]
    # A web page saved under an image's name keeps the web-page advice.
    assert "web page" in found["accused/fake.jpg"]["fix"]


def test_notes_under_an_image_name_are_told_apart_from_a_saved_web_page(make_case) -> None:
    case = make_case(1)
    (case / "accused" / "notes.jpg").write_text("seen on 10 Oct, seller cn0002\n", "utf-8")
    (case / "accused" / "fake.jpg").write_bytes(b"<!DOCTYPE html><html><body>hi</body></html>")
    found = {
        f["path"]: f
        for f in json.loads(run_cli("check", case, "--json").stdout)
        if f["code"] == "excluded-file"
    }
    notes = found["accused/notes.jpg"]
    assert "is not an image (named JPG" in notes["message"]
    assert "plain text" in notes["fix"] and "web page" not in notes["fix"]
    assert "web page" in found["accused/fake.jpg"]["fix"]


def test_check_without_stray_files_says_nothing_of_exclusion(make_case) -> None:
    assert "would exclude" not in run_cli("check", make_case(1)).stdout


def test_match_names_excluded_files(make_case, monkeypatch) -> None:
    from appeal_kit.cli import case_commands as cli_case

    monkeypatch.setattr(cli_case.console, "width", 200)
    case = make_case(1)
    _add_strays(case)
    shown = run_cli("match", case)
    assert shown.code == ExitCode.COMPLETED_WITH_PROBLEMS, shown.stdout
    assert "excluded: accused/notes.txt is a text file, not an image" in shown.stdout
    assert "fix: Keep notes outside originals/" in shown.stdout
    assert shown.stdout.count("not analysed") == 3
    as_json = run_cli("match", case, "--json")
    assert as_json.code == shown.code
    entries = {e["accused"]: e for e in json.loads(as_json.stdout)}
    assert len(entries) == 4  # the good accused image and the three excluded files
    keys = {frozenset(e) for e in entries.values()}
    assert len(keys) == 1, keys  # excluded entries keep the documented keys
    for name in ("notes.txt", "listing.pdf", "fake.jpg"):
        entry = entries[f"accused/{name}"]
        assert (entry["verdict"], entry["method"], entry["original"]) == ("none", "skipped", None)
        assert entry["note"].startswith("not analysed: ")
    assert entries["accused/notes.txt"]["note"] == "not analysed: is a text file, not an image"

"""The case commands through the real CLI: init, exif, match, build, preview, check."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from PIL import Image

from appeal_kit.errors import ExitCode
from tests.conftest import run_cli, run_subprocess


def test_init_writes_a_loadable_commented_case(tmp_path: Path) -> None:
    folder = tmp_path / "new-case"
    result = run_cli(
        "init",
        folder,
        "--case-id",
        "AE-9",
        "--store",
        "Shop 店铺",
        "--notice-received",
        "2024-10-10T09:30:00+08:00",
        "--violation",
        "direct-copy",
        "--points",
        "4",
        "--url",
        "https://example.com/a",
        "--url",
        "https://example.com/b",
        "--first-seen",
        "2024-10-01",
    )
    assert result.code == 0, result.stderr
    assert "appeal-kit build" in result.stdout
    text = (folder / "case.toml").read_text()
    assert text.count("#") > 10  # commented for a first-time user
    data = tomllib.loads(text)
    assert data["case_id"] == "AE-9" and data["store"] == "Shop 店铺"
    assert [a["url"] for a in data["accused"]] == ["https://example.com/a", "https://example.com/b"]
    for name in ("originals", "accused", "documents"):
        assert (folder / name).is_dir()
    from appeal_kit.case.config import load_case

    assert load_case(folder).points_at_stake == 4
    again = run_cli("init", folder)
    assert again.code == ExitCode.OUTPUT and "--force" in again.stderr


def test_init_example_points_follow_the_violation_and_next_steps_include_check(
    tmp_path: Path,
) -> None:
    for violation, points in (("direct-copy", 4), ("copyright-trademark", 6), ("minor-edits", 2)):
        folder = tmp_path / violation
        result = run_cli("init", folder, "--violation", violation)
        assert result.code == 0, result.stderr
        # The platform's figure, commented out: the notice's own figure wins.
        assert f"# points_at_stake = {points}\n" in (folder / "case.toml").read_text()
        assert "appeal-kit check" in result.stdout and "appeal-kit build" in result.stdout


def test_init_rejects_time_without_offset(tmp_path: Path) -> None:
    result = run_cli("init", tmp_path / "c", "--notice-received", "2024-10-10T09:30:00")
    assert result.code == ExitCode.USAGE
    assert "offset" in result.stderr
    assert not (tmp_path / "c").exists()


def test_exif_json_has_stable_keys(make_case) -> None:
    case = make_case(1)
    (case / "originals" / "broken.jpg").write_bytes(b"")
    result = run_cli("exif", case / "originals", "--json")
    assert result.code == ExitCode.COMPLETED_WITH_PROBLEMS, result.stderr  # broken.jpg
    items = json.loads(result.stdout)
    good = next(i for i in items if i["path"].endswith("IMG_0412.JPG"))
    for key in (
        "path",
        "sha256",
        "format",
        "width",
        "height",
        "captured_at",
        "captured_at_tag",
        "make",
        "model",
        "lens",
        "serial",
        "software",
        "has_gps",
        "has_thumbnail",
        "warnings",
    ):
        assert key in good
    assert good["captured_at"] == "2024-03-10T14:02:11.250000+01:00"
    assert good["captured_at_tag"].endswith("DateTimeOriginal")
    assert (good["width"], good["height"]) == (1200, 900)
    bad = next(i for i in items if i["path"].endswith("broken.jpg"))
    assert (bad["error"], bad["error_fix"]) == (
        "is empty (0 bytes)",
        "copy or download the file again",
    )
    assert "error_fix" not in good
    table = run_cli("exif", case / "originals")
    assert re.search(r"broken\.jpg: is empty \(0 bytes\)\n\s+fix: Copy or download", table.stdout)


def test_build_prints_each_excluded_file_with_its_fix(make_case, tmp_path: Path) -> None:
    case = make_case(1)
    (case / "originals" / "empty.jpg").write_bytes(b"")
    result = run_cli("build", case, "--cache-dir", tmp_path / "cache", "--jobs", "1")
    assert result.code == ExitCode.COMPLETED_WITH_PROBLEMS, result.stderr
    lines = result.stderr.splitlines()
    at = lines.index("excluded: originals/empty.jpg is empty (0 bytes)")
    assert lines[at + 1] == "  fix: Copy or download the file again"
    # English plurals: one file is "1 file", not "1 files" / "file(s)".
    shown = " ".join(result.stdout.split()) + " " + " ".join(result.stderr.split())
    assert "1 file excluded" in shown and "Finished with 1 excluded file:" in shown
    assert "1 files" not in shown and "file(s)" not in shown


def test_match_json(make_case, tmp_path: Path) -> None:
    case = make_case(2)
    result = run_cli("match", case, "--json", "--cache-dir", tmp_path / "cache")
    assert result.code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["accused"], r["original"], r["verdict"]) for r in rows] == [
        ("accused/listing-1.jpg", "originals/IMG_0412.JPG", "match"),
        ("accused/listing-2.jpg", "originals/IMG_0413.JPG", "match"),
    ]
    x, y, w, h = rows[0]["region"]
    # The accused image is the middle 3/4 of a 1200x900 original.
    assert abs(x - 150) < 20 and abs(y - 112) < 20 and abs(w - 900) < 30 and abs(h - 675) < 30


# The test case's notice came on 2024-10-10 09:30 +08:00; its appeal window is open then.
IN_WINDOW = "2024-10-11T08:00:00+08:00"


def test_build_then_preview(make_case, tmp_path: Path) -> None:
    case = make_case(1)
    # As of a time inside the appeal window: no blocker, so no DRAFT and exit code 0.
    built = run_cli("build", case, "--cache-dir", tmp_path / "cache", "--as-of", IN_WINDOW)
    assert built.code == 0, built.stderr
    assert "Dossier written" in built.stdout
    shown = run_cli("preview", case)
    assert shown.code == 0, shown.stderr
    pages = sorted((case / "dossier" / "preview").glob("page-*.png"))
    assert pages and f"{len(pages)} pages" in shown.stdout
    with Image.open(pages[0]) as first:
        assert first.height > first.width  # portrait page
    # A dossier written elsewhere with --out is previewed from its own folder too.
    elsewhere = tmp_path / "sent"
    built = run_cli("build", case, "--out", elsewhere, "--cache-dir", tmp_path / "cache")
    assert built.code == 0, built.stderr
    shown = run_cli("preview", elsewhere)
    assert shown.code == 0, shown.stdout + shown.stderr
    assert sorted((elsewhere / "preview").glob("page-*.png"))


def test_preview_without_build_says_what_to_do(make_case) -> None:
    result = run_cli("preview", make_case(1))
    assert result.code == ExitCode.OUTPUT
    assert "appeal-kit build" in result.stderr


def test_check_blocks_on_missing_licence(make_case, tmp_path: Path) -> None:
    from tests.conftest import CASE_TOML

    toml = CASE_TOML.replace('"minor-edits"', '"copyright-trademark"')
    case = make_case(1, toml=toml)
    result = run_cli("check", case, "--json", "--cache-dir", tmp_path / "cache")
    assert result.code == ExitCode.COMPLETED_WITH_PROBLEMS
    codes = {f["code"]: f["severity"] for f in json.loads(result.stdout)}
    assert codes["missing-licence"] == "blocker"


def test_missing_case_folder(tmp_path: Path) -> None:
    result = run_cli("build", tmp_path / "nope")
    assert result.code == ExitCode.CASE_CONFIG
    assert "appeal-kit init" in result.stderr
    assert "Traceback" not in result.stderr


def test_verbose_shows_traceback_without_locals(tmp_path: Path) -> None:
    result = run_cli("--verbose", "build", tmp_path / "nope")
    assert result.code == ExitCode.CASE_CONFIG
    assert "Traceback" in result.stderr
    assert "locals" not in result.stderr.lower()


def test_console_script_runs_in_a_real_process(tmp_path: Path) -> None:
    result = run_subprocess("--version")
    assert result.code == 0 and "appeal-kit" in result.stdout
    result = run_subprocess("build", tmp_path / "missing")
    assert result.code == ExitCode.CASE_CONFIG
    assert "Traceback" not in result.stderr


def test_init_rejects_unknown_platform(tmp_path: Path) -> None:
    result = run_cli("init", tmp_path / "c", "--platform", "shopee")
    assert result.code == ExitCode.USAGE
    assert "aliexpress" in result.stderr
    assert not (tmp_path / "c").exists()


def test_findings_keep_toml_brackets(make_case, tmp_path: Path) -> None:
    from tests.conftest import save_jpeg, textured_photo

    case = make_case(1)
    save_jpeg(textured_photo(999, (800, 600)), case / "accused" / "unrelated.jpg")
    result = run_cli("check", case, "--json", "--cache-dir", tmp_path / "cache")
    unpaired = [f for f in json.loads(result.stdout) if f["code"] == "unpaired-accused"]
    assert unpaired and "[[pairs]]" in unpaired[0]["fix"]
    shown = run_cli("check", case, "--cache-dir", tmp_path / "cache")
    assert "[[pairs]]" in shown.stdout


def test_damaged_exif_gives_no_bare_python_warning(make_case, tmp_path: Path) -> None:
    # In a real process: pytest would capture the warning before it reached stderr.
    case = make_case(1)
    path = case / "originals" / "IMG_0412.JPG"
    data = path.read_bytes()
    index = data.index(b"Exif\x00\x00") + 6 + 8
    path.write_bytes(data[:index] + b"\xff\xff" + data[index + 2 :])
    result = run_subprocess("build", case, "--cache-dir", tmp_path / "cache", "--as-of", IN_WINDOW)
    assert result.code == 0, result.stderr
    assert "UserWarning" not in result.stdout + result.stderr
    verbose = run_subprocess("--verbose", "build", case, "--force", "--cache-dir", tmp_path / "c2")
    assert "UserWarning" in verbose.stdout + verbose.stderr


def test_check_gives_each_excluded_file_its_own_fix(make_case) -> None:
    case = make_case(1)
    (case / "originals" / "empty.jpg").write_bytes(b"")
    result = run_cli("check", case, "--json")
    findings = json.loads(result.stdout)
    [excluded] = [f for f in findings if f["code"] == "excluded-file"]
    assert excluded["path"] == "originals/empty.jpg"
    assert "is empty (0 bytes)" in excluded["message"]
    assert excluded["fix"] == "copy or download the file again"


def test_build_and_preview_state_the_same_size(make_case, tmp_path: Path) -> None:
    import re

    case = make_case(1)
    built = run_cli("build", case, "--cache-dir", tmp_path / "cache")
    shown = run_cli("preview", case)
    sizes = [re.findall(r"(\d+\.\d+) MB", r.stdout) for r in (built, shown)]
    assert sizes[0] and sizes[0][0] == sizes[1][0], (built.stdout, shown.stdout)


def test_exif_shows_the_header_of_a_truncated_photo(make_case, monkeypatch) -> None:
    from appeal_kit.cli import case_commands as cli_case

    monkeypatch.setattr(cli_case.console, "width", 120)
    case = make_case(1)
    path = case / "originals" / "IMG_0412.JPG"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # the EXIF header survives, the pixels don't
    result = run_cli("exif", case / "originals", "--verify")  # without it no pixel is decoded
    assert result.code == ExitCode.COMPLETED_WITH_PROBLEMS
    row = next(line for line in result.stdout.splitlines() if "IMG_0412.JPG" in line)
    assert "Canon EOS R6" in row and "image unreadable" in row and "2024-03-10" in row


def test_init_force_keeps_the_replaced_case_toml(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    assert run_cli("init", folder, "--case-id", "AE-1").code == 0
    case_file = folder / "case.toml"
    edited = case_file.read_text() + "# the seller's own notes\n"
    case_file.write_text(edited)
    replaced = run_cli("init", folder, "--case-id", "AE-2", "--force")
    assert replaced.code == 0, replaced.stderr
    assert (folder / "case.toml.bak").read_text() == edited
    assert "case.toml.bak" in "".join(replaced.stdout.split())  # long paths wrap
    assert 'case_id = "AE-2"' in case_file.read_text()
    # The same content again: nothing to keep, no message.
    again = run_cli("init", folder, "--case-id", "AE-2", "--force")
    assert "case.toml.bak" not in "".join(again.stdout.split())
    assert (folder / "case.toml.bak").read_text() == edited

"""case.toml as sellers really save it, and paths that lead out of the case (issue 14).

Every one of these was an internal error (exit 70) or a leak before; each must be
a case.toml error naming the file, the line, the field and the fix (exit 3).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from appeal_kit.case.config import load_case
from appeal_kit.errors import CaseConfigError
from tests.conftest import CASE_TOML, run_cli, write_case

HEAD = CASE_TOML.split("[[accused]]")[0]


def case_error(root: Path) -> CaseConfigError:
    with pytest.raises(CaseConfigError) as caught:
        load_case(root)
    return caught.value


def check_exit_3(root: Path, *phrases: str) -> str:
    result = run_cli("check", root)
    output = result.stdout + result.stderr
    assert result.code == 3, output
    assert "case.toml" in output and "fix" in output.lower()
    assert "internal error" not in output and "Traceback" not in output
    for phrase in phrases:
        assert phrase in output, output
    return output


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig"])
def test_utf16_and_bom_are_simply_read(tmp_path: Path, encoding: str) -> None:
    root = write_case(tmp_path / "c", "")
    (root / "case.toml").write_bytes(CASE_TOML.replace("Test Store", "Müller 店").encode(encoding))
    assert load_case(root).store == "Müller 店"


def test_latin1_names_the_line_and_the_encoding(tmp_path: Path) -> None:
    root = write_case(tmp_path / "c", "")
    text = HEAD + 'title_note = "x"\n'
    text = text.replace('store = "Test Store"', 'store = "Müller Shop"')
    (root / "case.toml").write_bytes(text.encode("latin-1"))
    error = case_error(root)
    assert error.line == 4 and error.field == "store"
    assert "UTF-8" in error.message and error.hint and "UTF-8" in error.hint
    check_exit_3(root, "line 4", "UTF-8")


def test_deeply_nested_array_is_a_case_error(tmp_path: Path) -> None:
    root = write_case(tmp_path / "c", HEAD + "store_note = " + "[" * 5000 + "]" * 5000 + "\n")
    error = case_error(root)
    assert error.line == HEAD.count("\n") + 1 and error.field == "store_note"
    check_exit_3(root, "nested too deeply")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("first_seen = 2024-09-30", "first_seen = 0001-01-01", "accused[0].first_seen"),
        ("2024-10-10T09:30:00+08:00", "9999-12-31T23:00:00+08:00", "notice_received"),
    ],
)
def test_year_1_or_9999_is_a_case_error(tmp_path: Path, old: str, new: str, field: str) -> None:
    root = write_case(tmp_path / "c", CASE_TOML.replace(old, new))
    error = case_error(root)
    assert error.field == field and "year" in error.message
    check_exit_3(root, "year")


def test_binary_statement_is_a_case_error(tmp_path: Path) -> None:
    root = write_case(tmp_path / "c", HEAD + 'statement = "statement.md"\n')
    (root / "statement.md").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    error = case_error(root)
    assert error.field == "statement" and "not a text file" in error.message
    result = run_cli("build", root, "--force")
    assert result.code == 3, result.stdout + result.stderr


def test_huge_statement_is_refused_fast_with_the_limit(tmp_path: Path) -> None:
    root = write_case(tmp_path / "c", HEAD + 'statement = "statement.md"\n')
    (root / "statement.md").write_text("We took this photo ourselves. " * 35_000, "utf-8")
    start = time.perf_counter()
    output = check_exit_3(root, "statement.md", "64 kB", "Shorten")
    assert time.perf_counter() - start < 10
    assert "1,025 kB" in output


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('statement = "/etc/passwd"\n', "statement"),
        ('statement = "../../../../../../etc/passwd"\n', "statement"),
        (
            '\n[[pairs]]\naccused = "/etc/passwd"\noriginal = "originals/a.jpg"\n',
            "pairs[0].accused",
        ),
        ('\n[[accused]]\nurl = "https://x"\nimages = ["/etc/passwd"]\n', "accused[0].images"),
        (
            '\n[[accused]]\nurl = "https://x"\nimages = ["../../../../../../../../etc/passwd"]\n',
            "accused[0].images",
        ),
    ],
)
def test_paths_outside_the_case_are_refused(tmp_path: Path, line: str, field: str) -> None:
    root = write_case(tmp_path / "c", HEAD + line)
    error = case_error(root)
    assert error.field == field and "outside the case folder" in error.message
    output = check_exit_3(root, "outside the case folder")
    assert "root:" not in output  # nothing of /etc/passwd's content


@pytest.mark.parametrize(
    "line",
    [
        'statement = "a\\u0000b"\n',
        f'statement = "{"a" * 5000}"\n',
        '\n[[pairs]]\naccused = "x\\u0000"\noriginal = "originals/a.jpg"\n',
        '\n[[accused]]\nurl = "https://x"\nimages = ["' + "b/" * 3000 + '"]\n',
    ],
)
def test_unusable_file_names_are_case_errors(tmp_path: Path, line: str) -> None:
    root = write_case(tmp_path / "c", HEAD + line)
    assert "not a usable file name" in case_error(root).message
    check_exit_3(root, "not a usable file name")


def test_a_link_inside_the_case_to_a_file_outside_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("my bank password", "utf-8")
    root = write_case(tmp_path / "c", HEAD + 'statement = "statement.md"\n')
    (root / "statement.md").symlink_to(secret)
    assert "outside the case folder" in case_error(root).message


def test_log_on_a_utf16_case_toml_adds_the_event(tmp_path: Path) -> None:
    root = write_case(tmp_path / "c", "")
    (root / "case.toml").write_bytes(CASE_TOML.encode("utf-16"))
    result = run_cli("log", root, "submitted", "--at", "2024-10-11T10:00:00+08:00")
    assert result.code == 0, result.stdout + result.stderr
    case = load_case(root)
    assert [e.type for e in case.events] == ["submitted"] and case.store == "Test Store"

"""No bypass: with a pseudo-translated catalog, no English word reaches the terminal.

Every message extracted for the console catalog is "translated" by swapping its
ASCII letters for accented look-alikes (placeholders, format specs and rich
markup kept). The CLI then runs in that pseudo-Chinese; a word of plain ASCII
letters in its output did not pass through the catalog, unless it is data
(a path, a file name, the case's own values), an option, a metavar or a code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("babel")

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from appeal_kit.i18n import console
from devtools.catalogs import extract
from tests.conftest import CASE_TOML, run_cli, write_case

ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀćďéƒǵĥíĵķĺḿńóṕqŕśťúṽẃẍýźÁƁĆĎÉƑǴĤÍĴĶĹḾŃÓṔQŔŚŤÚṼẂẌÝŹ",
)
# Kept as written: {placeholders} (with their format specs), {{ }}, and rich style tags.
KEEP = re.compile(
    r"\{\{|\}\}|\{[^{}]*\}|\[/?(?:bold|red|green|yellow|blue|dim|cyan)(?: \w+)*\]|\[/\]"
)


def pseudo(text: str) -> str:
    out, last = [], 0
    for kept in KEEP.finditer(text):
        out.append(text[last : kept.start()].translate(ACCENTED))
        out.append(kept.group())
        last = kept.end()
    out.append(text[last:].translate(ACCENTED))
    return "".join(out)


@pytest.fixture
def pseudo_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = Catalog(locale="zh", domain="console")
    for message in extract("console"):
        if message.id:
            catalog.add(message.id, pseudo(str(message.id)))
    folder = tmp_path / "locale" / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "console.mo").open("wb") as handle:
        write_mo(handle, catalog)
    monkeypatch.setattr(console, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setenv("APPEAL_KIT_LANG", "zh")


# Words that are syntax or codes, not prose: command names and metavars.
COMMANDS = {
    "init", "build", "preview", "check", "match", "exif", "deadlines", "log", "status",
    "points", "calendar", "cache",
}  # fmt: skip
SYNTAX = COMMANDS | {"CASE", "ROOT", "EVENT", "FILE", "ISO", "TIME", "ZONE", "PATHS", "FOLDER"}
WORD = re.compile(r"(?<![\w/.\-])[A-Za-z]{3,}(?![\w/.\-])")


def leaks(output: str, data: set[str]) -> list[str]:
    """Lines holding a plain English word that is neither data nor syntax."""
    found = []
    for line in output.splitlines():
        for token in line.split():
            # Paths, files, options, URLs, dates, type hints: data or syntax, not prose.
            if re.search(r"[/\\.\-_:<>=@0-9]", token.strip("()[]（）【】，。：；“”'\",;")):
                continue
            for word in WORD.findall(token):
                if word in data or word in SYNTAX or (word.isupper() and len(word) <= 5):
                    continue
                found.append(f"{word!r} in {line.strip()!r}")
    return found


def _data_words(*texts: str) -> set[str]:
    return {w for text in texts for w in re.findall(r"[A-Za-z]{3,}", text)}


def test_pseudo_catalog_changes_every_letter() -> None:
    assert pseudo("Missing {name!r} in [bold]{path}[/]: 12 files") == (
        "Ḿíśśíńǵ {name!r} íń [bold]{path}[/]: 12 ƒíĺéś"
    )
    assert not leaks(pseudo("No deadlines yet: add notice_received to case.toml"), set())
    assert leaks("No deadlines yet", set())


def test_help_of_every_command_passes_through_the_catalog(pseudo_console: None) -> None:
    from appeal_kit.cli.main import app

    pages = [run_cli("--help")]
    pages += [run_cli(info.name or "", "--help") for info in app.registered_commands]
    data = _data_words("appeal-kit")
    problems = [leak for page in pages for leak in leaks(page.stdout + page.stderr, data)]
    assert not problems, problems[:10]


def test_errors_pass_through_the_catalog(pseudo_console: None, tmp_path: Path) -> None:
    runs = [
        run_cli("check", tmp_path / "nope"),
        run_cli("build", tmp_path / "nope", "--no-such-option"),
        run_cli("build", tmp_path / "nope", "--jobs", "many"),
        run_cli("deadlines", tmp_path / "nope", "--as-of", "yesterday"),
        run_cli("bild"),
    ]
    data = _data_words(str(tmp_path), "nope yesterday many bild")
    problems = [leak for out in runs for leak in leaks(out.stdout + out.stderr, data)]
    assert not problems, problems[:10]


def test_deadlines_status_and_points_pass_through_the_catalog(
    pseudo_console: None, tmp_path: Path
) -> None:
    case = write_case(tmp_path / "ws" / "one", CASE_TOML)
    runs = [
        run_cli("deadlines", case, "--as-of", "2024-10-11T08:00:00+08:00"),
        run_cli("status", tmp_path / "ws", "--as-of", "2024-10-11T08:00:00+08:00"),
        run_cli("points", tmp_path / "ws", "--as-of", "2024-10-11T08:00:00+08:00"),
        run_cli("log", case, "submitted", "--at", "2024-10-11T10:00:00+08:00"),
    ]
    data = _data_words(str(case), CASE_TOML, "aliexpress")
    problems = [leak for out in runs for leak in leaks(out.stdout + out.stderr, data)]
    assert not problems, problems[:10]


def test_check_and_build_pass_through_the_catalog(
    pseudo_console: None, make_case, tmp_path: Path
) -> None:
    case = make_case(2)
    (case / "accused" / "notes.txt").write_text("not an image")  # an excluded file, with a fix
    cache = tmp_path / "cache"
    runs = [
        run_cli("check", case, "--cache-dir", cache),
        run_cli("build", case, "--cache-dir", cache, "--as-of", "2024-10-11T08:00:00+08:00"),
        run_cli("preview", case),
        run_cli("match", case, "--cache-dir", cache),
        run_cli("exif", case / "originals"),
        run_cli("calendar", case, "-o", tmp_path / "deadlines.ics"),
        run_cli("cache", "--cache-dir", cache),
        run_cli("init", tmp_path / "fresh", "--case-id", "AE-1"),
        run_cli("init", tmp_path / "fresh"),  # exists already: an error with its fix
    ]
    data = _data_words(str(tmp_path), CASE_TOML, "aliexpress Canon EOS fresh deadlines")
    problems = [leak for out in runs for leak in leaks(out.stdout + out.stderr, data)]
    assert not problems, problems[:10]

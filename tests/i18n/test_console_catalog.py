"""The console catalog: complete, compiled, faithful to placeholders and markup."""

from __future__ import annotations

import re
import string

import pytest

pytest.importorskip("babel")

from babel.messages.pofile import read_po

from devtools.catalogs import compiled, extract, po_path

PO = po_path("console", "zh")
# rich markup the messages carry; a translation must keep the same tags.
MARKUP = re.compile(r"\[/?(?:bold|red|green|yellow|blue|dim|cyan)(?: \w+)*\]|\[/\]")


def _catalog() -> list[tuple[str, str, bool]]:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    return [(str(m.id), str(m.string), m.fuzzy) for m in catalog if m.id]


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_every_console_message_has_chinese() -> None:
    """Code strings (__, lazy__), every --help text and the platform labels, all translated."""
    wanted = {str(m.id) for m in extract("console") if m.id}
    assert len(wanted) > 400  # the extraction itself works: help texts and messages found
    done = {msgid for msgid, text, fuzzy in _catalog() if text.strip() and not fuzzy}
    missing = sorted(wanted - done)
    assert not missing, f"{len(missing)} console messages lack Chinese, e.g. {missing[:5]}"


def test_console_mo_is_compiled_from_the_po() -> None:
    # Moved code only changes the .po's comments; completeness is the test above.
    assert PO.with_suffix(".mo").read_bytes() == compiled(PO, "zh"), (
        "run .venv/bin/python -m devtools.catalogs --domain console"
    )


def test_translations_keep_placeholders_and_markup() -> None:
    wrong = [
        msgid
        for msgid, text, _ in _catalog()
        if text
        and (
            _fields(msgid) != _fields(text)
            or sorted(MARKUP.findall(msgid)) != sorted(MARKUP.findall(text))
        )
    ]
    assert not wrong, wrong[:3]


def test_translations_read_as_chinese() -> None:
    """Each sentence is written in Chinese, not left in English (names and codes aside)."""
    untouched = [
        msgid
        for msgid, text, _ in _catalog()
        if text == msgid and re.search(r"[a-z]{3,} [a-z]{3,}", msgid)
    ]
    assert not untouched, untouched[:5]

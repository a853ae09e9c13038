"""What a case may read: ``case.toml``'s text, the statement, and the evidence files.

Everything a case names must stay inside the case folder. A case folder is often
shared (zipped and sent to a helper, or built on someone else's machine), so a
``statement = "/etc/passwd"`` or an evidence file that is a link to a file
elsewhere must never carry that file's content, or even its absolute path, into a
dossier meant for a marketplace reviewer.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from appeal_kit.i18n import __

# Files an OS or a camera app leaves in folders; never evidence, never reported.
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", "case.toml"})

# A case.toml is a page of settings; a megabyte is not one, and reading it whole
# into tomllib would be slow for nothing.
MAX_CASE_FILE_BYTES = 1 << 20
# A statement is one to five pages; 64 kB of text is about 25 pages, more than any
# reviewer reads. Beyond that the PDF layout slows to minutes (issue 14, item 11).
MAX_STATEMENT_BYTES = 64 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters that never appear in a text file (tab, newline, CR, form feed do).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


# How an evidence file that is a link to somewhere outside the case is excluded. Neither
# the target's path nor its content is ever read into a report.
OUTSIDE_REASON = "is a link to a file outside the case folder; it was not read"
OUTSIDE_FIX = "copy the file itself (not a link or shortcut) into the case folder"


class UnusableTextError(ValueError):
    """Why a file is not usable text: ``reason``, the 1-based ``line`` and the ``fix``."""

    def __init__(self, reason: str, fix: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix
        self.line = line


def decode_text(data: bytes, *, what: str, utf16: bool = True) -> str:
    """Text of a UTF-8 file (UTF-16, with ``utf16``, and UTF-8 with a byte-order mark too).

    Raises ``UnusableTextError`` naming the line for another encoding (Latin-1, GBK) or
    for binary content. ``what`` names the file in the message ("case.toml").
    """
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None and len(data) >= 2 and (data[0] == 0) != (data[1] == 0):
        # UTF-16 saved without a byte-order mark: every ASCII character has a NUL half.
        encoding = "utf-16-be" if data[0] == 0 else "utf-16-le"
    if encoding and encoding.startswith("utf-16") and not utf16:
        raise UnusableTextError(
            __("{what} is saved as UTF-16", what=what),
            __("open {what} and save it with the encoding UTF-8", what=what),
            1,
        )
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if encoding is None and b"\x00" in data[:4096]:
            raise _binary(what, line) from None
        raise UnusableTextError(
            __(
                "{what} is not saved as UTF-8 (byte {value} is not UTF-8 text; probably Latin-1 or a Chinese code page)",
                what=what,
                value=exc.start + 1,
            ),
            __("open {what} in a text editor and save it with the encoding UTF-8", what=what),
            line,
        ) from None
    text = text.lstrip("\ufeff")
    controls = _BINARY.findall(text)
    # A stray control character is a copy-and-paste accident (TOML names its line);
    # a NUL, or many of them, means the file is not text at all.
    if "\x00" in controls or len(controls) * 100 > len(text):
        bad = _BINARY.search(text)
        assert bad is not None
        raise _binary(what, text.count("\n", 0, bad.start()) + 1)
    return text


def _binary(what: str, line: int) -> UnusableTextError:
    return UnusableTextError(
        __(
            "{what} is not a text file (it holds binary data, such as an image or a word-processor document)",
            what=what,
        ),
        __("save {what} as plain text (UTF-8, .md or .txt) and point to that file", what=what),
        line,
    )


def read_limited(path: Path, limit: int, *, what: str, fix: str) -> bytes:
    """The bytes of ``path``, refusing (``UnusableTextError``) a file larger than ``limit``."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise UnusableTextError(
                __(
                    "{what} is {value:,.0f} kB; appeal-kit reads at most {value2} kB",
                    what=what,
                    value=size / 1024,
                    value2=limit // 1024,
                ),
                fix,
            )
        with path.open("rb") as handle:
            return handle.read(limit + 1)[:limit]
    except OSError as exc:
        raise UnusableTextError(
            __("{what} cannot be read ({value})", what=what, value=exc.strerror or exc),
            __(
                "check that you may read {what} (its permissions), then run the command again",
                what=what,
            ),
        ) from None


def usable_name(rel: str) -> bool:
    """False for a path the file system cannot even look up (NUL, over-long names)."""
    parts = rel.split("/")
    return (
        "\x00" not in rel
        and len(rel.encode("utf-8", "surrogatepass")) < 4000
        and all(len(part.encode("utf-8", "surrogatepass")) <= 255 for part in parts)
    )


def inside(root: Path, path: Path) -> Path | None:
    """``path`` resolved (links followed) when it lies inside ``root``; else ``None``.

    ``root`` must be resolved already.
    """
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL
        return None
    return resolved if resolved == root or root in resolved.parents else None


@dataclass(frozen=True)
class FolderListing:
    """Files found in an evidence folder, and links that lead outside the case."""

    files: tuple[Path, ...]
    outside: tuple[Path, ...]


def _visible(path: Path, folder: Path) -> bool:
    relative = path.relative_to(folder)
    return (
        not any(part.startswith(".") for part in relative.parts)
        and path.name.lower() not in IGNORED_NAMES
    )


def scan_folder(folder: Path, root: Path | None = None) -> FolderListing:
    """Every regular file below ``folder`` (hidden and OS clutter files skipped).

    With ``root`` (the resolved case folder), links whose target lies outside it
    are set apart in ``outside`` instead of being listed as files; a link into a
    folder outside is listed there too (its files are never read).
    """
    if not folder.is_dir():
        return FolderListing((), ())
    files: list[Path] = []
    outside: list[Path] = []
    for path in folder.rglob("*"):
        if not _visible(path, folder):
            continue
        if root is not None and path.is_symlink() and inside(root, path) is None:
            outside.append(path)
        elif path.is_file():
            files.append(path)

    def order(p: Path) -> str:
        return p.relative_to(folder).as_posix()

    return FolderListing(tuple(sorted(files, key=order)), tuple(sorted(outside, key=order)))

"""How ``--help`` is laid out: wrapped by terminal cells, no Click leftovers in Chinese.

Click wraps help with :mod:`textwrap`, which counts characters: a Chinese
character takes two terminal cells, so a Chinese paragraph ran twice as wide as
the terminal and broke at odd places. Click also shortens a command's
description in the command list with "..." and prints values of its own
(``[default: no-force]``, ``x>=0``, metavars such as ``ISO``) that are English
in any language. ``install_layout`` and ``tidy_parameters`` fix these, in
Typer's vendored Click, once per run.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from typer._click._textwrap import TextWrapper as ClickWrapper

from appeal_kit.i18n import LazyText, __, lazy__

# Our metavars (``metavar=`` in the commands), in the console language.
METAVARS: dict[str, LazyText] = {
    "CASE": lazy__("CASE"),
    "EVENT": lazy__("EVENT"),
    "FILE": lazy__("FILE"),
    "FOLDER": lazy__("FOLDER"),
    "ISO": lazy__("TIME"),
    "PATH": lazy__("PATH"),
    "ROOT": lazy__("ROOT"),
    "TIME": lazy__("TIME"),
    "ZONE": lazy__("ZONE"),
}
HEADING = lazy__("{heading}:")
AT_LEAST = lazy__("{help} (at least {minimum})")
AT_MOST = lazy__("{help} (at most {maximum})")
BETWEEN = lazy__("{help} ({minimum} to {maximum})")

# A line never starts with closing punctuation nor ends with opening punctuation (Chinese rule).
_CLOSING = set("，。、；：？！）》」』】〕’”…%,.;:?!)]}")
_OPENING = set("（《「『【〔‘“([{")
# Wide (CJK) characters get one chunk each, so a line may break between any two of them.
# Code point ranges, not a regex: compiling that character class took 3 ms of every start.
_WIDE_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


def _is_wide(text: str) -> bool:
    return cell_len(text) != len(text)


class CellWrapper(ClickWrapper):
    """Click's TextWrapper, measuring terminal cells and breaking between Chinese characters.

    Text without wide characters is wrapped exactly as before, except that a line
    no longer breaks at a hyphen (``--no-force``, ``2024-10-10T09:30``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("break_on_hyphens", False)
        super().__init__(*args, **kwargs)

    def _split(self, text: str) -> list[str]:
        chunks = super()._split(text)
        if not _is_wide(text):
            return chunks
        return [piece for chunk in chunks for piece in _wide_apart(chunk)]

    def _wrap_chunks(self, chunks: list[str]) -> list[str]:
        if not any(_is_wide(c) for c in chunks):
            return super()._wrap_chunks(chunks)
        lines: list[str] = []
        chunks.reverse()
        while chunks:
            indent = self.subsequent_indent if lines else self.initial_indent
            width = max(self.width - cell_len(indent), 2)
            if self.drop_whitespace and lines and not chunks[-1].strip():
                chunks.pop()
                continue
            line: list[str] = []
            used = 0
            while chunks and used + cell_len(chunks[-1]) <= width:
                used += cell_len(chunks[-1])
                line.append(chunks.pop())
            if chunks and not line:  # one chunk wider than the line: cut it by cells
                head, rest = _cut(chunks.pop(), width)
                line.append(head)
                chunks.append(rest)
            elif (
                chunks
                and len(line) > 1
                and (chunks[-1][:1] in _CLOSING or line[-1][-1:] in _OPENING)
            ):
                # Kinsoku: carry the last character over rather than start with "，" or end with "（".
                chunks.append(line.pop())
            while self.drop_whitespace and line and not line[-1].strip():
                line.pop()
            if line:
                lines.append(indent + "".join(line))
        return lines


def _wide_apart(chunk: str) -> list[str]:
    """``chunk`` split before and after each wide character; no empty pieces."""
    pieces: list[str] = []
    run = ""
    for char in chunk:
        code = ord(char)
        if any(low <= code <= high for low, high in _WIDE_RANGES):
            if run:
                pieces.append(run)
                run = ""
            pieces.append(char)
        else:
            run += char
    if run:
        pieces.append(run)
    return pieces


def _cut(chunk: str, width: int) -> tuple[str, str]:
    used = 0
    for index, char in enumerate(chunk):
        used += cell_len(char)
        if used > width:
            return chunk[: max(index, 1)], chunk[max(index, 1) :]
    return chunk, ""


def install_layout() -> None:
    """Cell-width wrapping, whole command descriptions, and headings with a full-width colon."""
    from typer import core
    from typer._click import _textwrap, formatting

    if getattr(_textwrap.TextWrapper, "_appeal_kit", False):
        return
    CellWrapper._appeal_kit = True  # type: ignore[attr-defined]
    _textwrap.TextWrapper = CellWrapper  # type: ignore[misc]

    def write_heading(self: Any, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{__(HEADING, heading=heading)}\n")

    formatting.HelpFormatter.write_heading = write_heading  # type: ignore[method-assign]

    def get_short_help_str(self: Any, limit: int = 45) -> str:
        # The command list wraps a long description; Click cut it off with "...".
        text = self.short_help or (self.help or "").split("\n\n", 1)[0]
        return " ".join(text.split())

    for cls in (core.TyperCommand, core.TyperGroup):
        cls.get_short_help_str = get_short_help_str  # type: ignore[method-assign]


def tidy_parameters(command: Any) -> None:
    """A yes/no flag shows no default: ``[default: no-force]`` says nothing its help does not."""
    for param in command.params:
        if getattr(param, "is_flag", False) and param.default is False:
            param.show_default = False


def chinese_parameters(command: Any) -> None:
    """Metavars and ranges (``ISO``, ``x>=0``) in words, after the help texts are translated."""
    for param in command.params:
        shown = param.metavar
        if shown in METAVARS:
            word = __(METAVARS[shown])
            param.metavar = word if param.param_type_name == "argument" else f"<{word}>"
        low, high = getattr(param, "min", None), getattr(param, "max", None)
        if param.help and (low is not None or high is not None):
            # The range goes inside the sentence: the translation ends it again.
            param.help = param.help.rstrip("。.")
            if high is None:
                param.help = __(AT_LEAST, help=param.help, minimum=low)
            elif low is None:
                param.help = __(AT_MOST, help=param.help, maximum=high)
            else:
                param.help = __(BETWEEN, help=param.help, minimum=low, maximum=high)
            param._get_number_range_help_str = lambda: None

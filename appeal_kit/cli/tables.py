"""Terminal tables that fit the terminal without cutting a word (file names stay whole).

Rich folds a cell that does not fit its column anywhere, even inside a file name
("listing-main-cr" over "opped.jpg"). Columns here get at least their longest word
and give up width one character at a time from the column with the most room, so
cells wrap at spaces. Only a terminal too narrow even for that lets rich fold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len

if TYPE_CHECKING:
    from rich.table import Table


def longest_cell(parts: list[str]) -> int:
    """Terminal cells of the widest part (wide CJK characters count twice)."""
    return max((cell_len(part) for part in parts), default=0)


def fit_widths(natural: list[int], minimum: list[int], budget: int) -> list[int] | None:
    """Column widths summing to at most ``budget``, none below its ``minimum``.

    Starts from each column's ``natural`` (widest line) width and takes one
    character at a time from the column with the most room above its minimum, so
    text wraps at spaces and never inside a word. ``None`` when even the minimums
    do not fit.
    """
    widths = [max(n, m) for n, m in zip(natural, minimum, strict=True)]
    if sum(minimum) > budget:
        return None
    while sum(widths) > budget:
        slack = [w - m for w, m in zip(widths, minimum, strict=True)]
        # Ties go to the rightmost column: the name on the left stays whole longest.
        widest = max(range(len(widths)), key=lambda i: (slack[i], i))
        widths[widest] -= 1
    return widths


def fitted_table(
    headers: list[str],
    rows: list[list[str]],
    width: int,
    *,
    names: int = 1,
    caption: str = "",
    title: str = "",
    keep_lines: tuple[int, ...] = (),
) -> Table:
    """A rich table of ``rows`` (cells may hold markup) in ``width`` cells, words whole.

    Boxed when every word fits that way; in a narrower terminal without rules
    (each rule and edge costs a cell); narrower still, the first ``names`` columns
    (file names) stay whole and the others may fold. The ``keep_lines`` columns
    keep each line whole when there is room.
    """
    # Imported here: --help and status import this module and never draw this table.
    from rich.table import Table
    from rich.text import Text

    plain = [[Text.from_markup(cell).plain for cell in row] for row in rows]
    columns = [[row[i] for row in plain] for i in range(len(headers))]
    natural = [
        max([longest_cell(h.splitlines()), *(longest_cell(t.splitlines()) for t in column)])
        for h, column in zip(headers, columns, strict=True)
    ]
    words = [
        max([longest_cell(h.split()), *(longest_cell(t.split()) for t in column)])
        for h, column in zip(headers, columns, strict=True)
    ]
    # Columns whose lines read badly when wrapped ("1 d 0" over "h left") keep them
    # whole first; then every word whole; then only the file names.
    lines_whole = [
        max([words[i], *(longest_cell(t.splitlines()) for t in columns[i])])
        if i in keep_lines
        else words[i]
        for i in range(len(headers))
    ]
    names_whole = [*words[:names], *(1 for _ in words[names:])]
    count = len(headers)
    # Boxed: a padding cell each side of a column, a rule between and at both edges.
    # Plain: the padding between columns only.
    boxed, plain_budget = width - 3 * count - 1, width - 2 * (count - 1)
    # Whole lines come before the rules: a borderless table that keeps "还剩 1天1小时"
    # on one line reads better than a boxed one that breaks it.
    found, framed = fit_widths(natural, lines_whole, boxed), True
    if found is None and keep_lines:
        found, framed = fit_widths(natural, lines_whole, plain_budget), False
    if found is None:
        found, framed = fit_widths(natural, words, boxed), True
    if found is None:
        found, framed = fit_widths(natural, words, plain_budget), False
    if found is None:
        found, framed = fit_widths(natural, names_whole, plain_budget), False
    table = (
        Table(caption=caption, title=title or None, title_justify="left")
        if framed
        else Table(
            caption=caption,
            title=title or None,
            title_justify="left",
            box=None,
            pad_edge=False,
            header_style="bold underline",
        )
    )
    chosen: list[int | None] = list(found) if found else [None] * count
    for header, column_width in zip(headers, chosen, strict=True):
        table.add_column(header, overflow="fold", width=column_width)
    for row in rows:
        table.add_row(*row)
    return table

"""The commands that look at inputs without building: ``match`` and ``exif``.

They share the console, progress bar and option types of ``case_commands``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from appeal_kit.cli import words
from appeal_kit.cli.case_commands import (
    VERDICT_WORDS,
    VERIFY_HELP,
    CaseArg,
    JsonOpt,
    _progress,
    _short_time,
    console,
)
from appeal_kit.cli.tables import fitted_table
from appeal_kit.errors import ExitCode, InputFileError
from appeal_kit.i18n import __

if TYPE_CHECKING:
    from appeal_kit.analysis import Analysis
    from appeal_kit.models import MatchResult


def exif(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", help="Image files or folders.")],
    as_json: JsonOpt = False,
    include_gps: Annotated[bool, typer.Option(help="Show GPS coordinates.")] = False,
    verify: Annotated[bool, typer.Option("--verify", help=VERIFY_HELP)] = False,
) -> None:
    """Show capture time, camera and other metadata of image files.

    Example: appeal-kit exif samples/demo-case/originals --json
    """
    from appeal_kit.case.config import list_files
    from appeal_kit.evidence.metadata import read_many
    from appeal_kit.options import default_jobs

    files: list[Path] = []
    for path in paths:
        if not path.exists():
            # A mistyped path is the user's input, not a file to list as "unreadable" (exit 4).
            raise InputFileError(
                path,
                __("does not exist"),
                hint=__("check the path; a folder of images works too"),
            )
        files.extend(list_files(path) if path.is_dir() else [path])
    # Headers only by default, as exiftool: the decode costs more than all else, build does it.
    items = read_many(files, display=str, jobs=default_jobs(), check_thumbnail=verify)
    read = [m for m in items if not m.error]
    # A damaged file that exists is reported in the table: finished with problems (1).
    failed = ExitCode.OK if len(read) == len(items) else ExitCode.COMPLETED_WITH_PROBLEMS
    if as_json:
        print(json.dumps([m.to_json(include_gps=include_gps) for m in items], indent=2))
        if failed:
            raise typer.Exit(int(failed))
        return
    from rich.table import Table

    table = Table(show_lines=False)
    table.add_column(__("File"), overflow="fold", ratio=2)
    for column in (__("Captured"), __("Camera"), __("Serial")):
        table.add_column(column, overflow="fold", ratio=1)
    table.add_column(__("Size"), no_wrap=True)
    # Paths relative to the folder they share, so rows stay distinguishable when narrow.
    try:
        common = os.path.commonpath([os.path.dirname(m.display_path) or "." for m in items or []])
    except ValueError:  # absolute and relative paths given together: nothing in common
        common = ""
    common = "" if common in (".", "") else common
    # Notes go under the table, one line per file: a notes column is unreadable at 80 columns.
    notes: list[str] = []
    for meta in items:
        shown = os.path.relpath(meta.display_path, common) if common else meta.display_path
        if meta.error:
            if meta.captured_at or meta.camera:
                # The header was read before the pixels failed (a truncated file): show it.
                table.add_row(
                    shown,
                    _short_time(meta.captured_at) if meta.captured_at else "",
                    meta.camera or "",
                    meta.serial or "",
                    __("[red]image unreadable[/]"),
                )
            else:
                table.add_row(shown, __("[red]unreadable[/]"), "", "", "")
            fix = (
                __("\n    fix: {fix}", fix=escape(words.sentence(meta.error_fix)))
                if meta.error_fix
                else ""
            )
            notes.append(f"[red]{escape(shown)}[/]: {escape(meta.error)}{fix}")
            continue
        remarks = meta.warnings + [f.message for f in meta.findings]
        if meta.has_gps:
            remarks.insert(
                0,
                __("GPS present {where}", where=meta.gps)
                if include_gps and meta.gps
                else __("GPS present"),
            )
        notes += [f"{escape(shown)}: {escape(remark)}" for remark in remarks]
        table.add_row(
            shown,
            _short_time(meta.captured_at) if meta.captured_at else __("[yellow]none[/]"),
            meta.camera or "",
            meta.serial or "",
            f"{meta.width}×{meta.height}" if meta.width else "",
        )
    if common:
        table.caption = __("in {folder}/", folder=common.rstrip("/"))
    console.print(table)
    for line in notes:
        console.print(f"  • {line}", highlight=False)
    if verify and read:
        # Say what passed, not only what failed: a clean table would otherwise look
        # the same as one whose pixels were never checked.
        whole = [m for m in items if not m.error]
        console.print(
            __(
                "Pixels checked: image data complete in {ok} of {total}; {same} of them still "
                "match their EXIF thumbnail (the others have none, or are named above).",
                ok=len(whole),
                total=len(items),
                same=sum(1 for m in whole if m.thumbnail_matches),
            ),
            highlight=False,
        )
    if not verify and read:  # nothing was read, so there are no pixels to speak of
        console.print(
            __(
                "Pixels not checked: whether each photo still matches its EXIF thumbnail and "
                "whether its image data is complete. Run appeal-kit exif --verify (or build) to check them."
            ),
            highlight=False,
        )
    if failed:
        raise typer.Exit(int(failed))


def match(
    case: CaseArg,
    as_json: JsonOpt = False,
    originals: Annotated[
        Path | None, typer.Option(help="Also search this library folder of originals.")
    ] = None,
    jobs: Annotated[int, typer.Option(min=0, help="Worker processes (0: all cores).")] = 0,
    cache_dir: Annotated[Path | None, typer.Option(help="Feature cache folder.")] = None,
) -> None:
    """Find which original each accused image was taken from.

    Example: appeal-kit match samples/demo-case --json
    """
    from appeal_kit.options import BuildOptions
    from appeal_kit.pipeline import analyse_case

    options = BuildOptions(jobs=jobs, cache_dir=cache_dir, originals_library=originals)
    with _progress(not as_json) as update:
        analysis = analyse_case(case, options, progress=update)
    base = analysis.case.root
    results = analysis.matches + _skipped(analysis)
    # An unusable file makes match exit 1, as it does build and check (README's table).
    failed = bool(analysis.excluded) or any(m.method == "skipped" for m in results)
    if as_json:
        print(json.dumps([m.to_json(base) for m in results], indent=2))
        if failed:
            raise typer.Exit(int(ExitCode.COMPLETED_WITH_PROBLEMS))
        return

    headers = [
        __("Accused"),
        __("Original"),
        __("Verdict"),
        __("Points"),
        __("Covers"),
        __("Transform"),
    ]
    rows: list[list[str]] = []
    for item in results:
        if item.method == "skipped":
            rows.append([item.accused.name, "—", __("[red]not analysed[/]"), "", "", ""])
            continue
        colour = {"match": "green", "possible": "yellow", "none": "red"}[item.verdict]
        # TRANSLATORS: the separator between items of a list (Chinese uses 、).
        transform = __(", ").join(
            part
            for part in (
                __("screenshot") if item.is_screenshot else "",
                __("mirrored") if item.mirrored else "",
                __("rotated {angle:.0f}°", angle=item.rotation) if abs(item.rotation) >= 1 else "",
                __("scale {scale:.0%}", scale=item.scale) if item.original else "",
            )
            if part
        )
        rows.append(
            [
                item.accused.name,
                item.original.name if item.original else "—",
                f"[{colour}]{__(VERDICT_WORDS[item.verdict])}[/]",
                str(item.inliers),
                f"{item.coverage:.0%}",
                transform,
            ]
        )
    table = fitted_table(
        headers,
        rows,
        console.width,
        names=2,  # file names stay whole
        caption=__("Full paths, regions and scores: appeal-kit match {case} --json", case=case),
    )
    console.print(table)
    # One line a file: the analysis can list a file twice (a link and its target's check).
    for excluded in {item.display_path: item for item in analysis.excluded}.values():
        console.print(
            __(
                "[yellow]excluded:[/] {path} {reason}",
                path=excluded.display_path,
                reason=escape(excluded.reason),
            )
            + (
                __("\n  fix: {fix}", fix=escape(words.sentence(excluded.fix)))
                if excluded.fix
                else ""
            ),
            highlight=False,
        )
    shown = {excluded.display_path for excluded in analysis.excluded}
    for item in analysis.matches:
        if item.method == "skipped" and analysis.case.display(item.accused) not in shown:
            console.print(
                f"[yellow]{escape(analysis.case.display(item.accused))}[/]: {escape(item.note)}",
                highlight=False,
            )
    if failed:
        raise typer.Exit(int(ExitCode.COMPLETED_WITH_PROBLEMS))


def _skipped(analysis: Analysis) -> list[MatchResult]:
    """Accused files left out before matching, as the matcher reports an unreadable one.

    The README promises excluded files are named "by build, check and match alike";
    ``--json`` keeps its keys: verdict ``none``, method ``skipped``, the reason in ``note``.
    """
    from appeal_kit.models import MatchResult

    root = analysis.case.root
    matched = {analysis.case.display(m.accused) for m in analysis.matches}
    return [
        MatchResult(
            accused=root / item.display_path,
            original=None,
            verdict="none",
            method="skipped",
            note=__("not analysed: {reason}", reason=item.reason),
        )
        for item in analysis.excluded
        if item.role == "accused" and item.display_path not in matched
    ]


def register(app: typer.Typer) -> None:
    """Add ``match`` and ``exif`` to ``app`` (after the case commands, as in ``--help``)."""
    for command in (match, exif):
        app.command()(command)

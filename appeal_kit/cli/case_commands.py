"""Commands for one case: init, exif, match, build, preview, check.

Each command only turns arguments into a library call and prints the result.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape

from appeal_kit.cli import words
from appeal_kit.errors import ExitCode, InvalidValueError, OutputError
from appeal_kit.i18n import __, from_english, lazy__
from appeal_kit.i18n.document import DocLang, parse_doc_lang

if TYPE_CHECKING:  # the library loads inside each command, so --help starts fast
    from appeal_kit.models import Finding

console = Console()
err = Console(stderr=True)

STAGE_LABELS = {
    "metadata": lazy__("Reading metadata"),
    "index originals": lazy__("Indexing originals"),
    "index accused": lazy__("Indexing accused images"),
    "match": lazy__("Matching accused images"),
    "comparisons": lazy__("Drawing comparisons"),
    "dossier": lazy__("Writing the PDF"),
}
SEVERITY_STYLE = {"blocker": "bold red", "warning": "yellow", "info": "cyan"}
# The terminal names severities in the reader's language; JSON keeps the English codes.
SEVERITY_WORDS = {
    "blocker": lazy__("blocker"),
    "warning": lazy__("warning"),
    "info": lazy__("info"),
}
VERDICT_WORDS = {
    "match": lazy__("match"),
    "possible": lazy__("possible"),
    "none": lazy__("none"),
}

CaseArg = Annotated[
    Path,
    typer.Argument(metavar="CASE", help="The case folder (with case.toml).", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
VERIFY_HELP = (
    "Also decode each image: check that its EXIF thumbnail still shows it and "
    "that its image data is complete (slower; build always does)."
)


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A rich progress bar on stderr, fed by the library's (stage, done, total) callback."""
    if not enabled:
        yield None
        return
    # Imported here so that --help and the quick commands start without it.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        # Labels are padded by terminal cells below: a Chinese character takes two.
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                label = __(STAGE_LABELS[stage]) if stage in STAGE_LABELS else stage
                label += " " * max(0, 26 - cell_len(label))
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def _short_time(moment: datetime) -> str:
    """``2024-03-10 14:02:20.07 +08:00``: seconds to the hundredth, offset when known."""
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 10_000:02d}"
    offset = moment.strftime("%z")
    return f"{text} {offset[:3]}:{offset[3:]}" if offset else text


def print_findings(findings: list[Finding], *, title: str | None = None) -> None:
    """The findings as a table, worst first (or a one-line all-clear)."""
    title = title or __("Pre-flight check")
    if not findings:
        console.print(__("[green]{title}: no problems found.[/]", title=title))
        return
    from rich.table import Table  # rich.table pulls in fractions and decimal: not for --help

    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    table.add_column(__("Severity"), no_wrap=True)
    # fold, not the default ellipsis: a Chinese sentence has no spaces to wrap at.
    table.add_column(__("Problem"), overflow="fold")
    table.add_column(__("What to do"), overflow="fold")
    for item in findings:
        style = SEVERITY_STYLE[item.severity]
        # Every problem names its file, even when the message itself does not.
        message = item.message
        if item.path and item.path not in message:
            message = f"{item.path}: {message}"
        # Messages quote case.toml ("[[pairs]]"): escape so rich shows them as written.
        severity = __(SEVERITY_WORDS[item.severity])
        table.add_row(f"[{style}]{severity}[/]", escape(message), escape(words.sentence(item.fix)))
    console.print(table)


def init(
    folder: Annotated[
        Path, typer.Argument(metavar="FOLDER", help="Folder to create for the case.")
    ],
    platform: Annotated[str, typer.Option(help="Platform profile.")] = "aliexpress",
    mode: Annotated[str, typer.Option(help="appeal (we are accused) or complaint.")] = "appeal",
    case_id: Annotated[str, typer.Option(help="Case or complaint id from the notice.")] = "",
    store: Annotated[str, typer.Option(help="Your store name.")] = "",
    seller_id: Annotated[str, typer.Option(help="Your seller id.")] = "",
    complainant: Annotated[str, typer.Option(help="Who filed the complaint.")] = "",
    notice_received: Annotated[
        str, typer.Option(help="When the notice arrived, e.g. 2024-10-10T09:30:00+08:00.")
    ] = "",
    violation: Annotated[
        str, typer.Option(help="minor-edits, direct-copy or copyright-trademark.")
    ] = "",
    points: Annotated[int | None, typer.Option(help="Penalty points at stake.")] = None,
    url: Annotated[
        list[str] | None, typer.Option(help="Accused listing URL (repeat for several).")
    ] = None,
    first_seen: Annotated[str, typer.Option(help="When the accused listing was first seen.")] = "",
    timezone: Annotated[str, typer.Option(help="Your time zone, e.g. Europe/Berlin.")] = "",
    force: Annotated[
        bool,
        typer.Option(
            help="Overwrite an existing case.toml (the old one is kept as case.toml.bak)."
        ),
    ] = False,
) -> None:
    """Create a case folder: a commented case.toml and empty originals/, accused/, documents/.

    Asks for the main fields when run in a terminal; never asks when input is piped.

    Example: appeal-kit init my-case --case-id AE-123 --notice-received 2024-10-10T09:30:00+08:00
    """
    from appeal_kit.case.scaffold import CaseFields, create_case, proposed_language

    fields = CaseFields(
        platform=platform,
        mode=mode,
        case_id=case_id,
        store=store,
        seller_id=seller_id,
        complainant=complainant,
        notice_received=notice_received,
        violation=violation,
        points_at_stake=points,
        timezone=timezone,
        urls=list(url or []),
        first_seen=first_seen,
        language=proposed_language(),
    )
    if sys.stdin.isatty() and sys.stdout.isatty():
        from appeal_kit.cli.init_prompts import ask_missing

        ask_missing(fields)
    if fields.points_at_stake is None and fields.violation:
        fields.points_example = _profile_points(fields.platform, fields.violation)
    case_file, backup = create_case(folder, fields, force=force)
    console.print(
        __(
            "Created [bold]{file}[/] and the folders originals/, accused/, documents/.",
            file=case_file,
        )
    )
    if backup is not None:
        console.print(__("The case.toml it replaced is kept as {backup}.", backup=backup))
    console.print(
        __(
            "Next: copy your camera originals into originals/, the accused listing images or "
            "screenshots into accused/, certificates into documents/, fill in case.toml, "
            "then run\n  appeal-kit check {folder}\n  appeal-kit build {folder}",
            folder=folder,
        )
    )


def _doc_lang(value: str | None) -> DocLang | None:
    """``--lang`` as a dossier language, or an error naming the three choices."""
    if value is None:
        return None
    lang = parse_doc_lang(value)
    if lang is None:
        raise InvalidValueError(
            __("unknown dossier language '{value}'", value=value),
            hint=__("use --lang en, --lang zh or --lang zh+en (Chinese and English on each page)"),
        )
    return lang


def build(
    case: CaseArg,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing output folder.")] = False,
    include_gps: Annotated[bool, typer.Option(help="Show originals' GPS in the dossier.")] = False,
    page_size: Annotated[str, typer.Option(help="a4 or letter.")] = "a4",
    as_of: Annotated[
        str | None, typer.Option(help="State deadline status as of this time on the page.")
    ] = None,
    jobs: Annotated[int, typer.Option(min=0, help="Worker processes (0: all cores).")] = 0,
    cache_dir: Annotated[Path | None, typer.Option(help="Feature cache folder.")] = None,
    originals: Annotated[
        Path | None, typer.Option(help="Also search this library folder of originals.")
    ] = None,
    max_size: Annotated[
        float, typer.Option(min=0.1, help="Warn above this dossier size, in MB.")
    ] = 10.0,
    timezone: Annotated[str | None, typer.Option(help="Your time zone for the tracker.")] = None,
    lang: Annotated[
        str | None,
        typer.Option(help="Dossier language: en, zh or zh+en (default: case.toml language)."),
    ] = None,
) -> None:
    """Build the PDF dossier, comparison images and manifest for a case.

    Example: appeal-kit build samples/demo-case --force
    """
    from appeal_kit.options import BuildOptions
    from appeal_kit.pipeline import build_dossier
    from appeal_kit.tracking.deadlines import parse_moment

    if page_size.lower() not in ("a4", "letter"):
        raise InvalidValueError(
            __("unknown page size '{size}'", size=page_size),
            hint=__("use --page-size a4 or letter"),
        )
    options = BuildOptions(
        out_dir=out,
        force=force,
        include_gps=include_gps,
        page_size="letter" if page_size.lower() == "letter" else "a4",
        as_of=parse_moment(as_of, what="--as-of") if as_of else None,
        jobs=jobs,
        cache_dir=cache_dir,
        originals_library=originals,
        max_size_mb=max_size,
        local_timezone=timezone,
        lang=_doc_lang(lang),
    )
    with _progress(True) as update:
        result = build_dossier(case, options, progress=update)
    analysis = result.analysis
    # Excluded files get a line each (file names never wrapped); the table has the rest.
    for item in result.excluded:
        err.print(
            __(
                "[yellow]excluded:[/] {path} {reason}",
                path=item.display_path,
                reason=escape(item.reason),
            )
            + (__("\n  fix: {fix}", fix=escape(words.sentence(item.fix))) if item.fix else ""),
            highlight=False,
        )
    others = [f for f in result.findings if f.code != "excluded-file"]
    if others or not result.excluded:
        print_findings(others)
    else:
        console.print(__("Pre-flight check: no problems besides the excluded files above."))
    pairs = analysis.paired
    preview_command = f"appeal-kit preview {case}" + (f" --out {out}" if out else "")
    console.print(
        __(
            "[bold green]Dossier written:[/] {pdf}\n"
            "  {pages} pages, {size:.1f} MB; {paired} of {accused} accused images paired; "
            "{excluded_files}\n"
            "  manifest: {manifest}\n"
            "  preview it: {command}",
            pdf=result.pdf_path,
            pages=result.page_count,
            size=result.pdf_size / 1e6,
            paired=len(pairs),
            accused=len(analysis.accused),
            # One whole message per form (the catalog tests read singular messages only).
            excluded_files=__("1 file excluded")
            if len(result.excluded) == 1
            else __("{n} files excluded", n=len(result.excluded)),
            manifest=result.manifest_path,
            command=preview_command,
        ),
        highlight=False,
    )
    if result.draft:
        # The dossier is written (to show what is missing) but marked DRAFT on every page.
        err.print(
            "[bold red]"
            + escape(__("DRAFT: not ready to submit. Every page is marked DRAFT; exit code 1."))
            + "[/]"
        )
        for finding in result.findings:
            if finding.severity == "blocker":
                err.print(
                    __(
                        "[red]blocker:[/] {message}\n  fix: {fix}",
                        message=escape(finding.message),
                        fix=escape(words.sentence(finding.fix)),
                    ),
                    highlight=False,
                )
        raise typer.Exit(int(ExitCode.COMPLETED_WITH_PROBLEMS))
    if result.excluded:
        err.print(
            __(
                "[yellow]Finished with 1 excluded file: exit code 1.[/] "
                "It is listed on the dossier's Excluded files page."
            )
            if len(result.excluded) == 1
            else __(
                "[yellow]Finished with {n} excluded files: exit code 1.[/] "
                "They are listed on the dossier's Excluded files page.",
                n=len(result.excluded),
            )
        )
        raise typer.Exit(int(ExitCode.COMPLETED_WITH_PROBLEMS))


def _profile_points(platform: str, violation: str) -> int | None:
    """The platform profile's points for ``violation``, if it has a figure."""
    from appeal_kit.errors import AppealKitError
    from appeal_kit.tracking.platforms import load_profile

    try:
        policy = load_profile(platform).points
    except AppealKitError:  # an unknown platform is reported when the case is read
        return None
    return policy.by_violation.get(violation) if policy is not None else None


def preview(
    case: CaseArg,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Dossier folder, if not the case's dossier/.")
    ] = None,
    open_viewer: Annotated[
        bool, typer.Option("--open", help="Open the PDF in the system viewer.")
    ] = False,
    dpi: Annotated[int, typer.Option(help="Resolution of the page images.")] = 80,
) -> None:
    """Render every page of the built dossier to PNG in dossier/preview/.

    CASE may also be a dossier folder itself (one written with build --out).

    Example: appeal-kit preview samples/demo-case
    """
    from appeal_kit.case.config import CASE_FILE, DEFAULT_OUTPUT, find_case_file
    from appeal_kit.dossier.preview import PREVIEW_DIR, render_preview
    from appeal_kit.pipeline import PDF_NAME

    if out is None and (case / PDF_NAME).is_file() and not (case / CASE_FILE).is_file():
        folder = case  # a dossier folder itself (one built with --out): preview it
    else:
        find_case_file(case)
        folder = out or case / DEFAULT_OUTPUT
    if not (folder / PDF_NAME).is_file():
        # Said here, where the case folder is known: the fix is the command to type.
        build_command = f"appeal-kit build {case}" + (f" --out {out}" if out else "")
        raise OutputError(
            __("no dossier at {pdf_path}", pdf_path=folder / PDF_NAME),
            hint=__("Build it first: {command}", command=build_command),
        )
    result = render_preview(folder / PDF_NAME, folder / PREVIEW_DIR, dpi=dpi)
    manifest = folder / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    pairs = sum(1 for o in data.get("outputs", []) if o.get("role") == "comparison")
    console.print(
        __(
            "{pdf}: {pages} pages, {size:.1f} MB, {pairs} comparison pages\n"
            "Page images: {folder}/page-001.png … page-{last:03d}.png",
            pdf=result.pdf_path,
            pages=result.page_count,
            size=result.pdf_size / 1e6,
            pairs=pairs,
            folder=folder / PREVIEW_DIR,
            last=result.page_count,
        ),
        highlight=False,
    )
    for item in data.get("excluded", []):
        # The manifest keeps English reasons (JSON): read back into the console language.
        err.print(
            __(
                "[yellow]warning:[/] excluded {path}: {reason}",
                path=item["path"],
                reason=escape(from_english(item["reason"])),
            ),
            highlight=False,
        )
    if open_viewer:
        from appeal_kit.cli.viewer import open_in_viewer

        problem = open_in_viewer(result.pdf_path)
        if problem is not None:
            err.print(
                __(
                    "Could not open a PDF viewer: {problem}. The dossier is at {path}; "
                    "open it with any PDF reader.",
                    problem=problem,
                    path=result.pdf_path,
                ),
                highlight=False,
                soft_wrap=True,
            )


def check(
    case: CaseArg,
    as_json: JsonOpt = False,
    max_size: Annotated[float, typer.Option(help="Dossier size budget in MB.")] = 10.0,
    jobs: Annotated[int, typer.Option(min=0, help="Worker processes (0: all cores).")] = 0,
    cache_dir: Annotated[Path | None, typer.Option(help="Feature cache folder.")] = None,
) -> None:
    """List every weakness of a case before you submit; exit code 1 on blockers or unusable files.

    Example: appeal-kit check samples/demo-case
    """
    from appeal_kit.checks import has_blockers, with_size_check
    from appeal_kit.options import BuildOptions
    from appeal_kit.pipeline import PDF_NAME, analyse_case, resolve_out_dir

    options = BuildOptions(jobs=jobs, cache_dir=cache_dir, max_size_mb=max_size)
    with _progress(not as_json) as update:
        analysis = analyse_case(case, options, progress=update)
    findings = analysis.findings
    built = resolve_out_dir(analysis.case, options) / PDF_NAME
    if built.is_file():
        findings = with_size_check(findings, built.stat().st_size, options)
    if as_json:
        print(json.dumps([f.to_json() for f in findings], indent=2))
    else:
        print_findings(findings)
    excluded = len(analysis.excluded)
    if excluded and not as_json:
        console.print(
            __("[yellow]1 file cannot be used and build would exclude it: exit code 1.[/]")
            if excluded == 1
            else __(
                "[yellow]{n} files cannot be used and build would exclude them: exit code 1.[/]",
                n=excluded,
            ),
            highlight=False,
        )
    # Files build would exclude make build exit 1, so check says the same (README's table).
    if has_blockers(findings) or excluded:
        raise typer.Exit(int(ExitCode.COMPLETED_WITH_PROBLEMS))


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    for command in (init, build, preview, check):
        app.command()(command)

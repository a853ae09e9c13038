"""The one-call API: ``analyse_case`` reads and matches, ``build_dossier`` also writes.

Stages run in a fixed order, each in its own module:
case folder -> metadata -> matching -> deadlines -> checks -> comparisons -> dossier
-> manifest. Output is written into a scratch folder beside the destination and
moved into place as the very last step, so a crash never leaves a plausible-looking
dossier behind.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from appeal_kit import checks
from appeal_kit.analysis import Analysis
from appeal_kit.case.config import DEFAULT_OUTPUT, Case, CaseFiles, load_case
from appeal_kit.case.files import OUTSIDE_FIX, OUTSIDE_REASON
from appeal_kit.dossier import statement as summary
from appeal_kit.dossier.facts import establish
from appeal_kit.dossier.manifest import MANIFEST_NAME, entry_for, manifest_json
from appeal_kit.dossier.snapshot import InputSnapshot
from appeal_kit.errors import InputFileError, OutputError
from appeal_kit.evidence.images import Problem, check_file, describe_error, open_image
from appeal_kit.evidence.metadata import read_many
from appeal_kit.evidence.shoots import group_shoots
from appeal_kit.fsutil import atomic_write_text, recover_folder, replace_folder, work_folder
from appeal_kit.i18n import __
from appeal_kit.i18n.document import text_langs
from appeal_kit.matching.matcher import FeatureMatcher
from appeal_kit.models import ExcludedFile, Finding
from appeal_kit.options import BuildOptions
from appeal_kit.tracking.deadlines import compute_deadlines, profile_for_case

# (stage name, done, total): the CLI turns this into a rich progress bar.
Progress = Callable[[str, int, int], None]

PDF_NAME = "dossier.pdf"
COMPARISONS = "comparisons"
# Builds tried when inputs change underneath (each time without the files that moved).
BUILD_ATTEMPTS = 3
VALIDATE_SIDE = 64  # accused/documents: a 1/8-scale decode proves the data is whole


@dataclass
class BuildResult:
    """What ``build_dossier`` wrote."""

    analysis: Analysis
    out_dir: Path
    pdf_path: Path
    manifest_path: Path
    page_count: int
    pdf_size: int
    comparison_paths: list[Path]

    @property
    def draft(self) -> bool:
        """True when ``check`` found the dossier incomplete: it is marked DRAFT, not ready to submit.

        A missed deadline is a blocker for ``check`` but not a reason for DRAFT: the
        advice then is to submit at once (``checks.draft_blockers``).
        """
        return bool(checks.draft_blockers(self.analysis.findings))

    @property
    def excluded(self) -> list[ExcludedFile]:
        """Inputs left out, with reasons."""
        return self.analysis.excluded

    @property
    def findings(self) -> list[Finding]:
        """Pre-flight findings, worst first."""
        return self.analysis.findings


def resolve_out_dir(case: Case, options: BuildOptions) -> Path:
    """Where the dossier folder goes (``--out`` or ``CASE/dossier``)."""
    return (options.out_dir or case.root / DEFAULT_OUTPUT).resolve()


def _validate_output(case: Case, out_dir: Path, options: BuildOptions) -> None:
    """Check the destination before decoding anything (fail fast, touch nothing)."""
    for inputs in (case.originals_dir, case.accused_dir, case.documents_dir):
        if out_dir == inputs.resolve() or inputs.resolve() in out_dir.parents:
            raise OutputError(
                __(
                    "the output folder {out_dir} is inside the evidence folder {name}/",
                    out_dir=out_dir,
                    name=inputs.name,
                ),
                hint=__("choose another --out; appeal-kit never writes among the originals"),
            )
    root = case.root.resolve()
    if out_dir == root or out_dir in root.parents:
        raise OutputError(
            __("the output folder {out_dir} would contain the case itself", out_dir=out_dir),
            hint=__("pick a new folder for --out, e.g. the default CASE/dossier"),
        )
    if out_dir.exists() and not options.force:
        raise OutputError(
            __("the output folder already exists: {out_dir}", out_dir=out_dir),
            hint=__("add --force to replace it, or choose another folder with --out"),
        )
    foreign = _foreign_file(out_dir) if out_dir.exists() else None
    if foreign is not None:
        # --force replaces what an earlier build wrote, never a file of the user's own.
        raise OutputError(
            __(
                "{foreign} was not written by appeal-kit, so --force will not replace {out_dir}",
                foreign=foreign,
                out_dir=out_dir,
            ),
            hint=__(
                "move {name} out of {out_dir}, or choose another folder with --out",
                name=foreign.name,
                out_dir=out_dir,
            ),
        )
    parent = out_dir.parent
    parent_exists = parent.is_dir()
    if not parent_exists or not os.access(parent, os.W_OK):
        raise OutputError(
            __("cannot write into {parent}", parent=parent),
            hint=__("make that folder writable, or choose another folder with --out"),
        )


_PREVIEW_PAGE = re.compile(r"preview/page-\d{3,}\.png")


def _clutter(name: str) -> bool:
    """Files a file manager leaves in any folder it shows; replacing them loses nothing."""
    return name.lower() in (".ds_store", "thumbs.db", "desktop.ini") or name.startswith("._")


def _foreign_file(folder: Path) -> Path | None:
    """The first file in ``folder`` that no earlier build or preview wrote, else None.

    What a build wrote is what its manifest lists; ``preview`` adds page images.
    A folder without a manifest may only be empty.
    """
    if not folder.is_dir() or folder.is_symlink():
        return folder
    written = {MANIFEST_NAME}
    try:
        listed = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        written |= {str(item["path"]) for item in listed.get("outputs", [])}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        written = set()
    for parent, dirs, names in os.walk(folder):
        dirs.sort()
        here = Path(parent)
        # A linked folder is not walked into: it is the user's, whatever it holds.
        entries = sorted(names) + [d for d in dirs if (here / d).is_symlink()]
        for name in entries:
            relative = (here / name).relative_to(folder).as_posix()
            if relative in written or _PREVIEW_PAGE.fullmatch(relative) or _clutter(name):
                continue
            return here / name
    return None


def _validate_side_file(path: Path, *, accused: bool) -> Problem | None:
    """None when an accused image or document is usable, else the reason and fix.

    Documents get a 1/8-scale decode to prove their pixel data is whole. Accused images
    skip it: the matcher decodes them anyway and reports the ones that fail.
    """
    try:
        kind = check_file(path)
        if kind == "PDF" and accused:
            return Problem(
                __("is a PDF"),
                __("save the listing images or a screenshot as JPEG/PNG in accused/"),
            )
        if kind == "PDF":
            return _pdf_problem(path)
        if not accused:
            open_image(path, max_side=VALIDATE_SIDE)
    except InputFileError as exc:
        return describe_error(exc)
    return None


def _pdf_problem(path: Path) -> Problem | None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            return Problem(
                __("is a password-protected PDF"), __("save an unprotected copy and use that")
            )
        if len(reader.pages) == 0:
            return Problem(__("is a PDF with no pages"))
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        return Problem(
            __("is a damaged PDF ({exc})", exc=exc), __("export it again from its source")
        )
    return None


def _side_files(
    case: Case, paths: tuple[Path, ...], role: str, jobs: int
) -> tuple[list[Path], list[ExcludedFile]]:
    def validate(path: Path) -> Problem | None:
        return _validate_side_file(path, accused=role == "accused")

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        problems = list(pool.map(validate, paths))
    usable = [path for path, problem in zip(paths, problems, strict=True) if problem is None]
    excluded = [
        ExcludedFile(case.display(path), role, *problem)  # type: ignore[arg-type]
        for path, problem in zip(paths, problems, strict=True)
        if problem is not None
    ]
    return usable, excluded


def cache_path_for(options: BuildOptions) -> Path:
    """The feature cache: ``--cache-dir``, ``$APPEAL_KIT_CACHE``, or the user cache."""
    from appeal_kit.matching.index import CACHE_FILE, cache_dir_for

    return cache_dir_for(options.cache_dir) / CACHE_FILE


def analyse_case(
    case_dir: Path, options: BuildOptions | None = None, *, progress: Progress | None = None
) -> Analysis:
    """Read, check and match a case without writing anything into it."""
    return _analyse(load_case(case_dir), options or BuildOptions(), progress)


def _analyse(case: Case, options: BuildOptions, progress: Progress | None) -> Analysis:
    return _analyse_snapshot(case, options, progress, case.files(), {})[0]


def _analyse_snapshot(
    case: Case,
    options: BuildOptions,
    progress: Progress | None,
    listed: CaseFiles,
    dropped: dict[Path, Problem],
) -> tuple[Analysis, InputSnapshot]:
    """The analysis, and the snapshot of inputs it describes (hashed before any is read).

    ``listed``: the case's files as listed once, at the start of the build.
    ``dropped``: files that vanished or changed during an earlier attempt; they are
    left out and named as excluded.
    """
    profile = profile_for_case(case)
    jobs = options.worker_count
    files = dataclasses.replace(
        listed,
        originals=tuple(p for p in listed.originals if p not in dropped),
        accused=tuple(p for p in listed.accused if p not in dropped),
        documents=tuple(p for p in listed.documents if p not in dropped),
    )
    snapped = [(p, case.display(p), "original") for p in files.originals]
    snapped += [(p, case.display(p), "accused") for p in files.accused]
    snapped += [(p, case.display(p), "document") for p in files.documents]
    snapped.append((case.case_file, case.display(case.case_file), "case"))
    if case.statement is not None:
        snapped.append((case.statement, case.display(case.statement), "statement"))
    snapshot = InputSnapshot(snapped, jobs=jobs)

    def tick(stage: str) -> Callable[[int, int], None]:
        return lambda done, total: progress(stage, done, total) if progress else None

    # Cold originals are indexed first: one decode gives their features and the
    # metadata's thumbnail view (matching.decode); the matcher finds the features cached.
    from appeal_kit.evidence.metadata import THUMBNAIL_SIDE
    from appeal_kit.matching.index import index_originals

    views = index_originals(
        files.originals,
        cache_path_for(options),
        jobs=jobs,
        view_side=THUMBNAIL_SIDE,
        on_progress=tick("index originals"),
    )
    originals = read_many(
        list(files.originals),
        display=case.display,
        jobs=jobs,
        on_progress=tick("metadata"),
        views=views,
        check_cache=cache_path_for(options),
    )
    excluded = [
        ExcludedFile(m.display_path, "original", m.error, m.error_fix)
        for m in originals
        if m.error is not None
    ]
    accused, bad_accused = _side_files(case, files.accused, "accused", jobs)
    documents, bad_documents = _side_files(case, files.documents, "document", jobs)
    excluded += bad_accused + bad_documents
    excluded += [
        ExcludedFile(case.display(path), case.role_of(path), *problem)
        for path, problem in sorted(dropped.items())
    ]
    # Links to files outside the case: named, never read (their target stays private).
    excluded += [
        ExcludedFile(case.link_name(p), case.role_of(p), OUTSIDE_REASON, OUTSIDE_FIX)
        for p in files.outside
    ]

    library = _library_originals(options)
    usable = [m.path for m in originals if m.ok and m.width]
    matcher = FeatureMatcher(
        cache_path=cache_path_for(options),
        jobs=jobs,
        on_progress=progress,
    )
    explicit = {a: o for a, o in case.pairs.items() if a in accused}
    matches = matcher.match(accused, usable + library, explicit=explicit)
    # The matcher is where accused pixels are decoded; what it could not read is excluded.
    unreadable = matcher.unreadable
    excluded += [
        ExcludedFile(case.display(path), "accused", *problem)
        for path, problem in sorted(unreadable.items())
    ]
    accused = [path for path in accused if path not in unreadable]

    as_of = options.as_of
    deadlines = compute_deadlines(case, profile, as_of=as_of)
    shoots = group_shoots([m for m in originals if m.ok])
    # Every input is hashed, the excluded ones too: the manifest proves what was supplied.
    # A file that cannot be read cannot be hashed: it is listed as excluded, with why.
    # The hashes are the snapshot's, taken before anything was read.
    inputs = snapshot.manifest_entries()
    analysis = Analysis(
        case=case,
        options=options,
        profile=profile,
        originals=originals,
        accused=accused,
        documents=documents,
        excluded=sorted(excluded, key=lambda e: (e.role, e.display_path)),
        matches=matches,
        deadlines=deadlines,
        shoots=shoots,
        inputs=inputs,
    )
    analysis.findings = checks.run_checks(analysis)
    return analysis, snapshot


def _library_originals(options: BuildOptions) -> list[Path]:
    """Originals from ``--originals`` (a library outside the case), sorted."""
    from appeal_kit.case.config import list_files

    if options.originals_library is None:
        return []
    return list(list_files(options.originals_library))


def local_zone_name(case: Case, options: BuildOptions) -> str | None:
    """The user's zone: ``--timezone``, then case.toml; never the machine's.

    The machine's zone is left out on purpose: the same case must give the same
    PDF on every laptop. Without a zone the tracker shows the platform's zone only.
    """
    for name in (options.local_timezone, case.timezone):
        if name:
            try:
                ZoneInfo(name)
                return name
            except (KeyError, ValueError):
                continue
    return None


def build_dossier(
    case_dir: Path, options: BuildOptions | None = None, *, progress: Progress | None = None
) -> BuildResult:
    """Build ``dossier.pdf``, comparison images and ``manifest.json`` for a case.

    Example::

        from appeal_kit import build_dossier, BuildOptions
        result = build_dossier(Path("samples/demo-case"), BuildOptions(force=True))
        print(result.pdf_path, result.page_count)
    """
    options = options or BuildOptions()
    case = load_case(case_dir)
    out_dir = resolve_out_dir(case, options)
    # A build killed earlier may have left its scratch folder, or the old dossier
    # renamed aside mid-swap: put the dossier back and clear the rest first.
    recover_folder(out_dir)
    _validate_output(case, out_dir, options)
    # Listed once: a file added while the build runs is not part of it, even on a retry.
    listed = case.files()
    dropped: dict[Path, Problem] = {}
    try:
        for _attempt in range(BUILD_ATTEMPTS):
            analysis, snapshot = _analyse_snapshot(case, options, progress, listed, dropped)
            with work_folder(out_dir) as work:
                try:
                    result = _write_outputs(analysis, out_dir, work, progress, snapshot)
                except (InputFileError, OSError):
                    # An input that vanished mid-build fails where it is read again.
                    result = snapshot.changed()
                    if not result:
                        raise
            if isinstance(result, BuildResult):
                return result
            # Inputs moved under the build: built again without them, named as excluded.
            _refuse_changed_case_file(case, result)
            dropped |= result
    except OSError as exc:
        raise OutputError(
            __(
                "cannot write the dossier to {out_dir}: {value}",
                out_dir=out_dir,
                value=exc.strerror or exc,
            ),
            hint=__("make that folder writable, or choose another folder with --out"),
        ) from None
    raise _give_up(dropped)


def _refuse_changed_case_file(case: Case, moved: dict[Path, Problem]) -> None:
    """case.toml or the statement cannot be excluded: a change to them stops the build."""
    for path in (case.case_file, case.statement):
        if path is not None and path in moved:
            raise InputFileError(
                path,
                __("changed while the dossier was being built; nothing was written"),
                hint=__("save the file, then build again"),
            )


def _give_up(moved: dict[Path, Problem]) -> InputFileError:
    path = sorted(moved)[0]
    return InputFileError(
        path,
        __("keeps changing while the dossier is being built; nothing was written"),
        hint=__("stop the program that writes into the case folder, then build again"),
    )


def _write_outputs(
    analysis: Analysis,
    out_dir: Path,
    work: Path,
    progress: Progress | None,
    snapshot: InputSnapshot,
) -> BuildResult | dict[Path, Problem]:
    """Draw, lay out and hash everything into ``work``, then move it to ``out_dir``.

    Returns the inputs that vanished or changed since the snapshot instead, when any
    did: the dossier in ``work`` may show them, so it is not moved into place.
    """
    from appeal_kit.comparison.batch import draw_comparisons
    from appeal_kit.dossier.content import DossierContent, Wording
    from appeal_kit.dossier.render import write_dossier
    from appeal_kit.dossier.state import page_width_px
    from appeal_kit.dossier.style import PAGE_SIZES

    case, options = analysis.case, analysis.options
    # The PDF's pictures are encoded by the comparison step, from memory, at this width.
    page_width = page_width_px(options.page_size) if options.page_size in PAGE_SIZES else None
    comparisons_dir = work / COMPARISONS
    comparisons_dir.mkdir()
    pairs = analysis.paired
    rendered = draw_comparisons(
        pairs,
        folder=comparisons_dir,
        metadata_for=analysis.metadata_for,
        listing_for=case.listing_for,
        lang=options.lang or case.language,
        page_width=page_width,
        cache_db=cache_path_for(options),
        digests={e.path: e.sha256 for e in snapshot.entries},
        jobs=options.worker_count,
        on_done=(lambda done, total: progress("comparisons", done, total)) if progress else None,
    )
    language = options.lang or case.language
    # The first language shown leads (Chinese in zh and zh+en); zh+en adds the English.
    found, *others = (establish(analysis, lang) for lang in text_langs(language))
    statement = summary.statement_text(analysis, found)
    english = [
        Wording(
            summary.statement_text(analysis, other),
            summary.statement_values(analysis, other)[0]["summary"],
            other,
        )
        for other in others
    ]
    matched_originals = {m.original for m in pairs}
    outtakes = [
        frame
        for shoot in analysis.shoots
        for frame in shoot.frames
        if frame.path not in matched_originals
    ]
    content = DossierContent(
        case=case,
        summary=summary.statement_values(analysis, found)[0]["summary"],
        originals=analysis.usable_originals,
        matches=pairs,
        comparisons=rendered,
        unmatched=[m for m in analysis.matches if m.verdict == "none"],
        deadlines=analysis.deadlines,
        platform_timezone=analysis.profile.timezone,
        local_timezone=local_zone_name(case, options),
        as_of=options.as_of,
        statement_text=statement,
        documents=analysis.documents,
        excluded=analysis.excluded,
        manifest_entries=[(e.path, e.sha256, e.size) for e in analysis.inputs],
        findings=analysis.findings,
        shoots=analysis.shoots,
        outtakes=outtakes,
        include_gps=options.include_gps,
        page_size=options.page_size,
        language=language,
        english=english[0] if english else None,
        facts=found,
        # A blocker marks every page DRAFT; the CLI then exits 1 (see BuildResult.draft).
        draft_reasons=[f.message for f in checks.draft_blockers(analysis.findings)],
    )
    pdf_path = work / PDF_NAME
    info = write_dossier(content, pdf_path)
    if progress:
        progress("dossier", 1, 1)
    pdf_size = pdf_path.stat().st_size
    analysis.findings = checks.with_size_check(analysis.findings, pdf_size, options)
    outputs = [entry_for(pdf_path, PDF_NAME, "dossier")]
    drawn = [(c.path, "comparison") for c in rendered]
    drawn += [(c.detail_path, "proof") for c in rendered if c.detail_path is not None]
    outputs += [entry_for(path, f"{COMPARISONS}/{path.name}", role) for path, role in drawn]
    excluded = [e.to_json() for e in analysis.excluded]
    atomic_write_text(
        work / MANIFEST_NAME, manifest_json(case.title, analysis.inputs, outputs, excluded)
    )
    moved = snapshot.changed()
    if moved:
        return moved
    replace_folder(work, out_dir)
    return BuildResult(
        analysis=analysis,
        out_dir=out_dir,
        pdf_path=out_dir / PDF_NAME,
        manifest_path=out_dir / MANIFEST_NAME,
        page_count=info.page_count,
        pdf_size=pdf_size,
        comparison_paths=[out_dir / COMPARISONS / path.name for path, _ in drawn],
    )


def now_utc() -> datetime:
    """The clock, in one place (the CLI passes it as ``as_of`` for live states)."""
    from datetime import UTC

    return datetime.now(UTC)

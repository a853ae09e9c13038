"""Extract, update and compile the gettext catalogs (both domains), with Babel.

    .venv/bin/python -m devtools.catalogs          # extract, update zh .po, compile .mo
    .venv/bin/python -m devtools.catalogs --check  # exit 1 if a .po or .mo is out of date
    .venv/bin/python -m devtools.catalogs --domain console   # one domain only

Two domains, as Sphinx has (see appeal_kit/i18n/__init__.py):

* ``console``: the code's ``__``, ``lazy__`` and ``ngettext__`` strings, plus
  every ``--help`` text of the Typer app (command docstrings and option help),
  read from the command tree itself so a docstring needs no marker, and the
  deadline labels and penalty effects of the bundled platform profiles.
* ``dossier``: the code's ``N_``, ``_``, ``translate`` and ``both`` strings.

New messages appear in ``appeal_kit/i18n/locale/zh/LC_MESSAGES/<domain>.po``
with an empty msgstr; translate them there and run this again to compile the
``.mo`` (both are committed; the wheel ships the ``.mo``). Babel is a test
extra only: the runtime reads ``.mo`` files with the standard library.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "appeal_kit"
LOCALE_DIR = PACKAGE / "i18n" / "locale"
LANGUAGES = ("zh",)
PO_WIDTH = 100

KEYWORDS: dict[str, dict[str, Any]] = {
    "console": {"__": None, "lazy__": None, "ngettext__": (1, 2)},
    "dossier": {"N_": None, "_": None, "translate": None, "both": None},
}
HEADERS = {
    "console": "appeal-kit terminal text: messages, errors, fixes, --help.",
    "dossier": "appeal-kit dossier text: every word written into the PDF.",
}


def _source_messages(domain: str) -> Iterator[tuple[str | tuple[str, str], str]]:
    """(message, 'path') pairs found in the package source for ``domain``'s keywords."""
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        PACKAGE, keywords=KEYWORDS[domain], comment_tags=("TRANSLATORS:",)
    ):
        yield message, f"appeal_kit/{filename}"


def help_texts() -> Iterator[tuple[str, str]]:
    """Every --help text of the CLI as Typer shows it (cleaned docstrings, option help)."""
    import typer

    from appeal_kit.cli.main import app

    root = typer.main.get_command(app)

    def walk(command: Any, where: str) -> Iterator[tuple[str, str]]:
        for attr in ("help", "short_help", "epilog"):
            text = getattr(command, attr, None)
            if text:
                yield str.__str__(text), where
        for param in getattr(command, "params", []):
            if getattr(param, "help", None):
                yield str.__str__(param.help), where
        for _name, sub in sorted(getattr(command, "commands", {}).items()):
            callback = getattr(sub, "callback", None)
            module = getattr(callback, "__module__", "appeal_kit.cli.main")
            yield from walk(sub, module.replace(".", "/") + ".py")

    yield from walk(root, "appeal_kit/cli/main.py")


def profile_texts() -> Iterator[tuple[str, str]]:
    """Deadline labels and penalty effects of the bundled platform profiles (shown by the CLI)."""
    import tomllib

    for path in sorted((ROOT / "templates" / "platforms").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        where = f"templates/platforms/{path.name}"
        if data.get("label"):
            yield data["label"], where
        for rule in data.get("rules", []):
            if rule.get("label"):
                yield rule["label"], where
        for level in data.get("points", {}).get("thresholds", []):
            if level.get("effect"):
                yield level["effect"], where


def extract(domain: str) -> Catalog:
    """A template catalog (.pot) of every message of ``domain`` in the code today."""
    template = Catalog(project="appeal-kit", domain=domain, header_comment=f"# {HEADERS[domain]}")
    for message, where in _source_messages(domain):
        template.add(message, locations=[(where, None)])
    if domain == "console":
        for text, where in [*help_texts(), *profile_texts()]:
            template.add(text, locations=[(where, None)])
    if domain == "dossier":  # the deadline tracker page names the same rules
        for text, where in profile_texts():
            template.add(text, locations=[(where, None)])
    return template


def po_path(domain: str, lang: str) -> Path:
    """Where the ``lang`` catalog of ``domain`` lives in the package."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(path: Path, lang: str) -> Catalog:
    """The .po at ``path`` (an empty catalog for ``lang`` when it does not exist yet)."""
    if not path.exists():
        return Catalog(
            locale=lang,
            project="appeal-kit",
            domain=path.stem,
            header_comment=f"# {HEADERS[path.stem]}\n# Language: {lang}.",
            fuzzy=False,
        )
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def updated(template: Catalog, lang: str) -> Catalog:
    """The ``lang`` catalog updated to ``template``, header dates kept so reruns change nothing."""
    catalog = read_catalog(po_path(str(template.domain), lang), lang)
    created, revised = catalog.creation_date, catalog.revision_date
    # No fuzzy guesses: a near-miss translation reads right and means something else.
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.creation_date, catalog.revision_date = created, revised
    catalog.obsolete.clear()
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    """The .po text, without line numbers so unrelated edits don't churn the file."""
    out = io.BytesIO()
    write_po(out, catalog, width=PO_WIDTH, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    """The compiled .mo (fuzzy entries left out, as gettext would)."""
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compiled(po: Path, lang: str) -> bytes:
    """The .mo the .po at ``po`` compiles to today."""
    return mo_bytes(read_catalog(po, lang))


def run(check: bool, domains: tuple[str, ...] = tuple(KEYWORDS)) -> list[str]:
    """Update (or, with ``check``, only compare) the catalogs; returns the stale files."""
    stale = []
    for domain in domains:
        template = extract(domain)
        for lang in LANGUAGES:
            po = po_path(domain, lang)
            new_po = po_bytes(updated(template, lang))
            new_mo = mo_bytes(read_po(io.BytesIO(new_po), locale=lang))
            mo = po.with_suffix(".mo")
            for path, data in ((po, new_po), (mo, new_mo)):
                if path.exists() and path.read_bytes() == data:
                    continue
                stale.append(str(path.relative_to(ROOT)))
                if not check:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
            missing = [m.id for m in read_po(io.BytesIO(new_po)) if m.id and not m.string]
            if missing and not check:
                print(f"{po.relative_to(ROOT)}: {len(missing)} message(s) to translate")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only report stale catalogs")
    parser.add_argument("--domain", choices=sorted(KEYWORDS), help="only this domain")
    args = parser.parse_args(argv)
    stale = run(args.check, (args.domain,) if args.domain else tuple(KEYWORDS))
    verb = "out of date" if args.check else "written"
    for path in stale:
        print(f"{verb}: {path}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())

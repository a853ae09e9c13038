"""Translations: two translators, as Sphinx has, kept apart from the start.

* **Console** (``appeal_kit.i18n.console``, gettext domain ``console``): every
  word printed in the terminal, i.e. messages, errors and their fixes, table
  headers, progress labels and ``--help``. Its language is the *user's*: the
  locale as gettext reads it (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``,
  ``LANG``), overridden by ``APPEAL_KIT_LANG=zh|en``.

  - ``__("Case folder {path} does not exist.", path=folder)``: translate now,
    then fill the named fields. One whole sentence per call, never fragments.
  - ``lazy__("Reading metadata")``: for text defined at import time (label
    tables); it is translated where it is shown (``__(label)``).
  - Command docstrings and option ``help=`` need no marker: the catalog script
    reads them from the Typer command tree, and ``cli.localize`` translates them
    just before each run. Neither do the platform profiles' labels.
  - ``ngettext__("{n} file", "{n} files", count)``: plural forms;
    ``duration__(seconds)``: ``2 d 3 h`` / ``2天3小时``.
  - ``console_language()`` tells which language is in use;
    ``set_console_language("zh")`` forces it (tests).

* **Document** (``appeal_kit.i18n.document``, domain ``dossier``; owned by the
  dossier side): every word written into the PDF and the comparison pictures,
  in the *case's* language (case.toml ``language``: en, zh or zh+en). Mark with
  ``N_``, translate with ``translate(message, lang)``; see that module.

Rules for both: the English text in the code is the catalog key. JSON output
stays English (it is an API): ``__`` returns a ``Translated`` str that remembers
its English, so ``english(finding.message)`` gives the JSON wording even when the
terminal speaks Chinese (a string glued together afterwards loses it: pass whole
sentences through ``__``); ``document.retell`` says it again in the dossier's
language. After adding strings, run the catalog script (README, Development)
and fill in the Chinese; tests fail while a message lacks a translation
(tests/i18n).

This package sits at the bottom of the import graph: it imports nothing else
from appeal_kit.
"""

from appeal_kit.i18n.console import (
    ConsoleLang,
    LazyText,
    Translated,
    __,
    console_language,
    duration__,
    english,
    from_english,
    lazy__,
    ngettext__,
    set_console_language,
)
from appeal_kit.i18n.document import (
    N_,
    DocLang,
    both,
    format_date,
    format_day,
    translate,
    zone_name,
)

__all__ = [
    "N_",
    "ConsoleLang",
    "DocLang",
    "LazyText",
    "Translated",
    "__",
    "both",
    "console_language",
    "duration__",
    "english",
    "format_date",
    "format_day",
    "from_english",
    "lazy__",
    "ngettext__",
    "set_console_language",
    "translate",
    "zone_name",
]

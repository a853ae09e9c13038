"""The console translator: terminal text in the user's language.

Everything appeal-kit prints in a terminal (messages, errors and their fixes,
table headers, progress labels, ``--help``) goes through ``__`` (or ``lazy__``
for text defined at import time) and the ``console`` gettext domain. The
language follows the locale as gettext reads it; ``APPEAL_KIT_LANG`` overrides
it. It is read at call time, never cached at import, so tests can change it.
"""

from __future__ import annotations

import gettext
import os
import re
from pathlib import Path
from typing import Literal

ConsoleLang = Literal["en", "zh"]

DOMAIN = "console"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# gettext's own order: the first of these that is set decides.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_forced: ConsoleLang | None = None
_catalogs: dict[tuple[Path, str], gettext.NullTranslations] = {}


def _language_of(value: str) -> ConsoleLang | None:
    """``zh_CN.UTF-8`` -> zh, ``en_GB`` / ``C`` / ``POSIX`` -> en, anything else -> None."""
    code = value.strip().split(".", 1)[0].split("@", 1)[0].lower()
    if code.startswith("zh"):
        return "zh"
    if code.startswith("en") or code in ("c", "posix"):
        return "en"
    return None


def console_language() -> ConsoleLang:
    """The terminal's language: ``APPEAL_KIT_LANG``, else the locale, else English.

    ``APPEAL_KIT_LANG=zh|en`` wins. Otherwise the first of ``LANGUAGE``,
    ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set decides; ``LANGUAGE`` may
    list several languages (``fr:zh_CN``) and the first one we have is taken.
    A language we have no catalog for reads as English.
    """
    if _forced is not None:
        return _forced
    chosen = _language_of(os.environ.get("APPEAL_KIT_LANG", ""))
    if chosen is not None:
        return chosen
    for name in LOCALE_VARIABLES:
        value = os.environ.get(name, "")
        if not value:
            continue
        for entry in value.split(":"):
            found = _language_of(entry)
            if found is not None:
                return found
        return "en"
    return "en"


def set_console_language(lang: ConsoleLang | None) -> None:
    """Force the console language (tests, or a caller that knows better); None undoes it."""
    global _forced
    _forced = lang


def _catalog(lang: ConsoleLang) -> gettext.NullTranslations:
    # Keyed by folder too, so a test that points LOCALE_DIR elsewhere gets its own catalog.
    key = (LOCALE_DIR, lang)
    if key not in _catalogs:
        if lang == "en":
            _catalogs[key] = gettext.NullTranslations()
        else:
            _catalogs[key] = gettext.translation(
                DOMAIN, LOCALE_DIR, languages=[lang], fallback=True
            )
    return _catalogs[key]


class Translated(str):
    """Text from ``__``: the translation, remembering its English source.

    It is a ``str`` (the translated text) wherever it goes, e.g. into a
    ``Finding`` or an exception; ``english`` (or ``english(text)``) gives the
    English wording for JSON, and ``msgid`` / ``fields`` let another translator
    (the dossier's) say it again in its own language.
    """

    msgid: str
    fields: dict[str, object]

    def __new__(cls, text: str, msgid: str, fields: dict[str, object]) -> Translated:
        made = super().__new__(cls, text)
        made.msgid = msgid
        made.fields = fields
        return made

    def __reduce__(self) -> tuple[object, ...]:
        # Findings travel between worker processes: keep the source through pickling.
        # An exception in a field may not pickle (custom __init__): its text is what counts.
        fields = {k: str(v) if isinstance(v, BaseException) else v for k, v in self.fields.items()}
        return (Translated, (str.__str__(self), self.msgid, fields))

    @property
    def english(self) -> str:
        """The same message in English (the catalog key, filled in)."""
        if not self.fields:
            return self.msgid
        return self.msgid.format(
            **{k: v.english if isinstance(v, Translated) else v for k, v in self.fields.items()}
        )


def english(text: object) -> str:
    """The English wording of ``text`` (from ``__``) for JSON; other text as it is."""
    if isinstance(text, Translated):
        return text.english
    return str.__str__(text) if isinstance(text, str) else str(text)


def __(message: str, /, **fields: object) -> str:  # noqa: N807 - Sphinx's name for it
    """``message`` in the console language, then ``.format(**fields)`` when fields are given.

    Write one whole sentence with named placeholders, never glued fragments::

        __("{name} was captured on {day}", name=path.name, day=day)

    The result is a ``Translated`` str: ``english(result)`` gives the English for JSON.
    """
    msgid = str.__str__(message)
    text = _catalog(console_language()).gettext(msgid)
    return Translated(text.format(**fields) if fields else text, msgid, fields)


def ngettext__(singular: str, plural: str, n: int, /, **fields: object) -> str:
    """The singular or plural form for ``n`` in the console language, formatted with n and fields.

    ``ngettext__("{n} file", "{n} files", count)``
    """
    text = _catalog(console_language()).ngettext(singular, plural, n)
    return text.format(n=n, **fields)


_FIELD = re.compile(r"\{([A-Za-z_]\w*)(?:![rsa])?(?::[^{}]*)?\}")
_readers: dict[tuple[Path, str], list[tuple[re.Pattern[str], str]]] = {}


def _reader(lang: ConsoleLang) -> list[tuple[re.Pattern[str], str]]:
    """(pattern matching a filled-in English message, its translation), most specific first."""
    key = (LOCALE_DIR, lang)
    if key not in _readers:
        messages = getattr(_catalog(lang), "_catalog", {})
        found = []
        for msgid, text in messages.items():
            if not isinstance(msgid, str) or not msgid or "{" not in msgid:
                continue
            parts = _FIELD.split(msgid.replace("{{", "\0").replace("}}", "\1"))
            # split() alternates literal text and field names; fields match lazily.
            pattern = "".join(
                re.escape(part.replace("\0", "{").replace("\1", "}"))
                if index % 2 == 0
                else f"(?P<{part}>.+?)"
                for index, part in enumerate(parts)
            )
            literal = sum(len(part) for part in parts[::2])
            if len(re.findall("[A-Za-z]", "".join(parts[::2]))) < 3:
                continue  # "{first} {second}" would read back any text at all
            try:
                found.append((literal, re.compile(pattern + "$", re.S), text))
            except re.error:  # a field used twice: such a message is not read back
                continue
        found.sort(key=lambda item: -item[0])
        _readers[key] = [(pattern, text) for _, pattern, text in found]
    return _readers[key]


def from_english(text: str) -> str:
    """English console text read back from a file (a manifest), in the console language.

    JSON keeps English; when the terminal shows such text again, the message is
    recognised by its catalog entry and said in the console language. Text that
    matches no message is returned as it is.
    """
    lang = console_language()
    if lang == "en" or not text:
        return text
    exact = _catalog(lang).gettext(text)
    if exact != text:
        return exact
    for pattern, translation in _reader(lang):
        found = pattern.match(text)
        if found:
            # Fields are text now: drop format specs meant for numbers and dates.
            return _FIELD.sub(lambda m: "{" + m.group(1) + "}", translation).format(
                **found.groupdict()
            )
    return text


def duration__(seconds: float) -> str:
    """A span of time as time left is written: ``2 d 3 h``, ``5 h 10 min``; ``2天3小时`` in Chinese."""
    days, rest = divmod(abs(int(seconds)), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return __("{days} d {hours} h", days=days, hours=hours)
    if hours:
        return __("{hours} h {minutes} min", hours=hours, minutes=minutes)
    return __("{minutes} min", minutes=minutes)


class LazyText(str):
    """Console text defined at import time (option help, labels): translated when used.

    The ``str`` value is the English source (the catalog key), so it can stand
    wherever a ``str`` is expected, e.g. ``typer.Option(help=...)``. ``str(text)``,
    f-strings and ``format`` give the translation in the language of that moment;
    the CLI resolves help text through the catalog just before it runs.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return __(self)

    def __format__(self, spec: str) -> str:
        return format(__(self), spec)

    def format(self, *args: object, **kwargs: object) -> str:
        return __(self).format(*args, **kwargs)


def lazy__(message: str, /) -> LazyText:
    """Mark ``message`` for the console catalog; it is translated each time it is shown."""
    return LazyText(message)

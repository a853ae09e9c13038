"""The document translator: every word written into the dossier PDF and its pictures.

Like Sphinx's ``_`` (as opposed to ``__`` for the console), the language here is
not the user's locale but a case setting: case.toml ``language`` (``en``, ``zh``
or ``zh+en``), overridden by ``build --lang``. The terminal may speak English
while the dossier is Chinese, so nothing here reads the environment.

* ``N_(message)`` only marks a string for extraction (Babel keyword ``N_``), for
  module-level tables of labels that are translated where they are used.
* ``translate(message, lang, **fields)`` looks ``message`` up in the ``dossier``
  catalog of ``lang`` and then fills ``{named}`` fields.
* ``both(message, doc_lang, **fields)`` gives the versions a dossier shows: one in
  ``en`` or ``zh``, Chinese first and English second in ``zh+en``. A field may be
  a callable taking the language, for values that are themselves worded per
  language (dates, counts).
* ``format_date`` / ``format_day`` / ``zone_name`` write dates the way each
  audience reads them: ``2024年10月15日 09:30（北京时间）`` in Chinese.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DocLang = Literal["en", "zh", "zh+en"]
TextLang = Literal["en", "zh"]

DOC_LANGS: tuple[str, ...] = get_args(DocLang)
DOMAIN = "dossier"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

# A field value: plain text, or a function giving the text for one language.
Field = str | int | float | Callable[[TextLang], str]

_override: dict[str, gettext.NullTranslations] = {}


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name
    """Mark ``message`` for the dossier catalog without translating it (yet)."""
    return message


@lru_cache(maxsize=4)
def _catalog(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def catalog(lang: TextLang) -> gettext.NullTranslations:
    """The ``dossier`` translations for ``lang`` (English is the source: no catalog)."""
    if lang in _override:
        return _override[lang]
    if lang == "en":
        return gettext.NullTranslations()
    return _catalog(lang)


def set_document_catalog(lang: TextLang, translations: gettext.NullTranslations | None) -> None:
    """Use ``translations`` for ``lang`` instead of the shipped catalog (``None`` restores).

    For tests such as the pseudo-locale check, which must see every string that
    reaches the page go through the catalog.
    """
    if translations is None:
        _override.pop(lang, None)
    else:
        _override[lang] = translations


def parse_doc_lang(value: str) -> DocLang | None:
    """``value`` as a dossier language (``zh-en``, ``ZH``, ``en+zh`` accepted), else None."""
    text = value.strip().lower().replace("_", "-")
    aliases: dict[str, DocLang] = {
        "en": "en",
        "zh": "zh",
        "zh-cn": "zh",
        "zh-hans": "zh",
        "zh+en": "zh+en",
        "zh-en": "zh+en",
        "en+zh": "zh+en",
    }
    return aliases.get(text)


def text_langs(doc_lang: DocLang) -> tuple[TextLang, ...]:
    """The languages a dossier shows, in order: Chinese first in a bilingual one."""
    if doc_lang == "zh+en":
        return ("zh", "en")
    return ("zh",) if doc_lang == "zh" else ("en",)


def translate(message: str, lang: TextLang, /, **fields: Field) -> str:
    """``message`` in ``lang`` (the English msgid when there is no translation), filled in."""
    text = catalog(lang).gettext(message) if message else message
    if not fields:
        return text
    values = {k: (v(lang) if callable(v) else v) for k, v in fields.items()}
    return text.format(**values)


def both(message: str, doc_lang: DocLang, /, **fields: Field) -> list[tuple[TextLang, str]]:
    """The (language, text) versions to show, Chinese first; one when both read the same."""
    versions: list[tuple[TextLang, str]] = []
    for lang in text_langs(doc_lang):
        text = translate(message, lang, **fields)
        if not any(text == seen for _, seen in versions):
            versions.append((lang, text))
    return versions


def retell(text: object, lang: TextLang, /) -> str:
    """Text made by the console translator (``__``) said again in ``lang`` for the dossier.

    A finding or an exclusion reason is written once, in the terminal's language;
    ``__`` keeps its English msgid and fields, so the dossier can say it in its
    own language: from the dossier catalog, else the console catalog's wording.
    Other text is returned as it is.
    """
    msgid = getattr(text, "msgid", None)
    if not isinstance(msgid, str):
        return str.__str__(text) if isinstance(text, str) else str(text)
    # Only console text is said again; dates and numbers keep their type for format specs.
    fields = {
        k: retell(v, lang) if isinstance(getattr(v, "msgid", None), str) else v
        for k, v in getattr(text, "fields", {}).items()
    }
    wording = msgid
    if lang != "en":
        wording = catalog(lang).gettext(msgid)
        if wording == msgid and lang not in _override:
            wording = _console_catalog(lang).gettext(msgid)
    return wording.format(**fields) if fields else wording


@lru_cache(maxsize=4)
def _console_catalog(lang: str) -> gettext.NullTranslations:
    return gettext.translation("console", LOCALE_DIR, languages=[lang], fallback=True)


# --------------------------------------------------------------------------- dates

# How Chinese sellers name the zones they meet; others fall back to "UTC+2" etc.
ZONE_NAMES_ZH = {
    "Asia/Shanghai": "北京时间",
    "Asia/Chongqing": "北京时间",
    "Asia/Harbin": "北京时间",
    "Asia/Urumqi": "乌鲁木齐时间",
    "PRC": "北京时间",
    "Asia/Hong_Kong": "香港时间",
    "Asia/Macau": "澳门时间",
    "Asia/Taipei": "台北时间",
    "Asia/Singapore": "新加坡时间",
    "Asia/Kuala_Lumpur": "吉隆坡时间",
    "Asia/Bangkok": "曼谷时间",
    "Asia/Ho_Chi_Minh": "越南时间",
    "Asia/Jakarta": "雅加达时间",
    "Asia/Tokyo": "日本时间",
    "Asia/Seoul": "韩国时间",
    "Asia/Kolkata": "印度时间",
    "Asia/Dubai": "迪拜时间",
    "Europe/London": "伦敦时间",
    "Europe/Berlin": "柏林时间",
    "Europe/Paris": "巴黎时间",
    "Europe/Madrid": "马德里时间",
    "Europe/Rome": "罗马时间",
    "Europe/Amsterdam": "阿姆斯特丹时间",
    "Europe/Warsaw": "华沙时间",
    "Europe/Moscow": "莫斯科时间",
    "America/New_York": "美国东部时间",
    "America/Chicago": "美国中部时间",
    "America/Denver": "美国山地时间",
    "America/Los_Angeles": "美国太平洋时间",
    "America/Sao_Paulo": "圣保罗时间",
    "America/Mexico_City": "墨西哥城时间",
    "Australia/Sydney": "悉尼时间",
    "Australia/Melbourne": "墨尔本时间",
    "Pacific/Auckland": "奥克兰时间",
    # Chinese readers say UTC; 协调世界时 reads like a textbook.
    "UTC": "UTC",
    "Etc/UTC": "UTC",
    "GMT": "格林尼治时间",
}


def _zone(tz_name: str | None) -> tzinfo | None:
    if not tz_name:
        return None
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _offset_words(offset: timedelta | None) -> str:
    """``UTC+8``, ``UTC-3:30``, ``UTC`` for a UTC offset."""
    if offset is None:
        return ""
    minutes = round(offset.total_seconds() / 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_name(tz_name: str | None, lang: TextLang, when: datetime | None = None) -> str:
    """The zone as its readers name it: ``北京时间``; in English the IANA name.

    A zone without a Chinese name reads as its offset at ``when`` (``UTC+2``).
    """
    if not tz_name:
        return ""
    if lang == "en":
        return tz_name
    known = ZONE_NAMES_ZH.get(tz_name)
    if known:
        return known
    tz = _zone(tz_name)
    if tz is None:
        return tz_name
    moment = when if when is not None else datetime(2024, 1, 1, tzinfo=tz)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return _offset_words(moment.astimezone(tz).utcoffset()) or tz_name


def format_date(
    value: datetime,
    lang: TextLang,
    tz_name: str | None = None,
    *,
    seconds: bool = False,
    zone: bool = True,
) -> str:
    """A moment for the dossier, in ``tz_name`` when it has an offset.

    Chinese: ``2024年10月15日 09:30（北京时间）``; English: ``2024-10-15 09:30 +08:00``.
    A camera time without an offset is shown as recorded, with no zone named.
    """
    tz = _zone(tz_name)
    if tz is not None and value.tzinfo is not None:
        value = value.astimezone(tz)
    clock = value.strftime("%H:%M:%S" if seconds else "%H:%M")
    if seconds and value.microsecond:
        clock += f".{value.microsecond:06d}".rstrip("0")
    if lang == "zh":
        text = f"{format_day(value, 'zh')} {clock}"
        if not zone or value.tzinfo is None:
            return text
        name = (
            zone_name(tz_name, "zh", value) if tz is not None else _offset_words(value.utcoffset())
        )
        return f"{text}（{name}）" if name else text
    text = f"{value.strftime('%Y-%m-%d')} {clock}"
    offset = value.strftime("%z")
    if zone and offset:
        text += f" {offset[:3]}:{offset[3:]}"
    return text


def format_day(value: date, lang: TextLang) -> str:
    """A day: ``2024年10月15日`` in Chinese, ``2024-10-15`` in English."""
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%Y-%m-%d")

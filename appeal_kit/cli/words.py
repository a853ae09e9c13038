"""Times, spans and states as the terminal says them, in the console language.

English keeps the library's compact forms (``Sat 2024-10-12 09:30 CST``,
``2 d 3 h left``); Chinese gets ``2024年10月12日 09:30（北京时间）`` and ``还剩 2天3小时``,
with zones named as Chinese users name them (北京时间). JSON never comes here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo

from appeal_kit.i18n import __, console_language, duration__, format_day, lazy__, zone_name

WEEKDAYS_ZH = "一二三四五六日"
CHINA_OFFSET = timedelta(hours=8)
STATE_WORDS = {
    "open": lazy__("open"),
    "due-soon": lazy__("due soon"),
    "missed": lazy__("missed"),
    "done": lazy__("done"),
    "late": lazy__("late"),
    "info": lazy__("info"),
}
# Where a case stands (``status``), the events ``log`` records, and the platform rules' names.
CASE_STATE_WORDS = {
    "new": lazy__("new"),
    "to-appeal": lazy__("to appeal"),
    "under-review": lazy__("under review"),
    "rejected": lazy__("rejected"),
    "approved": lazy__("approved"),
    "withdrawn": lazy__("withdrawn"),
    "error": lazy__("error"),
}
EVENT_WORDS = {
    "submitted": lazy__("submitted"),
    "rejected": lazy__("rejected"),
    "resubmitted": lazy__("resubmitted"),
    "approved": lazy__("approved"),
    "withdrawn": lazy__("withdrawn"),
    # Two words, so a narrow column may wrap at the space.
    "points-deducted": lazy__("points deducted"),
}
RULE_WORDS = {
    "appeal": lazy__("appeal"),
    "resubmission": lazy__("resubmission"),
    "review": lazy__("review"),
    "restoration": lazy__("restoration"),
}


def zone_title(zone: tzinfo, when: datetime | None = None) -> str:
    """``Asia/Shanghai`` in English, ``北京时间`` in Chinese (``local`` when unnamed)."""
    key = getattr(zone, "key", None)
    if console_language() == "zh":
        if key:
            return zone_name(key, "zh", when)
        moment = (when or datetime.now(zone)).astimezone(zone)
        return zone_name(None, "zh") or _offset(moment) or __("local")
    return key or __("local")


def named_zone(name: str, when: datetime | None = None) -> str:
    """A zone given by name (``Europe/Berlin``) as the reader says it (``柏林时间``)."""
    if console_language() == "zh":
        return zone_name(name, "zh", when) or name
    return name


def _offset(moment: datetime) -> str:
    text = moment.strftime("%z")
    return f"UTC{text[:3]}:{text[3:]}" if text else ""


def when(moment: datetime, zone: tzinfo, *, short: bool = False, named: bool = True) -> str:
    """A moment in ``zone``: ``Sat 2024-10-12 09:30 CST`` / ``2024年10月12日 09:30（北京时间）``.

    ``named=False`` leaves the zone out in Chinese, for a column that names it in its header.
    """
    from appeal_kit.tracking.deadlines import format_in

    if console_language() != "zh":
        text = format_in(moment, zone, short=short)
        # "CST" is China's, Cuba's and the US Central zone's: name China's as people do.
        if text.endswith(" CST") and moment.astimezone(zone).utcoffset() == CHINA_OFFSET:
            text = __("{moment} China time (UTC+8)", moment=text[:-4])
        return text
    shown = moment.astimezone(zone)
    if short:
        text = f"{shown.month}月{shown.day}日 周{WEEKDAYS_ZH[shown.weekday()]} {shown:%H:%M}"
    else:
        # 2024年10月15日 09:30（北京时间）: the form sellers read in Seller Center notices.
        text = f"{format_day(shown.date(), 'zh')} {shown:%H:%M}"
    return f"{text}（{zone_title(zone, shown)}）" if named else text


def span(seconds: int) -> str:
    """A duration the way time left is written: ``2 d 3 h`` / ``2天3小时``."""
    return duration__(seconds)


def time_left(due: datetime, now: datetime) -> str:
    """``2 d 3 h left`` or ``overdue by 1 d 2 h``, in the console language."""
    seconds = int((due - now).total_seconds())
    if seconds > 0:
        return __("{span} left", span=span(seconds))
    return __("overdue by {span}", span=span(seconds))


def then(first: str, second: str) -> str:
    """Two sentences one after the other: a space between them in English, none in Chinese."""
    return __("{first} {second}", first=first, second=second)


def _word(table: Mapping[str, str], code: object) -> str:
    word = table.get(str(code))
    return __(word) if word is not None else str(code)


def state_word(state: str) -> str:
    """A deadline state (``due-soon``) as the reader says it; JSON keeps the code."""
    return _word(STATE_WORDS, state)


def case_state_word(state: str) -> str:
    """A case's state (``under-review``) as the reader says it."""
    return _word(CASE_STATE_WORDS, state)


def event_word(event: str) -> str:
    """A logged event (``points-deducted``) as the reader says it."""
    return _word(EVENT_WORDS, event)


def platform_word(name: str) -> str:
    """A platform id (``aliexpress``) as its profile names it (``AliExpress`` / ``速卖通``)."""
    from appeal_kit.errors import AppealKitError
    from appeal_kit.tracking.platforms import load_profile

    try:
        label = load_profile(name).label
    except AppealKitError:  # an unknown platform: the case's own word, as written
        return name
    return __(label) if label else name


def rule_word(name: str) -> str:
    """A platform rule's short name (``appeal``) as the reader says it."""
    return _word(RULE_WORDS, name)


def short_when(moment: datetime, zone: tzinfo) -> str:
    """``Sat 10-12 09:30`` / ``10月12日 周六 09:30``: a due time in a narrow column."""
    shown = moment.astimezone(zone)
    if console_language() == "zh":
        return f"{shown.month}月{shown.day}日 周{WEEKDAYS_ZH[shown.weekday()]} {shown:%H:%M}"
    return f"{shown:%a %m-%d %H:%M}"


def day(moment: datetime, zone: tzinfo) -> str:
    """``2024-10-12`` / ``2024年10月12日`` in ``zone``."""
    shown = moment.astimezone(zone)
    return format_day(shown.date(), console_language())


def sentence(text: str) -> str:
    """A fix line starting with a capital (``copy the file…`` -> ``Copy the file…``).

    Library hints are written lower-case to follow ``error: ...``; on a line of
    their own they read as sentences. A first word that is a command, file or
    field (``appeal-kit``, ``case.toml``, ``first_seen``) is left as written.
    """
    first = text.split(" ", 1)[0]
    if first.isascii() and first.isalpha() and first.islower():
        return text[:1].upper() + text[1:]
    return text

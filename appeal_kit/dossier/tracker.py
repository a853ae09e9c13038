"""The deadline tracker part of the dossier, in the dossier's language(s).

The seller's own page: each deadline in the platform's and the seller's time zone,
with the rule it comes from. The rule is worded here from the platform profile
(amount, unit, starting event), so a Chinese dossier says 收到通知后 48 小时
instead of repeating the terminal's English basis.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from appeal_kit.dossier.bilingual import (
    Versions,
    moment,
    para,
    values,
    words,
)
from appeal_kit.dossier.blocks import cells, grid, part_heading, scaled
from appeal_kit.i18n.document import N_, TextLang, translate, zone_name
from appeal_kit.models import Deadline, DeadlineState

if TYPE_CHECKING:
    from appeal_kit.dossier.state import RenderState

UNITS = {
    "hours": N_("{amount} hours"),
    "calendar-days": N_("{amount} calendar days"),
    "business-days": N_("{amount} business days"),
}
EVENTS = {
    "notice": N_("{span} after the notice"),
    "rejection": N_("{span} after the rejection"),
    "submission": N_("{span} after the submission"),
}
# The English words are the states' own values, as the terminal and JSON show them.
STATES = {
    DeadlineState.OPEN: N_("open"),
    DeadlineState.DUE_SOON: N_("due-soon"),
    DeadlineState.MISSED: N_("missed"),
    DeadlineState.DONE: N_("done"),
    DeadlineState.INFO: N_("info"),
    DeadlineState.LATE: N_("late"),
}
_NUMBERED = re.compile(r"^(?P<rule>.+?)-[0-9]+$")


def _rule_words(state: RenderState, deadline: Deadline) -> Versions:
    """Where the deadline comes from.

    In English the tracker's own basis; in Chinese the platform rule worded from the
    profile (or the case's own date).
    """
    english = deadline.basis + (f" Source: {deadline.source}" if deadline.source else "")
    # In zh+en the English line under it quotes the source; the Chinese one need not repeat it.
    quote = state.content.language == "zh"
    return values(
        state, lambda lang: english if lang == "en" else _rule_in(deadline, state, lang, quote)
    )


def _rule_in(deadline: Deadline, state: RenderState, lang: TextLang, quote: bool) -> str:
    from appeal_kit.tracking.platforms import load_profile

    if deadline.origin == "case":
        return translate(N_("set in case.toml [deadlines] {key}"), lang, key=deadline.name)
    try:
        profile = load_profile(state.content.case.platform)
    except Exception:  # an unknown profile was refused long before the PDF
        return deadline.basis
    numbered = _NUMBERED.match(deadline.name)
    mode = state.content.case.mode
    rule = profile.rule(deadline.name, mode) or (
        profile.rule(numbered["rule"], mode) if numbered else None
    )
    if rule is None:
        return deadline.basis
    amount = f"{rule.earliest}–{rule.amount}" if rule.earliest is not None else str(rule.amount)
    span = translate(UNITS[rule.unit], lang, amount=amount)
    text = translate(EVENTS[rule.starts_from], lang, span=span)
    if rule.source and quote:
        # The profile's quotation of the platform's own guide, kept as written.
        text = translate(N_("{rule} Source: {source}"), lang, rule=text, source=rule.source)
    return text


def time_left(due: datetime, as_of: datetime, lang: TextLang = "en") -> str:
    """Time left as "2 d 4 h left", or "missed by 3 h" (rounded down)."""
    seconds = (due - as_of).total_seconds()
    hours = int(abs(seconds) // 3600)
    days, rest = divmod(hours, 24)
    if days:
        message = (
            N_("{days} d {hours} h left") if seconds >= 0 else N_("missed by {days} d {hours} h")
        )
        return translate(message, lang, days=days, hours=rest)
    minutes = int(abs(seconds) % 3600 // 60)
    message = (
        N_("{hours} h {minutes} min left")
        if seconds >= 0
        else N_("missed by {hours} h {minutes} min")
    )
    return translate(message, lang, hours=rest, minutes=minutes)


def _late(due: datetime, settled: datetime, lang: TextLang) -> str:
    """How late a deadline was met, not how far the clock is past the due time."""
    hours = int((settled - due).total_seconds() // 3600)
    days, rest = divmod(hours, 24)
    return translate(N_("done {days} d {hours} h late"), lang, days=days, hours=rest)


def _left(deadline: Deadline, as_of: datetime) -> Callable[[TextLang], str]:
    settled = deadline.settled_at
    if deadline.state == DeadlineState.LATE and settled is not None:
        return lambda lang: _late(deadline.due, settled, lang)
    return lambda lang: time_left(deadline.due, as_of, lang)


def deadlines_part(state: RenderState) -> list[Flowable]:
    """The deadline table, in the platform's and the user's time zone."""
    content, st = state.content, state.styles
    flow = part_heading(state, 1)
    platform_zone = content.platform_timezone or "UTC"
    local_zone = content.local_timezone if state.local_tz is not None else None
    # A complainant is no "seller" here (the accused one may be); the page is the user's own.
    complaint = content.case.mode == "complaint"
    heads: list[str | Versions] = [
        N_("Deadline"),
        words(state, N_("Due ({zone})"), zone=lambda lang: zone_name(platform_zone, lang)),
    ]
    widths = [2.2, 2.0]
    if local_zone is not None:
        heads.append(
            words(
                state,
                N_("Due (your local time, {zone})")
                if complaint
                else N_("Due (seller's local time, {zone})"),
                zone=lambda lang: zone_name(local_zone, lang),
            )
        )
        widths.append(2.0)
    heads.append(N_("Basis"))
    widths.append(3.6)
    if content.as_of is not None:
        heads += [N_("State"), N_("Time left")]
        widths += [1.2, 1.4]
    rows = [cells(state, heads, head=True)]
    for deadline in sorted(content.deadlines, key=lambda d: (d.due, d.name)):
        due = moment(deadline.due, platform_zone)
        if deadline.earliest is not None:
            start = moment(deadline.earliest, platform_zone)
            shown = words(state, N_("{start} to {due}"), start=start, due=due)
        else:
            shown = values(state, due)
        row: list[str | Versions] = [words(state, deadline.label or deadline.name), shown]
        if local_zone is not None:
            row.append(values(state, moment(deadline.due, local_zone)))
        row.append(_rule_words(state, deadline))
        if content.as_of is not None:
            row += [
                words(state, STATES.get(deadline.state, deadline.state.value)),
                values(state, _left(deadline, content.as_of)),
            ]
        rows.append(cells(state, row))
    if content.deadlines:
        flow.append(grid(rows, scaled(widths, state.frame_w)))
    elif complaint:
        flow += para(
            state,
            N_(
                "No deadlines: the platform's rules bind the accused side, not the "
                "complainant, and case.toml sets none under [deadlines]."
            ),
            st.body,
        )
    else:
        flow += para(
            state, N_("No deadlines could be computed: the notice time is not set."), st.body
        )
    flow.append(Spacer(1, 4 * mm))
    if content.as_of is None:
        flow += para(
            state,
            N_("Deadlines computed from case.toml and the case events; no clock used.")
            if complaint
            else N_("Deadlines computed from the notice time and the case events; no clock used."),
            st.small,
        )
    else:
        flow += para(
            state,
            N_("States and time left as of {time}."),
            st.small,
            time=moment(content.as_of, platform_zone),
        )
    if local_zone is None:
        flow += para(
            state,
            # Said to the reviewer: the seller's setting is check's advice, not the PDF's.
            N_("Times are shown in the platform's time zone only."),
            st.small,
        )
    return [*flow, PageBreak()]

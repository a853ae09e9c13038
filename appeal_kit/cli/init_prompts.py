"""``init``'s questions in a terminal: each main field the options left empty."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from appeal_kit.case.scaffold import CaseFields
from appeal_kit.errors import InvalidValueError
from appeal_kit.i18n import __

err = Console(stderr=True)


def ask_missing(fields: CaseFields) -> None:
    """Ask for each main field the options left empty (the README's walk-through lists them)."""
    from appeal_kit.case.config import VIOLATION_TYPES
    from appeal_kit.case.scaffold import toml_moment

    def valid(name: str, answer: str) -> bool:
        try:
            if name == "notice_received":
                toml_moment(answer, what=__("the notice time"))
            elif name == "first_seen":
                toml_moment(answer, what=__("the first-seen date"), day_ok=True)
            elif name == "violation" and answer not in VIOLATION_TYPES:
                raise InvalidValueError(
                    __("unknown violation type '{violation}'", violation=answer),
                    hint=__("use one of: {choices}", choices=", ".join(VIOLATION_TYPES)),
                )
        except InvalidValueError as exc:
            err.print(
                f"[yellow]{escape(exc.message)}[/] — {escape(exc.hint or '')}", highlight=False
            )
            return False
        return True

    questions = (
        ("case_id", __("Case or complaint id")),
        ("store", __("Your store name")),
        ("notice_received", __("Notice received (e.g. 2024-10-10T09:30:00+08:00)")),
        ("violation", __("Violation type (minor-edits, direct-copy or copyright-trademark)")),
        ("urls", __("Link to the other side's listing (the copy)")),
        ("first_seen", __("When you first saw their listing (e.g. 2024-09-30)")),
    )
    for name, question in questions:
        if getattr(fields, name) or (name == "first_seen" and not fields.urls):
            continue
        while True:
            answer = typer.prompt(
                __("{question}: ", question=question), default="", show_default=False,
                prompt_suffix="",
            ).strip()  # fmt: skip
            if not answer:
                break  # left empty: a commented example goes into case.toml
            if valid(name, answer):
                setattr(fields, name, [answer] if name == "urls" else answer)
                break  # otherwise ask again rather than lose the answers so far

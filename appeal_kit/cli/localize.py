"""The command tree in the console language: our --help, and Typer's own words.

Command docstrings and option help stay plain English in the code (they are the
catalog keys; the catalog script reads them from the command tree). Just
before a run, ``localized_command`` builds the Click command from the Typer app
and replaces each help text with its translation, so ``--help`` is read in the
language of that moment. Typer and its vendored Click print a few words of their
own (``Usage:``, panel titles, usage errors) without a catalog we can use; they
are listed here, marked for ours, and swapped in the same way.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import typer

from appeal_kit.cli.coercion import convert_without_pydantic
from appeal_kit.cli.help_layout import chinese_parameters, install_layout, tidy_parameters
from appeal_kit.i18n import LazyText, __, console_language, lazy__

# Typer's words, as its rich help and our usage-error line show them.
USAGE = lazy__("Usage: ")
OPTIONS_METAVAR = lazy__("[OPTIONS]")
SUBCOMMAND_METAVAR = lazy__("COMMAND [ARGS]...")
HELP_OPTION = lazy__("Show this message and exit.")
TRY_HELP = lazy__("Try '{command} {option}' for help.")
ERROR_PREFIX = lazy__("Error: {message}")
RICH_WORDS: dict[str, LazyText] = {
    "ARGUMENTS_PANEL_TITLE": lazy__("Arguments"),
    "OPTIONS_PANEL_TITLE": lazy__("Options"),
    "COMMANDS_PANEL_TITLE": lazy__("Commands"),
    "ERRORS_PANEL_TITLE": lazy__("Error"),
    "ABORTED_TEXT": lazy__("Aborted."),
    "DEFAULT_STRING": lazy__("[default: {}]"),
    "REQUIRED_LONG_STRING": lazy__("[required]"),
    "DEPRECATED_STRING": lazy__("(deprecated) "),
    "ENVVAR_STRING": lazy__("[env var: {}]"),
}
# Typer shows each value's type next to its option (``--out <path>``).
TYPE_WORDS: dict[str, LazyText] = {
    "<path>": lazy__("<path>"),
    "<str>": lazy__("<text>"),
    "<int>": lazy__("<whole number>"),
    "<int range>": lazy__("<whole number>"),
    "<float>": lazy__("<number>"),
    "<float range>": lazy__("<number>"),
    "<bool>": lazy__("<yes/no>"),
    "<list[str]>": lazy__("<text, repeatable>"),
    "<list[path]>": lazy__("<paths>"),
    "<list[Path]>": lazy__("<paths>"),
}

# Typer's plain (non-rich) help passes these through gettext's ``_``, which we point at ours.
CORE_WORDS = (
    lazy__("Arguments"),
    lazy__("Options"),
    lazy__("Commands"),
    lazy__("default: {default}"),
    lazy__("required"),
    lazy__("env var: {var}"),
    lazy__("(dynamic)"),
    lazy__("Aborted!"),
    lazy__("Missing command."),
)

# Usage errors Click words itself (f-strings): recognised by shape, then said again.
_USAGE_ERRORS: tuple[tuple[re.Pattern[str], LazyText], ...] = (
    (
        re.compile(r"No such command (?P<name>'[^']*')\. Did you mean (?P<guess>.+)\?$"),
        lazy__("There is no command {name}. Did you mean {guess}?"),
    ),
    (
        re.compile(r"No such command (?P<name>'[^']*')\.$"),
        lazy__("There is no command {name}. The commands are listed by appeal-kit --help."),
    ),
    (re.compile(r"Missing command\.$"), lazy__("Name a command, e.g. appeal-kit build CASE.")),
    (
        re.compile(r"Got unexpected extra arguments? \((?P<args>.*)\)$"),
        lazy__("Too many arguments: {args} (put quotes around a path that contains spaces)."),
    ),
    (
        re.compile(r"Input should be a valid integer.*"),
        lazy__("a whole number is needed, such as 4"),
    ),
    (
        re.compile(r"Input should be a valid number.*"),
        lazy__("a number is needed, such as 8.5"),
    ),
    (
        re.compile(r"Input should be greater than or equal to (?P<limit>\S+)$"),
        lazy__("it must be {limit} or more"),
    ),
    (
        re.compile(r"Input should be less than or equal to (?P<limit>\S+)$"),
        lazy__("it must be {limit} or less"),
    ),
    (
        re.compile(r"(?P<value>'[^']*') is not one of (?P<choices>.*)\.$"),
        lazy__("{value} is not one of {choices}."),
    ),
)


def _say_again(message: str) -> str:
    """One of Click's own sentences in the console language (unchanged when unknown)."""
    for pattern, text in _USAGE_ERRORS:
        found = pattern.match(message)
        if found:
            return __(text, **found.groupdict())
    return message


def _walk(command: Any) -> Iterator[Any]:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _walk(sub)


def _install_typer_words() -> None:
    """Point Typer's built-in words at the console catalog (once per run: the language may change)."""
    from typer import core
    from typer._click import formatting

    # Typer's rich help is off (``rich_markup_mode=None``): its renderer imports rich.markdown,
    # markdown_it and pygments, a quarter of --help's time, to show nothing we use. Its words
    # are set only when something else (a test, Typer's traceback hook) has loaded it.
    rich_utils = sys.modules.get("typer.rich_utils")
    for name, text in RICH_WORDS.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, __(text))
    if hasattr(rich_utils, "RICH_HELP"):
        rich_utils.RICH_HELP = __(  # type: ignore[union-attr]
            "Try [blue]'{command_path} {help_option}'[/] for help.",
        )
    if hasattr(core, "_"):
        # Only the words above are in our catalog; any other passes through unchanged.
        core._ = __
    shown_type = core._TyperParameter.display_type
    if not getattr(shown_type, "_appeal_kit", False):

        def display_type(self: Any, ctx: Any) -> str:
            text = shown_type(self, ctx)
            word = TYPE_WORDS.get(text)
            if console_language() == "en":
                # "<list[str]>" is Python's name for it: a repeatable option shows its item's type.
                return f"<{text[6:-2]}>" if text.startswith("<list[") else text
            return __(word) if word is not None else text

        display_type._appeal_kit = True  # type: ignore[attr-defined]
        core._TyperParameter.display_type = display_type  # type: ignore[method-assign]
    if not getattr(getattr(formatting, "term_len", None), "_appeal_kit", False):
        from rich.cells import cell_len
        from typer._click._compat import strip_ansi

        def term_len(x: str) -> int:
            # Chinese characters take two terminal cells: count cells so help columns line up.
            return cell_len(strip_ansi(x))

        term_len._appeal_kit = True  # type: ignore[attr-defined]
        setattr(formatting, "term_len", term_len)  # noqa: B010 - not exported by Typer
    writer = formatting.HelpFormatter.write_usage
    if not getattr(writer, "_appeal_kit", False):

        def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
            writer(self, prog, args, __(USAGE) if prefix is None else prefix)

        write_usage._appeal_kit = True  # type: ignore[attr-defined]
        formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]


def command_name(info: Any) -> str:
    """The name a registered Typer command is called by."""
    return str(info.name or typer.main.get_command_name(info.callback.__name__))


def command_list(app: typer.Typer) -> Any:
    """``app``'s group with each command as its name and help only: all ``--help`` lists.

    Building a command in full evaluates every parameter's annotation, twice: for
    all twelve commands, half of what ``appeal-kit --help`` adds to Typer's start.
    """
    import copy
    import inspect

    from typer.core import TyperCommand

    bare = copy.copy(app)
    bare.registered_commands = []
    group: Any = typer.main.get_command(bare)  # a group: the app has a callback
    for info in app.registered_commands:
        if info.callback is None:
            continue
        text = (
            inspect.cleandoc(info.help) if info.help is not None else inspect.getdoc(info.callback)
        )
        cls = info.cls or TyperCommand
        shown = cls(
            name=command_name(info),
            help=text,
            short_help=info.short_help,
            hidden=info.hidden,
            deprecated=info.deprecated,
            rich_markup_mode=None,
        )
        group.add_command(shown, shown.name)
    return group


def _tree(app: typer.Typer, only: str | None) -> Any:
    """The Click group of ``app``: whole, as a list (``only=""``) or with one command built."""
    import copy

    if only == "":
        return command_list(app)
    chosen = [i for i in app.registered_commands if i.callback and command_name(i) == only]
    if only is None or not chosen:
        return typer.main.get_command(app)
    # The command that runs is the only one Click looks at: the others need not exist.
    lean = copy.copy(app)
    lean.registered_commands = chosen
    return typer.main.get_command(lean)


def localized_command(app: typer.Typer, *, only: str | None = None) -> Any:
    """The Click command for ``app`` with every help text in the console language.

    ``only`` names the command this run calls, so only that one is built; ``""`` is
    the program's own ``--help``, which shows each command's name and help
    (``command_list``); None builds every command.
    """
    from typer._click import Context

    command = _tree(app, only)
    # Also in English: a run in Chinese earlier in this process must not leave its words behind.
    _install_typer_words()
    install_layout()
    for item in _walk(command):
        tidy_parameters(item)
        convert_without_pydantic(item)
        # Typer coerces a flag left out (None) through a pydantic TypeAdapter: pydantic is
        # imported just to read "no --help" on the way to a command. False needs no coercion.
        helper = item.get_help_option(Context(item))
        if helper is not None:
            helper.default = False
    if console_language() == "en":
        return command
    for item in _walk(command):
        for attr in ("help", "short_help", "epilog"):
            text = getattr(item, attr, None)
            if text:
                setattr(item, attr, __(text))
        if getattr(item, "options_metavar", None):
            item.options_metavar = __(OPTIONS_METAVAR)
        if getattr(item, "subcommand_metavar", None) == str.__str__(SUBCOMMAND_METAVAR):
            item.subcommand_metavar = __(SUBCOMMAND_METAVAR)
        for param in item.params:
            if param.help:
                param.help = __(param.help)
        chinese_parameters(item)
        helper = item.get_help_option(Context(item))
        if helper is not None:
            helper.help = __(HELP_OPTION)
    return command


def show_usage_error(exc: Any, echo: Callable[[str], None]) -> None:
    """A usage error (bad option, missing argument) in the console language, as Click lays it out."""
    from typer._click import exceptions as click_errors

    # No arguments at all: the help page itself (already in the console language), not an error.
    if console_language() == "en" or isinstance(exc, click_errors.NoArgsIsHelpError):
        exc.show()
        return

    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        echo(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            echo(__(TRY_HELP, command=ctx.command_path, option=ctx.help_option_names[0]))
        echo("")
    echo(__(ERROR_PREFIX, message=_usage_message(exc, click_errors)))


def _param_name(exc: Any) -> str:
    hint = getattr(exc, "param_hint", None)
    if hint is None and getattr(exc, "param", None) is not None:
        try:
            hint = exc.param.get_error_hint(exc.ctx)
        except TypeError:  # Typer's own parameters take no context
            hint = exc.param.get_error_hint()
    if isinstance(hint, list | tuple):
        return " / ".join(repr(x) for x in hint)
    return str(hint or "")


def _usage_message(exc: Any, errors: Any) -> str:
    if isinstance(exc, errors.NoSuchOption):
        text = __("There is no option {option}.", option=exc.option_name)
        if exc.possibilities:
            guess = __("Did you mean {options}?", options=", ".join(sorted(exc.possibilities)))
            text = __("{first} {second}", first=text, second=guess)
        return text
    if isinstance(exc, errors.MissingParameter):
        name = _param_name(exc)
        if getattr(exc.param, "param_type_name", "") == "option":
            return __("The option {name} is required.", name=name)
        return __("The argument {name} is missing.", name=name)
    if isinstance(exc, errors.BadParameter):
        name = _param_name(exc)
        return __("Invalid value for {name}: {problem}", name=name, problem=_say_again(exc.message))
    return _say_again(exc.format_message())

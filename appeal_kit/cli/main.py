"""Command line: parse arguments, call the library, print. No logic lives here.

Errors from the library are caught once, in ``main``: known ones become one line
and an exit code (see ``errors.ExitCode``); a traceback only with ``--verbose``.
"""

from __future__ import annotations

import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand

from appeal_kit import __version__
from appeal_kit.cli import words
from appeal_kit.cli.localize import localized_command, show_usage_error
from appeal_kit.errors import AppealKitError, ExitCode
from appeal_kit.i18n import __, lazy__

# Options of the program, not of one command: accepted after the command too
# (``appeal-kit check CASE --verbose``) by moving them in front of it.
GLOBAL_FLAGS = ("--verbose", "-v", "--version")
INTERRUPTED = lazy__("Interrupted; nothing was written.")


class _Command(TyperCommand):
    """Usage lines show arguments as ``CASE`` / ``[ROOT]``, not typer's ``{CASE}``."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces: list[str] = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]


# Case files are personal data: never print local variables in a traceback.
app = typer.Typer(
    name="appeal-kit",
    help="Turn an image-theft case folder into a verifiable PDF appeal dossier.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode=None,
)
console = Console()
err_console = Console(stderr=True)


class _State:
    verbose = False


def _version(value: bool) -> None:
    if value:
        console.print(f"appeal-kit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show full tracebacks for errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Turn an image-theft case folder into a verifiable PDF appeal dossier.

    Example: appeal-kit build samples/demo-case
    """
    _State.verbose = verbose


def _register_commands() -> None:
    # Each area keeps its commands in its own module; they only call the library.
    from appeal_kit.cli import cache_command as cli_cache
    from appeal_kit.cli import case_commands as cli_case
    from appeal_kit.cli import inspect_commands as cli_inspect
    from appeal_kit.cli import tracking_commands as cli_tracking

    cli_case.register(app)
    cli_inspect.register(app)
    cli_tracking.register(app)
    cli_cache.register(app)
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = _Command


_register_commands()


def global_options_first(args: list[str]) -> list[str]:
    """``args`` with the global flags moved in front of the command (not after ``--``)."""
    cut = args.index("--") if "--" in args else len(args)
    head, tail = args[:cut], args[cut:]
    flags = [a for a in head if a in GLOBAL_FLAGS]
    return flags + [a for a in head if a not in GLOBAL_FLAGS] + tail


def _called(args: list[str]) -> str | None:
    """The command ``args`` call (the only one to build), ``""`` for the program's --help.

    None when that is not plain (no command yet, or an option Click must judge):
    the whole command tree is built, as Click needs it for its messages.
    """
    for arg in args:
        if arg in GLOBAL_FLAGS:
            continue
        if arg == "--help":
            return ""
        return None if arg.startswith("-") else arg
    return None


class _Interrupted(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM, raised by our signal handler.

    Not a KeyboardInterrupt on purpose: click catches those, prints a bare newline and
    turns them into Abort; this one reaches ``main`` untouched, for every command, and
    unwinds every ``finally`` on the way (a build's scratch folder is removed).
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    raise _Interrupted(signum)


@contextmanager
def _ctrl_c_handled() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = {sig: signal.signal(sig, _on_interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``appeal-kit`` console script; returns the exit code."""
    args = global_options_first(sys.argv[1:] if argv is None else list(argv))
    with _ctrl_c_handled():
        try:
            return _run(args)
        except _Interrupted as stop:
            # Every write is atomic (temp file or work folder, then a rename), so an
            # interrupted command leaves the files as they were.
            err_console.print(__(INTERRUPTED), highlight=False)
            if stop.signum == signal.SIGTERM:
                return 128 + int(signal.SIGTERM)  # the shell's code for "terminated"
            return int(ExitCode.INTERRUPTED)


def _run(args: list[str]) -> int:
    _State.verbose = "--verbose" in args or "-v" in args
    if not _State.verbose:
        # Pillow reports a damaged EXIF block as a bare Python warning; the build
        # already names each such file with its problem. --verbose shows them.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
    try:
        # Without standalone mode, click returns the code of a typer.Exit instead of raising.
        # The command tree is built per run, with --help in the console language of this moment.
        command = localized_command(app, only=_called(args))
        code = command(args=args, prog_name="appeal-kit", standalone_mode=False)
        if isinstance(code, int):
            return code
    except AppealKitError as exc:
        if _State.verbose:
            err_console.print_exception(show_locals=False)
        # Messages hold "[field]" and user text: escape them so rich doesn't eat them as markup.
        err_console.print(
            __("[bold red]error:[/] {message}", message=escape(exc.message)),
            highlight=False,
            soft_wrap=True,
        )
        if exc.hint:
            err_console.print(
                __("  [bold]fix:[/] {hint}", hint=escape(words.sentence(exc.hint))),
                highlight=False,
                soft_wrap=True,
            )
        return int(exc.exit_code)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print(__(INTERRUPTED), highlight=False)
        return int(ExitCode.INTERRUPTED)
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        if callable(getattr(exc, "show", None)):
            show_usage_error(exc, lambda line: typer.echo(line, err=True))
        else:
            err_console.print(__("error: {message}", message=exc.format_message()), highlight=False)
        return int(ExitCode.USAGE)
    except Exception as exc:  # a bug: say so plainly, no locals, no traceback by default
        if _State.verbose:
            err_console.print_exception(show_locals=False)
        else:
            err_console.print(
                __(
                    "[bold red]internal error:[/] {kind}: {problem}\n"
                    "  Run again with --verbose for the traceback, and report it as a bug.",
                    kind=type(exc).__name__,
                    problem=escape(str(exc)),
                ),
                highlight=False,
            )
        return int(ExitCode.INTERNAL)
    return int(ExitCode.OK)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

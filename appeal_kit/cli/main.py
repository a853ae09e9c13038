"""Command line: parse arguments, call the library, print. No logic lives here.

Errors from the library are caught once, in ``main``: known ones become one line
and an exit code (see ``errors.ExitCode``); a traceback only with ``--verbose``.
"""

from __future__ import annotations

import sys
import warnings
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from appeal_kit import __version__
from appeal_kit.errors import AppealKitError, ExitCode

# Case files are personal data: never print local variables in a traceback.
app = typer.Typer(
    name="appeal-kit",
    help="Turn an image-theft case folder into a verifiable PDF appeal dossier.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode="rich",
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
    from appeal_kit.cli import case_commands as cli_case
    from appeal_kit.cli import tracking_commands as cli_tracking

    cli_case.register(app)
    cli_tracking.register(app)


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``appeal-kit`` console script; returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    _State.verbose = "--verbose" in args or "-v" in args
    if not _State.verbose:
        # Pillow reports a damaged EXIF block as a bare Python warning; the build
        # already names each such file with its problem. --verbose shows them.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
    try:
        # Without standalone mode, click returns the code of a typer.Exit instead of raising.
        code = app(args=args, prog_name="appeal-kit", standalone_mode=False)
        if isinstance(code, int):
            return code
    except AppealKitError as exc:
        if _State.verbose:
            err_console.print_exception(show_locals=False)
        # Messages hold "[field]" and user text: escape them so rich doesn't eat them as markup.
        err_console.print(
            f"[bold red]error:[/] {escape(exc.message)}", highlight=False, soft_wrap=True
        )
        if exc.hint:
            err_console.print(
                f"  [bold]fix:[/] {escape(exc.hint)}", highlight=False, soft_wrap=True
            )
        return int(exc.exit_code)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        err_console.print("Interrupted.")
        return int(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        err_console.print("Interrupted; nothing was written to the output folder.")
        return int(ExitCode.INTERRUPTED)
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err_console.print(f"error: {exc.format_message()}", highlight=False)
        return int(ExitCode.USAGE)
    except Exception as exc:  # a bug: say so plainly, no locals, no traceback by default
        if _State.verbose:
            err_console.print_exception(show_locals=False)
        else:
            err_console.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))}\n"
                "  Run again with --verbose for the traceback, and report it as a bug.",
                highlight=False,
            )
        return int(ExitCode.INTERNAL)
    return int(ExitCode.OK)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

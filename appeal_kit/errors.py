"""Exit codes and the exception classes that carry them.

Every error a user can cause is an ``AppealKitError`` subclass. The CLI catches
them in one place (``cli.main``) and prints ``message`` and ``hint`` on one or
two lines; a traceback is shown only with ``--verbose``.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

from appeal_kit.i18n.console import __


class ExitCode(IntEnum):
    """Process exit codes; documented in the README's "Exit codes" table."""

    OK = 0
    # The build finished but some inputs were excluded, or ``check`` found blockers.
    COMPLETED_WITH_PROBLEMS = 1
    USAGE = 2
    CASE_CONFIG = 3
    INPUT = 4
    OUTPUT = 5
    INTERRUPTED = 130
    INTERNAL = 70


class AppealKitError(Exception):
    """Base class: a problem the user can act on."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if not self.hint:
            return self.message
        return __("{message}\n  Fix: {hint}", message=self.message, hint=self.hint)


class CaseConfigError(AppealKitError):
    """``case.toml`` (or the case folder layout) is wrong.

    Carries the file, line and field so the message can point at them.
    """

    exit_code = ExitCode.CASE_CONFIG

    def __init__(
        self,
        message: str,
        *,
        path: Path,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        if line and field:
            text = __(
                "{path}, line {line} [{field}]: {message}",
                path=path,
                line=line,
                field=field,
                message=message,
            )
        elif line:
            text = __("{path}, line {line}: {message}", path=path, line=line, message=message)
        elif field:
            text = __("{path} [{field}]: {message}", path=path, field=field, message=message)
        else:
            text = __("{path}: {message}", path=path, message=message)
        super().__init__(text, hint=hint)
        self.path = path
        self.line = line
        self.field = field


class CaseNotFoundError(AppealKitError):
    """The case folder, or its ``case.toml``, does not exist."""

    exit_code = ExitCode.CASE_CONFIG


class InputFileError(AppealKitError):
    """One input file cannot be used. The build excludes it and goes on."""

    exit_code = ExitCode.INPUT

    def __init__(self, path: Path, reason: str, *, hint: str | None = None) -> None:
        super().__init__(__("{path}: {message}", path=path, message=reason), hint=hint)
        self.path = path
        self.reason = reason


class UnsupportedFormatError(InputFileError):
    """The file is an image format appeal-kit cannot decode."""


class UnreadableImageError(InputFileError):
    """The file is corrupt, truncated, empty, or not what its name says."""


class ImageTooLargeError(InputFileError):
    """Pillow's decompression-bomb guard tripped."""


class OutputError(AppealKitError):
    """The output folder cannot be written, or exists and ``--force`` was not given."""

    exit_code = ExitCode.OUTPUT


class InvalidValueError(AppealKitError):
    """A value given on the command line or to the API is wrong (bad time, unknown event)."""

    exit_code = ExitCode.USAGE

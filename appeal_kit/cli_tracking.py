"""Commands for deadlines and case tracking: deadlines, log, status, points, calendar."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""

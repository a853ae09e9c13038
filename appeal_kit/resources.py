"""Where bundled files are: ``templates/`` (installed or in a source checkout) and fonts."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def templates_dir() -> Path:
    """``appeal_kit/templates`` in a wheel, or the repository's ``templates/``."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("appeal-kit's templates folder is missing; reinstall appeal-kit")


def platform_profile_path(name: str) -> Path:
    """Path of ``templates/platforms/NAME.toml`` (may not exist)."""
    return templates_dir() / "platforms" / f"{name}.toml"


def font_path(name: str) -> Path:
    """A font bundled in ``appeal_kit/fonts`` (the CJK face the dossier embeds)."""
    return _PACKAGE / "fonts" / name

"""Platform names in case.toml: which profiles exist, and the fix for an unknown one."""

from __future__ import annotations

import difflib

from appeal_kit.case.reader import Reader
from appeal_kit.i18n import __
from appeal_kit.resources import templates_dir


def check_platform(reader: Reader, name: str) -> None:
    """An unknown platform is reported here, where its line in case.toml is known."""
    available = sorted(p.stem for p in (templates_dir() / "platforms").glob("*.toml"))
    if name in available:
        return
    raise reader.fail(
        __("unknown platform '{platform}'", platform=name),
        key="platform",
        hint=platform_hint(name, available),
    )


def platform_hint(name: str, available: list[str]) -> str:
    """The fix for an unknown platform: the closest profile's name, and every one."""
    close = difflib.get_close_matches(name, available, n=1)
    listing = ", ".join(available)
    if close:
        return __(
            "did you mean '{close}'? available profiles: {available}",
            close=close[0],
            available=listing,
        )
    return __("available profiles: {available}", available=listing)

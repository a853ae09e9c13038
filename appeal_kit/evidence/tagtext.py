"""Tag values are untrusted text: clean strings and capture times out of them.

Cameras pad strings with NULs, write bytes, wrong types and odd date spellings;
``clean_text`` and ``parse_datetime`` turn them into clean values or ``None``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from appeal_kit.i18n import __

_DATE_RE = re.compile(
    r"^\s*(\d{4})[:\-/.](\d{1,2})[:\-/.](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+\-]\d{2}:?\d{2})?\s*$"
)


def clean_text(
    value: Any, name: str, warnings: list[str], *, two_parts: bool = False
) -> str | None:
    """A tag value as clean text, or ``None``; odd types become a warning.

    Cameras pad strings with NULs and spaces, and some write bytes. An EXIF ASCII
    string ends at its first NUL, as exiftool reads it: what follows is left-over
    buffer (``MAVICA``, not ``MAVICA / 3ghx7y``). Only EXIF Copyright holds two
    strings, photographer NUL editor (``two_parts``); both are kept.
    """
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = raw.decode("latin-1")
    if not isinstance(value, str):
        warnings.append(
            __(
                "{name} has an unexpected value type ({type}); ignored",
                name=name,
                type=type(value).__name__,
            )
        )
        return None
    parts = [p.strip() for p in value.split("\x00")]
    if not two_parts:
        parts = parts[:1]
    text = " / ".join(p for p in parts if p)
    text = "".join(ch for ch in text if ch.isprintable())
    return text.strip() or None


def _tz(text: str | None) -> timezone | None:
    """``+02:00`` / ``-0500`` / ``Z`` as a fixed offset; ``None`` when unusable."""
    if not text:
        return None
    text = text.strip()
    if text == "Z":
        return UTC
    match = re.fullmatch(r"([+\-])(\d{2}):?(\d{2})", text)
    if not match:
        return None
    sign = -1 if match.group(1) == "-" else 1
    delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
    if delta > timedelta(hours=14):
        return None
    return timezone(sign * delta)


def parse_datetime(
    text: str | None, subsec: str | None = None, offset: str | None = None
) -> datetime | None:
    """An EXIF (``2024:03:10 14:02:07``) or XMP (ISO 8601) time, or ``None``.

    Sub-seconds and the offset come from their own EXIF tags; an offset inside
    the text (XMP) wins. Blank or all-zero dates (a camera with no clock set)
    and dates without a time give ``None``; other garbage raises ``ValueError``.
    """
    if text is None or not text.strip(" \x00:0-T"):
        return None
    match = _DATE_RE.match(text.replace("\x00", ""))
    if not match:
        raise ValueError(f"not a date and time: {text.strip()[:40]!r}")
    if match.group(4) is None:
        # A bare date (valid in XMP) would pose as midnight in the shoot timeline.
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups()[:6])
    fraction = match.group(7) or (subsec or "").strip()
    micro = int((fraction[:6] if fraction.isdigit() else "0").ljust(6, "0"))
    zone = _tz(match.group(8)) or _tz(offset)
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)

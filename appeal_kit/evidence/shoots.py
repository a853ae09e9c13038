"""Grouping originals into shoots: one camera, one stretch of time.

An appeal is stronger when the seller shows a *series*: forty frames of the same
product from one camera within an hour are hard to have stolen. ``group_shoots``
finds those series in the metadata; ``describe_shoots`` turns them into the
cover-page phrase ("3 shoots, 41 frames, Canon EOS R6 serial 0123…, 10–12 March 2024").

Rules, in order:
1. Same camera: the body serial when the file has one, else make and model. A
   frame without a serial joins the serial group of the only body with its make
   and model (a camera JPEG often lacks the serial its RAW carries).
2. Frames are ordered by capture time, then by file number (``IMG_0412`` before
   ``IMG_0413`` within the same second: bursts, RAW+JPEG pairs), then by name.
3. A new shoot starts after a pause longer than ``gap``, or when the file
   counter runs backwards (a reset counter or a second body of the same model:
   a different session in either case). 9999 -> 0001 is a wrap, not a reset.
Frames without a capture time, and unusable files, belong to no shoot.

Times are compared as the camera's wall clock (offset ignored): within one
body that clock is consistent, while the offset may be missing from some files
of the same shot (a JPEG without OffsetTime next to a RAW with one).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from appeal_kit.models import ImageMetadata

# A product shoot pauses for minutes up to about an hour (re-lighting, changing
# products, a battery swap); a seller's separate sessions on one day are
# usually further apart than that. Two hours keeps one session together
# without merging a morning shoot with an evening one.
DEFAULT_GAP = timedelta(hours=2)

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

_COUNTER = re.compile(r"\d{3,}")
# A counter this high followed by one this low is the 9999 -> 0001 wrap.
_WRAP_HIGH, _WRAP_LOW = 9000, 1000


@dataclass
class Shoot:
    """Frames from one camera taken without a long pause."""

    index: int
    camera: str | None
    serial: str | None
    start: datetime
    end: datetime
    frames: list[ImageMetadata] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``Shoot 1: Canon EOS R6 serial 0123…, 10 March 2024, 14:02–15:40, 12 frames``."""
        first, last = _wall(self.start), _wall(self.end)
        if first.date() == last.date():
            span = (
                f"{first:%H:%M}"
                if f"{first:%H:%M}" == f"{last:%H:%M}"
                else (f"{first:%H:%M}–{last:%H:%M}")
            )
            when = f"{format_day(first.date())}, {span}"
        else:
            when = (
                f"{format_day(first.date())} {first:%H:%M} – {format_day(last.date())} {last:%H:%M}"
            )
        return f"Shoot {self.index}: {camera_text(self.camera, self.serial)}, {when}, {_count(len(self.frames), 'frame')}"


def _wall(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def format_day(day: date) -> str:
    """``10 March 2024`` (no locale: the dossier must not depend on the machine)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_range(first: date, last: date) -> str:
    """``10 March 2024``, ``10–12 March 2024``, ``28 February – 2 March 2024``."""
    if first == last:
        return format_day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{format_day(last)}"
    if first.year == last.year:
        return f"{first.day} {MONTHS[first.month - 1]} – {format_day(last)}"
    return f"{format_day(first)} – {format_day(last)}"


def short_serial(serial: str) -> str:
    """The first digits of a serial: enough to tell bodies apart on a cover page."""
    return serial if len(serial) <= 6 else serial[:4] + "…"


def camera_text(camera: str | None, serial: str | None) -> str:
    """``Canon EOS R6 serial 0123…`` / ``unknown camera``."""
    text = camera or "unknown camera"
    return f"{text} serial {short_serial(serial)}" if serial else text


def _file_number(frame: ImageMetadata) -> tuple[str, int] | None:
    """(prefix, counter) from a name like ``IMG_0412`` or ``DSC01234``; the last run of digits."""
    stem = frame.display_path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    matches = list(_COUNTER.finditer(stem))
    if not matches:
        return None
    last = matches[-1]
    return stem[: last.start()].upper(), int(last.group())


def _model_key(frame: ImageMetadata) -> tuple[str, str]:
    return ((frame.make or "").strip().lower(), (frame.model or "").strip().lower())


def _camera_keys(frames: Sequence[ImageMetadata]) -> dict[int, tuple[str, ...]]:
    """Which camera each frame came from, by position in ``frames``."""
    serials_by_model: dict[tuple[str, str], set[str]] = {}
    for frame in frames:
        if frame.serial:
            serials_by_model.setdefault(_model_key(frame), set()).add(frame.serial)
    keys: dict[int, tuple[str, ...]] = {}
    for position, frame in enumerate(frames):
        serial = frame.serial
        if not serial:
            known = serials_by_model.get(_model_key(frame), set())
            serial = next(iter(known)) if len(known) == 1 else None
        keys[position] = (
            ("serial", *_model_key(frame), serial) if serial else ("model", *_model_key(frame))
        )
    return keys


def _order(frame: ImageMetadata) -> tuple[datetime, str, int, str]:
    assert frame.captured_at is not None
    number = _file_number(frame)
    prefix, counter = number if number else ("", -1)
    return (_wall(frame.captured_at), prefix, counter, frame.display_path)


def _counter_reset(previous: ImageMetadata, current: ImageMetadata) -> bool:
    before, after = _file_number(previous), _file_number(current)
    if before is None or after is None or before[0] != after[0]:
        return False
    wrapped = before[1] >= _WRAP_HIGH and after[1] < _WRAP_LOW
    return after[1] < before[1] and not wrapped


def group_shoots(items: list[ImageMetadata], *, gap: timedelta = DEFAULT_GAP) -> list[Shoot]:
    """Shoots in chronological order (ties: camera, then first file), numbered from 1."""
    dated = [m for m in items if m.ok and m.captured_at is not None]
    keys = _camera_keys(dated)
    by_camera: dict[tuple[str, ...], list[ImageMetadata]] = {}
    for position, frame in enumerate(dated):
        by_camera.setdefault(keys[position], []).append(frame)
    runs: list[tuple[tuple[str, ...], list[ImageMetadata]]] = []
    for key, frames in by_camera.items():
        frames.sort(key=_order)
        run: list[ImageMetadata] = []
        for frame in frames:
            if run:
                previous = run[-1]
                pause = _order(frame)[0] - _order(previous)[0]
                if pause > gap or _counter_reset(previous, frame):
                    runs.append((key, run))
                    run = []
            run.append(frame)
        runs.append((key, run))
    runs.sort(key=lambda kr: (_order(kr[1][0])[0], kr[0], kr[1][0].display_path))
    shoots = []
    for index, (key, frames) in enumerate(runs, start=1):
        first = frames[0]
        serial = key[3] if key[0] == "serial" else None
        camera = next((f.camera for f in frames if f.camera), None)
        assert first.captured_at is not None and frames[-1].captured_at is not None
        shoots.append(
            Shoot(
                index=index,
                camera=camera,
                serial=serial,
                start=first.captured_at,
                end=frames[-1].captured_at,
                frames=frames,
            )
        )
    return shoots


def describe_shoots(shoots: Sequence[Shoot]) -> str:
    """Cover-page summary: ``3 shoots, 41 frames, Canon EOS R6 serial 0123…, 10–12 March 2024``."""
    if not shoots:
        return "no frames with a capture time"
    frames = sum(len(s.frames) for s in shoots)
    cameras: list[str] = []
    for shoot in shoots:
        text = camera_text(shoot.camera, shoot.serial)
        if text not in cameras:
            cameras.append(text)
    first = min(_wall(s.start) for s in shoots).date()
    last = max(_wall(s.end) for s in shoots).date()
    parts = [
        _count(len(shoots), "shoot"),
        _count(frames, "frame"),
        *cameras,
        format_range(first, last),
    ]
    return ", ".join(parts)

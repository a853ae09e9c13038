"""Grouping frames into shoots and the cover-page summary."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appeal_kit.evidence.shoots import DEFAULT_GAP, describe_shoots, format_range, group_shoots
from appeal_kit.models import ImageMetadata

T0 = datetime(2024, 3, 10, 14, 0, 0)


def frame(
    name: str,
    minutes: float | None,
    *,
    make: str | None = "Canon",
    model: str | None = "Canon EOS R6",
    serial: str | None = "012345678901",
    start: datetime = T0,
    error: str | None = None,
) -> ImageMetadata:
    return ImageMetadata(
        path=Path(name),
        display_path=f"originals/{name}",
        make=make,
        model=model,
        serial=serial,
        captured_at=None if minutes is None else start + timedelta(minutes=minutes),
        error=error,
    )


def names(shoot_frames: list[ImageMetadata]) -> list[str]:
    return [f.display_path.removeprefix("originals/") for f in shoot_frames]


def test_one_camera_split_by_a_long_pause() -> None:
    frames = [frame(f"IMG_{400 + i:04d}.JPG", m) for i, m in enumerate([0, 5, 30, 110, 240, 250])]
    shoots = group_shoots(frames)
    assert [names(s.frames) for s in shoots] == [
        ["IMG_0400.JPG", "IMG_0401.JPG", "IMG_0402.JPG", "IMG_0403.JPG"],
        ["IMG_0404.JPG", "IMG_0405.JPG"],
    ]
    assert [s.index for s in shoots] == [1, 2]
    assert shoots[0].start == T0 and shoots[0].end == T0 + timedelta(minutes=110)
    assert (shoots[0].camera, shoots[0].serial) == ("Canon EOS R6", "012345678901")


def test_gap_is_a_parameter_and_exactly_gap_stays_together() -> None:
    frames = [frame("IMG_0001.JPG", 0), frame("IMG_0002.JPG", 120), frame("IMG_0003.JPG", 150)]
    assert timedelta(hours=2) == DEFAULT_GAP
    assert [len(s.frames) for s in group_shoots(frames)] == [3]
    assert [len(s.frames) for s in group_shoots(frames, gap=timedelta(minutes=45))] == [1, 2]


def test_cameras_are_kept_apart_by_serial_then_model() -> None:
    frames = [
        frame("IMG_0001.JPG", 0, serial="AAA111"),
        frame("IMG_0002.JPG", 1, serial="BBB222"),  # a second R6 body, same minutes
        frame("DSC_0001.JPG", 2, make="NIKON CORPORATION", model="NIKON Z 6", serial=None),
        frame("IMG_0003.JPG", 3, serial="AAA111"),
    ]
    shoots = group_shoots(frames)
    assert [(s.serial, names(s.frames)) for s in shoots] == [
        ("AAA111", ["IMG_0001.JPG", "IMG_0003.JPG"]),
        ("BBB222", ["IMG_0002.JPG"]),
        (None, ["DSC_0001.JPG"]),
    ]
    assert shoots[2].camera == "NIKON Z 6"


def test_jpeg_without_serial_joins_the_only_body_of_its_model() -> None:
    frames = [frame("IMG_0412.CR2", 0), frame("IMG_0412.JPG", 0, serial=None)]
    shoots = group_shoots(frames)
    assert len(shoots) == 1 and shoots[0].serial == "012345678901"
    assert names(shoots[0].frames) == ["IMG_0412.CR2", "IMG_0412.JPG"]


def test_file_numbers_break_ties_within_the_same_second() -> None:
    burst = [frame(f"IMG_{n:04d}.JPG", 0) for n in (415, 412, 414, 413)]
    assert names(group_shoots(burst)[0].frames) == [
        "IMG_0412.JPG",
        "IMG_0413.JPG",
        "IMG_0414.JPG",
        "IMG_0415.JPG",
    ]


def test_counter_running_backwards_splits_but_wrap_does_not() -> None:
    reset = [frame("IMG_0900.JPG", 0), frame("IMG_0901.JPG", 5), frame("IMG_0001.JPG", 10)]
    assert [names(s.frames) for s in group_shoots(reset)] == [
        ["IMG_0900.JPG", "IMG_0901.JPG"],
        ["IMG_0001.JPG"],
    ]
    wrap = [frame("IMG_9998.JPG", 0), frame("IMG_9999.JPG", 1), frame("IMG_0001.JPG", 2)]
    assert len(group_shoots(wrap)) == 1


def test_frames_without_time_or_unusable_are_left_out() -> None:
    frames = [
        frame("IMG_0001.JPG", 0),
        frame("IMG_0002.JPG", None),
        frame("IMG_0003.JPG", 1, error="is truncated"),
    ]
    shoots = group_shoots(frames)
    assert [names(s.frames) for s in shoots] == [["IMG_0001.JPG"]]
    assert group_shoots([frame("x.jpg", None)]) == []


def test_aware_and_naive_times_mix_by_wall_clock() -> None:
    aware = frame("IMG_0002.JPG", 0, start=T0.replace(tzinfo=timezone(timedelta(hours=2))))
    shoots = group_shoots([frame("IMG_0001.JPG", -1), aware, frame("IMG_0003.JPG", 1)])
    assert names(shoots[0].frames) == ["IMG_0001.JPG", "IMG_0002.JPG", "IMG_0003.JPG"]


def test_shoots_are_numbered_chronologically_across_cameras() -> None:
    frames = [
        frame("B_0001.JPG", 300, serial="B"),
        frame("A_0001.JPG", 0, serial="A"),
        frame("A_0002.JPG", 600, serial="A"),
    ]
    shoots = group_shoots(frames)
    assert [(s.index, s.serial, names(s.frames)) for s in shoots] == [
        (1, "A", ["A_0001.JPG"]),
        (2, "B", ["B_0001.JPG"]),
        (3, "A", ["A_0002.JPG"]),
    ]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 2000), min_size=1, max_size=25), st.randoms())
def test_grouping_does_not_depend_on_input_order(minutes: list[int], rnd: random.Random) -> None:
    frames = [
        frame(f"IMG_{i:04d}.JPG", m, serial="A" if i % 3 else "B") for i, m in enumerate(minutes)
    ]
    shuffled = frames[:]
    rnd.shuffle(shuffled)
    first, second = group_shoots(frames), group_shoots(shuffled)
    assert [(s.index, s.serial, names(s.frames)) for s in first] == [
        (s.index, s.serial, names(s.frames)) for s in second
    ]
    assert sum(len(s.frames) for s in first) == len(frames)
    for shoot in first:  # every pause inside a shoot is within the gap
        times = [f.captured_at for f in shoot.frames]
        assert all(b - a <= DEFAULT_GAP for a, b in itertools.pairwise(times) if a and b)


def test_label_and_summary() -> None:
    day1 = [frame(f"IMG_{i:04d}.JPG", i * 5) for i in range(1, 4)]
    day3 = [
        frame("IMG_0100.JPG", 60 * 48 + 30),
        frame("P1000001.JPG", 60 * 48 + 40, make="Apple", model="iPhone 13", serial=None),
    ]
    shoots = group_shoots(day1 + day3)
    assert shoots[0].label == (
        "Shoot 1: Canon EOS R6 serial 0123…, 10 March 2024, 14:05–14:15, 3 frames"
    )
    assert describe_shoots(shoots) == (
        "3 shoots, 5 frames, Canon EOS R6 serial 0123…, Apple iPhone 13, 10–12 March 2024"
    )
    single = group_shoots([frame("IMG_0001.JPG", 0, serial="A1")])
    assert describe_shoots(single) == "1 shoot, 1 frame, Canon EOS R6 serial A1, 10 March 2024"
    assert describe_shoots([]) == "no frames with a capture time"


def test_label_across_midnight() -> None:
    shoots = group_shoots([frame("IMG_0001.JPG", 9 * 60 + 50), frame("IMG_0002.JPG", 10 * 60 + 20)])
    assert shoots[0].label.endswith("10 March 2024 23:50 – 11 March 2024 00:20, 2 frames")


@pytest.mark.parametrize(
    ("first", "last", "text"),
    [
        (datetime(2024, 3, 10), datetime(2024, 3, 10), "10 March 2024"),
        (datetime(2024, 3, 10), datetime(2024, 3, 12), "10–12 March 2024"),
        (datetime(2024, 2, 28), datetime(2024, 3, 2), "28 February – 2 March 2024"),
        (datetime(2023, 12, 30), datetime(2024, 1, 2), "30 December 2023 – 2 January 2024"),
    ],
)
def test_format_range(first: datetime, last: datetime, text: str) -> None:
    assert format_range(first.date(), last.date()) == text

"""Everything ``init`` writes must load again, and date mistakes get a precise answer (issue 14.15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appeal_kit import BuildOptions, analyse_case
from appeal_kit.case.config import load_case
from appeal_kit.case.scaffold import CaseFields, create_case
from appeal_kit.errors import CaseConfigError, InvalidValueError
from tests.conftest import CASE_TOML, exif_bytes, run_cli, save_jpeg, textured_photo, write_case

NOTICES = [
    "2026-11-27T10:15+08:00",  # no seconds, as init's own prompt suggests
    "2026-11-27T10:15:00+08:00",
    "2026-11-27T02:15Z",
    "2026-11-27T10:15:30.250+05:30",
    "2026-11-27 10:15+08:00",
]


def test_init_without_seconds_writes_a_case_every_command_reads(tmp_path: Path) -> None:
    case = tmp_path / "case"
    made = run_cli("init", case, "--notice-received", "2026-11-27T10:15+08:00")
    assert made.code == 0, made.stdout + made.stderr
    loaded = load_case(case)
    assert loaded.notice_received is not None
    assert loaded.notice_received.isoformat() == "2026-11-27T10:15:00+08:00"
    for command in ("check", "status", "deadlines"):
        result = run_cli(command, case)
        assert result.code != 3 and "case.toml" not in result.stderr, (command, result.stderr)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # reproducible: the same examples on every run
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    notice=st.sampled_from(NOTICES),
    store=st.text(max_size=30),
    case_id=st.text(max_size=20),
    url=st.text(min_size=1, max_size=40),
    first_seen=st.sampled_from(["", "2026-11-01", "2026-11-01T08:00+08:00"]),
)
def test_everything_init_writes_loads(
    tmp_path: Path, notice: str, store: str, case_id: str, url: str, first_seen: str
) -> None:
    folder = tmp_path / "roundtrip"
    fields = CaseFields(
        case_id=case_id,
        store=store,
        notice_received=notice,
        urls=[url],
        first_seen=first_seen,
        timezone="Asia/Shanghai",
    )
    create_case(folder, fields, force=True)
    case = load_case(folder)
    assert case.case_id == case_id.strip() and case.store == store.strip()
    assert case.accused_listings[0].url == url.strip()
    assert case.notice_received is not None and case.timezone == "Asia/Shanghai"


def test_init_names_a_space_before_the_offset(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError) as caught:
        create_case(tmp_path / "c", CaseFields(notice_received="2026-11-27T10:15:00 +08:00"))
    assert "space before its UTC offset" in caught.value.message
    assert not (tmp_path / "c" / "case.toml").exists()


@pytest.mark.parametrize(
    ("written", "phrase", "fix"),
    [
        (
            "2026-11-27T10:15:00 +08:00",
            "space between the time and its UTC offset",
            "remove the space",
        ),
        ("2026-11-27T10:15+08:00", "time without seconds", "add the seconds"),
    ],
)
def test_case_toml_date_spelling_says_what_is_wrong(
    tmp_path: Path, written: str, phrase: str, fix: str
) -> None:
    root = write_case(tmp_path / "c", CASE_TOML.replace("2024-10-10T09:30:00+08:00", written))
    with pytest.raises(CaseConfigError) as caught:
        load_case(root)
    error = caught.value
    assert phrase in error.message and "not a real" not in str(error)
    assert error.field == "notice_received" and error.line == 7
    assert error.hint and fix in error.hint and "2026-11-27T10:15:00+08:00" in error.hint


def _naive_case(tmp_path: Path, toml: str) -> Path:
    root = write_case(tmp_path / "c", toml, folders=("originals", "accused", "documents"))
    for i in range(3):
        save_jpeg(
            textured_photo(200 + i, (400, 300)),
            root / "originals" / f"DSC_{i}.JPG",
            exif=exif_bytes(when=f"2024:03:10 14:0{i}:00", offset=None, make="NIKON", model="D90"),
        )
    return root


def test_timezone_advice_once_per_case(tmp_path: Path) -> None:
    root = _naive_case(tmp_path, CASE_TOML)
    analysis = analyse_case(root, BuildOptions(cache_dir=tmp_path / "cache", jobs=1))
    advice = [f for f in analysis.findings if f.code == "timezone-unknown"]
    assert len(advice) == 1, advice
    assert "3 of 3 originals" in advice[0].message


def test_no_timezone_advice_when_timezone_is_set(tmp_path: Path) -> None:
    root = _naive_case(tmp_path, CASE_TOML)
    text = (root / "case.toml").read_text("utf-8")
    (root / "case.toml").write_text(
        text.replace("points_at_stake = 2\n", 'points_at_stake = 2\ntimezone = "Asia/Tokyo"\n'),
        "utf-8",
    )
    analysis = analyse_case(root, BuildOptions(cache_dir=tmp_path / "cache", jobs=1))
    assert not [f for f in analysis.findings if f.code == "timezone-unknown"]

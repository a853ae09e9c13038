"""Complaint mode: the accused side's appeal windows are not the complainant's deadlines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from appeal_kit import BuildOptions, build_dossier
from appeal_kit.case.config import load_case
from appeal_kit.errors import CaseConfigError
from appeal_kit.tracking import platforms
from appeal_kit.tracking.deadlines import compute_deadlines
from appeal_kit.tracking.platforms import available_profiles, load_profile
from tests.conftest import CASE_TOML, run_cli, write_case

SUBMITTED = '\n[[events]]\ntype = "submitted"\nat = 2024-10-11T10:00:00+08:00\n'
BERLIN = 'timezone = "Europe/Berlin"\n'


def complaint(toml: str) -> str:
    return 'mode = "complaint"\n' + toml


def without_notice(toml: str) -> str:
    return "".join(line for line in toml.splitlines(True) if "notice_received" not in line)


def pdf_pages(path: Path) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(path).pages]


# ------------------------------------------------------------------ deadlines


@pytest.mark.parametrize("platform", sorted(available_profiles()))
def test_no_bundled_rule_gives_a_complainant_a_deadline(tmp_path: Path, platform: str) -> None:
    """Every bundled rule is the accused side's window (or a review of its appeal)."""
    body = f'platform = "{platform}"\nnotice_received = 2024-10-10T09:30:00+08:00\n' + SUBMITTED
    appeal = load_case(write_case(tmp_path / "a", body))
    accused = load_case(write_case(tmp_path / "c", complaint(body)))
    assert compute_deadlines(appeal), platform  # the same case in appeal mode has some
    assert compute_deadlines(accused) == []


def test_aliexpress_complaint_drops_the_appeal_window_appeal_keeps_it(tmp_path: Path) -> None:
    as_of = datetime(2024, 10, 12, tzinfo=UTC)
    appeal = load_case(write_case(tmp_path / "a", CASE_TOML + SUBMITTED))
    found = {d.name: d for d in compute_deadlines(appeal, as_of=as_of)}
    assert set(found) == {"appeal", "review"}
    assert found["appeal"].label == "Submit the appeal (counter-notice)"
    assert found["appeal"].due == datetime(2024, 10, 12, 1, 30, tzinfo=UTC)
    accused = load_case(write_case(tmp_path / "c", complaint(CASE_TOML) + SUBMITTED))
    assert compute_deadlines(accused, as_of=as_of) == []


def test_a_complaint_date_named_like_an_appeal_rule_is_the_users_own(tmp_path: Path) -> None:
    """In a complaint `appeal` is no platform rule: the date is shown as the user wrote it."""
    body = complaint(CASE_TOML) + "\n[deadlines]\nappeal = 2024-10-20T18:00:00+08:00\n"
    [own] = compute_deadlines(load_case(write_case(tmp_path / "c", body)))
    assert (own.name, own.label, own.origin) == ("appeal", "Appeal", "case")
    assert own.source == "your own deadline in case.toml"
    assert "48 hours" not in own.basis


def test_deadlines_command_says_why_a_complaint_has_none(tmp_path: Path) -> None:
    case = write_case(tmp_path / "c", complaint(CASE_TOML))
    result = run_cli("deadlines", case)
    assert result.code == 0
    text = " ".join(result.stdout.split())
    assert "bind the accused side, not a complainant" in text
    assert "[deadlines]" in text
    assert "notice_received" not in text


def test_status_calls_a_fresh_complaint_new_not_to_appeal(tmp_path: Path) -> None:
    from appeal_kit.tracking.workspace import case_state

    assert case_state(load_case(write_case(tmp_path / "a", CASE_TOML))) == "to-appeal"
    assert case_state(load_case(write_case(tmp_path / "c", complaint(CASE_TOML)))) == "new"


# ------------------------------------------------------------- profile schema


def _profile_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, modes_line: str) -> Path:
    text = (
        'name = "testplat"\nlabel = "Test"\ncountry = "CN"\ntimezone = "Asia/Shanghai"\n\n'
        '[[rules]]\nname = "appeal"\nlabel = "Appeal"\namount = 2\nunit = "hours"\n'
        'starts_from = "notice"\nkind = "deadline"\nsource = "test"\nchecked = 2026-11-22\n\n'
        '[[rules]]\nname = "review"\nlabel = "Review of what you sent"\namount = 5\n'
        'unit = "business-days"\nstarts_from = "submission"\nkind = "expectation"\n'
        f'{modes_line}\nsource = "test"\nchecked = 2026-11-22\n'
    )
    path = tmp_path / "testplat.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(platforms, "platform_profile_path", lambda name: path)
    platforms._load_profile_cached.cache_clear()
    return path


@pytest.fixture(autouse=True)
def _fresh_profiles() -> Iterator[None]:
    yield
    platforms._load_profile_cached.cache_clear()


def test_modes_default_to_both_and_select_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _profile_with(tmp_path, monkeypatch, 'modes = ["complaint"]')
    profile = load_profile("testplat")
    assert profile.rules[0].modes == ("appeal", "complaint")  # no modes key: both sides
    assert [r.name for r in profile.rules_for("appeal")] == ["appeal"]
    assert [r.name for r in profile.rules_for("complaint")] == ["appeal", "review"]
    assert profile.rule("review", "appeal") is None


@pytest.mark.parametrize("modes_line", ['modes = ["accused"]', "modes = []", 'modes = "appeal"'])
def test_bad_modes_name_file_line_field_and_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, modes_line: str
) -> None:
    path = _profile_with(tmp_path, monkeypatch, modes_line)
    with pytest.raises(CaseConfigError) as info:
        load_profile("testplat")
    error = info.value
    line = path.read_text(encoding="utf-8").splitlines().index(modes_line) + 1
    assert (error.path, error.line, error.field) == (path, line, "rules[1].modes")
    assert f"line {line} [rules[1].modes]" in str(error)
    assert "appeal, complaint" in str(error)
    assert 'modes = ["appeal"]' in (error.hint or "")


def test_every_bundled_appeal_rule_is_marked_for_the_accused_side() -> None:
    for name in available_profiles():
        profile = load_profile(name)
        for rule in profile.rules:
            assert rule.modes == ("appeal",), (name, rule.name)


# ------------------------------------------------------------- dossier and check


@pytest.fixture
def options(tmp_path: Path) -> BuildOptions:
    return BuildOptions(cache_dir=tmp_path / "cache", jobs=1)


def _deadline_page(pages: list[str]) -> str:
    return next(p for p in pages if "6. Deadlines" in p and "no clock used" in p)


def test_complaint_dossier_shows_no_appeal_deadline(make_case, options) -> None:
    own = "\n[deadlines]\nreply-due = 2024-10-20T18:00:00+08:00\n"
    case = make_case(1, toml=BERLIN + complaint(CASE_TOML) + SUBMITTED + own, name="c")
    pages = pdf_pages(build_dossier(case, options).pdf_path)
    page = _deadline_page(pages)
    assert "Reply due" in page
    assert "Due (your local time, Europe/Berlin)" in page
    assert "seller's local time" not in page
    for text in pages:
        for appeal_words in ("Submit the appeal", "Platform review of the appeal", "48 hours"):
            assert appeal_words not in text
    # The same case as an appeal keeps its window and the seller's wording, unchanged.
    case = make_case(1, toml=BERLIN + CASE_TOML + SUBMITTED + own, name="a")
    page = _deadline_page(pdf_pages(build_dossier(case, options).pdf_path))
    assert "Submit the appeal" in page and "Reply due" in page
    assert "Due (seller's local time, Europe/Berlin)" in page


def test_complaint_dossier_without_any_deadline_says_why(make_case, options) -> None:
    case = make_case(1, toml=complaint(CASE_TOML), name="c")
    page = _deadline_page(pdf_pages(build_dossier(case, options).pdf_path))
    assert "rules bind the accused side, not the complainant" in page
    assert "notice time is not set" not in page


def test_no_notice_warning_only_in_appeal_mode(make_case, tmp_path: Path) -> None:
    from appeal_kit.pipeline import analyse_case

    def messages(toml: str, name: str) -> str:
        case = make_case(1, toml=without_notice(toml), name=name)
        findings = analyse_case(case, BuildOptions(cache_dir=tmp_path / "cache")).findings
        return "\n".join(f"{f.code}: {f.message} {f.fix}" for f in findings)

    # Appeal: the missing notice time is still reported (the statement needs it too).
    assert "notice_received" in messages(CASE_TOML, "a")
    # Complaint: no rule counts from a notice, so nothing asks for one.
    found = messages(complaint(CASE_TOML), "c")
    assert "no-notice-time" not in found
    assert "notice_received" not in found
    result = run_cli("check", tmp_path / "c", "--cache-dir", tmp_path / "cache")
    assert "notice_received" not in result.stdout + result.stderr


def test_status_counts_no_points_of_ours_at_stake_in_a_complaint(tmp_path: Path) -> None:
    from appeal_kit.tracking.workspace import scan_workspace

    write_case(tmp_path / "appeal", CASE_TOML)
    write_case(tmp_path / "complaint", complaint(CASE_TOML))
    stakes = {row.name: row.points_at_stake for row in scan_workspace(tmp_path)}
    # CASE_TOML says points_at_stake = 2: ours in an appeal, the other seller's in a complaint.
    assert stakes == {"appeal": 2, "complaint": None}

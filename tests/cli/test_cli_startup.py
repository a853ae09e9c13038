"""Start-up shortcuts of the CLI give the same values and messages as Typer's own way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_speed_guards import SAMPLE_CASE, _loaded_by, _offenders

typer_coercion = pytest.importorskip("typer._coercion")


def _converted(runtime: Any, value: Any, param: Any, ctx: Any) -> Any:
    """The converted value, or the message Typer would show for it."""
    try:
        return runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # BadParameter and friends: compare what the user reads
        return (type(exc).__name__, exc.format_message() if hasattr(exc, "format_message") else exc)


def test_plain_converter_agrees_with_typer_for_every_parameter(tmp_path: Path) -> None:
    from typer._click import Context

    from appeal_kit.cli.coercion import PlainRuntimeParam
    from appeal_kit.cli.localize import _walk, localized_command
    from appeal_kit.cli.main import app

    existing = tmp_path / "folder"
    existing.mkdir()
    (tmp_path / "photo.jpg").write_bytes(b"x")
    texts = ["photo.jpg", str(existing), str(tmp_path / "photo.jpg"), "", "a b/c", "-", "~/x"]
    checked: set[str] = set()
    for command in _walk(localized_command(app)):
        ctx = Context(command)
        for param in command.params:
            ours = getattr(param, "_runtime_param", None)
            if not isinstance(ours, PlainRuntimeParam):
                continue
            theirs = typer_coercion.build_runtime_param(param.type_descriptor)
            values: list[Any] = [None, param.default]
            if ours.is_list:
                values.append(tuple(texts))
            elif ours.item_type in (int, float):
                values += ["4", "-1", "2.5", "many"]  # typed: Typer's own conversion and message
            else:
                values += texts
            for value in values:
                assert _converted(ours, value, param, ctx) == _converted(
                    theirs, value, param, ctx
                ), (
                    command.name,
                    param.name,
                    value,
                )
            checked.add(f"{command.name}:{ours.item_type.__name__}{'[]' if ours.is_list else ''}")
    # Paths, lists of paths, text and numbers left at their default were all compared.
    assert {"exif:Path[]", "status:Path", "status:str", "build:int", "build:float"} <= checked


@pytest.mark.parametrize(
    "args",
    [
        ("exif", str(SAMPLE_CASE / "originals")),
        ("status", str(SAMPLE_CASE)),
        ("deadlines", str(SAMPLE_CASE), "--as-of", "2024-10-11T12:00:00+08:00"),
    ],
)
def test_commands_of_text_and_paths_load_no_pydantic(args: tuple[str, ...]) -> None:
    # Typer imports pydantic (75 ms) to convert values; a path needs only Path().
    assert _offenders(_loaded_by(*args), ("pydantic", "pydantic_core")) == []


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--help",), set()),
        (("--verbose", "--help"), set()),
        (("build", "--help"), {"build"}),
        (("-v", "exif", "--help"), {"exif"}),
    ],
)
def test_help_builds_only_the_command_it_shows(
    lang: str, args: tuple[str, ...], expected: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``appeal-kit --help`` reads each command's name and help, not its parameters;
    ``appeal-kit build --help`` builds ``build`` alone.

    The page is the same as from the whole command tree, in both languages.
    """
    import typer.main
    from typer.utils import get_params_from_function

    from appeal_kit.cli import main
    from appeal_kit.i18n import set_console_language
    from tests.conftest import run_cli

    built: list[str] = []
    real = get_params_from_function

    def recording(function: Any) -> Any:
        built.append(function.__name__)
        return real(function)

    monkeypatch.setattr(typer.main, "get_params_from_function", recording)
    set_console_language(lang)  # type: ignore[arg-type]
    try:
        lean = run_cli(*args)
        # The program's own options, and the command shown (if any) only.
        assert set(built) - {"_root", "_version"} == expected
        monkeypatch.setattr(main, "_called", lambda args: None)
        whole = run_cli(*args)
    finally:
        set_console_language(None)
    assert "exif" in built and "build" in built  # the whole tree was built the second time
    assert lean == whole and lean.code == 0 and "appeal-kit" in lean.stdout

"""Converting command-line values without pydantic, where there is nothing to convert.

Typer (0.2x) converts every parameter value through a pydantic ``TypeAdapter``;
importing pydantic for it takes about 75 ms, a third of the start-up of
``appeal-kit exif`` or ``status``. Most of our parameters are text or paths,
where conversion is ``str`` as it came or ``Path(text)`` (plus Typer's own path
checks, which we call), and numbers that keep their default. Those get a
converter of their own here; any other value (a number typed on the command
line, a date, a choice) still goes through Typer's, so its messages stay Typer's.
Only used when the installed Typer has this design; otherwise nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

try:  # Typer's private coercion layer: present from Typer 0.2x on
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_path
except ImportError:  # pragma: no cover - an older Typer: its own conversion is used
    RuntimeParam = None  # type: ignore[assignment,misc]

_TEXT_TYPES = (str, Path)
_NUMBER_TYPES = (int, float)


def _plain_kind(descriptor: Any) -> tuple[type, bool] | None:
    """(item type, is a list) when we can convert this parameter ourselves, else None."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None:
        return None
    if getattr(info, "click_type", None) is not None:
        return None
    annotation = descriptor.annotation
    is_list = get_origin(annotation) is list
    if is_list:
        (annotation,) = get_args(annotation) or (None,)
    if annotation is Path and getattr(info, "path_type", None) not in (None, Path):
        return None
    if annotation in _TEXT_TYPES or (not is_list and annotation in _NUMBER_TYPES):
        return annotation, is_list
    return None


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        """Text as typed, ``Path(text)`` with Typer's path checks, and numbers left at default."""

        descriptor: Any
        item_type: type
        is_list: bool

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.is_list:
                items = value if isinstance(value, list | tuple) else [value]
                return [self._one(item, param, ctx) for item in items]
            return self._one(value, param, ctx)

        def _one(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.item_type is Path and isinstance(value, str | Path):
                path = value if isinstance(value, Path) else Path(value)
                return coerce_cli_path(
                    path, self.parameter_info, path_type=Path, param=param, ctx=ctx
                )
            if self.item_type is str and isinstance(value, str):
                return value
            if self.item_type in _NUMBER_TYPES and type(value) is self.item_type:
                return value  # the default, as the command declares it
            # Typed on the command line (a number), or anything unusual: Typer decides.
            typer_own = build_runtime_param(self.descriptor)
            return typer_own._coerce_value(value, param=param, ctx=ctx)


def convert_without_pydantic(command: Any) -> None:
    """Give ``command``'s text, path and number parameters the converter above."""
    if RuntimeParam is None:  # pragma: no cover - older Typer
        return
    for param in getattr(command, "params", ()):
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", False) is not None:
            continue  # not Typer's, or already converted once in this process
        kind = _plain_kind(descriptor)
        if kind is not None:
            param._runtime_param = PlainRuntimeParam(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                descriptor=descriptor,
                item_type=kind[0],
                is_list=kind[1],
            )

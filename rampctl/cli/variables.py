"""The `--var key=value` option for template variables, shared by commands reading manifests."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import click

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _parse(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    variables: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not _NAME.fullmatch(name):
            raise click.BadParameter(f"{item!r} is not KEY=VALUE with KEY a variable name")
        variables[name] = value
    return variables


_OPTION = click.option(
    "--var",
    "var",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_parse,
    help="Set a template variable (repeatable); overrides vars/*.yaml.",
)

F = TypeVar("F", bound=Callable[..., Any])


def var_option(func: F) -> F:
    """Add `--var KEY=VALUE` (parsed into a dict named `var`) to a command."""
    return _OPTION(func)

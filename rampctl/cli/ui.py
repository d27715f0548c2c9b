"""Terminal consoles for the CLI: colour only on a TTY; with NO_COLOR or --no-color, no escape
code at all (no colour, no bold, no cursor movement for spinners or bars)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from rampctl.cli.options import GlobalOptions

if TYPE_CHECKING:
    from rich.console import Console


def plain() -> bool:
    """True when the user asked for no colour: output is then free of escape codes."""
    return _no_color()


def _no_color() -> bool:
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx else None
    flag = obj.no_color if isinstance(obj, GlobalOptions) else False
    return flag or bool(os.environ.get("NO_COLOR"))


def out_console() -> Console:
    """Console for results (standard output)."""
    from rich.console import Console

    bare = _no_color()
    return Console(
        no_color=bare, color_system=None if bare else "auto", highlight=False, soft_wrap=True
    )


def err_console() -> Console:
    """Console for errors, warnings and progress (standard error)."""
    from rich.console import Console

    bare = _no_color()
    return Console(
        stderr=True,
        no_color=bare,
        color_system=None if bare else "auto",
        highlight=False,
        soft_wrap=True,
    )

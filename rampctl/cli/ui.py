"""Terminal consoles for the CLI: colour only on a TTY, never with NO_COLOR or --no-color."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from rampctl.cli.options import GlobalOptions

if TYPE_CHECKING:
    from rich.console import Console


def _no_color() -> bool:
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx else None
    flag = obj.no_color if isinstance(obj, GlobalOptions) else False
    return flag or bool(os.environ.get("NO_COLOR"))


def out_console() -> Console:
    """Console for results (standard output)."""
    from rich.console import Console

    return Console(no_color=_no_color(), highlight=False, soft_wrap=True)


def err_console() -> Console:
    """Console for errors, warnings and progress (standard error)."""
    from rich.console import Console

    return Console(stderr=True, no_color=_no_color(), highlight=False, soft_wrap=True)

"""The global options of every command, parsed once into one value object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

ENVIRONMENTS = ("production", "demo")


@dataclass(frozen=True, kw_only=True)
class GlobalOptions:
    """What the top-level flags asked for; commands read it from the click context.

    Paths are as given (relative to the working directory after `-C`).
    """

    manifests: Path
    state: str
    """A state file path, or a remote backend's URL (`s3://...`, `postgresql://...`)."""
    env: str | None
    sandbox: bool
    no_color: bool
    verbosity: int
    log_file: Path | None


def global_options(ctx: click.Context) -> GlobalOptions:
    """The GlobalOptions of the running command."""
    obj = ctx.find_root().obj
    if not isinstance(obj, GlobalOptions):  # pragma: no cover - set by the root group
        raise click.UsageError("global options are missing")
    return obj

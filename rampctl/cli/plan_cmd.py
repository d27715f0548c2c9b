"""`rampctl plan`: show how Ramp differs from the manifests (the engine lands with the plan issue)."""

from __future__ import annotations

import click

from rampctl.errors import ConfigError


@click.command()
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when the plan has changes, 0 when none."
)
def plan(detailed_exitcode: bool) -> None:
    """Show what differs between the manifests and Ramp, and what apply would do.

    Plan only reads: it never writes to Ramp or to the state file.
    """
    raise ConfigError("`rampctl plan` is not available in this build yet")

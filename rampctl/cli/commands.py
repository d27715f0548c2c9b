"""The registry of subcommands: each command module is added to the root group here."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Attach every subcommand to the root `rampctl` group."""
    from rampctl.cli import apply_cmd, import_cmd, manifest_cmd, plan_cmd
    from rampctl.cli.github_cmd import github
    from rampctl.cli.sandbox_cmd import sandbox
    from rampctl.cli.state_cmd import state

    group.add_command(plan_cmd.plan)
    group.add_command(plan_cmd.show)
    group.add_command(apply_cmd.apply)
    group.add_command(import_cmd.import_)
    group.add_command(state)
    manifest_cmd.register(group)
    group.add_command(sandbox)
    group.add_command(github)

"""The --github-* options of `plan` and `apply` (light to import: the commands declare them
without loading the GitHub client, which only a run with one of these flags needs)."""

from __future__ import annotations

from typing import Any

import click

workspace_option = click.option(
    "--github-workspace",
    "github_workspace",
    default="default",
    show_default=True,
    envvar="RAMPCTL_WORKSPACE",
    metavar="NAME",
    help="Workspace name in GitHub comments, issues and artifacts (one per manifests root).",
)


def plan_github_options(func: Any) -> Any:
    """--github-comment / --github-drift-issue / --github-workspace for `rampctl plan`."""
    func = workspace_option(func)
    func = click.option(
        "--github-drift-issue",
        is_flag=True,
        help="In CI: open or update the issue labelled rampctl-drift when the plan has "
        "changes; close it when there are none.",
    )(func)
    return click.option(
        "--github-comment",
        is_flag=True,
        help="In a pull-request run: post the plan as one sticky comment (updated by each "
        "run) and the full plan to the job summary. Needs GITHUB_TOKEN.",
    )(func)


def apply_github_options(func: Any) -> Any:
    """--github-comment / --github-workspace for `rampctl apply`."""
    func = workspace_option(func)
    return click.option(
        "--github-comment",
        is_flag=True,
        help="After a merge: say on the merged pull request why apply refused or failed "
        "(or what it did). Needs GITHUB_TOKEN.",
    )(func)

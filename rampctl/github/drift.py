"""The drift issue: one open issue labelled `rampctl-drift` per workspace while Ramp differs."""

from __future__ import annotations

from typing import Any

from rampctl.engine.plan import Plan
from rampctl.github.client import GitHub
from rampctl.github.context import RunContext
from rampctl.github.sticky import BODY_LIMIT, has_marker, marker
from rampctl.render import markdown

LABEL = "rampctl-drift"
RESERVE = 1_000


def sync_drift_issue(gh: GitHub, plan: Plan, run: RunContext, workspace: str) -> str:
    """Open or update the drift issue when the plan has changes, close it when none.

    Returns a sentence saying what was done, for the log.
    """
    mark = marker("drift", workspace)
    open_issues = [
        issue
        for issue in gh.paginate(gh.repo_path("issues"), {"labels": LABEL, "state": "open"})
        if "pull_request" not in issue and has_marker(issue.get("body"), mark)
    ]
    if plan.has_changes:
        return _report(gh, plan, run, workspace, open_issues)
    for issue in open_issues:
        _close(gh, issue, run)
    if open_issues:
        return "closed drift issue " + ", ".join(f"#{i['number']}" for i in open_issues)
    return "no drift; no drift issue open"


def _report(
    gh: GitHub, plan: Plan, run: RunContext, workspace: str, open_issues: list[dict[str, Any]]
) -> str:
    body = f"{marker('drift', workspace)}\n{_body(plan, run, workspace)}"
    if open_issues:
        number = open_issues[0]["number"]
        gh.call("PATCH", gh.repo_path(f"issues/{number}"), json={"body": body})
        return f"updated drift issue #{number}"
    made = gh.call(
        "POST",
        gh.repo_path("issues"),
        json={
            "title": f"rampctl: Ramp differs from the manifests (workspace {workspace})",
            "body": body,
            "labels": [LABEL],
        },
    )
    return f"opened drift issue #{made['number']}"


def _body(plan: Plan, run: RunContext, workspace: str) -> str:
    where = "the job summary of " + run.link("the run") if run.step_summary else "`rampctl plan`"
    text, _ = markdown.render_fitted(
        plan, max_chars=BODY_LIMIT - RESERVE, full_plan=f"{where} has the full plan"
    )
    intro = (
        f"The nightly check found that Ramp differs from the manifests of workspace "
        f"`{workspace}` ({run.link('run')}). Either change Ramp back, or change the manifests "
        "in a pull request so the next plan is empty. This issue is updated by each check and "
        "closed when one finds no drift.\n\n"
    )
    return intro + text


def _close(gh: GitHub, issue: dict[str, Any], run: RunContext) -> None:
    number = issue["number"]
    gh.call(
        "POST",
        gh.repo_path(f"issues/{number}/comments"),
        json={"body": f"No drift found by {run.link('this run')}; closing."},
    )
    gh.call(
        "PATCH",
        gh.repo_path(f"issues/{number}"),
        json={"state": "closed", "state_reason": "completed"},
    )

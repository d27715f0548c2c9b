"""The plan as a sticky pull-request comment, with the full plan in the job summary."""

from __future__ import annotations

from rampctl.engine.plan import Plan
from rampctl.github.client import GitHub
from rampctl.github.context import RunContext
from rampctl.github.sticky import BODY_LIMIT, Posted, fenced, marker, upsert_comment
from rampctl.render import markdown

#: Room kept for the marker line, the footer and GitHub counting differently than Python.
RESERVE = 1_000


def plan_body(plan: Plan, run: RunContext, workspace: str) -> tuple[str, bool]:
    """The comment text (marker excluded) within GitHub's limit, and whether it was cut."""
    where = (
        "the full plan is in the job summary of " + run.link("this run")
        if run.step_summary is not None
        else "`rampctl plan` shows all"
    )
    text, cut = markdown.render_fitted(plan, max_chars=BODY_LIMIT - RESERVE, full_plan=where)
    return text + "\n" + _footer(run, workspace), cut


def error_body(message: str, run: RunContext, workspace: str) -> str:
    """The comment text when the plan itself failed (invalid manifests, Ramp unreachable...)."""
    shown = message[: BODY_LIMIT - RESERVE - 200]
    return (
        "### rampctl plan\n\n:x: **The plan failed**; nothing can be reviewed until it passes.\n\n"
        f"{fenced(shown)}\n\n" + _footer(run, workspace)
    )


def post_plan(gh: GitHub, run: RunContext, workspace: str, body: str) -> Posted:
    """Create or update this pull request's plan comment for `workspace`."""
    return upsert_comment(gh, run.pull_request_number(), marker("plan", workspace), body)


def _footer(run: RunContext, workspace: str) -> str:
    commit = run.head_sha()[:12] or "unknown"
    return f"<sub>workspace `{workspace}` · commit `{commit}` · {run.link('run')}</sub>\n"
